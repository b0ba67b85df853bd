/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_breaker.h - the DNS outage breaker: when lookups have gone
 * unanswered for a while, stop sending new ones, so that sessions get
 * iprev=temperror at once instead of each waiting the whole dns_timeout
 * while the MTA's processes pile up.
 *
 * States and events:
 * - closed (normal): every lookup is sent.  A miss is a lookup that has
 *   waited at least DNS_BREAKER_MISS_MS without an answer (still waiting,
 *   or given up by its owner); an answer resets the count.  DNS_BREAKER_TRIP_COUNT misses in
 *   a row with no answer at all for DNS_BREAKER_TRIP_MS open the breaker.
 * - open: lookups are refused, except one trial lookup per
 *   DNS_BREAKER_PROBE_MS from real traffic, the first one interval after
 *   it opened (so that one dead zone in a quiet hour cannot keep it open:
 *   the next client from a zone that answers closes it); the resolver
 *   also sends one background probe per DNS_BREAKER_PROBE_MS, the first
 *   at once.  The first answer of any lookup closes it.
 *
 * An answer is anything that shows a server replied with data or a
 * denial (NOERROR, NXDOMAIN, NODATA, even bogus); a SERVFAIL is neither
 * an answer nor a miss, since libunbound makes one up when its servers
 * stay silent, and it comes fast, so nobody waits for it.
 *
 * Pure: times are passed in (milliseconds on any monotonic clock), no
 * lock, no clock, no I/O; the caller (resolver.c) serialises the calls.
 */
#ifndef PTRMILTER_DNS_BREAKER_H
#define PTRMILTER_DNS_BREAKER_H

#include <stdbool.h>
#include <stdint.h>

/* Misses in a row that may open the breaker. */
#define DNS_BREAKER_TRIP_COUNT 10
/* ... if no lookup at all has been answered for this long. */
#define DNS_BREAKER_TRIP_MS 1500
/* A lookup unanswered this long is a miss: a resolver that works answers
 * nearly everything sooner, and dns_timeout is at least this long.  One
 * given up sooner (a client that left at once) says nothing. */
#define DNS_BREAKER_MISS_MS 1000
/* While open: one background probe, and one trial lookup, per this. */
#define DNS_BREAKER_PROBE_MS 1000

/* What an event did to the breaker, so that each change is logged once. */
enum dns_breaker_change {
	DNS_BREAKER_SAME,
	DNS_BREAKER_OPENED,
	DNS_BREAKER_CLOSED
};

struct dns_breaker {
	bool open;
	unsigned misses;		/* since the last answer */
	int64_t last_answer_ms;		/* or when the breaker was set up */
	int64_t opened_ms;
	int64_t last_probe_ms;		/* while open */
	int64_t last_trial_ms;		/* while open */
};

/* A closed breaker that counts the silence from now_ms. */
void dns_breaker_init(struct dns_breaker *b, int64_t now_ms);

/* A lookup was answered at now_ms: the misses are forgiven; an open
 * breaker closes. */
enum dns_breaker_change dns_breaker_answer(struct dns_breaker *b,
    int64_t now_ms);

/* A lookup was given up at now_ms after waiting waited_ms unanswered.
 * May open the breaker. */
enum dns_breaker_change dns_breaker_miss(struct dns_breaker *b,
    int64_t now_ms, int64_t waited_ms);

/* Time has passed: the misses counted so far may open the breaker now
 * that the silence has lasted long enough (the misses of one wave of
 * lookups all come at once). */
enum dns_breaker_change dns_breaker_check(struct dns_breaker *b,
    int64_t now_ms);

/* May a lookup be sent at now_ms?  Closed: yes.  Open: only as the trial
 * of the current probe interval, which this call then uses up. */
bool dns_breaker_admit(struct dns_breaker *b, int64_t now_ms);

/* Is a background probe due at now_ms?  Open and a probe interval since
 * the last one (the first is due when the breaker opens): true, and the
 * probe is recorded as sent. */
bool dns_breaker_probe_due(struct dns_breaker *b, int64_t now_ms);

/* Milliseconds from now_ms until the next probe is due (0 if it is), or
 * -1 while closed: how long the resolver's thread may sleep. */
int dns_breaker_next_ms(const struct dns_breaker *b, int64_t now_ms);

#endif
