/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_helo_lookup.c - the HELO name's A and AAAA lookups over the
 * scripted resolver: every address of an answer counts, however many
 * (a client that is the 17th of 20, or the 570th of 2,048, is found), in
 * the lookup, in the verdict and through the cache.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fake_resolver.h"
#include "helo.h"
#include "helo_cache.h"
#include "helo_lookup.h"
#include "monotime.h"
#include "ttl_cache.h"

#define NAME "mx.example.com"
#define CLIENT4 "198.51.100.20"
#define CLIENT6 "2001:db8:1::25"
#define RESOLVER ((struct resolver *)1)
#define MANY 2048

/* The addresses of one answer: count of them, the client at index
 * client_at, the others distinct addresses of the same family. */
static char texts[MANY][48];
static const char *list[MANY];

static const char *const *
addresses(size_t count, size_t client_at, int family)
{
	for (size_t i = 0; i < count; i++) {
		if (i == client_at)
			snprintf(texts[i], sizeof(texts[i]), "%s",
			    family == AF_INET ? CLIENT4 : CLIENT6);
		else if (family == AF_INET)
			snprintf(texts[i], sizeof(texts[i]), "10.0.%zu.%zu",
			    i / 256, i % 256);
		else
			snprintf(texts[i], sizeof(texts[i]),
			    "2001:db8:ffff::%zx", i + 1);
		list[i] = texts[i];
	}
	return list;
}

static void
answer_with(int rrtype, const char *const *more, size_t nmore,
    enum dns_status status)
{
	struct fake_rule r = { .name = NAME, .rrtype = rrtype,
	    .status = status, .dnssec = DNSSEC_SECURE, .ttl = 300,
	    .more = more, .nmore = nmore };

	fake_resolver_add(&r);
}

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

/* Position of client among the result's addresses, or -1. */
static long
position(const struct helo_forward *fw, const char *client)
{
	struct addr a;

	assert_int_equal(addr_parse(client, &a), 0);
	for (size_t i = 0; i < fw->naddrs; i++)
		if (addr_equal(&fw->addrs[i], &a))
			return (long)i;
	return -1;
}

/* The HELO verdict on fw for client: the tags that fired. */
static tag_set
collect(const struct helo_forward *fw, const char *client)
{
	struct helo_parsed p;
	struct helo_context ctx;
	struct findings f;
	struct addr a;

	memset(&ctx, 0, sizeof(ctx));
	memset(&f, 0, sizeof(f));
	assert_int_equal(addr_parse(client, &a), 0);
	helo_parse(NAME, strlen(NAME), &p);
	ctx.client = &a;
	ctx.forward = fw;
	helo_collect(&p, &ctx, &f);
	return f.tags;
}

/* Looks NAME up (through c when not NULL) and checks that client is
 * found where the answer put it, and that the verdict holds no forward
 * mismatch.  A or AAAA by the client's family. */
static void
expect_found(struct ttl_cache *c, size_t count, size_t client_at,
    const char *client, struct timespec now)
{
	struct helo_lookup *l = helo_cache_start(c, RESOLVER, NAME, now);
	const struct helo_forward *fw;

	assert_non_null(l);
	fake_resolver_deliver();
	(void)helo_lookup_wait(l, monotime_add_ms(monotime_now(), 100));
	fw = helo_lookup_finish(l);
	assert_int_equal(fw->naddrs, count);
	assert_int_equal(position(fw, client), (long)client_at);
	assert_int_equal(collect(fw, client) &
	    TAG_BIT(TAG_HELO_FORWARD_MISMATCH), 0);
	helo_cache_keep(c, NAME, l, now);
	helo_lookup_free(l);
}

static void
test_client_17th_of_20_a_records_is_no_mismatch(void **state)
{
	(void)state;
	answer_with(DNS_TYPE_A, addresses(20, 16, AF_INET), 20, DNS_OK);
	answer_with(DNS_TYPE_AAAA, NULL, 0, DNS_NODATA);
	expect_found(NULL, 20, 16, CLIENT4, monotime_now());
}

static void
test_client_17th_of_20_aaaa_records_is_no_mismatch(void **state)
{
	(void)state;
	answer_with(DNS_TYPE_A, NULL, 0, DNS_NODATA);
	answer_with(DNS_TYPE_AAAA, addresses(20, 16, AF_INET6), 20,
	    DNS_OK);
	expect_found(NULL, 20, 16, CLIENT6, monotime_now());
}

static void
test_client_570th_of_2048_records_is_no_mismatch(void **state)
{
	(void)state;
	answer_with(DNS_TYPE_A, addresses(MANY, 569, AF_INET), MANY,
	    DNS_OK);
	answer_with(DNS_TYPE_AAAA, NULL, 0, DNS_NODATA);
	expect_found(NULL, MANY, 569, CLIENT4, monotime_now());
}

static void
test_client_absent_from_2048_records_is_a_mismatch(void **state)
{
	struct helo_lookup *l;
	const struct helo_forward *fw;

	(void)state;
	/* None of them is the client: the whole answer is searched and
	 * the mismatch still found. */
	answer_with(DNS_TYPE_A, addresses(MANY, MANY, AF_INET), MANY,
	    DNS_OK);
	answer_with(DNS_TYPE_AAAA, NULL, 0, DNS_NODATA);
	l = helo_lookup_start(RESOLVER, NAME);
	fake_resolver_deliver();
	fw = helo_lookup_finish(l);
	assert_int_equal(fw->naddrs, MANY);
	assert_int_not_equal(collect(fw, CLIENT4) &
	    TAG_BIT(TAG_HELO_FORWARD_MISMATCH), 0);
	helo_lookup_free(l);
}

static void
test_a_and_aaaa_answers_are_both_kept_whole(void **state)
{
	static const char *const six[] = { "2001:db8::1", "2001:db8::2" };
	struct helo_lookup *l;
	const struct helo_forward *fw;

	(void)state;
	answer_with(DNS_TYPE_AAAA, six, 2, DNS_OK);
	answer_with(DNS_TYPE_A, addresses(40, 39, AF_INET), 40, DNS_OK);
	l = helo_lookup_start(RESOLVER, NAME);
	fake_resolver_deliver();
	fw = helo_lookup_finish(l);
	assert_int_equal(fw->naddrs, 42);
	assert_int_equal(position(fw, CLIENT4), 39);
	assert_int_equal(fw->addrs[40].family, AF_INET6);
	assert_int_equal(fw->addrs[41].family, AF_INET6);
	helo_lookup_free(l);
}

static void
test_cached_answer_keeps_every_address(void **state)
{
	struct ttl_cache *c = helo_cache_create(4);
	struct timespec now = monotime_now();

	(void)state;
	answer_with(DNS_TYPE_A, addresses(HELO_CACHE_MAX_ADDRS, 40, AF_INET),
	    HELO_CACHE_MAX_ADDRS, DNS_OK);
	answer_with(DNS_TYPE_AAAA, NULL, 0, DNS_NODATA);
	expect_found(c, HELO_CACHE_MAX_ADDRS, 40, CLIENT4, now);
	assert_int_equal(fake_resolver_sent(NAME), 2);
	/* From the cache: no new query, the same addresses. */
	expect_found(c, HELO_CACHE_MAX_ADDRS, 40, CLIENT4, now);
	assert_int_equal(fake_resolver_sent(NAME), 2);
	ttl_cache_free(c);
}

/* 2,048 addresses are judged whole, but a client must not be able to
 * fill the cache with them: the next session asks again. */
static void
test_huge_answer_is_judged_but_not_kept(void **state)
{
	struct ttl_cache *c = helo_cache_create(4);
	struct timespec now = monotime_now();

	(void)state;
	answer_with(DNS_TYPE_A, addresses(MANY, 569, AF_INET), MANY,
	    DNS_OK);
	answer_with(DNS_TYPE_AAAA, NULL, 0, DNS_NODATA);
	expect_found(c, MANY, 569, CLIENT4, now);
	assert_int_equal(fake_resolver_sent(NAME), 2);
	assert_int_equal(ttl_cache_count(c), 0);
	ttl_cache_free(c);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_client_17th_of_20_a_records_is_no_mismatch),
		T(test_client_17th_of_20_aaaa_records_is_no_mismatch),
		T(test_client_570th_of_2048_records_is_no_mismatch),
		T(test_client_absent_from_2048_records_is_a_mismatch),
		T(test_a_and_aaaa_answers_are_both_kept_whole),
		T(test_cached_answer_keeps_every_address),
		T(test_huge_answer_is_judged_but_not_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
