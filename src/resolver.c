/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver.c - the libunbound adapter; see resolver.h for the contract.
 *
 * One ub_ctx in threaded async mode (threads, not libunbound's default
 * fork).  libunbound's own worker thread does the resolving; our resolver
 * thread polls ub_fd() and calls ub_process(), which delivers answers to
 * on_result().  ub_cancel() can lose the race with an answer that is
 * already being delivered, so each query carries its own lock and
 * reference count: the caller and the pending callback each hold one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "addr.h"
#include "log.h"
#include "metrics.h"
#include "resolver.h"

struct resolver {
	struct ub_ctx *ctx;
	pthread_t thread;
	int wake[2];		/* write end closes the thread down */
	atomic_bool dead;	/* the thread stopped on an error */
	bool validating;	/* a trust anchor was given */
	atomic_bool primed;	/* the start-up verdict is logged */
};

/* How long resolver_destroy() waits for the start-up verdict. */
#define PRIME_WAIT_MS 500

struct dns_query {
	pthread_mutex_t lock;
	int refs;		/* caller + pending callback */
	bool released;		/* the caller let go: do not call back */
	int async_id;
	struct resolver *resolver;
	resolver_callback *cb;
	void *arg;
};

/* Caches well above libunbound's 1 MiB defaults: every judged client's
 * PTR, forward and DNSSEC records stay warm for their TTL.
 *
 * No QNAME minimisation: with it, libunbound probes the labels below the
 * closest known zone cut before every new reverse name (for 198.18.0.5,
 * "0.18.198.in-addr.arpa" first), which measured 5.6 queries and five
 * round trips per new client instead of 3 and one (bench/run, cold).
 * Once the delegations are cached every query goes to the servers of the
 * zone that holds the name, which learn the whole name either way; only
 * the first lookup under a new parent zone tells that parent more.
 *
 * Set before the unbound_config file so that the operator's file has the
 * last word. */
static const char *const default_options[][2] = {
	{ "msg-cache-size:", "32m" },
	{ "rrset-cache-size:", "64m" },
	{ "key-cache-size:", "8m" },
	{ "neg-cache-size:", "4m" },
	{ "infra-cache-numhosts:", "10000" },
	{ "outgoing-range:", "4096" },
	{ "num-queries-per-thread:", "4096" },
	{ "qname-minimisation:", "no" },
};

static struct dns_query *query_start(struct resolver *r, const char *name,
    int rrtype, resolver_callback *cb, void *arg);
static void query_unref(struct dns_query *q);
static void on_result(void *arg, int err, struct ub_result *res);
static void on_prime(void *arg, int err, struct ub_result *res);
static void *resolver_thread(void *arg);
static int configure(struct ub_ctx *ctx, const struct resolver_config *cfg,
    char *err, size_t errsize);
static int add_forwarders(struct ub_ctx *ctx, const char *list,
    char *err, size_t errsize);

struct resolver *
resolver_create(const struct resolver_config *cfg, char *err, size_t errsize)
{
	struct resolver *r;
	int rc;

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	r->wake[0] = r->wake[1] = -1;
	r->ctx = ub_ctx_create();
	if (r->ctx == NULL) {
		snprintf(err, errsize, "cannot create the libunbound context");
		goto fail;
	}
	if (configure(r->ctx, cfg, err, errsize) == -1)
		goto fail;
	if (pipe2(r->wake, O_CLOEXEC) == -1) {
		snprintf(err, errsize, "pipe: %s", strerror(errno));
		goto fail;
	}
	/* The first async query finalises the context and starts libunbound's
	 * worker, so a bad option surfaces here rather than at the first
	 * client.  It also primes the root trust anchor. */
	r->validating = cfg->trust_anchor_file != NULL;
	rc = ub_resolve_async(r->ctx, ".", 2, 1, r, on_prime, NULL);
	if (rc != 0) {
		snprintf(err, errsize, "resolver start-up failed: %s",
		    ub_strerror(rc));
		goto fail;
	}
	rc = pthread_create(&r->thread, NULL, resolver_thread, r);
	if (rc != 0) {
		snprintf(err, errsize, "pthread_create: %s", strerror(rc));
		goto fail;
	}
	return r;

fail:
	if (r->ctx != NULL)
		ub_ctx_delete(r->ctx);
	if (r->wake[0] != -1)
		close(r->wake[0]);
	if (r->wake[1] != -1)
		close(r->wake[1]);
	free(r);
	return NULL;
}

static int
configure(struct ub_ctx *ctx, const struct resolver_config *cfg,
    char *err, size_t errsize)
{
	size_t i;
	int rc;

	rc = ub_ctx_async(ctx, 1);
	if (rc != 0) {
		snprintf(err, errsize, "libunbound without threads: %s",
		    ub_strerror(rc));
		return -1;
	}
	for (i = 0; i < sizeof(default_options) / sizeof(default_options[0]);
	    i++) {
		rc = ub_ctx_set_option(ctx, default_options[i][0],
		    default_options[i][1]);
		if (rc != 0) {
			snprintf(err, errsize, "libunbound option %s %s: %s",
			    default_options[i][0], default_options[i][1],
			    ub_strerror(rc));
			return -1;
		}
	}
	if (cfg->unbound_config != NULL) {
		if (access(cfg->unbound_config, R_OK) == -1) {
			snprintf(err, errsize, "unbound_config %s: %s",
			    cfg->unbound_config, strerror(errno));
			return -1;
		}
		rc = ub_ctx_config(ctx, cfg->unbound_config);
		if (rc != 0) {
			snprintf(err, errsize, "unbound_config %s: %s",
			    cfg->unbound_config, ub_strerror(rc));
			return -1;
		}
	}
	if (cfg->trust_anchor_file != NULL) {
		if (access(cfg->trust_anchor_file, R_OK) == -1) {
			snprintf(err, errsize, "trust_anchor_file %s: %s",
			    cfg->trust_anchor_file, strerror(errno));
			return -1;
		}
		rc = ub_ctx_add_ta_file(ctx, cfg->trust_anchor_file);
		if (rc != 0) {
			snprintf(err, errsize, "trust_anchor_file %s: %s",
			    cfg->trust_anchor_file, ub_strerror(rc));
			return -1;
		}
	}
	if (cfg->resolv_conf) {
		rc = ub_ctx_resolvconf(ctx, NULL);
		if (rc != 0) {
			snprintf(err, errsize, "resolv_conf /etc/resolv.conf: %s",
			    rc == UB_READFILE ? strerror(errno) :
			    ub_strerror(rc));
			return -1;
		}
	}
	if (cfg->forwarders != NULL &&
	    add_forwarders(ctx, cfg->forwarders, err, errsize) == -1)
		return -1;
	return 0;
}

static int
add_forwarders(struct ub_ctx *ctx, const char *list, char *err,
    size_t errsize)
{
	char buf[ADDR_TEXT_MAX];
	const char *p = list;
	size_t n;
	int rc;

	for (;;) {
		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n == 0)
			return 0;
		if (n >= sizeof(buf)) {
			snprintf(err, errsize, "forwarders: '%.*s' is not an "
			    "address", (int)(n > 64 ? 64 : n), p);
			return -1;
		}
		memcpy(buf, p, n);
		buf[n] = '\0';
		rc = ub_ctx_set_fwd(ctx, buf);
		if (rc != 0) {
			snprintf(err, errsize, "forwarders: %s: %s", buf,
			    ub_strerror(rc));
			return -1;
		}
		p += n;
	}
}

void
resolver_destroy(struct resolver *r)
{
	char c = 0;

	if (r == NULL)
		return;
	/* A short-lived process (ptrcheck) would otherwise often exit
	 * before the start-up verdict is logged. */
	for (int i = 0; i < PRIME_WAIT_MS / 10 && !atomic_load(&r->primed);
	    i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	/* Closing the write end wakes the thread too, should the write
	 * ever fail. */
	if (write(r->wake[1], &c, 1) != 1) {
		close(r->wake[1]);
		r->wake[1] = -1;
	}
	pthread_join(r->thread, NULL);
	ub_ctx_delete(r->ctx);
	close(r->wake[0]);
	if (r->wake[1] != -1)
		close(r->wake[1]);
	free(r);
}

static void *
resolver_thread(void *arg)
{
	struct resolver *r = arg;
	struct pollfd fds[2];

	fds[0].fd = ub_fd(r->ctx);
	fds[0].events = POLLIN;
	fds[1].fd = r->wake[0];
	fds[1].events = POLLIN;
	for (;;) {
		fds[0].revents = fds[1].revents = 0;
		if (poll(fds, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents != 0)
			return NULL;
		if (fds[0].revents != 0 && ub_process(r->ctx) != 0)
			break;
	}
	/* libunbound's pipe broke: no answer will come any more.  New
	 * lookups fail at once rather than each waiting for its deadline. */
	atomic_store(&r->dead, true);
	return NULL;
}

/* Every lookup is counted here, once, by how it ended: a start that
 * failed, or the answer its owner was still waiting for.  An answer the
 * owner let go of first is its owner's to count (timeout or cancelled). */
struct dns_query *
resolver_query(struct resolver *r, const char *name, int rrtype,
    resolver_callback *cb, void *arg)
{
	struct dns_query *q = query_start(r, name, rrtype, cb, arg);

	if (q == NULL)
		metrics_count_dns(DNS_TEMPFAIL, DNSSEC_INSECURE);
	return q;
}

static struct dns_query *
query_start(struct resolver *r, const char *name, int rrtype,
    resolver_callback *cb, void *arg)
{
	struct dns_query *q;

	if (atomic_load(&r->dead))
		return NULL;
	q = calloc(1, sizeof(*q));
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
	/* The answer may arrive before ub_resolve_async() returns.  That is
	 * safe unlocked: on_result() reads only what is set above, and
	 * libunbound stores async_id before it sends the query on. */
	if (ub_resolve_async(r->ctx, name, rrtype, 1, q, on_result,
	    &q->async_id) != 0) {
		pthread_mutex_destroy(&q->lock);
		free(q);
		return NULL;
	}
	return q;
}

void
resolver_release(struct dns_query *q)
{
	if (q == NULL)
		return;
	/* Taking the lock waits for a callback that is running now. */
	pthread_mutex_lock(&q->lock);
	q->released = true;
	pthread_mutex_unlock(&q->lock);
	/* Success means libunbound will never call on_result() for q, so
	 * its reference is ours to drop; UB_NOID means the callback has
	 * run or is about to, and drops its own. */
	if (ub_cancel(q->resolver->ctx, q->async_id) == 0)
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

/* Turns a libunbound result into our answer.  The bogus test comes first:
 * a bogus answer still has its data and havedata set. */
static void
fill_answer(struct dns_answer *a, int err, const struct ub_result *res)
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

static void
on_result(void *arg, int err, struct ub_result *res)
{
	struct dns_query *q = arg;
	struct dns_answer answer;
	struct dns_rdata *rr = NULL;
	size_t n = 0;

	fill_answer(&answer, err, res);
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
	pthread_mutex_lock(&q->lock);
	if (!q->released) {
		metrics_count_dns(answer.status, answer.dnssec);
		q->cb(q->arg, &answer);
	}
	pthread_mutex_unlock(&q->lock);
	free(rr);
	ub_resolve_free(res);
	query_unref(q);
}

/* The priming answer says whether the set-up works: logged once. */
static void
on_prime(void *arg, int err, struct ub_result *res)
{
	struct resolver *r = arg;
	struct dns_answer answer;
	char msg[512];
	int priority;

	fill_answer(&answer, err, res);
	priority = resolver_health(&answer, r->validating, msg, sizeof(msg));
	log_msg(priority, "%s", msg);
	ub_resolve_free(res);
	atomic_store(&r->primed, true);
}
