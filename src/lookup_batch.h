/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lookup_batch.h - a set of DNS queries that one owner waits for under
 * one deadline: the FCrDNS chain of a client (fcrdns.c) and the A and
 * AAAA of its HELO name (helo_lookup.c) are each one batch.
 *
 * Threading contract:
 * - One owner thread creates the batch, waits for it, closes it and
 *   frees it.  Queries are sent by the owner or from inside a callback
 *   of the same batch (a PTR answer starting the forward lookups).
 * - Callbacks run on the resolver's thread.  Each takes the batch's lock
 *   (lookup_batch_lock()), records its answer in the caller's own data,
 *   calls lookup_batch_answered() and lets go of the lock.
 * - lookup_batch_close() marks the batch closing, so that no query is
 *   sent any more, then releases every query WITHOUT the batch's lock: a
 *   running callback holds its query's lock and wants the batch's, so the
 *   other order would deadlock.  Once it returns no callback runs or
 *   ever will, and whatever the callbacks wrote is the owner's alone.
 * - The batch's lock guards the count of outstanding queries and, by
 *   convention, everything the callbacks write.
 */
#ifndef PTRMILTER_LOOKUP_BATCH_H
#define PTRMILTER_LOOKUP_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "resolver.h"

struct lookup_batch;

/* A batch of at most capacity queries (0: one that sends none and is
 * done at once).  NULL when out of memory. */
struct lookup_batch *lookup_batch_create(size_t capacity);

/* Closes the batch if needed and frees it; NULL is a no-op. */
void lookup_batch_free(struct lookup_batch *b);

void lookup_batch_lock(struct lookup_batch *b);
void lookup_batch_unlock(struct lookup_batch *b);

/* With the lock held: sends a query whose callback belongs to the batch.
 * Returns 0, or -1 (the callback never runs) when the resolver could not
 * start it, the batch is closing or it is full. */
int lookup_batch_send(struct lookup_batch *b, struct resolver *r,
    const char *name, int rrtype, resolver_callback *cb, void *arg);

/* With the lock held: whether the owner has closed the batch. */
bool lookup_batch_closing(const struct lookup_batch *b);

/* With the lock held, from a callback: its query has answered.  Wakes
 * the owner when it was the last one outstanding. */
void lookup_batch_answered(struct lookup_batch *b);

/* Waits until every query sent has answered or the absolute
 * CLOCK_MONOTONIC deadline passes.  Returns 0 when done, -1 at the
 * deadline (the batch then remembers that it timed out). */
int lookup_batch_wait(struct lookup_batch *b, struct timespec deadline);

/* True once every query sent has answered (no wait). */
bool lookup_batch_done(struct lookup_batch *b);

/* Stops what is outstanding; see the contract above.  May be called more
 * than once. */
void lookup_batch_close(struct lookup_batch *b);

/* After close, for each query that never answered: counted as a timeout
 * if a wait ran out, else as cancelled (the owner let go without waiting:
 * a new HELO, a client gone). */
void lookup_batch_count_unanswered(const struct lookup_batch *b);

/* After close: milliseconds from the batch's creation to its last
 * answer, or to now when some query never answered. */
unsigned lookup_batch_ms(const struct lookup_batch *b);

#endif
