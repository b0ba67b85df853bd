/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver_impl.h - the resolver's insides, shared by resolver.c (the
 * context, its thread, restarts) and resolver_query.c (queries and the
 * outage breaker).  Private to those two files.
 *
 * Locks: a query's own lock is taken before the resolver's lock, never
 * the other way round; libunbound's locks are taken inside ours
 * (ub_resolve_async, ub_cancel), and libunbound calls back holding none
 * of its own.
 */
#ifndef PTRMILTER_RESOLVER_IMPL_H
#define PTRMILTER_RESOLVER_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <unbound.h>

#include "monotime.h"
#include "dns_breaker.h"
#include "resolver.h"

/* Copies of the settings, so that a broken context can be rebuilt. */
struct resolver_settings {
	char *unbound_config;
	char *trust_anchor_file;
	char *forwarders;
	bool resolv_conf;
};

struct resolver {
	pthread_mutex_t lock;		/* guards the fields up to thread */
	struct ub_ctx *ctx;		/* NULL while a rebuild failed; only
					   the resolver's thread changes it */
	struct dns_query *live;		/* libunbound owes these a callback */
	bool use_breaker;
	struct dns_breaker breaker;
	bool sweep;			/* the breaker opened: fail the live
					   queries */
	bool probing;			/* a probe is outstanding */
	int probe_id;
	bool idle;			/* the thread sleeps with no timeout:
					   a new live query must wake it */

	pthread_t thread;
	int wake[2];			/* 'p' pokes the thread; anything
					   else, or EOF, stops it */
	atomic_bool open;		/* the breaker, for lock-free reads */
	bool validating;		/* a trust anchor was given */
	atomic_bool primed;		/* the start-up verdict is logged */
	struct resolver_settings settings;
#ifdef RESOLVER_TEST_HOOKS
	int test_kept_fd;		/* the pipe resolver_test_break() took
					   away, kept open until the end */
#endif
};

struct dns_query {
	pthread_mutex_t lock;
	int refs;		/* caller + pending callback */
	bool released;		/* the caller let go: do not call back */
	/* Under the resolver's lock: */
	bool owed;		/* on the live list */
	bool missed;		/* counted as a miss by the breaker */
	struct dns_query *prev, *next;
	struct ub_ctx *ctx;	/* the context it was sent on */
	int async_id;
	/* Set once at start: */
	struct resolver *resolver;
	resolver_callback *cb;
	void *arg;
	struct timespec sent;	/* set under the resolver's lock, so the
				   live list runs from newest to oldest */
	int rrtype;
	char name[];		/* the query name */
};

/* The breaker's clock: milliseconds on CLOCK_MONOTONIC. */
static inline int64_t
resolver_clock_ms(void)
{
	return monotime_diff_ms((struct timespec){ 0, 0 }, monotime_now());
}

/* resolver_query.c: libunbound's answer to q. */
void resolver_on_result(void *arg, int err, struct ub_result *res);

/* resolver_query.c: turns a libunbound result into our answer. */
void resolver_fill_answer(struct dns_answer *a, int err,
    const struct ub_result *res);

/* resolver_query.c: calls back every query of list (taken off the live
 * list, no callback owed by libunbound any more) with a resolver failure
 * saying why, and drops the callback's references.  On the resolver's
 * thread. */
void resolver_fail_all(struct dns_query *list, const char *why);

/* resolver_query.c: takes every live query off the live list; with
 * cancel, only those libunbound agrees to forget (ub_cancel), leaving
 * those whose answer is already on its way.  Returns them as a list.
 * Called with the lock held. */
struct dns_query *resolver_take_live(struct resolver *r, bool cancel);

/* resolver_query.c: the breaker's work on the resolver's thread - count
 * the live queries that have waited too long as misses, fail the live
 * queries when it has just opened, send a probe when one is due.
 * Returns the poll timeout until it needs to run again, or -1. */
int resolver_breaker_tick(struct resolver *r);

/* resolver.c: wakes the resolver's thread to look at the breaker. */
void resolver_poke(struct resolver *r);

#endif
