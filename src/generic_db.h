/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic_db.h - what ptrmilter knows about providers, as data: default
 * host-name patterns of clouds, hosting and access providers, the domains
 * big legitimate senders send from, provider address ranges and where
 * each provider lets a customer set reverse DNS.
 *
 * The data lives in text files (the shipped one under
 * $(pkgdatadir)/generic-providers, the operator's generic_patterns file),
 * format in docs/generic-providers.md.  A loaded db is never changed: it
 * is shared by every thread and replaced as a whole on reload.
 */
#ifndef PTRMILTER_GENERIC_DB_H
#define PTRMILTER_GENERIC_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "policy.h"

/* The shipped data file. */
#define GENERIC_DB_DEFAULT_PATH PTRMILTER_DATADIR "/generic-providers"

struct generic_db;

/* Loads every file of paths (NULL entries are skipped) into one db.
 * Every error is reported as "FILE:LINE: message" through report, all of
 * them in one pass; then NULL is returned. */
struct generic_db *generic_db_load(const char *const *paths, size_t npaths,
    policy_reporter *report, void *arg);

void generic_db_free(struct generic_db *db);

/* The data a policy names: generic_data, then generic_patterns.  *ok is
 * false after errors (all reported); NULL with *ok true means built-in
 * rules only.  The built-in default generic_data path is skipped when no
 * file is there (a build run before "make install"), and *no_default is
 * set so that the caller can warn; a path the operator set must exist. */
struct generic_db *generic_db_for_policy(const struct policy *p,
    policy_reporter *report, void *arg, bool *ok, bool *no_default);

enum generic_db_match {
	GENERIC_DB_NONE,
	GENERIC_DB_GENERIC,	/* a provider's default-name pattern */
	GENERIC_DB_SENDER	/* under a known sender's domain */
};

/* Judges name (lower case, no trailing dot).  Sender domains win over
 * generic patterns.  *what is the provider id for GENERIC_DB_GENERIC and
 * the matching sender domain for GENERIC_DB_SENDER. */
enum generic_db_match generic_db_match(const struct generic_db *db,
    const char *name, const char **what);

/* Frees the calling thread's matching state now rather than at thread
 * exit (for a main thread that returns, so leak checkers stay quiet). */
void generic_db_thread_done(void);

/* The provider whose network holds a, or NULL. */
const char *generic_db_network(const struct generic_db *db,
    const struct addr *a);

/* A provider's display name and reverse-DNS hint, or NULL. */
const char *generic_db_provider_name(const struct generic_db *db,
    const char *id);
const char *generic_db_hint(const struct generic_db *db, const char *id);

/* The data's "version" line of the first file, or "". */
const char *generic_db_version(const struct generic_db *db);

/* Counts, for logs: generic patterns, sender domains, networks. */
void generic_db_counts(const struct generic_db *db, size_t *patterns,
    size_t *senders, size_t *networks);

#endif
