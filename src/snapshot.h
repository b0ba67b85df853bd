/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * snapshot.h - the policy in force, as a refcounted snapshot.
 *
 * A connection takes a reference at connect and keeps that policy until
 * it closes, whatever a reload does meanwhile; the reload installs a new
 * snapshot and the old one is freed by whoever lets go of it last.  Only
 * snapshot_current() and snapshot_install() take the lock, so no policy
 * value is read from a global on the hot path.
 */
#ifndef PTRMILTER_SNAPSHOT_H
#define PTRMILTER_SNAPSHOT_H

#include "generic_db.h"
#include "policy.h"

struct snapshot {
	struct policy *policy;
	struct generic_db *generic;	/* provider data; may be NULL */
	/* private */
	unsigned long refs;
};

/* Makes p and g (owned from now on; g may be NULL) the policy in force.
 * The previous ones are freed when their last connection closes.  Returns
 * 0, or -1 when out of memory (p and g are freed and the old stay). */
int snapshot_install(struct policy *p, struct generic_db *g);

/* A reference to the policy in force, or NULL if none was installed. */
struct snapshot *snapshot_current(void);

void snapshot_release(struct snapshot *s);

/* Drops the installed snapshot (at exit). */
void snapshot_clear(void);

#endif
