/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_writer.c - the writer thread and the hand-over of jobs with two
 * owners; see state_writer.h.
 *
 * One mutex guards the queue and every job's flags; one condition wakes
 * the writer, another (on CLOCK_MONOTONIC, as every deadline here is)
 * tells the waiting callers that a job has run.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "state_writer.h"

struct writer_job {
	struct writer_job *next;
	bool ran;		/* the run is over */
	bool abandoned;		/* the caller let go */
	size_t size;
	unsigned char data[];	/* the caller's copy */
};

struct state_writer {
	pthread_mutex_t lock;
	pthread_cond_t work;		/* the writer: a job, or stop */
	pthread_cond_t ran;		/* the callers: a job has run */
	pthread_t thread;
	state_writer_fn *run;
	void *ctx;
	struct writer_job *head, *tail;
	size_t queued, max_queue;
	bool stopping;
};

static void *writer_main(void *arg);
static struct writer_job *next_job(struct state_writer *w);
static int init_sync(struct state_writer *w);

/* The next job to run, or NULL to stop; jobs whose caller left before
 * they started are dropped here.  Called with the lock held. */
static struct writer_job *
next_job(struct state_writer *w)
{
	struct writer_job *j;

	for (;;) {
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->work, &w->lock);
		if (w->stopping)
			return NULL;
		j = w->head;
		w->head = j->next;
		if (w->head == NULL)
			w->tail = NULL;
		w->queued--;
		if (!j->abandoned)
			return j;
		free(j);
	}
}

static void *
writer_main(void *arg)
{
	struct state_writer *w = arg;
	struct writer_job *j;

	pthread_mutex_lock(&w->lock);
	while ((j = next_job(w)) != NULL) {
		pthread_mutex_unlock(&w->lock);
		w->run(w->ctx, j->data);
		pthread_mutex_lock(&w->lock);
		j->ran = true;
		if (j->abandoned)
			free(j);
		else
			pthread_cond_broadcast(&w->ran);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int
init_sync(struct state_writer *w)
{
	pthread_condattr_t attr;
	int ok = 0;

	if (pthread_condattr_init(&attr) != 0)
		return -1;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_mutex_init(&w->lock, NULL) != 0)
		ok = -1;
	else if (pthread_cond_init(&w->work, &attr) != 0) {
		pthread_mutex_destroy(&w->lock);
		ok = -1;
	} else if (pthread_cond_init(&w->ran, &attr) != 0) {
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->lock);
		ok = -1;
	}
	pthread_condattr_destroy(&attr);
	return ok;
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
		pthread_cond_destroy(&w->ran);
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

void
state_writer_stop(struct state_writer *w)
{
	struct writer_job *j;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	while ((j = w->head) != NULL) {
		w->head = j->next;
		free(j);
	}
	pthread_cond_destroy(&w->ran);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

enum state_writer_result
state_writer_call(struct state_writer *w, void *data, size_t size,
    struct timespec deadline)
{
	enum state_writer_result r = STATE_WRITER_DONE;
	struct writer_job *j;

	j = malloc(sizeof(*j) + size);
	if (j == NULL)
		return STATE_WRITER_FULL;
	memset(j, 0, sizeof(*j));
	j->size = size;
	memcpy(j->data, data, size);
	pthread_mutex_lock(&w->lock);
	if (w->queued >= w->max_queue || w->stopping) {
		pthread_mutex_unlock(&w->lock);
		free(j);
		return STATE_WRITER_FULL;
	}
	if (w->tail != NULL)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->queued++;
	pthread_cond_signal(&w->work);
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
