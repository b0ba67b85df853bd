/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helo_cache.h - A and AAAA of recent HELO names, reused within their
 * TTL, as fcrdns_cache.h does for clients: a server that says the same
 * name on every connection costs its lookups once per TTL.  A typed
 * wrapper over ttl_cache.h, keyed by the name without case.
 */
#ifndef PTRMILTER_HELO_CACHE_H
#define PTRMILTER_HELO_CACHE_H

#include <stddef.h>
#include <time.h>

#include "helo_lookup.h"
#include "ttl_cache.h"

/* Kept at most this long, whatever the TTLs say. */
#define HELO_CACHE_MAX_TTL 3600
/* Answers with more addresses are judged whole but not kept: any client
 * can name a HELO under a zone of its own that answers with thousands
 * (a 64 KB answer holds over 4,000 A records), and the cache's memory
 * must not be theirs to fill.  Real mail hosts have a handful. */
#define HELO_CACHE_MAX_ADDRS 64

/* A cache of at most capacity names; NULL when out of memory. */
struct ttl_cache *helo_cache_create(size_t capacity);

/* A lookup of name: finished at once from the cache when it holds a
 * fresh result, else started with helo_lookup_start().  c may be NULL.
 * NULL when out of memory. */
struct helo_lookup *helo_cache_start(struct ttl_cache *c, struct resolver *r,
    const char *name, struct timespec now);

/* Keeps a finished, reusable lookup of name until the first of its
 * answers' TTLs runs out, counted from when that answer arrived (see
 * helo_lookup_expiry()), unless it holds more than HELO_CACHE_MAX_ADDRS
 * addresses.  c may be NULL. */
void helo_cache_keep(struct ttl_cache *c, const char *name,
    struct helo_lookup *l, struct timespec now);

#endif
