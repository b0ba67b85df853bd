/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_audit_summary.c - the end of an audit: each address's worst
 * problem, the fixes kept worst first and bounded, the counts as text and
 * JSON, and the Prometheus textfile: label escaping and whole families.
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

#include "audit_prom.h"
#include "audit_summary.h"
#include "ptrcheck_report.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The text f wrote, NUL-terminated; the caller frees it. */
static char *
written(FILE *f)
{
	long n = ftell(f);
	char *buf = calloc(1, (size_t)n + 1);

	assert_non_null(buf);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static struct audit_outcome
outcome(const char *ip, enum iprev iprev, tag_set tags,
    enum verdict_action action)
{
	struct audit_outcome o;

	memset(&o, 0, sizeof(o));
	assert_int_equal(addr_parse(ip, &o.addr), 0);
	o.source.kind = AUDIT_SOURCE_ARGUMENT;
	o.iprev = iprev;
	o.tags = tags;
	o.action = action;
	o.enforced = action != VERDICT_ACCEPT;
	o.score = action == VERDICT_ACCEPT ? 0 : 5;
	return o;
}

static void
test_the_worst_problem_names_the_fix(void **state)
{
	static const struct {
		tag_set tags;
		enum audit_problem want;
	} rows[] = {
		{ 0, AUDIT_PROBLEM_NONE },
		{ TAG_BIT(TAG_DNSSEC_SECURE), AUDIT_PROBLEM_NONE },
		{ TAG_BIT(TAG_PTR_MULTIPLE), AUDIT_PROBLEM_NONE },
		{ TAG_BIT(TAG_NO_PTR) | TAG_BIT(TAG_HELO_NOT_FQDN),
		    AUDIT_PROBLEM_NO_PTR },
		{ TAG_BIT(TAG_PTR_NOT_CONFIRMED) |
		    TAG_BIT(TAG_PTR_FORWARD_NXDOMAIN),
		    AUDIT_PROBLEM_NOT_CONFIRMED },
		{ TAG_BIT(TAG_DNSSEC_BOGUS), AUDIT_PROBLEM_DNSSEC_BOGUS },
		{ TAG_BIT(TAG_DNS_TEMPERROR), AUDIT_PROBLEM_DNS_TEMPERROR },
		{ TAG_BIT(TAG_PTR_GENERIC) | TAG_BIT(TAG_HELO_PTR_MISMATCH),
		    AUDIT_PROBLEM_PTR_GENERIC },
		{ TAG_BIT(TAG_HELO_PTR_MISMATCH), AUDIT_PROBLEM_HELO_MISMATCH },
		{ TAG_BIT(TAG_HELO_INVALID), AUDIT_PROBLEM_HELO_NAME },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++)
		if (audit_problem_of(rows[i].tags) != rows[i].want)
			fail_msg("row %zu: %d, want %d", i,
			    audit_problem_of(rows[i].tags), rows[i].want);
	assert_string_equal(audit_problem_name(AUDIT_PROBLEM_NO_PTR),
	    "no_ptr");
	assert_string_equal(audit_problem_text(AUDIT_PROBLEM_NONE), "");
}

/* Worse fixes move ahead; equal ones keep their input order; past the
 * bound the least bad go, counted. */
static void
test_fixes_are_kept_worst_first_and_bounded(void **state)
{
	struct audit_summary *s = calloc(1, sizeof(*s));
	struct audit_outcome o;
	char ip[ADDR_TEXT_MAX];

	(void)state;
	assert_non_null(s);
	audit_summary_init(s);
	o = outcome("198.51.100.40", IPREV_PASS, TAG_BIT(TAG_PTR_GENERIC),
	    VERDICT_ACCEPT);
	audit_summary_add(s, &o, NULL);
	for (unsigned i = 0; i < AUDIT_FIXES_MAX + 5; i++) {
		snprintf(ip, sizeof(ip), "192.0.2.%u", i);
		o = outcome(ip, IPREV_PERMERROR, TAG_BIT(TAG_NO_PTR),
		    VERDICT_TEMPFAIL);
		audit_summary_add(s, &o, NULL);
	}
	o = outcome("198.51.100.20", IPREV_PASS, TAG_BIT(TAG_DNSSEC_SECURE),
	    VERDICT_ACCEPT);
	audit_summary_add(s, &o, NULL);
	assert_int_equal(s->checked, AUDIT_FIXES_MAX + 7);
	assert_int_equal(s->nfixes, AUDIT_FIXES_MAX);
	assert_int_equal(s->fixes_more, 6);
	assert_int_equal(s->iprev[IPREV_PERMERROR], AUDIT_FIXES_MAX + 5);
	assert_int_equal(s->iprev[IPREV_PASS], 2);
	assert_int_equal(s->action[VERDICT_TEMPFAIL], AUDIT_FIXES_MAX + 5);
	assert_int_equal(s->generic, 1);
	assert_int_equal(addr_format(&s->fixes[0].outcome.addr, ip,
	    sizeof(ip)), 0);
	assert_string_equal(ip, "192.0.2.0");
	assert_int_equal(addr_format(&s->fixes[AUDIT_FIXES_MAX - 1].outcome.addr,
	    ip, sizeof(ip)), 0);
	assert_string_equal(ip, "192.0.2.99");
	free(s);
}

static void
test_summary_text_and_json_carry_the_counts_and_hints(void **state)
{
	struct audit_summary *s = calloc(1, sizeof(*s));
	struct audit_outcome o;
	struct provider_hint h;
	FILE *f;
	char *text;

	(void)state;
	assert_non_null(s);
	audit_summary_init(s);
	memset(&h, 0, sizeof(h));
	h.show = true;
	h.id = "example-broadband";
	h.name = "Example \"Broadband\"";
	h.text = "https://portal.example/rdns\n";
	o = outcome("198.51.100.21", IPREV_PERMERROR, TAG_BIT(TAG_NO_PTR),
	    VERDICT_TEMPFAIL);
	o.enforced = false;
	audit_summary_add(s, &o, &h);
	o = outcome("198.51.100.20", IPREV_PASS, 0, VERDICT_ACCEPT);
	audit_summary_add(s, &o, NULL);
	s->listed = 3;
	s->not_enumerated = 1;
	s->not_judged = 7;

	assert_non_null(f = tmpfile());
	audit_summary_text(f, s);
	text = written(f);
	assert_non_null(strstr(text, "summary: 2 addresses checked (3 listed)\n"
	    "  iprev:    1 pass, 0 fail, 1 permerror, 0 temperror\n"
	    "  generic:  0\n  policy:   1 accepted, 1 deferred (tempfail), "
	    "0 rejected (mode=dry-run: not enforced)\n"
	    "  not checked: 1 prefix (see its note)\n"
	    "  not judged: 7 addresses past --max-total\n"
	    "fixes to make, worst first:\n"
	    "  198.51.100.21  no PTR  [argument]\n"
	    "      provider: Example \"Broadband\" (example-broadband): "
	    "reverse DNS: https://portal.example/rdns\\x0a\n"));
	free(text);

	assert_non_null(f = tmpfile());
	audit_summary_json(f, s);
	text = written(f);
	assert_string_equal(text, "{\"summary\":{\"checked\":2,\"listed\":3,"
	    "\"iprev\":{\"pass\":1,\"fail\":0,\"permerror\":1,"
	    "\"temperror\":0},\"generic\":0,\"action\":{\"accept\":1,"
	    "\"tempfail\":1,\"reject\":0},\"not_enforced\":1,"
	    "\"not_enumerated\":1,\"not_judged\":7,\"malformed\":0,"
	    "\"fixes\":[{\"ip\":"
	    "\"198.51.100.21\",\"source\":\"argument\",\"problem\":\"no_ptr\","
	    "\"text\":\"no PTR\",\"provider\":\"Example \\\"Broadband\\\" "
	    "(example-broadband)\",\"hint\":"
	    "\"https://portal.example/rdns\\u000a\"}],\"fixes_more\":0}}\n");
	free(text);
	free(s);
}

static void
test_prom_label_values_escape_backslash_quote_newline(void **state)
{
	char buf[32], tiny[5];

	(void)state;
	assert_int_equal(audit_prom_escape(buf, sizeof(buf),
	    "a\\b\"c\nd"), 0);
	assert_string_equal(buf, "a\\\\b\\\"c\\nd");
	assert_int_equal(audit_prom_escape(buf, sizeof(buf), ""), 0);
	assert_string_equal(buf, "");
	/* An escape is written whole or not at all. */
	assert_int_equal(audit_prom_escape(tiny, sizeof(tiny), "abc\""), -1);
	assert_string_equal(tiny, "abc");
	assert_int_equal(audit_prom_escape(tiny, 0, "x"), -1);
}

static void
test_prom_writes_each_family_whole_with_escaped_labels(void **state)
{
	struct audit_outcomes list;
	struct audit_summary *s = calloc(1, sizeof(*s));
	struct audit_outcome o;
	FILE *f;
	char *text;

	(void)state;
	assert_non_null(s);
	audit_summary_init(s);
	audit_outcomes_init(&list);
	o = outcome("198.51.100.40", IPREV_PASS, TAG_BIT(TAG_PTR_GENERIC),
	    VERDICT_ACCEPT);
	o.score = 2.5;
	o.source.kind = AUDIT_SOURCE_MX;
	o.source.text = "mx\"1\\.example.com";
	assert_int_equal(audit_outcomes_add(&list, &o), 0);
	audit_summary_add(s, &o, NULL);
	o = outcome("2001:db8::26", IPREV_PERMERROR, TAG_BIT(TAG_NO_PTR),
	    VERDICT_TEMPFAIL);
	assert_int_equal(audit_outcomes_add(&list, &o), 0);
	audit_summary_add(s, &o, NULL);

	assert_non_null(f = tmpfile());
	audit_prom_write(f, &list, s, 1700000000.5);
	text = written(f);
	assert_non_null(strstr(text, "# HELP ptrcheck_iprev "));
	assert_non_null(strstr(text, "# TYPE ptrcheck_iprev gauge\n"
	    "ptrcheck_iprev{address=\"198.51.100.40\",source="
	    "\"mx mx\\\"1\\\\x5c.example.com\",result=\"pass\"} 1\n"));
	assert_non_null(strstr(text, "ptrcheck_iprev{address=\"2001:db8::26\","
	    "source=\"argument\",result=\"temperror\"} 0\n"
	    "# HELP ptrcheck_dnssec_secure "));
	assert_non_null(strstr(text, "ptrcheck_score{address="
	    "\"198.51.100.40\",source=\"mx mx\\\"1\\\\x5c.example.com\"} 2.5\n"));
	assert_non_null(strstr(text, "ptrcheck_generic{address="
	    "\"2001:db8::26\",source=\"argument\"} 0\n"));
	assert_non_null(strstr(text, "ptrcheck_action{address="
	    "\"2001:db8::26\",source=\"argument\",action=\"tempfail\"} 1\n"));
	assert_non_null(strstr(text, "\nptrcheck_addresses 2\n"));
	assert_non_null(strstr(text, "\nptrcheck_fixes 2\n"));
	assert_non_null(strstr(text,
	    "\nptrcheck_checks_timestamp_seconds 1700000000.500\n"));
	free(text);
	audit_outcomes_free(&list);
	audit_outcomes_free(&list);
	free(s);
}

/* Listings of sources to come (an SPF term, an MX host): their text is
 * DNS-derived, escaped in every format. */
static void
test_listings_escape_a_source_from_dns(void **state)
{
	struct audit_target t;
	struct audit_outcome first;
	FILE *f;
	char *text;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.source.kind = AUDIT_SOURCE_SPF;
	t.source.text = "ip6:2001:db8::/48 via include:\"x\n";
	assert_int_equal(cidr_parse("2001:db8::/48", &t.source.prefix), 0);
	assert_non_null(f = tmpfile());
	report_note(f, &t.source, true);
	report_note(f, &t.source, false);
	text = written(f);
	assert_string_equal(text, "{\"source\":\"spf ip6:2001:db8::/48 via "
	    "include:\\\"x\\\\x0a\",\"prefix\":\"2001:db8::/48\",\"note\":"
	    "\"an IPv6 prefix cannot be enumerated: nothing in it was "
	    "checked; list its sending addresses one by one\"}\n"
	    "\nspf ip6:2001:db8::/48 via include:\"x\\x0a\n"
	    "  network: 2001:db8::/48\n  note:    an IPv6 prefix cannot be "
	    "enumerated: nothing in it was checked; list its sending "
	    "addresses one by one\n");
	free(text);

	/* An SPF ip4: term wider than --max-addresses is noted, not
	 * refused: the domain's other addresses are still judged. */
	t.source.text = "ip4:198.51.0.0/16";
	assert_int_equal(cidr_parse("198.51.0.0/16", &t.source.prefix), 0);
	assert_non_null(f = tmpfile());
	report_note(f, &t.source, true);
	text = written(f);
	assert_string_equal(text, "{\"source\":\"spf ip4:198.51.0.0/16\","
	    "\"prefix\":\"198.51.0.0/16\",\"note\":\"prefix holds more "
	    "addresses than --max-addresses: nothing in it was checked\"}\n");
	free(text);

	first = outcome("198.51.100.21", IPREV_PERMERROR, TAG_BIT(TAG_NO_PTR),
	    VERDICT_TEMPFAIL);
	t.addr = first.addr;
	t.source.kind = AUDIT_SOURCE_MX;
	t.source.text = "mx1.example.com";
	assert_non_null(f = tmpfile());
	report_duplicate(f, &t, &first, true);
	report_duplicate(f, &t, &first, false);
	text = written(f);
	assert_string_equal(text, "{\"ip\":\"198.51.100.21\",\"source\":"
	    "\"mx mx1.example.com\",\"same_as\":\"argument\",\"iprev\":"
	    "\"permerror\",\"dnssec\":\"insecure\",\"tags\":[\"no_ptr\"],"
	    "\"score\":5.0,\"action\":\"tempfail\",\"enforced\":true}\n"
	    "198.51.100.21\n  same as: argument: iprev=permerror "
	    "dnssec=insecure score=5.0 -> tempfail\n");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_worst_problem_names_the_fix),
		cmocka_unit_test(test_fixes_are_kept_worst_first_and_bounded),
		cmocka_unit_test(
		    test_summary_text_and_json_carry_the_counts_and_hints),
		cmocka_unit_test(
		    test_prom_label_values_escape_backslash_quote_newline),
		cmocka_unit_test(
		    test_prom_writes_each_family_whole_with_escaped_labels),
		cmocka_unit_test(test_listings_escape_a_source_from_dns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
