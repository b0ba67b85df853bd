/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic_db_impl.h - the loaded provider data, shared by the loader
 * (generic_db_load.c) and the matcher (generic_db.c).  Private to them.
 */
#ifndef PTRMILTER_GENERIC_DB_IMPL_H
#define PTRMILTER_GENERIC_DB_IMPL_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stddef.h>

#include "addr.h"

/* Longest index key: the last two labels of a name. */
#define KEY_MAX 128

struct provider {
	char *id;
	char *name;
	char *hint;
};

struct pattern {
	size_t provider;
	char *key;		/* literal domain the pattern ends in, or "" */
	size_t order;		/* place in the files, for a stable sort */
	pcre2_code *re;
};

struct sender {
	size_t provider;
	char *domain;
};

struct network {
	size_t provider;
	struct cidr net;
};

struct generic_db {
	struct provider *providers;
	size_t nproviders;
	struct pattern *patterns;	/* sorted by key */
	size_t npatterns;
	struct sender *senders;		/* sorted by domain */
	size_t nsenders;
	char (*sender_keys)[KEY_MAX];	/* the last two labels of every
					   sender domain, sorted, unique */
	size_t nsender_keys;
	struct network *networks;
	size_t nnetworks;
	char *version;
};

/* The index of provider id, or -1. */
long generic_db_find_provider(const struct generic_db *db, const char *id);

/* The last `labels` labels of name (all of it if it has fewer). */
void generic_db_last_labels(const char *name, size_t labels, char *key,
    size_t size);

/* Orders index keys (NUL-terminated strings), for qsort() and bsearch(). */
int generic_db_cmp_key(const void *a, const void *b);

/* Orders senders by domain, for qsort() and bsearch(). */
int generic_db_cmp_sender(const void *a, const void *b);

#endif
