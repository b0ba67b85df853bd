/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_breaker.c - unit tests for dns_breaker.c: what opens the DNS
 * outage breaker, what does not, what it lets through while open, when it
 * probes, and what closes it.
 *
 * Times are plain numbers passed in, so every edge is exact.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dns_breaker.h"

#define T0 100000	/* any start time: the clock is not at zero */

/* Misses of lookups that waited waited_ms, all at time now; returns the
 * change the last one made. */
static enum dns_breaker_change
misses(struct dns_breaker *b, unsigned n, int64_t now, int64_t waited_ms)
{
	enum dns_breaker_change c = DNS_BREAKER_SAME;

	for (unsigned i = 0; i < n; i++)
		c = dns_breaker_miss(b, now, waited_ms);
	return c;
}

/* A breaker opened at T0 + DNS_BREAKER_TRIP_MS. */
static void
open_breaker(struct dns_breaker *b)
{
	dns_breaker_init(b, T0);
	assert_int_equal(misses(b, DNS_BREAKER_TRIP_COUNT,
	    T0 + DNS_BREAKER_TRIP_MS, 2000), DNS_BREAKER_OPENED);
	assert_true(b->open);
}

static void
test_count_and_silence_open_it(void **state)
{
	struct dns_breaker b;

	(void)state;
	dns_breaker_init(&b, T0);
	assert_int_equal(misses(&b, DNS_BREAKER_TRIP_COUNT - 1,
	    T0 + DNS_BREAKER_TRIP_MS, 2000), DNS_BREAKER_SAME);
	assert_false(b.open);
	assert_int_equal(dns_breaker_miss(&b, T0 + DNS_BREAKER_TRIP_MS, 2000),
	    DNS_BREAKER_OPENED);
	assert_true(b.open);
	/* Opened once: more misses change nothing. */
	assert_int_equal(misses(&b, 5, T0 + DNS_BREAKER_TRIP_MS + 10, 2000),
	    DNS_BREAKER_SAME);
}

static void
test_misses_within_the_silence_do_not_open_it(void **state)
{
	struct dns_breaker b;

	(void)state;
	dns_breaker_init(&b, T0);
	/* A burst of misses less than DNS_BREAKER_TRIP_MS after the last
	 * answer (here: the start) is not an outage yet. */
	assert_int_equal(misses(&b, 3 * DNS_BREAKER_TRIP_COUNT,
	    T0 + DNS_BREAKER_TRIP_MS - 1, 2000), DNS_BREAKER_SAME);
	assert_false(b.open);
	/* The next one, once the silence is long enough, opens it. */
	assert_int_equal(dns_breaker_miss(&b, T0 + DNS_BREAKER_TRIP_MS, 2000),
	    DNS_BREAKER_OPENED);
}

static void
test_misses_counted_early_open_it_once_the_silence_is_long(void **state)
{
	struct dns_breaker b;

	(void)state;
	dns_breaker_init(&b, T0);
	/* A wave of lookups, all overdue at once, early in the silence. */
	assert_int_equal(misses(&b, DNS_BREAKER_TRIP_COUNT, T0 + 1000,
	    DNS_BREAKER_MISS_MS), DNS_BREAKER_SAME);
	assert_int_equal(dns_breaker_check(&b, T0 + DNS_BREAKER_TRIP_MS - 1),
	    DNS_BREAKER_SAME);
	assert_int_equal(dns_breaker_check(&b, T0 + DNS_BREAKER_TRIP_MS),
	    DNS_BREAKER_OPENED);
	assert_int_equal(dns_breaker_check(&b, T0 + DNS_BREAKER_TRIP_MS + 1),
	    DNS_BREAKER_SAME);
	/* Without the misses, silence alone (a quiet hour) opens nothing. */
	dns_breaker_init(&b, T0);
	assert_int_equal(misses(&b, DNS_BREAKER_TRIP_COUNT - 1, T0,
	    DNS_BREAKER_MISS_MS), DNS_BREAKER_SAME);
	assert_int_equal(dns_breaker_check(&b, T0 + 3600 * 1000),
	    DNS_BREAKER_SAME);
}

static void
test_an_answer_resets_the_count(void **state)
{
	struct dns_breaker b;
	int64_t t = T0 + 10 * DNS_BREAKER_TRIP_MS;

	(void)state;
	dns_breaker_init(&b, T0);
	(void)misses(&b, DNS_BREAKER_TRIP_COUNT - 1, t, 2000);
	assert_int_equal(dns_breaker_answer(&b, t), DNS_BREAKER_SAME);
	/* One slow zone among answered traffic: the count starts over and
	 * the silence too. */
	assert_int_equal(misses(&b, DNS_BREAKER_TRIP_COUNT - 1,
	    t + DNS_BREAKER_TRIP_MS, 2000), DNS_BREAKER_SAME);
	assert_int_equal(dns_breaker_miss(&b, t + DNS_BREAKER_TRIP_MS - 1,
	    2000), DNS_BREAKER_SAME);
	assert_false(b.open);
}

static void
test_lookups_given_up_early_are_not_misses(void **state)
{
	struct dns_breaker b;

	(void)state;
	dns_breaker_init(&b, T0);
	/* Clients that left before their lookups could answer. */
	assert_int_equal(misses(&b, 100, T0 + 10 * DNS_BREAKER_TRIP_MS,
	    DNS_BREAKER_MISS_MS - 1), DNS_BREAKER_SAME);
	assert_false(b.open);
	assert_int_equal(misses(&b, DNS_BREAKER_TRIP_COUNT,
	    T0 + 10 * DNS_BREAKER_TRIP_MS, DNS_BREAKER_MISS_MS),
	    DNS_BREAKER_OPENED);
}

static void
test_a_late_answer_does_not_move_the_silence_back(void **state)
{
	struct dns_breaker b;

	(void)state;
	dns_breaker_init(&b, T0);
	(void)dns_breaker_answer(&b, T0 + 5000);
	(void)dns_breaker_answer(&b, T0 + 4000);
	assert_int_equal(misses(&b, DNS_BREAKER_TRIP_COUNT,
	    T0 + 4000 + DNS_BREAKER_TRIP_MS, 2000), DNS_BREAKER_SAME);
	assert_false(b.open);
}

static void
test_open_admits_one_trial_per_interval(void **state)
{
	struct dns_breaker b;
	int64_t t;

	(void)state;
	dns_breaker_init(&b, T0);
	assert_true(dns_breaker_admit(&b, T0));
	assert_true(dns_breaker_admit(&b, T0));
	open_breaker(&b);
	t = b.opened_ms;
	/* The sessions that arrive as it opens do not wait at all. */
	assert_false(dns_breaker_admit(&b, t));
	assert_false(dns_breaker_admit(&b, t + DNS_BREAKER_PROBE_MS - 1));
	assert_true(dns_breaker_admit(&b, t + DNS_BREAKER_PROBE_MS));
	assert_false(dns_breaker_admit(&b, t + DNS_BREAKER_PROBE_MS));
	assert_false(dns_breaker_admit(&b, t + 2 * DNS_BREAKER_PROBE_MS - 1));
	assert_true(dns_breaker_admit(&b, t + 2 * DNS_BREAKER_PROBE_MS));
}

static void
test_probes_once_per_interval_only_while_open(void **state)
{
	struct dns_breaker b;
	int64_t t;

	(void)state;
	dns_breaker_init(&b, T0);
	assert_false(dns_breaker_probe_due(&b, T0 + 100000));
	assert_int_equal(dns_breaker_next_ms(&b, T0), -1);
	open_breaker(&b);
	t = b.opened_ms;
	assert_int_equal(dns_breaker_next_ms(&b, t), 0);
	assert_true(dns_breaker_probe_due(&b, t));	/* at once */
	assert_false(dns_breaker_probe_due(&b, t));
	assert_int_equal(dns_breaker_next_ms(&b, t + 300),
	    DNS_BREAKER_PROBE_MS - 300);
	assert_false(dns_breaker_probe_due(&b, t + DNS_BREAKER_PROBE_MS - 1));
	assert_true(dns_breaker_probe_due(&b, t + DNS_BREAKER_PROBE_MS));
	/* A thread that overslept is due at once, not at a negative time. */
	assert_int_equal(dns_breaker_next_ms(&b, t + 10 * DNS_BREAKER_PROBE_MS),
	    0);
}

static void
test_the_first_answer_closes_it(void **state)
{
	struct dns_breaker b;
	int64_t t;

	(void)state;
	open_breaker(&b);
	t = b.opened_ms + 5000;
	assert_int_equal(dns_breaker_answer(&b, t), DNS_BREAKER_CLOSED);
	assert_false(b.open);
	assert_int_equal(dns_breaker_answer(&b, t + 1), DNS_BREAKER_SAME);
	assert_true(dns_breaker_admit(&b, t + 1));
	assert_false(dns_breaker_probe_due(&b, t + 10000));
	/* Closed and counting afresh from the last answer (t + 1): it takes
	 * a whole new outage. */
	assert_int_equal(misses(&b, DNS_BREAKER_TRIP_COUNT,
	    t + DNS_BREAKER_TRIP_MS, 2000), DNS_BREAKER_SAME);
	assert_int_equal(dns_breaker_miss(&b, t + 1 + DNS_BREAKER_TRIP_MS,
	    2000), DNS_BREAKER_OPENED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_and_silence_open_it),
		cmocka_unit_test(
		    test_misses_within_the_silence_do_not_open_it),
		cmocka_unit_test(
		    test_misses_counted_early_open_it_once_the_silence_is_long),
		cmocka_unit_test(test_an_answer_resets_the_count),
		cmocka_unit_test(test_lookups_given_up_early_are_not_misses),
		cmocka_unit_test(
		    test_a_late_answer_does_not_move_the_silence_back),
		cmocka_unit_test(test_open_admits_one_trial_per_interval),
		cmocka_unit_test(
		    test_probes_once_per_interval_only_while_open),
		cmocka_unit_test(test_the_first_answer_closes_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
