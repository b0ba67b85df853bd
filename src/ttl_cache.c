/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ttl_cache.c - hash table plus a least-recently-used list; see
 * ttl_cache.h.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monotime.h"
#include "ttl_cache.h"

struct entry {
	struct entry *next_in_bucket;
	struct entry *newer, *older;	/* the LRU list */
	struct timespec expires;	/* CLOCK_MONOTONIC */
	void *value;
	char key[];
};

struct ttl_cache {
	pthread_mutex_t lock;
	struct entry **buckets;
	size_t nbuckets;		/* a power of two */
	size_t count, capacity;
	unsigned max_ttl;
	struct entry *newest, *oldest;
	ttl_cache_copy *copy;
	ttl_cache_free_fn *free_fn;
};

static uint64_t hash(const char *key);
static struct entry **find(struct ttl_cache *c, const char *key);
static void unlink_lru(struct ttl_cache *c, struct entry *e);
static void push_newest(struct ttl_cache *c, struct entry *e);
static void drop(struct ttl_cache *c, struct entry **slot);

struct ttl_cache *
ttl_cache_create(size_t capacity, unsigned max_ttl, ttl_cache_copy *copy,
    ttl_cache_free_fn *free_fn)
{
	struct ttl_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->nbuckets = 16;
	while (c->nbuckets < capacity && c->nbuckets < ((size_t)1 << 30))
		c->nbuckets <<= 1;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (c->buckets == NULL || pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->buckets);
		free(c);
		return NULL;
	}
	c->capacity = capacity;
	c->max_ttl = max_ttl;
	c->copy = copy;
	c->free_fn = free_fn;
	return c;
}

void
ttl_cache_free(struct ttl_cache *c)
{
	if (c == NULL)
		return;
	while (c->oldest != NULL)
		drop(c, find(c, c->oldest->key));
	pthread_mutex_destroy(&c->lock);
	free(c->buckets);
	free(c);
}

void *
ttl_cache_get(struct ttl_cache *c, const char *key, struct timespec now)
{
	struct entry **slot;
	void *copy = NULL;

	pthread_mutex_lock(&c->lock);
	slot = find(c, key);
	if (*slot != NULL && monotime_diff_us(now, (*slot)->expires) <= 0) {
		drop(c, slot);
	} else if (*slot != NULL) {
		unlink_lru(c, *slot);
		push_newest(c, *slot);
		copy = c->copy((*slot)->value);
	}
	pthread_mutex_unlock(&c->lock);
	return copy;
}

int
ttl_cache_put(struct ttl_cache *c, const char *key, const void *value,
    struct timespec expires, struct timespec now)
{
	size_t klen = strlen(key) + 1;
	struct entry **slot, *e;

	if (monotime_diff_us(now, expires) <= 0 || c->capacity == 0)
		return 0;
	expires = ttl_cache_expiry(expires, now, c->max_ttl);
	e = malloc(sizeof(*e) + klen);
	if (e == NULL)
		return -1;
	e->value = c->copy(value);
	if (e->value == NULL) {
		free(e);
		return -1;
	}
	memcpy(e->key, key, klen);
	e->expires = expires;

	pthread_mutex_lock(&c->lock);
	slot = find(c, key);
	if (*slot != NULL)
		drop(c, slot);
	else if (c->count >= c->capacity)
		drop(c, find(c, c->oldest->key));
	slot = find(c, key);
	e->next_in_bucket = NULL;
	*slot = e;
	push_newest(c, e);
	c->count++;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

void *
ttl_cache_reuse(struct ttl_cache *c, const char *key, struct timespec now,
    void *(*reuse)(void *copy))
{
	void *copy;

	if (key == NULL || (copy = ttl_cache_get(c, key, now)) == NULL)
		return NULL;
	return reuse(copy);
}

size_t
ttl_cache_count(struct ttl_cache *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->count;
	pthread_mutex_unlock(&c->lock);
	return n;
}

struct timespec
ttl_cache_expiry(struct timespec until, struct timespec arrived,
    unsigned ttl)
{
	struct timespec t = arrived;

	t.tv_sec += (time_t)ttl;
	return monotime_diff_us(t, until) > 0 ? t : until;
}

bool
ttl_cache_answer_reusable(enum dns_status status, enum dnssec_state dnssec)
{
	if (dnssec == DNSSEC_BOGUS)
		return false;
	return status == DNS_OK || status == DNS_NXDOMAIN ||
	    status == DNS_NODATA;
}

/* FNV-1a: keys are short (an address, a host name). */
static uint64_t
hash(const char *key)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

/* The link that points at key's entry, or the empty link at the end of
 * its bucket. */
static struct entry **
find(struct ttl_cache *c, const char *key)
{
	struct entry **slot = &c->buckets[hash(key) & (c->nbuckets - 1)];

	while (*slot != NULL && strcmp((*slot)->key, key) != 0)
		slot = &(*slot)->next_in_bucket;
	return slot;
}

static void
unlink_lru(struct ttl_cache *c, struct entry *e)
{
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void
push_newest(struct ttl_cache *c, struct entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest != NULL)
		c->newest->newer = e;
	c->newest = e;
	if (c->oldest == NULL)
		c->oldest = e;
}

static void
drop(struct ttl_cache *c, struct entry **slot)
{
	struct entry *e = *slot;

	*slot = e->next_in_bucket;
	unlink_lru(c, e);
	c->free_fn(e->value);
	free(e);
	c->count--;
}
