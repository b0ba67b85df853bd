/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_authres.c - unit tests for authres.c: which authserv-id we write,
 * and which incoming Authentication-Results headers claim it (and are
 * removed as forgeries, RFC 8601 section 5) - read as a reader reads
 * them, so that what we write and what we remove are the same id.
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

#include "authres.h"

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

struct row {
	const char *name;
	const char *value;
	bool want;
};

static void
test_authserv_id_is_read_past_cfws_and_compared_without_case(void **state)
{
	static const struct row rows[] = {
		{ "plain", "mx.example.net; iprev=pass", true },
		{ "upper case", "MX.Example.NET; iprev=pass", true },
		{ "leading space", "  mx.example.net; iprev=pass", true },
		{ "folded", "\n\tmx.example.net;\n\tiprev=pass", true },
		{ "comment first", "(forged) mx.example.net; none", true },
		{ "nested comment", "((a)\\)b) mx.example.net; none", true },
		{ "version", "mx.example.net 1; iprev=pass", true },
		{ "comment after", "mx.example.net(x); none", true },
		{ "trailing dot", "mx.example.net.; none", true },
		{ "quoted", "\"mx.example.net\"; none", true },
		{ "quoted pair", "\"mx\\.example.net\"; dkim=pass", true },
		{ "every byte a quoted pair",
		  "\"\\m\\x\\.\\e\\x\\a\\m\\p\\l\\e\\.\\n\\e\\t\"; none",
		  true },
		{ "quoted, upper case", "\"MX.Example.NET\"; none", true },
		{ "quoted, folded inside", "\"mx.example\r\n.net\"; none",
		  true },
		{ "quoted, blanks inside the quotes", "\" mx.example.net\t\"; none",
		  true },
		{ "quoted after a comment", "(x) \"mx.example.net\" (y); none",
		  true },
		{ "quoted, trailing dot", "\"mx.example.net.\"; none", true },
		{ "quoted, escaped blanks around", "\"\\ \\\tmx.example.net\\ \"; none", true },
		{ "token ends at a tspecial", "mx.example.net/1; none", true },
		{ "token ends at a colon", "mx.example.net:25; none", true },
		{ "quoted, other host", "\"mx.example.org\"; none", false },
		{ "quoted, longer", "\"mx.example.net.evil\"; none", false },
		{ "quoted pair hides a dot", "mx\\.example.net; none", false },
		{ "quoted, blank in the middle", "\"mx.example .net\"; none",
		  false },
		{ "quoted, backslash at the end", "\"mx.example.net\\", false },
		{ "two dots", "mx.example.net..; none", false },
		{ "no result", "mx.example.net", true },
		{ "other host", "mx.example.org; iprev=pass", false },
		{ "prefix only", "mx.example.ne; iprev=pass", false },
		{ "longer", "mx.example.net.evil; none", false },
		{ "suffix trick", "evilmx.example.net; none", false },
		{ "empty", "", false },
		{ "only comment", "(mx.example.net)", false },
		{ "unterminated comment", "(mx.example.net; none", false },
		{ "unterminated quote", "\"mx.example.net; none", false },
		{ "lone backslash", "(\\", false },
	};

	(void)state;
	for (size_t i = 0; i < NROWS(rows); i++)
		if (authres_is_ours(rows[i].value, "mx.example.net") !=
		    rows[i].want)
			fail_msg("row \"%s\": want %s", rows[i].name,
			    rows[i].want ? "ours" : "not ours");
}

static void
test_no_authserv_id_matches_nothing(void **state)
{
	(void)state;
	assert_false(authres_is_ours("mx.example.net; none", ""));
	assert_false(authres_is_ours("mx.example.net; none", NULL));
	assert_false(authres_is_ours(NULL, "mx.example.net"));
	assert_false(authres_is_ours("; none", ""));
	assert_false(authres_is_ours("\"\"; none", ""));
}

/* An id with a token character that is not a letter, digit, '-', '.'
 * or '_' is written as it is, so forgeries of exactly that are ours. */
static void
test_id_is_compared_as_written(void **state)
{
	static const struct row rows[] = {
		{ "plain", "mx+in.example; dkim=pass", true },
		{ "quoted", "\"mx+in.example\"; dkim=pass", true },
		{ "quoted pair", "\"mx\\+in.example\"; dkim=pass", true },
		{ "upper case", "MX+IN.example; dkim=pass", true },
		{ "what an old version wrote", "mx_in.example; dkim=pass",
		  false },
	};

	(void)state;
	for (size_t i = 0; i < NROWS(rows); i++)
		if (authres_is_ours(rows[i].value, "mx+in.example") !=
		    rows[i].want)
			fail_msg("row \"%s\": want %s", rows[i].name,
			    rows[i].want ? "ours" : "not ours");
	assert_true(authres_is_ours("mx.example.net; none", "mx.example.net."));
	assert_true(authres_is_ours("\"mx.example.net.\"; none",
	    "mx.example.net."));
}

/* Blanks around a quoted id are dropped by readers however many there
 * are: 300 of them (more than any id is long) still make it ours. */
static void
test_padded_quoted_id_is_ours(void **state)
{
	char blanks[301], value[700];

	(void)state;
	memset(blanks, ' ', sizeof(blanks) - 1);
	blanks[sizeof(blanks) - 1] = '\0';
	snprintf(value, sizeof(value), "\"%smx.example.net\"; iprev=pass",
	    blanks);
	assert_true(authres_is_ours(value, "mx.example.net"));
	snprintf(value, sizeof(value), "\"mx.example.net%s\"; iprev=pass",
	    blanks);
	assert_true(authres_is_ours(value, "mx.example.net"));
	snprintf(value, sizeof(value), "\"%smx. example.net%s\"; none",
	    blanks, blanks);
	assert_false(authres_is_ours(value, "mx.example.net"));
}

/* Longer than any id: read no further than the id could be, no match. */
static void
test_overlong_id_is_not_ours(void **state)
{
	char value[1200], id[AUTHRES_ID_MAX + 1];

	(void)state;
	memset(id, 'a', AUTHRES_ID_MAX);
	id[AUTHRES_ID_MAX] = '\0';
	snprintf(value, sizeof(value), "\"%s\"; none", id);
	assert_true(authres_is_ours(value, id));
	snprintf(value, sizeof(value), "%s.; none", id);
	assert_true(authres_is_ours(value, id));
	snprintf(value, sizeof(value), "\"%sa\"; none", id);
	assert_false(authres_is_ours(value, id));
	memset(value, 'a', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	assert_false(authres_is_ours(value, id));
	value[0] = '"';
	assert_false(authres_is_ours(value, id));
}

static void
test_id_must_be_a_token_of_at_most_255_bytes(void **state)
{
	static const struct {
		const char *id;
		bool want;
	} rows[] = {
		{ "mx.example.net", true },
		{ "mx+in.example", true },
		{ "MX_1.example-net.", true },
		{ "a!#$%&'*^`{|}~b", true },
		{ "", false },
		{ "mx example", false },
		{ "\"mx.example.net\"", false },
		{ "mx;x", false },
		{ "mx\\.example", false },
		{ "a@b", false }, { "a/b", false }, { "a=b", false },
		{ "[a]", false }, { "(a)", false }, { "a<b>", false },
		{ "a,b", false }, { "a:b", false }, { "a?b", false },
		{ "m\tx", false }, { "m\x01x", false }, { "m\x7fx", false },
		{ "m\xc3\xa4il.example", false },
		{ "mx.example.net\r\n", false },
	};
	char id[AUTHRES_ID_MAX + 2];

	(void)state;
	for (size_t i = 0; i < NROWS(rows); i++)
		if (authres_id_valid(rows[i].id) != rows[i].want)
			fail_msg("\"%s\": want %s", rows[i].id,
			    rows[i].want ? "valid" : "invalid");
	assert_false(authres_id_valid(NULL));
	memset(id, 'a', sizeof(id) - 1);
	id[AUTHRES_ID_MAX] = '\0';
	assert_true(authres_id_valid(id));
	id[AUTHRES_ID_MAX] = 'a';
	id[AUTHRES_ID_MAX + 1] = '\0';
	assert_false(authres_id_valid(id));
}

/* The configured id, else the MTA's {j}, else the host name: the first
 * that is set and valid; an invalid one is passed over, never mended. */
static void
test_fallback_ids_are_used_only_when_valid(void **state)
{
	static const struct {
		const char *name;
		const char *policy, *mta, *host;
		enum authres_id_source want;
		const char *want_id;
	} rows[] = {
		{ "policy first", "mx.example.net", "j.example", "h.example",
		  AUTHRES_ID_POLICY, "mx.example.net" },
		{ "then {j}", NULL, "j.example", "h.example", AUTHRES_ID_MTA,
		  "j.example" },
		{ "empty {j}", NULL, "", "h.example", AUTHRES_ID_HOST,
		  "h.example" },
		{ "no {j}", NULL, NULL, "h.example", AUTHRES_ID_HOST,
		  "h.example" },
		{ "{j} with a space", NULL, "j example", "h.example",
		  AUTHRES_ID_HOST, "h.example" },
		{ "{j} with a tspecial", NULL, "mx;dkim=pass", "h.example",
		  AUTHRES_ID_HOST, "h.example" },
		{ "{j} with 8-bit bytes", NULL, "m\xc3\xa4il", "h.example",
		  AUTHRES_ID_HOST, "h.example" },
		{ "{j} with a line break", NULL, "j.example\r\nX: y",
		  "h.example", AUTHRES_ID_HOST, "h.example" },
		{ "{j} with '+' is kept", NULL, "mx+in.example", "h.example",
		  AUTHRES_ID_MTA, "mx+in.example" },
		{ "nothing valid", NULL, "j example", "h example",
		  AUTHRES_ID_NONE, NULL },
		{ "nothing at all", NULL, NULL, NULL, AUTHRES_ID_NONE, NULL },
	};
	const char *id;

	(void)state;
	for (size_t i = 0; i < NROWS(rows); i++) {
		id = "unset";
		if (authres_pick_id(rows[i].policy, rows[i].mta, rows[i].host,
		    &id) != rows[i].want)
			fail_msg("%s: wrong source", rows[i].name);
		if (rows[i].want_id == NULL ? id != NULL :
		    id == NULL || strcmp(id, rows[i].want_id) != 0)
			fail_msg("%s: id %s", rows[i].name,
			    id != NULL ? id : "(null)");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_authserv_id_is_read_past_cfws_and_compared_without_case),
		cmocka_unit_test(test_no_authserv_id_matches_nothing),
		cmocka_unit_test(test_id_is_compared_as_written),
		cmocka_unit_test(test_overlong_id_is_not_ours),
		cmocka_unit_test(test_padded_quoted_id_is_ours),
		cmocka_unit_test(test_id_must_be_a_token_of_at_most_255_bytes),
		cmocka_unit_test(test_fallback_ids_are_used_only_when_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
