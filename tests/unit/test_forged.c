/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_forged.c - unit tests for forged.c: every header of a message
 * that claims to be ours is remembered for removal, however many there
 * are, and running out of memory is reported, never ignored.
 *
 * Linked with -Wl,--wrap=realloc and realloc_fail.c, so that a test can
 * make the growth of the list fail.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "forged.h"
#include "realloc_fail.h"

#define ID "mx.example.net"
#define SCORE "X-PTR-Score"

/* Sends n forgeries, each after one genuine header of another host, and
 * checks that exactly the forgeries are remembered, by their index. */
static void
check_forgeries(unsigned n)
{
	struct forged f;

	forged_init(&f);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(forged_header(&f, "Authentication-Results",
		    "other.example.org; spf=pass", ID, SCORE), 0);
		assert_int_equal(forged_header(&f, "authentication-results",
		    i + 1 < n ? "mx.example.net; none" :
		    "mx.example.net; dkim=pass header.d=example.com", ID,
		    SCORE), 0);
	}
	assert_int_equal(f.ar_seen, 2 * n);
	assert_int_equal(f.nours, n);
	for (unsigned i = 0; i < n; i++)
		if (f.ar_ours[i] != 2 * i + 2)
			fail_msg("forgery %u of %u: index %u, want %u", i + 1, n,
			    f.ar_ours[i], 2 * i + 2);
	forged_free(&f);
	assert_null(f.ar_ours);
	assert_int_equal(f.nours, 0);
}

static void
test_forgery_65_after_64_is_remembered(void **state)
{
	(void)state;
	check_forgeries(65);
}

static void
test_a_thousand_forgeries_are_all_remembered(void **state)
{
	(void)state;
	check_forgeries(1000);
	check_forgeries(1);
	check_forgeries(0);
}

static void
test_score_header_is_counted_whatever_its_case(void **state)
{
	struct forged f;

	(void)state;
	forged_init(&f);
	assert_int_equal(forged_header(&f, "x-ptr-score", "-10", ID, SCORE),
	    0);
	assert_int_equal(forged_header(&f, "X-PTR-Score", "0.0 ()", ID,
	    SCORE), 0);
	assert_int_equal(forged_header(&f, "X-PTR-Scores", "1", ID, SCORE), 0);
	assert_int_equal(forged_header(&f, "Subject", "hi", ID, SCORE), 0);
	assert_int_equal(forged_header(&f, NULL, "hi", ID, SCORE), 0);
	assert_int_equal(f.score_seen, 2);
	assert_int_equal(f.ar_seen, 0);
	/* score_header = none: nothing to count */
	assert_int_equal(forged_header(&f, "X-PTR-Score", "1", ID, NULL), 0);
	assert_int_equal(f.score_seen, 2);
	forged_free(&f);
}

static void
test_reset_forgets_the_message_and_keeps_the_room(void **state)
{
	struct forged f;
	size_t cap;

	(void)state;
	forged_init(&f);
	for (int i = 0; i < 20; i++)
		assert_int_equal(forged_header(&f, "Authentication-Results",
		    ID "; none", ID, SCORE), 0);
	assert_int_equal(forged_header(&f, SCORE, "1", ID, SCORE), 0);
	cap = f.cap;
	assert_true(cap >= 20);
	forged_reset(&f);
	assert_int_equal(f.nours, 0);
	assert_int_equal(f.ar_seen, 0);
	assert_int_equal(f.score_seen, 0);
	assert_int_equal(f.cap, cap);
	/* the next message counts from 1 again */
	assert_int_equal(forged_header(&f, "Authentication-Results",
	    ID "; none", ID, SCORE), 0);
	assert_int_equal(f.ar_ours[0], 1);
	forged_free(&f);
}

/* Out of memory at any growth: -1, and what was remembered stays. */
static void
test_out_of_memory_is_reported_not_ignored(void **state)
{
	struct forged f;
	int rc = 0;
	unsigned sent = 0;

	(void)state;
	for (int after = 0; after < 4; after++) {
		forged_init(&f);
		realloc_fails_after = after;
		for (sent = 0; sent < 1000 && rc == 0; sent++)
			rc = forged_header(&f, "Authentication-Results",
			    ID "; dkim=pass", ID, SCORE);
		realloc_fails_after = -1;
		if (rc != -1)
			fail_msg("failure after %d growths not reported", after);
		assert_int_equal(f.nours, sent - 1);
		for (size_t i = 0; i < f.nours; i++)
			assert_int_equal(f.ar_ours[i], i + 1);
		forged_free(&f);
		rc = 0;
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forgery_65_after_64_is_remembered),
		cmocka_unit_test(test_a_thousand_forgeries_are_all_remembered),
		cmocka_unit_test(
		    test_score_header_is_counted_whatever_its_case),
		cmocka_unit_test(
		    test_reset_forgets_the_message_and_keeps_the_room),
		cmocka_unit_test(test_out_of_memory_is_reported_not_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
