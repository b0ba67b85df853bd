/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h - where ptrmilter's messages go: syslog (LOG_MAIL) as a daemon,
 * stderr in the foreground (-f) and for the command-line tools.
 *
 * Callers pass text that is already printable; as a last guard every
 * control byte that still reaches a message is written as '?', so no
 * string from the network can split a log line or forge a new one.
 * Thread-safe once log_open() has returned.
 */
#ifndef PTRMILTER_LOG_H
#define PTRMILTER_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Longest message written; longer ones are cut. */
#define LOG_LINE_MAX 4608

/* Sends messages to stderr (true) or to syslog; debug messages are
 * written only when verbose. */
void log_open(const char *ident, bool to_stderr, bool verbose);

/* Switches an open log between stderr and syslog (after daemonising). */
void log_to_stderr(bool to_stderr);

bool log_verbose(void);

void log_msg(int priority, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
