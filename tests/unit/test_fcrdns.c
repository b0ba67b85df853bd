/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_fcrdns.c - the FCrDNS algorithm and its verdicts over a scripted
 * resolver: every iprev outcome, DNSSEC states, CNAMEs, caps, hostile data,
 * and that no callback outlives its job.
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
#include "fcrdns.h"
#include "monotime.h"

#define CLIENT4 "198.51.100.20"
#define REV4 "20.100.51.198.in-addr.arpa"
#define CLIENT6 "2001:db8:1::25"
#define REV6 "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"

static struct fcrdns *job;

static int
setup(void **state)
{
	(void)state;
	fake_resolver_reset();
	job = NULL;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	fcrdns_free(job);
	job = NULL;
	assert_int_equal(fake_resolver_live(), 0);
	fake_resolver_reset();
	return 0;
}

/* Starts a job, answers everything that has an answer, and waits at most
 * wait_ms for the rest. */
static const struct fcrdns_result *
run(const char *ip, unsigned max_names, unsigned wait_ms)
{
	struct addr a;

	assert_int_equal(addr_parse(ip, &a), 0);
	job = fcrdns_start((struct resolver *)1, &a, max_names);
	assert_non_null(job);
	fake_resolver_deliver();
	(void)fcrdns_wait(job, monotime_add_ms(monotime_now(), wait_ms));
	return fcrdns_finish(job);
}

static void
ptr(const char *rev, enum dnssec_state sec, const char *n1, const char *n2)
{
	struct fake_rule r = { .name = rev, .rrtype = DNS_TYPE_PTR,
	    .status = DNS_OK, .dnssec = sec, .data = { n1, n2 } };
	fake_resolver_add(&r);
}

static void
fwd(const char *name, int type, enum dnssec_state sec, const char *a1,
    const char *a2)
{
	struct fake_rule r = { .name = name, .rrtype = type,
	    .status = DNS_OK, .dnssec = sec, .data = { a1, a2 } };
	fake_resolver_add(&r);
}

static void
fails(const char *name, int type, enum dns_status st, int rcode,
    enum dnssec_state sec)
{
	struct fake_rule r = { .name = name, .rrtype = type, .status = st,
	    .rcode = rcode, .dnssec = sec };
	fake_resolver_add(&r);
}

static void
silent(const char *name, int type)
{
	struct fake_rule r = { .name = name, .rrtype = type, .never = true };
	fake_resolver_add(&r);
}

static bool
has(const struct fcrdns_result *res, enum tag t)
{
	return (res->tags & TAG_BIT(t)) != 0;
}

static void
test_confirmed_secure_chain_is_pass_secure(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "mail.example.com", NULL);
	fwd("mail.example.com", DNS_TYPE_A, DNSSEC_SECURE, CLIENT4, NULL);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_PASS);
	assert_int_equal(res->dnssec, DNSSEC_SECURE);
	assert_int_equal(res->confirmed, 0);
	assert_string_equal(res->names[0].name, "mail.example.com");
	assert_true(res->names[0].confirmed);
	assert_true(has(res, TAG_DNSSEC_SECURE));
	assert_false(has(res, TAG_PTR_MULTIPLE));
}

static void
test_insecure_forward_makes_pass_insecure(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "mail.example.net", NULL);
	fwd("mail.example.net", DNS_TYPE_A, DNSSEC_INSECURE, CLIENT4, NULL);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_PASS);
	assert_int_equal(res->dnssec, DNSSEC_INSECURE);
	assert_false(has(res, TAG_DNSSEC_SECURE));
}

static void
test_nxdomain_ptr_is_permerror_no_ptr(void **state)
{
	(void)state;
	fails(REV4, DNS_TYPE_PTR, DNS_NXDOMAIN, DNS_RCODE_NXDOMAIN,
	    DNSSEC_SECURE);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_PERMERROR);
	assert_int_equal(res->dnssec, DNSSEC_SECURE);
	assert_true(has(res, TAG_NO_PTR));
	assert_int_equal(res->nnames, 0);
}

static void
test_nodata_ptr_is_permerror_no_ptr(void **state)
{
	(void)state;
	fails(REV4, DNS_TYPE_PTR, DNS_NODATA, 0, DNSSEC_INSECURE);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_PERMERROR);
	assert_true(has(res, TAG_NO_PTR));
}

static void
test_ptr_servfail_is_temperror_not_fail(void **state)
{
	(void)state;
	fails(REV4, DNS_TYPE_PTR, DNS_TEMPFAIL, DNS_RCODE_SERVFAIL,
	    DNSSEC_INSECURE);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_TEMPERROR);
	assert_true(has(res, TAG_DNS_TEMPERROR));
	assert_false(has(res, TAG_NO_PTR));
}

static void
test_ptr_timeout_is_temperror_at_the_deadline(void **state)
{
	(void)state;
	silent(REV4, DNS_TYPE_PTR);
	struct timespec t0 = monotime_now();
	const struct fcrdns_result *res = run(CLIENT4, 10, 50);
	assert_true(monotime_diff_ms(t0, monotime_now()) >= 49);
	assert_int_equal(res->iprev, IPREV_TEMPERROR);
	assert_int_equal(res->ptr.status, DNS_TIMEOUT);
	assert_true(has(res, TAG_DNS_TEMPERROR));
}

static void
test_bogus_ptr_is_temperror_dnssec_bogus(void **state)
{
	(void)state;
	struct fake_rule r = { .name = REV4, .rrtype = DNS_TYPE_PTR,
	    .status = DNS_BOGUS, .dnssec = DNSSEC_BOGUS,
	    .why_bogus = "signature expired\x01\n",
	    .data = { "mail.example.com" } };
	fake_resolver_add(&r);
	fwd("mail.example.com", DNS_TYPE_A, DNSSEC_SECURE, CLIENT4, NULL);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_TEMPERROR);
	assert_int_equal(res->dnssec, DNSSEC_BOGUS);
	assert_true(has(res, TAG_DNSSEC_BOGUS));
	/* bogus data is never used: no name followed */
	assert_int_equal(res->nnames, 0);
	assert_int_equal(fake_resolver_sent("mail.example.com"), 0);
	assert_string_equal(res->ptr.why, "signature expired??");
}

static void
test_bogus_forward_with_matching_data_is_temperror(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "mail.example.com", NULL);
	struct fake_rule r = { .name = "mail.example.com",
	    .rrtype = DNS_TYPE_A, .status = DNS_BOGUS,
	    .dnssec = DNSSEC_BOGUS, .data = { CLIENT4 } };
	fake_resolver_add(&r);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_TEMPERROR);
	assert_true(has(res, TAG_DNSSEC_BOGUS));
	assert_false(res->names[0].confirmed);
}

static void
test_forward_elsewhere_is_fail(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "elsewhere.example.com", NULL);
	fwd("elsewhere.example.com", DNS_TYPE_A, DNSSEC_SECURE,
	    "203.0.113.99", NULL);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_FAIL);
	assert_int_equal(res->dnssec, DNSSEC_SECURE);
	assert_true(has(res, TAG_PTR_NOT_CONFIRMED));
	assert_false(has(res, TAG_PTR_FORWARD_NXDOMAIN));
	assert_int_equal(res->names[0].naddrs, 1);
}

static void
test_forward_nxdomain_is_fail_not_permerror(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "nxname.example.com", NULL);
	fails("nxname.example.com", DNS_TYPE_A, DNS_NXDOMAIN,
	    DNS_RCODE_NXDOMAIN, DNSSEC_SECURE);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_FAIL);
	assert_true(has(res, TAG_PTR_NOT_CONFIRMED));
	assert_true(has(res, TAG_PTR_FORWARD_NXDOMAIN));
	assert_false(has(res, TAG_NO_PTR));
}

static void
test_forward_servfail_is_temperror(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "host.servfail.example.com", NULL);
	fails("host.servfail.example.com", DNS_TYPE_A, DNS_TEMPFAIL,
	    DNS_RCODE_SERVFAIL, DNSSEC_INSECURE);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_TEMPERROR);
	assert_true(has(res, TAG_DNS_TEMPERROR));
	assert_false(has(res, TAG_PTR_NOT_CONFIRMED));
}

static void
test_second_name_confirms_is_pass_with_ptr_multiple(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "first.example.com", "second.example.com");
	fwd("first.example.com", DNS_TYPE_A, DNSSEC_SECURE, "192.0.2.1",
	    NULL);
	fwd("second.example.com", DNS_TYPE_A, DNSSEC_SECURE, "192.0.2.7",
	    CLIENT4);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_PASS);
	assert_int_equal(res->confirmed, 1);
	assert_false(res->names[0].confirmed);
	assert_true(has(res, TAG_PTR_MULTIPLE));
	assert_int_equal(res->dnssec, DNSSEC_SECURE);
}

static void
test_pass_even_when_another_name_servfails(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "broken.example.com", "mail.example.com");
	fails("broken.example.com", DNS_TYPE_A, DNS_TEMPFAIL,
	    DNS_RCODE_SERVFAIL, DNSSEC_INSECURE);
	fwd("mail.example.com", DNS_TYPE_A, DNSSEC_SECURE, CLIENT4, NULL);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_PASS);
	assert_false(has(res, TAG_DNS_TEMPERROR));
}

static void
test_pass_even_when_another_name_times_out(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "slow.example.com", "mail.example.com");
	silent("slow.example.com", DNS_TYPE_A);
	fwd("mail.example.com", DNS_TYPE_A, DNSSEC_SECURE, CLIENT4, NULL);
	const struct fcrdns_result *res = run(CLIENT4, 10, 20);
	assert_int_equal(res->iprev, IPREV_PASS);
	assert_int_equal(res->names[0].forward.status, DNS_TIMEOUT);
}

static void
test_timeout_and_nxdomain_without_confirmation_is_temperror(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "slow.example.com", "gone.example.com");
	silent("slow.example.com", DNS_TYPE_A);
	fails("gone.example.com", DNS_TYPE_A, DNS_NXDOMAIN,
	    DNS_RCODE_NXDOMAIN, DNSSEC_SECURE);
	const struct fcrdns_result *res = run(CLIENT4, 10, 20);
	assert_int_equal(res->iprev, IPREV_TEMPERROR);
	assert_true(has(res, TAG_DNS_TEMPERROR));
	assert_false(has(res, TAG_PTR_NOT_CONFIRMED));
}

static void
test_cname_target_is_recorded_for_display(void **state)
{
	(void)state;
	struct fake_rule r = { .name = "70.100.51.198.in-addr.arpa",
	    .rrtype = DNS_TYPE_PTR, .status = DNS_OK,
	    .dnssec = DNSSEC_SECURE,
	    .canonname = "70.64-26.100.51.198.in-addr.arpa.",
	    .data = { "classless.example.com" } };
	fake_resolver_add(&r);
	fwd("classless.example.com", DNS_TYPE_A, DNSSEC_SECURE,
	    "198.51.100.70", NULL);
	const struct fcrdns_result *res = run("198.51.100.70", 10, 100);
	assert_int_equal(res->iprev, IPREV_PASS);
	assert_non_null(res->ptr.canon);
	assert_string_equal(res->ptr.canon,
	    "70.64-26.100.51.198.in-addr.arpa");
}

static void
test_more_ptrs_than_the_cap_follows_only_the_cap(void **state)
{
	(void)state;
	struct fake_rule r = { .name = REV4, .rrtype = DNS_TYPE_PTR,
	    .status = DNS_OK, .dnssec = DNSSEC_SECURE,
	    .data = { "m1.example.com", "m2.example.com", "m3.example.com",
	    "m4.example.com", "m5.example.com" } };
	fake_resolver_add(&r);
	fwd("m5.example.com", DNS_TYPE_A, DNSSEC_SECURE, CLIENT4, NULL);
	const struct fcrdns_result *res = run(CLIENT4, 3, 100);
	assert_int_equal(res->ptr_count, 5);
	assert_int_equal(res->nnames, 3);
	assert_int_equal(fake_resolver_sent("m4.example.com"), 0);
	assert_int_equal(fake_resolver_sent("m5.example.com"), 0);
	assert_int_equal(res->iprev, IPREV_FAIL);
	assert_true(has(res, TAG_PTR_MULTIPLE));
}

static void
test_duplicate_ptr_names_are_followed_once(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "mail.example.com", "MAIL.example.com");
	fwd("mail.example.com", DNS_TYPE_A, DNSSEC_SECURE, CLIENT4, NULL);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->nnames, 1);
	assert_int_equal(fake_resolver_sent("mail.example.com"), 1);
	assert_int_equal(res->iprev, IPREV_PASS);
}

static void
test_ipv6_client_asks_aaaa(void **state)
{
	(void)state;
	ptr(REV6, DNSSEC_SECURE, "mail6.example.com", NULL);
	fwd("mail6.example.com", DNS_TYPE_A, DNSSEC_SECURE, CLIENT4, NULL);
	fwd("mail6.example.com", DNS_TYPE_AAAA, DNSSEC_SECURE, CLIENT6,
	    NULL);
	const struct fcrdns_result *res = run(CLIENT6, 10, 100);
	assert_int_equal(res->iprev, IPREV_PASS);
	assert_int_equal(res->dnssec, DNSSEC_SECURE);
}

static void
test_mapped_ipv4_client_uses_in_addr_arpa(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "mail.example.com", NULL);
	fwd("mail.example.com", DNS_TYPE_A, DNSSEC_SECURE, CLIENT4, NULL);
	const struct fcrdns_result *res = run("::ffff:" CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_PASS);
	assert_string_equal(res->reverse, REV4);
}

static void
test_resolver_refusing_a_query_is_temperror(void **state)
{
	(void)state;
	struct fake_rule r = { .name = REV4, .rrtype = DNS_TYPE_PTR,
	    .refuse = true };
	fake_resolver_add(&r);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->iprev, IPREV_TEMPERROR);
	assert_true(has(res, TAG_DNS_TEMPERROR));
}

static void
test_hostile_ptr_rdata_is_escaped_or_dropped(void **state)
{
	(void)state;
	/* one label "a b.c" holding a space and a dot, then "example" */
	static const uint8_t odd[] = { 5, 'a', ' ', 'b', '.', 'c',
	    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	/* a compression pointer: not allowed in our decoder */
	static const uint8_t ptrbad[] = { 0xc0, 0x0c };
	struct fake_rule r1 = { .name = REV4, .rrtype = DNS_TYPE_PTR,
	    .status = DNS_OK, .dnssec = DNSSEC_SECURE,
	    .wire = odd, .wire_len = sizeof(odd) };
	fake_resolver_add(&r1);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->nnames, 1);
	assert_string_equal(res->names[0].name, "a\\032b\\.c.example");
	assert_int_equal(res->iprev, IPREV_FAIL);
	fcrdns_free(job);
	job = NULL;

	fake_resolver_reset();
	struct fake_rule r2 = { .name = REV4, .rrtype = DNS_TYPE_PTR,
	    .status = DNS_OK, .dnssec = DNSSEC_SECURE,
	    .wire = ptrbad, .wire_len = sizeof(ptrbad) };
	fake_resolver_add(&r2);
	res = run(CLIENT4, 10, 100);
	assert_int_equal(res->nnames, 0);
	assert_int_equal(res->ptr_invalid, 1);
	assert_int_equal(res->iprev, IPREV_FAIL);
}

static void
test_forward_rdata_of_wrong_length_is_ignored(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "mail.example.com", NULL);
	fwd("mail.example.com", DNS_TYPE_A, DNSSEC_SECURE, "abc", NULL);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->names[0].naddrs, 0);
	assert_int_equal(res->iprev, IPREV_FAIL);
}

static void
test_free_before_any_answer_releases_every_query(void **state)
{
	(void)state;
	struct addr a;
	ptr(REV4, DNSSEC_SECURE, "mail.example.com", "other.example.com");
	assert_int_equal(addr_parse(CLIENT4, &a), 0);
	job = fcrdns_start((struct resolver *)1, &a, 10);
	assert_non_null(job);
	assert_false(fcrdns_done(job));
	fcrdns_free(job);
	job = NULL;
	assert_int_equal(fake_resolver_live(), 0);
	/* a late answer must not reach the freed job */
	assert_int_equal(fake_resolver_deliver(), 0);
}

static void
test_finish_after_ptr_starts_no_forward_lookups(void **state)
{
	(void)state;
	struct addr a;
	silent("mail.example.com", DNS_TYPE_A);
	ptr(REV4, DNSSEC_SECURE, "mail.example.com", NULL);
	assert_int_equal(addr_parse(CLIENT4, &a), 0);
	job = fcrdns_start((struct resolver *)1, &a, 10);
	fake_resolver_deliver();
	const struct fcrdns_result *res = fcrdns_finish(job);
	assert_int_equal(res->names[0].forward.status, DNS_TIMEOUT);
	assert_int_equal(res->iprev, IPREV_TEMPERROR);
	/* finishing twice gives the same result */
	assert_ptr_equal(fcrdns_finish(job), res);
}

static void
test_client_570th_of_2048_forward_records_confirms(void **state)
{
	static char texts[2048][16];
	static const char *list[2048];

	(void)state;
	for (size_t i = 0; i < 2048; i++) {
		snprintf(texts[i], sizeof(texts[i]), "10.0.%zu.%zu", i / 256,
		    i % 256);
		list[i] = i == 569 ? CLIENT4 : texts[i];
	}
	ptr(REV4, DNSSEC_SECURE, "big.example.com", NULL);
	struct fake_rule r = { .name = "big.example.com",
	    .rrtype = DNS_TYPE_A, .status = DNS_OK, .dnssec = DNSSEC_SECURE,
	    .more = list, .nmore = 2048 };
	fake_resolver_add(&r);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	assert_int_equal(res->names[0].naddrs, 2048);
	assert_int_equal(res->iprev, IPREV_PASS);
}

/* The PTR answer comes while the owner is finishing the job: the names
 * are recorded, no forward lookup starts, the verdict is temperror and
 * the result rests on lookups never made, so it is not reusable. */
static void
test_ptr_answer_while_finishing_is_temperror_not_reusable(void **state)
{
	(void)state;
	struct fake_rule r = { .name = REV4, .rrtype = DNS_TYPE_PTR,
	    .status = DNS_OK, .dnssec = DNSSEC_SECURE, .ttl = 300,
	    .data = { "mail.example.com" }, .on_release = true };
	fake_resolver_add(&r);
	fwd("mail.example.com", DNS_TYPE_A, DNSSEC_SECURE, CLIENT4, NULL);
	const struct fcrdns_result *res = run(CLIENT4, 10, 10);
	assert_int_equal(res->ptr.status, DNS_OK);
	assert_int_equal(res->nnames, 1);
	assert_false(res->names[0].forward.started);
	assert_int_equal(fake_resolver_sent("mail.example.com"), 0);
	assert_int_equal(res->iprev, IPREV_TEMPERROR);
	assert_true(has(res, TAG_DNS_TEMPERROR));
	assert_false(res->reusable);
}

/* Reusable until the first answer's TTL runs out, from its arrival. */
static void
test_reusable_until_the_earliest_answer_expires(void **state)
{
	(void)state;
	struct timespec before = monotime_now();
	struct fake_rule p = { .name = REV4, .rrtype = DNS_TYPE_PTR,
	    .status = DNS_OK, .dnssec = DNSSEC_SECURE, .ttl = 300,
	    .data = { "mail.example.com" } };
	struct fake_rule a = { .name = "mail.example.com",
	    .rrtype = DNS_TYPE_A, .status = DNS_OK, .dnssec = DNSSEC_SECURE,
	    .ttl = 60, .data = { CLIENT4 } };
	fake_resolver_add(&p);
	fake_resolver_add(&a);
	const struct fcrdns_result *res = run(CLIENT4, 10, 100);
	int64_t ms = monotime_diff_ms(before, res->expires);
	assert_true(res->reusable);
	assert_true(ms >= 60000 && ms < 61000);
}

/* One name confirms, another's lookup timed out: the pass stands, but
 * the result rests on a timeout and is not reused. */
static void
test_pass_with_a_timed_out_name_is_not_reusable(void **state)
{
	(void)state;
	ptr(REV4, DNSSEC_SECURE, "slow.example.com", "mail.example.com");
	silent("slow.example.com", DNS_TYPE_A);
	fwd("mail.example.com", DNS_TYPE_A, DNSSEC_SECURE, CLIENT4, NULL);
	const struct fcrdns_result *res = run(CLIENT4, 10, 20);
	assert_int_equal(res->iprev, IPREV_PASS);
	assert_false(res->reusable);
}

static void
test_iprev_names_are_rfc8601_words(void **state)
{
	(void)state;
	assert_string_equal(iprev_name(IPREV_PASS), "pass");
	assert_string_equal(iprev_name(IPREV_FAIL), "fail");
	assert_string_equal(iprev_name(IPREV_PERMERROR), "permerror");
	assert_string_equal(iprev_name(IPREV_TEMPERROR), "temperror");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_confirmed_secure_chain_is_pass_secure),
		T(test_insecure_forward_makes_pass_insecure),
		T(test_nxdomain_ptr_is_permerror_no_ptr),
		T(test_nodata_ptr_is_permerror_no_ptr),
		T(test_ptr_servfail_is_temperror_not_fail),
		T(test_ptr_timeout_is_temperror_at_the_deadline),
		T(test_bogus_ptr_is_temperror_dnssec_bogus),
		T(test_bogus_forward_with_matching_data_is_temperror),
		T(test_forward_elsewhere_is_fail),
		T(test_forward_nxdomain_is_fail_not_permerror),
		T(test_forward_servfail_is_temperror),
		T(test_second_name_confirms_is_pass_with_ptr_multiple),
		T(test_pass_even_when_another_name_servfails),
		T(test_pass_even_when_another_name_times_out),
		T(test_timeout_and_nxdomain_without_confirmation_is_temperror),
		T(test_cname_target_is_recorded_for_display),
		T(test_more_ptrs_than_the_cap_follows_only_the_cap),
		T(test_duplicate_ptr_names_are_followed_once),
		T(test_ipv6_client_asks_aaaa),
		T(test_mapped_ipv4_client_uses_in_addr_arpa),
		T(test_resolver_refusing_a_query_is_temperror),
		T(test_hostile_ptr_rdata_is_escaped_or_dropped),
		T(test_forward_rdata_of_wrong_length_is_ignored),
		T(test_free_before_any_answer_releases_every_query),
		T(test_finish_after_ptr_starts_no_forward_lookups),
		T(test_client_570th_of_2048_forward_records_confirms),
		T(test_ptr_answer_while_finishing_is_temperror_not_reusable),
		T(test_reusable_until_the_earliest_answer_expires),
		T(test_pass_with_a_timed_out_name_is_not_reusable),
		T(test_iprev_names_are_rfc8601_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
