/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_result_cache.c - reuse of finished lookups: the TTL cache itself
 * (expiry, the TTL cap, least-recently-used eviction, copies), and the
 * FCrDNS and HELO caches over the scripted resolver: a client seen again
 * within the TTLs costs no query, and failures are never kept.
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

static void
put(struct ttl_cache *c, const char *key, int value, unsigned ttl, time_t t)
{
	assert_int_equal(ttl_cache_put(c, key, &value, ttl, at(t)), 0);
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

/* --- FCrDNS results over the scripted resolver */

static int
setup(void **state)
{
	(void)state;
	fake_resolver_reset();
	return 0;
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

/* One connection: start (maybe from the cache), answer, finish, keep.
 * Returns the iprev verdict; *cached says whether it was reused. */
static enum iprev
connection(struct ttl_cache *c, unsigned max_names, time_t t, bool *cached)
{
	struct addr a;
	struct fcrdns *job;
	const struct fcrdns_result *res;
	enum iprev iprev;

	assert_int_equal(addr_parse(CLIENT, &a), 0);
	job = fcrdns_cache_start(c, RESOLVER, &a, max_names, at(t));
	assert_non_null(job);
	fake_resolver_deliver();
	(void)fcrdns_wait(job, monotime_add_ms(monotime_now(), 20));
	res = fcrdns_finish(job);
	fcrdns_cache_keep(c, res, max_names, at(t));
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

static void
test_fcrdns_reused_within_the_smallest_ttl(void **state)
{
	struct ttl_cache *c = fcrdns_cache_create(16);
	bool cached;

	(void)state;
	rule(REV, DNS_TYPE_PTR, DNS_OK, 300, DNSSEC_SECURE, NAME);
	rule(NAME, DNS_TYPE_A, DNS_OK, 60, DNSSEC_SECURE, CLIENT);
	assert_int_equal(connection(c, 10, 1000, &cached), IPREV_PASS);
	assert_false(cached);
	assert_int_equal(fake_resolver_sent(REV), 1);
	assert_int_equal(connection(c, 10, 1059, &cached), IPREV_PASS);
	assert_true(cached);
	assert_int_equal(fake_resolver_sent(REV), 1);	/* no new query */
	assert_int_equal(fake_resolver_sent(NAME), 1);
	/* 60 s, the A record's TTL, later: asked again. */
	assert_int_equal(connection(c, 10, 1060, &cached), IPREV_PASS);
	assert_false(cached);
	assert_int_equal(fake_resolver_sent(REV), 2);
	/* Another max_ptr_names follows other names: its own entry. */
	assert_int_equal(connection(c, 1, 1061, &cached), IPREV_PASS);
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

/* --- HELO lookups */

static const struct helo_forward *
helo(struct ttl_cache *c, const char *name, time_t t, struct helo_lookup **l)
{
	*l = helo_cache_start(c, RESOLVER, name, at(t));
	assert_non_null(*l);
	fake_resolver_deliver();
	(void)helo_lookup_wait(*l, monotime_add_ms(monotime_now(), 20));
	const struct helo_forward *f = helo_lookup_finish(*l);
	helo_cache_keep(c, name, *l, at(t));
	return f;
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
	assert_int_equal(helo_lookup_ttl(l), 0);	/* not kept twice */
	helo_lookup_free(l);
	assert_int_equal(fake_resolver_sent(NAME), 2);
	/* The AAAA answer's 50 s are up. */
	helo_lookup_free((helo(c, NAME, 50, &l), l));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ttl_cache_expires_and_caps),
		cmocka_unit_test(test_ttl_cache_replaces_and_evicts_least_recent),
		cmocka_unit_test(test_ttl_cache_of_capacity_zero_keeps_nothing),
		cmocka_unit_test(test_ttl_cache_many_keys_stay_bounded),
		cmocka_unit_test_setup_teardown(
		    test_fcrdns_reused_within_the_smallest_ttl, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_fcrdns_negative_answer_is_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_fcrdns_failures_are_never_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_helo_reused_whatever_the_case, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_helo_timeout_is_never_kept, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
