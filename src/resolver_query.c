/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver_query.c - queries and the DNS outage breaker; see resolver.h
 * for the contract and dns_breaker.h for the breaker's rules.
 *
 * ub_cancel() can lose the race with an answer that is already being
 * delivered, so each query carries its own lock and reference count: the
 * caller and the pending callback each hold one.  Every query libunbound
 * still owes a callback is on the resolver's live list, so that when the
 * context breaks, or the breaker opens, the thread can fail them itself:
 * the callback still runs exactly once, on the resolver's thread.
 *
 * The breaker learns from here: an answer is seen in
 * resolver_on_result(); a miss is a live query that has waited
 * DNS_BREAKER_MISS_MS, found by the thread's scan of the live list (so
 * that a wave of sessions waiting on a dead DNS opens the breaker before
 * their deadlines, and ends at once) or by resolver_release() when the
 * owner gave up on it first.  While it is open, resolver_query() sends
 * nothing (the breaker remembers the name refused) and the thread sends
 * one probe per interval, of a name the breaker picks from the misses
 * and the refusals; its answer goes to no session.
 */
#include "config.h"

#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unbound.h>

#include "log.h"
#include "metrics.h"
#include "resolver.h"
#include "resolver_impl.h"

static struct dns_query *query_start(struct resolver *r, const char *name,
    int rrtype, resolver_callback *cb, void *arg);
static void query_unref(struct dns_query *q);
static void deliver(struct dns_query *q, const struct dns_answer *a);
static void live_add(struct resolver *r, struct dns_query *q);
static void live_remove(struct resolver *r, struct dns_query *q);
static bool is_answer(const struct dns_answer *a);
static void breaker_apply(struct resolver *r, enum dns_breaker_change c);
static void breaker_changed(struct resolver *r, enum dns_breaker_change c);
static void on_probe(void *arg, int err, struct ub_result *res);
static enum dns_breaker_change count_miss(struct resolver *r,
    struct dns_query *q, int64_t now_ms, int64_t waited_ms);
static enum dns_breaker_change scan_overdue(struct resolver *r,
    struct timespec now);

/* How often the thread looks for overdue queries while some are live. */
#define OVERDUE_SCAN_MS 100

/* Every lookup is counted here, once, by how it ended: a start that
 * failed, or the answer its owner was still waiting for.  An answer the
 * owner let go of first is its owner's to count (timeout or cancelled).
 * A lookup the open breaker holds back is counted on its own. */
struct dns_query *
resolver_query(struct resolver *r, const char *name, int rrtype,
    resolver_callback *cb, void *arg)
{
	struct dns_query *q;
	bool admitted = true;

	if (r->use_breaker && atomic_load(&r->open)) {
		pthread_mutex_lock(&r->lock);
		admitted = dns_breaker_admit(&r->breaker, name, rrtype);
		pthread_mutex_unlock(&r->lock);
	}
	if (!admitted) {
		metrics_count_breaker_refused();
		return NULL;
	}
	q = query_start(r, name, rrtype, cb, arg);
	if (q == NULL)
		metrics_count_dns(DNS_TEMPFAIL, DNSSEC_INSECURE);
	return q;
}

bool
resolver_breaker_open(struct resolver *r)
{
	return r != NULL && atomic_load(&r->open);
}

static struct dns_query *
query_start(struct resolver *r, const char *name, int rrtype,
    resolver_callback *cb, void *arg)
{
	struct dns_query *q;
	size_t len = strlen(name);
	bool wake = false;
	int rc = -1;

	q = calloc(1, sizeof(*q) + len + 1);
	if (q == NULL)
		return NULL;
	if (pthread_mutex_init(&q->lock, NULL) != 0) {
		free(q);
		return NULL;
	}
	q->refs = 2;
	q->resolver = r;
	q->cb = cb;
	q->arg = arg;
	q->rrtype = rrtype;
	memcpy(q->name, name, len + 1);
	/* The answer may arrive before ub_resolve_async() returns: the
	 * resolver's lock holds it back until q is complete. */
	pthread_mutex_lock(&r->lock);
	q->sent = monotime_now();
	if (r->ctx != NULL) {
		q->ctx = r->ctx;
		live_add(r, q);
		rc = ub_resolve_async(r->ctx, name, rrtype, 1, q,
		    resolver_on_result, &q->async_id);
		if (rc != 0)
			live_remove(r, q);
	}
	/* The thread must look at q in time to count it as a miss. */
	if (rc == 0 && r->idle) {
		r->idle = false;
		wake = true;
	}
	pthread_mutex_unlock(&r->lock);
	if (wake)
		resolver_poke(r);
	if (rc != 0) {
		pthread_mutex_destroy(&q->lock);
		free(q);
		return NULL;
	}
	return q;
}

void
resolver_release(struct dns_query *q)
{
	struct resolver *r;
	enum dns_breaker_change change = DNS_BREAKER_SAME;
	bool cancelled = false;

	if (q == NULL)
		return;
	r = q->resolver;
	/* Taking the lock waits for a callback that is running now. */
	pthread_mutex_lock(&q->lock);
	q->released = true;
	pthread_mutex_unlock(&q->lock);
	/* Anything but UB_NOID means libunbound will never call back for
	 * q (UB_PIPE too: it forgot q before the pipe failed), so the
	 * callback's reference is ours to drop; UB_NOID means the answer is
	 * on its way and the callback drops its own.  A query no longer
	 * owed has been called back already. */
	pthread_mutex_lock(&r->lock);
	if (q->owed && ub_cancel(q->ctx, q->async_id) != UB_NOID) {
		live_remove(r, q);
		cancelled = true;
		change = count_miss(r, q, resolver_clock_ms(),
		    monotime_diff_ms(q->sent, monotime_now()));
		breaker_apply(r, change);
	}
	pthread_mutex_unlock(&r->lock);
	breaker_changed(r, change);
	if (cancelled)
		query_unref(q);
	query_unref(q);
}

static void
query_unref(struct dns_query *q)
{
	int refs;

	pthread_mutex_lock(&q->lock);
	refs = --q->refs;
	pthread_mutex_unlock(&q->lock);
	if (refs == 0) {
		pthread_mutex_destroy(&q->lock);
		free(q);
	}
}

static void
live_add(struct resolver *r, struct dns_query *q)
{
	q->owed = true;
	q->prev = NULL;
	q->next = r->live;
	if (r->live != NULL)
		r->live->prev = q;
	r->live = q;
}

static void
live_remove(struct resolver *r, struct dns_query *q)
{
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		r->live = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
	q->owed = false;
}

struct dns_query *
resolver_take_live(struct resolver *r, bool cancel)
{
	struct dns_query *taken = NULL, *q, *next;

	for (q = r->live; q != NULL; q = next) {
		next = q->next;
		if (cancel && ub_cancel(q->ctx, q->async_id) == UB_NOID)
			continue;
		live_remove(r, q);
		q->next = taken;
		taken = q;
	}
	return taken;
}

void
resolver_fail_all(struct dns_query *list, const char *why)
{
	struct dns_answer answer;
	struct dns_query *next;

	memset(&answer, 0, sizeof(answer));
	answer.status = DNS_TEMPFAIL;
	answer.rcode = -1;
	answer.error = why;
	for (; list != NULL; list = next) {
		next = list->next;
		list->next = NULL;
		deliver(list, &answer);
	}
}

/* Calls the owner back unless it let go, then drops the callback's
 * reference. */
static void
deliver(struct dns_query *q, const struct dns_answer *a)
{
	pthread_mutex_lock(&q->lock);
	if (!q->released) {
		metrics_count_dns(a->status, a->dnssec);
		q->cb(q->arg, a);
	}
	pthread_mutex_unlock(&q->lock);
	query_unref(q);
}

/* Turns a libunbound result into our answer.  The bogus test comes first:
 * a bogus answer still has its data and havedata set. */
void
resolver_fill_answer(struct dns_answer *a, int err,
    const struct ub_result *res)
{
	memset(a, 0, sizeof(*a));
	a->rcode = -1;
	if (err != 0 || res == NULL) {
		a->status = DNS_TEMPFAIL;
		a->error = err != 0 ? ub_strerror(err) : "no result";
		return;
	}
	a->rcode = res->rcode;
	a->canonname = res->canonname;
	if (res->bogus) {
		a->status = DNS_BOGUS;
		a->dnssec = DNSSEC_BOGUS;
		a->why_bogus = res->why_bogus != NULL ? res->why_bogus :
		    "validation failed";
		return;
	}
	a->dnssec = res->secure ? DNSSEC_SECURE : DNSSEC_INSECURE;
	if (res->rcode == DNS_RCODE_NXDOMAIN || res->nxdomain)
		a->status = DNS_NXDOMAIN;
	else if (res->rcode != DNS_RCODE_NOERROR)
		a->status = DNS_TEMPFAIL;
	else if (!res->havedata)
		a->status = DNS_NODATA;
	else
		a->status = DNS_OK;
	if (a->status != DNS_TEMPFAIL && res->ttl > 0)
		a->ttl = (unsigned)res->ttl;
}

void
resolver_on_result(void *arg, int err, struct ub_result *res)
{
	struct dns_query *q = arg;
	struct resolver *r = q->resolver;
	enum dns_breaker_change change = DNS_BREAKER_SAME;
	struct dns_answer answer;
	struct dns_rdata *rr = NULL;
	size_t n = 0;

	resolver_fill_answer(&answer, err, res);
	if (answer.status == DNS_OK) {
		while (res->data[n] != NULL)
			n++;
		rr = calloc(n, sizeof(*rr));
		if (rr == NULL) {
			answer.status = DNS_TEMPFAIL;
			answer.rcode = -1;
			answer.error = "out of memory";
		} else {
			for (size_t i = 0; i < n; i++) {
				rr[i].data = (const uint8_t *)res->data[i];
				rr[i].len = (size_t)res->len[i];
			}
			answer.count = n;
			answer.rr = rr;
		}
	}
	/* The breaker closes before the callback runs, so that lookups the
	 * callback starts (a PTR answer's forward lookups) are sent. */
	pthread_mutex_lock(&r->lock);
	if (q->owed)
		live_remove(r, q);
	if (r->use_breaker && is_answer(&answer))
		change = dns_breaker_answer(&r->breaker, resolver_clock_ms());
	breaker_apply(r, change);
	pthread_mutex_unlock(&r->lock);
	breaker_changed(r, change);
	deliver(q, &answer);
	free(rr);
	ub_resolve_free(res);
}

/* A server replied with data or a denial.  A SERVFAIL is no evidence
 * either way: libunbound makes one up when its servers stay silent. */
static bool
is_answer(const struct dns_answer *a)
{
	return a->status == DNS_OK || a->status == DNS_NXDOMAIN ||
	    a->status == DNS_NODATA || a->status == DNS_BOGUS;
}

/* q has waited waited_ms without an answer: a miss, if long enough and
 * not counted before.  Called with the lock held. */
static enum dns_breaker_change
count_miss(struct resolver *r, struct dns_query *q, int64_t now_ms,
    int64_t waited_ms)
{
	if (!r->use_breaker || q->missed || waited_ms < DNS_BREAKER_MISS_MS)
		return DNS_BREAKER_SAME;
	q->missed = true;
	dns_breaker_missed(&r->breaker, q->name, q->rrtype);
	return dns_breaker_miss(&r->breaker, now_ms, waited_ms);
}

/* Counts the live queries that have waited long enough as misses.  The
 * list runs from newest to oldest, so past the first query counted
 * before, every one was.  Called with the lock held. */
static enum dns_breaker_change
scan_overdue(struct resolver *r, struct timespec now)
{
	enum dns_breaker_change change = DNS_BREAKER_SAME, c;
	int64_t now_ms = resolver_clock_ms();

	for (struct dns_query *q = r->live; q != NULL; q = q->next) {
		int64_t waited = monotime_diff_ms(q->sent, now);

		if (waited < DNS_BREAKER_MISS_MS)
			continue;
		if (q->missed)
			break;
		c = count_miss(r, q, now_ms, waited);
		if (c != DNS_BREAKER_SAME)
			change = c;
	}
	if (change == DNS_BREAKER_SAME)
		change = dns_breaker_check(&r->breaker, now_ms);
	return change;
}

/* Makes what others read of the breaker follow a change, under the
 * resolver's lock, so that two changes decided one after the other can
 * never be published in the other order (a gauge left open, results
 * never cached again); an opening also asks the thread to fail the
 * queries still waiting.  Called with the lock held. */
static void
breaker_apply(struct resolver *r, enum dns_breaker_change c)
{
	if (c == DNS_BREAKER_SAME)
		return;
	atomic_store(&r->open, r->breaker.open);
	metrics_set_breaker(r->breaker.open);
	if (r->breaker.open)
		r->sweep = true;
}

/* Logs a change once; an opening wakes the thread for its sweep. */
static void
breaker_changed(struct resolver *r, enum dns_breaker_change c)
{
	switch (c) {
	case DNS_BREAKER_OPENED:
		log_warning("resolver: DNS outage breaker open: %d lookups in "
		    "a row went unanswered and no answer came for %d ms; new "
		    "sessions get iprev=temperror without waiting until the "
		    "DNS answers again (probed every %d ms)",
		    DNS_BREAKER_TRIP_COUNT, DNS_BREAKER_TRIP_MS,
		    DNS_BREAKER_PROBE_MS);
		resolver_poke(r);
		break;
	case DNS_BREAKER_CLOSED:
		log_warning("resolver: DNS outage breaker closed: the DNS "
		    "answers again; sessions wait for their lookups as usual");
		break;
	case DNS_BREAKER_SAME:
		break;
	}
}

int
resolver_breaker_tick(struct resolver *r)
{
	enum dns_breaker_change change = DNS_BREAKER_SAME;
	struct dns_query *swept = NULL;
	const struct dns_breaker_name *probe;
	int64_t now = resolver_clock_ms();
	int timeout, rc;

	if (!r->use_breaker)
		return -1;
	pthread_mutex_lock(&r->lock);
	if (!r->breaker.open) {
		change = scan_overdue(r, monotime_now());
		breaker_apply(r, change);
	}
	if (r->sweep && r->breaker.open && r->ctx != NULL)
		swept = resolver_take_live(r, true);
	r->sweep = false;
	/* A probe still out after a whole interval is given up, unless its
	 * answer is already on its way. */
	if (r->ctx != NULL &&
	    (probe = dns_breaker_probe(&r->breaker, now)) != NULL &&
	    (!r->probing || ub_cancel(r->ctx, r->probe_id) != UB_NOID)) {
		rc = ub_resolve_async(r->ctx, probe->name, probe->rrtype, 1,
		    r, on_probe, &r->probe_id);
		r->probing = rc == 0;
	}
	timeout = dns_breaker_next_ms(&r->breaker, now);
	if (timeout == -1 && r->live != NULL)
		timeout = OVERDUE_SCAN_MS;
	r->idle = timeout == -1;
	pthread_mutex_unlock(&r->lock);
	breaker_changed(r, change);
	resolver_fail_all(swept, "DNS outage: the breaker is open");
	return timeout;
}

/* The background probe's answer; on the resolver's thread. */
static void
on_probe(void *arg, int err, struct ub_result *res)
{
	struct resolver *r = arg;
	enum dns_breaker_change change = DNS_BREAKER_SAME;
	struct dns_answer answer;

	resolver_fill_answer(&answer, err, res);
	pthread_mutex_lock(&r->lock);
	r->probing = false;
	if (is_answer(&answer))
		change = dns_breaker_answer(&r->breaker, resolver_clock_ms());
	breaker_apply(r, change);
	pthread_mutex_unlock(&r->lock);
	breaker_changed(r, change);
	ub_resolve_free(res);
}
