/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_state_writer.c - unit tests for state_writer.c: jobs run in order
 * on the writer thread and their results come back; a caller whose
 * deadline passes gets LATE and never waits longer; a job whose caller
 * left before it started is skipped, one that had started is finished
 * and freed by the writer; a full queue refuses at once; posted jobs run
 * without anyone waiting, several to a run; stop runs what is queued,
 * and gives up on a stuck run after its timeout, the thread then freeing
 * everything itself (ASan and valgrind check that nothing leaks).
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "monotime.h"
#include "state_writer.h"

struct job {
	int in, out;
};

/* The run function: doubles, after waiting at the gate while it is
 * closed; counts the jobs it ran. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t open_cond;
	bool open;
	atomic_int runs;
	atomic_int groups;	/* calls of the run function */
};

static void
run_double(void *ctx, void **data, size_t n)
{
	struct gate *g = ctx;
	struct job *j;
	size_t i;

	pthread_mutex_lock(&g->lock);
	while (!g->open)
		pthread_cond_wait(&g->open_cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
	for (i = 0; i < n; i++) {
		j = data[i];
		j->out = j->in * 2;
		atomic_fetch_add(&g->runs, 1);
	}
	atomic_fetch_add(&g->groups, 1);
}

static void
gate_init(struct gate *g, bool open)
{
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->open_cond, NULL);
	g->open = open;
	atomic_init(&g->runs, 0);
	atomic_init(&g->groups, 0);
}

static void
gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->open = true;
	pthread_cond_broadcast(&g->open_cond);
	pthread_mutex_unlock(&g->lock);
}

static void
gate_destroy(struct gate *g)
{
	pthread_cond_destroy(&g->open_cond);
	pthread_mutex_destroy(&g->lock);
}

static struct timespec
in_ms(unsigned ms)
{
	return monotime_add_ms(monotime_now(), ms);
}

static void
test_jobs_run_and_results_come_back(void **state)
{
	struct gate g;
	struct state_writer *w;
	int i;

	(void)state;
	gate_init(&g, true);
	w = state_writer_start(run_double, &g, 4);
	assert_non_null(w);
	for (i = 0; i < 100; i++) {
		struct job j = { .in = i, .out = -1 };

		assert_int_equal(state_writer_call(w, &j, sizeof(j),
		    in_ms(5000)), STATE_WRITER_DONE);
		assert_int_equal(j.out, 2 * i);
	}
	assert_true(state_writer_stop(w, 5000, NULL));
	assert_int_equal(atomic_load(&g.runs), 100);
	gate_destroy(&g);
}

static void
test_late_caller_leaves_and_queued_job_is_skipped(void **state)
{
	struct job started = { .in = 1, .out = -1 }, queued = { .in = 2,
	    .out = -1 }, after = { .in = 3, .out = -1 };
	struct timespec t0;
	struct gate g;
	struct state_writer *w;

	(void)state;
	gate_init(&g, false);
	w = state_writer_start(run_double, &g, 4);
	assert_non_null(w);
	t0 = monotime_now();
	assert_int_equal(state_writer_call(w, &started, sizeof(started),
	    in_ms(50)), STATE_WRITER_LATE);
	assert_true(monotime_diff_ms(t0, monotime_now()) < 1000);
	assert_int_equal(state_writer_call(w, &queued, sizeof(queued),
	    in_ms(50)), STATE_WRITER_LATE);
	/* The callers' buffers were not touched, and never will be. */
	assert_int_equal(started.out, -1);
	assert_int_equal(queued.out, -1);
	gate_open(&g);
	assert_int_equal(state_writer_call(w, &after, sizeof(after),
	    in_ms(5000)), STATE_WRITER_DONE);
	assert_int_equal(after.out, 6);
	/* The started job ran; the queued one, abandoned, did not. */
	assert_int_equal(atomic_load(&g.runs), 2);
	assert_int_equal(started.out, -1);
	assert_true(state_writer_stop(w, 5000, NULL));
	gate_destroy(&g);
}

static void
test_full_queue_refuses_at_once_and_stop_frees_it(void **state)
{
	struct job j = { .in = 1, .out = -1 };
	struct gate g;
	struct state_writer *w;

	(void)state;
	gate_init(&g, false);
	w = state_writer_start(run_double, &g, 1);
	assert_non_null(w);
	/* Running (taken off the queue), then queued: the queue is full. */
	assert_int_equal(state_writer_call(w, &j, sizeof(j), in_ms(30)),
	    STATE_WRITER_LATE);
	assert_int_equal(state_writer_call(w, &j, sizeof(j), in_ms(30)),
	    STATE_WRITER_LATE);
	assert_int_equal(state_writer_call(w, &j, sizeof(j), in_ms(5000)),
	    STATE_WRITER_FULL);
	gate_open(&g);
	assert_true(state_writer_stop(w, 5000, NULL));
	gate_destroy(&g);
}

static void
test_posted_jobs_run_in_groups_and_stop_drains(void **state)
{
	struct job j = { .in = 1, .out = -1 };
	struct gate g;
	struct state_writer *w;
	int i;

	(void)state;
	gate_init(&g, false);
	w = state_writer_start(run_double, &g, 16);
	assert_non_null(w);
	/* The first is taken at once and waits at the gate; the other 15
	 * queue behind it, then a 17th finds the queue full. */
	for (i = 0; i < 16; i++)
		assert_int_equal(state_writer_post(w, &j, sizeof(j)),
		    STATE_WRITER_DONE);
	while (state_writer_post(w, &j, sizeof(j)) == STATE_WRITER_DONE)
		i++;
	assert_true(i <= 17);
	gate_open(&g);
	/* Stop runs what is queued before it joins. */
	assert_true(state_writer_stop(w, 5000, NULL));
	assert_int_equal(atomic_load(&g.runs), i);
	/* Far fewer runs than jobs: the queued ones went as one group. */
	assert_true(atomic_load(&g.groups) <= 3);
	gate_destroy(&g);
}

static atomic_int releases;

static void
count_release(void *ctx)
{
	(void)ctx;
	atomic_fetch_add(&releases, 1);
}

static void
test_stop_gives_up_on_a_stuck_run_within_its_timeout(void **state)
{
	struct job j = { .in = 1, .out = -1 };
	struct timespec t0;
	static struct gate g;	/* outlives the stop: the run still uses it */
	struct state_writer *w;
	int i;

	(void)state;
	atomic_init(&releases, 0);
	gate_init(&g, false);
	w = state_writer_start(run_double, &g, 4);
	assert_non_null(w);
	assert_int_equal(state_writer_post(w, &j, sizeof(j)),
	    STATE_WRITER_DONE);
	usleep(50 * 1000);	/* taken, and stuck at the gate */
	assert_int_equal(state_writer_post(w, &j, sizeof(j)),
	    STATE_WRITER_DONE);
	t0 = monotime_now();
	assert_false(state_writer_stop(w, 200, count_release));
	assert_true(monotime_diff_ms(t0, monotime_now()) < 1000);
	assert_int_equal(atomic_load(&releases), 0);
	/* The run ends: the thread releases and frees by itself, skipping
	 * the job still queued. */
	gate_open(&g);
	for (i = 0; i < 500 && atomic_load(&releases) == 0; i++)
		usleep(10 * 1000);
	assert_int_equal(atomic_load(&releases), 1);
	assert_int_equal(atomic_load(&g.runs), 1);
	usleep(50 * 1000);	/* the thread's last steps after release */
	gate_destroy(&g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobs_run_and_results_come_back),
		cmocka_unit_test(
		    test_late_caller_leaves_and_queued_job_is_skipped),
		cmocka_unit_test(
		    test_full_queue_refuses_at_once_and_stop_frees_it),
		cmocka_unit_test(
		    test_posted_jobs_run_in_groups_and_stop_drains),
		cmocka_unit_test(
		    test_stop_gives_up_on_a_stuck_run_within_its_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
