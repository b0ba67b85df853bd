/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * greylist_store.h - one greylisting check against the state store: the
 * calls greylist.h's decision needs, and what to do when the store
 * cannot answer.
 *
 * One store call per check on its hot path, a batch (state_batch())
 * bounded by state_timeout: get of the network's pass record, a touch
 * renewing it, and an add of the triplet's first attempt - with Redis
 * one round trip, atomic across the hosts of a fleet so that two MX
 * hosts seeing the same first attempt at once agree on its time; with
 * LMDB one read transaction and writes queued, not waited for (two
 * daemons on one host seeing a new triplet at the same moment may both
 * defer it once: harmless, it is a first attempt for both).  The touch
 * of a missing pass record does nothing, and the add on a network that
 * has passed is harmless: it records a first attempt that nobody reads
 * while the pass lasts, and it expires after greylist_window.  Rarely a
 * second call: when a retry passes, a set of the network's pass record;
 * when the first attempt is too old, a set of the triplet.  STATE_DOWN
 * from the batch fails open: the client is not greylisted (the store's
 * front end logs the change of state once).  Safe from any thread, as
 * the store is.
 */
#ifndef PTRMILTER_GREYLIST_STORE_H
#define PTRMILTER_GREYLIST_STORE_H

#include <stdint.h>

#include "addr.h"
#include "greylist.h"
#include "policy.h"
#include "state_store.h"

enum greylist_result {
	GREYLIST_DEFERRED,	/* defer this recipient */
	GREYLIST_PASSED,	/* a retry in time: the network is passed */
	GREYLIST_KNOWN,		/* the network had passed before */
	GREYLIST_FAILOPEN	/* the store could not say: not greylisted */
};

struct greylist_outcome {
	enum greylist_result result;
	enum greylist_decision decision;	/* not for FAILOPEN */
	unsigned retry_in_s;		/* DEFERRED: seconds to wait */
};

/* The check of one (client, sender, recipient) at now_s, wall-clock
 * seconds, with p's greylist_ keys; sender and rcpt as greylist.h takes
 * them. */
void greylist_check(struct state_store *st, const struct policy *p,
    const struct addr *client, const char *sender, const char *rcpt,
    int64_t now_s, struct greylist_outcome *out);

/* "deferred", "passed", "known", "failopen". */
const char *greylist_result_name(enum greylist_result r);

#endif
