/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_findings.c - findings_collect(), the one place where the daemon and
 * ptrcheck gather their findings: the FCrDNS tags copied as they are, the
 * generic-name detector on the confirmed (else first) PTR name and on the
 * HELO name, the HELO checks merged in, each tag with its reason.
 *
 * Each row describes a client - its FCrDNS result built by hand, its HELO
 * and what the HELO's lookups returned - and the findings wanted, written
 * as "tag[reason] tag", so a row reads like the situation it tests.  The
 * comparison is exact: no tag more, no tag less, every reason as given
 * and every other reason empty.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "findings.h"
#include "helo.h"
#include "policy.h"
#include "regdom.h"
#include "tags.h"
#include "unit.h"

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))
#define CLIENT4 "198.51.100.40"
#define GENERIC_NAME "198-51-100-40.example-broadband.com"
#define GENERIC_REASON "ip-in-name:198-51-100-40"
#define BIT(t) TAG_BIT(TAG_##t)

struct row {
	const char *name;
	const char *conf;		/* config text over the defaults */
	const char *client;		/* NULL: CLIENT4 */
	const char *ptr[2];		/* PTR names followed */
	int confirmed;			/* index into ptr, or -1 */
	tag_set fcrdns_tags;		/* what fcrdns_conclude() found */
	const char *helo;		/* NULL: none sent */
	bool lookup;			/* the HELO's A and AAAA were asked */
	enum dns_status a, aaaa;
	const char *fwd;		/* their one address, or NULL */
	const char *our_name;
	const char *want;		/* "tag[reason] tag ..." */
};

static void report_fail(void *arg, const char *message);
static void parse_spec(const char *row, const char *spec,
    struct findings *f);
static void collect_row(const struct row *row, struct findings *out);
static void expect_findings(const char *row, const struct findings *got,
    const struct findings *want);
static void run_rows(const struct row *rows, size_t n);

static void
report_fail(void *arg, const char *message)
{
	fail_msg("row \"%s\": policy: %s", (const char *)arg, message);
}

/* "ptr_generic[ip-in-name:198-51-100-40] dnssec_secure" */
static void
parse_spec(const char *row, const char *spec, struct findings *f)
{
	char word[256], *open;
	const char *p = spec;
	enum tag t;
	size_t n;

	memset(f, 0, sizeof(*f));
	while (*p != '\0') {
		n = strcspn(p, " ");
		if (n >= sizeof(word))
			fail_msg("row \"%s\": word too long in spec", row);
		memcpy(word, p, n);
		word[n] = '\0';
		p += n + (p[n] == ' ');
		open = strchr(word, '[');
		if (open != NULL) {
			*open++ = '\0';
			open[strcspn(open, "]")] = '\0';
		}
		if (tag_lookup(word, &t) == -1)
			fail_msg("row \"%s\": unknown tag %s", row, word);
		findings_add(f, t, open);
	}
}

/* Builds the row's client and judges it.  out starts out as garbage, to
 * show that findings_collect() clears it. */
static void
collect_row(const struct row *row, struct findings *out)
{
	const char *conf = row->conf != NULL ? row->conf : "";
	struct fcrdns_name names[2];
	struct fcrdns_result res;
	struct helo_parsed parsed;
	struct helo_forward fw;
	struct addr fwd_addr;
	struct findings_input in;
	struct policy *p;
	size_t i;

	p = policy_parse_buffer("test", conf, strlen(conf), report_fail,
	    (void *)(uintptr_t)row->name);
	assert_non_null(p);

	memset(&res, 0, sizeof(res));
	memset(names, 0, sizeof(names));
	assert_int_equal(addr_parse(row->client != NULL ? row->client :
	    CLIENT4, &res.client), 0);
	res.names = names;
	for (i = 0; i < NROWS(row->ptr) && row->ptr[i] != NULL; i++) {
		/* Only read; fcrdns owns its names for real. */
		names[i].name = (char *)(uintptr_t)row->ptr[i];
		names[i].forward.status = DNS_OK;
		res.nnames++;
	}
	res.ptr_count = res.nnames;
	res.ptr.status = res.nnames > 0 ? DNS_OK : DNS_NXDOMAIN;
	res.confirmed = row->confirmed;
	if (row->confirmed >= 0) {
		names[row->confirmed].confirmed = true;
		res.iprev = IPREV_PASS;
	} else {
		res.iprev = res.nnames > 0 ? IPREV_FAIL : IPREV_PERMERROR;
	}
	res.tags = row->fcrdns_tags;

	helo_parse(row->helo, row->helo != NULL ? strlen(row->helo) : 0,
	    &parsed);
	memset(&fw, 0, sizeof(fw));
	fw.a = row->a;
	fw.aaaa = row->aaaa;
	if (row->fwd != NULL) {
		assert_int_equal(addr_parse(row->fwd, &fwd_addr), 0);
		fw.addrs = &fwd_addr;
		fw.naddrs = 1;
	}

	memset(&in, 0, sizeof(in));
	in.policy = p;
	in.fcrdns = &res;
	in.helo = &parsed;
	in.forward = row->lookup ? &fw : NULL;
	in.our_name = row->our_name;
	memset(out, 0x5a, sizeof(*out));
	findings_collect(&in, out);
	policy_free(p);
}

static void
expect_findings(const char *row, const struct findings *got,
    const struct findings *want)
{
	for (unsigned t = 0; t < TAG_COUNT; t++) {
		bool g = (got->tags & TAG_BIT(t)) != 0;
		bool w = (want->tags & TAG_BIT(t)) != 0;

		if (g != w)
			fail_msg("row \"%s\": tag %s %s", row,
			    tag_name((enum tag)t), g ? "fired, unwanted" :
			    "missing");
		if (strcmp(got->reason[t], want->reason[t]) != 0)
			fail_msg("row \"%s\": %s reason \"%s\", want \"%s\"",
			    row, tag_name((enum tag)t), got->reason[t],
			    want->reason[t]);
	}
	if ((got->tags & ~(TAG_BIT(TAG_COUNT) - 1)) != 0)
		fail_msg("row \"%s\": bits beyond the last tag", row);
}

static void
run_rows(const struct row *rows, size_t n)
{
	struct findings got, want;

	for (size_t i = 0; i < n; i++) {
		parse_spec(rows[i].name, rows[i].want, &want);
		collect_row(&rows[i], &got);
		expect_findings(rows[i].name, &got, &want);
	}
}

static void
test_fcrdns_tags_are_copied_without_reasons(void **state)
{
	static const struct row rows[] = {
		{ .name = "no PTR: no_ptr and the secure denial",
		  .confirmed = -1,
		  .fcrdns_tags = BIT(NO_PTR) | BIT(DNSSEC_SECURE),
		  .want = "no_ptr dnssec_secure" },
		{ .name = "not confirmed, forward nxdomain",
		  .ptr = { "nxname.example.com" }, .confirmed = -1,
		  .fcrdns_tags = BIT(PTR_NOT_CONFIRMED) |
		      BIT(PTR_FORWARD_NXDOMAIN),
		  .want = "ptr_not_confirmed ptr_forward_nxdomain" },
		{ .name = "temperror and bogus",
		  .confirmed = -1,
		  .fcrdns_tags = BIT(DNS_TEMPERROR) | BIT(DNSSEC_BOGUS),
		  .want = "dns_temperror dnssec_bogus" },
		{ .name = "two PTRs, clean names",
		  .ptr = { "first.example.com", "second.example.com" },
		  .confirmed = 1,
		  .fcrdns_tags = BIT(PTR_MULTIPLE) | BIT(DNSSEC_SECURE),
		  .want = "ptr_multiple dnssec_secure" },
		{ .name = "nothing found, nothing added",
		  .ptr = { "mail.example.com" }, .confirmed = 0,
		  .want = "" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

static void
test_generic_ptr_name_gives_ptr_generic_with_reason(void **state)
{
	static const struct row rows[] = {
		{ .name = "confirmed generic name",
		  .ptr = { GENERIC_NAME }, .confirmed = 0,
		  .fcrdns_tags = BIT(DNSSEC_SECURE),
		  .want = "ptr_generic[" GENERIC_REASON "] dnssec_secure" },
		{ .name = "unconfirmed generic name: the first is judged",
		  .ptr = { GENERIC_NAME }, .confirmed = -1,
		  .fcrdns_tags = BIT(PTR_NOT_CONFIRMED),
		  .want = "ptr_not_confirmed ptr_generic[" GENERIC_REASON
		      "]" },
		{ .name = "the confirmed name counts, not a generic first",
		  .ptr = { GENERIC_NAME, "mail.example.com" }, .confirmed = 1,
		  .fcrdns_tags = BIT(PTR_MULTIPLE),
		  .want = "ptr_multiple" },
		{ .name = "a generic confirmed second name is judged",
		  .ptr = { "mail.example.com", GENERIC_NAME }, .confirmed = 1,
		  .fcrdns_tags = BIT(PTR_MULTIPLE),
		  .want = "ptr_multiple ptr_generic[" GENERIC_REASON "]" },
		{ .name = "host-type token",
		  .client = "198.51.100.51",
		  .ptr = { "dynamic-051.pool.example.net" }, .confirmed = 0,
		  .want = "ptr_generic[token:dynamic]" },
		{ .name = "generic_allow keeps a provider's names clean",
		  .conf = "generic_allow = example-broadband.com\n",
		  .ptr = { GENERIC_NAME }, .confirmed = 0,
		  .want = "" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

static void
test_generic_helo_gives_helo_generic_with_reason(void **state)
{
	static const struct row rows[] = {
		{ .name = "generic HELO and PTR, forward confirms",
		  .ptr = { GENERIC_NAME }, .confirmed = 0,
		  .helo = GENERIC_NAME, .lookup = true,
		  .a = DNS_OK, .aaaa = DNS_NODATA, .fwd = CLIENT4,
		  .want = "ptr_generic[" GENERIC_REASON "] helo_generic["
		      GENERIC_REASON "]" },
		{ .name = "generic HELO, clean PTR: HELO tags alone",
		  .ptr = { "mail.example.com" }, .confirmed = 0,
		  .helo = "HOST-198-51-100-40.Example-Broadband.com.",
		  .lookup = true, .a = DNS_NXDOMAIN, .aaaa = DNS_NXDOMAIN,
		  .want = "helo_generic[" GENERIC_REASON "] "
		      "helo_ptr_mismatch helo_no_forward[nxdomain]" },
		{ .name = "a single label is never judged generic",
		  .ptr = { "mail.example.com" }, .confirmed = 0,
		  .helo = "pc-198-51-100-40",
		  .want = "helo_not_fqdn" },
		{ .name = "an address literal is never judged generic",
		  .ptr = { "mail.example.com" }, .confirmed = 0,
		  .helo = "[198.51.100.40]",
		  .want = "" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

static void
test_helo_tags_are_merged_with_fcrdns_tags(void **state)
{
	static const struct row rows[] = {
		{ .name = "no PTR and a single-label HELO",
		  .client = "198.51.100.21", .confirmed = -1,
		  .fcrdns_tags = BIT(NO_PTR) | BIT(DNSSEC_SECURE),
		  .helo = "pc01",
		  .want = "no_ptr helo_not_fqdn dnssec_secure" },
		{ .name = "HELO that exists nowhere, clean PTR",
		  .client = "198.51.100.20",
		  .ptr = { "mail.example.com" }, .confirmed = 0,
		  .fcrdns_tags = BIT(DNSSEC_SECURE),
		  .helo = "gw.example.org", .lookup = true,
		  .a = DNS_NXDOMAIN, .aaaa = DNS_NXDOMAIN,
		  .want = "helo_ptr_mismatch helo_no_forward[nxdomain] "
		      "dnssec_secure" },
		{ .name = "HELO elsewhere under the same registered domain",
		  .client = "198.51.100.20",
		  .ptr = { "mail.example.com" }, .confirmed = 0,
		  .helo = "gw.example.com", .lookup = true,
		  .a = DNS_OK, .aaaa = DNS_NODATA, .fwd = "203.0.113.99",
		  .want = "helo_ptr_same_domain "
		      "helo_forward_mismatch[203.0.113.99]" },
		{ .name = "HELO lookups still out: no forward finding",
		  .client = "198.51.100.20",
		  .ptr = { "mail.example.com" }, .confirmed = 0,
		  .helo = "mail.example.com", .lookup = true,
		  .a = DNS_TIMEOUT, .aaaa = DNS_NODATA,
		  .want = "" },
		{ .name = "HELO not looked up: no forward finding",
		  .client = "198.51.100.20",
		  .ptr = { "mail.example.com" }, .confirmed = 0,
		  .helo = "gw.example.org",
		  .want = "helo_ptr_mismatch" },
		{ .name = "not confirmed: no PTR comparison",
		  .client = "198.51.100.22",
		  .ptr = { "elsewhere.example.com" }, .confirmed = -1,
		  .fcrdns_tags = BIT(PTR_NOT_CONFIRMED),
		  .helo = "[198.51.100.99]",
		  .want = "ptr_not_confirmed "
		      "helo_literal_mismatch[198.51.100.99]" },
		{ .name = "bare address of another host: one tag, the "
		      "address its reason",
		  .client = "198.51.100.20",
		  .ptr = { "mail.example.com" }, .confirmed = 0,
		  .fcrdns_tags = BIT(DNSSEC_SECURE),
		  .helo = "198.51.100.9",
		  .want = "helo_bare_ip[198.51.100.9] dnssec_secure" },
		{ .name = "bare address of the client: one tag, no reason",
		  .client = "198.51.100.20",
		  .ptr = { "mail.example.com" }, .confirmed = 0,
		  .helo = "198.51.100.20",
		  .want = "helo_bare_ip" },
		{ .name = "HELO claiming our name",
		  .client = "198.51.100.20",
		  .ptr = { "mail.example.com" }, .confirmed = 0,
		  .helo = "mx.our.example", .our_name = "mx.our.example",
		  .want = "helo_ptr_mismatch helo_is_ours[name]" },
		{ .name = "hostile HELO bytes are invalid, not a reason",
		  .client = "198.51.100.20",
		  .ptr = { "mail.example.com" }, .confirmed = 0,
		  .helo = "a\"b\\c\001d\033[31m",
		  .want = "helo_invalid" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fcrdns_tags_are_copied_without_reasons),
		cmocka_unit_test(
		    test_generic_ptr_name_gives_ptr_generic_with_reason),
		cmocka_unit_test(
		    test_generic_helo_gives_helo_generic_with_reason),
		cmocka_unit_test(test_helo_tags_are_merged_with_fcrdns_tags),
	};

	return cmocka_run_group_tests(tests, unit_regdom_setup,
	    unit_regdom_teardown);
}
