/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fcrdns.h - forward-confirmed reverse DNS over the resolver interface.
 *
 * fcrdns_start() asks for the client's PTR at once; when it comes back, the
 * forward lookups (A for an IPv4 client, AAAA for IPv6) of every PTR name,
 * up to max_names, start in parallel from the resolver's callback, so the
 * whole chain runs while the SMTP dialogue goes on and nobody has to wait
 * for it until the verdict is needed.
 *
 * Every answer is recorded - names, addresses, rcodes, DNSSEC states,
 * timings - so that a verdict can explain itself.
 *
 * Threading: one owner thread calls start, wait, finish and free; the
 * resolver's thread fills the result in between.  The result returned by
 * fcrdns_finish() belongs to the job and lives until fcrdns_free().
 */
#ifndef PTRMILTER_FCRDNS_H
#define PTRMILTER_FCRDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "fcrdns_result.h"
#include "resolver.h"

struct fcrdns;

/* Starts the lookups for client.  Returns NULL only when out of memory; a
 * resolver failure is recorded and ends as temperror. */
struct fcrdns *fcrdns_start(struct resolver *r, const struct addr *client,
    unsigned max_names);

/* Waits until every lookup has answered or the absolute CLOCK_MONOTONIC
 * deadline passes.  Returns 0 when complete, -1 at the deadline. */
int fcrdns_wait(struct fcrdns *job, struct timespec deadline);

/* True once every lookup has answered (no wait). */
bool fcrdns_done(struct fcrdns *job);

/* Stops what is still outstanding (recorded as TIMEOUT) and computes the
 * verdict.  May be called more than once; returns the same result. */
const struct fcrdns_result *fcrdns_finish(struct fcrdns *job);

/* Finishes if needed and frees the job and its result.  NULL is a no-op. */
void fcrdns_free(struct fcrdns *job);

/* A job that is already finished, with the content of *res moved into it
 * (res is left empty): for a result kept from an earlier connection.
 * Waiting returns at once and no lookup is made.  NULL when out of
 * memory, and then *res is left as it was. */
struct fcrdns *fcrdns_start_done(struct fcrdns_result *res);

#endif
