/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_redis_target.c - where the Redis engine connects: the spec's
 * socket path, or its host as a numeric address.
 *
 * A host name is resolved once, when the store opens, and never on the
 * way of a connection.  The front end opens the store again after a
 * failed open from whichever session thread calls after the backoff, and
 * getaddrinfo() can wait for many seconds on a dead resolver; so the
 * lookup runs on a detached thread of its own and is waited for only
 * until the open's deadline.  The lookup then has two owners, the waiter
 * and that thread: whichever lets go last frees it, so a waiter that gave
 * up leaves nothing dangling, and the thread frees it when it ends.
 * (Not getaddrinfo_a(): glibc's request pool trips valgrind at exit.)
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "monotime.h"
#include "state_redis_impl.h"

struct name_lookup {
	pthread_mutex_t lock;	/* all below */
	pthread_cond_t finished;	/* on CLOCK_MONOTONIC */
	int refs;		/* the waiter's and the thread's */
	bool done;
	int rc;			/* getaddrinfo()'s */
	struct addrinfo *result;
	char name[STATE_SPEC_HOST_MAX];
};

static void lookup_release(struct name_lookup *l);
static void *lookup_run(void *arg);
static struct name_lookup *lookup_start(const char *host);
static int first_address(const struct addrinfo *ai, char *addr,
    size_t addrlen);
static int resolve_name(const char *host, struct timespec deadline,
    char *addr, size_t addrlen, char *why, size_t whylen);

static void
lookup_release(struct name_lookup *l)
{
	bool last;

	pthread_mutex_lock(&l->lock);
	last = --l->refs == 0;
	pthread_mutex_unlock(&l->lock);
	if (!last)
		return;
	if (l->result != NULL)
		freeaddrinfo(l->result);
	pthread_cond_destroy(&l->finished);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static void *
lookup_run(void *arg)
{
	struct name_lookup *l = arg;
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(l->name, NULL, &hints, &res);
	pthread_mutex_lock(&l->lock);
	l->rc = rc;
	l->result = res;
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
		redis_why(why, whylen, "resolve %s: %s", host,
		    gai_strerror(l->rc));
	else if (first_address(l->result, addr, addrlen) == -1)
		redis_why(why, whylen, "resolve %s: no address", host);
	else
		ret = 0;
	pthread_mutex_unlock(&l->lock);
	lookup_release(l);
	return ret;
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
	return resolve_name(spec->host, deadline, t->addr, sizeof(t->addr),
	    why, whylen);
}
