/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * regdom.c - registered domains from the Public Suffix List; see regdom.h.
 *
 * Owns the one libpsl context of the process.  It is loaded once at
 * start-up and only read afterwards (libpsl lookups do not modify the
 * context), so regdom_same() needs no lock.  This file is the only door
 * to libpsl.
 *
 * regdom_provider_domain() runs for every name the generic detector
 * judges, and a list lookup costs about as much as the rest of the
 * detector: each thread keeps its own small cache (6 KiB) of the answer
 * for the last two labels, which is all most names need.  It pays off in
 * threads that judge many names (ptrcheck, the benchmarks); a milter
 * session thread judges a name or two and mostly asks the list.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include <libpsl.h>

#include "regdom.h"

/* Slots of a thread's cache of two-label suffixes; a power of two. */
#define SUFFIX_CACHE_SLOTS 128
/* Longest two-label suffix cached; longer ones are looked up each time. */
#define SUFFIX_CACHE_KEY 42

/* One cached answer: is key an ICANN public suffix? */
struct suffix_slot {
	unsigned generation;	/* regdom_generation when filled; 0 empty */
	unsigned char len;
	bool is_public;
	char key[SUFFIX_CACHE_KEY];
};

static bool fallback_same(const char *a, const char *b);
static const char *last_two_labels(const char *name);
static bool is_icann_suffix(const char *suffix);
static bool is_icann_suffix_cached(const char *suffix);

/* The list in use: regdom_latest, or libpsl's built-in list, or NULL. */
static const psl_ctx_t *regdom_list;
/* What psl_latest() returned: ours to free.  The built-in list is not. */
static psl_ctx_t *regdom_latest;
static bool regdom_loaded;
/* Changes with each load, so no thread trusts a cache of an older list.
 * Written only at start-up and exit, when no other thread judges. */
static unsigned regdom_generation;
static _Thread_local struct suffix_slot suffix_cache[SUFFIX_CACHE_SLOTS];

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
	if (++regdom_generation == 0)
		regdom_generation = 1;
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

/* True if suffix is a public suffix of the ICANN part of the list. */
static bool
is_icann_suffix(const char *suffix)
{
	return psl_is_public_suffix2(regdom_list, suffix, PSL_TYPE_ICANN) != 0;
}

/* is_icann_suffix(), answered from this thread's cache when it can be. */
static bool
is_icann_suffix_cached(const char *suffix)
{
	struct suffix_slot *slot;
	size_t len = strnlen(suffix, SUFFIX_CACHE_KEY), i;
	unsigned hash = 2166136261u;

	if (len == SUFFIX_CACHE_KEY)
		return is_icann_suffix(suffix);
	for (i = 0; i < len; i++)
		hash = (hash ^ (unsigned char)suffix[i]) * 16777619u;
	slot = &suffix_cache[hash & (SUFFIX_CACHE_SLOTS - 1)];
	if (slot->generation == regdom_generation && slot->len == len &&
	    memcmp(slot->key, suffix, len) == 0)
		return slot->is_public;
	slot->is_public = is_icann_suffix(suffix);
	memcpy(slot->key, suffix, len);
	slot->len = (unsigned char)len;
	slot->generation = regdom_generation;
	return slot->is_public;
}

const char *
regdom_provider_domain(const char *name)
{
	const char *suffix;
	unsigned labels;

	if (name == NULL || *name == '\0')
		return NULL;
	if (regdom_list == NULL)
		return last_two_labels(name);
	/* Suffixes from the right, one label longer each time: the first
	 * one the list does not hold is the provider's domain.  A last
	 * label is always a suffix (the list's "*" rule), so the first
	 * question is about two labels, and for most names the last. */
	suffix = strrchr(name, '.');
	if (suffix == NULL)
		return NULL;
	for (labels = 2;; labels++) {
		while (suffix > name && suffix[-1] != '.')
			suffix--;
		if (!(labels == 2 ? is_icann_suffix_cached(suffix) :
		    is_icann_suffix(suffix)))
			return suffix;
		if (suffix == name)
			return NULL;
		suffix--;	/* onto the dot: the next label left */
	}
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
