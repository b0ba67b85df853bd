/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fcrdns_cache.h - finished FCrDNS results of recent clients, reused
 * while every DNS answer they rest on is still within its TTL: a typed
 * wrapper over ttl_cache.h, keyed by address and max_ptr_names.
 *
 * A client that comes back (most mail comes from servers that send again
 * and again) is then judged without a lookup: no query to libunbound, no
 * hand-over between threads, a verdict in microseconds.  Failures,
 * timeouts and bogus answers are never kept, so a DNS outage is looked
 * up afresh every time.
 */
#ifndef PTRMILTER_FCRDNS_CACHE_H
#define PTRMILTER_FCRDNS_CACHE_H

#include <stddef.h>
#include <time.h>

#include "fcrdns.h"
#include "ttl_cache.h"

/* Results kept at most this long, whatever the TTLs say. */
#define FCRDNS_CACHE_MAX_TTL 3600

/* A cache of at most capacity clients; NULL when out of memory. */
struct ttl_cache *fcrdns_cache_create(size_t capacity);

/* A job for client: finished at once from the cache when it holds a
 * fresh result for the same client and max_names, else started with
 * fcrdns_start().  c may be NULL (no cache).  NULL when out of memory. */
struct fcrdns *fcrdns_cache_start(struct ttl_cache *c, struct resolver *r,
    const struct addr *client, unsigned max_names, struct timespec now);

/* Keeps a finished result that was looked up (not itself from the
 * cache) and is reusable, until it expires (see struct fcrdns_result):
 * counted from when its answers arrived, not from now.  c may be NULL. */
void fcrdns_cache_keep(struct ttl_cache *c, const struct fcrdns_result *res,
    unsigned max_names, struct timespec now);

#endif
