/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_result_cache.c - reuse of finished lookups: the TTL cache itself
 * (expiry, the TTL cap, least-recently-used eviction, copies), and the
 * FCrDNS and HELO caches over the scripted resolver: a client seen again
 * within the TTLs costs no query, an entry expires with the first of its
 * answers counted from when that answer arrived, and no result that rests
 * on a failure, a timeout, a cancel or a lookup never started is kept.
 *
 * The lookups stamp their answers with the real monotonic clock, so the
 * times handed to the caches are seconds after `base`, read just before
 * the answers are delivered: an answer arrives at base + (well under a
 * second).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_resolver.h"
#include "fcrdns_cache.h"
#include "helo_cache.h"
#include "monotime.h"
#include "ttl_cache.h"

#define CLIENT "198.51.100.20"
#define REV "20.100.51.198.in-addr.arpa"
#define NAME "mail.example.com"
#define RESOLVER ((struct resolver *)1)

static int live_values;
static struct timespec base;

static void *
copy_int(const void *v)
{
	int *c = malloc(sizeof(*c));

	if (c != NULL) {
		*c = *(const int *)v;
		live_values++;
	}
	return c;
}

static void
free_int(void *v)
{
	if (v != NULL)
		live_values--;
	free(v);
}

static struct timespec
at(time_t sec)
{
	struct timespec t = { .tv_sec = sec, .tv_nsec = 0 };

	return t;
}

/* get: the value under key at time t, or -1. */
static int
get(struct ttl_cache *c, const char *key, time_t t)
{
	int *v = ttl_cache_get(c, key, at(t));
	int r = v != NULL ? *v : -1;

	free_int(v);
	return r;
}

/* put: value under key at time t, until t + ttl. */
static void
put(struct ttl_cache *c, const char *key, int value, unsigned ttl, time_t t)
{
	assert_int_equal(ttl_cache_put(c, key, &value, at(t + (time_t)ttl),
	    at(t)), 0);
}

static void
test_ttl_cache_expires_and_caps(void **state)
{
	struct ttl_cache *c = ttl_cache_create(8, 100, copy_int, free_int);

	(void)state;
	assert_non_null(c);
	put(c, "a", 1, 30, 1000);
	assert_int_equal(get(c, "a", 1000), 1);
	assert_int_equal(get(c, "a", 1029), 1);
	assert_int_equal(get(c, "a", 1030), -1);	/* expired */
	assert_int_equal(ttl_cache_count(c), 0);	/* and dropped */
	put(c, "b", 2, 100000, 1000);			/* capped at 100 */
	assert_int_equal(get(c, "b", 1099), 2);
	assert_int_equal(get(c, "b", 1100), -1);
	put(c, "c", 3, 0, 1000);			/* ttl 0: not kept */
	assert_int_equal(get(c, "c", 1000), -1);
	assert_int_equal(get(c, "missing", 1000), -1);
	ttl_cache_free(c);
	assert_int_equal(live_values, 0);
}

static void
test_ttl_cache_replaces_and_evicts_least_recent(void **state)
{
	struct ttl_cache *c = ttl_cache_create(2, 100, copy_int, free_int);

	(void)state;
	put(c, "a", 1, 50, 0);
	put(c, "a", 11, 50, 0);				/* replaced */
	assert_int_equal(ttl_cache_count(c), 1);
	assert_int_equal(get(c, "a", 1), 11);
	put(c, "b", 2, 50, 0);
	assert_int_equal(get(c, "a", 1), 11);		/* a is now newest */
	put(c, "c", 3, 50, 0);				/* b goes */
	assert_int_equal(ttl_cache_count(c), 2);
	assert_int_equal(get(c, "b", 1), -1);
	assert_int_equal(get(c, "a", 1), 11);
	assert_int_equal(get(c, "c", 1), 3);
	ttl_cache_free(c);
	assert_int_equal(live_values, 0);
}

static void
test_ttl_cache_of_capacity_zero_keeps_nothing(void **state)
{
	struct ttl_cache *c = ttl_cache_create(0, 100, copy_int, free_int);

	(void)state;
	put(c, "a", 1, 50, 0);
	assert_int_equal(get(c, "a", 0), -1);
	assert_int_equal(ttl_cache_count(c), 0);
	ttl_cache_free(c);
	ttl_cache_free(NULL);
}

static void
test_ttl_cache_many_keys_stay_bounded(void **state)
{
	struct ttl_cache *c = ttl_cache_create(100, 100, copy_int, free_int);
	char key[32];

	(void)state;
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "10.0.%d.%d", i / 256, i % 256);
		put(c, key, i, 60, 0);
	}
	assert_int_equal(ttl_cache_count(c), 100);
	assert_int_equal(get(c, "10.0.3.231", 1), 999);	/* newest kept */
	assert_int_equal(get(c, "10.0.0.0", 1), -1);	/* oldest gone */
	ttl_cache_free(c);
	assert_int_equal(live_values, 0);
}

/* reuse(): the copy handed over is the caller's; here it is read and
 * freed, as the typed caches turn it into a job. */
static void *
reuse_int(void *copy)
{
	int *v = copy;
	intptr_t n = *v;

	free_int(copy);
	return (void *)(n + 1);		/* never NULL for a value >= 0 */
}

static void
test_ttl_cache_reuse_hands_over_a_fresh_copy_only(void **state)
{
	struct ttl_cache *c = ttl_cache_create(8, 100, copy_int, free_int);

	(void)state;
	put(c, "a", 41, 60, 0);
	assert_int_equal((intptr_t)ttl_cache_reuse(c, "a", at(1), reuse_int),
	    42);
	assert_null(ttl_cache_reuse(c, "b", at(1), reuse_int));
	assert_null(ttl_cache_reuse(c, NULL, at(1), reuse_int));
	assert_null(ttl_cache_reuse(c, "a", at(60), reuse_int));	/* expired */
	ttl_cache_free(c);
	assert_int_equal(live_values, 0);
}

/* Issue 13: only an answer that says what the DNS holds is kept. */
static void
test_only_answers_saying_what_the_dns_holds_are_reusable(void **state)
{
	static const struct {
		enum dns_status status;
		enum dnssec_state dnssec;
		bool want;
	} rows[] = {
		{ DNS_OK, DNSSEC_SECURE, true },
		{ DNS_OK, DNSSEC_INSECURE, true },
		{ DNS_NXDOMAIN, DNSSEC_SECURE, true },
		{ DNS_NODATA, DNSSEC_INSECURE, true },
		{ DNS_OK, DNSSEC_BOGUS, false },
		{ DNS_NXDOMAIN, DNSSEC_BOGUS, false },
		{ DNS_TEMPFAIL, DNSSEC_INSECURE, false },
		{ DNS_TIMEOUT, DNSSEC_INSECURE, false },
		{ DNS_BOGUS, DNSSEC_INSECURE, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (ttl_cache_answer_reusable(rows[i].status, rows[i].dnssec)
		    == rows[i].want)
			continue;
		fail_msg("row %zu: %s/%s: want %s", i,
		    dns_status_name(rows[i].status, 0),
		    dnssec_state_name(rows[i].dnssec),
		    rows[i].want ? "reusable" : "not reusable");
	}
}

/* --- FCrDNS results over the scripted resolver */

static int
setup(void **state)
{
	(void)state;
	fake_resolver_reset();
	base = monotime_now();
	return 0;
}

/* t seconds after base. */
static struct timespec
since(time_t t)
{
	struct timespec s = base;

	s.tv_sec += t;
	return s;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(fake_resolver_live(), 0);
	fake_resolver_reset();
	return 0;
}

static void
rule(const char *name, int type, enum dns_status st, unsigned ttl,
    enum dnssec_state sec, const char *data)
{
	struct fake_rule r = { .name = name, .rrtype = type, .status = st,
	    .rcode = st == DNS_NXDOMAIN ? DNS_RCODE_NXDOMAIN :
	    st == DNS_TEMPFAIL ? DNS_RCODE_SERVFAIL : 0, .dnssec = sec,
	    .ttl = ttl, .data = { data } };
	fake_resolver_add(&r);
}

/* One connection: start at t_connect (maybe from the cache), answer,
 * finish, and keep at t_mail.  Returns the iprev verdict; *cached says
 * whether it was reused. */
static enum iprev
session(struct ttl_cache *c, unsigned max_names, time_t t_connect,
    time_t t_mail, bool *cached)
{
	struct addr a;
	struct fcrdns *job;
	const struct fcrdns_result *res;
	enum iprev iprev;

	assert_int_equal(addr_parse(CLIENT, &a), 0);
	job = fcrdns_cache_start(c, RESOLVER, &a, max_names,
	    since(t_connect));
	assert_non_null(job);
	fake_resolver_deliver();
	(void)fcrdns_wait(job, monotime_add_ms(monotime_now(), 20));
	res = fcrdns_finish(job);
	fcrdns_cache_keep(c, res, max_names, since(t_mail));
	iprev = res->iprev;
	*cached = res->cached;
	if (res->cached) {
		assert_int_equal(res->ms, 0);
		if (iprev == IPREV_PASS)
			assert_string_equal(res->names[0].name, NAME);
	}
	fcrdns_free(job);
	return iprev;
}

/* A connection whose verdict is kept as soon as it is made. */
static enum iprev
connection(struct ttl_cache *c, unsigned max_names, time_t t, bool *cached)
{
	return session(c, max_names, t, t, cached);
}

static void
test_fcrdns_reused_within_the_smallest_ttl(void **state)
{
	struct ttl_cache *c = fcrdns_cache_create(16);
	bool cached;

	(void)state;
	rule(REV, DNS_TYPE_PTR, DNS_OK, 300, DNSSEC_SECURE, NAME);
	rule(NAME, DNS_TYPE_A, DNS_OK, 60, DNSSEC_SECURE, CLIENT);
	assert_int_equal(connection(c, 10, 0, &cached), IPREV_PASS);
	assert_false(cached);
	assert_int_equal(fake_resolver_sent(REV), 1);
	assert_int_equal(connection(c, 10, 59, &cached), IPREV_PASS);
	assert_true(cached);
	assert_int_equal(fake_resolver_sent(REV), 1);	/* no new query */
	assert_int_equal(fake_resolver_sent(NAME), 1);
	/* 60 s, the A record's TTL, after it came: asked again. */
	assert_int_equal(connection(c, 10, 61, &cached), IPREV_PASS);
	assert_false(cached);
	assert_int_equal(fake_resolver_sent(REV), 2);
	/* Another max_ptr_names follows other names: its own entry. */
	assert_int_equal(connection(c, 1, 1, &cached), IPREV_PASS);
	assert_false(cached);
	ttl_cache_free(c);
}

static void
test_fcrdns_negative_answer_is_reused(void **state)
{
	struct ttl_cache *c = fcrdns_cache_create(16);
	bool cached;

	(void)state;
	rule(REV, DNS_TYPE_PTR, DNS_NXDOMAIN, 120, DNSSEC_SECURE, NULL);
	assert_int_equal(connection(c, 10, 0, &cached), IPREV_PERMERROR);
	assert_int_equal(connection(c, 10, 100, &cached), IPREV_PERMERROR);
	assert_true(cached);
	assert_int_equal(fake_resolver_sent(REV), 1);
	ttl_cache_free(c);
}

static void
test_fcrdns_failures_are_never_kept(void **state)
{
	struct ttl_cache *c = fcrdns_cache_create(16);
	bool cached;

	(void)state;
	/* SERVFAIL on the forward lookup. */
	rule(REV, DNS_TYPE_PTR, DNS_OK, 300, DNSSEC_SECURE, NAME);
	rule(NAME, DNS_TYPE_A, DNS_TEMPFAIL, 300, DNSSEC_INSECURE, NULL);
	assert_int_equal(connection(c, 10, 0, &cached), IPREV_TEMPERROR);
	assert_int_equal(connection(c, 10, 1, &cached), IPREV_TEMPERROR);
	assert_false(cached);
	assert_int_equal(fake_resolver_sent(REV), 2);
	/* Bogus, even with a TTL. */
	fake_resolver_reset();
	rule(REV, DNS_TYPE_PTR, DNS_BOGUS, 300, DNSSEC_BOGUS, NULL);
	(void)connection(c, 10, 2, &cached);
	(void)connection(c, 10, 3, &cached);
	assert_false(cached);
	assert_int_equal(fake_resolver_sent(REV), 2);
	/* No answer at all. */
	fake_resolver_reset();
	struct fake_rule r = { .name = REV, .rrtype = DNS_TYPE_PTR,
	    .never = true };
	fake_resolver_add(&r);
	assert_int_equal(connection(c, 10, 4, &cached), IPREV_TEMPERROR);
	assert_int_equal(ttl_cache_count(c), 0);
	ttl_cache_free(c);
}

/* The PTR answer comes exactly while the job is being finished: the
 * owner has closed it, so no forward lookup starts and the verdict is
 * temperror.  It rests on lookups never started and must not be kept:
 * the next connection from the address looks up afresh. */
static void
test_fcrdns_ptr_answer_while_finishing_is_not_kept(void **state)
{
	struct ttl_cache *c = fcrdns_cache_create(16);
	struct fake_rule r = { .name = REV, .rrtype = DNS_TYPE_PTR,
	    .status = DNS_OK, .dnssec = DNSSEC_SECURE, .ttl = 300,
	    .data = { NAME }, .on_release = true };
	bool cached;

	(void)state;
	fake_resolver_add(&r);
	rule(NAME, DNS_TYPE_A, DNS_OK, 300, DNSSEC_SECURE, CLIENT);
	assert_int_equal(connection(c, 10, 0, &cached), IPREV_TEMPERROR);
	assert_int_equal(fake_resolver_sent(NAME), 0);	/* never started */
	assert_int_equal(ttl_cache_count(c), 0);
	assert_int_equal(connection(c, 10, 1, &cached), IPREV_TEMPERROR);
	assert_false(cached);
	assert_int_equal(fake_resolver_sent(REV), 2);	/* asked again */
	ttl_cache_free(c);
}

/* A forward answer that comes while its query is released did arrive and
 * was judged on: that result is whole and may be kept. */
static void
test_fcrdns_forward_answer_while_finishing_is_kept(void **state)
{
	struct ttl_cache *c = fcrdns_cache_create(16);
	struct fake_rule r = { .name = NAME, .rrtype = DNS_TYPE_A,
	    .status = DNS_OK, .dnssec = DNSSEC_SECURE, .ttl = 300,
	    .data = { CLIENT }, .on_release = true };
	bool cached;

	(void)state;
	rule(REV, DNS_TYPE_PTR, DNS_OK, 300, DNSSEC_SECURE, NAME);
	fake_resolver_add(&r);
	assert_int_equal(connection(c, 10, 0, &cached), IPREV_PASS);
	assert_int_equal(connection(c, 10, 1, &cached), IPREV_PASS);
	assert_true(cached);
	assert_int_equal(fake_resolver_sent(REV), 1);
	ttl_cache_free(c);
}

/* An answer that arrived at 0 with TTL 60 and was kept at 50 (the client
 * idled before MAIL) is gone at 61, not at 110. */
static void
test_fcrdns_expiry_counts_from_the_answers_arrival(void **state)
{
	struct ttl_cache *c = fcrdns_cache_create(16);
	bool cached;

	(void)state;
	rule(REV, DNS_TYPE_PTR, DNS_OK, 60, DNSSEC_SECURE, NAME);
	rule(NAME, DNS_TYPE_A, DNS_OK, 300, DNSSEC_SECURE, CLIENT);
	assert_int_equal(session(c, 10, 0, 50, &cached), IPREV_PASS);
	assert_false(cached);
	assert_int_equal(connection(c, 10, 59, &cached), IPREV_PASS);
	assert_true(cached);
	assert_int_equal(connection(c, 10, 61, &cached), IPREV_PASS);
	assert_false(cached);
	assert_int_equal(fake_resolver_sent(REV), 2);
	ttl_cache_free(c);
}

/* --- HELO lookups */

/* A HELO lookup started at t_helo and kept at t_mail. */
static const struct helo_forward *
helo_session(struct ttl_cache *c, const char *name, time_t t_helo,
    time_t t_mail, struct helo_lookup **l)
{
	*l = helo_cache_start(c, RESOLVER, name, since(t_helo));
	assert_non_null(*l);
	fake_resolver_deliver();
	(void)helo_lookup_wait(*l, monotime_add_ms(monotime_now(), 20));
	const struct helo_forward *f = helo_lookup_finish(*l);
	helo_cache_keep(c, name, *l, since(t_mail));
	return f;
}

static const struct helo_forward *
helo(struct ttl_cache *c, const char *name, time_t t, struct helo_lookup **l)
{
	return helo_session(c, name, t, t, l);
}

static void
test_helo_reused_whatever_the_case(void **state)
{
	struct ttl_cache *c = helo_cache_create(16);
	struct helo_lookup *l;
	const struct helo_forward *f;

	(void)state;
	rule(NAME, DNS_TYPE_A, DNS_OK, 100, DNSSEC_INSECURE, CLIENT);
	rule(NAME, DNS_TYPE_AAAA, DNS_NODATA, 50, DNSSEC_INSECURE, NULL);
	f = helo(c, NAME, 0, &l);
	assert_int_equal(f->naddrs, 1);
	helo_lookup_free(l);
	assert_int_equal(fake_resolver_sent(NAME), 2);
	f = helo(c, "MAIL.Example.COM", 49, &l);
	assert_int_equal(f->a, DNS_OK);
	assert_int_equal(f->aaaa, DNS_NODATA);
	assert_int_equal(f->naddrs, 1);
	assert_int_equal(f->addrs[0].family, AF_INET);
	assert_false(helo_lookup_expiry(l, &(struct timespec){ 0 }));
							/* not kept twice */
	helo_lookup_free(l);
	assert_int_equal(fake_resolver_sent(NAME), 2);
	/* The AAAA answer's 50 s are up. */
	helo_lookup_free((helo(c, NAME, 51, &l), l));
	assert_int_equal(fake_resolver_sent(NAME), 4);
	ttl_cache_free(c);
}

static void
test_helo_timeout_is_never_kept(void **state)
{
	struct ttl_cache *c = helo_cache_create(16);
	struct helo_lookup *l;
	struct fake_rule r = { .name = NAME, .rrtype = DNS_TYPE_AAAA,
	    .never = true };

	(void)state;
	rule(NAME, DNS_TYPE_A, DNS_OK, 100, DNSSEC_INSECURE, CLIENT);
	fake_resolver_add(&r);
	helo_lookup_free((helo(c, NAME, 0, &l), l));
	assert_int_equal(ttl_cache_count(c), 0);
	ttl_cache_free(c);
}

/* As for FCrDNS: an A answer that arrived at 0 with TTL 60 and was kept
 * at 50 is gone at 61. */
static void
test_helo_expiry_counts_from_the_answers_arrival(void **state)
{
	struct ttl_cache *c = helo_cache_create(16);
	struct helo_lookup *l;

	(void)state;
	rule(NAME, DNS_TYPE_A, DNS_OK, 60, DNSSEC_INSECURE, CLIENT);
	rule(NAME, DNS_TYPE_AAAA, DNS_NODATA, 300, DNSSEC_INSECURE, NULL);
	helo_lookup_free((helo_session(c, NAME, 0, 50, &l), l));
	helo_lookup_free((helo(c, NAME, 59, &l), l));
	assert_int_equal(fake_resolver_sent(NAME), 2);	/* reused */
	helo_lookup_free((helo(c, NAME, 61, &l), l));
	assert_int_equal(fake_resolver_sent(NAME), 4);	/* asked again */
	ttl_cache_free(c);
}

/* Let go before any answer (a new HELO, a client gone): nothing kept. */
static void
test_helo_cancelled_lookup_is_never_kept(void **state)
{
	struct ttl_cache *c = helo_cache_create(16);
	struct helo_lookup *l;

	(void)state;
	rule(NAME, DNS_TYPE_A, DNS_OK, 100, DNSSEC_INSECURE, CLIENT);
	rule(NAME, DNS_TYPE_AAAA, DNS_NODATA, 100, DNSSEC_INSECURE, NULL);
	l = helo_cache_start(c, RESOLVER, NAME, since(0));
	(void)helo_lookup_finish(l);
	helo_cache_keep(c, NAME, l, since(0));
	helo_lookup_free(l);
	assert_int_equal(ttl_cache_count(c), 0);
	ttl_cache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ttl_cache_expires_and_caps),
		cmocka_unit_test(test_ttl_cache_replaces_and_evicts_least_recent),
		cmocka_unit_test(test_ttl_cache_of_capacity_zero_keeps_nothing),
		cmocka_unit_test(test_ttl_cache_many_keys_stay_bounded),
		cmocka_unit_test(
		    test_ttl_cache_reuse_hands_over_a_fresh_copy_only),
		cmocka_unit_test(
		    test_only_answers_saying_what_the_dns_holds_are_reusable),
		cmocka_unit_test_setup_teardown(
		    test_fcrdns_reused_within_the_smallest_ttl, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_fcrdns_negative_answer_is_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_fcrdns_failures_are_never_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_fcrdns_ptr_answer_while_finishing_is_not_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_fcrdns_forward_answer_while_finishing_is_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_fcrdns_expiry_counts_from_the_answers_arrival, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_helo_reused_whatever_the_case, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_helo_expiry_counts_from_the_answers_arrival, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_helo_cancelled_lookup_is_never_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_helo_timeout_is_never_kept, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
