/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_grace.h - tempfail_limit: remembers since when each client IP has
 * been tempfailed because of DNS errors, so that a client whose DNS has
 * been broken for longer than the limit is accepted (with
 * iprev=temperror in its header) instead of having its mail deferred
 * until the sender gives up.
 *
 * A fixed-size table: memory does not grow with the number of clients;
 * when it is full the oldest entry is forgotten.  Times are passed in
 * (seconds, any monotonic clock) so the rules are testable.  Thread-safe.
 */
#ifndef PTRMILTER_DNS_GRACE_H
#define PTRMILTER_DNS_GRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct dns_grace;

/* Silence that ends a streak: a sender's queue retries well within a
 * day, so a day without errors means the DNS was mended meanwhile. */
#define DNS_GRACE_QUIET_S 86400

/* A table for up to capacity IPs; NULL when out of memory. */
struct dns_grace *dns_grace_create(size_t capacity);
void dns_grace_destroy(struct dns_grace *g);

/* Records a DNS-error verdict for ip at time now and returns true when
 * the first such verdict of the current streak is more than limit_s
 * seconds old (then the caller accepts).  A streak ends when
 * dns_grace_clear() is called for the ip, or when no DNS error has been
 * seen for it for more than DNS_GRACE_QUIET_S seconds, or limit_s if that
 * is longer.  The quiet time does not follow the limit down: with a limit
 * of 30 minutes, a sender that retries every hour must still get through.
 * limit_s 0 means off: false, and nothing is recorded. */
bool dns_grace_expired(struct dns_grace *g, const struct addr *ip,
    int64_t now, unsigned limit_s);

/* The ip got a verdict without DNS errors: forget it. */
void dns_grace_clear(struct dns_grace *g, const struct addr *ip);

#endif
