/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic_db.c - matching names and addresses against the loaded provider
 * data; see generic_db.h.
 *
 * Matching must cost next to nothing for the many names no pattern is
 * about, so patterns are indexed by the literal domain they end in (the
 * last two labels of the fixed text before "$", or its one label): a name
 * is only run through the patterns of its own domain and top-level
 * domain, and through the few patterns with no literal end.  Sender
 * domains are sorted and found by binary search, once per label boundary
 * of the name.  A loaded db is read-only: any thread may match.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "generic_db.h"
#include "generic_db_impl.h"

/* One match data per thread, made on first use and freed when the thread
 * ends: allocating one per name costs more than most matches. */
static pthread_key_t match_key;
static pthread_once_t match_once = PTHREAD_ONCE_INIT;
static bool match_key_ok;

static void
match_data_free(void *md)
{
	pcre2_match_data_free(md);
}

static void
match_key_init(void)
{
	match_key_ok = pthread_key_create(&match_key, match_data_free) == 0;
}

static pcre2_match_data *
thread_match_data(void)
{
	pcre2_match_data *md;

	(void)pthread_once(&match_once, match_key_init);
	if (!match_key_ok)
		return NULL;
	md = pthread_getspecific(match_key);
	if (md == NULL && (md = pcre2_match_data_create(1, NULL)) != NULL &&
	    pthread_setspecific(match_key, md) != 0) {
		pcre2_match_data_free(md);
		md = NULL;
	}
	return md;
}

void
generic_db_thread_done(void)
{
	pcre2_match_data *md;

	if (!match_key_ok)
		return;
	md = pthread_getspecific(match_key);
	pcre2_match_data_free(md);
	(void)pthread_setspecific(match_key, NULL);
}

static bool
run_pattern(const struct pattern *p, const char *name, size_t len,
    pcre2_match_data **md)
{
	if (*md == NULL && (*md = thread_match_data()) == NULL)
		return false;
	return pcre2_match(p->re, (PCRE2_SPTR)name, len, 0, 0, *md, NULL) >= 0;
}

/* The first pattern with this key, by binary search; npatterns if none. */
static size_t
first_with_key(const struct generic_db *db, const char *key)
{
	size_t lo = 0, hi = db->npatterns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(db->patterns[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct sender *
find_sender(const struct generic_db *db, const char *domain)
{
	struct sender want = { .domain = (char *)domain };

	if (db->nsenders == 0)
		return NULL;
	return bsearch(&want, db->senders, db->nsenders, sizeof(*db->senders),
	    generic_db_cmp_sender);
}

enum generic_db_match
generic_db_match(const struct generic_db *db, const char *name,
    const char **what)
{
	char key[KEY_MAX];
	size_t len;

	*what = NULL;
	if (db == NULL || name == NULL)
		return GENERIC_DB_NONE;
	len = strlen(name);
	/* Sender domains: the name itself and every parent - when any
	 * sender shares the name's last two labels at all. */
	generic_db_last_labels(name, 2, key, sizeof(key));
	bool maybe_sender = db->nsender_keys > 0 &&
	    bsearch(key, db->sender_keys, db->nsender_keys,
	    sizeof(*db->sender_keys), generic_db_cmp_key) != NULL;
	for (const char *s = name; maybe_sender && s != NULL && *s != '\0';) {
		const struct sender *hit = find_sender(db, s);

		if (hit != NULL) {
			*what = hit->domain;
			return GENERIC_DB_SENDER;
		}
		s = strchr(s, '.');
		if (s != NULL)
			s++;
	}
	/* Patterns of the name's domain, of its top-level domain (patterns
	 * whose fixed text is one label: "\.internal$"), then those with no
	 * fixed end at all. */
	const char *tld = strchr(key, '.');
	tld = tld != NULL ? tld + 1 : key;
	const char *keys[3] = { key, tld, "" };
	pcre2_match_data *md = NULL;
	enum generic_db_match found = GENERIC_DB_NONE;
	for (int k = 0; k < 3 && found == GENERIC_DB_NONE; k++) {
		if (k == 1 && strcmp(tld, key) == 0)
			continue;
		for (size_t i = first_with_key(db, keys[k]);
		    i < db->npatterns &&
		    strcmp(db->patterns[i].key, keys[k]) == 0; i++) {
			if (run_pattern(&db->patterns[i], name, len, &md)) {
				*what = db->providers[db->patterns[i].provider].id;
				found = GENERIC_DB_GENERIC;
				break;
			}
		}
	}
	return found;
}

const char *
generic_db_network(const struct generic_db *db, const struct addr *a)
{
	if (db == NULL || a == NULL)
		return NULL;
	for (size_t i = 0; i < db->nnetworks; i++)
		if (cidr_contains(&db->networks[i].net, a))
			return db->providers[db->networks[i].provider].id;
	return NULL;
}

const char *
generic_db_provider_name(const struct generic_db *db, const char *id)
{
	long i;

	if (db == NULL || id == NULL || (i = generic_db_find_provider(db, id)) < 0)
		return NULL;
	return db->providers[i].name;
}

const char *
generic_db_hint(const struct generic_db *db, const char *id)
{
	long i;

	if (db == NULL || id == NULL || (i = generic_db_find_provider(db, id)) < 0)
		return NULL;
	return db->providers[i].hint;
}

const char *
generic_db_version(const struct generic_db *db)
{
	return db != NULL && db->version != NULL ? db->version : "";
}

void
generic_db_counts(const struct generic_db *db, size_t *patterns,
    size_t *senders, size_t *networks)
{
	*patterns = db != NULL ? db->npatterns : 0;
	*senders = db != NULL ? db->nsenders : 0;
	*networks = db != NULL ? db->nnetworks : 0;
}
