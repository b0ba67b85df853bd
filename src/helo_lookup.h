/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helo_lookup.h - the HELO name's A and AAAA lookups, run in parallel
 * with the client's FCrDNS while the SMTP dialogue goes on.
 *
 * Threading as in fcrdns.h and lookup_batch.h: one owner thread starts,
 * waits, finishes and frees; the resolver's thread records answers in
 * between.  The forward
 * result returned by helo_lookup_finish() lives until helo_lookup_free().
 */
#ifndef PTRMILTER_HELO_LOOKUP_H
#define PTRMILTER_HELO_LOOKUP_H

#include <stdbool.h>
#include <time.h>

#include "helo.h"
#include "resolver.h"

struct helo_lookup;

/* Starts both lookups of name (a host name, as helo_parse() yields it).
 * Returns NULL only when out of memory; a lookup the resolver cannot
 * start is recorded as DNS_TEMPFAIL. */
struct helo_lookup *helo_lookup_start(struct resolver *r, const char *name);

/* Waits for both answers until the absolute CLOCK_MONOTONIC deadline.
 * Returns 0 when both came, -1 at the deadline. */
int helo_lookup_wait(struct helo_lookup *l, struct timespec deadline);

/* Stops what is outstanding (recorded as DNS_TIMEOUT) and returns what
 * came back: every address of both answers, A before AAAA, however many
 * there are.  Bogus answers count as failures and their data is dropped.
 * May be called more than once. */
const struct helo_forward *helo_lookup_finish(struct helo_lookup *l);

/* Finishes if needed and frees; NULL is a no-op. */
void helo_lookup_free(struct helo_lookup *l);

/* A lookup already finished, with a copy of fwd: a result kept from an
 * earlier connection.  NULL when out of memory. */
struct helo_lookup *helo_lookup_start_done(const struct helo_forward *fwd);

/* Whether a finished lookup's result may be reused, and until when:
 * true, with *expires set to the earlier of (arrival + TTL) of the A and
 * AAAA answers (CLOCK_MONOTONIC), only when both answers came from the
 * DNS and neither failed, timed out, was cancelled or was bogus; false
 * too for a result that itself came from helo_lookup_start_done(). */
bool helo_lookup_expiry(const struct helo_lookup *l, struct timespec *expires);

#endif
