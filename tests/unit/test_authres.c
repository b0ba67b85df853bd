/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_authres.c - unit tests for authres.c: which incoming
 * Authentication-Results headers claim our authserv-id (and are removed
 * as forgeries, RFC 8601 section 5).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

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
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_authserv_id_is_read_past_cfws_and_compared_without_case),
		cmocka_unit_test(test_no_authserv_id_matches_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
