/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_streak.c - unit tests for dns_streak.c: tempfail_limit
 * streaks kept in the state store outlive the process's table (a
 * restart) and are shared by two tables on one store (two hosts); a
 * clean verdict ends them everywhere; the quiet time ends them; a store
 * that is down leaves the table in charge, so the limit still holds.
 *
 * The store is the memory engine behind the real front end, on a fake
 * wall clock the tests move; the table's clock is passed in.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "dns_grace.h"
#include "dns_streak.h"
#include "state_store.h"
#include "state_store_impl.h"
#include "dead_engine.h"

#define T0 1700000000
#define LIMIT 60

static int64_t fake_wall_s;

static int64_t
fake_wall(void)
{
	return fake_wall_s;
}

static const struct state_clocks clocks = { NULL, fake_wall };

static struct state_store *
memory_store(const struct state_engine_ops *ops)
{
	struct state_spec spec;
	struct state_store *st;
	char err[64];

	assert_int_equal(state_spec_parse("none", &spec, err, sizeof(err)), 0);
	st = state_store_open_engine(&spec, ops, &clocks, 1000, NULL, NULL);
	assert_non_null(st);
	return st;
}


/* An error verdict at wall time t (the table's clock runs alongside,
 * offset, as a monotonic clock would be). */
static bool
error_at(struct state_store *st, struct dns_grace *g, const char *ip,
    int64_t t)
{
	struct addr a = parse_ok(ip);
	struct dns_streak_now now = { .wall_s = t, .mono_s = t - T0 + 50 };

	fake_wall_s = t;
	return dns_streak_expired(st, g, &a, now, LIMIT);
}

static int
reset_clock(void **state)
{
	(void)state;
	fake_wall_s = T0;
	return 0;
}

static void
test_streak_expires_after_the_limit(void **state)
{
	struct state_store *st = memory_store(&state_memory_ops);
	struct dns_grace *g = dns_grace_create(16);

	(void)state;
	assert_false(error_at(st, g, "192.0.2.7", T0));
	assert_false(error_at(st, g, "192.0.2.7", T0 + LIMIT));
	assert_true(error_at(st, g, "192.0.2.7", T0 + LIMIT + 1));
	/* Another address has its own streak. */
	assert_false(error_at(st, g, "192.0.2.8", T0 + LIMIT + 1));
	dns_grace_destroy(g);
	state_store_close(st);
}

static void
test_streak_survives_a_new_table(void **state)
{
	struct state_store *st = memory_store(&state_memory_ops);
	struct dns_grace *before = dns_grace_create(16), *after;

	(void)state;
	assert_false(error_at(st, before, "2001:db8::25", T0));
	dns_grace_destroy(before);
	/* A restart: the table is new, the store is not. */
	after = dns_grace_create(16);
	assert_true(error_at(st, after, "2001:db8::25", T0 + LIMIT + 1));
	dns_grace_destroy(after);
	state_store_close(st);
}

static void
test_two_tables_share_one_streak(void **state)
{
	struct state_store *st = memory_store(&state_memory_ops);
	struct dns_grace *a = dns_grace_create(16), *b = dns_grace_create(16);

	(void)state;
	assert_false(error_at(st, a, "198.51.100.24", T0));
	assert_false(error_at(st, b, "198.51.100.24", T0 + 30));
	assert_true(error_at(st, b, "198.51.100.24", T0 + LIMIT + 1));
	dns_grace_destroy(a);
	dns_grace_destroy(b);
	state_store_close(st);
}

static void
test_clean_verdict_ends_the_streak_everywhere(void **state)
{
	struct state_store *st = memory_store(&state_memory_ops);
	struct dns_grace *a = dns_grace_create(16), *b = dns_grace_create(16);
	struct addr ip = parse_ok("198.51.100.24");
	char key[DNS_STREAK_KEY_MAX];
	unsigned char v[STATE_VALUE_MAX];
	struct state_stats stats;
	size_t len;

	(void)state;
	assert_false(error_at(st, a, "198.51.100.24", T0));
	assert_false(error_at(st, a, "198.51.100.24", T0 + 1));
	/* One store call per verdict: add and touch go as one batch. */
	state_store_stats(st, &stats);
	assert_int_equal(stats.calls, 2);
	assert_int_equal(dns_streak_key(&ip, key, sizeof(key)), 0);
	assert_string_equal(key, "streak:198.51.100.24");
	assert_int_equal(state_get(st, key, v, sizeof(v), &len), STATE_OK);
	dns_streak_clear(st, b, &ip);
	assert_int_equal(state_get(st, key, v, sizeof(v), &len),
	    STATE_MISSING);
	/* b's next error starts a new streak, measured from then. */
	assert_false(error_at(st, b, "198.51.100.24", T0 + LIMIT + 1));
	dns_grace_destroy(a);
	dns_grace_destroy(b);
	state_store_close(st);
}

static void
test_quiet_day_ends_the_streak(void **state)
{
	struct state_store *st = memory_store(&state_memory_ops);
	struct dns_grace *g;

	(void)state;
	g = dns_grace_create(16);
	assert_false(error_at(st, g, "192.0.2.9", T0));
	dns_grace_destroy(g);
	/* Every error renews the record: the same streak a day on, and
	 * again a day after that. */
	g = dns_grace_create(16);
	assert_true(error_at(st, g, "192.0.2.9", T0 + DNS_GRACE_QUIET_S - 1));
	dns_grace_destroy(g);
	g = dns_grace_create(16);
	assert_true(error_at(st, g, "192.0.2.9",
	    T0 + 2 * DNS_GRACE_QUIET_S - 2));
	dns_grace_destroy(g);
	/* Then a day without errors: the record expired, a new streak. */
	g = dns_grace_create(16);
	assert_false(error_at(st, g, "192.0.2.9",
	    T0 + 3 * DNS_GRACE_QUIET_S - 2));
	dns_grace_destroy(g);
	state_store_close(st);
}

static void
test_store_down_leaves_the_table_in_charge(void **state)
{
	/* A store whose engine never opens: down from the start. */
	struct state_store *st = memory_store(&dead_ops);
	struct dns_grace *g = dns_grace_create(16);

	(void)state;
	assert_false(state_store_up(st));
	assert_false(error_at(st, g, "192.0.2.10", T0));
	assert_false(error_at(st, g, "192.0.2.10", T0 + LIMIT));
	assert_true(error_at(st, g, "192.0.2.10", T0 + LIMIT + 1));
	/* No store at all works the same. */
	assert_false(error_at(NULL, g, "192.0.2.11", T0));
	assert_true(error_at(NULL, g, "192.0.2.11", T0 + LIMIT + 1));
	dns_grace_destroy(g);
	state_store_close(st);
}

static void
test_older_streak_counts_and_future_times_wait(void **state)
{
	struct state_store *st = memory_store(&state_memory_ops);
	struct dns_grace *g = dns_grace_create(16);
	struct addr ip = parse_ok("192.0.2.12");
	unsigned char t[STATE_TIME_SIZE];
	char key[DNS_STREAK_KEY_MAX];

	(void)state;
	assert_int_equal(dns_streak_key(&ip, key, sizeof(key)), 0);
	/* Another host, its clock an hour ahead, started the streak. */
	state_time_put(T0 + 3600, t);
	assert_int_equal(state_set(st, key, t, sizeof(t), 86400), STATE_OK);
	assert_false(error_at(st, g, "192.0.2.12", T0));
	/* The table's own streak, older than the store's, still counts. */
	assert_true(error_at(st, g, "192.0.2.12", T0 + LIMIT + 1));
	dns_grace_destroy(g);
	state_store_close(st);
}

static void
test_off_records_nothing(void **state)
{
	struct state_store *st = memory_store(&state_memory_ops);
	struct addr ip = parse_ok("192.0.2.13");
	struct dns_streak_now now = { T0, 50 };
	char key[DNS_STREAK_KEY_MAX];
	unsigned char v[STATE_VALUE_MAX];
	size_t len;

	(void)state;
	assert_false(dns_streak_expired(st, NULL, &ip, now, 0));
	assert_int_equal(dns_streak_key(&ip, key, sizeof(key)), 0);
	assert_int_equal(state_get(st, key, v, sizeof(v), &len),
	    STATE_MISSING);
	assert_int_equal(dns_streak_key(&ip, key, 10), -1);
	ip = parse_ok("::ffff:192.0.2.13");
	assert_int_equal(dns_streak_key(&ip, key, sizeof(key)), 0);
	assert_string_equal(key, "streak:192.0.2.13");
	state_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_streak_expires_after_the_limit,
		    reset_clock),
		cmocka_unit_test_setup(test_streak_survives_a_new_table,
		    reset_clock),
		cmocka_unit_test_setup(test_two_tables_share_one_streak,
		    reset_clock),
		cmocka_unit_test_setup(
		    test_clean_verdict_ends_the_streak_everywhere, reset_clock),
		cmocka_unit_test_setup(test_quiet_day_ends_the_streak,
		    reset_clock),
		cmocka_unit_test_setup(
		    test_store_down_leaves_the_table_in_charge, reset_clock),
		cmocka_unit_test_setup(
		    test_older_streak_counts_and_future_times_wait, reset_clock),
		cmocka_unit_test_setup(test_off_records_nothing, reset_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
