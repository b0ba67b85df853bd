/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter.h - the libmilter callbacks: one SMTP connection's lookups,
 * verdict, enforcement and headers.
 *
 * Threading: libmilter calls each connection's callbacks from one thread
 * at a time; connections run in parallel and share only the resolver,
 * the policy snapshot in force and the tempfail_limit table.
 */
#ifndef PTRMILTER_MILTER_H
#define PTRMILTER_MILTER_H

#include "dns_grace.h"
#include "resolver.h"
#include "ttl_cache.h"

/* What every connection shares.  hostname is the authserv-id of last
 * resort (no authserv_id key, no {j} from the MTA). */
struct milter_shared {
	struct resolver *resolver;
	struct dns_grace *grace;
	struct ttl_cache *fcrdns_cache;	/* NULL: no reuse */
	struct ttl_cache *helo_cache;	/* NULL: no reuse */
	const char *hostname;
};

/* Registers the callbacks with libmilter (smfi_register).  shared must
 * outlive smfi_main().  Returns 0 or -1. */
int milter_register(const struct milter_shared *shared);

/* Connections whose state is still allocated (libmilter may return from
 * smfi_main() before the last ones close). */
unsigned long milter_sessions(void);

#endif
