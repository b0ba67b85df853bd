/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_writer.h - one thread that runs the jobs handed to it, in order
 * and in groups, for callers that wait for their job only until a
 * deadline, or do not wait at all.
 *
 * What it is for: an LMDB write transaction waits for LMDB's writer lock,
 * which another process may hold for as long as it likes (stopped,
 * swapping, on a disk that stalls), and its commit waits for the disk.
 * Neither wait can be bounded from inside.  A session thread hands the
 * write over and waits for it with a timeout, or not at all; the writer
 * thread bears the wait instead.  It takes every job queued when it
 * looks (up to STATE_WRITER_GROUP) and runs them as one group, so that
 * the engine can commit them in one transaction: one flush to the disk
 * for a burst, not one per record.
 *
 * Threading contract (in the manner of unbound.h):
 * - state_writer_start() and state_writer_stop() are called by one
 *   thread, once each, with no call in progress or to come.
 * - state_writer_call() and state_writer_post() may be called from any
 *   number of threads at once.  The caller's job is copied in; the run
 *   function works on the copies in the writer thread, with no lock of
 *   this module held; after the run, a waiting caller's copy is copied
 *   back to its buffer.
 * - A called job has two owners, the caller and the writer thread: the
 *   one that lets go last frees it.  A caller that gives up at its
 *   deadline lets go at once; the writer then skips the job if it has not
 *   started it, or frees it after running it.  The caller's buffer is
 *   never touched after state_writer_call() returns.  A posted job
 *   belongs to the writer alone from the start.
 * - The queue is bounded: a call or post finding it full fails at once.
 * - Stop runs what is still queued, then joins the thread, waiting at
 *   most its timeout.  If the thread has not ended by then (stuck on a
 *   lock of another process, or on the disk), stop returns without it:
 *   the thread and the writer become their own, the thread frees the
 *   writer when its run ends, skipping what is left, and calls release
 *   (ctx) then, so that whatever the run uses lives as long as it does.
 */
#ifndef PTRMILTER_STATE_WRITER_H
#define PTRMILTER_STATE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The most jobs one run gets. */
#define STATE_WRITER_GROUP 256

struct state_writer;

/* Runs n (1..STATE_WRITER_GROUP) jobs in order, in the writer thread:
 * data[i] is job i's copy. */
typedef void state_writer_fn(void *ctx, void **data, size_t n);

/* Frees what ctx holds, once nothing runs any more. */
typedef void state_writer_release_fn(void *ctx);

/* A writer thread running run(ctx, jobs, n) for the jobs queued; at most
 * max_queue jobs wait.  NULL when out of memory or threads. */
struct state_writer *state_writer_start(state_writer_fn *run, void *ctx,
    size_t max_queue);

/* Runs what is queued, stops and joins the thread, waiting at most
 * timeout_ms; then calls release(ctx) (may be NULL) and returns true.
 * When the thread has not ended in time: false, and the thread frees the
 * writer and calls release(ctx) when it ends.  NULL is a no-op (true). */
bool state_writer_stop(struct state_writer *w, unsigned timeout_ms,
    state_writer_release_fn *release);

enum state_writer_result {
	STATE_WRITER_DONE,	/* data holds the job after its run */
	STATE_WRITER_LATE,	/* not run by deadline; data unchanged */
	STATE_WRITER_FULL,	/* queue full or out of memory; not queued */
};

/* Hands a copy of the size bytes at data to the writer and waits until it
 * has run or deadline (CLOCK_MONOTONIC) passes. */
enum state_writer_result state_writer_call(struct state_writer *w,
    void *data, size_t size, struct timespec deadline);

/* Hands a copy of the size bytes at data to the writer and returns at
 * once: STATE_WRITER_DONE when queued (it runs later; its result is the
 * run function's business), STATE_WRITER_FULL when not. */
enum state_writer_result state_writer_post(struct state_writer *w,
    const void *data, size_t size);

#endif
