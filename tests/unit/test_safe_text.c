/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_safe_text.c - every output class of safe_text(), one table each:
 * control bytes, DEL, 8-bit bytes, quotes, parentheses, backslash, '%',
 * CR/LF, empty input, a text that just fits and one byte more.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "safe_text.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* Room for the widest table row; the rest of dst is a canary. */
#define DST_MAX 320

struct row {
	const char *name;
	const char *src;
	size_t size;		/* of dst, NUL included */
	const char *want;
};

static void run_rows(enum safe_text_class cls, const struct row *rows,
    size_t n);

/* Runs each row and checks that nothing is written past size. */
static void
run_rows(enum safe_text_class cls, const struct row *rows, size_t n)
{
	char dst[DST_MAX + 1];

	for (size_t i = 0; i < n; i++) {
		assert_true(rows[i].size <= DST_MAX);
		memset(dst, '#', sizeof(dst));
		(void)safe_text(dst, rows[i].size, rows[i].src, SAFE_TEXT_ALL,
		    cls);
		if (strcmp(dst, rows[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", rows[i].name,
			    dst, rows[i].want);
		for (size_t k = rows[i].size; k < sizeof(dst); k++)
			if (dst[k] != '#')
				fail_msg("%s: byte %zu written past %zu",
				    rows[i].name, k, rows[i].size);
	}
}

static void
test_log_guards_only_line_breaking_bytes(void **state)
{
	static const struct row rows[] = {
		{ "control bytes", "a\x01" "b\x1f" "c", 16, "a?b?c" },
		{ "tab", "a\tb", 16, "a?b" },
		{ "DEL", "a\x7f" "b", 16, "a?b" },
		{ "8-bit bytes pass", "caf\xc3\xa9\xff", 16, "caf\xc3\xa9\xff" },
		{ "quotes, parentheses, backslash, % pass", "\"(a)\\%s\"", 16,
		    "\"(a)\\%s\"" },
		{ "CR and LF", "a\r\nb", 16, "a??b" },
		{ "space passes", "a b", 16, "a b" },
		{ "empty", "", 16, "" },
		{ "exact fit", "abc", 4, "abc" },
		{ "one over is cut silently", "abcd", 4, "abc" },
	};

	(void)state;
	run_rows(SAFE_TEXT_LOG, rows, NELEM(rows));
}

static void
test_reply_is_printable_ascii_with_spaces(void **state)
{
	static const struct row rows[] = {
		{ "control bytes", "a\x01" "b\x1f" "c", 16, "a?b?c" },
		{ "tab", "a\tb", 16, "a?b" },
		{ "DEL", "a\x7f" "b", 16, "a?b" },
		{ "8-bit bytes", "caf\xc3\xa9", 16, "caf??" },
		{ "quotes, parentheses, backslash, % pass", "\"(a)\\%s\"", 16,
		    "\"(a)\\%s\"" },
		{ "CR and LF", "a\r\nb", 16, "a??b" },
		{ "space passes", "a b", 16, "a b" },
		{ "empty", "", 16, "" },
		{ "exact fit", "abc", 4, "abc" },
		{ "one over is cut silently", "abcd", 4, "abc" },
		{ "size 1 holds the NUL only", "abc", 1, "" },
	};

	(void)state;
	run_rows(SAFE_TEXT_REPLY, rows, NELEM(rows));
}

static void
test_reason_is_one_token_without_brackets(void **state)
{
	static const struct row rows[] = {
		{ "control bytes", "a\x01" "b", 16, "a?b" },
		{ "DEL", "a\x7f" "b", 16, "a?b" },
		{ "8-bit bytes", "\xc3\xa9", 16, "??" },
		{ "space", "a b", 16, "a?b" },
		{ "quotes", "\"a\"", 16, "?a?" },
		{ "parentheses and brackets", "()[]", 16, "????" },
		{ "semicolon and backslash", ";\\", 16, "??" },
		{ "% < > : pass", "%s<a>:1", 16, "%s<a>:1" },
		{ "CR and LF", "a\r\nb", 16, "a??b" },
		{ "empty", "", 16, "" },
		{ "exact fit", "abc", 4, "abc" },
		{ "one over is cut silently", "abcd", 4, "abc" },
	};

	(void)state;
	run_rows(SAFE_TEXT_REASON, rows, NELEM(rows));
}

static void
test_header_text_is_a_visible_token(void **state)
{
	static const struct row rows[] = {
		{ "control bytes", "a\x01" "b", 16, "a?b" },
		{ "DEL", "a\x7f" "b", 16, "a?b" },
		{ "8-bit bytes", "\xc3\xa9", 16, "??" },
		{ "space", "a b", 16, "a?b" },
		{ "quotes", "\"a\"", 16, "?a?" },
		{ "parentheses", "(a)", 16, "?a?" },
		{ "backslash and semicolon", "\\;", 16, "??" },
		{ "angle brackets", "<a>", 16, "?a?" },
		{ "square brackets and % pass", "[%s]", 16, "[%s]" },
		{ "CR and LF", "a\r\nb", 16, "a??b" },
		{ "empty", "", 16, "" },
		{ "exact fit", "abc", 4, "abc" },
		{ "one over ends in ...", "abcd", 4, "..." },
		{ "a short buffer cuts too", "abcdefghijkl", 8, "abcd..." },
		{ "no room for ... leaves nothing", "abcdefghijkl", 3, "" },
		{ "size 1", "abc", 1, "" },
	};

	(void)state;
	run_rows(SAFE_TEXT_HEADER, rows, NELEM(rows));
}

static void
test_header_reason_also_hides_square_brackets(void **state)
{
	static const struct row rows[] = {
		{ "control bytes", "a\x01" "b", 16, "a?b" },
		{ "DEL and 8-bit bytes", "\x7f\x80\xff", 16, "???" },
		{ "square brackets", "[a]", 16, "?a?" },
		{ "quotes, parentheses, backslash", "\"()\\", 16, "????" },
		{ "angle brackets", "<>", 16, "??" },
		{ "% passes", "%n", 16, "%n" },
		{ "CR and LF", "\r\n", 16, "??" },
		{ "empty", "", 16, "" },
		{ "exact fit", "abc", 4, "abc" },
		{ "one over ends in ...", "abcd", 4, "..." },
	};

	(void)state;
	run_rows(SAFE_TEXT_HEADER_REASON, rows, NELEM(rows));
}

static void
test_header_name_keeps_dns_escapes_whole(void **state)
{
	static const struct row rows[] = {
		{ "escapes pass", "a\\.b\\032c\\\\", 32, "a\\.b\\032c\\\\" },
		{ "control bytes", "a\x01" "b", 16, "a?b" },
		{ "DEL and 8-bit bytes", "\x7f\xc3", 16, "??" },
		{ "space", "a b", 16, "a?b" },
		{ "quotes, parentheses, semicolon", "\"();", 16, "????" },
		{ "angle and square brackets pass", "<[a]>", 16, "<[a]>" },
		{ "% passes", "%s", 16, "%s" },
		{ "CR and LF", "\r\n", 16, "??" },
		{ "empty", "", 16, "" },
		{ "exact fit", "a\\032", 6, "a\\032" },
		{ "one over ends in ...", "ab\\032", 6, "ab..." },
		/* four characters before "...": "ab" and not half of \032 */
		{ "a cut never splits \\DDD", "ab\\032cd", 8, "ab..." },
		{ "a cut never splits \\.", "abc\\.xyz", 8, "abc..." },
	};

	(void)state;
	run_rows(SAFE_TEXT_HEADER_NAME, rows, NELEM(rows));
}

static void
test_config_values_show_bytes_as_hex(void **state)
{
	static const struct row rows[] = {
		{ "control bytes", "a\x01" "b", 32, "a\\x01b" },
		{ "tab", "\t", 32, "\\x09" },
		{ "DEL", "\x7f", 32, "\\x7f" },
		{ "8-bit bytes", "\xc3\xa9", 32, "\\xc3\\xa9" },
		{ "quotes, parentheses, backslash, % pass", "\"(a)\\%\"", 32,
		    "\"(a)\\%\"" },
		{ "CR and LF", "\r\n", 32, "\\x0d\\x0a" },
		{ "space passes", "a = b", 32, "a = b" },
		{ "empty", "", 32, "" },
		{ "exact fit", "a\x01", 6, "a\\x01" },
		{ "an escape one over is left out", "a\x01", 5, "a" },
		{ "64 bytes are shown whole",
		    "0123456789012345678901234567890123456789012345678901234567890123",
		    300,
		    "0123456789012345678901234567890123456789012345678901234567890123" },
		{ "65 bytes end in ...",
		    "01234567890123456789012345678901234567890123456789012345678901234",
		    300,
		    "0123456789012345678901234567890123456789012345678901234567890123..." },
	};

	(void)state;
	run_rows(SAFE_TEXT_CONFIG, rows, NELEM(rows));
}

static void
test_terminal_text_escapes_the_backslash(void **state)
{
	static const struct row rows[] = {
		{ "control bytes", "a\x01" "b", 32, "a\\x01b" },
		{ "DEL", "\x7f", 32, "\\x7f" },
		{ "8-bit bytes", "\xff", 32, "\\xff" },
		{ "backslash", "a\\b", 32, "a\\x5cb" },
		{ "quotes, parentheses, % pass", "\"(%s)\"", 32, "\"(%s)\"" },
		{ "CR and LF", "\r\n", 32, "\\x0d\\x0a" },
		{ "space passes", "a b", 32, "a b" },
		{ "empty", "", 32, "" },
		{ "exact fit", "\x01", 5, "\\x01" },
		{ "one over: the escape is not split", "a\x01", 5, "a" },
	};

	(void)state;
	run_rows(SAFE_TEXT_TERMINAL, rows, NELEM(rows));
}

static void
test_json_escapes_what_json_needs(void **state)
{
	static const struct row rows[] = {
		{ "control bytes", "a\x01" "b", 32, "a\\u0001b" },
		{ "DEL", "\x7f", 32, "\\u007f" },
		{ "8-bit bytes", "\xc3\xa9", 32, "\\u00c3\\u00a9" },
		{ "quote", "\"a\"", 32, "\\\"a\\\"" },
		{ "backslash", "\\", 32, "\\\\" },
		{ "parentheses, %, / pass", "(%s)/", 32, "(%s)/" },
		{ "CR and LF", "\r\n", 32, "\\u000d\\u000a" },
		{ "empty", "", 32, "" },
		{ "exact fit", "\x01", 7, "\\u0001" },
		{ "one over: the escape is not split", "\x01", 6, "" },
	};

	(void)state;
	run_rows(SAFE_TEXT_JSON, rows, NELEM(rows));
}

static void
test_queue_id_keeps_letters_digits_and_three_marks(void **state)
{
	static const struct row rows[] = {
		{ "Postfix long ID", "4dQz2B0kXzz2", 64, "4dQz2B0kXzz2" },
		{ "Postfix short ID", "3F2A81C0E1", 64, "3F2A81C0E1" },
		{ "- . _ pass", "a-b.c_d", 64, "a-b.c_d" },
		{ "space, =, quote, backslash", "a b=\"\\", 64, "a?b???" },
		{ "control and 8-bit bytes", "\r\n\x01\x7f\xc3\xa9", 64,
		    "??????" },
		{ "the marks around the alphabet", "/:@[`{~", 64, "???????" },
		{ "longer than shown: cut with ...",
		    "0123456789abcdefghijABCDEFGHIJ0123", 64,
		    "0123456789abcdefghijABCDEFGHI..." },
		{ "exactly shown", "0123456789abcdefghijABCDEFGHIJ01", 64,
		    "0123456789abcdefghijABCDEFGHIJ01" },
		{ "longer than fits: cut within it", "0123456789", 8,
		    "0123..." },
		{ "empty", "", 64, "" },
	};

	(void)state;
	run_rows(SAFE_TEXT_QUEUE_ID, rows, NELEM(rows));
}

/* Moved from test_verdict.c: the cut of a HELO or PTR name in a header. */
static void
test_long_names_are_cut_with_an_ellipsis(void **state)
{
	static const struct {
		const char *name;
		size_t len;		/* of the text shown */
		const char *unit;	/* repeated to make it */
		enum safe_text_class cls;
		size_t want_len;
		const char *want_end;
	} cases[] = {
		{ "exactly the limit is kept", SAFE_TEXT_HEADER_SHOWN, "a",
		    SAFE_TEXT_HEADER, SAFE_TEXT_HEADER_SHOWN, "aaa" },
		{ "one more is cut", SAFE_TEXT_HEADER_SHOWN + 1, "a",
		    SAFE_TEXT_HEADER, SAFE_TEXT_HEADER_SHOWN, "a..." },
		{ "2000 bytes are cut", 2000, "ab", SAFE_TEXT_HEADER,
		    SAFE_TEXT_HEADER_SHOWN, "..." },
		{ "a cut name ending on an escape keeps it", 400, "\\032",
		    SAFE_TEXT_HEADER_NAME, SAFE_TEXT_HEADER_SHOWN, "\\032..." },
		/* 252 bytes fit before "..."; here \032 starts at 250 */
		{ "a cut never splits \\DDD", 400, "\\032a",
		    SAFE_TEXT_HEADER_NAME, 250 + 3, "a..." },
		/* and here \. starts at 251 */
		{ "a cut never splits \\.", 400, "a\\.bc",
		    SAFE_TEXT_HEADER_NAME, 251 + 3, "a..." },
		{ "raw text has no escapes to keep", 400, "\\032a",
		    SAFE_TEXT_HEADER, SAFE_TEXT_HEADER_SHOWN, "?0..." },
	};
	char src[2048], dst[SAFE_TEXT_HEADER_SHOWN + 1];

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		size_t ulen = strlen(cases[i].unit), n;

		for (n = 0; n < cases[i].len; n++)
			src[n] = cases[i].unit[n % ulen];
		src[n] = '\0';
		(void)safe_text(dst, sizeof(dst), src, SAFE_TEXT_ALL,
		    cases[i].cls);
		if (strlen(dst) != cases[i].want_len)
			fail_msg("%s: length %zu, want %zu", cases[i].name,
			    strlen(dst), cases[i].want_len);
		assert_string_equal(dst + strlen(dst) -
		    strlen(cases[i].want_end), cases[i].want_end);
	}
}

/* NULL is "", and a zero-sized destination is not touched. */
static void
test_null_and_empty_destination_in_every_class(void **state)
{
	char dst[4];

	(void)state;
	for (int c = 0; c < SAFE_TEXT_CLASS_COUNT; c++) {
		memset(dst, '#', sizeof(dst));
		assert_int_equal(safe_text(dst, sizeof(dst), NULL,
		    SAFE_TEXT_ALL, (enum safe_text_class)c), 0);
		assert_string_equal(dst, "");
		memset(dst, '#', sizeof(dst));
		assert_int_equal(safe_text(dst, 0, "abc", SAFE_TEXT_ALL,
		    (enum safe_text_class)c), 0);
		assert_int_equal(dst[0], '#');
	}
}

/* len stops the source short of its NUL: how a config entry is shown
 * out of the whole value ("a, b" shows "a"). */
static void
test_len_stops_before_the_nul(void **state)
{
	char dst[16];

	(void)state;
	assert_int_equal(safe_text(dst, sizeof(dst), "a\x01, b", 2,
	    SAFE_TEXT_CONFIG), 2);
	assert_string_equal(dst, "a\\x01");
	assert_int_equal(safe_text(dst, sizeof(dst), "abc", 0,
	    SAFE_TEXT_REPLY), 0);
	assert_string_equal(dst, "");
}

/* The return value says how much of the source is written, so a long
 * text is streamed a bufferful at a time without splitting an escape. */
static void
test_streaming_resumes_where_the_buffer_ended(void **state)
{
	const char *src = "ab\x01\"c\\d";
	char dst[8], out[64] = "";
	size_t used, calls = 0;

	(void)state;
	used = safe_text(dst, sizeof(dst), src, SAFE_TEXT_ALL, SAFE_TEXT_JSON);
	assert_int_equal(used, 2);	/* "ab"; \u0001 does not fit after */
	assert_string_equal(dst, "ab");
	for (const char *s = src; *s != '\0'; s += used, calls++) {
		used = safe_text(dst, sizeof(dst), s, SAFE_TEXT_ALL,
		    SAFE_TEXT_JSON);
		assert_true(used > 0);
		strcat(out, dst);
	}
	assert_string_equal(out, "ab\\u0001\\\"c\\\\d");
	assert_int_equal(calls, 3);
}

/* The log guard filters a whole line where it lies. */
static void
test_log_filters_in_place(void **state)
{
	char line[] = "helo=<a\r\nforged: yes\x7f\xc3\xa9>";

	(void)state;
	(void)safe_text(line, sizeof(line), line, SAFE_TEXT_ALL,
	    SAFE_TEXT_LOG);
	assert_string_equal(line, "helo=<a??forged: yes?\xc3\xa9>");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_guards_only_line_breaking_bytes),
		cmocka_unit_test(test_reply_is_printable_ascii_with_spaces),
		cmocka_unit_test(test_reason_is_one_token_without_brackets),
		cmocka_unit_test(test_header_text_is_a_visible_token),
		cmocka_unit_test(test_header_reason_also_hides_square_brackets),
		cmocka_unit_test(test_header_name_keeps_dns_escapes_whole),
		cmocka_unit_test(test_config_values_show_bytes_as_hex),
		cmocka_unit_test(test_terminal_text_escapes_the_backslash),
		cmocka_unit_test(test_json_escapes_what_json_needs),
		cmocka_unit_test(
		    test_queue_id_keeps_letters_digits_and_three_marks),
		cmocka_unit_test(test_long_names_are_cut_with_an_ellipsis),
		cmocka_unit_test(test_null_and_empty_destination_in_every_class),
		cmocka_unit_test(test_len_stops_before_the_nul),
		cmocka_unit_test(test_streaming_resumes_where_the_buffer_ended),
		cmocka_unit_test(test_log_filters_in_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
