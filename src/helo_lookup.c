/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helo_lookup.c - A and AAAA of the HELO name; see helo_lookup.h.
 *
 * The two queries are one lookup batch (lookup_batch.h, which states the
 * threading contract): answers are recorded under the batch's lock, and
 * once finish has closed the batch no callback runs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "helo_lookup.h"
#include "lookup_batch.h"
#include "monotime.h"
#include "ttl_cache.h"

enum { LOOKUP_A, LOOKUP_AAAA, LOOKUP_COUNT };

/* One of the two lookups.  answered is set however it ended; arrived only
 * when the status is the DNS's own answer, the one case it may be reused
 * on. */
struct helo_slot {
	struct helo_lookup *owner;
	bool answered;
	bool arrived;
	struct timespec arrived_at;	/* CLOCK_MONOTONIC */
	enum dns_status status;
	struct addr *addrs;		/* every address of the answer */
	size_t naddrs;
	unsigned ttl;
	enum dnssec_state dnssec;
};

struct helo_lookup {
	struct lookup_batch *batch;	/* the A and AAAA queries */
	bool finished;
	bool cached;			/* from helo_lookup_start_done() */
	struct helo_slot slot[LOOKUP_COUNT];
	struct addr *addrs;		/* result.addrs: A, then AAAA */
	struct helo_forward result;
};

static void on_answer(void *arg, const struct dns_answer *a);
static int keep_addresses(struct helo_slot *s, const struct dns_answer *a,
    int family);
static void merge_addresses(struct helo_lookup *l);
static struct helo_lookup *new_lookup(size_t queries);

struct helo_lookup *
helo_lookup_start(struct resolver *r, const char *name)
{
	static const int rrtype[LOOKUP_COUNT] = { DNS_TYPE_A, DNS_TYPE_AAAA };
	struct helo_lookup *l = new_lookup(LOOKUP_COUNT);

	if (l == NULL)
		return NULL;
	lookup_batch_lock(l->batch);
	for (int i = 0; i < LOOKUP_COUNT; i++) {
		struct helo_slot *s = &l->slot[i];

		s->owner = l;
		s->status = DNS_TIMEOUT;
		if (lookup_batch_send(l->batch, r, name, rrtype[i], on_answer,
		    s) == -1) {
			s->answered = true;
			s->status = DNS_TEMPFAIL;
		}
	}
	lookup_batch_unlock(l->batch);
	return l;
}

static void
on_answer(void *arg, const struct dns_answer *a)
{
	struct helo_slot *s = arg;
	struct helo_lookup *l = s->owner;

	lookup_batch_lock(l->batch);
	s->answered = true;
	s->arrived = true;
	s->arrived_at = monotime_now();
	s->status = a->status;
	s->ttl = a->ttl;
	s->dnssec = a->dnssec;
	if (a->status == DNS_OK && a->dnssec != DNSSEC_BOGUS &&
	    keep_addresses(s, a, s == &l->slot[LOOKUP_A] ? AF_INET :
	    AF_INET6) == -1) {
		/* Part of the answer would be missing: a temporary
		 * failure of ours, judged and kept as one. */
		s->arrived = false;
		s->status = DNS_TEMPFAIL;
	}
	lookup_batch_answered(l->batch);
	lookup_batch_unlock(l->batch);
}

/* Each lookup keeps its own addresses, so that the result lists A before
 * AAAA whichever answer came first: a finding's reason must not depend on
 * timing.  Every address is kept, however many: the client may be any of
 * them, and the answer itself is bounded by the size of a DNS message
 * (65,535 bytes hold fewer than 4,100 A records).  -1 when out of memory. */
static int
keep_addresses(struct helo_slot *s, const struct dns_answer *a, int family)
{
	size_t want = family == AF_INET ? 4 : 16;

	if (a->count == 0)
		return 0;
	s->addrs = calloc(a->count, sizeof(*s->addrs));
	if (s->addrs == NULL)
		return -1;
	for (size_t i = 0; i < a->count; i++) {
		struct addr *x;

		if (a->rr[i].len != want)
			continue;
		x = &s->addrs[s->naddrs++];
		x->family = family;
		memcpy(x->bytes, a->rr[i].data, want);
	}
	return 0;
}

int
helo_lookup_wait(struct helo_lookup *l, struct timespec deadline)
{
	return lookup_batch_wait(l->batch, deadline);
}

const struct helo_forward *
helo_lookup_finish(struct helo_lookup *l)
{
	if (l->finished)
		return &l->result;
	lookup_batch_close(l->batch);
	/* No callback can run any more; unanswered slots stay DNS_TIMEOUT. */
	for (int i = 0; i < LOOKUP_COUNT; i++)
		if (!l->slot[i].answered)
			lookup_batch_count_unanswered(l->batch);
	merge_addresses(l);
	l->result.a = l->slot[LOOKUP_A].status;
	l->result.aaaa = l->slot[LOOKUP_AAAA].status;
	l->finished = true;
	return &l->result;
}

/* The result's addresses: A, then AAAA.  Out of memory leaves none and
 * both lookups failed temporarily, so that nothing is judged (or kept)
 * on half an answer. */
static void
merge_addresses(struct helo_lookup *l)
{
	size_t n = l->slot[LOOKUP_A].naddrs + l->slot[LOOKUP_AAAA].naddrs;

	if (n == 0)
		return;
	l->addrs = calloc(n, sizeof(*l->addrs));
	if (l->addrs == NULL) {
		for (int i = 0; i < LOOKUP_COUNT; i++) {
			l->slot[i].arrived = false;
			l->slot[i].status = DNS_TEMPFAIL;
		}
		return;
	}
	for (int i = 0; i < LOOKUP_COUNT; i++) {
		if (l->slot[i].naddrs == 0)
			continue;	/* addrs may be NULL */
		memcpy(l->addrs + l->result.naddrs, l->slot[i].addrs,
		    l->slot[i].naddrs * sizeof(*l->addrs));
		l->result.naddrs += l->slot[i].naddrs;
	}
	l->result.addrs = l->addrs;
}

void
helo_lookup_free(struct helo_lookup *l)
{
	if (l == NULL)
		return;
	(void)helo_lookup_finish(l);
	for (int i = 0; i < LOOKUP_COUNT; i++)
		free(l->slot[i].addrs);
	free(l->addrs);
	lookup_batch_free(l->batch);
	free(l);
}

struct helo_lookup *
helo_lookup_start_done(const struct helo_forward *fwd)
{
	struct helo_lookup *l = new_lookup(0);

	if (l == NULL)
		return NULL;
	/* Finished before anything can fail: freeing it then counts no
	 * lookup as cancelled, none having been sent. */
	l->cached = true;
	l->finished = true;
	if (fwd->naddrs > 0) {
		l->addrs = calloc(fwd->naddrs, sizeof(*l->addrs));
		if (l->addrs == NULL) {
			helo_lookup_free(l);
			return NULL;
		}
		memcpy(l->addrs, fwd->addrs, fwd->naddrs * sizeof(*l->addrs));
	}
	l->result.addrs = l->addrs;
	l->result.naddrs = fwd->naddrs;
	l->result.a = fwd->a;
	l->result.aaaa = fwd->aaaa;
	return l;
}

/* Reusable only if both answers came from the DNS and say what it holds:
 * a failure, a timeout, a cancel or a bogus answer is asked again next
 * time.  Expiry counts from each answer's arrival, not from now. */
bool
helo_lookup_expiry(const struct helo_lookup *l, struct timespec *expires)
{
	struct timespec until;

	if (!l->finished || l->cached)
		return false;
	until = l->slot[LOOKUP_A].arrived_at;
	until.tv_sec += (time_t)l->slot[LOOKUP_A].ttl;
	for (int i = 0; i < LOOKUP_COUNT; i++) {
		const struct helo_slot *s = &l->slot[i];

		if (!s->arrived ||
		    !ttl_cache_answer_reusable(s->status, s->dnssec))
			return false;
		until = ttl_cache_expiry(until, s->arrived_at, s->ttl);
	}
	*expires = until;
	return true;
}

/* A lookup with a batch of room for queries (none for a finished one). */
static struct helo_lookup *
new_lookup(size_t queries)
{
	struct helo_lookup *l;

	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->batch = lookup_batch_create(queries);
	if (l->batch == NULL) {
		free(l);
		return NULL;
	}
	return l;
}
