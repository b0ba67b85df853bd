/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ptrcheck_input.c - ptrcheck's standard input: lines read with a
 * bound (no final newline, CRLF, NUL bytes, a line of megabytes and the
 * line after it, a read error), each line sorted into an address, a line
 * to skip or a malformed line, and the report of a malformed line in text
 * and JSON, escaped and bounded.
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

#include "ptrcheck_input.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static FILE *
input_of(const char *bytes, size_t n)
{
	FILE *in = fmemopen((void *)(uintptr_t)bytes, n, "r");

	assert_non_null(in);
	return in;
}

static void
test_lines_end_at_lf_crlf_or_the_end_of_input(void **state)
{
	static const char bytes[] = "a b\nc\r\n\n\r\nd\re\nlast";
	static const char *const want[] = { "a b", "c", "", "", "d\re",
		"last" };
	FILE *in = input_of(bytes, sizeof(bytes) - 1);
	struct input_line l;

	(void)state;
	l.number = 0;
	for (size_t i = 0; i < NELEM(want); i++) {
		assert_int_equal(input_read_line(in, &l), 1);
		assert_int_equal(l.number, i + 1);
		assert_string_equal(l.text, want[i]);
		assert_int_equal(l.length, strlen(want[i]));
		assert_int_equal(l.kept, l.length);
		assert_false(l.has_nul);
	}
	assert_int_equal(input_read_line(in, &l), 0);
	assert_int_equal(input_read_line(in, &l), 0);
	fclose(in);

	in = input_of("", 0);
	assert_int_equal(input_read_line(in, &l), 0);
	fclose(in);
}

/* The bytes past the bound are counted and dropped, and the next line
 * starts where it should. */
static void
test_an_overlong_line_is_kept_bounded_and_consumed(void **state)
{
	size_t big = 3 * 1024 * 1024;
	char *bytes = malloc(big + 32);
	struct input_line l;
	FILE *in;
	size_t n;

	(void)state;
	assert_non_null(bytes);
	memset(bytes, 'A', big);
	n = big;
	memcpy(bytes + n, "\r\n198.51.100.20\n", 16);
	n += 16;
	in = input_of(bytes, n);
	l.number = 0;
	assert_int_equal(input_read_line(in, &l), 1);
	assert_int_equal(l.length, big);
	assert_int_equal(l.kept, PTRCHECK_LINE_MAX);
	assert_int_equal(strlen(l.text), PTRCHECK_LINE_MAX);
	assert_int_equal(input_read_line(in, &l), 1);
	assert_int_equal(l.number, 2);
	assert_string_equal(l.text, "198.51.100.20");
	assert_int_equal(input_read_line(in, &l), 0);
	fclose(in);
	free(bytes);
}

static void
test_nul_bytes_are_noted_not_a_line_end(void **state)
{
	static const char bytes[] = "ab\0cd\nef\n";
	FILE *in = input_of(bytes, sizeof(bytes) - 1);
	struct input_line l;

	(void)state;
	l.number = 0;
	assert_int_equal(input_read_line(in, &l), 1);
	assert_true(l.has_nul);
	assert_int_equal(l.length, 5);
	assert_memory_equal(l.text, "ab\0cd", 6);
	assert_int_equal(input_read_line(in, &l), 1);
	assert_false(l.has_nul);
	assert_string_equal(l.text, "ef");
	fclose(in);
}

static void
test_a_read_error_is_not_the_end_of_input(void **state)
{
	char buf[16];
	FILE *out = fmemopen(buf, sizeof(buf), "w");
	struct input_line l;

	(void)state;
	assert_non_null(out);
	l.number = 0;
	assert_int_equal(input_read_line(out, &l), -1);
	fclose(out);
}

/* A line as input_read_line() would leave it. */
static void
line_of(struct input_line *l, const char *text, size_t len, size_t length)
{
	memset(l, 0, sizeof(*l));
	l->number = 7;
	l->kept = len < PTRCHECK_LINE_MAX ? len : PTRCHECK_LINE_MAX;
	memcpy(l->text, text, l->kept);
	l->length = length;
	l->has_nul = memchr(text, '\0', len) != NULL;
}

struct classify_row {
	const char *name;
	const char *text;
	enum input_kind want;
	const char *want_helo;		/* INPUT_ADDRESS; NULL: none */
	const char *want_why;		/* INPUT_MALFORMED */
};

static void
test_each_line_is_an_address_a_skip_or_malformed(void **state)
{
	static const struct classify_row rows[] = {
		{ "empty", "", INPUT_SKIP, NULL, NULL },
		{ "blanks", " \t ", INPUT_SKIP, NULL, NULL },
		{ "comment", "# 198.51.100.20", INPUT_SKIP, NULL, NULL },
		{ "indented comment", "\t # x", INPUT_SKIP, NULL, NULL },
		{ "address", "198.51.100.20", INPUT_ADDRESS, NULL, NULL },
		{ "address and HELO", "198.51.100.20 mail.example.com",
		  INPUT_ADDRESS, "mail.example.com", NULL },
		{ "blanks around, tab between", "  2001:db8::1\th  ",
		  INPUT_ADDRESS, "h", NULL },
		{ "further fields ignored", "198.51.100.20 h x y",
		  INPUT_ADDRESS, "h", NULL },
		{ "8-bit HELO is judged, not malformed",
		  "198.51.100.20 h\xff\x1b", INPUT_ADDRESS, "h\xff\x1b",
		  NULL },
		{ "a word", "not-an-ip", INPUT_MALFORMED, NULL,
		  "not an IP address" },
		{ "short form", "1.2.3 h", INPUT_MALFORMED, NULL,
		  "not an IP address" },
		{ "bracketed", "[198.51.100.20]", INPUT_MALFORMED, NULL,
		  "not an IP address" },
		{ "CR inside the address", "198.51.100.20\rh",
		  INPUT_MALFORMED, NULL, "not an IP address" },
		{ "8-bit address", "198.51.100.2\xb2", INPUT_MALFORMED, NULL,
		  "not an IP address" },
		{ "a long first field",
		  "1111111111111111111111111111111111111111111111111111111111",
		  INPUT_MALFORMED, NULL, "not an IP address" },
		{ "a prefix, judged later", "198.51.100.16/28", INPUT_PREFIX,
		  NULL, NULL },
		{ "a prefix and HELO", "198.51.100.5/28 h", INPUT_PREFIX, "h",
		  NULL },
		{ "a slash of anything", "x/y", INPUT_PREFIX, NULL, NULL },
		{ "a long prefix field",
		  "2001:db8:1111:2222:3333:4444:5555:6666:7777:8888/128",
		  INPUT_MALFORMED, NULL, "not an IP address" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++) {
		struct input_line l;
		struct input_fields f;
		enum input_kind got;
		char copy[128];

		line_of(&l, rows[i].text, strlen(rows[i].text),
		    strlen(rows[i].text));
		got = input_classify(&l, &f);
		if (got != rows[i].want)
			fail_msg("%s: kind %d, want %d", rows[i].name, got,
			    rows[i].want);
		if (got == INPUT_MALFORMED) {
			assert_string_equal(f.why, rows[i].want_why);
			/* reported whole: not split in place */
			assert_string_equal(l.text, rows[i].text);
		}
		if (got == INPUT_PREFIX) {
			snprintf(copy, sizeof(copy), "%.*s",
			    (int)strcspn(rows[i].text, " "), rows[i].text);
			assert_string_equal(f.prefix, copy);
		}
		if (got != INPUT_ADDRESS && got != INPUT_PREFIX)
			continue;
		if (rows[i].want_helo == NULL)
			assert_null(f.helo);
		else
			assert_string_equal(f.helo, rows[i].want_helo);
	}
}

static void
test_overlong_and_nul_lines_are_malformed_comments_are_not(void **state)
{
	struct input_line l;
	struct input_fields f;

	(void)state;
	line_of(&l, "198.51.100.20 h", 15, PTRCHECK_LINE_MAX + 1);
	assert_int_equal(input_classify(&l, &f), INPUT_MALFORMED);
	assert_string_equal(f.why, "line longer than 4096 bytes");
	line_of(&l, "   ", 3, 5 * 1024 * 1024);
	assert_int_equal(input_classify(&l, &f), INPUT_MALFORMED);
	line_of(&l, "# a long comment", 16, 5 * 1024 * 1024);
	assert_int_equal(input_classify(&l, &f), INPUT_SKIP);
	line_of(&l, "198.51.100.20 a\0b", 17, 17);
	assert_int_equal(input_classify(&l, &f), INPUT_MALFORMED);
	assert_string_equal(f.why, "NUL byte in the line");
	line_of(&l, "\0", 1, 1);
	assert_int_equal(input_classify(&l, &f), INPUT_MALFORMED);
	line_of(&l, "#\0", 2, 2);
	assert_int_equal(input_classify(&l, &f), INPUT_SKIP);
	line_of(&l, "198.51.100.20", 13, PTRCHECK_LINE_MAX);
	assert_int_equal(input_classify(&l, &f), INPUT_ADDRESS);
}

/* Reports malformed line l as text or JSON into a string to free. */
static char *
report_of(const struct input_line *l, const char *why, bool json)
{
	struct input_error e;
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);

	assert_non_null(out);
	input_error_keep(&e, l, why);
	if (json)
		input_error_json(out, &e);
	else
		input_error_text(out, &e);
	fclose(out);
	return buf;
}

struct report_row {
	const char *name;
	const char *text;
	size_t len;
	size_t length;
	const char *want_text;
	const char *want_json;
};

static void
test_a_malformed_line_is_reported_escaped_and_bounded(void **state)
{
	static char long_line[300];
	static char long_text[400], long_json[400];
	struct report_row rows[] = {
		{ "plain", "foo bar", 7, 7,
		  "stdin:7: error: why: foo bar\n",
		  "{\"error\":\"why\",\"line\":7,\"input\":\"foo bar\","
		  "\"length\":7}\n" },
		{ "hostile bytes", "a\"b\\c\0d\x1b[31m\xff", 13, 13,
		  "stdin:7: error: why: a\"b\\x5cc\\x00d\\x1b[31m\\xff\n",
		  "{\"error\":\"why\",\"line\":7,\"input\":"
		  "\"a\\\"b\\\\c\\u0000d\\u001b[31m\\u00ff\",\"length\":13}\n" },
		{ "empty", "", 0, 0, "stdin:7: error: why: \n",
		  "{\"error\":\"why\",\"line\":7,\"input\":\"\",\"length\":0}\n" },
		{ "long", long_line, sizeof(long_line), 5000000, long_text,
		  long_json },
	};

	(void)state;
	memset(long_line, 'x', sizeof(long_line));
	snprintf(long_text, sizeof(long_text), "stdin:7: error: why: %.*s...\n",
	    PTRCHECK_INPUT_SHOWN, long_line);
	snprintf(long_json, sizeof(long_json), "{\"error\":\"why\",\"line\":7,"
	    "\"input\":\"%.*s\",\"length\":5000000}\n", PTRCHECK_INPUT_SHOWN,
	    long_line);
	for (size_t i = 0; i < NELEM(rows); i++) {
		struct input_line l;
		char *got;

		line_of(&l, rows[i].text, rows[i].len, rows[i].length);
		got = report_of(&l, "why", false);
		if (strcmp(got, rows[i].want_text) != 0)
			fail_msg("%s: text \"%s\"", rows[i].name, got);
		free(got);
		got = report_of(&l, "why", true);
		if (strcmp(got, rows[i].want_json) != 0)
			fail_msg("%s: JSON \"%s\"", rows[i].name, got);
		free(got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_end_at_lf_crlf_or_the_end_of_input),
		cmocka_unit_test(
		    test_an_overlong_line_is_kept_bounded_and_consumed),
		cmocka_unit_test(test_nul_bytes_are_noted_not_a_line_end),
		cmocka_unit_test(test_a_read_error_is_not_the_end_of_input),
		cmocka_unit_test(
		    test_each_line_is_an_address_a_skip_or_malformed),
		cmocka_unit_test(
		    test_overlong_and_nul_lines_are_malformed_comments_are_not),
		cmocka_unit_test(
		    test_a_malformed_line_is_reported_escaped_and_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
