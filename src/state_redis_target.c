/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_redis_target.c - where the Redis engine connects: the spec's
 * socket path, or its host as a numeric address.
 *
 * A host name is resolved when the store opens, bounded by the open's
 * deadline, and again after each fault (a connection that failed or
 * could not be made), at most once per REDIS_RELOOKUP_MS: a Redis behind
 * a name whose address moves on a failover (a managed service, a virtual
 * IP) is then found at its new address without a restart.  That second
 * lookup never waits on a session's path: it starts in the background
 * when the fault is seen, and a new connection takes the latest address
 * known, the lookup's once it has finished - the front end's backoff (a
 * second at least) gives it that time.  A lookup that fails leaves the
 * address as it was.
 *
 * getaddrinfo() can wait for many seconds on a dead resolver, so every
 * lookup runs on a detached thread of its own.  A lookup has two owners,
 * the one who waits (the open, or the name's record) and that thread:
 * whichever lets go last frees it, so a waiter that gave up leaves
 * nothing dangling, and the thread frees it when it ends.
 * (Not getaddrinfo_a(): glibc's request pool trips valgrind at exit.)
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "monotime.h"
#include "state_redis_impl.h"

/* At most one lookup after a fault per this many milliseconds: the front
 * end's first backoff step. */
#define REDIS_RELOOKUP_MS STATE_BACKOFF_FIRST_MS

struct name_lookup {
	pthread_mutex_t lock;	/* all below */
	pthread_cond_t finished;	/* on CLOCK_MONOTONIC */
	int refs;		/* the waiter's and the thread's */
	bool done;
	int rc;			/* the resolver's: 0 or -1 */
	char addr[REDIS_ADDR_MAX];
	char why[STATE_WHY_MAX];
	char name[STATE_SPEC_HOST_MAX];
};

/* A host name and what was learnt of it since the open. */
struct redis_names {
	pthread_mutex_t lock;	/* all below */
	char addr[REDIS_ADDR_MAX];	/* the latest address */
	struct name_lookup *pending;	/* started after a fault */
	struct timespec started;
	bool ever_started;
	unsigned lookups;	/* finished with an address, for tests */
	char host[STATE_SPEC_HOST_MAX];
};

static int system_resolve(const char *host, char *addr, size_t addrlen,
    char *why, size_t whylen);
static _Atomic(redis_resolve_fn *) resolver = system_resolve;

static void lookup_release(struct name_lookup *l);
static void *lookup_run(void *arg);
static struct name_lookup *lookup_start(const char *host);
static int first_address(const struct addrinfo *ai, char *addr,
    size_t addrlen);
static int resolve_name(const char *host, struct timespec deadline,
    char *addr, size_t addrlen, char *why, size_t whylen);
static void names_collect(struct redis_names *n);
static void names_keep(struct redis_target *t, const char *host);

void
redis_target_use_resolver(redis_resolve_fn *fn)
{
	atomic_store(&resolver, fn != NULL ? fn : system_resolve);
}

/* getaddrinfo(): the first IPv4 or IPv6 address of host, as text. */
static int
system_resolve(const char *host, char *addr, size_t addrlen, char *why,
    size_t whylen)
{
	struct addrinfo hints, *res = NULL;
	int rc, ret = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0)
		redis_why(why, whylen, "resolve %s: %s", host,
		    gai_strerror(rc));
	else if (first_address(res, addr, addrlen) == -1)
		redis_why(why, whylen, "resolve %s: no address", host);
	else
		ret = 0;
	if (res != NULL)
		freeaddrinfo(res);
	return ret;
}

static void
lookup_release(struct name_lookup *l)
{
	bool last;

	pthread_mutex_lock(&l->lock);
	last = --l->refs == 0;
	pthread_mutex_unlock(&l->lock);
	if (!last)
		return;
	pthread_cond_destroy(&l->finished);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static void *
lookup_run(void *arg)
{
	struct name_lookup *l = arg;
	redis_resolve_fn *fn = atomic_load(&resolver);
	char addr[REDIS_ADDR_MAX] = "", why[STATE_WHY_MAX] = "";
	int rc;

	rc = fn(l->name, addr, sizeof(addr), why, sizeof(why));
	pthread_mutex_lock(&l->lock);
	l->rc = rc == 0 ? 0 : -1;
	memcpy(l->addr, addr, sizeof(l->addr));
	memcpy(l->why, why, sizeof(l->why));
	l->done = true;
	pthread_cond_signal(&l->finished);
	pthread_mutex_unlock(&l->lock);
	lookup_release(l);
	return NULL;
}

/* The lookup of host running on its thread; NULL when it cannot start. */
static struct name_lookup *
lookup_start(const char *host)
{
	struct name_lookup *l;
	pthread_condattr_t ca;
	pthread_attr_t ta;
	pthread_t thread;
	int rc;

	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->finished, &ca);
	pthread_condattr_destroy(&ca);
	snprintf(l->name, sizeof(l->name), "%s", host);
	l->refs = 2;
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&thread, &ta, lookup_run, l);
	pthread_attr_destroy(&ta);
	if (rc != 0) {
		l->refs = 1;
		lookup_release(l);
		return NULL;
	}
	return l;
}

static int
first_address(const struct addrinfo *ai, char *addr, size_t addrlen)
{
	for (; ai != NULL; ai = ai->ai_next) {
		const void *a = NULL;

		if (ai->ai_family == AF_INET)
			a = &((const struct sockaddr_in *)(const void *)
			    ai->ai_addr)->sin_addr;
		else if (ai->ai_family == AF_INET6)
			a = &((const struct sockaddr_in6 *)(const void *)
			    ai->ai_addr)->sin6_addr;
		if (a != NULL &&
		    inet_ntop(ai->ai_family, a, addr, (socklen_t)addrlen) != NULL)
			return 0;
	}
	return -1;
}

static int
resolve_name(const char *host, struct timespec deadline, char *addr,
    size_t addrlen, char *why, size_t whylen)
{
	struct name_lookup *l;
	int ret = -1;

	if (monotime_passed(deadline)) {
		redis_why(why, whylen, "resolve %s: timed out", host);
		return -1;
	}
	if ((l = lookup_start(host)) == NULL) {
		redis_why(why, whylen, "resolve %s: cannot start", host);
		return -1;
	}
	pthread_mutex_lock(&l->lock);
	while (!l->done && pthread_cond_timedwait(&l->finished, &l->lock,
	    &deadline) != ETIMEDOUT)
		continue;
	if (!l->done)
		redis_why(why, whylen, "resolve %s: timed out", host);
	else if (l->rc != 0)
		redis_why(why, whylen, "%s", l->why[0] != '\0' ? l->why :
		    "resolve: failed");
	else if (snprintf(addr, addrlen, "%s", l->addr) >= (int)addrlen ||
	    l->addr[0] == '\0')
		redis_why(why, whylen, "resolve %s: no address", host);
	else
		ret = 0;
	pthread_mutex_unlock(&l->lock);
	lookup_release(l);
	return ret;
}

/* The lookup started after a fault, if it has finished: its address
 * becomes the latest (a failure leaves the one there was).  n->lock
 * held. */
static void
names_collect(struct redis_names *n)
{
	struct name_lookup *l = n->pending;
	bool done;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	done = l->done;
	if (done && l->rc == 0 && l->addr[0] != '\0') {
		memcpy(n->addr, l->addr, sizeof(n->addr));
		n->lookups++;
	}
	pthread_mutex_unlock(&l->lock);
	if (!done)
		return;
	n->pending = NULL;
	lookup_release(l);
}

void
redis_target_stale(struct redis_target *t)
{
	struct redis_names *n = t->names;
	struct timespec now;

	if (n == NULL)
		return;
	now = monotime_now();
	pthread_mutex_lock(&n->lock);
	names_collect(n);
	if (n->pending == NULL && (!n->ever_started ||
	    monotime_diff_ms(n->started, now) >= REDIS_RELOOKUP_MS)) {
		n->pending = lookup_start(n->host);
		if (n->pending != NULL) {
			n->started = now;
			n->ever_started = true;
		}
	}
	pthread_mutex_unlock(&n->lock);
}

void
redis_target_current(struct redis_target *t, struct redis_target *out)
{
	struct redis_names *n = t->names;

	*out = *t;
	out->names = NULL;
	if (n == NULL)
		return;
	pthread_mutex_lock(&n->lock);
	names_collect(n);
	memcpy(out->addr, n->addr, sizeof(out->addr));
	pthread_mutex_unlock(&n->lock);
}

unsigned
redis_target_lookups(struct redis_target *t)
{
	struct redis_names *n = t->names;
	unsigned count;

	if (n == NULL)
		return 0;
	pthread_mutex_lock(&n->lock);
	names_collect(n);
	count = n->lookups;
	pthread_mutex_unlock(&n->lock);
	return count;
}

void
redis_target_clear(struct redis_target *t)
{
	struct redis_names *n = t->names;

	t->names = NULL;
	if (n == NULL)
		return;
	if (n->pending != NULL)
		lookup_release(n->pending);
	pthread_mutex_destroy(&n->lock);
	free(n);
}

/* The record of a name resolved at open, for the lookups after a fault;
 * without memory there is none, and the address stays as it was. */
static void
names_keep(struct redis_target *t, const char *host)
{
	struct redis_names *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return;
	pthread_mutex_init(&n->lock, NULL);
	memcpy(n->addr, t->addr, sizeof(n->addr));
	snprintf(n->host, sizeof(n->host), "%s", host);
	t->names = n;
}

int
redis_target_set(struct redis_target *t, const struct state_spec *spec,
    struct timespec deadline, char *why, size_t whylen)
{
	unsigned char probe[sizeof(struct in6_addr)];
	bool v6 = inet_pton(AF_INET6, spec->host, probe) == 1;

	memset(t, 0, sizeof(*t));
	t->db = spec->db;
	if (spec->kind == STATE_KIND_REDIS_UNIX) {
		t->unix_socket = true;
		snprintf(t->path, sizeof(t->path), "%s", spec->path);
		snprintf(t->where, sizeof(t->where), "%s", spec->path);
		return 0;
	}
	if (spec->kind != STATE_KIND_REDIS) {
		redis_why(why, whylen, "not a Redis spec");
		return -1;
	}
	t->port = spec->port;
	snprintf(t->where, sizeof(t->where), v6 ? "[%s]:%u" : "%s:%u",
	    spec->host, spec->port);
	if (v6 || inet_pton(AF_INET, spec->host, probe) == 1) {
		/* A numeric address is at most INET6_ADDRSTRLEN - 1 long. */
		memcpy(t->addr, spec->host, strnlen(spec->host,
		    sizeof(t->addr) - 1));
		return 0;
	}
	if (resolve_name(spec->host, deadline, t->addr, sizeof(t->addr),
	    why, whylen) == -1)
		return -1;
	names_keep(t, spec->host);
	return 0;
}
