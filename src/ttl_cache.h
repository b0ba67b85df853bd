/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ttl_cache.h - a bounded, thread-safe map from text keys to values that
 * expire: the finished lookups of recent clients, kept for as long as the
 * DNS answers they rest on may be reused, so that a client seen again
 * costs no lookup and no thread hand-over.
 *
 * The one store under both caches of finished lookups: fcrdns_cache.c
 * (FCrDNS results by client) and helo_cache.c (HELO answers by name) are
 * typed wrappers that only make keys and copies.  What may be kept, and
 * until when, is decided here for both: ttl_cache_answer_reusable() and
 * ttl_cache_expiry().
 *
 * Values are owned by the cache: put() takes a copy made with the copy
 * function, get() hands out a fresh copy, and the free function disposes
 * of both.  When full, the least recently used entry goes.  One mutex,
 * held for a hash lookup and a copy.
 */
#ifndef PTRMILTER_TTL_CACHE_H
#define PTRMILTER_TTL_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "resolver.h"

struct ttl_cache;

typedef void *ttl_cache_copy(const void *value);
typedef void ttl_cache_free_fn(void *value);

/* A cache of at most capacity entries (0: a cache that keeps nothing),
 * none kept longer than max_ttl seconds.  NULL when out of memory. */
struct ttl_cache *ttl_cache_create(size_t capacity, unsigned max_ttl,
    ttl_cache_copy *copy, ttl_cache_free_fn *free_fn);

void ttl_cache_free(struct ttl_cache *c);

/* A copy of the value under key if it has not expired at now (a
 * CLOCK_MONOTONIC time), else NULL; NULL also when out of memory. */
void *ttl_cache_get(struct ttl_cache *c, const char *key,
    struct timespec now);

/* Keeps a copy of value under key until expires, replacing what was
 * there.  expires is a CLOCK_MONOTONIC time the caller computes from when
 * the answers behind value arrived and their TTLs, not from now: time a
 * result spent waiting to be kept must not stretch it.  The cache keeps
 * nothing longer than max_ttl seconds from now, and nothing at all when
 * expires is not after now.  Returns 0, or -1 when out of memory (nothing
 * is kept then). */
int ttl_cache_put(struct ttl_cache *c, const char *key, const void *value,
    struct timespec expires, struct timespec now);

/* The earlier of until and arrived + ttl seconds: a value resting on
 * several DNS answers expires with the first of them. */
struct timespec ttl_cache_expiry(struct timespec until,
    struct timespec arrived, unsigned ttl);

/* Whether a DNS answer that arrived from the DNS may be kept: only one
 * that says what the DNS holds (an answer, NXDOMAIN or NODATA) and is not
 * bogus.  A failure, a timeout or a bogus answer is asked again next
 * time; an answer that never arrived (a local failure, a cancel) is not
 * the caller's to ask about. */
bool ttl_cache_answer_reusable(enum dns_status status,
    enum dnssec_state dnssec);

/* For the typed caches: what reuse() makes of a copy of the value kept
 * under key (reuse() owns the copy and frees it), or NULL when key is
 * NULL, nothing fresh is kept under it, or out of memory. */
void *ttl_cache_reuse(struct ttl_cache *c, const char *key,
    struct timespec now, void *(*reuse)(void *copy));

/* Entries held, expired or not (for tests and statistics). */
size_t ttl_cache_count(struct ttl_cache *c);

#endif
