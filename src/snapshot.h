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

#include "policy.h"

struct snapshot {
	struct policy *policy;
	/* private */
	unsigned long refs;
};

/* Makes p (owned from now on) the policy in force.  The previous one is
 * freed when its last connection closes.  Returns 0, or -1 when out of
 * memory (p is freed and the old policy stays). */
int snapshot_install(struct policy *p);

/* A reference to the policy in force, or NULL if none was installed. */
struct snapshot *snapshot_current(void);

void snapshot_release(struct snapshot *s);

/* Drops the installed snapshot (at exit). */
void snapshot_clear(void);

#endif
