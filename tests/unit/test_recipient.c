/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_recipient.c - the RCPT TO argument read as hostile input, the
 * forms of an exempt_recipients entry, and which entry a recipient
 * matches.
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

#include "recipient.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
test_recipient_forms_parse_to_local_and_domain(void **state)
{
	static const struct {
		const char *arg;
		const char *local;
		const char *domain;
	} rows[] = {
		{ "<User@Example.NET>", "user", "example.net" },
		{ "user@example.net", "user", "example.net" },
		{ "  <user@example.net>", "user", "example.net" },
		{ "<user@example.net.>", "user", "example.net" },
		{ "<user@example.net", "user", "example.net" },	/* no '>' */
		{ "<@relay.example,@b.example:Abuse@Example.org>", "abuse",
		  "example.org" },
		{ "<\"John Doe\"@example.com>", "john doe", "example.com" },
		{ "<\"postmaster\"@example.com>", "postmaster", "example.com" },
		{ "<\"a\\\"b@c\"@example.com>", "a\"b@c", "example.com" },
		{ "<Postmaster>", "postmaster", "" },
		{ "postmaster", "postmaster", "" },
		{ "<first.last+tag@example.com>", "first.last+tag",
		  "example.com" },
		{ "<user@[192.0.2.1]>", "user", "[192.0.2.1]" },
		{ "<user@under_score.example>", "user", "under_score.example" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++) {
		struct recipient r;

		if (recipient_parse(rows[i].arg, &r) != 0)
			fail_msg("'%s' did not parse", rows[i].arg);
		assert_string_equal(r.local, rows[i].local);
		assert_string_equal(r.domain, rows[i].domain);
	}
}

static void
test_hostile_recipients_are_no_recipient(void **state)
{
	static const char *const rows[] = {
		"", "<>", "<", ">", "@", "<@>", "<@a.example>",
		"<@a.example,@b.example>",	/* route without a mailbox */
		"<user@>", "<@example.com>", "<\"unclosed@example.com>",
		"<\"\"@example.com>", "<user@@example.com>",
		"<user@exa mple.com>", "<user@bad..example>",
		"<user@-bad.example>", "<us er@example.com>",
		"<user\r\n@example.com>", "<\"a\rb\"@example.com>",
		"<user@example.com\n>", "<a@b@example.com>",
		"<user@[192.0.2.1>", "<user@example.com> trailing",
		"<user>x",
	};

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++) {
		struct recipient r;

		if (recipient_parse(rows[i], &r) == 0)
			fail_msg("'%s' parsed as '%s'@'%s'", rows[i], r.local,
			    r.domain);
	}
}

/* Longer than the limits: never read past them, never a recipient. */
static void
test_oversized_recipients_are_refused(void **state)
{
	char *arg = malloc(RECIPIENT_ARG_MAX * 4);
	struct recipient r;

	(void)state;
	assert_non_null(arg);
	/* A local part of 65 bytes. */
	memset(arg, 'a', 65);
	snprintf(arg + 65, 32, "@example.com");
	assert_int_equal(recipient_parse(arg, &r), -1);
	/* 64 is fine. */
	snprintf(arg + 64, 32, "@example.com");
	assert_int_equal(recipient_parse(arg, &r), 0);
	assert_int_equal(strlen(r.local), 64);
	/* A quoted local part that unquotes to 65 bytes. */
	arg[0] = '"';
	memset(arg + 1, 'b', 65);
	snprintf(arg + 66, 32, "\"@example.com");
	assert_int_equal(recipient_parse(arg, &r), -1);
	/* A domain of 300 bytes. */
	memset(arg, 'c', 300);
	arg[0] = 'u';
	arg[1] = '@';
	arg[300] = '\0';
	assert_int_equal(recipient_parse(arg, &r), -1);
	/* A whole argument past RECIPIENT_ARG_MAX, unterminated within it. */
	memset(arg, '@', RECIPIENT_ARG_MAX * 4 - 1);
	arg[RECIPIENT_ARG_MAX * 4 - 1] = '\0';
	assert_int_equal(recipient_parse(arg, &r), -1);
	assert_int_equal(recipient_parse(NULL, &r), -1);
	free(arg);
}

static void
test_entries_of_three_forms_are_valid(void **state)
{
	static const struct {
		const char *entry;
		bool valid;
	} rows[] = {
		{ "postmaster", true },
		{ "abuse@example.net", true },
		{ "@example.org", true },
		{ "first.last+tag", true },
		{ "@", false },
		{ "abuse@", false },
		{ "a@b@example.net", false },
		{ "@bad..example", false },
		{ "@example.org.", false },	/* kept without its dot */
		{ "\"quoted\"", false },
		{ "a<b", false },
		{ "", false },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  false },				/* 65 */
	};

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++)
		if (recipient_entry_valid(rows[i].entry) != rows[i].valid)
			fail_msg("'%s': want %s", rows[i].entry,
			    rows[i].valid ? "valid" : "invalid");
}

static void
test_recipient_matches_its_entry(void **state)
{
	static char *entries[] = {
		"postmaster", "abuse@example.net", "@example.org", NULL
	};
	static const struct {
		const char *arg;
		const char *want;
	} rows[] = {
		{ "<postmaster@anywhere.example>", "postmaster" },
		{ "<PostMaster>", "postmaster" },
		{ "<\"postmaster\"@example.com>", "postmaster" },
		{ "<abuse@example.net>", "abuse@example.net" },
		{ "<ABUSE@EXAMPLE.NET.>", "abuse@example.net" },
		{ "<abuse@example.com>", NULL },
		{ "<abuse>", NULL },
		{ "<abusex@example.net>", NULL },
		{ "<anyone@example.org>", "@example.org" },
		{ "<@route.example:anyone@Example.ORG>", "@example.org" },
		{ "<anyone@sub.example.org>", NULL },	/* the domain only */
		{ "<anyone@example.org.evil>", NULL },
		{ "<user@example.net>", NULL },
		{ "<postmaster.x@example.net>", NULL },
		{ "<user@postmaster>", NULL },
		{ "<>", NULL },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++) {
		struct recipient r;
		const char *got = NULL;

		if (recipient_parse(rows[i].arg, &r) == 0)
			got = recipient_match(entries, &r);
		if ((got == NULL) != (rows[i].want == NULL) ||
		    (got != NULL && strcmp(got, rows[i].want) != 0))
			fail_msg("'%s': matched %s, want %s", rows[i].arg,
			    got != NULL ? got : "none",
			    rows[i].want != NULL ? rows[i].want : "none");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_recipient_forms_parse_to_local_and_domain),
		cmocka_unit_test(test_hostile_recipients_are_no_recipient),
		cmocka_unit_test(test_oversized_recipients_are_refused),
		cmocka_unit_test(test_entries_of_three_forms_are_valid),
		cmocka_unit_test(test_recipient_matches_its_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
