/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dname.c - unit tests for dname.c: wire-format decoding and its
 * limits, presentation escapes, hostname syntax, name comparison.
 *
 * Wire names in the tables are C string literals with three-digit octal
 * escapes; the literal's own terminating NUL is the root label, so
 * WIRE("\003www") is the four bytes 03 'w' 'w' 'w' and then 00.
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

#include "dname.h"

/* Fails the test, naming the table row, unless cond holds. */
#define EXPECT(row, cond) do {						\
	if (!(cond))							\
		fail_msg("row \"%s\": %s", (row), #cond);		\
} while (0)

/* Number of rows of a table. */
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

/* A literal as wire bytes, its NUL being the root label. */
#define WIRE(s) ((const uint8_t *)(s)), sizeof(s)

static size_t build_wire(uint8_t *wire, const size_t *labels, size_t n,
    uint8_t fill);
static void assert_exact_fit(const char *row, const uint8_t *wire,
    size_t len, const char *want);
static int text_to_wire(const char *text, uint8_t *wire, size_t size);
static uint32_t next_random(uint32_t *seed);
static char *repeat(char c, size_t n);
static bool is_ldh(const char *text);

/*
 * Writes a name of n labels of the given lengths, every octet fill, and
 * the root label; returns its length.  wire must hold the result.
 */
static size_t
build_wire(uint8_t *wire, const size_t *labels, size_t n, uint8_t fill)
{
	size_t i, pos = 0;

	for (i = 0; i < n; i++) {
		wire[pos++] = (uint8_t)labels[i];
		memset(wire + pos, fill, labels[i]);
		pos += labels[i];
	}
	wire[pos++] = 0;
	return pos;
}

/*
 * Decodes at every size from 0 to strlen(want): each must fail, leave ""
 * (size > 0) and write nothing past size; at strlen(want) + 1 it must
 * give want.  Each buffer is a heap block of exactly that size.
 */
static void
assert_exact_fit(const char *row, const uint8_t *wire, size_t len,
    const char *want)
{
	size_t need = strlen(want) + 1;
	size_t size;
	char *buf;

	for (size = 0; size < need; size++) {
		buf = malloc(size == 0 ? 1 : size);
		assert_non_null(buf);
		memset(buf, 'X', size == 0 ? 1 : size);
		EXPECT(row, dname_wire_to_text(wire, len, buf, size) == -1);
		if (size == 0)
			EXPECT(row, buf[0] == 'X');
		else
			EXPECT(row, buf[0] == '\0');
		free(buf);
	}
	buf = malloc(need);
	assert_non_null(buf);
	EXPECT(row, dname_wire_to_text(wire, len, buf, need) == 0);
	EXPECT(row, strcmp(buf, want) == 0);
	free(buf);
}

/*
 * The reverse of dname_wire_to_text(), written independently for the
 * round-trip test: presentation text (\X and \DDD escapes, "." for the
 * root) to wire format.  Returns the length, or -1.
 */
static int
text_to_wire(const char *text, uint8_t *wire, size_t size)
{
	size_t pos = 0, len_at = 0, i = 0;

	if (strcmp(text, ".") == 0) {
		wire[0] = 0;
		return 1;
	}
	wire[pos++] = 0;			/* first label's length */
	while (text[i] != '\0') {
		unsigned c = (unsigned char)text[i++];

		if (c == '.') {
			len_at = pos;
			wire[pos++] = 0;
			continue;
		}
		if (c == '\\') {
			if (text[i] >= '0' && text[i] <= '9') {
				c = (unsigned)(text[i] - '0') * 100 +
				    (unsigned)(text[i + 1] - '0') * 10 +
				    (unsigned)(text[i + 2] - '0');
				i += 3;
			} else {
				c = (unsigned char)text[i++];
			}
		}
		if (pos >= size || c > 255)
			return -1;
		wire[pos++] = (uint8_t)c;
		wire[len_at]++;
	}
	if (pos >= size)
		return -1;
	wire[pos++] = 0;
	return (int)pos;
}

/* xorshift32: a fixed sequence, so a failure can be replayed. */
static uint32_t
next_random(uint32_t *seed)
{
	uint32_t x = *seed;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*seed = x;
	return x;
}

/* Strict LDH: dname_is_hostname() without flags, over a C string. */
static bool
is_ldh(const char *text)
{
	return dname_is_hostname(text, strlen(text), 0);
}

/* A heap string of n copies of c. */
static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
test_wire_names_decode_to_presentation(void **state)
{
	static const struct {
		const char *name;
		const uint8_t *wire;
		size_t len;
		const char *want;
	} rows[] = {
		{ "three labels", WIRE("\003www\007example\003com"),
		    "www.example.com" },
		{ "root alone", WIRE(""), "." },
		{ "single label", WIRE("\011localhost"), "localhost" },
		{ "case is kept", WIRE("\004MaIl\007Example"),
		    "MaIl.Example" },
		{ "hyphen and underscore as is",
		    WIRE("\007a-b_c-d\004_tcp"), "a-b_c-d._tcp" },
		{ "digits", WIRE("\00220\003100\00251\003198\007in-addr"
		    "\004arpa"), "20.100.51.198.in-addr.arpa" },
		{ "one-octet labels", WIRE("\001a\001b\001c"), "a.b.c" },
	};
	char buf[DNAME_TEXT_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		memset(buf, 'X', sizeof(buf));
		EXPECT(rows[i].name, dname_wire_to_text(rows[i].wire,
		    rows[i].len, buf, sizeof(buf)) == 0);
		EXPECT(rows[i].name, strcmp(buf, rows[i].want) == 0);
	}
}

static void
test_odd_octets_are_escaped_exactly(void **state)
{
	static const struct {
		const char *name;
		const uint8_t *wire;
		size_t len;
		const char *want;
	} rows[] = {
		{ "space", WIRE("\003a b"), "a\\032b" },
		{ "dot inside a label", WIRE("\003a.b\003com"), "a\\.b.com" },
		{ "label that is a dot", WIRE("\001."), "\\." },
		{ "backslash", WIRE("\003a\\b"), "a\\\\b" },
		{ "NUL", WIRE("\003a\000b"), "a\\000b" },
		{ "0x80", WIRE("\001\200"), "\\128" },
		{ "0xff", WIRE("\001\377"), "\\255" },
		{ "0x7f", WIRE("\001\177"), "\\127" },
		{ "0x1f", WIRE("\001\037"), "\\031" },
		{ "tab", WIRE("\001\011"), "\\009" },
		{ "newline", WIRE("\003a\012b"), "a\\010b" },
		{ "carriage return", WIRE("\001\015"), "\\013" },
		{ "double quote", WIRE("\001\""), "\\034" },
		{ "open paren", WIRE("\001("), "\\040" },
		{ "close paren", WIRE("\001)"), "\\041" },
		{ "semicolon", WIRE("\001;"), "\\059" },
		{ "at", WIRE("\001@"), "\\064" },
		{ "dollar", WIRE("\001$"), "\\036" },
		{ "other printables as is", WIRE("\014!#%&'*+,/:<="),
		    "!#%&'*+,/:<=" },
		{ "more printables as is", WIRE("\011>?[]^`{|}"),
		    ">?[]^`{|}" },
		{ "tilde", WIRE("\001~"), "~" },
		{ "utf-8 bytes", WIRE("\002\303\251"), "\\195\\169" },
		{ "everything escaped in one label",
		    WIRE("\006.\\ \000\200\377"),
		    "\\.\\\\\\032\\000\\128\\255" },
	};
	char buf[DNAME_TEXT_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		EXPECT(rows[i].name, dname_wire_to_text(rows[i].wire,
		    rows[i].len, buf, sizeof(buf)) == 0);
		EXPECT(rows[i].name, strcmp(buf, rows[i].want) == 0);
	}
}

static void
test_every_octet_value_has_one_printable_form(void **state)
{
	char buf[DNAME_TEXT_MAX], want[8];
	unsigned c;

	(void)state;
	for (c = 0; c < 256; c++) {
		uint8_t wire[3] = { 1, (uint8_t)c, 0 };
		size_t i;

		/* The rule, restated independently of dname.c. */
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_') {
			want[0] = (char)c;
			want[1] = '\0';
		} else if (c == '.' || c == '\\') {
			want[0] = '\\';
			want[1] = (char)c;
			want[2] = '\0';
		} else if (c <= 0x20 || c >= 0x7f || c == '"' || c == '(' ||
		    c == ')' || c == ';' || c == '@' || c == '$') {
			want[0] = '\\';
			want[1] = (char)('0' + c / 100);
			want[2] = (char)('0' + c / 10 % 10);
			want[3] = (char)('0' + c % 10);
			want[4] = '\0';
		} else {
			want[0] = (char)c;
			want[1] = '\0';
		}
		assert_int_equal(dname_wire_to_text(wire, sizeof(wire), buf,
		    sizeof(buf)), 0);
		assert_string_equal(buf, want);
		for (i = 0; buf[i] != '\0'; i++)
			assert_true(buf[i] >= 0x21 && buf[i] <= 0x7e);
	}
}

static void
test_label_of_63_octets_decodes_and_64_fails(void **state)
{
	uint8_t wire[80];
	char buf[DNAME_TEXT_MAX];
	size_t labels[1], len;
	char *want = repeat('a', 63);

	(void)state;
	labels[0] = 63;
	len = build_wire(wire, labels, 1, 'a');
	assert_int_equal(len, 65);
	assert_int_equal(dname_wire_to_text(wire, len, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
	assert_true(is_ldh(buf));

	/* 64 is 0x40: an extended label type, never a length. */
	labels[0] = 64;
	len = build_wire(wire, labels, 1, 'a');
	assert_int_equal(dname_wire_to_text(wire, len, buf, sizeof(buf)), -1);
	free(want);
}

static void
test_name_of_255_octets_decodes_and_256_fails(void **state)
{
	static const size_t max[] = { 63, 63, 63, 61 };	/* 255 */
	static const size_t over[] = { 63, 63, 63, 62 };	/* 256 */
	static const size_t small[] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	uint8_t wire[DNAME_WIRE_MAX + 16];
	char buf[DNAME_TEXT_MAX];
	size_t len, i;

	(void)state;
	len = build_wire(wire, max, NROWS(max), 'a');
	assert_int_equal(len, DNAME_WIRE_MAX);
	assert_int_equal(dname_wire_to_text(wire, len, buf, sizeof(buf)), 0);
	/* 250 letters and 3 dots: exactly the longest hostname. */
	assert_int_equal(strlen(buf), 253);
	assert_true(is_ldh(buf));

	len = build_wire(wire, over, NROWS(over), 'a');
	assert_int_equal(len, DNAME_WIRE_MAX + 1);
	assert_int_equal(dname_wire_to_text(wire, len, buf, sizeof(buf)), -1);

	/* Many short labels over the limit fail the same way. */
	len = 0;
	for (i = 0; i < 128; i++) {
		wire[len++] = 1;
		wire[len++] = 'a';
	}
	wire[len++] = 0;
	assert_int_equal(len, 257);
	assert_int_equal(dname_wire_to_text(wire, len, buf, sizeof(buf)), -1);
	/* 127 of them and the root: 255 octets, fine. */
	wire[254] = 0;
	assert_int_equal(dname_wire_to_text(wire, 255, buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), 127 * 2 - 1);

	len = build_wire(wire, small, NROWS(small), 'z');
	assert_int_equal(dname_wire_to_text(wire, len, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "z.z.z.z.z.z.z.z");
}

static void
test_compression_and_extended_labels_are_rejected(void **state)
{
	static const struct {
		const char *name;
		const uint8_t *wire;
		size_t len;
	} rows[] = {
		{ "pointer alone", WIRE("\300\014") },
		{ "pointer after a label", WIRE("\003www\300\014") },
		{ "pointer with high offset bits", WIRE("\377\377") },
		{ "pointer to itself", WIRE("\300\000") },
		{ "extended label 0x40", WIRE("\100abc") },
		{ "extended label 0x41", WIRE("\101abc") },
		{ "extended label 0x7f", WIRE("\177abc") },
		{ "extended label 0x80", WIRE("\200abc") },
		{ "extended label 0xbf", WIRE("\277abc") },
		{ "extended label after a label", WIRE("\001a\101b") },
	};
	char buf[DNAME_TEXT_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		memset(buf, 'X', sizeof(buf));
		EXPECT(rows[i].name, dname_wire_to_text(rows[i].wire,
		    rows[i].len, buf, sizeof(buf)) == -1);
		EXPECT(rows[i].name, buf[0] == '\0');
	}
}

static void
test_truncated_wire_is_rejected_at_every_length(void **state)
{
	static const uint8_t name[] = "\003www\007example\003com";
	char buf[DNAME_TEXT_MAX];
	uint8_t *copy;
	size_t len;

	(void)state;
	/*
	 * Every proper prefix, the empty one included, is incomplete.  Each
	 * is a heap block of exactly len bytes, so that ASan or valgrind
	 * sees a read past the end even when the result would be right.
	 */
	for (len = 0; len <= sizeof(name); len++) {
		copy = malloc(len == 0 ? 1 : len);
		assert_non_null(copy);
		memcpy(copy, name, len);
		assert_int_equal(dname_wire_to_text(copy, len, buf,
		    sizeof(buf)), len == sizeof(name) ? 0 : -1);
		free(copy);
	}
}

static void
test_trailing_bytes_after_root_are_rejected(void **state)
{
	static const struct {
		const char *name;
		const uint8_t *wire;
		size_t len;
	} rows[] = {
		{ "second root", WIRE("\003www\000") },
		{ "root then root", WIRE("\000") },
		{ "byte after root", WIRE("\003www\000x") },
		{ "second name", WIRE("\003www\000\003com") },
	};
	char buf[DNAME_TEXT_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++)
		EXPECT(rows[i].name, dname_wire_to_text(rows[i].wire,
		    rows[i].len, buf, sizeof(buf)) == -1);
}

static void
test_null_arguments_are_rejected(void **state)
{
	static const uint8_t root[] = { 0 };
	char buf[8];

	(void)state;
	assert_int_equal(dname_wire_to_text(NULL, 1, buf, sizeof(buf)), -1);
	assert_int_equal(dname_wire_to_text(root, 1, NULL, 8), -1);
	assert_false(dname_is_hostname(NULL, 0, 0));
	assert_false(dname_equal(NULL, "a"));
	assert_false(dname_equal("a", NULL));
	assert_false(dname_equal(NULL, NULL));
}

static void
test_maximal_escaped_name_fits_text_max(void **state)
{
	static const size_t max[] = { 63, 63, 63, 61 };
	uint8_t wire[DNAME_WIRE_MAX];
	char buf[DNAME_TEXT_MAX];
	size_t len;

	(void)state;
	/* 250 octets of 0xff, each "\255": the longest text there is. */
	len = build_wire(wire, max, NROWS(max), 0xff);
	assert_int_equal(len, DNAME_WIRE_MAX);
	assert_int_equal(dname_wire_to_text(wire, len, buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), 250 * 4 + 3);
	assert_true(strlen(buf) < DNAME_TEXT_MAX);
	assert_memory_equal(buf, "\\255\\255", 8);
	assert_false(is_ldh(buf));
	/* 1003 characters and the NUL, at every size below that, too. */
	assert_exact_fit("maximal", wire, len, buf);
}

static void
test_text_buffer_too_small_fails_at_every_size(void **state)
{
	static const struct {
		const char *name;
		const uint8_t *wire;
		size_t len;
		const char *want;
	} rows[] = {
		{ "plain", WIRE("\003www\007example\003com"),
		    "www.example.com" },
		{ "root", WIRE(""), "." },
		{ "escape at the end", WIRE("\002a\377"), "a\\255" },
		{ "dot escape at the end", WIRE("\002a."), "a\\." },
		{ "escape after a dot", WIRE("\001a\001\000"), "a.\\000" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++)
		assert_exact_fit(rows[i].name, rows[i].wire, rows[i].len,
		    rows[i].want);
}

static void
test_random_wire_decodes_to_text_that_encodes_back(void **state)
{
	uint32_t seed = 0x2545f491;
	uint8_t wire[DNAME_WIRE_MAX + 64], back[DNAME_WIRE_MAX + 64];
	char buf[DNAME_TEXT_MAX];
	unsigned round, decoded = 0;

	(void)state;
	for (round = 0; round < 200000; round++) {
		size_t len = 0, i;
		uint8_t *copy;
		int n, ret;

		/* Mostly well-formed labels, sometimes a damaged byte. */
		while (len < DNAME_WIRE_MAX + 20) {
			uint32_t r = next_random(&seed);
			size_t label = r % 8 == 0 ? 0 : (r >> 3) % 66;

			if (label > 0 && len + 1 + label > sizeof(wire) - 1)
				break;
			wire[len++] = (uint8_t)label;
			for (i = 0; i < label; i++)
				wire[len++] = (uint8_t)next_random(&seed);
			if (label == 0)
				break;
		}
		if (next_random(&seed) % 4 == 0 && len > 0)
			wire[next_random(&seed) % len] =
			    (uint8_t)next_random(&seed);
		if (next_random(&seed) % 4 == 0 && len > 0)
			len = next_random(&seed) % (len + 1);

		/* An exact-size copy, for ASan and valgrind. */
		copy = malloc(len == 0 ? 1 : len);
		assert_non_null(copy);
		memcpy(copy, wire, len);
		memset(buf, 'X', sizeof(buf));
		ret = dname_wire_to_text(copy, len, buf, sizeof(buf));
		free(copy);
		if (ret == -1) {
			assert_int_equal(buf[0], '\0');
			continue;
		}
		decoded++;
		assert_true(strlen(buf) < sizeof(buf));
		for (i = 0; buf[i] != '\0'; i++)
			assert_true(buf[i] >= 0x21 && buf[i] <= 0x7e);
		n = text_to_wire(buf, back, sizeof(back));
		assert_int_equal(n, (int)len);
		assert_memory_equal(back, wire, len);
		assert_true(dname_equal(buf, buf));
	}
	/* The generator must exercise the success path, not only errors. */
	assert_true(decoded > 1000);
}

static void
test_hostname_accepts_ldh_names(void **state)
{
	static const struct {
		const char *name;
		const char *text;
	} rows[] = {
		{ "fqdn", "mail.example.com" },
		{ "fqdn with trailing dot", "mail.example.com." },
		{ "single label", "localhost" },
		{ "single letter", "a" },
		{ "mixed case and hyphen", "Mail-01.Example.COM" },
		{ "idna a-label", "xn--bcher-kva.example" },
		{ "label starting with a digit", "3com.example" },
		{ "all digits", "198.51.100.20" },
		{ "inner double hyphen", "a--b.example" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++)
		EXPECT(rows[i].name, is_ldh(rows[i].text));
}

static void
test_hostname_rejects_anything_but_ldh(void **state)
{
	static const struct {
		const char *name;
		const char *text;
	} rows[] = {
		{ "empty", "" },
		{ "root", "." },
		{ "two dots", ".." },
		{ "empty label", "a..b" },
		{ "leading dot", ".a" },
		{ "two trailing dots", "a.." },
		{ "leading hyphen", "-a.example" },
		{ "trailing hyphen", "a-.example" },
		{ "trailing hyphen last label", "mail.example-" },
		{ "trailing hyphen before trailing dot", "mail.example-." },
		{ "hyphen alone", "-" },
		{ "underscore", "a_b.example" },
		{ "service label", "_dmarc.example" },
		{ "space", "a b.example" },
		{ "escaped dot", "a\\.b.example" },
		{ "decimal escape", "a\\065.example" },
		{ "wildcard", "*.example.com" },
		{ "slash", "a/b.example" },
		{ "address literal", "[198.51.100.20]" },
		{ "newline", "mail.example.com\n" },
		{ "utf-8", "b\303\274cher.example" },
		{ "byte 0xff", "a\377.example" },
		{ "colon", "2001:db8::1" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++)
		EXPECT(rows[i].name, !is_ldh(rows[i].text));
}

/* The flags a HELO needs: '_' tolerated, an all-digit last label not. */
static void
test_hostname_flags_widen_or_narrow_ldh(void **state)
{
	static const struct {
		const char *name;
		const char *text;
		unsigned flags;
		bool want;
	} rows[] = {
		{ "underscore refused by default", "a_b.example", 0, false },
		{ "underscore with the flag", "a_b.example",
		    DNAME_HOST_UNDERSCORE, true },
		{ "service label with the flag", "_dmarc.example",
		    DNAME_HOST_UNDERSCORE, true },
		{ "numeric last label by default", "1.2.3", 0, true },
		{ "numeric last label refused", "1.2.3",
		    DNAME_HOST_NOT_NUMERIC, false },
		{ "numeric before a trailing dot refused", "a.123.",
		    DNAME_HOST_NOT_NUMERIC, false },
		{ "numeric inner label kept", "1.2.example",
		    DNAME_HOST_NOT_NUMERIC, true },
		{ "digits and a hyphen are not numeric", "a.1-2",
		    DNAME_HOST_NOT_NUMERIC, true },
		{ "digits and an underscore are not numeric", "a.1_2",
		    DNAME_HOST_UNDERSCORE | DNAME_HOST_NOT_NUMERIC, true },
		{ "single numeric label refused", "42",
		    DNAME_HOST_NOT_NUMERIC, false },
		{ "hyphen still not first with both", "-a.example",
		    DNAME_HOST_UNDERSCORE | DNAME_HOST_NOT_NUMERIC, false },
	};

	(void)state;
	for (size_t i = 0; i < NROWS(rows); i++)
		EXPECT(rows[i].name, dname_is_hostname(rows[i].text,
		    strlen(rows[i].text), rows[i].flags) == rows[i].want);
}

/* The length is the name's: a NUL inside it is a byte like any other, and
 * text past it is not read. */
static void
test_hostname_reads_exactly_len_bytes(void **state)
{
	(void)state;
	assert_false(dname_is_hostname("a\0b.example", 11, 0));
	assert_false(dname_is_hostname("mail\0.example", 13, 0));
	assert_true(dname_is_hostname("mail.example junk", 12, 0));
	assert_false(dname_is_hostname("mail.example", 0, 0));
}

static void
test_hostname_limits_are_63_per_label_and_253_in_all(void **state)
{
	char name[300];
	char *label63 = repeat('a', 63), *label64 = repeat('a', 64);
	size_t i;

	(void)state;
	assert_true(is_ldh(label63));
	assert_false(is_ldh(label64));
	(void)snprintf(name, sizeof(name), "x.%s.example", label63);
	assert_true(is_ldh(name));
	(void)snprintf(name, sizeof(name), "x.%s.example", label64);
	assert_false(is_ldh(name));

	/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters. */
	(void)snprintf(name, sizeof(name), "%s.%s.%s.%.61s", label63,
	    label63, label63, label63);
	assert_int_equal(strlen(name), 253);
	assert_true(is_ldh(name));
	name[253] = '.';
	name[254] = '\0';
	assert_true(is_ldh(name));		/* trailing dot */
	name[254] = '.';
	name[255] = '\0';
	assert_false(is_ldh(name));		/* two of them */
	(void)snprintf(name, sizeof(name), "%s.%s.%s.%.62s", label63,
	    label63, label63, label63);
	assert_int_equal(strlen(name), 254);
	assert_false(is_ldh(name));
	name[254] = '.';
	name[255] = '\0';
	assert_false(is_ldh(name));

	/* Far too long, made of valid labels. */
	for (i = 0; i + 2 < sizeof(name); i += 2) {
		name[i] = 'a';
		name[i + 1] = '.';
	}
	name[i] = '\0';
	assert_false(is_ldh(name));
	free(label63);
	free(label64);
}

static void
test_equal_folds_case_and_one_trailing_dot(void **state)
{
	static const struct {
		const char *name;
		const char *a;
		const char *b;
		bool want;
	} rows[] = {
		{ "identical", "mail.example.com", "mail.example.com", true },
		{ "case", "mail.example.com", "MAIL.Example.COM", true },
		{ "trailing dot on the left", "mail.example.com.",
		    "mail.example.com", true },
		{ "trailing dot on the right", "mail.example.com",
		    "mail.example.com.", true },
		{ "trailing dots on both", "mail.example.com.",
		    "MAIL.EXAMPLE.COM.", true },
		{ "root", ".", ".", true },
		{ "two trailing dots", "mail.example.com..",
		    "mail.example.com", false },
		{ "shorter", "mail.example.com", "mail.example.co", false },
		{ "longer", "mail.example.com", "mail.example.comx", false },
		{ "different label", "mx1.example.com", "mx2.example.com",
		    false },
		{ "escaped dot is not a dot", "a\\.b", "a.b", false },
		{ "escaped dot at the end is kept", "a\\.", "a", false },
		{ "escaped dot at the end equals itself", "a\\.", "a\\.",
		    true },
		{ "escaped dot at the end then a trailing dot", "a\\..",
		    "A\\.", true },
		{ "escaped backslash then trailing dot", "a\\\\.", "a\\\\",
		    true },
		{ "escaped backslash is not a backslash pair", "a\\\\b",
		    "a\\b", false },
		{ "decimal escape is not decoded", "\\065", "A", false },
		{ "decimal escape is not decoded lower", "\\065", "a", false },
		{ "decimal escape equals itself", "\\065", "\\065", true },
		{ "escaped letters compare literally", "\\A", "\\a", false },
		{ "case folds around an escape", "a\\032b", "A\\032B", true },
		{ "8-bit escape", "x\\200.example", "X\\200.EXAMPLE", true },
		{ "different 8-bit escapes", "x\\200", "x\\201", false },
		{ "bracket is not a folded brace", "a[b", "a{b", false },
		{ "at is not a folded backtick", "a@b", "a`b", false },
		{ "caret is not a folded tilde", "a^b", "a~b", false },
		{ "only ascii folds", "b\303\274cher", "B\303\234CHER",
		    false },
		{ "root and a name", ".", "a", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		EXPECT(rows[i].name,
		    dname_equal(rows[i].a, rows[i].b) == rows[i].want);
		EXPECT(rows[i].name,
		    dname_equal(rows[i].b, rows[i].a) == rows[i].want);
	}
}

static void
test_decoded_names_that_differ_only_in_case_are_equal(void **state)
{
	char a[DNAME_TEXT_MAX], b[DNAME_TEXT_MAX];

	(void)state;
	assert_int_equal(dname_wire_to_text(WIRE("\004MaIl\003a.b\001\200"),
	    a, sizeof(a)), 0);
	assert_int_equal(dname_wire_to_text(WIRE("\004mail\003A.B\001\200"),
	    b, sizeof(b)), 0);
	assert_true(dname_equal(a, b));
	assert_int_equal(dname_wire_to_text(WIRE("\004mail\003a.b\001\201"),
	    b, sizeof(b)), 0);
	assert_false(dname_equal(a, b));
	/* A dot inside a label is not a label boundary. */
	assert_int_equal(dname_wire_to_text(WIRE("\001a\001b"), a,
	    sizeof(a)), 0);
	assert_int_equal(dname_wire_to_text(WIRE("\003a.b"), b, sizeof(b)),
	    0);
	assert_false(dname_equal(a, b));
}

static void
test_mx_rdata_decodes_preference_and_name(void **state)
{
	static const uint8_t mx[] = "\001\002\002mx\007example\003com";
	static const uint8_t null_mx[] = "\0\0";
	static const uint8_t odd[] = "\0\012\003a.b\003com";
	static const uint8_t trailing[] = "\0\0\0\001";
	char text[DNAME_TEXT_MAX];
	unsigned pref = 0;

	(void)state;
	assert_int_equal(dname_mx_to_text(mx, sizeof(mx), &pref, text,
	    sizeof(text)), 0);
	assert_int_equal(pref, 258);
	assert_string_equal(text, "mx.example.com");
	assert_int_equal(dname_mx_to_text(null_mx, sizeof(null_mx), &pref,
	    text, sizeof(text)), 0);
	assert_int_equal(pref, 0);
	assert_string_equal(text, ".");
	assert_int_equal(dname_mx_to_text(odd, sizeof(odd), &pref, text,
	    sizeof(text)), 0);
	assert_string_equal(text, "a\\.b.com");
	/* Too short for a name, a name past the end, trailing bytes. */
	assert_int_equal(dname_mx_to_text(mx, 2, &pref, text, sizeof(text)),
	    -1);
	assert_string_equal(text, "");
	assert_int_equal(dname_mx_to_text(mx, sizeof(mx) - 1, &pref, text,
	    sizeof(text)), -1);
	assert_int_equal(dname_mx_to_text(trailing, sizeof(trailing), &pref,
	    text, sizeof(text)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_names_decode_to_presentation),
		cmocka_unit_test(test_odd_octets_are_escaped_exactly),
		cmocka_unit_test(test_every_octet_value_has_one_printable_form),
		cmocka_unit_test(test_label_of_63_octets_decodes_and_64_fails),
		cmocka_unit_test(test_name_of_255_octets_decodes_and_256_fails),
		cmocka_unit_test(
		    test_compression_and_extended_labels_are_rejected),
		cmocka_unit_test(
		    test_truncated_wire_is_rejected_at_every_length),
		cmocka_unit_test(test_trailing_bytes_after_root_are_rejected),
		cmocka_unit_test(test_null_arguments_are_rejected),
		cmocka_unit_test(test_maximal_escaped_name_fits_text_max),
		cmocka_unit_test(
		    test_text_buffer_too_small_fails_at_every_size),
		cmocka_unit_test(
		    test_random_wire_decodes_to_text_that_encodes_back),
		cmocka_unit_test(test_hostname_accepts_ldh_names),
		cmocka_unit_test(test_hostname_rejects_anything_but_ldh),
		cmocka_unit_test(test_hostname_flags_widen_or_narrow_ldh),
		cmocka_unit_test(test_hostname_reads_exactly_len_bytes),
		cmocka_unit_test(
		    test_hostname_limits_are_63_per_label_and_253_in_all),
		cmocka_unit_test(test_equal_folds_case_and_one_trailing_dot),
		cmocka_unit_test(test_mx_rdata_decodes_preference_and_name),
		cmocka_unit_test(
		    test_decoded_names_that_differ_only_in_case_are_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
