/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_breaker.c - the DNS outage breaker's state machine; see
 * dns_breaker.h.
 *
 * Both conditions must hold to open: the count keeps one slow zone among
 * answered traffic from tripping it (any answer resets the count), the
 * silence keeps a burst of misses that all started in the same second
 * from tripping it before the DNS has been quiet for a while.
 */
#include "config.h"

#include "dns_breaker.h"

void
dns_breaker_init(struct dns_breaker *b, int64_t now_ms)
{
	b->open = false;
	b->misses = 0;
	b->last_answer_ms = now_ms;
	b->opened_ms = 0;
	b->last_probe_ms = 0;
	b->last_trial_ms = 0;
}

enum dns_breaker_change
dns_breaker_answer(struct dns_breaker *b, int64_t now_ms)
{
	b->misses = 0;
	/* A late answer read after a newer one must not move it back. */
	if (now_ms > b->last_answer_ms)
		b->last_answer_ms = now_ms;
	if (!b->open)
		return DNS_BREAKER_SAME;
	b->open = false;
	return DNS_BREAKER_CLOSED;
}

enum dns_breaker_change
dns_breaker_miss(struct dns_breaker *b, int64_t now_ms, int64_t waited_ms)
{
	if (b->open || waited_ms < DNS_BREAKER_MISS_MS)
		return DNS_BREAKER_SAME;
	if (b->misses < DNS_BREAKER_TRIP_COUNT)
		b->misses++;
	return dns_breaker_check(b, now_ms);
}

enum dns_breaker_change
dns_breaker_check(struct dns_breaker *b, int64_t now_ms)
{
	if (b->open || b->misses < DNS_BREAKER_TRIP_COUNT ||
	    now_ms - b->last_answer_ms < DNS_BREAKER_TRIP_MS)
		return DNS_BREAKER_SAME;
	b->open = true;
	b->opened_ms = now_ms;
	/* The first probe is due at once; the first trial one interval on,
	 * so that the sessions that arrive as it opens do not wait. */
	b->last_probe_ms = now_ms - DNS_BREAKER_PROBE_MS;
	b->last_trial_ms = now_ms;
	return DNS_BREAKER_OPENED;
}

bool
dns_breaker_admit(struct dns_breaker *b, int64_t now_ms)
{
	if (!b->open)
		return true;
	if (now_ms - b->last_trial_ms < DNS_BREAKER_PROBE_MS)
		return false;
	b->last_trial_ms = now_ms;
	return true;
}

bool
dns_breaker_probe_due(struct dns_breaker *b, int64_t now_ms)
{
	if (!b->open || now_ms - b->last_probe_ms < DNS_BREAKER_PROBE_MS)
		return false;
	b->last_probe_ms = now_ms;
	return true;
}

int
dns_breaker_next_ms(const struct dns_breaker *b, int64_t now_ms)
{
	int64_t left;

	if (!b->open)
		return -1;
	left = b->last_probe_ms + DNS_BREAKER_PROBE_MS - now_ms;
	if (left < 0)
		return 0;
	return left > DNS_BREAKER_PROBE_MS ? DNS_BREAKER_PROBE_MS : (int)left;
}
