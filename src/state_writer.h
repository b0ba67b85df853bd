/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_writer.h - one thread that runs the jobs handed to it, in order,
 * and callers that wait for their job only until a deadline.
 *
 * What it is for: an LMDB write transaction waits for LMDB's writer lock,
 * which another process may hold for as long as it likes (stopped,
 * swapping, on a disk that stalls), and its commit waits for the disk.
 * Neither wait can be bounded from inside.  A session thread hands the
 * write over and waits for it with a timeout; the writer thread bears the
 * wait instead.
 *
 * Threading contract (in the manner of unbound.h):
 * - state_writer_start() and state_writer_stop() are called by one
 *   thread, once each; stop joins the writer thread and frees every job
 *   still queued, so no call may be in progress.
 * - state_writer_call() may be called from any number of threads at once.
 *   The caller's job is copied in; the run function works on the copy in
 *   the writer thread, with no lock of this module held; when it has run,
 *   the copy is copied back to the caller's buffer.
 * - A job has two owners, the caller and the writer thread: the one that
 *   lets go last frees it.  A caller that gives up at its deadline lets
 *   go at once; the writer then skips the job if it has not started it,
 *   or frees it after running it.  The caller's buffer is never touched
 *   after state_writer_call() returns.
 * - The queue is bounded: a call finding it full fails at once.
 */
#ifndef PTRMILTER_STATE_WRITER_H
#define PTRMILTER_STATE_WRITER_H

#include <stddef.h>
#include <time.h>

struct state_writer;

/* Runs one job, in the writer thread: data is the job's copy. */
typedef void state_writer_fn(void *ctx, void *data);

/* A writer thread running run(ctx, job) for each job; at most max_queue
 * jobs wait.  NULL when out of memory or threads. */
struct state_writer *state_writer_start(state_writer_fn *run, void *ctx,
    size_t max_queue);

/* Stops and joins the thread; the jobs still queued are not run.  NULL
 * is a no-op. */
void state_writer_stop(struct state_writer *w);

enum state_writer_result {
	STATE_WRITER_DONE,	/* data holds the job after its run */
	STATE_WRITER_LATE,	/* not run by deadline; data unchanged */
	STATE_WRITER_FULL,	/* queue full or out of memory; not queued */
};

/* Hands a copy of the size bytes at data to the writer and waits until it
 * has run or deadline (CLOCK_MONOTONIC) passes. */
enum state_writer_result state_writer_call(struct state_writer *w,
    void *data, size_t size, struct timespec deadline);

#endif
