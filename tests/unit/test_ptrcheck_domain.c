/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ptrcheck_domain.c - ptrcheck --domain over the scripted resolver:
 * the networks a domain yields, in order, with their source labels, the
 * number of addresses each source's heading counts and the HELO each
 * address is judged with; the domain's exit status for every record
 * result and a name that does not exist; the names --domain takes; the
 * JSON object of the record.
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
#include "monotime.h"
#include "ptrcheck_domain.h"
#include "ptrcheck_status.h"

#define RESOLVER ((struct resolver *)1)
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

#define TXT(n, text) { .name = (n), .rrtype = DNS_TYPE_TXT,		\
	.status = DNS_OK, .dnssec = DNSSEC_SECURE, .data = { (text) } }
#define ADDR(n, type, a) { .name = (n), .rrtype = (type),		\
	.status = DNS_OK, .dnssec = DNSSEC_SECURE, .data = { (a) } }
#define MX(n, host) { .name = (n), .rrtype = DNS_TYPE_MX,		\
	.status = DNS_OK, .dnssec = DNSSEC_SECURE, .data = { (host) } }
#define FAILS(n, type) { .name = (n), .rrtype = (type),			\
	.status = DNS_TEMPFAIL, .rcode = 2 }

/* A domain with every kind of source: an ip4 network, a bare a, an
 * a:NAME/30, an include holding mx:NAME and two ip6 terms; and an MX host
 * of its own. */
static const struct fake_rule every_source[] = {
	TXT("example.com", "v=spf1 ip4:192.0.2.0/28 a "
	    "a:relay.example.com/30 include:_spf.example.com -all"),
	TXT("_spf.example.com", "v=spf1 mx:other.example.com "
	    "ip6:2001:db8::/48 ip6:2001:db8::25 -all"),
	ADDR("example.com", DNS_TYPE_A, "198.51.100.7"),
	ADDR("relay.example.com", DNS_TYPE_A, "198.51.100.9"),
	MX("other.example.com", "10 mx.other.example.com"),
	ADDR("mx.other.example.com", DNS_TYPE_A, "203.0.113.1"),
	MX("example.com", "10 mx1.example.com"),
	ADDR("mx1.example.com", DNS_TYPE_A, "203.0.113.5"),
};

/* What each network of every_source must be. */
static const struct {
	enum audit_source_kind kind;
	const char *label;
	const char *net;
	unsigned long count;		/* of its whole source */
	const char *helo;		/* without --helo */
} want_networks[] = {
	{ AUDIT_SOURCE_SPF, "ip4:192.0.2.0/28", "192.0.2.0/28", 16, NULL },
	{ AUDIT_SOURCE_SPF, "a (example.com)", "198.51.100.7/32", 1,
	    "example.com" },
	{ AUDIT_SOURCE_SPF, "a:relay.example.com/30", "198.51.100.8/30", 4,
	    NULL },
	{ AUDIT_SOURCE_SPF, "mx:other.example.com (mx.other.example.com) "
	    "via include:_spf.example.com", "203.0.113.1/32", 1,
	    "mx.other.example.com" },
	{ AUDIT_SOURCE_SPF, "ip6:2001:db8::/48 via include:_spf.example.com",
	    "2001:db8::/48", 0, NULL },
	{ AUDIT_SOURCE_SPF, "ip6:2001:db8::25 via include:_spf.example.com",
	    "2001:db8::25/128", 1, NULL },
	{ AUDIT_SOURCE_MX, "mx1.example.com", "203.0.113.5/32", 1,
	    "mx1.example.com" },
};

static void
collect_at_most(const char *domain, unsigned long max_total,
    struct domain_audit *d)
{
	assert_int_equal(domain_audit_collect(RESOLVER, domain,
	    monotime_add_ms(monotime_now(), 5000), NULL, 256, max_total, d),
	    0);
	assert_int_equal(fake_resolver_live(), 0);
}

static void
collect(const char *domain, const char *helo, struct domain_audit *d)
{
	assert_int_equal(domain_audit_collect(RESOLVER, domain,
	    monotime_add_ms(monotime_now(), 5000), helo, 256,
	    AUDIT_MAX_TOTAL_DEFAULT, d), 0);
	assert_int_equal(fake_resolver_live(), 0);
}

static void
test_networks_in_order_with_labels_counts_and_helo(void **state)
{
	struct domain_audit d;
	char net[CIDR_TEXT_MAX];

	(void)state;
	fake_resolver_script(every_source, NROWS(every_source));
	collect("example.com.", NULL, &d);
	assert_string_equal(d.domain, "example.com");
	assert_false(d.nxdomain);
	assert_int_equal(d.nnetworks, NROWS(want_networks));
	for (size_t i = 0; i < NROWS(want_networks); i++) {
		const struct domain_network *n = &d.networks[i];

		assert_int_equal(n->source.kind, want_networks[i].kind);
		assert_string_equal(n->source.text, want_networks[i].label);
		assert_int_equal(cidr_format(&n->net, net, sizeof(net)), 0);
		assert_string_equal(net, want_networks[i].net);
		assert_int_equal(n->source.count, want_networks[i].count);
		if (want_networks[i].helo == NULL)
			assert_null(n->helo);
		else
			assert_string_equal(n->helo, want_networks[i].helo);
	}
	assert_int_equal(domain_audit_status(&d, false), PTRCHECK_EXIT_PASS);
	domain_audit_free(&d);
}

static void
test_helo_option_is_every_networks_helo(void **state)
{
	static const char helo[] = "out.example.net";
	struct domain_audit d;

	(void)state;
	fake_resolver_script(every_source, NROWS(every_source));
	collect("example.com", helo, &d);
	assert_int_equal(d.nnetworks, NROWS(want_networks));
	for (size_t i = 0; i < d.nnetworks; i++)
		assert_ptr_equal(d.networks[i].helo, helo);
	domain_audit_free(&d);
}

static void
test_nxdomain_is_68_whatever_fail_on(void **state)
{
	struct domain_audit d;

	(void)state;
	fake_resolver_script(NULL, 0);
	collect("gone.example", NULL, &d);
	assert_true(d.nxdomain);
	assert_int_equal(d.nnetworks, 0);
	assert_int_equal(domain_audit_status(&d, false), PTRCHECK_EXIT_NOHOST);
	assert_int_equal(domain_audit_status(&d, true), PTRCHECK_EXIT_NOHOST);
	domain_audit_free(&d);
}

static void
test_record_results_map_to_exit_statuses(void **state)
{
	static const struct fake_rule rules[] = {
		TXT("ok.example", "v=spf1 ip4:192.0.2.1 -all"),
		TXT("perm.example", "v=spf1 ipv4:192.0.2.1 -all"),
		FAILS("temp.example", DNS_TYPE_TXT),
		TXT("mxtemp.example", "v=spf1 -all"),
		FAILS("mxtemp.example", DNS_TYPE_MX),
		/* No SPF record, but the name exists: MX hosts only. */
		MX("nospf.example", "10 mx.nospf.example"),
		ADDR("mx.nospf.example", DNS_TYPE_A, "192.0.2.9"),
	};
	static const struct {
		const char *domain;
		int status, never;
	} cases[] = {
		{ "ok.example", PTRCHECK_EXIT_PASS, PTRCHECK_EXIT_PASS },
		{ "perm.example", PTRCHECK_EXIT_PERMANENT, PTRCHECK_EXIT_PASS },
		{ "temp.example", PTRCHECK_EXIT_TEMPORARY, PTRCHECK_EXIT_PASS },
		{ "mxtemp.example", PTRCHECK_EXIT_TEMPORARY,
		    PTRCHECK_EXIT_PASS },
		{ "nospf.example", PTRCHECK_EXIT_PASS, PTRCHECK_EXIT_PASS },
	};
	struct domain_audit d;

	(void)state;
	for (size_t i = 0; i < NROWS(cases); i++) {
		fake_resolver_script(rules, NROWS(rules));
		collect(cases[i].domain, NULL, &d);
		assert_false(d.nxdomain);
		assert_int_equal(domain_audit_status(&d, false),
		    cases[i].status);
		assert_int_equal(domain_audit_status(&d, true),
		    cases[i].never);
		domain_audit_free(&d);
	}
	fake_resolver_script(rules, NROWS(rules));
	collect("nospf.example", NULL, &d);
	assert_int_equal(d.spf.result, SPF_RESULT_NONE);
	assert_int_equal(d.nnetworks, 1);
	assert_int_equal(d.networks[0].source.kind, AUDIT_SOURCE_MX);
	domain_audit_free(&d);
}

static void
test_domain_names_accepted(void **state)
{
	static const struct {
		const char *text;
		bool ok;
	} cases[] = {
		{ "example.com", true }, { "example.com.", true },
		{ "_spf.example.com", true }, { "", false }, { ".", false },
		{ "example..com", false }, { "example.com..", false },
		{ "bad name.example", false }, { "x\n.example", false },
	};
	char longest[300];

	(void)state;
	for (size_t i = 0; i < NROWS(cases); i++)
		assert_int_equal(domain_name_ok(cases[i].text), cases[i].ok);
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	assert_false(domain_name_ok(longest));
}

static void
test_networks_checked_counts(void **state)
{
	static const struct {
		const char *net;
		unsigned long max, want;
	} cases[] = {
		{ "192.0.2.0/28", 256, 16 }, { "192.0.2.0/24", 256, 256 },
		{ "192.0.2.0/23", 256, 0 }, { "192.0.2.0/23", 512, 512 },
		{ "192.0.2.7/32", 1, 1 }, { "2001:db8::/48", 65536, 0 },
		{ "2001:db8::25/128", 1, 1 },
	};
	struct cidr c;

	(void)state;
	for (size_t i = 0; i < NROWS(cases); i++) {
		assert_int_equal(cidr_parse(cases[i].net, &c), 0);
		assert_int_equal(domain_network_checked(&c, cases[i].max),
		    cases[i].want);
	}
}

/* The JSON object carries the record, the MX hosts and the networks;
 * a note's quote is escaped. */
static void
test_json_object_of_the_record(void **state)
{
	static const struct fake_rule rules[] = {
		TXT("q.example", "v=spf1 exists:%{i}.q.example ptr "
		    "ip4:192.0.2.1 -all"),
	};
	struct domain_audit d;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	collect("q.example", NULL, &d);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	domain_report_json(out, &d);
	assert_int_equal(fclose(out), 0);
	assert_non_null(strstr(buf, "{\"domain\":{\"name\":\"q.example\","
	    "\"exists\":true,\"spf\":{\"result\":\"ok\",\"reason\":\"\","
	    "\"dnssec\":\"secure\",\"dns_lookups\":2,\"void_lookups\":0,"));
	assert_non_null(strstr(buf, "{\"severity\":\"warning\",\"text\":"
	    "\"exists:%{i}.q.example: cannot be expanded"));
	assert_non_null(strstr(buf, "\"mx\":{\"status\":\"none\""));
	assert_non_null(strstr(buf, "\"networks\":[{\"kind\":\"spf\","
	    "\"source\":\"ip4:192.0.2.1\",\"prefix\":\"192.0.2.1/32\","
	    "\"checked\":1,\"judged\":1,\"enumerated\":true,\"helo\":null}]}}"
	    "\n"));
	assert_non_null(strstr(buf, ",\"addresses\":{\"named\":1,\"judged\":1,"
	    "\"max_total\":4096,\"capped\":false}"));
	free(buf);
	domain_audit_free(&d);
}

/* The report of a domain as text or JSON, allocated. */
static char *
report_of(const struct domain_audit *d, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	if (json)
		domain_report_json(out, d);
	else
		domain_report_text(out, d);
	assert_int_equal(fclose(out), 0);
	return buf;
}

/* --max-total: the first addresses in report order are judged, the rest
 * counted and said; the status is not "all good", even with --fail-on
 * never, but a failure of the record says more. */
static void
test_max_total_judges_the_first_addresses_and_says_so(void **state)
{
	static const struct fake_rule rules[] = {
		TXT("big.example", "v=spf1 ip4:192.0.2.0/24 "
		    "ip4:198.51.100.0/24 ip4:203.0.113.0/28 a -all"),
		ADDR("big.example", DNS_TYPE_A, "203.0.113.99"),
		TXT("perm.example", "v=spf1 ip4:192.0.2.0/24 ipv4:1 -all"),
	};
	static const unsigned long want_judged[] = { 256, 44, 0, 0 };
	struct domain_audit d;
	char *text;

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	collect_at_most("big.example", 300, &d);
	assert_int_equal(d.nnetworks, NROWS(want_judged));
	for (size_t i = 0; i < NROWS(want_judged); i++) {
		assert_int_equal(d.networks[i].judged, want_judged[i]);
		assert_int_equal(d.networks[i].source.count, want_judged[i]);
	}
	assert_int_equal(d.named, 256 + 256 + 16 + 1);
	assert_int_equal(d.judged, 300);
	assert_true(domain_audit_capped(&d));
	assert_int_equal(domain_audit_status(&d, false),
	    PTRCHECK_EXIT_DATAERR);
	assert_int_equal(domain_audit_status(&d, true),
	    PTRCHECK_EXIT_DATAERR);
	text = report_of(&d, false);
	assert_non_null(strstr(text, "198.51.100.0/24  ip4:198.51.100.0/24  "
	    "(44 of 256 addresses checked: past --max-total)\n"));
	assert_non_null(strstr(text, "203.0.113.99/32  a (big.example)  "
	    "(0 of 1 addresses checked: past --max-total)\n"));
	assert_non_null(strstr(text, "  --max-total 300 reached: the "
	    "networks hold 529 addresses, 300 judged, 229 not checked\n"));
	free(text);
	text = report_of(&d, true);
	assert_non_null(strstr(text, "\"addresses\":{\"named\":529,"
	    "\"judged\":300,\"max_total\":300,\"capped\":true}"));
	assert_non_null(strstr(text, "\"prefix\":\"198.51.100.0/24\","
	    "\"checked\":256,\"judged\":44,"));
	free(text);
	domain_audit_free(&d);
	/* Exactly enough: all judged, all good. */
	fake_resolver_script(rules, NROWS(rules));
	collect_at_most("big.example", 529, &d);
	assert_false(domain_audit_capped(&d));
	assert_int_equal(domain_audit_status(&d, false), PTRCHECK_EXIT_PASS);
	domain_audit_free(&d);
	/* A permerror of the record comes first. */
	fake_resolver_script(rules, NROWS(rules));
	collect_at_most("perm.example", 10, &d);
	assert_int_equal(domain_audit_status(&d, false),
	    PTRCHECK_EXIT_PERMANENT);
	domain_audit_free(&d);
}

/* A hostile record of many /24s costs --max-total addresses, not all. */
static void
test_record_of_many_networks_is_bounded_by_default(void **state)
{
	char record[2048];
	size_t len;
	struct fake_rule rules[1];
	struct domain_audit d;

	(void)state;
	len = (size_t)snprintf(record, sizeof(record), "v=spf1");
	for (unsigned i = 0; i < 60; i++)
		len += (size_t)snprintf(record + len, sizeof(record) - len,
		    " ip4:10.%u.0.0/24", i);
	snprintf(record + len, sizeof(record) - len, " -all");
	rules[0] = (struct fake_rule)TXT("many.example", record);
	fake_resolver_script(rules, NROWS(rules));
	collect("many.example", NULL, &d);
	assert_int_equal(d.nnetworks, 60);
	assert_int_equal(d.named, 60 * 256);
	assert_int_equal(d.judged, AUDIT_MAX_TOTAL_DEFAULT);
	assert_int_equal(d.networks[15].judged, 256);
	assert_int_equal(d.networks[16].judged, 0);
	assert_int_equal(domain_audit_status(&d, false),
	    PTRCHECK_EXIT_DATAERR);
	domain_audit_free(&d);
}

static int
teardown(void **state)
{
	(void)state;
	fake_resolver_reset();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_networks_in_order_with_labels_counts_and_helo),
		cmocka_unit_test(test_helo_option_is_every_networks_helo),
		cmocka_unit_test(test_nxdomain_is_68_whatever_fail_on),
		cmocka_unit_test(test_record_results_map_to_exit_statuses),
		cmocka_unit_test(test_domain_names_accepted),
		cmocka_unit_test(test_networks_checked_counts),
		cmocka_unit_test(test_json_object_of_the_record),
		cmocka_unit_test(
		    test_max_total_judges_the_first_addresses_and_says_so),
		cmocka_unit_test(
		    test_record_of_many_networks_is_bounded_by_default),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
