/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lookup_batch.c - queries, one lock, one condition, one deadline; see
 * lookup_batch.h.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "lookup_batch.h"
#include "metrics.h"
#include "monotime.h"

struct lookup_batch {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct timespec started;
	struct timespec completed;	/* when the last answer came */
	bool complete;
	unsigned pending;		/* queries sent, not yet answered */
	bool closing;			/* owner stopped: send nothing new */
	bool timed_out;			/* a wait reached its deadline */
	size_t nqueries, capacity;
	struct dns_query *queries[];	/* released at close */
};

static int init_sync(struct lookup_batch *b);

struct lookup_batch *
lookup_batch_create(size_t capacity)
{
	struct lookup_batch *b;

	b = calloc(1, sizeof(*b) + capacity * sizeof(b->queries[0]));
	if (b == NULL)
		return NULL;
	if (init_sync(b) == -1) {
		free(b);
		return NULL;
	}
	b->capacity = capacity;
	b->started = monotime_now();
	return b;
}

/* The condition waits on CLOCK_MONOTONIC, as every deadline here is. */
static int
init_sync(struct lookup_batch *b)
{
	pthread_condattr_t attr;
	int rc = -1;

	if (pthread_mutex_init(&b->lock, NULL) != 0)
		return -1;
	if (pthread_condattr_init(&attr) != 0)
		goto end;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&b->changed, &attr) == 0)
		rc = 0;
	pthread_condattr_destroy(&attr);
end:
	if (rc == -1)
		pthread_mutex_destroy(&b->lock);
	return rc;
}

void
lookup_batch_free(struct lookup_batch *b)
{
	if (b == NULL)
		return;
	lookup_batch_close(b);
	pthread_cond_destroy(&b->changed);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

void
lookup_batch_lock(struct lookup_batch *b)
{
	pthread_mutex_lock(&b->lock);
}

void
lookup_batch_unlock(struct lookup_batch *b)
{
	pthread_mutex_unlock(&b->lock);
}

int
lookup_batch_send(struct lookup_batch *b, struct resolver *r,
    const char *name, int rrtype, resolver_callback *cb, void *arg)
{
	struct dns_query *q;

	if (b->closing || b->nqueries >= b->capacity)
		return -1;
	q = resolver_query(r, name, rrtype, cb, arg);
	if (q == NULL)
		return -1;
	b->queries[b->nqueries++] = q;
	b->pending++;
	return 0;
}

bool
lookup_batch_closing(const struct lookup_batch *b)
{
	return b->closing;
}

void
lookup_batch_answered(struct lookup_batch *b)
{
	if (b->pending > 0)
		b->pending--;
	if (b->pending == 0) {
		b->completed = monotime_now();
		b->complete = true;
		pthread_cond_broadcast(&b->changed);
	}
}

int
lookup_batch_wait(struct lookup_batch *b, struct timespec deadline)
{
	int rc = 0;

	pthread_mutex_lock(&b->lock);
	while (b->pending > 0 && rc == 0)
		rc = pthread_cond_timedwait(&b->changed, &b->lock, &deadline);
	rc = b->pending == 0 ? 0 : -1;
	if (rc == -1)
		b->timed_out = true;
	pthread_mutex_unlock(&b->lock);
	return rc;
}

bool
lookup_batch_done(struct lookup_batch *b)
{
	bool done;

	pthread_mutex_lock(&b->lock);
	done = b->pending == 0;
	pthread_mutex_unlock(&b->lock);
	return done;
}

void
lookup_batch_close(struct lookup_batch *b)
{
	size_t n;

	pthread_mutex_lock(&b->lock);
	b->closing = true;
	n = b->nqueries;
	pthread_mutex_unlock(&b->lock);

	/* Without the lock: see the contract in lookup_batch.h.  Nothing is
	 * sent once closing is set, so queries[0..n) is all there is. */
	for (size_t i = 0; i < n; i++) {
		resolver_release(b->queries[i]);
		b->queries[i] = NULL;
	}
}

void
lookup_batch_count_unanswered(const struct lookup_batch *b)
{
	if (b->timed_out)
		metrics_count_dns(DNS_TIMEOUT, DNSSEC_INSECURE);
	else
		metrics_count_dns_cancelled();
}

unsigned
lookup_batch_ms(const struct lookup_batch *b)
{
	struct timespec end = b->completed;
	int64_t ms;

	if (b->pending > 0 || !b->complete)
		end = monotime_now();
	ms = monotime_diff_ms(b->started, end);
	return ms < 0 ? 0 : (unsigned)ms;
}
