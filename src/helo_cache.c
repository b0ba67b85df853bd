/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helo_cache.c - HELO lookups by name; see helo_cache.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "dname.h"
#include "helo_cache.h"
#include "metrics.h"

/* A finished helo_forward with all its addresses, in one block sized to
 * fit them. */
struct helo_kept {
	struct helo_forward fwd;
	struct addr addrs[];
};

static struct helo_kept *new_kept(const struct helo_forward *fwd);
static void *copy_kept(const void *value);
static void *reuse_kept(void *copy);
static int make_key(char *key, size_t size, const char *name);

struct ttl_cache *
helo_cache_create(size_t capacity)
{
	return ttl_cache_create(capacity, HELO_CACHE_MAX_TTL, copy_kept,
	    free);
}

struct helo_lookup *
helo_cache_start(struct ttl_cache *c, struct resolver *r, const char *name,
    struct timespec now)
{
	char key[DNAME_TEXT_MAX];
	struct helo_lookup *l;

	if (c == NULL)
		return helo_lookup_start(r, name);
	l = ttl_cache_reuse(c, make_key(key, sizeof(key), name) == 0 ? key :
	    NULL, now, reuse_kept);
	metrics_count_cache(METRICS_CACHE_HELO, l != NULL);
	return l != NULL ? l : helo_lookup_start(r, name);
}

void
helo_cache_keep(struct ttl_cache *c, const char *name, struct helo_lookup *l,
    struct timespec now)
{
	char key[DNAME_TEXT_MAX];
	struct helo_kept *kept;
	struct timespec expires;

	if (c == NULL || l == NULL || make_key(key, sizeof(key), name) == -1)
		return;
	if (!helo_lookup_expiry(l, &expires) ||
	    helo_lookup_finish(l)->naddrs > HELO_CACHE_MAX_ADDRS)
		return;
	kept = new_kept(helo_lookup_finish(l));
	if (kept == NULL)
		return;
	(void)ttl_cache_put(c, key, kept, expires, now);
	free(kept);
}

static struct helo_kept *
new_kept(const struct helo_forward *fwd)
{
	struct helo_kept *kept;

	kept = malloc(sizeof(*kept) + fwd->naddrs * sizeof(kept->addrs[0]));
	if (kept == NULL)
		return NULL;
	kept->fwd = *fwd;
	if (fwd->naddrs > 0)
		memcpy(kept->addrs, fwd->addrs,
		    fwd->naddrs * sizeof(kept->addrs[0]));
	kept->fwd.addrs = kept->addrs;
	return kept;
}

static void *
copy_kept(const void *value)
{
	return new_kept(&((const struct helo_kept *)value)->fwd);
}

/* A finished lookup holding the kept answers; NULL when out of memory. */
static void *
reuse_kept(void *copy)
{
	struct helo_kept *kept = copy;
	struct helo_lookup *l = helo_lookup_start_done(&kept->fwd);

	free(kept);
	return l;
}

/* DNS names compare without case: one entry per name however spelt. */
static int
make_key(char *key, size_t size, const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= size)
		return -1;
	for (size_t i = 0; i <= n; i++)
		key[i] = (char)ascii_fold((unsigned char)name[i]);
	return 0;
}
