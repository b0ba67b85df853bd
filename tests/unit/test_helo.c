/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_helo.c - unit tests for helo.c and regdom.c: how HELO text is
 * classified (names, address literals, hostile bytes, limits) and which
 * HELO tags fire, with which reasons, for a given client, FCrDNS result
 * and forward lookup.
 *
 * HELO text is handed to helo_parse() in a heap block of exactly its
 * length, with no NUL after it, so a read past the end shows up under
 * AddressSanitizer or valgrind.
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

#include "helo.h"
#include "regdom.h"
#include "unit.h"

#define CLIENT4 "198.51.100.20"
#define CLIENT6 "2001:db8:1::25"
#define OUR_NAME "mx.our.example"
#define OUR_ADDR "192.0.2.25"

/* Fails the test, naming the table row, unless cond holds. */
#define EXPECT(row, cond) do {						\
	if (!(cond))							\
		fail_msg("row \"%s\": %s", (row), #cond);		\
} while (0)

/* Number of rows of a table. */
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

/* A literal and its length without the literal's own NUL, so that an
 * embedded "\0" counts. */
#define BYTES(s) (s), (sizeof(s) - 1)

#define BIT(t) TAG_BIT(TAG_##t)

/* Longest PTR name a row uses, NUL included. */
#define ROW_NAME_MAX 256

struct collect_row {
	const char *name;
	const char *helo;		/* NULL: no HELO */
	const char *client;		/* NULL: CLIENT4 */
	bool no_fcrdns;			/* pass no FCrDNS result */
	const char *ptr[2];		/* confirmed PTR names */
	const char *unconfirmed;	/* a PTR name that did not confirm */
	bool lookup;			/* the HELO's A and AAAA were asked */
	enum dns_status a, aaaa;
	const char *fwd[3];		/* their addresses */
	const char *our_name;
	const char *our_addr;
	tag_set want;
	enum tag reason_tag;		/* checked when reason is not NULL */
	const char *reason;
};

/* Everything a collect_row turns into, and what helo_collect() found. */
struct judged {
	struct addr client, our_addr;
	struct addr fwd[3];
	char ptrname[3][ROW_NAME_MAX];
	struct fcrdns_name names[3];
	struct fcrdns_result res;
	struct helo_forward forward;
	struct helo_context ctx;
	struct helo_parsed parsed;
	struct findings f;
};

static void parse_bytes(const char *text, size_t len, struct helo_parsed *out);
static void expect_parsed(const char *row, const struct helo_parsed *p,
    enum helo_kind want, const char *want_text);
static void dotted_name(char *buf, size_t len);
static void add_name(const char *row, struct judged *j, const char *name,
    bool confirmed);
static void collect_row(const struct collect_row *row, struct judged *j);
static void run_collect_rows(const struct collect_row *rows, size_t n);

/* helo_parse() over a heap copy of exactly len bytes (NULL stays NULL);
 * the output starts out as garbage to show that every field is set. */
static void
parse_bytes(const char *text, size_t len, struct helo_parsed *out)
{
	char *copy = NULL;

	memset(out, 0xa5, sizeof(*out));
	if (text != NULL) {
		copy = malloc(len > 0 ? len : 1);
		assert_non_null(copy);
		memcpy(copy, text, len);
	}
	helo_parse(copy, len, out);
	free(copy);
}

/*
 * want_text is the name for HELO_SINGLE_LABEL and HELO_HOSTNAME, the
 * address's canonical form for HELO_BARE_IP and HELO_LITERAL, and
 * ignored otherwise, where both fields must be empty.
 */
static void
expect_parsed(const char *row, const struct helo_parsed *p,
    enum helo_kind want, const char *want_text)
{
	static const struct addr none;
	char text[ADDR_TEXT_MAX];

	if (p->kind != want)
		fail_msg("row \"%s\": kind %d, want %d", row, (int)p->kind,
		    (int)want);
	switch (want) {
	case HELO_SINGLE_LABEL:
	case HELO_HOSTNAME:
		if (strcmp(p->name, want_text) != 0)
			fail_msg("row \"%s\": name \"%s\", want \"%s\"", row,
			    p->name, want_text);
		EXPECT(row, memcmp(&p->literal, &none, sizeof(none)) == 0);
		break;
	case HELO_BARE_IP:
	case HELO_LITERAL:
		EXPECT(row, addr_format(&p->literal, text, sizeof(text)) == 0);
		if (strcmp(text, want_text) != 0)
			fail_msg("row \"%s\": address %s, want %s", row, text,
			    want_text);
		EXPECT(row, p->name[0] == '\0');
		break;
	case HELO_NONE:
	case HELO_INVALID:
		EXPECT(row, p->name[0] == '\0');
		EXPECT(row, memcmp(&p->literal, &none, sizeof(none)) == 0);
		break;
	}
}

/* Writes a name of len characters (no NUL): labels of 63 'a' between
 * dots, the last one shorter.  len % 64 must not be 0. */
static void
dotted_name(char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (i + 1) % 64 == 0 ? '.' : 'a';
}

static void
add_name(const char *row, struct judged *j, const char *name, bool confirmed)
{
	size_t n = j->res.nnames;
	int w;

	EXPECT(row, n < NROWS(j->names));
	w = snprintf(j->ptrname[n], sizeof(j->ptrname[n]), "%s", name);
	EXPECT(row, w >= 0 && (size_t)w < sizeof(j->ptrname[n]));
	j->names[n].name = j->ptrname[n];
	j->names[n].forward.status = confirmed ? DNS_OK : DNS_NXDOMAIN;
	j->names[n].confirmed = confirmed;
	if (confirmed && j->res.confirmed == -1)
		j->res.confirmed = (int)n;
	j->res.nnames++;
}

/* Builds the context a row describes and judges its HELO. */
static void
collect_row(const struct collect_row *row, struct judged *j)
{
	size_t i;

	memset(j, 0, sizeof(*j));
	EXPECT(row->name, addr_parse(row->client != NULL ? row->client :
	    CLIENT4, &j->client) == 0);
	j->ctx.client = &j->client;

	j->res.client = j->client;
	j->res.confirmed = -1;
	j->res.names = j->names;
	for (i = 0; i < NROWS(row->ptr) && row->ptr[i] != NULL; i++)
		add_name(row->name, j, row->ptr[i], true);
	if (row->unconfirmed != NULL)
		add_name(row->name, j, row->unconfirmed, false);
	j->res.ptr_count = j->res.nnames;
	j->res.ptr.status = j->res.nnames > 0 ? DNS_OK : DNS_NXDOMAIN;
	if (j->res.confirmed != -1)
		j->res.iprev = IPREV_PASS;
	else
		j->res.iprev = j->res.nnames > 0 ? IPREV_FAIL :
		    IPREV_PERMERROR;
	if (!row->no_fcrdns)
		j->ctx.fcrdns = &j->res;

	if (row->lookup) {
		for (i = 0; i < NROWS(row->fwd) && row->fwd[i] != NULL; i++)
			EXPECT(row->name, addr_parse(row->fwd[i],
			    &j->fwd[i]) == 0);
		j->forward.a = row->a;
		j->forward.aaaa = row->aaaa;
		j->forward.addrs = j->fwd;
		j->forward.naddrs = i;
		j->ctx.forward = &j->forward;
	}

	j->ctx.our_name = row->our_name;
	if (row->our_addr != NULL) {
		EXPECT(row->name, addr_parse(row->our_addr,
		    &j->our_addr) == 0);
		j->ctx.our_addr = &j->our_addr;
	}

	parse_bytes(row->helo, row->helo != NULL ? strlen(row->helo) : 0,
	    &j->parsed);
	helo_collect(&j->parsed, &j->ctx, &j->f);
}

/* Judges every row; the tags must be exactly the wanted ones. */
static void
run_collect_rows(const struct collect_row *rows, size_t n)
{
	struct judged j;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct collect_row *row = &rows[i];

		collect_row(row, &j);
		if (j.f.tags != row->want)
			fail_msg("row \"%s\": tags 0x%05lx, want 0x%05lx",
			    row->name, (unsigned long)j.f.tags,
			    (unsigned long)row->want);
		if (row->reason != NULL &&
		    strcmp(j.f.reason[row->reason_tag], row->reason) != 0)
			fail_msg("row \"%s\": %s reason \"%s\", want \"%s\"",
			    row->name, tag_name(row->reason_tag),
			    j.f.reason[row->reason_tag], row->reason);
	}
}

static void
test_parse_classifies_names_and_folds_case(void **state)
{
	static const struct {
		const char *name;
		const char *input;
		size_t len;
		enum helo_kind want;
		const char *want_text;
	} rows[] = {
		{ "no helo sent", NULL, 0, HELO_NONE, "" },
		{ "empty helo is invalid", BYTES(""), HELO_INVALID, "" },
		{ "hostname", BYTES("mail.example.com"), HELO_HOSTNAME,
		    "mail.example.com" },
		{ "upper case folds", BYTES("MAIL.Example.COM"),
		    HELO_HOSTNAME, "mail.example.com" },
		{ "trailing dot is dropped", BYTES("mail.example.com."),
		    HELO_HOSTNAME, "mail.example.com" },
		{ "single label", BYTES("localhost"), HELO_SINGLE_LABEL,
		    "localhost" },
		{ "single label folds", BYTES("PC123"), HELO_SINGLE_LABEL,
		    "pc123" },
		{ "single label with trailing dot", BYTES("localhost."),
		    HELO_SINGLE_LABEL, "localhost" },
		{ "underscore tolerated", BYTES("mail_1.ex_ample.com"),
		    HELO_HOSTNAME, "mail_1.ex_ample.com" },
		{ "leading underscore tolerated", BYTES("_gw.example.com"),
		    HELO_HOSTNAME, "_gw.example.com" },
		{ "inner hyphen", BYTES("mx-1.example-mail.com"),
		    HELO_HOSTNAME, "mx-1.example-mail.com" },
		{ "punycode", BYTES("xn--mll-hoa.example.com"),
		    HELO_HOSTNAME, "xn--mll-hoa.example.com" },
		{ "all-digit inner label", BYTES("123.example.com"),
		    HELO_HOSTNAME, "123.example.com" },
		{ "last label mixing digits", BYTES("mail.example.c0m"),
		    HELO_HOSTNAME, "mail.example.c0m" },
		{ "all-digit last label", BYTES("1.2.3"), HELO_INVALID, "" },
		{ "all-digit tld", BYTES("mail.123"), HELO_INVALID, "" },
		{ "all-digit single label", BYTES("123"), HELO_INVALID, "" },
		{ "ipv4 out of range", BYTES("198.51.100.256"), HELO_INVALID,
		    "" },
		{ "ipv4 leading zero", BYTES("010.1.1.1"), HELO_INVALID, "" },
		{ "leading hyphen", BYTES("-mail.example.com"), HELO_INVALID,
		    "" },
		{ "label ending in hyphen", BYTES("mail-.example.com"),
		    HELO_INVALID, "" },
		{ "last label ending in hyphen", BYTES("mail.example-"),
		    HELO_INVALID, "" },
		{ "empty label", BYTES("mail..example.com"), HELO_INVALID,
		    "" },
		{ "leading dot", BYTES(".example.com"), HELO_INVALID, "" },
		{ "two trailing dots", BYTES("example.com.."), HELO_INVALID,
		    "" },
		{ "root alone", BYTES("."), HELO_INVALID, "" },
		{ "utf-8 letter", BYTES("m\xc3\xa4il.example.com"),
		    HELO_INVALID, "" },
		{ "latin-1 byte", BYTES("mail.ex\xe4mple.com"), HELO_INVALID,
		    "" },
		{ "byte 0xff alone", BYTES("\xff"), HELO_INVALID, "" },
		{ "high byte at the end", BYTES("mail.example.com\x80"),
		    HELO_INVALID, "" },
		{ "crlf", BYTES("mail.example.com\r\n"), HELO_INVALID, "" },
		{ "tab", BYTES("mail\t.example.com"), HELO_INVALID, "" },
		{ "escape sequence", BYTES("\x1b[31mmail.example.com"),
		    HELO_INVALID, "" },
		{ "del", BYTES("mail.example.com\x7f"), HELO_INVALID, "" },
		{ "space", BYTES("mail example.com"), HELO_INVALID, "" },
		{ "embedded nul", BYTES("mail\0.example.com"), HELO_INVALID,
		    "" },
		{ "trailing nul counted", BYTES("mail.example.com\0"),
		    HELO_INVALID, "" },
		{ "leading nul", BYTES("\0mail.example.com"), HELO_INVALID,
		    "" },
		{ "nul alone", BYTES("\0"), HELO_INVALID, "" },
		{ "command substitution", BYTES("$(reboot)"), HELO_INVALID,
		    "" },
		{ "backticks", BYTES("`id`.example.com"), HELO_INVALID, "" },
		{ "semicolon", BYTES("mail.example.com;rm -rf /"),
		    HELO_INVALID, "" },
		{ "pipe", BYTES("a|b.example.com"), HELO_INVALID, "" },
		{ "ampersand", BYTES("a&&b.example.com"), HELO_INVALID, "" },
		{ "redirection", BYTES("a>b.example.com"), HELO_INVALID, "" },
		{ "quotes", BYTES("'a'.\"b\".com"), HELO_INVALID, "" },
		{ "glob", BYTES("*.example.com"), HELO_INVALID, "" },
		{ "slash", BYTES("a/b.example.com"), HELO_INVALID, "" },
		{ "percent", BYTES("%s%n.example.com"), HELO_INVALID, "" },
		{ "backslash", BYTES("a\\.b.example.com"), HELO_INVALID, "" },
	};
	struct helo_parsed p;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		parse_bytes(rows[i].input, rows[i].len, &p);
		expect_parsed(rows[i].name, &p, rows[i].want,
		    rows[i].want_text);
	}
}

static void
test_parse_classifies_addresses_and_literals(void **state)
{
	static const struct {
		const char *name;
		const char *input;
		size_t len;
		enum helo_kind want;
		const char *want_text;
	} rows[] = {
		{ "bare ipv4", BYTES("198.51.100.20"), HELO_BARE_IP,
		    "198.51.100.20" },
		{ "bare ipv6", BYTES("2001:db8::1"), HELO_BARE_IP,
		    "2001:db8::1" },
		{ "bare ipv6 upper case", BYTES("2001:DB8::A"), HELO_BARE_IP,
		    "2001:db8::a" },
		{ "bare mapped ipv4 folds", BYTES("::ffff:198.51.100.20"),
		    HELO_BARE_IP, "198.51.100.20" },
		{ "bare ipv4 with trailing dot", BYTES("198.51.100.20."),
		    HELO_INVALID, "" },
		{ "bare ipv6 bad hex", BYTES("2001:db8::g"), HELO_INVALID,
		    "" },
		{ "ipv4 literal", BYTES("[198.51.100.20]"), HELO_LITERAL,
		    "198.51.100.20" },
		{ "ipv6 literal", BYTES("[IPv6:2001:db8::1]"), HELO_LITERAL,
		    "2001:db8::1" },
		{ "ipv6 tag in any case", BYTES("[ipv6:2001:DB8::1]"),
		    HELO_LITERAL, "2001:db8::1" },
		{ "ipv6 literal mapped folds",
		    BYTES("[IPv6:::ffff:198.51.100.20]"), HELO_LITERAL,
		    "198.51.100.20" },
		{ "short ipv4 literal", BYTES("[1.2.3]"), HELO_INVALID, "" },
		{ "ipv6 literal not hex", BYTES("[IPv6:zz]"), HELO_INVALID,
		    "" },
		{ "ipv6 literal without tag", BYTES("[2001:db8::1]"),
		    HELO_INVALID, "" },
		{ "ipv6 tag on ipv4", BYTES("[IPv6:198.51.100.20]"),
		    HELO_INVALID, "" },
		{ "ipv6 tag alone", BYTES("[IPv6:]"), HELO_INVALID, "" },
		{ "unregistered tag", BYTES("[IPv4:198.51.100.20]"),
		    HELO_INVALID, "" },
		{ "empty brackets", BYTES("[]"), HELO_INVALID, "" },
		{ "open bracket alone", BYTES("["), HELO_INVALID, "" },
		{ "unclosed literal", BYTES("[198.51.100.20"), HELO_INVALID,
		    "" },
		{ "unopened literal", BYTES("198.51.100.20]"), HELO_INVALID,
		    "" },
		{ "doubled brackets", BYTES("[[198.51.100.20]]"),
		    HELO_INVALID, "" },
		{ "space inside literal", BYTES("[ 198.51.100.20]"),
		    HELO_INVALID, "" },
		{ "zone in literal", BYTES("[IPv6:fe80::1%eth0]"),
		    HELO_INVALID, "" },
		{ "name in brackets", BYTES("[mail.example.com]"),
		    HELO_INVALID, "" },
		{ "nul inside literal", BYTES("[198.51.100.20\0]"),
		    HELO_INVALID, "" },
		{ "nul after bare address", BYTES("198.51.100.20\0"),
		    HELO_INVALID, "" },
		{ "text after literal", BYTES("[198.51.100.20]x"),
		    HELO_INVALID, "" },
	};
	struct helo_parsed p;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		parse_bytes(rows[i].input, rows[i].len, &p);
		expect_parsed(rows[i].name, &p, rows[i].want,
		    rows[i].want_text);
	}
}

static void
test_parse_limits_are_63_per_label_and_253_in_all(void **state)
{
	static const struct {
		const char *name;
		size_t len;		/* see dotted_name() */
		bool trailing_dot;
		enum helo_kind want;
	} rows[] = {
		{ "253 characters", 253, false, HELO_HOSTNAME },
		{ "253 characters and a dot", 253, true, HELO_HOSTNAME },
		{ "254 characters", 254, false, HELO_INVALID },
		{ "254 characters and a dot", 254, true, HELO_INVALID },
		{ "2000 characters", 2000, false, HELO_INVALID },
		{ "label of 63", 63, false, HELO_SINGLE_LABEL },
	};
	char buf[2048];
	struct helo_parsed p;
	size_t i, len;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		len = rows[i].len;
		dotted_name(buf, len);
		if (rows[i].trailing_dot)
			buf[len++] = '.';
		parse_bytes(buf, len, &p);
		EXPECT(rows[i].name, p.kind == rows[i].want);
		if (p.kind == HELO_HOSTNAME)
			EXPECT(rows[i].name, strlen(p.name) == rows[i].len &&
			    memcmp(p.name, buf, rows[i].len) == 0);
	}

	/* One label of 64 characters, alone or inside a name. */
	memset(buf, 'a', 64);
	parse_bytes(buf, 64, &p);
	EXPECT("label of 64", p.kind == HELO_INVALID);
	memcpy(buf + 64, ".com", 4);
	parse_bytes(buf, 68, &p);
	EXPECT("label of 64 in a name", p.kind == HELO_INVALID);

	/* 2000 bytes of one letter, and a 2000-byte literal. */
	memset(buf, 'a', 2000);
	parse_bytes(buf, 2000, &p);
	EXPECT("2000 letters", p.kind == HELO_INVALID);
	buf[0] = '[';
	memset(buf + 1, '1', 1998);
	buf[1999] = ']';
	parse_bytes(buf, 2000, &p);
	EXPECT("2000-byte literal", p.kind == HELO_INVALID);
	EXPECT("2000-byte literal", p.name[0] == '\0');
}

static void
test_only_hostnames_are_looked_up(void **state)
{
	static const struct {
		const char *name;
		const char *input;
		bool want;
	} rows[] = {
		{ "hostname", "mail.example.com", true },
		{ "single label", "localhost", false },
		{ "bare address", "198.51.100.20", false },
		{ "literal", "[198.51.100.20]", false },
		{ "invalid", "mail..example.com", false },
		{ "empty", "", false },
		{ "none", NULL, false },
	};
	struct helo_parsed p;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		parse_bytes(rows[i].input, rows[i].input != NULL ?
		    strlen(rows[i].input) : 0, &p);
		EXPECT(rows[i].name, helo_wants_lookup(&p) == rows[i].want);
	}
}

static void
test_collect_syntax_tags(void **state)
{
	static const struct collect_row rows[] = {
		{ .name = "no helo sets nothing, whatever else is known",
		    .helo = NULL, .unconfirmed = "mx.example.com",
		    .lookup = true, .a = DNS_NXDOMAIN, .aaaa = DNS_NXDOMAIN,
		    .our_name = OUR_NAME, .our_addr = OUR_ADDR, .want = 0 },
		{ .name = "empty helo is invalid only", .helo = "",
		    .ptr = { "mx.example.com" }, .want = BIT(HELO_INVALID),
		    .reason_tag = TAG_HELO_INVALID, .reason = "" },
		{ .name = "shell text is invalid with an empty reason",
		    .helo = "$(reboot)", .ptr = { "mx.example.com" },
		    .lookup = true, .a = DNS_NXDOMAIN, .aaaa = DNS_NXDOMAIN,
		    .want = BIT(HELO_INVALID),
		    .reason_tag = TAG_HELO_INVALID, .reason = "" },
		{ .name = "single label is not fqdn, not a ptr mismatch",
		    .helo = "PC123", .ptr = { "mx.example.com" },
		    .want = BIT(HELO_NOT_FQDN),
		    .reason_tag = TAG_HELO_NOT_FQDN, .reason = "" },
		{ .name = "bare ip of the client is bare ip only",
		    .helo = CLIENT4, .want = BIT(HELO_BARE_IP),
		    .reason_tag = TAG_HELO_BARE_IP, .reason = "" },
		{ .name = "bare ip of another host is bare ip only, the "
		    "address its reason", .helo = "198.51.100.99",
		    .want = BIT(HELO_BARE_IP),
		    .reason_tag = TAG_HELO_BARE_IP,
		    .reason = "198.51.100.99" },
		{ .name = "bare ipv6 of another host is bare ip only",
		    .client = CLIENT6, .helo = "2001:db8:1::99",
		    .want = BIT(HELO_BARE_IP),
		    .reason_tag = TAG_HELO_BARE_IP,
		    .reason = "2001:db8:1::99" },
		{ .name = "bare ipv6 of the client is bare ip only",
		    .client = CLIENT6, .helo = "2001:DB8:1:0::25",
		    .want = BIT(HELO_BARE_IP),
		    .reason_tag = TAG_HELO_BARE_IP, .reason = "" },
		{ .name = "ipv4 literal of the client sets nothing",
		    .helo = "[" CLIENT4 "]", .ptr = { "mx.example.com" },
		    .want = 0 },
		{ .name = "ipv4 literal of another host is a mismatch",
		    .helo = "[192.0.2.1]", .want = BIT(HELO_LITERAL_MISMATCH),
		    .reason_tag = TAG_HELO_LITERAL_MISMATCH,
		    .reason = "192.0.2.1" },
		{ .name = "ipv6 literal of the client sets nothing",
		    .client = CLIENT6, .helo = "[IPv6:2001:DB8:1:0::25]",
		    .want = 0 },
		{ .name = "ipv6 literal of another host is a mismatch",
		    .client = CLIENT6, .helo = "[IPv6:2001:db8:1::99]",
		    .want = BIT(HELO_LITERAL_MISMATCH),
		    .reason_tag = TAG_HELO_LITERAL_MISMATCH,
		    .reason = "2001:db8:1::99" },
		{ .name = "ipv6 literal from an ipv4 client is a mismatch",
		    .helo = "[IPv6:2001:db8:1::25]",
		    .want = BIT(HELO_LITERAL_MISMATCH) },
		{ .name = "mapped literal of an ipv4 client sets nothing",
		    .helo = "[IPv6:::ffff:" CLIENT4 "]", .want = 0 },
		{ .name = "literal of a mapped client sets nothing",
		    .client = "::ffff:" CLIENT4, .helo = "[" CLIENT4 "]",
		    .want = 0 },
	};

	(void)state;
	run_collect_rows(rows, NROWS(rows));
}

static void
test_collect_helo_against_confirmed_ptr(void **state)
{
	static const struct collect_row rows[] = {
		{ .name = "helo equal to the confirmed ptr sets nothing",
		    .helo = "mail.example.com",
		    .ptr = { "mail.example.com" }, .want = 0 },
		{ .name = "equal ignoring case and trailing dots",
		    .helo = "Mail.Example.COM.",
		    .ptr = { "MAIL.example.com." }, .want = 0 },
		{ .name = "equal to the second confirmed ptr",
		    .helo = "mx2.example.net",
		    .ptr = { "mx1.example.org", "mx2.example.net" },
		    .want = 0 },
		{ .name = "same registered domain is same_domain only",
		    .helo = "gw.example.co.uk",
		    .ptr = { "mx1.mail.example.co.uk" },
		    .want = BIT(HELO_PTR_SAME_DOMAIN),
		    .reason_tag = TAG_HELO_PTR_SAME_DOMAIN, .reason = "" },
		{ .name = "helo is the registered domain of the ptr",
		    .helo = "example.co.uk", .ptr = { "mx.example.co.uk" },
		    .want = BIT(HELO_PTR_SAME_DOMAIN) },
		{ .name = "same domain as any confirmed ptr",
		    .helo = "gw.example.net",
		    .ptr = { "mx1.example.org", "mx2.example.net" },
		    .want = BIT(HELO_PTR_SAME_DOMAIN) },
		{ .name = "another domain is a mismatch only",
		    .helo = "mail.example.org",
		    .ptr = { "mx1.mail.example.co.uk" },
		    .want = BIT(HELO_PTR_MISMATCH),
		    .reason_tag = TAG_HELO_PTR_MISMATCH, .reason = "" },
		{ .name = "sharing only a public suffix is a mismatch",
		    .helo = "mail.other.co.uk",
		    .ptr = { "mx.example.co.uk" },
		    .want = BIT(HELO_PTR_MISMATCH) },
		{ .name = "sharing a private suffix is a mismatch",
		    .helo = "a.blogspot.com", .ptr = { "b.blogspot.com" },
		    .want = BIT(HELO_PTR_MISMATCH) },
		{ .name = "equal to an unconfirmed ptr only is a mismatch",
		    .helo = "fake.example.org",
		    .ptr = { "mx.example.net" },
		    .unconfirmed = "fake.example.org",
		    .want = BIT(HELO_PTR_MISMATCH) },
		{ .name = "escaped ptr is compared as a whole name only",
		    .helo = "gw.example.com",
		    .ptr = { "a\\032b.example.com" },
		    .want = BIT(HELO_PTR_MISMATCH) },
		{ .name = "no confirmed ptr sets neither",
		    .helo = "mail.example.org",
		    .unconfirmed = "mx.example.net", .want = 0 },
		{ .name = "no ptr at all sets neither",
		    .helo = "mail.example.org", .want = 0 },
		{ .name = "unknown fcrdns sets neither",
		    .helo = "mail.example.org", .no_fcrdns = true,
		    .want = 0 },
	};

	(void)state;
	run_collect_rows(rows, NROWS(rows));
}

static void
test_collect_helo_forward_lookups(void **state)
{
	static const struct collect_row rows[] = {
		{ .name = "helo resolving to the client sets nothing",
		    .helo = "mail.example.com", .lookup = true,
		    .a = DNS_OK, .aaaa = DNS_NODATA,
		    .fwd = { "192.0.2.1", CLIENT4 }, .want = 0 },
		{ .name = "aaaa of an ipv6 client sets nothing",
		    .client = CLIENT6, .helo = "mail.example.com",
		    .lookup = true, .a = DNS_OK, .aaaa = DNS_OK,
		    .fwd = { "192.0.2.1", CLIENT6 }, .want = 0 },
		{ .name = "a match wins over a temporary failure",
		    .helo = "mail.example.com", .lookup = true,
		    .a = DNS_OK, .aaaa = DNS_TIMEOUT, .fwd = { CLIENT4 },
		    .want = 0 },
		{ .name = "resolving elsewhere is a forward mismatch",
		    .helo = "mail.example.com", .lookup = true,
		    .a = DNS_OK, .aaaa = DNS_NODATA,
		    .fwd = { "192.0.2.1", "192.0.2.2" },
		    .want = BIT(HELO_FORWARD_MISMATCH),
		    .reason_tag = TAG_HELO_FORWARD_MISMATCH,
		    .reason = "192.0.2.1" },
		{ .name = "ipv6 client, only other addresses",
		    .client = CLIENT6, .helo = "mail.example.com",
		    .lookup = true, .a = DNS_NODATA, .aaaa = DNS_OK,
		    .fwd = { "2001:db8:1::99" },
		    .want = BIT(HELO_FORWARD_MISMATCH),
		    .reason_tag = TAG_HELO_FORWARD_MISMATCH,
		    .reason = "2001:db8:1::99" },
		{ .name = "nxdomain for both is no forward",
		    .helo = "mail.example.com", .lookup = true,
		    .a = DNS_NXDOMAIN, .aaaa = DNS_NXDOMAIN,
		    .want = BIT(HELO_NO_FORWARD),
		    .reason_tag = TAG_HELO_NO_FORWARD, .reason = "nxdomain" },
		{ .name = "nodata for both is no forward",
		    .helo = "mail.example.com", .lookup = true,
		    .a = DNS_NODATA, .aaaa = DNS_NODATA,
		    .want = BIT(HELO_NO_FORWARD),
		    .reason_tag = TAG_HELO_NO_FORWARD, .reason = "nodata" },
		{ .name = "a servfail sets nothing",
		    .helo = "mail.example.com", .lookup = true,
		    .a = DNS_TEMPFAIL, .aaaa = DNS_NODATA, .want = 0 },
		{ .name = "an aaaa timeout sets nothing",
		    .helo = "mail.example.com", .lookup = true,
		    .a = DNS_NXDOMAIN, .aaaa = DNS_TIMEOUT, .want = 0 },
		{ .name = "a temporary failure hides a mismatch",
		    .helo = "mail.example.com", .lookup = true,
		    .a = DNS_OK, .aaaa = DNS_TEMPFAIL, .fwd = { "192.0.2.1" },
		    .want = 0 },
		{ .name = "a bogus answer sets nothing",
		    .helo = "mail.example.com", .lookup = true,
		    .a = DNS_BOGUS, .aaaa = DNS_NODATA, .want = 0 },
		{ .name = "no lookup sets nothing",
		    .helo = "mail.example.com", .want = 0 },
		{ .name = "other domain that does not resolve",
		    .helo = "mail.example.org", .ptr = { "mx.example.net" },
		    .lookup = true, .a = DNS_NXDOMAIN, .aaaa = DNS_NXDOMAIN,
		    .want = BIT(HELO_PTR_MISMATCH) | BIT(HELO_NO_FORWARD) },
	};

	(void)state;
	run_collect_rows(rows, NROWS(rows));
}

static void
test_collect_helo_claiming_to_be_us(void **state)
{
	static const struct collect_row rows[] = {
		{ .name = "our name in another case is ours",
		    .helo = "MX.Our.Example", .our_name = OUR_NAME ".",
		    .want = BIT(HELO_IS_OURS),
		    .reason_tag = TAG_HELO_IS_OURS, .reason = "name" },
		{ .name = "our name as a single label is ours",
		    .helo = "MX", .our_name = "mx",
		    .want = BIT(HELO_NOT_FQDN) | BIT(HELO_IS_OURS) },
		{ .name = "our name with ptr and forward both elsewhere",
		    .helo = OUR_NAME, .our_name = OUR_NAME,
		    .ptr = { "mx.example.net" }, .lookup = true,
		    .a = DNS_OK, .aaaa = DNS_NODATA, .fwd = { OUR_ADDR },
		    .want = BIT(HELO_IS_OURS) | BIT(HELO_PTR_MISMATCH) |
		    BIT(HELO_FORWARD_MISMATCH) },
		{ .name = "another name is not ours",
		    .helo = "mx.their.example", .our_name = OUR_NAME,
		    .want = 0 },
		{ .name = "no name of ours known",
		    .helo = OUR_NAME, .our_name = NULL, .want = 0 },
		{ .name = "our address as a literal is ours",
		    .helo = "[" OUR_ADDR "]", .our_addr = OUR_ADDR,
		    .our_name = OUR_NAME,
		    .want = BIT(HELO_LITERAL_MISMATCH) | BIT(HELO_IS_OURS),
		    .reason_tag = TAG_HELO_IS_OURS, .reason = "addr" },
		{ .name = "our address bare is ours and bare ip, once",
		    .helo = OUR_ADDR, .our_addr = OUR_ADDR,
		    .want = BIT(HELO_BARE_IP) | BIT(HELO_IS_OURS),
		    .reason_tag = TAG_HELO_BARE_IP, .reason = OUR_ADDR },
		{ .name = "our ipv6 address as a literal is ours",
		    .client = CLIENT6, .helo = "[IPv6:2001:db8::25]",
		    .our_addr = "2001:db8::25",
		    .want = BIT(HELO_LITERAL_MISMATCH) | BIT(HELO_IS_OURS) },
		{ .name = "the client's own literal is not ours",
		    .helo = "[" CLIENT4 "]", .our_addr = OUR_ADDR,
		    .want = 0 },
	};

	(void)state;
	run_collect_rows(rows, NROWS(rows));
}

static void
test_collect_adds_to_findings_already_there(void **state)
{
	static const struct collect_row row = {
		.name = "keeps no_ptr", .helo = "[192.0.2.1]",
	};
	struct helo_parsed p;
	struct judged j;

	(void)state;
	collect_row(&row, &j);
	memset(&j.f, 0, sizeof(j.f));
	findings_add(&j.f, TAG_NO_PTR, "");
	parse_bytes(row.helo, strlen(row.helo), &p);
	helo_collect(&p, &j.ctx, &j.f);
	assert_int_equal(j.f.tags, BIT(NO_PTR) | BIT(HELO_LITERAL_MISMATCH));
}

static void
test_regdom_same_follows_the_public_suffix_list(void **state)
{
	static const struct {
		const char *name;
		const char *a, *b;
		bool want;
	} rows[] = {
		{ "under one registered domain", "mx1.mail.example.co.uk",
		    "gw.example.co.uk", true },
		{ "the registered domain itself", "example.co.uk",
		    "mx.example.co.uk", true },
		{ "same name", "mx.example.com", "mx.example.com", true },
		{ "different registered domains", "mx.example.com",
		    "mx.example.org", false },
		{ "only a public suffix shared", "a.co.uk", "b.co.uk",
		    false },
		{ "a public suffix itself", "co.uk", "co.uk", false },
		{ "a single label is a suffix", "localhost", "localhost",
		    false },
		{ "private suffix", "a.blogspot.com", "b.blogspot.com",
		    false },
		{ "empty name", "", "", false },
		{ "null name", NULL, "example.com", false },
	};
	size_t i;

	(void)state;
	assert_int_equal(regdom_init(), 0);	/* again: a no-op */
	for (i = 0; i < NROWS(rows); i++)
		EXPECT(rows[i].name, regdom_same(rows[i].a, rows[i].b) ==
		    rows[i].want);
}

/* What exempt_ptr_domains refuses: names anyone can register under. */
static void
test_regdom_public_suffixes_are_told_from_registered_domains(void **state)
{
	static const struct {
		const char *name;
		bool want;
	} rows[] = {
		{ "com", true },
		{ "co.uk", true },
		{ "github.io", true },	/* the list's private section */
		{ "lan", true },	/* unlisted: the "*" rule */
		{ "example.com", false },
		{ "example.co.uk", false },
		{ "mx.example.co.uk", false },
		{ "user.github.io", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		EXPECT(rows[i].name, regdom_is_public_suffix(rows[i].name) ==
		    rows[i].want);
}

static void
test_regdom_without_a_list_compares_last_two_labels(void **state)
{
	(void)state;
	regdom_exit();
	assert_true(regdom_same("a.example.com", "b.example.com"));
	assert_true(regdom_same("example.com", "b.example.com"));
	assert_false(regdom_same("a.example.com", "a.example.org"));
	assert_false(regdom_same("localhost", "localhost"));
	/* The reason to have the list: */
	assert_true(regdom_same("a.co.uk", "b.co.uk"));
	assert_int_equal(regdom_init(), 0);
	assert_false(regdom_same("a.co.uk", "b.co.uk"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_classifies_names_and_folds_case),
		cmocka_unit_test(
		    test_parse_classifies_addresses_and_literals),
		cmocka_unit_test(
		    test_parse_limits_are_63_per_label_and_253_in_all),
		cmocka_unit_test(test_only_hostnames_are_looked_up),
		cmocka_unit_test(test_collect_syntax_tags),
		cmocka_unit_test(test_collect_helo_against_confirmed_ptr),
		cmocka_unit_test(test_collect_helo_forward_lookups),
		cmocka_unit_test(test_collect_helo_claiming_to_be_us),
		cmocka_unit_test(test_collect_adds_to_findings_already_there),
		cmocka_unit_test(
		    test_regdom_same_follows_the_public_suffix_list),
		cmocka_unit_test(
		    test_regdom_public_suffixes_are_told_from_registered_domains),
		cmocka_unit_test(
		    test_regdom_without_a_list_compares_last_two_labels),
	};

	return cmocka_run_group_tests(tests, unit_regdom_setup,
	    unit_regdom_teardown);
}
