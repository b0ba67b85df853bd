/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_grace.c - tempfail_limit: since when each client IP has had DNS
 * errors; see dns_grace.h.
 *
 * One array of capacity entries, searched linearly under one mutex: the
 * table is small and is touched once per connection that met a DNS error,
 * next to a DNS timeout that costs seconds.  It never grows: when it is
 * full the entry seen longest ago is forgotten, which at worst restarts
 * that client's grace period, i.e. defers its mail a little longer.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "dns_grace.h"

struct grace_entry {
	struct addr ip;
	int64_t first_s;	/* first DNS error of the streak */
	int64_t last_s;		/* latest DNS error */
	bool used;
};

struct dns_grace {
	pthread_mutex_t lock;
	size_t capacity;
	struct grace_entry *entries;	/* capacity of them; NULL if 0 */
};

static struct grace_entry *grace_find(struct dns_grace *g,
    const struct addr *ip);
static struct grace_entry *grace_slot(struct dns_grace *g);
static uint64_t elapsed(int64_t now, int64_t then);

/* The entry of ip, or NULL.  Called with the lock held. */
static struct grace_entry *
grace_find(struct dns_grace *g, const struct addr *ip)
{
	size_t i;

	for (i = 0; i < g->capacity; i++)
		if (g->entries[i].used && addr_equal(&g->entries[i].ip, ip))
			return &g->entries[i];
	return NULL;
}

/* A free entry, else the one whose last error is oldest; NULL only for
 * a table of capacity 0.  Called with the lock held. */
static struct grace_entry *
grace_slot(struct dns_grace *g)
{
	struct grace_entry *oldest = NULL;
	size_t i;

	for (i = 0; i < g->capacity; i++) {
		if (!g->entries[i].used)
			return &g->entries[i];
		if (oldest == NULL || g->entries[i].last_s < oldest->last_s)
			oldest = &g->entries[i];
	}
	return oldest;
}

/* Seconds from then to now; 0 if the clock seems to have gone back.
 * Unsigned arithmetic: no overflow whatever the caller passes. */
static uint64_t
elapsed(int64_t now, int64_t then)
{
	return now > then ? (uint64_t)now - (uint64_t)then : 0;
}

struct dns_grace *
dns_grace_create(size_t capacity)
{
	struct dns_grace *g;

	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	if (capacity > 0) {
		g->entries = calloc(capacity, sizeof(*g->entries));
		if (g->entries == NULL)
			goto fail;
	}
	if (pthread_mutex_init(&g->lock, NULL) != 0)
		goto fail;
	g->capacity = capacity;
	return g;
fail:
	free(g->entries);
	free(g);
	return NULL;
}

void
dns_grace_destroy(struct dns_grace *g)
{
	if (g == NULL)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g->entries);
	free(g);
}

bool
dns_grace_expired(struct dns_grace *g, const struct addr *ip, int64_t now,
    unsigned limit_s)
{
	struct grace_entry *e;
	bool expired = false;
	unsigned quiet_s = limit_s > DNS_GRACE_QUIET_S ? limit_s :
	    DNS_GRACE_QUIET_S;

	/* Off: remember nothing, so that turning it on later starts clean. */
	if (g == NULL || ip == NULL || limit_s == 0)
		return false;
	pthread_mutex_lock(&g->lock);
	e = grace_find(g, ip);
	if (e == NULL) {
		e = grace_slot(g);
		if (e == NULL)
			goto end;
		e->ip = *ip;
		e->used = true;
		e->first_s = now;
		e->last_s = now;
	} else {
		/* Quiet for long: its DNS was mended meanwhile, or it gave
		 * up; a new streak starts. */
		if (elapsed(now, e->last_s) > quiet_s)
			e->first_s = now;
		/* A caller that read the clock before another but took the
		 * lock after it must not move last_s back. */
		if (now > e->last_s)
			e->last_s = now;
	}
	expired = elapsed(now, e->first_s) > limit_s;
end:
	pthread_mutex_unlock(&g->lock);
	return expired;
}

void
dns_grace_clear(struct dns_grace *g, const struct addr *ip)
{
	struct grace_entry *e;

	if (g == NULL || ip == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	e = grace_find(g, ip);
	if (e != NULL)
		e->used = false;
	pthread_mutex_unlock(&g->lock);
}
