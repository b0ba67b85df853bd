/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_allow_list.c - the allow-list set: which network or domain an
 * address or PTR name falls in (the most specific), label boundaries,
 * case and trailing dots, families kept apart, duplicates, and values
 * that are not entries.
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

#include "allow_list.h"
#include "unit.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
parse_ok_list(struct allow_list *l, enum allow_kind kind, const char *text)
{
	const char *bad;

	if (allow_list_parse(l, kind, text, NULL, &bad) != POLICY_VALUE_OK)
		fail_msg("'%s' did not parse (at '%s')", text,
		    bad != NULL ? bad : "-");
}

static void
test_network_lookup_finds_the_most_specific_entry(void **state)
{
	static const struct {
		const char *ip;
		const char *want;	/* the entry, or NULL */
	} rows[] = {
		{ "10.1.2.3", "10.1.2.0/24" },
		{ "10.1.3.3", "10.1.0.0/16" },
		{ "10.200.0.1", "10.0.0.0/8" },
		{ "11.0.0.1", NULL },
		{ "192.0.2.1", "192.0.2.1/32" },
		{ "192.0.2.2", NULL },
		{ "::ffff:10.1.2.3", "10.1.2.0/24" },	/* mapped is IPv4 */
		{ "2001:db8::1", "2001:db8::/32" },
		{ "2001:db9::1", NULL },
		{ "::a01:203", NULL },	/* IPv4-compatible stays IPv6 */
		{ "::1", "::1/128" },
	};
	struct allow_list l;
	char text[CIDR_TEXT_MAX];

	(void)state;
	parse_ok_list(&l, ALLOW_NETWORKS, "10.0.0.0/8 10.1.0.0/16, "
	    "10.1.2.0/24 192.0.2.1 2001:db8::/32 ::1");
	for (size_t i = 0; i < NELEM(rows); i++) {
		struct addr a = parse_ok(rows[i].ip);
		const struct allow_entry *e = allow_list_network(&l, &a);

		if (rows[i].want == NULL) {
			if (e != NULL)
				fail_msg("%s: found, want none", rows[i].ip);
			continue;
		}
		if (e == NULL)
			fail_msg("%s: not found", rows[i].ip);
		assert_int_equal(allow_entry_format(e, ALLOW_NETWORKS, text,
		    sizeof(text)), 0);
		assert_string_equal(text, rows[i].want);
		assert_null(allow_list_file_of(&l, e));
	}
	allow_list_free(&l);
}

/* ::/0 holds every IPv6 client and no IPv4 one; 0.0.0.0/0 the reverse. */
static void
test_default_routes_keep_to_their_family(void **state)
{
	struct allow_list l;
	struct addr v4 = parse_ok("198.51.100.1"), v6 = parse_ok("2001:db8::1");

	(void)state;
	parse_ok_list(&l, ALLOW_NETWORKS, "::/0");
	assert_null(allow_list_network(&l, &v4));
	assert_non_null(allow_list_network(&l, &v6));
	allow_list_free(&l);
	parse_ok_list(&l, ALLOW_NETWORKS, "0.0.0.0/0");
	assert_non_null(allow_list_network(&l, &v4));
	assert_null(allow_list_network(&l, &v6));
	allow_list_free(&l);
}

static void
test_domain_matches_on_a_label_boundary_only(void **state)
{
	static const struct {
		const char *name;
		const char *want;
	} rows[] = {
		{ "example.com", "example.com" },
		{ "mx.out.example.com", "example.com" },
		{ "MX.Out.Example.COM.", "example.com" },
		{ "badexample.com", NULL },
		{ "example.com.evil.net", NULL },
		{ "com", NULL },
		{ "mail.example.net", "mail.example.net" },
		{ "a.mail.example.net", "mail.example.net" },
		{ "example.net", NULL },
		{ "xmail.example.net", NULL },
		{ "deep.relay.example.org", "relay.example.org" },
		{ "relay.example.org", "relay.example.org" },
		{ "other.example.org", "example.org" },
		{ "mx\\.evil.example.com", NULL },	/* an escape */
		{ "mx..example.com", NULL },
		{ ".example.com", NULL },
		{ "", NULL },
		{ "example.com..", NULL },
	};
	struct allow_list l;

	(void)state;
	parse_ok_list(&l, ALLOW_DOMAINS, "Example.COM. .mail.example.net "
	    "example.org relay.example.org");
	for (size_t i = 0; i < NELEM(rows); i++) {
		const struct allow_entry *e = allow_list_domain(&l,
		    rows[i].name);

		if (rows[i].want == NULL) {
			if (e != NULL)
				fail_msg("%s: matched %s, want none",
				    rows[i].name, e->name);
			continue;
		}
		if (e == NULL)
			fail_msg("%s: no match, want %s", rows[i].name,
			    rows[i].want);
		assert_string_equal(e->name, rows[i].want);
	}
	assert_null(allow_list_domain(&l, NULL));
	allow_list_free(&l);
}

/* The longest name there is, and one past it. */
static void
test_domain_lookup_is_bounded(void **state)
{
	char name[300];
	struct allow_list l;

	(void)state;
	parse_ok_list(&l, ALLOW_DOMAINS, "example.com");
	memset(name, 'a', sizeof(name));
	/* 62 + '.' + 62 + '.' + 62 + '.' + 52 + ".example.com" = 253 */
	name[62] = name[125] = name[188] = '.';
	snprintf(name + 241, sizeof(name) - 241, ".example.com");
	assert_int_equal(strlen(name), 253);
	assert_non_null(allow_list_domain(&l, name));
	name[0] = '\0';
	memset(name, 'a', 299);
	name[299] = '\0';
	assert_null(allow_list_domain(&l, name));
	allow_list_free(&l);
}

static void
test_duplicates_are_kept_once_and_written_as_given(void **state)
{
	struct allow_list a, b;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	parse_ok_list(&a, ALLOW_NETWORKS, "10.0.0.0/8 10.0.0.0/8 192.0.2.1");
	assert_int_equal(a.count, 2);
	f = open_memstream(&text, &size);
	assert_non_null(f);
	allow_list_print(&a, f);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, "10.0.0.0/8 10.0.0.0/8 192.0.2.1/32");
	parse_ok_list(&b, ALLOW_NETWORKS, text);
	assert_true(allow_list_equal(&a, &b, ALLOW_NETWORKS));
	allow_list_free(&b);
	parse_ok_list(&b, ALLOW_NETWORKS, "10.0.0.0/8 192.0.2.1");
	assert_false(allow_list_equal(&a, &b, ALLOW_NETWORKS));
	allow_list_free(&b);
	allow_list_free(&a);
	free(text);
}

/* Without a context (the built-in defaults) no file may be named. */
static void
test_bad_entries_are_pointed_at(void **state)
{
	static const struct {
		enum allow_kind kind;
		const char *text;
		const char *bad;
		enum policy_value_result want;
	} rows[] = {
		{ ALLOW_NETWORKS, "10.0.0.0/8 10.0.0.1/8", "10.0.0.1/8",
		  POLICY_VALUE_BAD },
		{ ALLOW_NETWORKS, "file:/etc/list", "file:/etc/list",
		  POLICY_VALUE_BAD },
		{ ALLOW_NETWORKS, "file:relative", "file:relative",
		  POLICY_VALUE_BAD },
		{ ALLOW_NETWORKS, " , ", NULL, POLICY_VALUE_BAD },
		{ ALLOW_DOMAINS, "example.com under_score.com", NULL,
		  POLICY_VALUE_OK },
		{ ALLOW_DOMAINS, "example.com label-.com", "label-.com",
		  POLICY_VALUE_BAD },
		{ ALLOW_DOMAINS, "example.com -bad.com", "-bad.com",
		  POLICY_VALUE_BAD },
		{ ALLOW_DOMAINS, "exa\\mple.com", "exa\\mple.com",
		  POLICY_VALUE_BAD },
		{ ALLOW_DOMAINS, ".", ".", POLICY_VALUE_BAD },
		{ ALLOW_DOMAINS, "example.com..", "example.com..",
		  POLICY_VALUE_BAD },
		{ ALLOW_DOMAINS, "..example.com", "..example.com",
		  POLICY_VALUE_BAD },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++) {
		struct allow_list l;
		const char *bad;
		enum policy_value_result r;

		r = allow_list_parse(&l, rows[i].kind, rows[i].text, NULL,
		    &bad);
		if (r != rows[i].want)
			fail_msg("'%s': result %d, want %d", rows[i].text,
			    (int)r, (int)rows[i].want);
		if (rows[i].bad == NULL)
			assert_null(bad);
		else
			assert_string_equal(bad, rows[i].bad);
		allow_list_free(&l);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_network_lookup_finds_the_most_specific_entry),
		cmocka_unit_test(test_default_routes_keep_to_their_family),
		cmocka_unit_test(test_domain_matches_on_a_label_boundary_only),
		cmocka_unit_test(test_domain_lookup_is_bounded),
		cmocka_unit_test(
		    test_duplicates_are_kept_once_and_written_as_given),
		cmocka_unit_test(test_bad_entries_are_pointed_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
