/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon_tune.h - process settings that let one ptrmilter hold thousands
 * of SMTP sessions at once and answer them without added delay: the
 * descriptor limit, the stack of libmilter's session threads and Nagle's
 * algorithm on TCP milter sockets.
 */
#ifndef PTRMILTER_DAEMON_TUNE_H
#define PTRMILTER_DAEMON_TUNE_H

#include <stddef.h>

/* Stack size given to every thread that libmilter and libunbound start:
 * they create theirs with default attributes, which would otherwise be
 * the stack rlimit (8 MiB) each.  Ours need a few tens of KiB (PCRE2
 * keeps up to 20 KiB of match frames on the stack). */
#define DAEMON_THREAD_STACK (256 * 1024)

/* Raises the soft descriptor limit to the hard one: each SMTP session
 * holds a descriptor, and libmilter stops serving for good after 16
 * accept() failures in a row.  Returns the soft limit now in force, or
 * -1 if it could not be read. */
long daemon_raise_fd_limit(void);

/* Makes bytes the stack size of threads created with default
 * attributes from now on.  Not done under AddressSanitizer, whose
 * redzones need the larger default.  Returns 0 or -1. */
int daemon_thread_stack(size_t bytes);

/* Sets TCP_NODELAY on every listening TCP socket of the process, so
 * that the several small replies of end of message (remove a header,
 * insert two, accept) leave at once instead of waiting on the MTA's
 * delayed ACK; Linux copies the option to each accepted connection.
 * Returns how many sockets were set. */
int daemon_tcp_nodelay(void);

#endif
