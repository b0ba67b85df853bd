/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * snapshot.c - refcounted policy snapshots; see snapshot.h.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "snapshot.h"

static pthread_mutex_t snapshot_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *installed;

static void unref_locked(struct snapshot *s);

int
snapshot_install(struct policy *p, struct generic_db *g)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		policy_free(p);
		generic_db_free(g);
		return -1;
	}
	s->policy = p;
	s->generic = g;
	s->refs = 1;
	pthread_mutex_lock(&snapshot_lock);
	if (installed != NULL)
		unref_locked(installed);
	installed = s;
	pthread_mutex_unlock(&snapshot_lock);
	return 0;
}

struct snapshot *
snapshot_current(void)
{
	struct snapshot *s;

	pthread_mutex_lock(&snapshot_lock);
	s = installed;
	if (s != NULL)
		s->refs++;
	pthread_mutex_unlock(&snapshot_lock);
	return s;
}

/* The count is guarded by the one lock: connections come and go a few
 * thousand times a second at most, and a lock keeps the rule simple. */
static void
unref_locked(struct snapshot *s)
{
	if (--s->refs > 0)
		return;
	policy_free(s->policy);
	generic_db_free(s->generic);
	free(s);
}

void
snapshot_release(struct snapshot *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&snapshot_lock);
	unref_locked(s);
	pthread_mutex_unlock(&snapshot_lock);
}

void
snapshot_clear(void)
{
	pthread_mutex_lock(&snapshot_lock);
	if (installed != NULL)
		unref_locked(installed);
	installed = NULL;
	pthread_mutex_unlock(&snapshot_lock);
}
