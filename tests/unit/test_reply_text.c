/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_reply_text.c - reply_text: what the check refuses and why, every
 * token expanded, the 512-octet reply line kept whatever the client's
 * names are (a 253-octet PTR name, a 512-byte HELO, a long provider
 * hint), cuts that end in "..." and never split a DNS escape, hostile
 * bytes, and the '%' doubling smfi_setreply() needs.
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

#include "dname.h"
#include "reply_text.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define EXAMPLE "%{reason}, [%{ip}]; see https://mx.example.net/rdns?ip=%{ip}"
#define REASON "cannot find your reverse hostname"
#define IP "198.51.100.21"
/* "450 4.7.25 " before the text, CRLF after it. */
#define LINE_AROUND 13
#define CANARY 0x5a

static char *repeat(const char *unit, size_t times, const char *tail);
static size_t wire_length(const char *text);
static void assert_reply_sane(const char *text);
static bool ends_cut(const char *text, const char *after);
static void expand_guarded(const char *tmpl, const struct reply_values *v,
    char *out, size_t size);

/* unit times over, then tail. */
static char *
repeat(const char *unit, size_t times, const char *tail)
{
	size_t n = strlen(unit), t = strlen(tail);
	char *s = malloc(n * times + t + 1);

	assert_non_null(s);
	for (size_t i = 0; i < times; i++)
		memcpy(s + i * n, unit, n);
	memcpy(s + n * times, tail, t + 1);
	return s;
}

/* The reply line's length as the MTA sends it, CRLF included. */
static size_t
wire_length(const char *text)
{
	return LINE_AROUND + strlen(text);
}

/* One line of printable ASCII that fits the line, doubled or not. */
static void
assert_reply_sane(const char *text)
{
	char milter[REPLY_TEXT_SIZE];

	for (const char *p = text; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			fail_msg("byte 0x%02x in reply '%s'", (unsigned char)*p,
			    text);
	assert_true(wire_length(text) <= REPLY_TEXT_LINE_MAX);
	assert_int_equal(reply_text_milter(text, milter, sizeof(milter)), 0);
	assert_true(strlen(milter) + LINE_AROUND <= REPLY_TEXT_LINE_MAX);
}

/* Whether text holds "...": right before after (or at its end). */
static bool
ends_cut(const char *text, const char *after)
{
	const char *at = after[0] != '\0' ? strstr(text, after) :
	    text + strlen(text);

	return at != NULL && at - text >= 3 && memcmp(at - 3, "...", 3) == 0;
}

/* Expands into out with canary bytes past size, which must survive. */
static void
expand_guarded(const char *tmpl, const struct reply_values *v, char *out,
    size_t size)
{
	memset(out, CANARY, size + 16);
	reply_text_expand(tmpl, v, out, size);
	for (size_t i = size; i < size + 16; i++)
		assert_int_equal((unsigned char)out[i], CANARY);
	assert_non_null(memchr(out, '\0', size));
}

/*
 * The check.
 */

static void
test_check_accepts_every_token_and_percent(void **state)
{
	static const char *const good[] = {
		REPLY_TEXT_DEFAULT,
		EXAMPLE,
		"%{reason} %{ip} %{ptr} %{helo} %{hint} 100%%",
		"%{ip}",
		"x",
		"%%",
		"see https://example.net/#rdns (\"quotes\" and 'these')",
	};
	char why[REPLY_TEXT_WHY_MAX];

	(void)state;
	for (size_t i = 0; i < NELEM(good); i++)
		if (reply_text_check(good[i], why, sizeof(why)) != 0)
			fail_msg("'%s' refused: %s", good[i], why);
}

static void
test_check_says_what_is_wrong(void **state)
{
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
		{ "a %{b} c", "unknown token '%{b}': the tokens are %{reason}, "
		  "%{ip}, %{ptr}, %{helo}, %{hint} and %%" },
		{ "%{Hint}", "unknown token '%{Hint}': the tokens are "
		  "%{reason}, %{ip}, %{ptr}, %{helo}, %{hint} and %%" },
		{ "%{ip", "unterminated token '%{ip': a token is %{name}" },
		{ "%{", "unterminated token '%{': a token is %{name}" },
		{ "%{a\001}", "unterminated token '%{a': a token is %{name}" },
		{ "%", "a '%' that starts no token: write %% for a percent "
		  "sign" },
		{ "%d%s", "a '%' that starts no token: write %% for a percent "
		  "sign" },
		{ "line\r\nRCPT", "byte 0x0d is not printable ASCII (a reply "
		  "is one line of 0x20 to 0x7e)" },
		{ "del\177", "byte 0x7f is not printable ASCII (a reply is one "
		  "line of 0x20 to 0x7e)" },
		{ "   ", "says nothing of its own: %{ptr}, %{helo} and %{hint} "
		  "may be empty; add words, %{reason} or %{ip}" },
		{ "%{hint}", "says nothing of its own: %{ptr}, %{helo} and "
		  "%{hint} may be empty; add words, %{reason} or %{ip}" },
	};
	char why[REPLY_TEXT_WHY_MAX];

	(void)state;
	for (size_t i = 0; i < NELEM(bad); i++) {
		why[0] = '\0';
		if (reply_text_check(bad[i].text, why, sizeof(why)) != -1)
			fail_msg("'%s' accepted", bad[i].text);
		assert_string_equal(why, bad[i].why);
	}
}

/* The fixed part may take 499 octets and no more; '%' counts twice. */
static void
test_check_fixed_part_limit_is_exact(void **state)
{
	char why[REPLY_TEXT_WHY_MAX];
	/* 80 + 45 + 3 = 128 of the 499 */
	char *fits = repeat("a", REPLY_TEXT_MAX - 128, "%{reason}%{ip}%{ptr}");
	char *over = repeat("a", REPLY_TEXT_MAX - 127, "%{reason}%{ip}%{ptr}");
	char *pct = repeat("%%", (REPLY_TEXT_MAX - 128) / 2 + 1,
	    "%{reason}%{ip}%{ptr}");

	(void)state;
	assert_int_equal(reply_text_check(fits, why, sizeof(why)), 0);
	assert_int_equal(reply_text_check(over, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "takes 500 octets"));
	assert_int_equal(reply_text_check(pct, why, sizeof(why)), -1);
	free(fits);
	free(over);
	free(pct);
}

/*
 * Expansion.
 */

static void
test_default_text_is_the_old_reply(void **state)
{
	struct reply_values v = { .reason = REASON, .ip = IP };
	char out[REPLY_TEXT_SIZE];

	(void)state;
	reply_text_expand(REPLY_TEXT_DEFAULT, &v, out, sizeof(out));
	assert_string_equal(out, "Client host rejected: cannot find your "
	    "reverse hostname, [198.51.100.21]");
}

static void
test_every_token_expands(void **state)
{
	static const struct {
		const char *name;
		struct reply_values v;
		const char *want;
	} cases[] = {
		{ "all values", { REASON, IP, "mail.example.com", "mx1",
		    "Example: portal > Reverse DNS" },
		  "r=" REASON " i=" IP " p=mail.example.com h=mx1 "
		  "x=Example: portal > Reverse DNS pc=%" },
		{ "no PTR name, no HELO, no hint", { REASON, IP, NULL, NULL,
		    NULL },
		  "r=" REASON " i=" IP " p=unknown h=unknown x= pc=%" },
		{ "empty hint", { REASON, "2001:db8::25", "a.example", "b",
		    "" },
		  "r=" REASON " i=2001:db8::25 p=a.example h=b x= pc=%" },
		{ "an empty HELO is what was sent", { REASON, IP, NULL, "",
		    NULL },
		  "r=" REASON " i=" IP " p=unknown h= x= pc=%" },
	};
	char out[REPLY_TEXT_SIZE];

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		reply_text_expand("r=%{reason} i=%{ip} p=%{ptr} h=%{helo} "
		    "x=%{hint} pc=%%", &cases[i].v, out, sizeof(out));
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("%s:\n got  %s\n want %s", cases[i].name, out,
			    cases[i].want);
	}
	reply_text_expand(EXAMPLE, &cases[0].v, out, sizeof(out));
	assert_string_equal(out, REASON ", [" IP "]; see "
	    "https://mx.example.net/rdns?ip=" IP);
}

/* The longest names there are, all at once: the line holds, the words
 * and our values stay whole, the client's are cut with "...". */
static void
test_long_values_are_cut_to_the_line(void **state)
{
	/* 63+1+63+1+63+1+61 = 253 octets: the longest host name */
	char *l63 = repeat("a", 63, ""), *l61 = repeat("d", 61, "");
	char ptr[DNAME_HOSTNAME_MAX + 1];
	char *helo = repeat("h", 512, "");
	char *hint = repeat("Provider: portal > server > IP > ", 20, "end");
	struct reply_values v = { REASON, IP, ptr, helo, hint };
	char out[REPLY_TEXT_SIZE + 16];

	(void)state;
	snprintf(ptr, sizeof(ptr), "%s.%s.%s.%s", l63, l63, l63, l61);
	assert_int_equal(strlen(ptr), 253);
	expand_guarded("Rejected %{ip} (%{ptr}) helo %{helo}: %{reason}; "
	    "hint: %{hint}; see https://mx.example.net/", &v, out,
	    REPLY_TEXT_SIZE);
	assert_reply_sane(out);
	assert_int_equal(wire_length(out), REPLY_TEXT_LINE_MAX);
	assert_non_null(strstr(out, "Rejected " IP " ("));
	assert_non_null(strstr(out, ": " REASON "; hint: "));
	assert_true(ends_cut(out, ") helo "));
	assert_true(ends_cut(out, ": " REASON));
	assert_true(ends_cut(out, "; see https://mx.example.net/"));
	/* Alone, the PTR name fits whole. */
	expand_guarded("%{reason} %{ptr}", &v, out, REPLY_TEXT_SIZE);
	assert_string_equal(out + strlen(REASON) + 1, ptr);
	free(l63);
	free(l61);
	free(helo);
	free(hint);
}

/* A HELO of 512 bytes does not take the hint's room: values that fit an
 * equal share keep it all, the long ones share the rest. */
static void
test_room_is_shared_fairly(void **state)
{
	char *helo = repeat("h", 512, "");
	char *hint = repeat("x", 400, "");
	struct reply_values v = { REASON, IP, "mx.example.com", helo, hint };
	char out[REPLY_TEXT_SIZE];
	const char *h, *x;

	(void)state;
	reply_text_expand("%{helo}|%{ptr}|%{hint}", &v, out, sizeof(out));
	/* 499 - 2 bars - 14 = 483, in two shares of 241; one unused */
	assert_int_equal(strlen(out), REPLY_TEXT_MAX - 1);
	h = out;
	x = strrchr(out, '|') + 1;
	assert_non_null(strstr(out, "|mx.example.com|"));
	assert_int_equal(strchr(h, '|') - h, 241);
	assert_int_equal(strlen(x), 241);
	assert_true(ends_cut(out, "|mx.example.com|"));
	assert_true(ends_cut(out, ""));
	free(helo);
	free(hint);
}

/* A cut PTR name ends before a \DDD escape, never inside one. */
static void
test_cut_never_splits_a_dns_escape(void **state)
{
	char *ptr = repeat("\\032", 250, "");
	struct reply_values v = { REASON, IP, ptr, NULL, NULL };
	char out[REPLY_TEXT_SIZE];
	size_t len;

	(void)state;
	/* Every room from 14 down to 5 octets left for the name: each
	 * place a cut can fall in an escape. */
	for (size_t pad = 0; pad < 10; pad++) {
		char *words = repeat("w", REPLY_TEXT_MAX - 15 + pad -
		    strlen(REASON) - 1, " %{reason} %{ptr}");

		reply_text_expand(words, &v, out, sizeof(out));
		len = strlen(out);
		assert_true(len <= REPLY_TEXT_MAX);
		assert_memory_equal(out + len - 3, "...", 3);
		/* what is shown of the name: whole escapes only */
		for (const char *p = strrchr(out, ' ') + 1; p < out + len - 3;
		    p += 4)
			assert_memory_equal(p, "\\032", 4);
		free(words);
	}
	free(ptr);
}

/* Nothing of the client's making breaks the line: CR, LF, NUL-free
 * 8-bit bytes, quotes, and '%', which the MTA must get doubled. */
static void
test_hostile_values_stay_one_printable_line(void **state)
{
	static const char *const helos[] = {
		"x\r\n250 OK\r\nRCPT TO:<victim@example.net>",
		"%s%n%d%%%{helo}",
		"\xc3\xa9t\xe9\x80\xff\x01\x7f",
		"\"quoted\" 'single' <angle> \\backslash",
	};
	struct reply_values v = { REASON, IP, "ptr%name.example", NULL,
	    "Hint with 100% and %{ip}" };
	char out[REPLY_TEXT_SIZE], milter[REPLY_TEXT_SIZE];

	(void)state;
	for (size_t i = 0; i < NELEM(helos); i++) {
		v.helo = helos[i];
		reply_text_expand("%{helo} %{ptr} %{hint} %%", &v, out,
		    sizeof(out));
		assert_reply_sane(out);
		assert_null(strpbrk(out, "\r\n"));
		assert_int_equal(reply_text_milter(out, milter,
		    sizeof(milter)), 0);
		for (const char *p = milter; (p = strchr(p, '%')) != NULL;
		    p += 2)
			assert_int_equal(p[1], '%');
	}
	v.helo = helos[0];
	reply_text_expand("%{helo}", &v, out, sizeof(out));
	assert_string_equal(out, "x??250 OK??RCPT TO:<victim@example.net>");
	v.helo = helos[1];
	reply_text_expand("[%{helo}] %{hint}", &v, out, sizeof(out));
	/* a token in a value is text, not expanded again */
	assert_string_equal(out, "[%s%n%d%%%{helo}] Hint with 100% and %{ip}");
	assert_int_equal(reply_text_milter(out, milter, sizeof(milter)), 0);
	assert_string_equal(milter, "[%%s%%n%%d%%%%%%{helo}] Hint with 100%% "
	    "and %%{ip}");
}

/* Values full of '%' count twice: the doubled text still fits. */
static void
test_percent_heavy_values_fit_doubled(void **state)
{
	char *helo = repeat("%", 512, "");
	struct reply_values v = { REASON, IP, NULL, helo, helo };
	char out[REPLY_TEXT_SIZE], milter[REPLY_TEXT_SIZE];

	(void)state;
	reply_text_expand("%{reason} %{helo} %{hint} 100%%", &v, out,
	    sizeof(out));
	assert_reply_sane(out);
	assert_int_equal(reply_text_milter(out, milter, sizeof(milter)), 0);
	assert_true(strlen(milter) <= REPLY_TEXT_MAX);
	assert_true(ends_cut(out, " 100%"));
	free(helo);
}

/* Every length of words and of HELO near the limit, into exact and
 * short buffers: never past the buffer, never past the line. */
static void
test_no_length_overflows(void **state)
{
	char out[REPLY_TEXT_SIZE + 16];
	char why[REPLY_TEXT_WHY_MAX];
	static const size_t sizes[] = { 1, 2, 4, 5, 64, REPLY_TEXT_SIZE };

	(void)state;
	for (size_t w = 380; w <= REPLY_TEXT_MAX - 3; w += 7) {
		char *tmpl = repeat("w", w, "%{helo}%%");

		if (reply_text_check(tmpl, why, sizeof(why)) != 0) {
			free(tmpl);
			continue;
		}
		for (size_t h = 0; h < 600; h += 13) {
			char *helo = repeat("%", h, "z");
			struct reply_values v = { REASON, IP, NULL, helo,
			    NULL };

			for (size_t i = 0; i < NELEM(sizes); i++)
				expand_guarded(tmpl, &v, out, sizes[i]);
			assert_reply_sane(out);
			free(helo);
		}
		free(tmpl);
	}
}

static void
test_milter_form_doubles_percent_and_checks_room(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(reply_text_milter("a%b", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "a%%b");
	assert_int_equal(reply_text_milter("%%%", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "%%%%%%");
	assert_int_equal(reply_text_milter("%%%%", buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
	assert_int_equal(reply_text_milter("", buf, 1), 0);
	assert_string_equal(buf, "");
	assert_int_equal(reply_text_milter("x", buf, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_accepts_every_token_and_percent),
		cmocka_unit_test(test_check_says_what_is_wrong),
		cmocka_unit_test(test_check_fixed_part_limit_is_exact),
		cmocka_unit_test(test_default_text_is_the_old_reply),
		cmocka_unit_test(test_every_token_expands),
		cmocka_unit_test(test_long_values_are_cut_to_the_line),
		cmocka_unit_test(test_room_is_shared_fairly),
		cmocka_unit_test(test_cut_never_splits_a_dns_escape),
		cmocka_unit_test(test_hostile_values_stay_one_printable_line),
		cmocka_unit_test(test_percent_heavy_values_fit_doubled),
		cmocka_unit_test(test_no_length_overflows),
		cmocka_unit_test(test_milter_form_doubles_percent_and_checks_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
