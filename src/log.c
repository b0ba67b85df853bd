/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c - syslog or stderr, one line per message; see log.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "safe_text.h"

static atomic_bool use_stderr = true;
static atomic_bool debug_on;
static const char *log_ident = "ptrmilter";

static const char *level_name(int priority);

void
log_open(const char *ident, bool to_stderr, bool verbose)
{
	log_ident = ident;
	atomic_store(&debug_on, verbose);
	atomic_store(&use_stderr, to_stderr);
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void
log_to_stderr(bool to_stderr)
{
	if (!to_stderr && atomic_load(&use_stderr))
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	atomic_store(&use_stderr, to_stderr);
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

	if (priority == LOG_DEBUG && !atomic_load(&debug_on))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	(void)safe_text(line, sizeof(line), line, SAFE_TEXT_ALL, SAFE_TEXT_LOG);
	if (atomic_load(&use_stderr))
		fprintf(stderr, "%s: %s: %s\n", log_ident,
		    level_name(priority), line);
	else
		syslog(priority, "%s", line);
}
