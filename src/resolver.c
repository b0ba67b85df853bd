/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver.c - the libunbound adapter; see resolver.h for the contract.
 *
 * One ub_ctx in threaded async mode (threads, not libunbound's default
 * fork).  libunbound's own worker thread does the resolving; our resolver
 * thread polls ub_fd() and calls ub_process(), which delivers answers to
 * resolver_on_result() (resolver_query.c, with the queries themselves and
 * the outage breaker).
 *
 * This file owns the context: it is built from a copy of the settings, so
 * that when libunbound's pipe breaks (ub_process() fails: no answer will
 * ever come through it again) the thread says so once, builds a new one,
 * and fails the queries the old one still owed with a resolver failure.
 * Until then, and while a rebuild fails, lookups fail at once.
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
#include "resolver_impl.h"

/* How long resolver_destroy() waits for the start-up verdict. */
#define PRIME_WAIT_MS 500
/* How often a failed rebuild is tried again. */
#define REBUILD_RETRY_MS 1000

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

static void on_prime(void *arg, int err, struct ub_result *res);
static void *resolver_thread(void *arg);
static struct ub_ctx *context_new(const struct resolver_settings *cfg,
    struct resolver *r, char *err, size_t errsize);
static void rebuild(struct resolver *r, int why);
static int settings_copy(struct resolver_settings *dst,
    const struct resolver_config *src);
static void settings_free(struct resolver_settings *s);
static int configure(struct ub_ctx *ctx, const struct resolver_settings *cfg,
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
#ifdef RESOLVER_TEST_HOOKS
	r->test_kept_fd = -1;
#endif
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		snprintf(err, errsize, "cannot create a mutex");
		free(r);
		return NULL;
	}
	if (settings_copy(&r->settings, cfg) == -1) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	r->validating = cfg->trust_anchor_file != NULL;
	r->use_breaker = cfg->breaker;
	dns_breaker_init(&r->breaker, resolver_clock_ms());
	/* The write end never blocks a session's thread: a full pipe has a
	 * poke in it already (resolver_poke()). */
	if (pipe2(r->wake, O_CLOEXEC) == -1) {
		snprintf(err, errsize, "pipe: %s", strerror(errno));
		goto fail;
	}
	if (fcntl(r->wake[1], F_SETFL, O_NONBLOCK) == -1) {
		snprintf(err, errsize, "pipe: %s", strerror(errno));
		goto fail;
	}
	r->ctx = context_new(&r->settings, r, err, errsize);
	if (r->ctx == NULL)
		goto fail;
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
	settings_free(&r->settings);
	pthread_mutex_destroy(&r->lock);
	free(r);
	return NULL;
}

/* A configured context whose worker runs.  The first async query
 * finalises the context and starts libunbound's worker, so a bad option
 * surfaces here rather than at the first client; it also primes the root
 * trust anchor, and its answer is logged as the resolver's health. */
static struct ub_ctx *
context_new(const struct resolver_settings *cfg, struct resolver *r,
    char *err, size_t errsize)
{
	struct ub_ctx *ctx;
	int rc;

	ctx = ub_ctx_create();
	if (ctx == NULL) {
		snprintf(err, errsize, "cannot create the libunbound context");
		return NULL;
	}
	if (configure(ctx, cfg, err, errsize) == -1)
		goto fail;
	rc = ub_resolve_async(ctx, ".", 2, 1, r, on_prime, NULL);
	if (rc != 0) {
		snprintf(err, errsize, "resolver start-up failed: %s",
		    ub_strerror(rc));
		goto fail;
	}
	return ctx;
fail:
	ub_ctx_delete(ctx);
	return NULL;
}

static int
settings_copy(struct resolver_settings *dst, const struct resolver_config *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->resolv_conf = src->resolv_conf;
	if ((src->unbound_config != NULL &&
	    (dst->unbound_config = strdup(src->unbound_config)) == NULL) ||
	    (src->trust_anchor_file != NULL &&
	    (dst->trust_anchor_file = strdup(src->trust_anchor_file)) ==
	    NULL) ||
	    (src->forwarders != NULL &&
	    (dst->forwarders = strdup(src->forwarders)) == NULL))
		return -1;
	return 0;
}

static void
settings_free(struct resolver_settings *s)
{
	free(s->unbound_config);
	free(s->trust_anchor_file);
	free(s->forwarders);
	memset(s, 0, sizeof(*s));
}

static int
configure(struct ub_ctx *ctx, const struct resolver_settings *cfg,
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
	char c = 'q';

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
	if (r->ctx != NULL)
		ub_ctx_delete(r->ctx);
	close(r->wake[0]);
	if (r->wake[1] != -1)
		close(r->wake[1]);
	settings_free(&r->settings);
	pthread_mutex_destroy(&r->lock);
#ifdef RESOLVER_TEST_HOOKS
	if (r->test_kept_fd != -1)
		close(r->test_kept_fd);
#endif
	free(r);
}

void
resolver_poke(struct resolver *r)
{
	char c = 'p';

	/* A full pipe has a poke in it already. */
	(void)!write(r->wake[1], &c, 1);
}

/* Reads what woke the thread: true to go on (a poke), false to stop. */
static bool
woken(struct resolver *r)
{
	char buf[64];
	ssize_t n = read(r->wake[0], buf, sizeof(buf));

	if (n == -1)
		return errno == EINTR || errno == EAGAIN;
	return n > 0 && memchr(buf, 'q', (size_t)n) == NULL;
}

static void *
resolver_thread(void *arg)
{
	struct resolver *r = arg;
	struct pollfd fds[2];
	int timeout, rc;

	fds[1].fd = r->wake[0];
	fds[1].events = POLLIN;
	for (;;) {
		/* Only this thread changes r->ctx: no lock to read it. */
		timeout = resolver_breaker_tick(r);
		if (r->ctx == NULL)
			timeout = REBUILD_RETRY_MS;
		fds[0].fd = r->ctx != NULL ? ub_fd(r->ctx) : -1;
		fds[0].events = POLLIN;
		fds[0].revents = fds[1].revents = 0;
		if (poll(fds, 2, timeout) == -1) {
			if (errno == EINTR)
				continue;
			/* Cannot wait: without a pause this would spin. */
			nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 },
			    NULL);
			continue;
		}
		if (fds[1].revents != 0 && !woken(r))
			return NULL;
		if (r->ctx == NULL) {
			rebuild(r, 0);
			continue;
		}
		if (fds[0].revents != 0 && (rc = ub_process(r->ctx)) != 0)
			rebuild(r, rc);
	}
}

/* libunbound's pipe broke (why: ub_process()'s error), or a rebuild
 * failed before (why 0): no answer will come through the old context
 * again.  A new one takes its place; the queries it owed are failed. */
static void
rebuild(struct resolver *r, int why)
{
	struct ub_ctx *old, *fresh;
	struct dns_query *owed;
	char err[512];

	if (why != 0)
		log_err("resolver: libunbound stopped answering (%s); every "
		    "verdict would be iprev=temperror: building a new "
		    "resolver context with the same settings", ub_strerror(why));
	fresh = context_new(&r->settings, r, err, sizeof(err));
	pthread_mutex_lock(&r->lock);
	old = r->ctx;
	r->ctx = fresh;
	owed = resolver_take_live(r, false);
	r->probing = false;
	pthread_mutex_unlock(&r->lock);
	/* No other thread can reach old any more: its queries are off the
	 * live list, so nobody cancels on it. */
	if (old != NULL)
		ub_ctx_delete(old);
	resolver_fail_all(owed, "the resolver restarted");
	if (fresh == NULL) {
		if (why != 0)
			log_err("resolver: cannot build a new context (%s); "
			    "lookups fail until it can, trying every %d ms",
			    err, REBUILD_RETRY_MS);
		return;
	}
	metrics_count_resolver_restart();
	log_warning("resolver: a new libunbound context is in place");
}

#ifdef RESOLVER_TEST_HOOKS
int
resolver_test_break(struct resolver *r)
{
	int fd, rc = -1;

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	/* The pipe itself stays open, so that libunbound's worker can still
	 * write into it as it stops: a write to a pipe without a reader
	 * makes libunbound 1.21 log from its freed worker. */
	pthread_mutex_lock(&r->lock);
	if (r->ctx != NULL && r->test_kept_fd == -1 &&
	    (r->test_kept_fd = dup(ub_fd(r->ctx))) != -1 &&
	    dup2(fd, ub_fd(r->ctx)) != -1)
		rc = 0;
	pthread_mutex_unlock(&r->lock);
	close(fd);
	/* A poll() already waiting holds the old pipe: wake it. */
	resolver_poke(r);
	return rc;
}
#endif

/* The priming answer says whether the set-up works: logged once per
 * context. */
static void
on_prime(void *arg, int err, struct ub_result *res)
{
	struct resolver *r = arg;
	struct dns_answer answer;
	char msg[512];
	int priority;

	resolver_fill_answer(&answer, err, res);
	priority = resolver_health(&answer, r->validating, msg, sizeof(msg));
	log_msg(priority, "%s", msg);
	ub_resolve_free(res);
	atomic_store(&r->primed, true);
}
