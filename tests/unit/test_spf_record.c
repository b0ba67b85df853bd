/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_spf_record.c - the SPF record picked from TXT data and parsed per
 * RFC 7208: which TXT records are SPF, the terms and their arguments,
 * every syntax error a permerror naming its term, macros flagged and
 * never expanded, hostile bytes and sizes held.
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

#include "spf_record.h"

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))
#define EXPECT(row, cond) do {						\
	if (!(cond))							\
		fail_msg("row \"%s\": %s", (row), #cond);		\
} while (0)

/* A TXT literal: character-strings with their length bytes. */
#define TXT(s) { (const uint8_t *)(s), sizeof(s) - 1 }

static void
test_select_picks_the_one_spf_record(void **state)
{
	static const struct {
		const char *label;
		struct spf_txt rr[3];
		size_t count;
		enum spf_select want;
		const char *text;
	} rows[] = {
		{ "no records", { TXT("") }, 0, SPF_SELECT_NONE, NULL },
		{ "other TXT only", { TXT("\013google-site") }, 1,
		    SPF_SELECT_NONE, NULL },
		{ "one among others", { TXT("\005hello"),
		    TXT("\013v=spf1 -all") }, 2, SPF_SELECT_ONE,
		    "v=spf1 -all" },
		{ "version alone", { TXT("\006v=spf1") }, 1, SPF_SELECT_ONE,
		    "v=spf1" },
		{ "version in upper case", { TXT("\013V=SPF1 -all") }, 1,
		    SPF_SELECT_ONE, "V=SPF1 -all" },
		{ "strings joined without a space", { TXT("\007v=spf1 "
		    "\004ip4:\0141.2.3.4 -all") }, 1, SPF_SELECT_ONE,
		    "v=spf1 ip4:1.2.3.4 -all" },
		{ "v=spf10 is not SPF", { TXT("\007v=spf10") }, 1,
		    SPF_SELECT_NONE, NULL },
		{ "v=spf1x is not SPF", { TXT("\013v=spf1x -al") }, 1,
		    SPF_SELECT_NONE, NULL },
		{ "leading space is not SPF", { TXT("\007 v=spf1") }, 1,
		    SPF_SELECT_NONE, NULL },
		{ "two records", { TXT("\013v=spf1 -all"),
		    TXT("\013v=spf1 +all") }, 2, SPF_SELECT_TWO, NULL },
		{ "string past the rdata is cut", { TXT("\077v=spf1 -all") },
		    1, SPF_SELECT_ONE, "v=spf1 -all" },
	};

	(void)state;
	for (size_t i = 0; i < NROWS(rows); i++) {
		char *text = NULL;
		size_t len = 99;
		enum spf_select got = spf_record_select(rows[i].rr,
		    rows[i].count, &text, &len);

		EXPECT(rows[i].label, got == rows[i].want);
		if (rows[i].text == NULL) {
			EXPECT(rows[i].label, text == NULL && len == 0);
			continue;
		}
		EXPECT(rows[i].label, text != NULL &&
		    len == strlen(rows[i].text) &&
		    strcmp(text, rows[i].text) == 0);
		free(text);
	}
}

/* Parses a record that must parse. */
static void
parse_ok(const char *label, const char *text, struct spf_record *rec)
{
	char reason[SPF_REASON_MAX];

	if (spf_record_parse(text, strlen(text), rec, reason,
	    sizeof(reason)) != 0)
		fail_msg("row \"%s\": refused: %s", label, reason);
}

static void
test_parse_terms_and_arguments(void **state)
{
	static const struct {
		const char *record;
		enum spf_kind kind;
		enum spf_qualifier qualifier;
		const char *domain;
		const char *net;	/* ip4/ip6: "addr/prefix" */
		unsigned cidr4, cidr6;
	} rows[] = {
		{ "v=spf1 all", SPF_ALL, SPF_QUAL_PASS, "", NULL, 32, 128 },
		{ "v=spf1 -ALL", SPF_ALL, SPF_QUAL_FAIL, "", NULL, 32, 128 },
		{ "v=spf1 ~all", SPF_ALL, SPF_QUAL_SOFTFAIL, "", NULL, 32,
		    128 },
		{ "v=spf1 ?all", SPF_ALL, SPF_QUAL_NEUTRAL, "", NULL, 32,
		    128 },
		{ "v=spf1 include:_spf.example.com", SPF_INCLUDE,
		    SPF_QUAL_PASS, "_spf.example.com", NULL, 32, 128 },
		{ "v=spf1 a", SPF_A, SPF_QUAL_PASS, "", NULL, 32, 128 },
		{ "v=spf1 a:host.example.com/24//64", SPF_A, SPF_QUAL_PASS,
		    "host.example.com", NULL, 24, 64 },
		{ "v=spf1 a//64", SPF_A, SPF_QUAL_PASS, "", NULL, 32, 64 },
		{ "v=spf1 mx/28", SPF_MX, SPF_QUAL_PASS, "", NULL, 28, 128 },
		{ "v=spf1 +mx:mail.example.org.", SPF_MX, SPF_QUAL_PASS,
		    "mail.example.org", NULL, 32, 128 },
		{ "v=spf1 ip4:198.51.100.0/28", SPF_IP4, SPF_QUAL_PASS, "",
		    "198.51.100.0/28", 32, 128 },
		{ "v=spf1 ip4:198.51.100.77/24", SPF_IP4, SPF_QUAL_PASS, "",
		    "198.51.100.0/24", 32, 128 },
		{ "v=spf1 ip4:192.0.2.1", SPF_IP4, SPF_QUAL_PASS, "",
		    "192.0.2.1/32", 32, 128 },
		{ "v=spf1 ip6:2001:db8::/48", SPF_IP6, SPF_QUAL_PASS, "",
		    "2001:db8::/48", 32, 128 },
		{ "v=spf1 IP6:2001:DB8::1", SPF_IP6, SPF_QUAL_PASS, "",
		    "2001:db8::1/128", 32, 128 },
		{ "v=spf1 ptr", SPF_PTR, SPF_QUAL_PASS, "", NULL, 32, 128 },
		{ "v=spf1 ?exists:x.example.com", SPF_EXISTS,
		    SPF_QUAL_NEUTRAL, "x.example.com", NULL, 32, 128 },
		{ "v=spf1 redirect=_spf.example.net", SPF_REDIRECT,
		    SPF_QUAL_PASS, "_spf.example.net", NULL, 32, 128 },
		{ "v=spf1 foo-bar=anything.%{d}", SPF_UNKNOWN_MODIFIER,
		    SPF_QUAL_PASS, "", NULL, 32, 128 },
	};

	(void)state;
	for (size_t i = 0; i < NROWS(rows); i++) {
		const char *label = rows[i].record;
		struct spf_record rec;
		const struct spf_term *t;

		parse_ok(label, rows[i].record, &rec);
		EXPECT(label, rec.count == 1);
		t = &rec.terms[0];
		EXPECT(label, t->kind == rows[i].kind);
		EXPECT(label, t->qualifier == rows[i].qualifier);
		EXPECT(label, strcmp(t->domain, rows[i].domain) == 0);
		EXPECT(label, strcmp(t->text, rows[i].record + 7) == 0);
		EXPECT(label, !t->has_macro);
		EXPECT(label, t->cidr4 == rows[i].cidr4 &&
		    t->cidr6 == rows[i].cidr6);
		if (rows[i].net != NULL) {
			char buf[CIDR_TEXT_MAX];

			EXPECT(label, cidr_format(&t->net, buf,
			    sizeof(buf)) == 0 && strcmp(buf, rows[i].net) == 0);
		}
		spf_record_free(&rec);
	}
}

static void
test_parse_whole_record(void **state)
{
	struct spf_record rec;

	(void)state;
	parse_ok("whole", "v=spf1  ip4:192.0.2.0/24 include:a.example "
	    "mx -all redirect=b.example exp=explain.example  ", &rec);
	assert_int_equal(rec.count, 6);
	assert_true(rec.has_all);
	assert_non_null(rec.redirect);
	assert_string_equal(rec.redirect->domain, "b.example");
	assert_non_null(rec.exp);
	assert_string_equal(rec.exp->domain, "explain.example");
	assert_true(spf_kind_queries_dns(rec.terms[1].kind));
	assert_false(spf_kind_queries_dns(rec.terms[0].kind));
	spf_record_free(&rec);
	spf_record_free(&rec);

	parse_ok("empty", "v=spf1", &rec);
	assert_int_equal(rec.count, 0);
	assert_false(rec.has_all);
	assert_null(rec.redirect);
	spf_record_free(&rec);
}

static void
test_macros_are_flagged_not_expanded(void **state)
{
	static const char *const ok[] = {
		"v=spf1 exists:%{i}._spf.example.com",
		"v=spf1 include:%{ir}.%{v}._spf.%{d2}",
		"v=spf1 a:%{l1r-}.example.com/24",
		"v=spf1 redirect=%{d}.example.net",
		"v=spf1 include:%%%_%-.example.com",
		"v=spf1 exists:%{S}.%{H}.example",
	};

	(void)state;
	for (size_t i = 0; i < NROWS(ok); i++) {
		struct spf_record rec;

		parse_ok(ok[i], ok[i], &rec);
		EXPECT(ok[i], rec.count == 1 && rec.terms[0].has_macro);
		EXPECT(ok[i], strstr(rec.terms[0].domain, "%") != NULL);
		spf_record_free(&rec);
	}
}

static void
test_syntax_errors_are_permerror_naming_the_term(void **state)
{
	static const struct {
		const char *record;
		const char *reason;
	} rows[] = {
		{ "v=spf1 foo", "unknown mechanism: foo" },
		{ "v=spf1 -all:x", "all takes no argument: -all:x" },
		{ "v=spf1 include", "missing domain: include" },
		{ "v=spf1 include:", "missing domain: include:" },
		{ "v=spf1 exists", "missing domain: exists" },
		{ "v=spf1 ip4", "missing network: ip4" },
		{ "v=spf1 ip4:198.51.100.0/33",
		    "invalid prefix length: ip4:198.51.100.0/33" },
		{ "v=spf1 ip4:198.51.100.0/024",
		    "invalid prefix length: ip4:198.51.100.0/024" },
		{ "v=spf1 ip4:2001:db8::1", "invalid network: ip4:2001:db8::1" },
		{ "v=spf1 ip6:192.0.2.1", "invalid network: ip6:192.0.2.1" },
		{ "v=spf1 ip6:2001:db8::/129",
		    "invalid prefix length: ip6:2001:db8::/129" },
		{ "v=spf1 ip4:1.2.3", "invalid network: ip4:1.2.3" },
		{ "v=spf1 a/33", "invalid IPv4 prefix length: a/33" },
		{ "v=spf1 a//129", "invalid IPv6 prefix length: a//129" },
		{ "v=spf1 a/24/64", "invalid IPv6 prefix length: a/24/64" },
		{ "v=spf1 mx/", "invalid IPv4 prefix length: mx/" },
		{ "v=spf1 a:", "invalid argument: a:" },
		{ "v=spf1 ptr:", "invalid argument: ptr:" },
		{ "v=spf1 include:bad..example", "invalid domain: "
		    "include:bad..example" },
		{ "v=spf1 include:example.123", "invalid domain: "
		    "include:example.123" },
		{ "v=spf1 include:%{x}.example", "invalid macro: "
		    "include:%{x}.example" },
		{ "v=spf1 include:%{c}.example", "invalid macro: "
		    "include:%{c}.example" },
		{ "v=spf1 include:%{d.example", "invalid macro: "
		    "include:%{d.example" },
		{ "v=spf1 exists:50%.example", "invalid macro: "
		    "exists:50%.example" },
		{ "v=spf1 redirect=a.example redirect=b.example",
		    "modifier given twice: redirect=b.example" },
		{ "v=spf1 exp=a.example EXP=b.example",
		    "modifier given twice: EXP=b.example" },
		{ "v=spf1 redirect=", "modifier without a domain: redirect=" },
		{ "v=spf1 x=%z", "invalid macro in modifier: x=%z" },
		{ "v=spf1 -all\tmx", "invalid character in term: -all?mx" },
		{ "v=spf1 +", "unknown mechanism: +" },
		{ "v=spf1 ip4:192.0.2.1;", "invalid network: ip4:192.0.2.1?" },
		{ "v=spf1x", "not an SPF record" },
	};

	(void)state;
	for (size_t i = 0; i < NROWS(rows); i++) {
		struct spf_record rec;
		char reason[SPF_REASON_MAX];
		int rc = spf_record_parse(rows[i].record,
		    strlen(rows[i].record), &rec, reason, sizeof(reason));

		EXPECT(rows[i].record, rc == -1);
		EXPECT(rows[i].record, rec.terms == NULL && rec.count == 0);
		if (strcmp(reason, rows[i].reason) != 0)
			fail_msg("row \"%s\": reason \"%s\", want \"%s\"",
			    rows[i].record, reason, rows[i].reason);
	}
}

/* A NUL or an 8-bit byte inside the record is a syntax error whose
 * reason shows it as '?'. */
static void
test_hostile_bytes_are_refused_printably(void **state)
{
	static const char text[] = "v=spf1 a:ex\0ample.com \x80\x1b[2J";
	struct spf_record rec;
	char reason[SPF_REASON_MAX];

	(void)state;
	assert_int_equal(spf_record_parse(text, sizeof(text) - 1, &rec,
	    reason, sizeof(reason)), -1);
	assert_string_equal(reason, "invalid character in term: a:ex?ample.com");
	assert_int_equal(spf_record_parse("v=spf1 \x80\x1b[2J", 12, &rec,
	    reason, sizeof(reason)), -1);
	assert_string_equal(reason, "invalid character in term: ???2J");
}

/* 64 KB of terms: all kept; a 60 KB term: refused, its reason cut. */
static void
test_huge_records_are_bounded(void **state)
{
	enum { SIZE = 65536 };
	char *text = malloc(SIZE + 1), reason[SPF_REASON_MAX];
	struct spf_record rec;
	size_t n = 6;

	(void)state;
	assert_non_null(text);
	memcpy(text, "v=spf1", 6);
	while (n + 19 < SIZE) {
		memcpy(text + n, " ip4:198.51.100.1/8", 19);
		n += 19;
	}
	text[n] = '\0';
	parse_ok("many terms", text, &rec);
	assert_int_equal(rec.count, (n - 6) / 19);
	assert_string_equal(rec.terms[rec.count - 1].text, "ip4:198.51.100.1/8");
	spf_record_free(&rec);

	memset(text + 7, 'a', SIZE - 7);
	memcpy(text + 7, "include:", 8);
	text[SIZE] = '\0';
	assert_int_equal(spf_record_parse(text, SIZE, &rec, reason,
	    sizeof(reason)), -1);
	assert_true(strlen(reason) < sizeof(reason));
	assert_non_null(strstr(reason, "invalid domain: include:aaa"));
	assert_non_null(strstr(reason, "..."));
	free(text);
}

static void
test_network_helper_clears_host_bits(void **state)
{
	struct addr a;
	struct cidr c;
	char buf[CIDR_TEXT_MAX];

	(void)state;
	assert_int_equal(addr_parse("198.51.100.77", &a), 0);
	spf_network(&a, 28, &c);
	assert_int_equal(cidr_format(&c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "198.51.100.64/28");
	assert_int_equal(addr_parse("2001:db8:ffff::1", &a), 0);
	spf_network(&a, 35, &c);
	assert_int_equal(cidr_format(&c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2001:db8:e000::/35");
	spf_network(&a, 0, &c);
	assert_int_equal(cidr_format(&c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "::/0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select_picks_the_one_spf_record),
		cmocka_unit_test(test_parse_terms_and_arguments),
		cmocka_unit_test(test_parse_whole_record),
		cmocka_unit_test(test_macros_are_flagged_not_expanded),
		cmocka_unit_test(
		    test_syntax_errors_are_permerror_naming_the_term),
		cmocka_unit_test(test_hostile_bytes_are_refused_printably),
		cmocka_unit_test(test_huge_records_are_bounded),
		cmocka_unit_test(test_network_helper_clears_host_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
