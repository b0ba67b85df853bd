/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * regdom.c - registered domains from the Public Suffix List; see regdom.h.
 *
 * Owns the one libpsl context of the process.  It is loaded once at
 * start-up and only read afterwards (libpsl lookups do not modify the
 * context), so regdom_same() needs no lock.  This file is the only door
 * to libpsl.
 */
#include "config.h"

#include <string.h>

#include <libpsl.h>

#include "regdom.h"

static bool fallback_same(const char *a, const char *b);
static const char *last_two_labels(const char *name);

/* The list in use: regdom_latest, or libpsl's built-in list, or NULL. */
static const psl_ctx_t *regdom_list;
/* What psl_latest() returned: ours to free.  The built-in list is not. */
static psl_ctx_t *regdom_latest;
static bool regdom_loaded;

/*
 * The registered domain guessed without a list: the last two labels, or
 * NULL for a name of one label.  Wrong for "example.co.uk" (it gives
 * "co.uk"), which is why the list is worth having.
 */
static const char *
last_two_labels(const char *name)
{
	const char *last, *p;

	last = strrchr(name, '.');
	if (last == NULL || last == name || last[1] == '\0')
		return NULL;
	for (p = last - 1; p > name; p--) {
		if (p[-1] == '.')
			return p;
	}
	return name;
}

/* regdom_same() when libpsl has no list at all. */
static bool
fallback_same(const char *a, const char *b)
{
	const char *ra = last_two_labels(a);
	const char *rb = last_two_labels(b);

	return ra != NULL && rb != NULL && strcmp(ra, rb) == 0;
}

int
regdom_init(void)
{
	if (regdom_loaded)
		return regdom_list != NULL ? 0 : -1;
	regdom_loaded = true;
	/* The distribution's file when it is newer than the built-in data. */
	regdom_latest = psl_latest(NULL);
	if (regdom_latest != NULL)
		regdom_list = regdom_latest;
	else
		regdom_list = psl_builtin();
	return regdom_list != NULL ? 0 : -1;
}

void
regdom_exit(void)
{
	/* psl_free() leaves the built-in list alone should psl_latest()
	 * have handed that back. */
	psl_free(regdom_latest);
	regdom_latest = NULL;
	regdom_list = NULL;
	regdom_loaded = false;
}

bool
regdom_same(const char *a, const char *b)
{
	const char *ra, *rb;

	if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
		return false;
	if (regdom_list == NULL)
		return fallback_same(a, b);
	ra = psl_registrable_domain(regdom_list, a);
	rb = psl_registrable_domain(regdom_list, b);
	return ra != NULL && rb != NULL && strcmp(ra, rb) == 0;
}

bool
regdom_is_public_suffix(const char *name)
{
	if (!regdom_loaded)
		(void)regdom_init();
	if (regdom_list == NULL)
		return strchr(name, '.') == NULL;
	/* The "*" rule on: an unlisted top-level domain is one too. */
	return psl_is_public_suffix2(regdom_list, name, PSL_TYPE_ANY) != 0;
}
