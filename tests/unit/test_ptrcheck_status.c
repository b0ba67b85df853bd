/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ptrcheck_status.c - ptrcheck's exit status: the --fail-on parser
 * (every word, the score's bounds and syntax, what an error says), the
 * outcome of one address under each --fail-on, and which of two statuses
 * is the worse.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ptrcheck_status.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct parse_row {
	const char *text;
	int want_rc;
	enum ptrcheck_fail_kind want_kind;
	double want_score;
};

static void
test_fail_on_accepts_the_four_words_and_valid_scores(void **state)
{
	static const struct parse_row rows[] = {
		{ "iprev", 0, PTRCHECK_FAIL_IPREV, 0 },
		{ "action", 0, PTRCHECK_FAIL_ACTION, 0 },
		{ "never", 0, PTRCHECK_FAIL_NEVER, 0 },
		{ "score=5", 0, PTRCHECK_FAIL_SCORE, 5 },
		{ "score=5.5", 0, PTRCHECK_FAIL_SCORE, 5.5 },
		{ "score=0.001", 0, PTRCHECK_FAIL_SCORE, 0.001 },
		{ "score=1000", 0, PTRCHECK_FAIL_SCORE, 1000 },
		{ "score=2.125", 0, PTRCHECK_FAIL_SCORE, 2.125 },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++) {
		struct ptrcheck_fail_on f = { PTRCHECK_FAIL_NEVER, -1 };

		err[0] = '\0';
		if (ptrcheck_fail_on_parse(rows[i].text, &f, err,
		    sizeof(err)) != 0)
			fail_msg("%s: rejected: %s", rows[i].text, err);
		assert_int_equal(f.kind, rows[i].want_kind);
		if (f.kind == PTRCHECK_FAIL_SCORE && f.score != rows[i].want_score)
			fail_msg("%s: score %g", rows[i].text, f.score);
	}
}

static void
test_fail_on_rejects_everything_else_naming_it(void **state)
{
	static const char *const bad[] = {
		"", "IPREV", "Action", "iprev ", "iprev=1", "action,iprev",
		"scores=5", "score", "score=", "score=0", "score=0.0009",
		"score=1000.001", "score=-1", "score=+5", "score= 5",
		"score=5 ", "score=1.2345", "score=1e3", "score=0x10",
		"score=5,5", "score=off", "score=inf", "score=nan",
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < NELEM(bad); i++) {
		struct ptrcheck_fail_on f = { PTRCHECK_FAIL_ACTION, 7 };

		err[0] = '\0';
		if (ptrcheck_fail_on_parse(bad[i], &f, err, sizeof(err)) != -1)
			fail_msg("\"%s\": accepted", bad[i]);
		if (strncmp(err, "--fail-on ", 10) != 0 ||
		    strstr(err, bad[i]) == NULL)
			fail_msg("\"%s\": message \"%s\"", bad[i], err);
		assert_int_equal(f.kind, PTRCHECK_FAIL_ACTION);
	}
}

static void
test_fail_on_error_escapes_and_bounds_the_argument(void **state)
{
	char arg[600], err[512];
	struct ptrcheck_fail_on f;

	(void)state;
	assert_int_equal(ptrcheck_fail_on_parse("\033]0;x\007", &f, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "\\x1b]0;x\\x07"));
	memset(arg, 'a', sizeof(arg) - 1);
	arg[sizeof(arg) - 1] = '\0';
	memcpy(arg, "score=", 6);
	assert_int_equal(ptrcheck_fail_on_parse(arg, &f, err, sizeof(err)),
	    -1);
	assert_true(strlen(err) < 200);
	assert_non_null(strstr(err, "..."));
	assert_int_equal(ptrcheck_fail_on_parse("x", &f, err, 8), -1);
	assert_int_equal(strlen(err), 7);
}

struct outcome_row {
	const char *name;
	struct ptrcheck_fail_on f;
	enum iprev iprev;
	enum verdict_action action;
	double score;
	int want;
};

static void
test_outcome_of_one_address_under_each_fail_on(void **state)
{
	static const struct outcome_row rows[] = {
		{ "iprev pass", { PTRCHECK_FAIL_IPREV, 0 }, IPREV_PASS,
		  VERDICT_REJECT, 9, 0 },
		{ "iprev fail", { PTRCHECK_FAIL_IPREV, 0 }, IPREV_FAIL,
		  VERDICT_ACCEPT, 0, 1 },
		{ "iprev permerror", { PTRCHECK_FAIL_IPREV, 0 },
		  IPREV_PERMERROR, VERDICT_ACCEPT, 0, 1 },
		{ "iprev temperror", { PTRCHECK_FAIL_IPREV, 0 },
		  IPREV_TEMPERROR, VERDICT_ACCEPT, 0, 2 },
		{ "action accept, iprev permerror",
		  { PTRCHECK_FAIL_ACTION, 0 }, IPREV_PERMERROR,
		  VERDICT_ACCEPT, 4.999, 0 },
		{ "action reject", { PTRCHECK_FAIL_ACTION, 0 }, IPREV_PASS,
		  VERDICT_REJECT, 10, 1 },
		{ "action tempfail", { PTRCHECK_FAIL_ACTION, 0 }, IPREV_FAIL,
		  VERDICT_TEMPFAIL, 5, 2 },
		{ "score below", { PTRCHECK_FAIL_SCORE, 5.5 }, IPREV_TEMPERROR,
		  VERDICT_TEMPFAIL, 5.499, 0 },
		{ "score reached exactly", { PTRCHECK_FAIL_SCORE, 5.5 },
		  IPREV_PASS, VERDICT_ACCEPT, 5.5, 1 },
		{ "score above", { PTRCHECK_FAIL_SCORE, 0.001 }, IPREV_PASS,
		  VERDICT_ACCEPT, 0.002, 1 },
		{ "score negative", { PTRCHECK_FAIL_SCORE, 0.001 }, IPREV_FAIL,
		  VERDICT_REJECT, -3, 0 },
		{ "never, all failing", { PTRCHECK_FAIL_NEVER, 0 },
		  IPREV_TEMPERROR, VERDICT_REJECT, 100, 0 },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++) {
		struct verdict v;
		int got;

		memset(&v, 0, sizeof(v));
		v.action = rows[i].action;
		v.score = rows[i].score;
		got = ptrcheck_outcome(&rows[i].f, rows[i].iprev, &v);
		if (got != rows[i].want)
			fail_msg("%s: %d, want %d", rows[i].name, got,
			    rows[i].want);
	}
}

/* The dry-run question: a refusal the daemon would only log is still
 * the policy's refusal. */
static void
test_action_is_not_softened_by_dry_run(void **state)
{
	struct ptrcheck_fail_on f = { PTRCHECK_FAIL_ACTION, 0 };
	struct verdict v;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.action = VERDICT_REJECT;
	v.enforced = false;
	assert_int_equal(ptrcheck_outcome(&f, IPREV_PERMERROR, &v), 1);
}

static void
test_worse_status_malformed_lines_give_way_to_failures(void **state)
{
	static const int rows[][3] = {
		{ 0, 0, 0 }, { 0, 65, 65 }, { 65, 0, 65 }, { 65, 65, 65 },
		{ 65, 1, 1 }, { 1, 65, 1 }, { 2, 65, 2 }, { 65, 2, 2 },
		{ 1, 2, 2 }, { 2, 1, 2 }, { 0, 1, 1 }, { 2, 74, 74 },
		{ 65, 74, 74 }, { 74, 65, 74 }, { 71, 2, 71 }, { 71, 74, 74 },
		{ 65, 71, 71 },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++) {
		int got = ptrcheck_status_worse(rows[i][0], rows[i][1]);

		if (got != rows[i][2])
			fail_msg("worse(%d, %d) = %d, want %d", rows[i][0],
			    rows[i][1], got, rows[i][2]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_fail_on_accepts_the_four_words_and_valid_scores),
		cmocka_unit_test(
		    test_fail_on_rejects_everything_else_naming_it),
		cmocka_unit_test(
		    test_fail_on_error_escapes_and_bounds_the_argument),
		cmocka_unit_test(
		    test_outcome_of_one_address_under_each_fail_on),
		cmocka_unit_test(test_action_is_not_softened_by_dry_run),
		cmocka_unit_test(
		    test_worse_status_malformed_lines_give_way_to_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
