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
 *   or given up by its owner); an answer resets the count.
 *   DNS_BREAKER_TRIP_COUNT misses in a row with no answer at all for
 *   DNS_BREAKER_TRIP_MS open the breaker.
 * - open: no lookup is sent for a session: each is refused at once, and
 *   the most recent refused name is remembered.  The resolver, not any
 *   session, sends one background probe per DNS_BREAKER_PROBE_MS, the
 *   first at once.  The first answer of any lookup, the probe's included,
 *   closes it; the probe's answer goes to no session.
 *
 * The probe's name comes from real traffic, so that it tests a path the
 * sessions need: it alternates between the last lookup that went
 * unanswered (the path that failed; the first probe asks it) and the most
 * recent lookup refused while open (what clients need now), and asks
 * whichever is known when only one is.  The last unanswered name alone
 * could sit in a zone that stays dead: one such zone in a quiet hour would
 * keep the breaker open for good, while new clients from zones that answer
 * were refused.  Alternating closes it within two probe intervals of the
 * first refused lookup whose zone answers; if the rest of the DNS is
 * still dead, the misses open it again.
 *
 * An answer is anything that shows a server replied with data or a
 * denial (NOERROR, NXDOMAIN, NODATA, even bogus); a SERVFAIL is neither
 * an answer nor a miss, since libunbound makes one up when its servers
 * stay silent, and it comes fast, so nobody waits for it.
 *
 * Pure: times are passed in (milliseconds on any monotonic clock), no
 * lock, no clock, no I/O; the caller (resolver_query.c) serialises the calls.
 */
#ifndef PTRMILTER_DNS_BREAKER_H
#define PTRMILTER_DNS_BREAKER_H

#include <stdbool.h>
#include <stdint.h>

#include "dname.h"

/* Misses in a row that may open the breaker. */
#define DNS_BREAKER_TRIP_COUNT 10
/* ... if no lookup at all has been answered for this long. */
#define DNS_BREAKER_TRIP_MS 1500
/* A lookup unanswered this long is a miss: a resolver that works answers
 * nearly everything sooner, and dns_timeout is at least this long.  One
 * given up sooner (a client that left at once) says nothing. */
#define DNS_BREAKER_MISS_MS 1000
/* While open: one background probe per this. */
#define DNS_BREAKER_PROBE_MS 1000
/* Room for a remembered name and its NUL.  A longer one (it cannot come
 * from fcrdns or the HELO checks, which stay within DNAME_TEXT_MAX) is not
 * remembered. */
#define DNS_BREAKER_NAME_MAX DNAME_TEXT_MAX

/* What an event did to the breaker, so that each change is logged once. */
enum dns_breaker_change {
	DNS_BREAKER_SAME,
	DNS_BREAKER_OPENED,
	DNS_BREAKER_CLOSED
};

/* A lookup remembered for the probe: a copy, "" when none. */
struct dns_breaker_name {
	char name[DNS_BREAKER_NAME_MAX];
	int rrtype;
};

struct dns_breaker {
	bool open;
	unsigned misses;		/* since the last answer */
	int64_t last_answer_ms;		/* or when the breaker was set up */
	int64_t opened_ms;
	int64_t last_probe_ms;		/* while open */
	struct dns_breaker_name missed;	/* the last lookup unanswered */
	struct dns_breaker_name refused; /* the last refused, this opening */
	bool refused_next;		/* the next probe prefers refused */
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

/* The lookup name/rrtype went unanswered: the probe may ask it again. */
void dns_breaker_missed(struct dns_breaker *b, const char *name, int rrtype);

/* May a session's lookup of name/rrtype be sent?  Closed: yes.  Open: no,
 * never; name/rrtype is remembered as the most recent refused lookup. */
bool dns_breaker_admit(struct dns_breaker *b, const char *name, int rrtype);

/* The background probe due at now_ms, or NULL.  Open, a probe interval
 * since the last one (the first is due when the breaker opens) and a name
 * known: the name to ask (alternating as said above; valid until the next
 * call on b), and the probe is recorded as sent.  A due probe with no name
 * known uses up its interval all the same. */
const struct dns_breaker_name *dns_breaker_probe(struct dns_breaker *b,
    int64_t now_ms);

/* Milliseconds from now_ms until the next probe is due (0 if it is), or
 * -1 while closed: how long the resolver's thread may sleep. */
int dns_breaker_next_ms(const struct dns_breaker *b, int64_t now_ms);

#endif
