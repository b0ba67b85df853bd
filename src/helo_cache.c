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

/* A finished helo_forward with its addresses, in one block. */
struct helo_kept {
	struct helo_forward fwd;
	struct addr addrs[HELO_LOOKUP_MAX_ADDRS];
};

static void *copy_kept(const void *value);
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
	struct helo_kept *kept;
	struct helo_lookup *l = NULL;

	if (c == NULL)
		return helo_lookup_start(r, name);
	kept = make_key(key, sizeof(key), name) == 0 ?
	    ttl_cache_get(c, key, now) : NULL;
	if (kept != NULL) {
		kept->fwd.addrs = kept->addrs;
		l = helo_lookup_start_done(&kept->fwd);
		free(kept);
	}
	metrics_count_cache(METRICS_CACHE_HELO, l != NULL);
	return l != NULL ? l : helo_lookup_start(r, name);
}

void
helo_cache_keep(struct ttl_cache *c, const char *name, struct helo_lookup *l,
    struct timespec now)
{
	char key[DNAME_TEXT_MAX];
	const struct helo_forward *fwd;
	struct helo_kept *kept;
	struct timespec expires;

	if (c == NULL || l == NULL || make_key(key, sizeof(key), name) == -1)
		return;
	if (!helo_lookup_expiry(l, &expires))
		return;
	fwd = helo_lookup_finish(l);
	kept = calloc(1, sizeof(*kept));
	if (kept == NULL)
		return;
	kept->fwd = *fwd;
	if (kept->fwd.naddrs > HELO_LOOKUP_MAX_ADDRS)
		kept->fwd.naddrs = HELO_LOOKUP_MAX_ADDRS;
	memcpy(kept->addrs, fwd->addrs,
	    kept->fwd.naddrs * sizeof(kept->addrs[0]));
	(void)ttl_cache_put(c, key, kept, expires, now);
	free(kept);
}

static void *
copy_kept(const void *value)
{
	struct helo_kept *copy = malloc(sizeof(*copy));

	if (copy != NULL)
		memcpy(copy, value, sizeof(*copy));
	return copy;
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
