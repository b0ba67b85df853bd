/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_greylist.c - greylisting's keys and decisions (greylist.h) with an
 * injected clock: every time below is a made-up wall-clock second; and
 * the check over a store (greylist_store.h): one store call on its hot
 * path, a second only when a retry passes, failing open.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "greylist.h"
#include "greylist_store.h"
#include "policy.h"
#include "state_store.h"
#include "state_store_impl.h"
#include "dead_engine.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define T0 1800000000LL		/* 2027-01-15, any second will do */

static void
network_key(const char *ip, unsigned v4, unsigned v6, char *key)
{
	struct addr a;
	struct cidr net;

	assert_int_equal(addr_parse(ip, &a), 0);
	assert_int_equal(greylist_network(&a, v4, v6, &net), 0);
	assert_int_equal(greylist_pass_key(&net, key, GREYLIST_KEY_MAX), 0);
}

static void
test_network_is_the_address_cut_to_its_prefix(void **state)
{
	static const struct {
		const char *ip;
		unsigned v4, v6;
		const char *key;
	} rows[] = {
		{ "198.51.100.77", 24, 64, "greypass:198.51.100.0/24" },
		{ "198.51.100.77", 32, 64, "greypass:198.51.100.77/32" },
		{ "198.51.100.77", 20, 64, "greypass:198.51.96.0/20" },
		{ "198.51.100.77", 99, 64, "greypass:198.51.100.77/32" },
		{ "2001:db8:1:2:3:4:5:6", 24, 64, "greypass:2001:db8:1:2::/64" },
		{ "2001:db8:1:2:3:4:5:6", 24, 48, "greypass:2001:db8:1::/48" },
		{ "2001:db8:1:2:3:4:5:6", 24, 128,
		  "greypass:2001:db8:1:2:3:4:5:6/128" },
	};
	char key[GREYLIST_KEY_MAX];

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++) {
		network_key(rows[i].ip, rows[i].v4, rows[i].v6, key);
		assert_string_equal(key, rows[i].key);
		assert_true(state_key_valid(key));
	}
}

static void
triplet(const char *ip, const char *from, const char *to, char *key)
{
	struct addr a;
	struct cidr net;

	assert_int_equal(addr_parse(ip, &a), 0);
	assert_int_equal(greylist_network(&a, 24, 64, &net), 0);
	assert_int_equal(greylist_triplet_key(&net, from, to, key,
	    GREYLIST_KEY_MAX), 0);
	assert_true(state_key_valid(key));
}

static void
test_triplet_key_is_fixed_charset_and_normalised(void **state)
{
	/* pairs that must meet on one key, and pairs that must not */
	static const struct {
		const char *from1, *to1, *from2, *to2;
		bool same;
	} rows[] = {
		{ "<a@Example.COM>", "<b@example.net>",
		  "<a@example.com>", "<B@EXAMPLE.NET>", false },
		{ "<a@Example.COM>", "<b@example.net>",
		  "a@example.com", " <b@EXAMPLE.net> ", true },
		{ "<>", "<b@example.net>", NULL, "<b@example.net>", true },
		{ "<ab@x>", "<c@y>", "<a@x>", "<bc@y>", false },
		{ "<a@x>", "<b@y>", "<b@y>", "<a@x>", false },
		{ "<A@x>", "<b@y>", "<a@x>", "<b@y>", false },
	};
	char k1[GREYLIST_KEY_MAX], k2[GREYLIST_KEY_MAX];

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++) {
		triplet("192.0.2.9", rows[i].from1, rows[i].to1, k1);
		triplet("192.0.2.200", rows[i].from2, rows[i].to2, k2);
		if (rows[i].same)
			assert_string_equal(k1, k2);
		else
			assert_string_not_equal(k1, k2);
	}
	triplet("192.0.2.9", "<a@x>", "<b@y>", k1);
	assert_int_equal(strncmp(k1, "greylist:192.0.2.0/24:", 22), 0);
	assert_int_equal(strlen(k1), 22 + 16);
}

static void
test_hostile_addresses_never_reach_the_key(void **state)
{
	char huge[4096], k1[GREYLIST_KEY_MAX], k2[GREYLIST_KEY_MAX];

	(void)state;
	memset(huge, 'x', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	triplet("192.0.2.1", "<a b\r\nDEL *\x01\xff@x>", huge, k1);
	assert_int_equal(strlen(k1), 22 + 16);
	/* past GREYLIST_ADDRESS_MAX nothing is read */
	huge[GREYLIST_ADDRESS_MAX + 10] = '\0';
	triplet("192.0.2.1", "<a b\r\nDEL *\x01\xff@x>", huge, k2);
	assert_string_equal(k1, k2);
}

static void
test_decisions_follow_the_clock(void **state)
{
	static const struct {
		int64_t now;
		bool have_first;
		int64_t first;
		bool passed;
		enum greylist_decision want;
		unsigned retry_in;
	} rows[] = {
		{ T0, false, 0, false, GREYLIST_DEFER_NEW, 300 },
		{ T0, true, T0, false, GREYLIST_DEFER_EARLY, 300 },
		{ T0 + 299, true, T0, false, GREYLIST_DEFER_EARLY, 1 },
		{ T0 + 300, true, T0, false, GREYLIST_PASS, 1 },
		{ T0 + 86400, true, T0, false, GREYLIST_PASS, 1 },
		{ T0 + 86401, true, T0, false, GREYLIST_EXPIRED, 1 },
		/* a fleet clock ahead of ours: no time has passed */
		{ T0, true, T0 + 5000, false, GREYLIST_DEFER_EARLY, 300 },
		/* a passed network passes whatever the triplet says */
		{ T0, false, 0, true, GREYLIST_PASS_KNOWN, 300 },
		{ T0 + 10, true, T0, true, GREYLIST_PASS_KNOWN, 290 },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++) {
		struct greylist_seen seen = {
			.have_first = rows[i].have_first,
			.first_s = rows[i].first,
			.passed = rows[i].passed,
		};
		enum greylist_decision d =
		    greylist_decide(rows[i].now, &seen, 300, 86400);

		assert_int_equal(d, rows[i].want);
		assert_int_equal(greylist_retry_in(rows[i].now, &seen, 300),
		    rows[i].retry_in);
		assert_int_equal(greylist_defers(d),
		    d == GREYLIST_DEFER_NEW || d == GREYLIST_DEFER_EARLY ||
		    d == GREYLIST_EXPIRED);
	}
	assert_string_equal(greylist_decision_name(GREYLIST_PASS), "passed");
	assert_string_equal(greylist_decision_name(GREYLIST_PASS_KNOWN),
	    "known");
}

static int64_t fake_wall_s;

static int64_t
fake_wall(void)
{
	return fake_wall_s;
}

static const struct state_clocks wall_clock = { NULL, fake_wall };

/* The memory engine, or one that never opens (a store that stays down). */
static struct state_store *
store_of(const struct state_engine_ops *ops)
{
	struct state_spec spec;
	struct state_store *st;
	char err[64];

	assert_int_equal(state_spec_parse("none", &spec, err, sizeof(err)), 0);
	st = state_store_open_engine(&spec, ops, &wall_clock, 1000, NULL,
	    NULL);
	assert_non_null(st);
	return st;
}

static enum greylist_result
check_at(struct state_store *st, const struct policy *p, const char *ip,
    const char *rcpt, int64_t t)
{
	struct greylist_outcome out;
	struct addr a;

	assert_int_equal(addr_parse(ip, &a), 0);
	fake_wall_s = t;
	greylist_check(st, p, &a, "<s@example.org>", rcpt, t, &out);
	return out.result;
}

static uint64_t
calls_of(struct state_store *st)
{
	struct state_stats stats;

	state_store_stats(st, &stats);
	return stats.calls;
}

static void
test_check_is_one_store_call_but_when_a_retry_passes(void **state)
{
	struct policy *p = policy_defaults();
	struct state_store *st = store_of(&state_memory_ops);
	int64_t delay;

	(void)state;
	assert_non_null(p);
	delay = p->greylist_delay_s;
	assert_int_equal(check_at(st, p, "192.0.2.7", "<a@x>", T0),
	    GREYLIST_DEFERRED);
	assert_int_equal(calls_of(st), 1);
	assert_int_equal(check_at(st, p, "192.0.2.7", "<a@x>", T0 + 1),
	    GREYLIST_DEFERRED);
	assert_int_equal(calls_of(st), 2);
	/* The retry in time passes, and its network is recorded. */
	assert_int_equal(check_at(st, p, "192.0.2.8", "<a@x>", T0 + delay),
	    GREYLIST_PASSED);
	assert_int_equal(calls_of(st), 4);
	/* Any triplet of the network now: known, one call. */
	assert_int_equal(check_at(st, p, "192.0.2.9", "<b@x>", T0 + delay + 1),
	    GREYLIST_KNOWN);
	assert_int_equal(calls_of(st), 5);
	/* Another network is greylisted on its own. */
	assert_int_equal(check_at(st, p, "198.51.100.1", "<b@x>",
	    T0 + delay + 1), GREYLIST_DEFERRED);
	state_store_close(st);
	policy_free(p);
}

static void
test_check_fails_open_without_a_store(void **state)
{
	struct policy *p = policy_defaults();
	struct state_store *st = store_of(&dead_ops);

	(void)state;
	assert_non_null(p);
	assert_false(state_store_up(st));
	assert_int_equal(check_at(st, p, "192.0.2.7", "<a@x>", T0),
	    GREYLIST_FAILOPEN);
	assert_int_equal(check_at(NULL, p, "192.0.2.7", "<a@x>", T0),
	    GREYLIST_FAILOPEN);
	state_store_close(st);
	policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_network_is_the_address_cut_to_its_prefix),
		cmocka_unit_test(
		    test_triplet_key_is_fixed_charset_and_normalised),
		cmocka_unit_test(test_hostile_addresses_never_reach_the_key),
		cmocka_unit_test(test_decisions_follow_the_clock),
		cmocka_unit_test(
		    test_check_is_one_store_call_but_when_a_retry_passes),
		cmocka_unit_test(test_check_fails_open_without_a_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
