/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fcrdns_cache.c - FCrDNS results by client address; see fcrdns_cache.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fcrdns_cache.h"
#include "metrics.h"

/* "address/max_names": a result followed at most max_names PTR names. */
#define KEY_MAX (ADDR_TEXT_MAX + 16)

static void *copy_result(const void *value);
static void *reuse_result(void *copy);
static void free_result(void *value);
static void make_key(char *key, const struct addr *client,
    unsigned max_names);

struct ttl_cache *
fcrdns_cache_create(size_t capacity)
{
	return ttl_cache_create(capacity, FCRDNS_CACHE_MAX_TTL, copy_result,
	    free_result);
}

struct fcrdns *
fcrdns_cache_start(struct ttl_cache *c, struct resolver *r,
    const struct addr *client, unsigned max_names, struct timespec now)
{
	char key[KEY_MAX];
	struct fcrdns *job;

	if (c == NULL)
		return fcrdns_start(r, client, max_names);
	make_key(key, client, max_names);
	job = ttl_cache_reuse(c, key, now, reuse_result);
	metrics_count_cache(METRICS_CACHE_FCRDNS, job != NULL);
	return job != NULL ? job : fcrdns_start(r, client, max_names);
}

void
fcrdns_cache_keep(struct ttl_cache *c, const struct fcrdns_result *res,
    unsigned max_names, struct timespec now)
{
	char key[KEY_MAX];

	if (c == NULL || res->cached || !res->reusable)
		return;
	make_key(key, &res->client, max_names);
	(void)ttl_cache_put(c, key, res, res->expires, now);
}

static void *
copy_result(const void *value)
{
	struct fcrdns_result *copy = malloc(sizeof(*copy));

	if (copy != NULL && fcrdns_result_copy(copy, value) == -1) {
		free(copy);
		copy = NULL;
	}
	return copy;
}

/* A finished job holding the kept result; NULL when out of memory. */
static void *
reuse_result(void *copy)
{
	struct fcrdns *job = fcrdns_start_done(copy);

	free_result(copy);
	return job;
}

static void
free_result(void *value)
{
	if (value == NULL)
		return;
	fcrdns_result_clear(value);
	free(value);
}

static void
make_key(char *key, const struct addr *client, unsigned max_names)
{
	char text[ADDR_TEXT_MAX];

	(void)addr_format(client, text, sizeof(text));
	snprintf(key, KEY_MAX, "%s/%u", text, max_names);
}
