/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_streak.h - tempfail_limit over the state store: since when each
 * client IP has been tempfailed because of DNS errors, kept where a
 * restart (LMDB) and the other MX hosts of a fleet (Redis) see it, so
 * the limit holds for the client and not only for one process.
 *
 * A streak is the record "streak:IP" (RFC 5952 text; an IPv4-mapped
 * address as IPv4) whose value is the wall-clock time of its first DNS
 * error (state_time_put()).  It is started with an add, so that of two
 * hosts meeting the client at once through Redis one starts it and both
 * read the same time (through LMDB two processes of one host may each
 * start it once, a moment apart: the first insert stays); every error
 * renews its time to live, in the same batch (state_batch()), which is the
 * quiet time of dns_grace.h (a day, or the limit if longer); a clean
 * verdict deletes it.
 *
 * The process's own table (dns_grace.h) is kept up to date alongside:
 * when the store is down, it answers, so the limit still holds within
 * the process.  When both know a streak, the older one counts: the limit
 * is a promise about how long a client's mail may be deferred.
 *
 * Thread-safe, as its two stores are.  Either may be NULL (no store: the
 * table alone; no table: the store alone).
 */
#ifndef PTRMILTER_DNS_STREAK_H
#define PTRMILTER_DNS_STREAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "dns_grace.h"
#include "state_store.h"

/* Room for a streak key and its NUL. */
#define DNS_STREAK_KEY_MAX (sizeof("streak:") + ADDR_TEXT_MAX)

/* The two clocks a streak is measured on: the wall clock for the store
 * (shared by restarts and hosts), any monotonic clock for the table. */
struct dns_streak_now {
	int64_t wall_s;
	int64_t mono_s;
};

/* Records a DNS-error verdict for ip and returns true when the first
 * error of its streak is more than limit_s seconds old.  limit_s 0 means
 * off: false, nothing recorded. */
bool dns_streak_expired(struct state_store *st, struct dns_grace *g,
    const struct addr *ip, struct dns_streak_now now, unsigned limit_s);

/* The ip got a verdict without DNS errors: its streak ends. */
void dns_streak_clear(struct state_store *st, struct dns_grace *g,
    const struct addr *ip);

/* The key of ip's streak; -1 if it does not fit size. */
int dns_streak_key(const struct addr *ip, char *buf, size_t size);

#endif
