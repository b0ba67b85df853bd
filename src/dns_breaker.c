/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_breaker.c - the DNS outage breaker's state machine; see
 * dns_breaker.h.
 *
 * Both conditions must hold to open: the count keeps one slow zone among
 * answered traffic from tripping it (any answer resets the count), the
 * silence keeps a burst of misses that all started in the same second
 * from tripping it before the DNS has been quiet for a while.
 *
 * Names are copied in whole or not at all: a cut name would be another
 * name, and the probe would ask something no session needs.
 */
#include "config.h"

#include <string.h>

#include "dns_breaker.h"

static void name_keep(struct dns_breaker_name *slot, const char *name,
    int rrtype);

void
dns_breaker_init(struct dns_breaker *b, int64_t now_ms)
{
	b->open = false;
	b->misses = 0;
	b->last_answer_ms = now_ms;
	b->opened_ms = 0;
	b->last_probe_ms = 0;
	b->missed.name[0] = '\0';
	b->missed.rrtype = 0;
	b->refused.name[0] = '\0';
	b->refused.rrtype = 0;
	b->refused_next = false;
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
	/* The first probe is due at once, and asks the name that failed;
	 * names refused in an earlier opening are old news. */
	b->last_probe_ms = now_ms - DNS_BREAKER_PROBE_MS;
	b->refused.name[0] = '\0';
	b->refused_next = false;
	return DNS_BREAKER_OPENED;
}

void
dns_breaker_missed(struct dns_breaker *b, const char *name, int rrtype)
{
	name_keep(&b->missed, name, rrtype);
}

bool
dns_breaker_admit(struct dns_breaker *b, const char *name, int rrtype)
{
	if (!b->open)
		return true;
	name_keep(&b->refused, name, rrtype);
	return false;
}

const struct dns_breaker_name *
dns_breaker_probe(struct dns_breaker *b, int64_t now_ms)
{
	const struct dns_breaker_name *pick;
	bool have_missed = b->missed.name[0] != '\0';
	bool have_refused = b->refused.name[0] != '\0';

	if (!b->open || now_ms - b->last_probe_ms < DNS_BREAKER_PROBE_MS)
		return NULL;
	b->last_probe_ms = now_ms;
	if (have_refused && (b->refused_next || !have_missed))
		pick = &b->refused;
	else if (have_missed)
		pick = &b->missed;
	else
		return NULL;
	b->refused_next = pick == &b->missed;
	return pick;
}

/* Copies name/rrtype into slot if it fits whole; else slot is kept. */
static void
name_keep(struct dns_breaker_name *slot, const char *name, int rrtype)
{
	size_t len = strnlen(name, sizeof(slot->name));

	if (len == 0 || len >= sizeof(slot->name))
		return;
	memcpy(slot->name, name, len + 1);
	slot->rrtype = rrtype;
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
