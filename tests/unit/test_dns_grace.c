/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_grace.c - unit tests for dns_grace.c: when a streak of DNS
 * errors for one IP outlives tempfail_limit, what ends a streak, the
 * bounded table, and the table under concurrent callers.
 *
 * Times are plain numbers passed in, so every edge is exact.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "unit.h"

#include "addr.h"
#include "dns_grace.h"

/* Threads and rounds of the concurrency test. */
#define STRESS_THREADS 4
#define STRESS_ROUNDS 20000

static struct addr nth_ipv4(unsigned n);
static void *stress_worker(void *arg);

/* The n-th address of 198.18.0.0/15 (n < 65536). */
static struct addr
nth_ipv4(unsigned n)
{
	char text[ADDR_TEXT_MAX];

	snprintf(text, sizeof(text), "198.18.%u.%u", n / 256, n % 256);
	return parse_ok(text);
}

static void
test_first_error_is_not_expired(void **state)
{
	struct dns_grace *g = dns_grace_create(16);
	struct addr ip = parse_ok("198.51.100.20");

	(void)state;
	assert_non_null(g);
	assert_false(dns_grace_expired(g, &ip, 1000, 60));
	dns_grace_destroy(g);
}

static void
test_streak_expires_only_after_more_than_the_limit(void **state)
{
	struct dns_grace *g = dns_grace_create(16);
	struct addr ip = parse_ok("198.51.100.20");

	(void)state;
	assert_non_null(g);
	assert_false(dns_grace_expired(g, &ip, 1000, 60));
	assert_false(dns_grace_expired(g, &ip, 1030, 60));
	assert_false(dns_grace_expired(g, &ip, 1060, 60));
	assert_true(dns_grace_expired(g, &ip, 1061, 60));
	/* It stays expired while the errors go on. */
	assert_true(dns_grace_expired(g, &ip, 1100, 60));
	dns_grace_destroy(g);
}

static void
test_clear_ends_the_streak(void **state)
{
	struct dns_grace *g = dns_grace_create(16);
	struct addr ip = parse_ok("198.51.100.20");

	(void)state;
	assert_non_null(g);
	assert_false(dns_grace_expired(g, &ip, 1000, 60));
	assert_false(dns_grace_expired(g, &ip, 1050, 60));
	dns_grace_clear(g, &ip);
	assert_false(dns_grace_expired(g, &ip, 1061, 60));
	assert_false(dns_grace_expired(g, &ip, 1121, 60));
	assert_true(dns_grace_expired(g, &ip, 1122, 60));
	/* Clearing an IP the table does not hold is harmless. */
	dns_grace_clear(g, &ip);
	dns_grace_clear(g, &ip);
	dns_grace_destroy(g);
}

static void
test_a_day_of_quiet_ends_the_streak(void **state)
{
	struct dns_grace *g = dns_grace_create(16);
	struct addr ip = parse_ok("198.51.100.20");

	(void)state;
	assert_non_null(g);
	assert_false(dns_grace_expired(g, &ip, 1000, 60));
	/* Retries further apart than the limit keep the streak. */
	assert_true(dns_grace_expired(g, &ip, 1000 + 3600, 60));
	/* A gap of exactly a day keeps it too... */
	assert_true(dns_grace_expired(g, &ip, 1000 + 3600 + DNS_GRACE_QUIET_S,
	    60));
	/* ...more than a day starts a new one. */
	int64_t t = 1000 + 3600 + 2 * DNS_GRACE_QUIET_S + 1;
	assert_false(dns_grace_expired(g, &ip, t, 60));
	assert_false(dns_grace_expired(g, &ip, t + 60, 60));
	assert_true(dns_grace_expired(g, &ip, t + 61, 60));
	dns_grace_destroy(g);
}

static void
test_quiet_time_follows_a_limit_longer_than_a_day(void **state)
{
	struct dns_grace *g = dns_grace_create(16);
	struct addr ip = parse_ok("198.51.100.20");
	unsigned week = 7 * 86400;

	(void)state;
	assert_non_null(g);
	assert_false(dns_grace_expired(g, &ip, 0, week));
	assert_false(dns_grace_expired(g, &ip, 2 * 86400, week));
	assert_true(dns_grace_expired(g, &ip, 2 * 86400 + week, week));
	dns_grace_destroy(g);
}

static void
test_limit_zero_is_off_and_records_nothing(void **state)
{
	struct dns_grace *g = dns_grace_create(16);
	struct addr ip = parse_ok("198.51.100.20");

	(void)state;
	assert_non_null(g);
	assert_false(dns_grace_expired(g, &ip, 1000, 0));
	/* Had 1000 been recorded, 1011 would be 11 s into its streak. */
	assert_false(dns_grace_expired(g, &ip, 1005, 10));
	assert_false(dns_grace_expired(g, &ip, 1011, 10));
	assert_true(dns_grace_expired(g, &ip, 1016, 10));
	dns_grace_destroy(g);
}

static void
test_full_table_forgets_the_least_recent_ip(void **state)
{
	struct dns_grace *g = dns_grace_create(4);
	struct addr a = nth_ipv4(0), b = nth_ipv4(1), c = nth_ipv4(2);
	struct addr d = nth_ipv4(3), e = nth_ipv4(4);

	(void)state;
	assert_non_null(g);
	assert_false(dns_grace_expired(g, &a, 0, 1000));
	assert_false(dns_grace_expired(g, &b, 1, 1000));
	assert_false(dns_grace_expired(g, &c, 2, 1000));
	assert_false(dns_grace_expired(g, &d, 3, 1000));
	assert_false(dns_grace_expired(g, &a, 4, 1000));
	/* Full: e takes b's place, the one seen longest ago. */
	assert_false(dns_grace_expired(g, &e, 5, 1000));
	/* a kept its streak from 0; b starts over. */
	assert_true(dns_grace_expired(g, &a, 1001, 1000));
	assert_false(dns_grace_expired(g, &b, 1001, 1000));
	dns_grace_destroy(g);
}

static void
test_table_stays_bounded_under_many_ips(void **state)
{
	struct dns_grace *g = dns_grace_create(4);
	struct addr ip;
	unsigned i;

	(void)state;
	assert_non_null(g);
	for (i = 0; i < 100; i++) {
		ip = nth_ipv4(i);
		assert_false(dns_grace_expired(g, &ip, i, 1000));
	}
	/* The four most recent are remembered, streaks intact... */
	for (i = 96; i < 100; i++) {
		ip = nth_ipv4(i);
		assert_false(dns_grace_expired(g, &ip, 500, 1000));
	}
	for (i = 96; i < 100; i++) {
		ip = nth_ipv4(i);
		assert_true(dns_grace_expired(g, &ip, 1100, 1000));
	}
	/* ...and the others were forgotten. */
	for (i = 0; i < 96; i++) {
		ip = nth_ipv4(i);
		assert_false(dns_grace_expired(g, &ip, 1100, 1000));
	}
	dns_grace_destroy(g);
}

static void
test_ipv4_and_ipv6_with_the_same_bytes_are_distinct(void **state)
{
	struct dns_grace *g = dns_grace_create(16);
	struct addr v4 = parse_ok("198.51.100.20");
	/* Its first four bytes are 198.51.100.20, the rest zero, as in v4. */
	struct addr v6 = parse_ok("c633:6414::");

	(void)state;
	assert_non_null(g);
	assert_false(dns_grace_expired(g, &v4, 1000, 60));
	assert_false(dns_grace_expired(g, &v6, 1061, 60));
	assert_false(dns_grace_expired(g, &v4, 1060, 60));
	assert_true(dns_grace_expired(g, &v4, 1061, 60));
	dns_grace_clear(g, &v4);
	assert_false(dns_grace_expired(g, &v6, 1100, 60));
	assert_true(dns_grace_expired(g, &v6, 1122, 60));
	dns_grace_destroy(g);
}

static void
test_null_and_zero_capacity_are_safe(void **state)
{
	struct dns_grace *g = dns_grace_create(0);
	struct addr ip = parse_ok("198.51.100.20");

	(void)state;
	assert_non_null(g);
	assert_false(dns_grace_expired(g, &ip, 1000, 60));
	assert_false(dns_grace_expired(g, &ip, 2000, 60));
	dns_grace_clear(g, &ip);
	assert_false(dns_grace_expired(g, NULL, 1000, 60));
	dns_grace_destroy(g);
	assert_false(dns_grace_expired(NULL, &ip, 1000, 60));
	dns_grace_clear(NULL, &ip);
	dns_grace_destroy(NULL);
}

/* Records and clears a few shared IPs, as connections would. */
static void *
stress_worker(void *arg)
{
	struct dns_grace *g = arg;
	struct addr ip;
	unsigned i;

	for (i = 0; i < STRESS_ROUNDS; i++) {
		ip = nth_ipv4(i % 13);
		if (i % 7 == 0)
			dns_grace_clear(g, &ip);
		else
			(void)dns_grace_expired(g, &ip, (int64_t)i, 30);
	}
	return NULL;
}

static void
test_concurrent_callers_share_one_table(void **state)
{
	struct dns_grace *g = dns_grace_create(8);
	pthread_t threads[STRESS_THREADS];
	struct addr ip = parse_ok("198.51.100.20");
	size_t i;

	(void)state;
	assert_non_null(g);
	for (i = 0; i < STRESS_THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL,
		    stress_worker, g), 0);
	for (i = 0; i < STRESS_THREADS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	/* Still a working table afterwards. */
	assert_false(dns_grace_expired(g, &ip, 100000, 30));
	assert_false(dns_grace_expired(g, &ip, 100030, 30));
	assert_true(dns_grace_expired(g, &ip, 100031, 30));
	dns_grace_destroy(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_error_is_not_expired),
		cmocka_unit_test(
		    test_streak_expires_only_after_more_than_the_limit),
		cmocka_unit_test(test_clear_ends_the_streak),
		cmocka_unit_test(test_a_day_of_quiet_ends_the_streak),
		cmocka_unit_test(
		    test_quiet_time_follows_a_limit_longer_than_a_day),
		cmocka_unit_test(test_limit_zero_is_off_and_records_nothing),
		cmocka_unit_test(test_full_table_forgets_the_least_recent_ip),
		cmocka_unit_test(test_table_stays_bounded_under_many_ips),
		cmocka_unit_test(
		    test_ipv4_and_ipv6_with_the_same_bytes_are_distinct),
		cmocka_unit_test(test_null_and_zero_capacity_are_safe),
		cmocka_unit_test(test_concurrent_callers_share_one_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
