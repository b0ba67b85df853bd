/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_spf_walk.c - the SPF walk over the scripted resolver: what each
 * mechanism yields, include and redirect paths, every RFC 7208 limit at
 * its edge, loops, missing and doubled records, terms that cannot be
 * expanded, temporary failures and bogus answers; and the MX hosts of a
 * domain on their own.
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
#include "monotime.h"
#include "mx_hosts.h"
#include "spf_walk.h"

#define RESOLVER ((struct resolver *)1)
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

/* A signed TXT answer of one string. */
#define SPF(n, text) { .name = (n), .rrtype = DNS_TYPE_TXT,		\
	.status = DNS_OK, .dnssec = DNSSEC_SECURE, .data = { (text) } }
#define ADDR(n, type, a) { .name = (n), .rrtype = (type),		\
	.status = DNS_OK, .dnssec = DNSSEC_SECURE, .data = { (a) } }

static struct timespec
in_ms(unsigned ms)
{
	return monotime_add_ms(monotime_now(), ms);
}

static void
walk(const char *domain, struct spf_walk_result *out)
{
	assert_int_equal(spf_walk(RESOLVER, domain, in_ms(5000), NULL, out),
	    0);
	assert_int_equal(fake_resolver_live(), 0);
}

/* The prefixes of source i, "a b c". */
static const char *
prefixes(const struct spf_walk_result *r, size_t i)
{
	static char buf[1024];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < r->sources[i].prefixes.count; k++) {
		char c[CIDR_TEXT_MAX];

		assert_int_equal(cidr_format(&r->sources[i].prefixes.items[k],
		    c, sizeof(c)), 0);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    k > 0 ? " " : "", c);
	}
	return buf;
}

/* Whether some note of the severity contains text. */
static bool
has_note(const struct spf_walk_result *r, enum spf_severity sev,
    const char *text)
{
	for (size_t i = 0; i < r->nnotes; i++)
		if (r->notes[i].severity == sev &&
		    strstr(r->notes[i].text, text) != NULL)
			return true;
	return false;
}

static void
test_mechanisms_yield_their_networks(void **state)
{
	static const struct fake_rule rules[] = {
		SPF("example.com", "v=spf1 ip4:192.0.2.0/28 "
		    "ip6:2001:db8::/48 a:host.example.com/24//64 mx -all"),
		ADDR("host.example.com", DNS_TYPE_A, "198.51.100.7"),
		ADDR("host.example.com", DNS_TYPE_AAAA, "2001:db8:1::5"),
		{ .name = "example.com", .rrtype = DNS_TYPE_MX,
		    .status = DNS_OK, .dnssec = DNSSEC_SECURE,
		    .data = { "20 mx2.example.com", "10 mx1.example.com" } },
		ADDR("mx1.example.com", DNS_TYPE_A, "203.0.113.1"),
		ADDR("mx2.example.com", DNS_TYPE_A, "203.0.113.2"),
		ADDR("mx2.example.com", DNS_TYPE_AAAA, "2001:db8:2::2"),
	};
	struct spf_walk_result r;

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	walk("example.com", &r);
	assert_int_equal(r.result, SPF_RESULT_OK);
	assert_int_equal(r.dnssec, SPF_DNSSEC_SECURE);
	assert_int_equal(r.dns_terms, 2);
	assert_int_equal(r.void_lookups, 0);
	assert_int_equal(r.queries, 1 + 2 + 1 + 4);
	assert_int_equal(r.nsources, 5);
	assert_int_equal(r.sources[0].kind, SPF_IP4);
	assert_string_equal(prefixes(&r, 0), "192.0.2.0/28");
	assert_string_equal(r.sources[0].path, "");
	assert_string_equal(r.sources[1].term, "ip6:2001:db8::/48");
	assert_string_equal(prefixes(&r, 1), "2001:db8::/48");
	assert_int_equal(r.sources[2].kind, SPF_A);
	assert_string_equal(r.sources[2].host, "host.example.com");
	assert_string_equal(prefixes(&r, 2),
	    "198.51.100.0/24 2001:db8:1::/64");
	assert_int_equal(r.sources[3].kind, SPF_MX);
	assert_string_equal(r.sources[3].host, "mx1.example.com");
	assert_string_equal(prefixes(&r, 3), "203.0.113.1/32");
	assert_string_equal(r.sources[4].host, "mx2.example.com");
	assert_string_equal(prefixes(&r, 4),
	    "203.0.113.2/32 2001:db8:2::2/128");
	assert_int_equal(r.nrecords, 1);
	assert_string_equal(r.records[0].domain, "example.com");
	assert_false(has_note(&r, SPF_NOTE_INFO, "not DNSSEC-signed"));
	spf_walk_free(&r);
}

/* A receiver answers "pass" only for "+" terms reached through "+"
 * includes: "-ip4:" lists addresses that must not send, "~" and "?" are
 * not vouched for, and inside "-include:" a "+" is a fail.  Their
 * lookups still count, as a receiver's do. */
static void
test_only_pass_terms_name_sending_networks(void **state)
{
	static const struct fake_rule rules[] = {
		SPF("example.com", "v=spf1 -ip4:192.0.2.0/28 ~ip4:192.0.2.16/28 "
		    "?a:host.example.com ip4:198.51.100.0/28 "
		    "-include:_bad.example.com include:_good.example.com -all"),
		ADDR("host.example.com", DNS_TYPE_A, "198.51.100.7"),
		SPF("_bad.example.com", "v=spf1 ip4:203.0.113.0/24 -all"),
		SPF("_good.example.com", "v=spf1 +ip4:203.0.113.64/26 "
		    "-ip4:203.0.113.128/25 ~all"),
	};
	struct spf_walk_result r;

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	walk("example.com", &r);
	assert_int_equal(r.result, SPF_RESULT_OK);
	assert_int_equal(r.dns_terms, 3);
	assert_int_equal(r.nsources, 2);
	assert_string_equal(prefixes(&r, 0), "198.51.100.0/28");
	assert_string_equal(prefixes(&r, 1), "203.0.113.64/26");
	assert_string_equal(r.sources[1].path, "include:_good.example.com");
	assert_true(has_note(&r, SPF_NOTE_INFO, "-ip4:192.0.2.0/28: not a "
	    "sending network: qualifier \"-\" (fail)"));
	assert_true(has_note(&r, SPF_NOTE_INFO, "~ip4:192.0.2.16/28: not a "
	    "sending network: qualifier \"~\""));
	assert_true(has_note(&r, SPF_NOTE_INFO, "?a:host.example.com: not a "
	    "sending network: qualifier \"?\""));
	assert_true(has_note(&r, SPF_NOTE_INFO, "ip4:203.0.113.0/24: not a "
	    "sending network: inside an include"));
	assert_true(has_note(&r, SPF_NOTE_INFO, "-ip4:203.0.113.128/25: not "
	    "a sending network"));
	spf_walk_free(&r);
}

static void
test_mx_cidr_lengths_apply_to_every_host(void **state)
{
	static const struct fake_rule rules[] = {
		SPF("example.com", "v=spf1 mx:example.net/28//56 -all"),
		{ .name = "example.net", .rrtype = DNS_TYPE_MX,
		    .status = DNS_OK, .data = { "0 out.example.net" } },
		ADDR("out.example.net", DNS_TYPE_A, "198.51.100.77"),
		ADDR("out.example.net", DNS_TYPE_AAAA, "2001:db8:ab:cdff::1"),
	};
	struct spf_walk_result r;

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	walk("example.com", &r);
	assert_int_equal(r.result, SPF_RESULT_OK);
	assert_int_equal(r.nsources, 1);
	assert_string_equal(prefixes(&r, 0),
	    "198.51.100.64/28 2001:db8:ab:cd00::/56");
	spf_walk_free(&r);
}

static void
test_nested_include_keeps_its_path(void **state)
{
	static const struct fake_rule rules[] = {
		SPF("example.com", "v=spf1 include:_spf.example.com -all"),
		SPF("_spf.example.com", "v=spf1 "
		    "include:_netblocks.example.com ~all"),
		{ .name = "_netblocks.example.com", .rrtype = DNS_TYPE_TXT,
		    .status = DNS_OK, .dnssec = DNSSEC_INSECURE,
		    .data = { "v=spf1 ip4:192.0.2.0/24 " FAKE_TXT_BREAK
		    "ip4:198.51.100.0/24 -all" } },
	};
	struct spf_walk_result r;

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	walk("example.com", &r);
	assert_int_equal(r.result, SPF_RESULT_OK);
	assert_int_equal(r.dns_terms, 2);
	assert_int_equal(r.nsources, 2);
	assert_string_equal(r.sources[1].path, "include:_spf.example.com > "
	    "include:_netblocks.example.com");
	assert_string_equal(prefixes(&r, 1), "198.51.100.0/24");
	assert_int_equal(r.nrecords, 3);
	assert_string_equal(r.records[2].domain, "_netblocks.example.com");
	assert_int_equal(r.records[2].dnssec, SPF_DNSSEC_INSECURE);
	assert_int_equal(r.records[0].dnssec, SPF_DNSSEC_SECURE);
	assert_true(has_note(&r, SPF_NOTE_INFO,
	    "_netblocks.example.com is not DNSSEC-signed (insecure)"));
	spf_walk_free(&r);
}

static void
test_redirect_only_without_all(void **state)
{
	static const struct fake_rule rules[] = {
		SPF("example.com", "v=spf1 ip4:192.0.2.1 "
		    "redirect=_spf.example.net"),
		SPF("example.org", "v=spf1 redirect=_spf.example.net -all"),
		SPF("_spf.example.net", "v=spf1 ip6:2001:db8::/32 -all"),
	};
	struct spf_walk_result r;

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	walk("example.com", &r);
	assert_int_equal(r.result, SPF_RESULT_OK);
	assert_int_equal(r.dns_terms, 1);
	assert_int_equal(r.nsources, 2);
	assert_string_equal(r.sources[1].path, "redirect=_spf.example.net");
	spf_walk_free(&r);

	fake_resolver_script(rules, NROWS(rules));
	walk("example.org", &r);
	assert_int_equal(r.result, SPF_RESULT_OK);
	assert_int_equal(r.dns_terms, 0);
	assert_int_equal(r.nsources, 0);
	assert_int_equal(fake_resolver_sent("_spf.example.net"), 0);
	assert_true(has_note(&r, SPF_NOTE_INFO, "redirect=_spf.example.net: "
	    "ignored"));
	spf_walk_free(&r);
}

/* "v=spf1 include:i1.example ... include:iN.example", each with an
 * ip4. */
static void
walk_includes(unsigned n, struct spf_walk_result *r)
{
	static char record[512], names[12][32];
	struct fake_rule rule = { .rrtype = DNS_TYPE_TXT, .status = DNS_OK };
	static const char *const records[12] = {
		"v=spf1 ip4:192.0.2.1", "v=spf1 ip4:192.0.2.2",
		"v=spf1 ip4:192.0.2.3", "v=spf1 ip4:192.0.2.4",
		"v=spf1 ip4:192.0.2.5", "v=spf1 ip4:192.0.2.6",
		"v=spf1 ip4:192.0.2.7", "v=spf1 ip4:192.0.2.8",
		"v=spf1 ip4:192.0.2.9", "v=spf1 ip4:192.0.2.10",
		"v=spf1 ip4:192.0.2.11", "v=spf1 ip4:192.0.2.12",
	};
	size_t len = (size_t)snprintf(record, sizeof(record), "v=spf1");

	fake_resolver_reset();
	for (unsigned i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "i%u.example", i + 1);
		len += (size_t)snprintf(record + len, sizeof(record) - len,
		    " include:%s", names[i]);
		rule.name = names[i];
		rule.data[0] = records[i];
		fake_resolver_add(&rule);
	}
	rule.name = "example.com";
	rule.data[0] = record;
	fake_resolver_add(&rule);
	fake_resolver_threaded(true);
	walk("example.com", r);
}

static void
test_ten_dns_terms_pass_eleven_are_permerror(void **state)
{
	struct spf_walk_result r;

	(void)state;
	walk_includes(10, &r);
	assert_int_equal(r.result, SPF_RESULT_OK);
	assert_int_equal(r.dns_terms, 10);
	assert_int_equal(r.nsources, 10);
	spf_walk_free(&r);

	walk_includes(11, &r);
	assert_int_equal(r.result, SPF_RESULT_PERMERROR);
	assert_string_equal(r.reason, "include:i11.example: too many DNS "
	    "lookups (more than 10)");
	assert_int_equal(r.nsources, 10);
	assert_int_equal(fake_resolver_sent("i11.example"), 0);
	assert_true(has_note(&r, SPF_NOTE_ERROR, "too many DNS lookups"));
	spf_walk_free(&r);
}

static void
test_dns_terms_count_across_includes(void **state)
{
	static const struct fake_rule rules[] = {
		SPF("example.com", "v=spf1 include:a.example a:h.example "
		    "a:h.example a:h.example a:h.example a:h.example -all"),
		SPF("a.example", "v=spf1 a:h.example a:h.example "
		    "a:h.example exists:x.example ptr"),
		ADDR("h.example", DNS_TYPE_A, "192.0.2.1"),
	};
	struct spf_walk_result r;

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	walk("example.com", &r);
	assert_int_equal(r.result, SPF_RESULT_PERMERROR);
	assert_int_equal(r.dns_terms, 11);
	assert_string_equal(r.reason, "a:h.example: too many DNS lookups "
	    "(more than 10)");
	spf_walk_free(&r);
}

static void
test_two_void_lookups_pass_three_are_permerror(void **state)
{
	static const struct fake_rule rules[] = {
		SPF("two.example", "v=spf1 a:gone1.example mx:gone2.example "
		    "ip4:192.0.2.1 -all"),
		SPF("three.example", "v=spf1 a:gone1.example mx:gone2.example "
		    "include:sub.example -all"),
		SPF("sub.example", "v=spf1 a:gone3.example ip4:192.0.2.9"),
		{ .name = "gone2.example", .rrtype = DNS_TYPE_MX,
		    .status = DNS_NODATA },
	};
	struct spf_walk_result r;

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	walk("two.example", &r);
	assert_int_equal(r.result, SPF_RESULT_OK);
	assert_int_equal(r.void_lookups, 2);
	assert_true(has_note(&r, SPF_NOTE_WARNING, "a:gone1.example: void "
	    "lookup: gone1.example has no address"));
	assert_true(has_note(&r, SPF_NOTE_WARNING, "void lookup: "
	    "gone2.example has no MX record"));
	spf_walk_free(&r);

	fake_resolver_script(rules, NROWS(rules));
	walk("three.example", &r);
	assert_int_equal(r.result, SPF_RESULT_PERMERROR);
	assert_int_equal(r.void_lookups, 3);
	assert_string_equal(r.reason, "include:sub.example > a:gone3.example: "
	    "too many void lookups (more than 2)");
	assert_int_equal(r.nsources, 0);
	spf_walk_free(&r);
}

static void
test_loops_are_permerror(void **state)
{
	static const struct fake_rule rules[] = {
		SPF("a.example", "v=spf1 include:b.example -all"),
		SPF("b.example", "v=spf1 include:A.EXAMPLE. -all"),
		SPF("self.example", "v=spf1 redirect=self.example"),
	};
	struct spf_walk_result r;

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	walk("a.example", &r);
	assert_int_equal(r.result, SPF_RESULT_PERMERROR);
	assert_string_equal(r.reason, "include:b.example > include:A.EXAMPLE.:"
	    " loop: A.EXAMPLE is already on the path");
	spf_walk_free(&r);

	fake_resolver_script(rules, NROWS(rules));
	walk("self.example", &r);
	assert_int_equal(r.result, SPF_RESULT_PERMERROR);
	assert_non_null(strstr(r.reason, "loop"));
	spf_walk_free(&r);
}

/* A domain to walk and the reason its permerror must give. */
struct want_reason {
	const char *domain;
	const char *reason;
};

static void
expect_permerrors(const struct fake_rule *rules, size_t nrules,
    const struct want_reason *rows, size_t nrows)
{
	for (size_t i = 0; i < nrows; i++) {
		struct spf_walk_result r;

		fake_resolver_script(rules, nrules);
		walk(rows[i].domain, &r);
		if (r.result != SPF_RESULT_PERMERROR ||
		    strcmp(r.reason, rows[i].reason) != 0)
			fail_msg("%s: %s \"%s\"", rows[i].domain,
			    spf_result_name(r.result), r.reason);
		spf_walk_free(&r);
	}
}

static void
test_include_or_redirect_without_spf_is_permerror(void **state)
{
	static const struct fake_rule rules[] = {
		SPF("a.example", "v=spf1 include:nospf.example -all"),
		SPF("b.example", "v=spf1 include:gone.example -all"),
		SPF("c.example", "v=spf1 redirect=nospf.example"),
		SPF("nospf.example", "google-site-verification=xyz"),
	};
	static const struct want_reason rows[] = {
		{ "a.example", "include:nospf.example: nospf.example has no "
		    "SPF record" },
		{ "b.example", "include:gone.example: gone.example has no SPF "
		    "record" },
		{ "c.example", "redirect=nospf.example: nospf.example has no "
		    "SPF record" },
	};

	(void)state;
	expect_permerrors(rules, NROWS(rules), rows, NROWS(rows));
}

static void
test_two_records_and_syntax_errors_are_permerror(void **state)
{
	static const struct fake_rule rules[] = {
		{ .name = "two.example", .rrtype = DNS_TYPE_TXT,
		    .status = DNS_OK, .data = { "v=spf1 -all",
		    "v=spf1 ip4:192.0.2.1 -all" } },
		SPF("inc.example", "v=spf1 ip4:192.0.2.1 include:two.example"),
		SPF("bad.example", "v=spf1 ip4:192.0.2.1 ip4:192.0.2.300"),
		SPF("incbad.example", "v=spf1 include:bad.example"),
	};
	static const struct want_reason rows[] = {
		{ "two.example", "two.example publishes two SPF records" },
		{ "inc.example", "two.example publishes two SPF records" },
		{ "bad.example", "SPF record of bad.example: invalid network: "
		    "ip4:192.0.2.300" },
		{ "incbad.example", "SPF record of bad.example: invalid "
		    "network: ip4:192.0.2.300" },
	};

	(void)state;
	expect_permerrors(rules, NROWS(rules), rows, NROWS(rows));
}

static void
test_unexpandable_terms_are_noted_and_counted(void **state)
{
	static const struct fake_rule rules[] = {
		SPF("example.com", "v=spf1 exists:%{i}._spf.example.com "
		    "ptr:example.com exists:x.example.com include:%{d}.x.example "
		    "a:%{h}.example.com ip4:192.0.2.1 ?all"),
	};
	struct spf_walk_result r;

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	walk("example.com", &r);
	assert_int_equal(r.result, SPF_RESULT_OK);
	assert_int_equal(r.dns_terms, 5);
	assert_int_equal(r.queries, 1);
	assert_int_equal(r.nsources, 1);
	assert_true(has_note(&r, SPF_NOTE_WARNING,
	    "exists:%{i}._spf.example.com: cannot be expanded: its macros"));
	assert_true(has_note(&r, SPF_NOTE_WARNING,
	    "ptr:example.com: cannot be expanded: ptr"));
	assert_true(has_note(&r, SPF_NOTE_WARNING,
	    "exists:x.example.com: cannot be expanded: exists"));
	assert_true(has_note(&r, SPF_NOTE_WARNING,
	    "include:%{d}.x.example: cannot be expanded"));
	assert_true(has_note(&r, SPF_NOTE_WARNING,
	    "a:%{h}.example.com: cannot be expanded"));
	spf_walk_free(&r);
}

static void
test_failed_lookups_are_temperror(void **state)
{
	static const struct fake_rule rules[] = {
		{ .name = "servfail.example", .rrtype = DNS_TYPE_TXT,
		    .status = DNS_TEMPFAIL, .rcode = DNS_RCODE_SERVFAIL },
		{ .name = "silent.example", .rrtype = DNS_TYPE_TXT,
		    .never = true },
		{ .name = "refused.example", .rrtype = DNS_TYPE_TXT,
		    .refuse = true },
		SPF("inc.example", "v=spf1 ip4:192.0.2.1 "
		    "include:servfail.example -all"),
		SPF("a.example", "v=spf1 a:h.example -all"),
		{ .name = "h.example", .rrtype = DNS_TYPE_AAAA,
		    .status = DNS_TEMPFAIL, .rcode = DNS_RCODE_SERVFAIL },
		SPF("mx.example", "v=spf1 mx -all"),
		{ .name = "mx.example", .rrtype = DNS_TYPE_MX,
		    .status = DNS_TEMPFAIL, .rcode = DNS_RCODE_SERVFAIL },
	};
	static const struct {
		const char *domain;
		const char *reason;
		enum spf_dnssec dnssec;
	} rows[] = {
		{ "servfail.example", "TXT lookup of servfail.example: "
		    "SERVFAIL", SPF_DNSSEC_INDETERMINATE },
		{ "silent.example", "TXT lookup of silent.example: TIMEOUT",
		    SPF_DNSSEC_INDETERMINATE },
		{ "refused.example", "TXT lookup of refused.example: ERROR",
		    SPF_DNSSEC_INDETERMINATE },
		{ "inc.example", "TXT lookup of servfail.example: SERVFAIL",
		    SPF_DNSSEC_SECURE },
		{ "a.example", "a:h.example: AAAA lookup of h.example: "
		    "SERVFAIL", SPF_DNSSEC_SECURE },
		{ "mx.example", "mx: MX lookup: SERVFAIL", SPF_DNSSEC_SECURE },
	};

	(void)state;
	for (size_t i = 0; i < NROWS(rows); i++) {
		struct spf_walk_result r;

		fake_resolver_script(rules, NROWS(rules));
		assert_int_equal(spf_walk(RESOLVER, rows[i].domain, in_ms(200),
		    NULL, &r), 0);
		assert_int_equal(fake_resolver_live(), 0);
		if (r.result != SPF_RESULT_TEMPERROR ||
		    strcmp(r.reason, rows[i].reason) != 0)
			fail_msg("%s: %s \"%s\"", rows[i].domain,
			    spf_result_name(r.result), r.reason);
		assert_int_equal(r.dnssec, rows[i].dnssec);
		spf_walk_free(&r);
	}
}

/* A bogus answer is not data: its record is never read. */
static void
test_bogus_record_is_temperror_and_unused(void **state)
{
	static const struct fake_rule rules[] = {
		{ .name = "bogus.example", .rrtype = DNS_TYPE_TXT,
		    .status = DNS_BOGUS, .dnssec = DNSSEC_BOGUS,
		    .rcode = DNS_RCODE_NOERROR,
		    .data = { "v=spf1 ip4:192.0.2.0/24 -all" } },
	};
	struct spf_walk_result r;

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	walk("bogus.example", &r);
	assert_int_equal(r.result, SPF_RESULT_TEMPERROR);
	assert_int_equal(r.dnssec, SPF_DNSSEC_BOGUS);
	assert_int_equal(r.nsources, 0);
	assert_int_equal(r.nrecords, 0);
	assert_non_null(strstr(r.reason, "DNSSEC validation failed"));
	spf_walk_free(&r);
}

static void
test_mx_of_eleven_names_is_permerror(void **state)
{
	static const struct fake_rule rules[] = {
		SPF("ten.example", "v=spf1 mx -all"),
		SPF("eleven.example", "v=spf1 mx -all"),
		{ .name = "ten.example", .rrtype = DNS_TYPE_MX,
		    .status = DNS_OK, .data = { "1 m1.example",
		    "2 m2.example", "3 m3.example", "4 m4.example",
		    "5 m5.example", "6 m6.example", "7 m7.example",
		    "8 m8.example", "9 m9.example", "10 m10.example" } },
		{ .name = "eleven.example", .rrtype = DNS_TYPE_MX,
		    .status = DNS_OK, .data = { "1 m1.example",
		    "2 m2.example", "3 m3.example", "4 m4.example",
		    "5 m5.example", "6 m6.example", "7 m7.example",
		    "8 m8.example", "9 m9.example", "10 m10.example",
		    "11 m11.example" } },
		ADDR("m1.example", DNS_TYPE_A, "192.0.2.1"),
	};
	struct spf_walk_result r;

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	walk("ten.example", &r);
	assert_int_equal(r.result, SPF_RESULT_OK);
	assert_int_equal(r.nsources, 10);
	assert_int_equal(r.queries, 1 + 1 + 20);
	assert_true(has_note(&r, SPF_NOTE_WARNING, "MX host m10.example has "
	    "no address"));
	spf_walk_free(&r);

	fake_resolver_script(rules, NROWS(rules));
	walk("eleven.example", &r);
	assert_int_equal(r.result, SPF_RESULT_PERMERROR);
	assert_string_equal(r.reason, "mx: eleven.example has 11 MX names "
	    "(more than 10)");
	assert_int_equal(fake_resolver_sent("m1.example"), 0);
	spf_walk_free(&r);
}

static void
test_no_spf_record_is_none(void **state)
{
	static const struct fake_rule rules[] = {
		{ .name = "other.example", .rrtype = DNS_TYPE_TXT,
		    .status = DNS_OK, .dnssec = DNSSEC_SECURE,
		    .data = { "v=spf10", "hello" } },
	};
	static const char *const domains[] = {
		"other.example", "gone.example",
	};

	(void)state;
	for (size_t i = 0; i < NROWS(domains); i++) {
		struct spf_walk_result r;

		fake_resolver_script(rules, NROWS(rules));
		walk(domains[i], &r);
		assert_int_equal(r.result, SPF_RESULT_NONE);
		assert_non_null(strstr(r.reason, "publishes no SPF record"));
		assert_int_equal(r.nrecords, 0);
		spf_walk_free(&r);
	}
}

/* A caller's own limits, and the bound on queries as a temperror. */
static void
test_callers_limits_apply(void **state)
{
	static const struct fake_rule rules[] = {
		SPF("example.com", "v=spf1 a:h.example mx:h.example "
		    "ip4:192.0.2.1 -all"),
		ADDR("h.example", DNS_TYPE_A, "192.0.2.7"),
		{ .name = "h.example", .rrtype = DNS_TYPE_MX,
		    .status = DNS_OK, .data = { "1 h.example" } },
	};
	struct spf_limits lim = spf_limits_rfc7208;
	struct spf_walk_result r;

	(void)state;
	lim.dns_terms = 1;
	fake_resolver_script(rules, NROWS(rules));
	assert_int_equal(spf_walk(RESOLVER, "example.com", in_ms(5000), &lim,
	    &r), 0);
	assert_int_equal(r.result, SPF_RESULT_PERMERROR);
	assert_string_equal(r.reason, "mx:h.example: too many DNS lookups "
	    "(more than 1)");
	spf_walk_free(&r);

	lim = spf_limits_rfc7208;
	lim.queries = 4;
	fake_resolver_script(rules, NROWS(rules));
	assert_int_equal(spf_walk(RESOLVER, "example.com", in_ms(5000), &lim,
	    &r), 0);
	assert_int_equal(r.result, SPF_RESULT_TEMPERROR);
	assert_string_equal(r.reason, "more than 4 DNS queries");
	assert_int_equal(r.queries, 3);
	assert_int_equal(r.nsources, 1);
	assert_int_equal(fake_resolver_live(), 0);
	spf_walk_free(&r);
}

static void
test_bad_domain_is_refused(void **state)
{
	static const char *const bad[] = {
		"", "exa mple.com", "a..b", "example.com..",
		"x\n.example",
	};

	(void)state;
	fake_resolver_reset();
	for (size_t i = 0; i < NROWS(bad); i++) {
		struct spf_walk_result r;

		assert_int_equal(spf_walk(RESOLVER, bad[i], in_ms(100), NULL,
		    &r), -1);
		assert_int_equal(r.result, SPF_RESULT_TEMPERROR);
		assert_string_equal(r.reason, "not a host name");
		spf_walk_free(&r);
	}
	assert_int_equal(fake_resolver_sent(""), 0);
}

static void
test_mx_hosts_sorted_with_their_addresses(void **state)
{
	static const struct fake_rule rules[] = {
		{ .name = "example.com", .rrtype = DNS_TYPE_MX,
		    .status = DNS_OK, .dnssec = DNSSEC_SECURE,
		    .data = { "20 b.example.com", "10 c.example.com",
		    "20 a.example.com" } },
		ADDR("a.example.com", DNS_TYPE_A, "192.0.2.10"),
		ADDR("c.example.com", DNS_TYPE_AAAA, "2001:db8::c"),
		{ .name = "null.example", .rrtype = DNS_TYPE_MX,
		    .status = DNS_OK, .data = { "0 " } },
		{ .name = "tf.example", .rrtype = DNS_TYPE_MX,
		    .status = DNS_OK, .data = { "5 h.tf.example" } },
		{ .name = "h.tf.example", .rrtype = DNS_TYPE_A,
		    .status = DNS_TEMPFAIL, .rcode = DNS_RCODE_SERVFAIL },
	};
	struct mx_hosts m;
	char buf[CIDR_TEXT_MAX];

	(void)state;
	fake_resolver_script(rules, NROWS(rules));
	assert_int_equal(mx_hosts_lookup(RESOLVER, "example.com", 10, 32, 128,
	    in_ms(5000), &m), 0);
	assert_int_equal(m.status, MX_OK);
	assert_int_equal(m.count, 3);
	assert_int_equal(m.queries, 7);
	assert_string_equal(m.hosts[0].name, "c.example.com");
	assert_int_equal(m.hosts[0].preference, 10);
	assert_int_equal(m.hosts[0].prefixes.count, 1);
	assert_int_equal(cidr_format(&m.hosts[0].prefixes.items[0], buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "2001:db8::c/128");
	assert_int_equal(m.hosts[0].dnssec, DNSSEC_INSECURE);
	assert_string_equal(m.hosts[1].name, "a.example.com");
	assert_int_equal(m.hosts[1].prefixes.count, 1);
	assert_string_equal(m.hosts[2].name, "b.example.com");
	assert_int_equal(m.hosts[2].prefixes.count, 0);
	assert_int_equal(m.hosts[2].a_status, DNS_NXDOMAIN);
	assert_int_equal(m.hosts[1].a_status, DNS_OK);
	assert_int_equal(m.hosts[1].aaaa_status, DNS_NXDOMAIN);
	mx_hosts_free(&m);
	mx_hosts_free(&m);

	fake_resolver_script(rules, NROWS(rules));
	assert_int_equal(mx_hosts_lookup(RESOLVER, "null.example", 10, 32,
	    128, in_ms(5000), &m), 0);
	assert_int_equal(m.status, MX_NULL);
	assert_int_equal(m.queries, 1);
	mx_hosts_free(&m);

	fake_resolver_script(rules, NROWS(rules));
	assert_int_equal(mx_hosts_lookup(RESOLVER, "gone.example", 10, 32,
	    128, in_ms(5000), &m), 0);
	assert_int_equal(m.status, MX_VOID);
	assert_int_equal(m.mx_dns, DNS_NXDOMAIN);
	mx_hosts_free(&m);

	fake_resolver_script(rules, NROWS(rules));
	assert_int_equal(mx_hosts_lookup(RESOLVER, "tf.example", 10, 32,
	    128, in_ms(5000), &m), 0);
	assert_int_equal(m.status, MX_TEMPERROR);
	assert_string_equal(m.why, "A of h.tf.example: SERVFAIL");
	assert_int_equal(m.count, 1);
	assert_int_equal(m.hosts[0].a_status, DNS_TEMPFAIL);
	mx_hosts_free(&m);
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
		cmocka_unit_test(test_mechanisms_yield_their_networks),
		cmocka_unit_test(test_only_pass_terms_name_sending_networks),
		cmocka_unit_test(test_mx_cidr_lengths_apply_to_every_host),
		cmocka_unit_test(test_nested_include_keeps_its_path),
		cmocka_unit_test(test_redirect_only_without_all),
		cmocka_unit_test(test_ten_dns_terms_pass_eleven_are_permerror),
		cmocka_unit_test(test_dns_terms_count_across_includes),
		cmocka_unit_test(
		    test_two_void_lookups_pass_three_are_permerror),
		cmocka_unit_test(test_loops_are_permerror),
		cmocka_unit_test(
		    test_include_or_redirect_without_spf_is_permerror),
		cmocka_unit_test(
		    test_two_records_and_syntax_errors_are_permerror),
		cmocka_unit_test(test_unexpandable_terms_are_noted_and_counted),
		cmocka_unit_test(test_failed_lookups_are_temperror),
		cmocka_unit_test(test_bogus_record_is_temperror_and_unused),
		cmocka_unit_test(test_mx_of_eleven_names_is_permerror),
		cmocka_unit_test(test_no_spf_record_is_none),
		cmocka_unit_test(test_callers_limits_apply),
		cmocka_unit_test(test_bad_domain_is_refused),
		cmocka_unit_test(test_mx_hosts_sorted_with_their_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
