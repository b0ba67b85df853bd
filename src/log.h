/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h - where ptrmilter's messages go: syslog as a daemon, stderr in
 * the foreground (-f) and for the command-line tools.
 *
 * On stderr a line reads "ptrmilter: LEVEL: message", or - when stderr is
 * the systemd journal, or -j asks for it - "<N>message", N its syslog
 * priority as sd-daemon(3) says, so that journald files each line at its
 * own priority and "journalctl -p warning" works.  To syslog each line
 * goes with the facility of log_facility (LOG_MAIL unless told).
 *
 * Callers pass text that is already printable; as a last guard every
 * control byte that still reaches a message is written as '?', so no
 * string from the network can split a log line or forge a new one.
 *
 * Threading: log_msg() is safe from any thread once log_open() has
 * returned; so are log_set_facility() and log_journal_prefix(), which
 * may run (on a reload) while other threads log: the destination, the
 * prefix style and the facility are atomics read once per line.
 */
#ifndef PTRMILTER_LOG_H
#define PTRMILTER_LOG_H

#include <stdbool.h>
#include <syslog.h>

#include "policy.h"

/* Longest message written; longer ones are cut. */
#define LOG_LINE_MAX 4608

/* Sends messages to stderr (true) or to syslog; debug messages are
 * written only when verbose. */
void log_open(const char *ident, bool to_stderr, bool verbose);

/* Switches an open log between stderr and syslog (after daemonising). */
void log_to_stderr(bool to_stderr);

/* Lines on stderr start with "<N>" (sd-daemon) instead of
 * "IDENT: LEVEL: ". */
void log_journal_prefix(bool on);

/* True when the descriptor fd is the stream journal_stream names: the
 * "DEV:INODE" that systemd puts in $JOURNAL_STREAM for a service whose
 * stderr it connected to the journal, compared with fstat(fd), so that a
 * process that inherited the variable but writes elsewhere (a pipe, a
 * file) is not taken for the journal.  NULL or malformed: false. */
bool log_stream_is_journal(const char *journal_stream, int fd);

/* The syslog facility of every line from now on (LOG_MAIL at first); it
 * also becomes openlog()'s default, for libmilter's own messages. */
void log_set_facility(enum policy_log_facility f);

/* LOG_MAIL, LOG_DAEMON, ... for f; LOG_MAIL for a value out of range. */
int log_facility_code(enum policy_log_facility f);

bool log_verbose(void);

void log_msg(int priority, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
