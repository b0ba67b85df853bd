/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter.h - the libmilter callbacks, which hand each event of an SMTP
 * connection to its session (session.h) and apply the answer.
 *
 * Threading: libmilter calls each connection's callbacks from one thread
 * at a time; connections run in parallel and share only what struct
 * session_shared names, the policy snapshot in force and the counters.
 */
#ifndef PTRMILTER_MILTER_H
#define PTRMILTER_MILTER_H

#include "session.h"

/* Registers the callbacks with libmilter (smfi_register).  shared must
 * outlive smfi_main().  Returns 0 or -1. */
int milter_register(const struct session_shared *shared);

#endif
