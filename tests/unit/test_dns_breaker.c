/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_breaker.c - unit tests for dns_breaker.c: what opens the DNS
 * outage breaker, what does not, that it lets no session's lookup through
 * while open, when it probes and which name, and what closes it.
 *
 * Times are plain numbers passed in, so every edge is exact.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns_breaker.h"

#define T0 100000	/* any start time: the clock is not at zero */
#define P DNS_BREAKER_PROBE_MS
#define TYPE_A 1
#define TYPE_PTR 12
/* The name the misses that open the breaker leave, as the resolver
 * reports them: a zone that may stay dead. */
#define DEAD "9.113.0.203.in-addr.arpa"

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
	dns_breaker_missed(b, DEAD, TYPE_PTR);
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
test_open_admits_no_session_lookup(void **state)
{
	static const int64_t after[] = {
		0, 1, P - 1, P, P + 1, 2 * P, 10 * P + 7, 3600 * 1000
	};
	struct dns_breaker b;

	(void)state;
	dns_breaker_init(&b, T0);
	assert_true(dns_breaker_admit(&b, "a.example", TYPE_A));
	assert_true(dns_breaker_admit(&b, "a.example", TYPE_A));
	open_breaker(&b);
	/* However long it stays open, no session waits on the DNS: there
	 * is no trial lookup, the probe is the resolver's own. */
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		assert_false(dns_breaker_admit(&b, "a.example", TYPE_A));
		if (i % 2 == 0)
			(void)dns_breaker_probe(&b, b.opened_ms + after[i]);
		assert_false(dns_breaker_admit(&b, "b.example", TYPE_PTR));
	}
	assert_true(b.open);
}

static void
test_probes_once_per_interval_only_while_open(void **state)
{
	struct dns_breaker b;
	int64_t t;

	(void)state;
	dns_breaker_init(&b, T0);
	dns_breaker_missed(&b, DEAD, TYPE_PTR);
	assert_null(dns_breaker_probe(&b, T0 + 100000));
	assert_int_equal(dns_breaker_next_ms(&b, T0), -1);
	open_breaker(&b);
	t = b.opened_ms;
	assert_int_equal(dns_breaker_next_ms(&b, t), 0);
	assert_non_null(dns_breaker_probe(&b, t));	/* at once */
	assert_null(dns_breaker_probe(&b, t));
	assert_int_equal(dns_breaker_next_ms(&b, t + 300), P - 300);
	assert_null(dns_breaker_probe(&b, t + P - 1));
	assert_non_null(dns_breaker_probe(&b, t + P));
	/* A thread that overslept is due at once, not at a negative time. */
	assert_int_equal(dns_breaker_next_ms(&b, t + 10 * P), 0);
}

static void
test_a_due_probe_with_no_name_waits_an_interval(void **state)
{
	struct dns_breaker b;
	int64_t t;

	(void)state;
	dns_breaker_init(&b, T0);
	assert_int_equal(misses(&b, DNS_BREAKER_TRIP_COUNT,
	    T0 + DNS_BREAKER_TRIP_MS, 2000), DNS_BREAKER_OPENED);
	t = b.opened_ms;
	/* Nothing to ask: the interval is used up, so that the thread does
	 * not spin on a probe it cannot send. */
	assert_null(dns_breaker_probe(&b, t));
	assert_int_equal(dns_breaker_next_ms(&b, t), P);
	assert_false(dns_breaker_admit(&b, "new.example", TYPE_A));
	assert_null(dns_breaker_probe(&b, t + P - 1));
	assert_string_equal(dns_breaker_probe(&b, t + P)->name,
	    "new.example");
}

/* One probe-name case: what the breaker knows, then what each probe asks
 * as refusals come in between them. */
struct pick_case {
	const char *name;
	const char *missed;		/* NULL: none known */
	const char *refused[6];		/* before probe i; NULL: none */
	const char *want[6];		/* probe i asks; NULL: nothing */
};

static const struct pick_case pick_cases[] = {
	{ "no refusal: the last missed name, every time", DEAD,
	    { NULL, NULL, NULL, NULL, NULL, NULL },
	    { DEAD, DEAD, DEAD, DEAD, DEAD, DEAD } },
	{ "refusals: missed first, then alternating", DEAD,
	    { NULL, "r1.example", NULL, "r2.example", "r3.example", NULL },
	    { DEAD, "r1.example", DEAD, "r2.example", DEAD, "r3.example" } },
	{ "a refusal before the first probe still waits its turn", DEAD,
	    { "r1.example", NULL, NULL, NULL, NULL, NULL },
	    { DEAD, "r1.example", DEAD, "r1.example", DEAD, "r1.example" } },
	{ "no missed name: the refused one", NULL,
	    { NULL, "r1.example", NULL, "r2.example", NULL, NULL },
	    { NULL, "r1.example", "r1.example", "r2.example", "r2.example",
	      "r2.example" } },
	{ "a name too long to keep whole is not kept", DEAD,
	    { NULL, "r1.example", "LONG", NULL, NULL, NULL },
	    { DEAD, "r1.example", DEAD, "r1.example", DEAD, "r1.example" } },
};

static void
test_probe_name_choice(void **state)
{
	static char long_name[DNS_BREAKER_NAME_MAX + 10];
	const struct dns_breaker_name *got;
	struct dns_breaker b;
	const char *r;

	(void)state;
	memset(long_name, 'a', sizeof(long_name) - 1);
	for (size_t c = 0; c < sizeof(pick_cases) / sizeof(pick_cases[0]);
	    c++) {
		const struct pick_case *k = &pick_cases[c];

		print_message("case: %s\n", k->name);
		dns_breaker_init(&b, T0);
		if (k->missed != NULL)
			dns_breaker_missed(&b, k->missed, TYPE_PTR);
		assert_int_equal(misses(&b, DNS_BREAKER_TRIP_COUNT,
		    T0 + DNS_BREAKER_TRIP_MS, 2000), DNS_BREAKER_OPENED);
		for (size_t i = 0; i < 6; i++) {
			r = k->refused[i];
			if (r != NULL && strcmp(r, "LONG") == 0)
				r = long_name;
			if (r != NULL)
				assert_false(dns_breaker_admit(&b, r, TYPE_A));
			got = dns_breaker_probe(&b, b.opened_ms + (int64_t)i * P);
			if (k->want[i] == NULL) {
				assert_null(got);
				continue;
			}
			assert_non_null(got);
			assert_string_equal(got->name, k->want[i]);
			assert_int_equal(got->rrtype,
			    strcmp(k->want[i], DEAD) == 0 ? TYPE_PTR : TYPE_A);
		}
	}
}

static void
test_refusals_of_an_earlier_opening_are_forgotten(void **state)
{
	struct dns_breaker b;
	int64_t t;

	(void)state;
	open_breaker(&b);
	assert_false(dns_breaker_admit(&b, "old.example", TYPE_A));
	t = b.opened_ms + 5000;
	assert_int_equal(dns_breaker_answer(&b, t), DNS_BREAKER_CLOSED);
	dns_breaker_missed(&b, "again.example", TYPE_A);
	assert_int_equal(misses(&b, DNS_BREAKER_TRIP_COUNT,
	    t + DNS_BREAKER_TRIP_MS, 2000), DNS_BREAKER_OPENED);
	t = b.opened_ms;
	assert_string_equal(dns_breaker_probe(&b, t)->name, "again.example");
	assert_string_equal(dns_breaker_probe(&b, t + P)->name,
	    "again.example");
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
	assert_true(dns_breaker_admit(&b, "a.example", TYPE_A));
	assert_null(dns_breaker_probe(&b, t + 10000));
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
		cmocka_unit_test(test_open_admits_no_session_lookup),
		cmocka_unit_test(
		    test_probes_once_per_interval_only_while_open),
		cmocka_unit_test(
		    test_a_due_probe_with_no_name_waits_an_interval),
		cmocka_unit_test(test_probe_name_choice),
		cmocka_unit_test(
		    test_refusals_of_an_earlier_opening_are_forgotten),
		cmocka_unit_test(test_the_first_answer_closes_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
