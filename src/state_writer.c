/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_writer.c - the writer thread and the hand-over of jobs with two
 * owners; see state_writer.h.
 *
 * One mutex guards the queue and every job's flags; one condition wakes
 * the writer, another (on CLOCK_MONOTONIC, as every deadline here is)
 * tells the waiting callers that a job has run, a third tells stop that
 * the thread is about to end.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "monotime.h"
#include "state_writer.h"

struct writer_job {
	struct writer_job *next;
	bool ran;		/* the run is over */
	bool abandoned;		/* the caller let go */
	bool posted;		/* nobody waits: the writer's alone */
	size_t size;
	unsigned char data[];	/* the caller's copy */
};

struct state_writer {
	pthread_mutex_t lock;
	pthread_cond_t work;		/* the writer: a job, or stop */
	pthread_cond_t ran;		/* the callers: a job has run */
	pthread_cond_t ending;		/* stop: the thread is done */
	pthread_t thread;
	state_writer_fn *run;
	void *ctx;
	struct writer_job *head, *tail;
	size_t queued, max_queue;
	bool stopping;
	bool ended;			/* the thread runs nothing more */
	bool orphaned;			/* stop gave up: the thread frees */
	state_writer_release_fn *release;
};

static void *writer_main(void *arg);
static size_t next_jobs(struct state_writer *w,
    struct writer_job *jobs[STATE_WRITER_GROUP]);
static void jobs_done(struct state_writer *w, struct writer_job **jobs,
    size_t n);
static int init_sync(struct state_writer *w);
static void destroy_sync(struct state_writer *w);
static void free_queue(struct state_writer *w);
static struct writer_job *job_new(const void *data, size_t size);
static bool enqueue(struct state_writer *w, struct writer_job *j);

/* The jobs to run next, up to a group, or 0 to end: the queue drained
 * after stop, or stop gave up on us.  Jobs whose caller left before they
 * started are dropped here.  Called with the lock held. */
static size_t
next_jobs(struct state_writer *w, struct writer_job *jobs[STATE_WRITER_GROUP])
{
	struct writer_job *j;
	size_t n = 0;

	while (n == 0) {
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->work, &w->lock);
		if (w->orphaned || (w->stopping && w->head == NULL))
			return 0;
		while (n < STATE_WRITER_GROUP && (j = w->head) != NULL) {
			w->head = j->next;
			if (w->head == NULL)
				w->tail = NULL;
			w->queued--;
			if (j->abandoned)
				free(j);	/* its caller gave up on it */
			else
				jobs[n++] = j;
		}
	}
	return n;
}

/* After a run: waiting callers told, the jobs nobody waits for freed. */
static void
jobs_done(struct state_writer *w, struct writer_job **jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		jobs[i]->ran = true;
		if (jobs[i]->abandoned || jobs[i]->posted)
			free(jobs[i]);
	}
	pthread_cond_broadcast(&w->ran);
}

static void *
writer_main(void *arg)
{
	struct state_writer *w = arg;
	struct writer_job *jobs[STATE_WRITER_GROUP];
	void *data[STATE_WRITER_GROUP];
	size_t n, i;
	bool orphaned;

	pthread_mutex_lock(&w->lock);
	while ((n = next_jobs(w, jobs)) > 0) {
		for (i = 0; i < n; i++)
			data[i] = jobs[i]->data;
		pthread_mutex_unlock(&w->lock);
		w->run(w->ctx, data, n);
		pthread_mutex_lock(&w->lock);
		jobs_done(w, jobs, n);
	}
	w->ended = true;
	orphaned = w->orphaned;
	pthread_cond_signal(&w->ending);
	pthread_mutex_unlock(&w->lock);
	if (orphaned) {
		/* stop has left: the last owner frees. */
		if (w->release != NULL)
			w->release(w->ctx);
		free_queue(w);
		destroy_sync(w);
		free(w);
	}
	return NULL;
}

static int
init_sync(struct state_writer *w)
{
	pthread_condattr_t attr;
	int ok = -1;

	if (pthread_condattr_init(&attr) != 0)
		return -1;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_mutex_init(&w->lock, NULL) != 0)
		goto done;
	if (pthread_cond_init(&w->work, &attr) != 0)
		goto no_work;
	if (pthread_cond_init(&w->ran, &attr) != 0)
		goto no_ran;
	if (pthread_cond_init(&w->ending, &attr) == 0) {
		ok = 0;
		goto done;
	}
	pthread_cond_destroy(&w->ran);
no_ran:
	pthread_cond_destroy(&w->work);
no_work:
	pthread_mutex_destroy(&w->lock);
done:
	pthread_condattr_destroy(&attr);
	return ok;
}

static void
destroy_sync(struct state_writer *w)
{
	pthread_cond_destroy(&w->ending);
	pthread_cond_destroy(&w->ran);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->lock);
}

static void
free_queue(struct state_writer *w)
{
	struct writer_job *j;

	while ((j = w->head) != NULL) {
		w->head = j->next;
		free(j);
	}
	w->tail = NULL;
	w->queued = 0;
}

struct state_writer *
state_writer_start(state_writer_fn *run, void *ctx, size_t max_queue)
{
	struct state_writer *w;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	if (init_sync(w) != 0) {
		free(w);
		return NULL;
	}
	w->run = run;
	w->ctx = ctx;
	w->max_queue = max_queue;
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		destroy_sync(w);
		free(w);
		return NULL;
	}
	return w;
}

bool
state_writer_stop(struct state_writer *w, unsigned timeout_ms,
    state_writer_release_fn *release)
{
	struct timespec deadline;
	pthread_t thread;

	if (w == NULL)
		return true;
	deadline = monotime_add_ms(monotime_now(), timeout_ms);
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->work);
	while (!w->ended && pthread_cond_timedwait(&w->ending, &w->lock,
	    &deadline) == 0)
		;
	if (!w->ended) {
		/* Stuck in a run: it is the thread's to finish, and free; w
		 * may be gone as soon as the lock is let go. */
		thread = w->thread;
		w->orphaned = true;
		w->release = release;
		pthread_mutex_unlock(&w->lock);
		pthread_detach(thread);
		return false;
	}
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	if (release != NULL)
		release(w->ctx);
	free_queue(w);
	destroy_sync(w);
	free(w);
	return true;
}

static struct writer_job *
job_new(const void *data, size_t size)
{
	struct writer_job *j = malloc(sizeof(*j) + size);

	if (j == NULL)
		return NULL;
	memset(j, 0, sizeof(*j));
	j->size = size;
	memcpy(j->data, data, size);
	return j;
}

/* Queues j unless the queue is full or stopping; with the lock held. */
static bool
enqueue(struct state_writer *w, struct writer_job *j)
{
	if (w->queued >= w->max_queue || w->stopping)
		return false;
	if (w->tail != NULL)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->queued++;
	pthread_cond_signal(&w->work);
	return true;
}

enum state_writer_result
state_writer_call(struct state_writer *w, void *data, size_t size,
    struct timespec deadline)
{
	enum state_writer_result r = STATE_WRITER_DONE;
	struct writer_job *j = job_new(data, size);

	if (j == NULL)
		return STATE_WRITER_FULL;
	pthread_mutex_lock(&w->lock);
	if (!enqueue(w, j)) {
		pthread_mutex_unlock(&w->lock);
		free(j);
		return STATE_WRITER_FULL;
	}
	while (!j->ran && pthread_cond_timedwait(&w->ran, &w->lock,
	    &deadline) == 0)
		;
	if (j->ran) {
		memcpy(data, j->data, size);
		free(j);
	} else {
		/* Queued or running: the writer frees it. */
		j->abandoned = true;
		r = STATE_WRITER_LATE;
	}
	pthread_mutex_unlock(&w->lock);
	return r;
}

enum state_writer_result
state_writer_post(struct state_writer *w, const void *data, size_t size)
{
	struct writer_job *j = job_new(data, size);
	bool queued;

	if (j == NULL)
		return STATE_WRITER_FULL;
	j->posted = true;
	pthread_mutex_lock(&w->lock);
	queued = enqueue(w, j);
	pthread_mutex_unlock(&w->lock);
	if (!queued)
		free(j);
	return queued ? STATE_WRITER_DONE : STATE_WRITER_FULL;
}
