/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c - syslog or stderr, one line per message; see log.h.
 *
 * The facility goes with every syslog() call rather than only through
 * openlog(): a reload that changes log_facility while other threads log
 * then moves each line whole to the new facility, and no line depends on
 * when another thread's openlog() took effect.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "safe_text.h"

static atomic_bool use_stderr = true;
static atomic_bool journal_prefix;
static atomic_bool debug_on;
static atomic_int facility = LOG_MAIL;
static const char *log_ident = "ptrmilter";

static const char *level_name(int priority);
static bool parse_dev_ino(const char *s, uintmax_t *dev, uintmax_t *ino);

void
log_open(const char *ident, bool to_stderr, bool verbose)
{
	log_ident = ident;
	atomic_store(&debug_on, verbose);
	atomic_store(&use_stderr, to_stderr);
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, atomic_load(&facility));
}

void
log_to_stderr(bool to_stderr)
{
	if (!to_stderr && atomic_load(&use_stderr))
		openlog(log_ident, LOG_PID | LOG_NDELAY,
		    atomic_load(&facility));
	atomic_store(&use_stderr, to_stderr);
}

void
log_journal_prefix(bool on)
{
	atomic_store(&journal_prefix, on);
}

/* "DEV:INODE", both decimal, nothing else. */
static bool
parse_dev_ino(const char *s, uintmax_t *dev, uintmax_t *ino)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*dev = strtoumax(s, &end, 10);
	if (errno != 0 || *end != ':' || end[1] < '0' || end[1] > '9')
		return false;
	*ino = strtoumax(end + 1, &end, 10);
	return errno == 0 && *end == '\0';
}

bool
log_stream_is_journal(const char *journal_stream, int fd)
{
	struct stat st;
	uintmax_t dev, ino;

	if (journal_stream == NULL ||
	    !parse_dev_ino(journal_stream, &dev, &ino) ||
	    fstat(fd, &st) == -1)
		return false;
	return (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

int
log_facility_code(enum policy_log_facility f)
{
	static const int codes[] = {
		[POLICY_FACILITY_MAIL] = LOG_MAIL,
		[POLICY_FACILITY_DAEMON] = LOG_DAEMON,
		[POLICY_FACILITY_USER] = LOG_USER,
		[POLICY_FACILITY_LOCAL0] = LOG_LOCAL0,
		[POLICY_FACILITY_LOCAL1] = LOG_LOCAL1,
		[POLICY_FACILITY_LOCAL2] = LOG_LOCAL2,
		[POLICY_FACILITY_LOCAL3] = LOG_LOCAL3,
		[POLICY_FACILITY_LOCAL4] = LOG_LOCAL4,
		[POLICY_FACILITY_LOCAL5] = LOG_LOCAL5,
		[POLICY_FACILITY_LOCAL6] = LOG_LOCAL6,
		[POLICY_FACILITY_LOCAL7] = LOG_LOCAL7,
	};

	if ((unsigned)f >= sizeof(codes) / sizeof(codes[0]))
		return LOG_MAIL;
	return codes[f];
}

void
log_set_facility(enum policy_log_facility f)
{
	int code = log_facility_code(f);

	if (atomic_exchange(&facility, code) == code)
		return;
	/* Only the default of other libraries' syslog() calls (libmilter's)
	 * is left to openlog(); the C library serialises it with syslog(). */
	if (!atomic_load(&use_stderr))
		openlog(log_ident, LOG_PID | LOG_NDELAY, code);
}

bool
log_verbose(void)
{
	return atomic_load(&debug_on);
}

static const char *
level_name(int priority)
{
	switch (priority) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void
log_msg(int priority, const char *fmt, ...)
{
	/* Per thread, not on the stack: libmilter's callback threads get
	 * no room for kilobytes of stack per call. */
	static _Thread_local char line[LOG_LINE_MAX];
	va_list ap;

	priority = LOG_PRI(priority);
	if (priority == LOG_DEBUG && !atomic_load(&debug_on))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	(void)safe_text(line, sizeof(line), line, SAFE_TEXT_ALL, SAFE_TEXT_LOG);
	if (!atomic_load(&use_stderr))
		syslog(atomic_load(&facility) | priority, "%s", line);
	else if (atomic_load(&journal_prefix))
		fprintf(stderr, "<%d>%s\n", priority, line);
	else
		fprintf(stderr, "%s: %s: %s\n", log_ident,
		    level_name(priority), line);
}
