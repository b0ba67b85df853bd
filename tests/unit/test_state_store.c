/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_state_store.c - unit tests for the state store's front end
 * (state_store.c) over a fake engine, and for the memory engine
 * (state_memory.c): keys and arguments refused, failing open, the
 * backoff and its one probe, one report per change, overruns counted as
 * failures, expiry on a fake wall clock, the capacity bound.
 *
 * Both clocks are fakes the tests move, so every edge is exact.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "monotime.h"
#include "state_store.h"
#include "state_store_impl.h"

/* The fake clocks. */
static struct timespec fake_mono;
static int64_t fake_wall_s;

static struct timespec
fake_monotonic(void)
{
	return fake_mono;
}

static int64_t
fake_wall(void)
{
	return fake_wall_s;
}

static const struct state_clocks fake_clocks = { fake_monotonic, fake_wall };

static void
advance_ms(unsigned ms)
{
	fake_mono = monotime_add_ms(fake_mono, ms);
	fake_wall_s = 1700000000 + fake_mono.tv_sec;
}

/* What the report callback saw. */
struct reports {
	int downs, ups;
	char last[512];
};

static void
record_report(void *arg, bool up, const char *message)
{
	struct reports *r = arg;

	if (up)
		r->ups++;
	else
		r->downs++;
	snprintf(r->last, sizeof(r->last), "%s", message);
}

/* The fake engine: fails while fake_failing, opens only while
 * !fake_open_fails, takes fake_call_ms of the fake clock per call, and
 * counts the calls that reached it. */
static bool fake_failing, fake_open_fails;
static int fake_fail_at;	/* the call (1, 2, ...) that fails; 0: none */
static unsigned fake_call_ms;
static int fake_calls, fake_opens, fake_closes;
static int fake_handle_storage;

static int
fake_open(const struct state_spec *spec, struct state_request *req,
    void **handle)
{
	(void)spec;
	fake_opens++;
	if (fake_open_fails) {
		snprintf(req->why, sizeof(req->why), "open: Permission denied");
		return -1;
	}
	*handle = &fake_handle_storage;
	return 0;
}

static int
fake_close(void *handle, struct state_request *req)
{
	(void)req;
	assert_ptr_equal(handle, &fake_handle_storage);
	fake_closes++;
	return 0;
}

static struct timespec fake_last_deadline;

static enum state_result
fake_result(struct state_request *req)
{
	fake_calls++;
	fake_last_deadline = req->deadline;
	advance_ms(fake_call_ms);
	if (fake_failing || fake_calls == fake_fail_at) {
		snprintf(req->why, sizeof(req->why), "connect: refused\n\x1b[0m");
		return STATE_DOWN;
	}
	return STATE_MISSING;
}

static bool fake_oversize;
/* A full disk: reads work, set and add fail saying the engine cannot
 * write, touch and delete find nothing to write (as LMDB's do). */
static bool fake_full;

static bool
fake_write_refused(struct state_request *req)
{
	if (!fake_full)
		return false;
	fake_calls++;
	snprintf(req->why, sizeof(req->why), "write: No space left on "
	    "device");
	req->cannot_write = true;
	return true;
}

static enum state_result
fake_get(void *h, struct state_request *req, const char *key, size_t keylen,
    unsigned char *value, size_t *len)
{
	(void)h, (void)key, (void)keylen, (void)value;
	if (fake_oversize) {
		*len = STATE_VALUE_MAX + 1;
		return STATE_OK;
	}
	return fake_result(req);
}

static enum state_result
fake_set(void *h, struct state_request *req, const char *key, size_t keylen,
    const unsigned char *value, size_t len, unsigned ttl_s)
{
	(void)h, (void)key, (void)keylen, (void)value, (void)len, (void)ttl_s;
	if (fake_write_refused(req))
		return STATE_DOWN;
	return fake_result(req) == STATE_DOWN ? STATE_DOWN : STATE_OK;
}

static enum state_result
fake_add(void *h, struct state_request *req, const char *key, size_t keylen,
    const unsigned char *value, size_t len, unsigned ttl_s,
    unsigned char *current, size_t *current_len)
{
	(void)h, (void)key, (void)keylen, (void)ttl_s;
	if (fake_write_refused(req) || fake_result(req) == STATE_DOWN)
		return STATE_DOWN;
	memcpy(current, value, len);
	*current_len = len;
	return STATE_OK;
}

static enum state_result
fake_touch(void *h, struct state_request *req, const char *key,
    size_t keylen, unsigned ttl_s)
{
	(void)h, (void)key, (void)keylen, (void)ttl_s;
	return fake_result(req);
}

static enum state_result
fake_del(void *h, struct state_request *req, const char *key, size_t keylen)
{
	(void)h, (void)key, (void)keylen;
	return fake_result(req);
}

static const struct state_engine_ops fake_ops = {
	"fake", fake_open, fake_close, fake_get, fake_set, fake_add,
	fake_touch, fake_del, NULL,
};

static struct state_spec
spec_of(const char *text)
{
	struct state_spec s;
	char err[128];

	if (state_spec_parse(text, &s, err, sizeof(err)) != 0)
		fail_msg("%s: %s", text, err);
	return s;
}

static int
reset_fakes(void **state)
{
	(void)state;
	fake_mono.tv_sec = 1000;
	fake_mono.tv_nsec = 0;
	fake_wall_s = 1700000000 + 1000;
	fake_failing = fake_open_fails = fake_oversize = fake_full = false;
	fake_call_ms = 0;
	fake_fail_at = 0;
	fake_calls = fake_opens = fake_closes = 0;
	return 0;
}

static struct state_store *
open_fake(struct reports *r)
{
	struct state_spec spec = spec_of("redis://127.0.0.1:6379/1");
	struct state_store *st;

	memset(r, 0, sizeof(*r));
	st = state_store_open_engine(&spec, &fake_ops, &fake_clocks, 50,
	    record_report, r);
	assert_non_null(st);
	return st;
}

static void
test_keys_outside_the_charset_are_refused(void **state)
{
	char longest[STATE_KEY_MAX + 2];

	(void)state;
	assert_true(state_key_valid("streak:192.0.2.1"));
	assert_true(state_key_valid("grey:2001:db8::/64:~!{}"));
	assert_false(state_key_valid(NULL));
	assert_false(state_key_valid(""));
	assert_false(state_key_valid("with space"));
	assert_false(state_key_valid("nl\n"));
	assert_false(state_key_valid("del\x7f"));
	assert_false(state_key_valid("utf8-\xc3\xa9"));
	memset(longest, 'k', STATE_KEY_MAX);
	longest[STATE_KEY_MAX] = '\0';
	assert_true(state_key_valid(longest));
	longest[STATE_KEY_MAX] = 'k';
	longest[STATE_KEY_MAX + 1] = '\0';
	assert_false(state_key_valid(longest));
}

static void
test_bad_arguments_never_reach_the_engine(void **state)
{
	unsigned char big[STATE_VALUE_MAX + 1] = { 0 };
	struct state_stats stats;
	struct reports r;
	struct state_store *st = open_fake(&r);

	(void)state;
	assert_int_equal(state_set(st, "bad key", "v", 1, 60), STATE_DOWN);
	assert_int_equal(state_set(st, "k", big, sizeof(big), 60), STATE_DOWN);
	assert_int_equal(state_set(st, "k", "v", 1, 0), STATE_DOWN);
	assert_int_equal(state_touch(st, "k", STATE_TTL_MAX + 1), STATE_DOWN);
	assert_int_equal(state_add(st, "k\x01", "v", 1, 60, NULL, 0, NULL),
	    STATE_DOWN);
	assert_int_equal(fake_calls, 0);
	state_store_stats(st, &stats);
	assert_int_equal(stats.bad_keys, 5);
	assert_int_equal(stats.failures, 0);
	assert_true(stats.up);
	assert_int_equal(r.downs, 0);
	state_store_close(st);
	assert_int_equal(fake_closes, 1);
}

static void
test_failure_backs_off_and_reports_once(void **state)
{
	unsigned char v[STATE_VALUE_MAX];
	struct state_stats stats;
	struct reports r;
	struct state_store *st = open_fake(&r);
	size_t len;
	int i;

	(void)state;
	fake_failing = true;
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len), STATE_DOWN);
	assert_false(state_store_up(st));
	assert_int_equal(r.downs, 1);
	assert_string_equal(r.last, "state store redis://127.0.0.1:6379/1: "
	    "down (connect: refused??[0m); sessions go on without it");
	/* During the first second nothing reaches the engine. */
	for (i = 0; i < 100; i++)
		assert_int_equal(state_set(st, "k", "v", 1, 60), STATE_DOWN);
	advance_ms(999);
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len), STATE_DOWN);
	assert_int_equal(fake_calls, 1);
	/* Then one probe; it fails, and the wait doubles. */
	advance_ms(1);
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len), STATE_DOWN);
	assert_int_equal(fake_calls, 2);
	advance_ms(1999);
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len), STATE_DOWN);
	assert_int_equal(fake_calls, 2);
	advance_ms(1);
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len), STATE_DOWN);
	assert_int_equal(fake_calls, 3);
	assert_int_equal(r.downs, 1);
	state_store_stats(st, &stats);
	assert_int_equal(stats.failures, 3);
	assert_int_equal(stats.skipped, 102);
	assert_int_equal(stats.downs, 1);
	/* Mended: the next probe brings it up, reported once. */
	fake_failing = false;
	advance_ms(4000);
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len),
	    STATE_MISSING);
	assert_true(state_store_up(st));
	assert_int_equal(r.ups, 1);
	assert_string_equal(r.last,
	    "state store redis://127.0.0.1:6379/1: up again");
	assert_int_equal(state_set(st, "k", "v", 1, 60), STATE_OK);
	assert_int_equal(r.ups, 1);
	state_store_close(st);
}

/* A full or read-only filesystem still reads: a probe that did not
 * write is answered but leaves the store down, or it would flap up and
 * down at every backoff, two lines each time. */
static void
test_full_store_is_mended_by_a_write_not_a_read(void **state)
{
	unsigned char v[STATE_VALUE_MAX];
	struct reports r;
	struct state_store *st = open_fake(&r);
	size_t len;

	(void)state;
	fake_full = true;
	assert_int_equal(state_set(st, "k", "v", 1, 60), STATE_DOWN);
	assert_int_equal(r.downs, 1);
	assert_string_equal(r.last, "state store redis://127.0.0.1:6379/1: "
	    "down (write: No space left on device); sessions go on without it");
	advance_ms(STATE_BACKOFF_FIRST_MS);
	/* Reads, and a delete that found nothing, are answered... */
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len),
	    STATE_MISSING);
	assert_int_equal(state_delete(st, "k"), STATE_MISSING);
	/* ...and prove nothing: still down, never reported up. */
	assert_false(state_store_up(st));
	assert_int_equal(r.ups, 0);
	/* A write probes, fails, and the wait doubles: one down line. */
	assert_int_equal(fake_calls, 3);
	assert_int_equal(state_add(st, "k", "v", 1, 60, NULL, 0, NULL),
	    STATE_DOWN);
	assert_int_equal(fake_calls, 4);
	advance_ms(2 * STATE_BACKOFF_FIRST_MS - 1);
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len), STATE_DOWN);
	assert_int_equal(fake_calls, 4);
	advance_ms(1);
	fake_full = false;
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len),
	    STATE_MISSING);
	assert_false(state_store_up(st));
	/* Room again: the first write that writes brings it up. */
	assert_int_equal(state_set(st, "k", "v", 1, 60), STATE_OK);
	assert_true(state_store_up(st));
	assert_int_equal(r.downs, 1);
	assert_int_equal(r.ups, 1);
	/* Up again, reads are as good as writes. */
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len),
	    STATE_MISSING);
	assert_true(state_store_up(st));
	state_store_close(st);
}

static void
test_backoff_doubles_up_to_thirty_seconds_then_resets(void **state)
{
	struct reports r;
	struct state_store *st = open_fake(&r);
	unsigned wait = STATE_BACKOFF_FIRST_MS;
	int i;

	(void)state;
	fake_failing = true;
	assert_int_equal(state_delete(st, "k"), STATE_DOWN);
	for (i = 0; i < 8; i++) {
		advance_ms(wait - 1);
		assert_int_equal(state_delete(st, "k"), STATE_DOWN);
		assert_int_equal(fake_calls, 1 + i);
		advance_ms(1);
		assert_int_equal(state_delete(st, "k"), STATE_DOWN);
		assert_int_equal(fake_calls, 2 + i);
		wait = wait * 2 > STATE_BACKOFF_MAX_MS ? STATE_BACKOFF_MAX_MS :
		    wait * 2;
	}
	assert_int_equal(wait, STATE_BACKOFF_MAX_MS);
	fake_failing = false;
	advance_ms(STATE_BACKOFF_MAX_MS);
	assert_int_equal(state_delete(st, "k"), STATE_MISSING);
	/* After a recovery the next failure waits the first step again. */
	fake_failing = true;
	assert_int_equal(state_delete(st, "k"), STATE_DOWN);
	advance_ms(STATE_BACKOFF_FIRST_MS);
	fake_failing = false;
	assert_int_equal(state_delete(st, "k"), STATE_MISSING);
	assert_int_equal(r.downs, 2);
	assert_int_equal(r.ups, 2);
	state_store_close(st);
}

static void
test_oversized_value_from_an_engine_is_refused(void **state)
{
	unsigned char v[STATE_VALUE_MAX + 8];
	struct reports r;
	struct state_store *st = open_fake(&r);
	size_t len = 0;

	(void)state;
	fake_oversize = true;
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len), STATE_DOWN);
	assert_int_equal(len, 0);
	assert_non_null(strstr(r.last, "oversized value"));
	state_store_close(st);
}

static void
test_slow_answer_counts_as_a_failure(void **state)
{
	struct state_stats stats;
	struct reports r;
	struct state_store *st = open_fake(&r);

	(void)state;
	fake_call_ms = 50;
	assert_int_equal(state_set(st, "k", "v", 1, 60), STATE_OK);
	assert_true(state_store_up(st));
	fake_call_ms = 51;
	/* The answer is given, but the store is down for what follows. */
	assert_int_equal(state_set(st, "k", "v", 1, 60), STATE_OK);
	assert_false(state_store_up(st));
	assert_non_null(strstr(r.last, "answered after more than 50 ms"));
	assert_int_equal(state_set(st, "k", "v", 1, 60), STATE_DOWN);
	state_store_stats(st, &stats);
	assert_int_equal(stats.slow, 1);
	assert_int_equal(stats.failures, 1);
	assert_int_equal(stats.skipped, 1);
	state_store_close(st);
}

/* A batch of n ops: get, set, add, touch, delete in turn, on key k<i>. */
static void
batch_of(struct state_op *ops, size_t n, char keys[][8])
{
	static const enum state_op_kind kinds[] = { STATE_OP_GET,
	    STATE_OP_SET, STATE_OP_ADD, STATE_OP_TOUCH, STATE_OP_DELETE };
	size_t i;

	memset(ops, 0, n * sizeof(*ops));
	for (i = 0; i < n; i++) {
		snprintf(keys[i], 8, "k%zu", i);
		ops[i].kind = kinds[i % 5];
		ops[i].key = keys[i];
		ops[i].value = "v";
		ops[i].len = 1;
		ops[i].ttl_s = 60;
	}
}

static void
test_batch_is_one_call_with_one_deadline(void **state)
{
	struct state_op ops[STATE_BATCH_MAX];
	char keys[STATE_BATCH_MAX][8];
	struct state_stats stats;
	struct reports r;
	struct state_store *st = open_fake(&r);

	(void)state;
	batch_of(ops, 5, keys);
	assert_int_equal(state_batch(st, ops, 5), STATE_OK);
	assert_int_equal(fake_calls, 5);
	assert_int_equal(ops[0].result, STATE_MISSING);
	assert_int_equal(ops[1].result, STATE_OK);
	assert_int_equal(ops[2].result, STATE_OK);
	assert_memory_equal(ops[2].found, "v", 1);
	assert_int_equal(ops[2].found_len, 1);
	state_store_stats(st, &stats);
	assert_int_equal(stats.calls, 1);
	/* 3 ops of 20 ms each: within 50 ms one by one, not together. */
	fake_call_ms = 20;
	assert_int_equal(state_batch(st, ops, 3), STATE_OK);
	assert_false(state_store_up(st));
	assert_non_null(strstr(r.last, "answered after more than 50 ms"));
	state_store_stats(st, &stats);
	assert_int_equal(stats.calls, 2);
	assert_int_equal(stats.slow, 1);
	assert_int_equal(stats.failures, 1);
	state_store_close(st);
}

static void
test_batch_with_one_fault_is_down_whole_and_backs_off(void **state)
{
	struct state_op ops[STATE_BATCH_MAX];
	char keys[STATE_BATCH_MAX][8];
	struct state_stats stats;
	struct reports r;
	struct state_store *st = open_fake(&r);
	size_t i;

	(void)state;
	batch_of(ops, 4, keys);
	fake_fail_at = 2;
	assert_int_equal(state_batch(st, ops, 4), STATE_DOWN);
	/* The ops after the fault were not sent; none has a result. */
	assert_int_equal(fake_calls, 2);
	for (i = 0; i < 4; i++)
		assert_int_equal(ops[i].result, STATE_DOWN);
	assert_int_equal(r.downs, 1);
	assert_non_null(strstr(r.last, "connect: refused??[0m"));
	/* In backoff: nothing reaches the engine. */
	assert_int_equal(state_batch(st, ops, 4), STATE_DOWN);
	assert_int_equal(fake_calls, 2);
	advance_ms(STATE_BACKOFF_FIRST_MS);
	assert_int_equal(state_batch(st, ops, 4), STATE_OK);
	assert_int_equal(fake_calls, 6);
	assert_true(state_store_up(st));
	assert_int_equal(r.ups, 1);
	state_store_stats(st, &stats);
	assert_int_equal(stats.calls, 3);
	assert_int_equal(stats.skipped, 1);
	assert_int_equal(stats.failures, 1);
	assert_int_equal(stats.downs, 1);
	state_store_close(st);
}

static void
test_batch_with_a_bad_op_runs_none(void **state)
{
	struct state_op ops[STATE_BATCH_MAX + 1];
	char keys[STATE_BATCH_MAX + 1][8];
	struct state_stats stats;
	struct reports r;
	struct state_store *st = open_fake(&r);

	(void)state;
	batch_of(ops, 3, keys);
	ops[2].key = "bad key";
	assert_int_equal(state_batch(st, ops, 3), STATE_DOWN);
	batch_of(ops, 3, keys);
	ops[1].ttl_s = 0;
	assert_int_equal(state_batch(st, ops, 3), STATE_DOWN);
	batch_of(ops, 3, keys);
	ops[2].len = STATE_VALUE_MAX + 1;
	assert_int_equal(state_batch(st, ops, 3), STATE_DOWN);
	assert_int_equal(fake_calls, 0);
	assert_int_equal(ops[0].result, STATE_DOWN);
	state_store_stats(st, &stats);
	assert_int_equal(stats.bad_keys, 3);
	assert_true(stats.up);
	/* No ops, too many, none at all: refused before anything. */
	batch_of(ops, STATE_BATCH_MAX + 1, keys);
	assert_int_equal(state_batch(st, ops, 0), STATE_DOWN);
	assert_int_equal(state_batch(st, ops, STATE_BATCH_MAX + 1),
	    STATE_DOWN);
	assert_int_equal(state_batch(st, NULL, 1), STATE_DOWN);
	assert_int_equal(state_batch(NULL, ops, 1), STATE_DOWN);
	assert_int_equal(fake_calls, 0);
	state_store_close(st);
}

static void
test_engine_that_cannot_open_is_opened_again_later(void **state)
{
	struct state_spec spec = spec_of("lmdb:/nonexistent/state");
	struct state_store *st;
	struct reports r = { 0 };

	(void)state;
	fake_open_fails = true;
	st = state_store_open_engine(&spec, &fake_ops, &fake_clocks, 50,
	    record_report, &r);
	assert_non_null(st);
	assert_false(state_store_up(st));
	assert_int_equal(r.downs, 1);
	assert_string_equal(r.last, "state store lmdb:/nonexistent/state: "
	    "down (open: Permission denied); sessions go on without it");
	assert_int_equal(state_set(st, "k", "v", 1, 60), STATE_DOWN);
	assert_int_equal(fake_opens, 1);
	advance_ms(STATE_BACKOFF_FIRST_MS);
	assert_int_equal(state_set(st, "k", "v", 1, 60), STATE_DOWN);
	assert_int_equal(fake_opens, 2);
	assert_int_equal(fake_calls, 0);
	fake_open_fails = false;
	advance_ms(2 * STATE_BACKOFF_FIRST_MS);
	assert_int_equal(state_set(st, "k", "v", 1, 60), STATE_OK);
	assert_int_equal(fake_opens, 3);
	assert_int_equal(fake_calls, 1);
	assert_true(state_store_up(st));
	assert_int_equal(r.ups, 1);
	assert_string_equal(state_store_kind(st), "lmdb");
	assert_string_equal(state_store_name(st), "lmdb:/nonexistent/state");
	state_store_close(st);
	assert_int_equal(fake_closes, 1);
}

/* Every kind the spec parser accepts has its engine in every build: a
 * store that cannot open says why it could not, never that it is
 * missing. */
static void
test_every_kind_opens_its_own_engine(void **state)
{
	static const struct {
		const char *spec, *kind, *why;
		bool up;
	} cases[] = {
		{ "none", "none", "", true },
		{ "lmdb:/nonexistent-parent/state", "lmdb", "/nonexistent-parent",
		    false },
		{ "redis+unix:/nonexistent-dir/redis.sock", "redis",
		    "/nonexistent-dir/redis.sock", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct state_spec spec = spec_of(cases[i].spec);
		struct reports r = { 0 };
		struct state_store *st = state_store_open(&spec, 50,
		    record_report, &r);

		assert_non_null(st);
		assert_string_equal(state_store_kind(st), cases[i].kind);
		assert_int_equal(state_store_up(st), cases[i].up);
		assert_int_equal(r.downs, cases[i].up ? 0 : 1);
		assert_null(strstr(r.last, "built without"));
		assert_non_null(strstr(r.last, cases[i].why));
		state_store_close(st);
	}
}

/* The calling thread's cap (a session's dns_timeout) comes before
 * state_timeout when it is sooner, and only then, and only while set. */
static void
test_cap_sooner_than_state_timeout_is_the_engines_deadline(void **state)
{
	struct reports r;
	struct state_store *st = open_fake(&r);
	struct timespec cap = monotime_add_ms(fake_mono, 10);

	(void)state;
	state_deadline_cap(&cap);
	assert_int_equal(state_delete(st, "k"), STATE_MISSING);
	assert_int_equal(monotime_diff_us(fake_last_deadline, cap), 0);
	cap = monotime_add_ms(fake_mono, 500);
	state_deadline_cap(&cap);
	assert_int_equal(state_delete(st, "k"), STATE_MISSING);
	assert_int_equal(monotime_diff_ms(fake_mono, fake_last_deadline), 50);
	cap = monotime_add_ms(fake_mono, 10);
	state_deadline_cap(&cap);
	state_deadline_cap(NULL);
	assert_int_equal(state_delete(st, "k"), STATE_MISSING);
	assert_int_equal(monotime_diff_ms(fake_mono, fake_last_deadline), 50);
	state_store_close(st);
}

static void
test_passed_cap_skips_the_engine_and_keeps_the_store_up(void **state)
{
	struct state_stats stats;
	struct reports r;
	struct state_store *st = open_fake(&r);
	struct timespec cap = fake_mono;

	(void)state;
	advance_ms(1);
	state_deadline_cap(&cap);
	assert_int_equal(state_touch(st, "k", 60), STATE_DOWN);
	state_deadline_cap(NULL);
	assert_int_equal(fake_calls, 0);
	state_store_stats(st, &stats);
	assert_true(stats.up);
	assert_int_equal(stats.skipped, 1);
	assert_int_equal(stats.failures, 0);
	assert_int_equal(r.downs, 0);
	state_store_close(st);
}

/* A call that runs into its caller's cap says the caller was late, not
 * that the store is slow: no failure, no report, no backoff.  A failure
 * well before the cap is the store's, as ever. */
static void
test_call_cut_by_its_cap_does_not_take_the_store_down(void **state)
{
	struct state_stats stats;
	struct reports r;
	struct state_store *st = open_fake(&r);
	struct timespec cap = monotime_add_ms(fake_mono, 10);

	(void)state;
	fake_call_ms = 20;
	state_deadline_cap(&cap);
	assert_int_equal(state_delete(st, "k"), STATE_DOWN);
	fake_failing = true;
	cap = monotime_add_ms(fake_mono, 10);
	assert_int_equal(state_delete(st, "k"), STATE_DOWN);
	state_store_stats(st, &stats);
	assert_true(stats.up);
	assert_int_equal(stats.failures, 0);
	assert_int_equal(stats.slow, 0);
	assert_int_equal(r.downs, 0);
	fake_call_ms = 0;
	cap = monotime_add_ms(fake_mono, 40);
	state_deadline_cap(&cap);
	assert_int_equal(state_delete(st, "k"), STATE_DOWN);
	state_deadline_cap(NULL);
	assert_false(state_store_up(st));
	assert_int_equal(r.downs, 1);
	state_store_close(st);
}

/* A probe cut by its cap leaves the store down but hands the probe on:
 * the next call tries at once, the backoff not stretched. */
static void
test_probe_cut_by_its_cap_hands_the_probe_on(void **state)
{
	struct reports r;
	struct state_store *st = open_fake(&r);
	struct timespec cap;

	(void)state;
	fake_failing = true;
	assert_int_equal(state_delete(st, "k"), STATE_DOWN);
	assert_int_equal(r.downs, 1);
	advance_ms(STATE_BACKOFF_FIRST_MS);
	fake_call_ms = 5;
	cap = monotime_add_ms(fake_mono, 5);
	state_deadline_cap(&cap);
	assert_int_equal(state_delete(st, "k"), STATE_DOWN);
	state_deadline_cap(NULL);
	assert_int_equal(fake_calls, 2);
	fake_failing = false;
	assert_int_equal(state_delete(st, "k"), STATE_MISSING);
	assert_int_equal(fake_calls, 3);
	assert_true(state_store_up(st));
	assert_int_equal(r.ups, 1);
	state_store_close(st);
}

static void
test_times_round_trip_big_endian(void **state)
{
	unsigned char b[STATE_TIME_SIZE];
	int64_t t;

	(void)state;
	state_time_put(0x0102030405060708LL, b);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[7], 8);
	assert_int_equal(state_time_get(b, sizeof(b), &t), 0);
	assert_true(t == 0x0102030405060708LL);
	state_time_put(-5, b);
	assert_int_equal(state_time_get(b, sizeof(b), &t), 0);
	assert_true(t == -5);
	assert_int_equal(state_time_get(b, 7, &t), -1);
	assert_int_equal(state_time_get(NULL, 8, &t), -1);
	assert_string_equal(state_result_name(STATE_EXISTS), "exists");
}

/* The memory engine behind the real front end, on the fake clocks. */
static struct state_store *
open_memory(void)
{
	struct state_spec spec = spec_of("none");
	struct state_store *st;

	st = state_store_open_engine(&spec, &state_memory_ops, &fake_clocks,
	    50, NULL, NULL);
	assert_non_null(st);
	assert_true(state_store_up(st));
	return st;
}

static void
test_memory_set_get_add_touch_delete(void **state)
{
	struct state_store *st = open_memory();
	unsigned char v[STATE_VALUE_MAX];
	size_t len = 0;

	(void)state;
	assert_int_equal(state_get(st, "a", v, sizeof(v), &len),
	    STATE_MISSING);
	assert_int_equal(state_set(st, "a", "one", 3, 60), STATE_OK);
	assert_int_equal(state_get(st, "a", v, sizeof(v), &len), STATE_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(v, "one", 3);
	/* A value longer than the caller's room is not half copied. */
	assert_int_equal(state_get(st, "a", v, 2, &len), STATE_DOWN);
	assert_int_equal(state_add(st, "a", "two", 3, 60, v, sizeof(v), &len),
	    STATE_EXISTS);
	assert_memory_equal(v, "one", 3);
	assert_int_equal(state_add(st, "b", "two", 3, 60, v, sizeof(v), &len),
	    STATE_OK);
	assert_memory_equal(v, "two", 3);
	assert_int_equal(state_add(st, "c", "", 0, 60, NULL, 0, NULL),
	    STATE_OK);
	assert_int_equal(state_get(st, "c", v, sizeof(v), &len), STATE_OK);
	assert_int_equal(len, 0);
	assert_int_equal(state_touch(st, "zz", 60), STATE_MISSING);
	assert_int_equal(state_delete(st, "a"), STATE_OK);
	assert_int_equal(state_delete(st, "a"), STATE_MISSING);
	assert_int_equal(state_get(st, "a", v, sizeof(v), &len),
	    STATE_MISSING);
	state_store_close(st);
}

static void
test_memory_batch_runs_in_order(void **state)
{
	struct state_store *st = open_memory();
	struct state_op ops[7];
	unsigned char v[STATE_VALUE_MAX];
	size_t len = 0;

	(void)state;
	assert_int_equal(state_set(st, "old", "was", 3, 60), STATE_OK);
	memset(ops, 0, sizeof(ops));
	ops[0] = (struct state_op){ .kind = STATE_OP_GET, .key = "a" };
	ops[1] = (struct state_op){ .kind = STATE_OP_ADD, .key = "a",
	    .value = "one", .len = 3, .ttl_s = 60 };
	ops[2] = (struct state_op){ .kind = STATE_OP_GET, .key = "a" };
	ops[3] = (struct state_op){ .kind = STATE_OP_TOUCH, .key = "a",
	    .ttl_s = 600 };
	ops[4] = (struct state_op){ .kind = STATE_OP_ADD, .key = "old",
	    .value = "new", .len = 3, .ttl_s = 60 };
	ops[5] = (struct state_op){ .kind = STATE_OP_DELETE, .key = "old" };
	ops[6] = (struct state_op){ .kind = STATE_OP_TOUCH, .key = "old",
	    .ttl_s = 60 };
	assert_int_equal(state_batch(st, ops, 7), STATE_OK);
	assert_int_equal(ops[0].result, STATE_MISSING);
	assert_int_equal(ops[1].result, STATE_OK);
	assert_memory_equal(ops[1].found, "one", 3);
	assert_int_equal(ops[2].result, STATE_OK);
	assert_int_equal(ops[2].found_len, 3);
	assert_memory_equal(ops[2].found, "one", 3);
	assert_int_equal(ops[3].result, STATE_OK);
	assert_int_equal(ops[4].result, STATE_EXISTS);
	assert_memory_equal(ops[4].found, "was", 3);
	assert_int_equal(ops[5].result, STATE_OK);
	assert_int_equal(ops[6].result, STATE_MISSING);
	/* The touch renewed "a" to 600 s: alive after the add's 60. */
	advance_ms(120 * 1000);
	assert_int_equal(state_get(st, "a", v, sizeof(v), &len), STATE_OK);
	assert_int_equal(state_get(st, "old", v, sizeof(v), &len),
	    STATE_MISSING);
	state_store_close(st);
}

static void
test_memory_records_expire_on_the_wall_clock(void **state)
{
	struct state_store *st = open_memory();
	unsigned char v[STATE_VALUE_MAX];
	size_t len;

	(void)state;
	assert_int_equal(state_set(st, "k", "v", 1, 10), STATE_OK);
	advance_ms(9999);
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len), STATE_OK);
	advance_ms(1);
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len),
	    STATE_MISSING);
	/* An expired record does not block add, and touch renews. */
	assert_int_equal(state_add(st, "k", "w", 1, 10, NULL, 0, NULL),
	    STATE_OK);
	advance_ms(8000);
	assert_int_equal(state_touch(st, "k", 10), STATE_OK);
	advance_ms(8000);
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len), STATE_OK);
	assert_memory_equal(v, "w", 1);
	advance_ms(2000);
	assert_int_equal(state_touch(st, "k", 10), STATE_MISSING);
	state_store_close(st);
}

/* The memory engine called directly, for its capacity. */
static enum state_result
mem_put(void *m, const char *key, int64_t now_s, unsigned ttl_s)
{
	struct state_request req = { .now_s = now_s };

	return state_memory_ops.set(m, &req, key, strlen(key),
	    (const unsigned char *)"v", 1, ttl_s);
}

static bool
mem_has(void *m, const char *key, int64_t now_s)
{
	struct state_request req = { .now_s = now_s };
	unsigned char v[STATE_VALUE_MAX];
	size_t len;

	return state_memory_ops.get(m, &req, key, strlen(key), v, &len) ==
	    STATE_OK;
}

static void
test_memory_full_forgets_expired_then_oldest(void **state)
{
	char key[32];
	void *m;
	int i;

	(void)state;
	assert_int_equal(state_memory_open_capacity(4, &m), 0);
	/* Two that expire soon, two that last. */
	mem_put(m, "short1", 100, 5);
	mem_put(m, "long1", 100, 500);
	mem_put(m, "short2", 100, 5);
	mem_put(m, "long2", 100, 500);
	/* Full; at 200 the expired go first, the oldest live one stays. */
	mem_put(m, "new1", 200, 500);
	mem_put(m, "new2", 200, 500);
	assert_true(mem_has(m, "long1", 200));
	assert_true(mem_has(m, "long2", 200));
	assert_true(mem_has(m, "new1", 200));
	assert_true(mem_has(m, "new2", 200));
	/* Full of live records: the one written longest ago goes. */
	mem_put(m, "long1", 201, 500);	/* rewritten: now the newest */
	mem_put(m, "new3", 201, 500);
	assert_false(mem_has(m, "long2", 201));
	assert_true(mem_has(m, "long1", 201));
	/* Many more never grow it past its capacity. */
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(mem_put(m, key, 300 + i, 500), STATE_OK);
	}
	for (i = 0; i < 996; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_false(mem_has(m, key, 1300));
	}
	for (; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_true(mem_has(m, key, 1300));
	}
	assert_int_equal(state_memory_ops.close(m, NULL), 0);
}

/* Threads at one store: exactly one add of each key wins. */
#define RACE_THREADS 4
#define RACE_KEYS 2000

struct race {
	struct state_store *st;
	atomic_int won, down;
};

static void *
race_worker(void *arg)
{
	struct race *r = arg;
	unsigned char v[STATE_VALUE_MAX];
	char key[32];
	size_t len;
	int i;

	for (i = 0; i < RACE_KEYS; i++) {
		enum state_result res;

		snprintf(key, sizeof(key), "race:%d", i);
		res = state_add(r->st, key, "w", 1, 60, v, sizeof(v), &len);
		if (res == STATE_OK)
			atomic_fetch_add(&r->won, 1);
		else if (res != STATE_EXISTS)
			atomic_fetch_add(&r->down, 1);
		if (state_get(r->st, key, v, sizeof(v), &len) != STATE_OK)
			atomic_fetch_add(&r->down, 1);
	}
	return NULL;
}

static void
test_memory_threads_one_add_wins_each_key(void **state)
{
	struct state_spec spec = spec_of("none");
	pthread_t t[RACE_THREADS];
	struct race r = { .st = NULL };
	int i;

	(void)state;
	r.st = state_store_open(&spec, 1000, NULL, NULL);
	assert_non_null(r.st);
	for (i = 0; i < RACE_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race_worker, &r),
		    0);
	for (i = 0; i < RACE_THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&r.won), RACE_KEYS);
	assert_int_equal(atomic_load(&r.down), 0);
	state_store_close(r.st);
}

/* An engine that is always down, safe to call from threads. */
static atomic_int dead_calls;

static enum state_result
dead_del(void *h, struct state_request *req, const char *key, size_t keylen)
{
	(void)h, (void)key, (void)keylen;
	atomic_fetch_add(&dead_calls, 1);
	snprintf(req->why, sizeof(req->why), "no route to host");
	return STATE_DOWN;
}

static const struct state_engine_ops dead_ops = {
	"dead", fake_open, fake_close, fake_get, fake_set, fake_add,
	fake_touch, dead_del, NULL,
};

struct dead_reports {
	atomic_int downs, ups;
};

static void
count_report(void *arg, bool up, const char *message)
{
	struct dead_reports *r = arg;

	(void)message;
	atomic_fetch_add(up ? &r->ups : &r->downs, 1);
}

static void *
dead_worker(void *arg)
{
	int i;

	for (i = 0; i < 1000; i++)
		if (state_delete(arg, "k") != STATE_DOWN)
			fail_msg("a dead engine said something");
	return NULL;
}

static void
test_threads_on_a_dead_engine_get_one_report(void **state)
{
	struct state_spec spec = spec_of("redis://192.0.2.1");
	struct dead_reports r = { 0 };
	struct state_stats stats;
	struct state_store *st;
	pthread_t t[RACE_THREADS];
	int i;

	(void)state;
	atomic_store(&dead_calls, 0);
	st = state_store_open_engine(&spec, &dead_ops, NULL, 50, count_report,
	    &r);
	assert_non_null(st);
	for (i = 0; i < RACE_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, dead_worker, st),
		    0);
	for (i = 0; i < RACE_THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&r.downs), 1);
	assert_int_equal(atomic_load(&r.ups), 0);
	state_store_stats(st, &stats);
	/* Each call either reached the engine or was skipped; only the
	 * first and one probe per backoff period reach it. */
	assert_int_equal(stats.calls, RACE_THREADS * 1000);
	assert_int_equal(stats.skipped + (uint64_t)atomic_load(&dead_calls),
	    RACE_THREADS * 1000);
	assert_true(atomic_load(&dead_calls) <= 8);
	state_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_outside_the_charset_are_refused),
		cmocka_unit_test_setup(test_bad_arguments_never_reach_the_engine,
		    reset_fakes),
		cmocka_unit_test_setup(test_failure_backs_off_and_reports_once,
		    reset_fakes),
		cmocka_unit_test_setup(
		    test_backoff_doubles_up_to_thirty_seconds_then_resets,
		    reset_fakes),
		cmocka_unit_test_setup(
		    test_full_store_is_mended_by_a_write_not_a_read,
		    reset_fakes),
		cmocka_unit_test_setup(test_batch_is_one_call_with_one_deadline,
		    reset_fakes),
		cmocka_unit_test_setup(
		    test_batch_with_one_fault_is_down_whole_and_backs_off,
		    reset_fakes),
		cmocka_unit_test_setup(test_batch_with_a_bad_op_runs_none,
		    reset_fakes),
		cmocka_unit_test_setup(test_slow_answer_counts_as_a_failure,
		    reset_fakes),
		cmocka_unit_test_setup(
		    test_oversized_value_from_an_engine_is_refused, reset_fakes),
		cmocka_unit_test_setup(
		    test_engine_that_cannot_open_is_opened_again_later,
		    reset_fakes),
		cmocka_unit_test(test_every_kind_opens_its_own_engine),
		cmocka_unit_test_setup(
		    test_cap_sooner_than_state_timeout_is_the_engines_deadline,
		    reset_fakes),
		cmocka_unit_test_setup(
		    test_passed_cap_skips_the_engine_and_keeps_the_store_up,
		    reset_fakes),
		cmocka_unit_test_setup(
		    test_call_cut_by_its_cap_does_not_take_the_store_down,
		    reset_fakes),
		cmocka_unit_test_setup(
		    test_probe_cut_by_its_cap_hands_the_probe_on, reset_fakes),
		cmocka_unit_test(test_times_round_trip_big_endian),
		cmocka_unit_test_setup(test_memory_batch_runs_in_order,
		    reset_fakes),
		cmocka_unit_test_setup(test_memory_set_get_add_touch_delete,
		    reset_fakes),
		cmocka_unit_test_setup(
		    test_memory_records_expire_on_the_wall_clock, reset_fakes),
		cmocka_unit_test(test_memory_full_forgets_expired_then_oldest),
		cmocka_unit_test(test_memory_threads_one_add_wins_each_key),
		cmocka_unit_test_setup(
		    test_threads_on_a_dead_engine_get_one_report, reset_fakes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
