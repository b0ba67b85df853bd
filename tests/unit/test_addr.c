/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_addr.c - unit tests for addr.c: address parsing and folding,
 * canonical text, reverse names, CIDR parsing and matching, CIDR lists.
 *
 * Tables of {name, input, want}; a failing row names itself.  Every
 * writer is also run at every buffer size below the one it needs, into a
 * heap block of exactly that size, so that ASan or valgrind sees any
 * write past the end.
 */
#include "config.h"

#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include "unit.h"

#include "addr.h"

/* Fails the test, naming the table row, unless cond holds. */
#define EXPECT(row, cond) do {						\
	if (!(cond))							\
		fail_msg("row \"%s\": %s", (row), #cond);		\
} while (0)

/* Number of rows of a table. */
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

/* A writer under test: addr_format, addr_reverse_name or cidr_format. */
typedef int (*writer_fn)(const void *obj, char *buf, size_t size);

static int format_addr(const void *obj, char *buf, size_t size);
static int reverse_addr(const void *obj, char *buf, size_t size);
static int format_cidr(const void *obj, char *buf, size_t size);
static void assert_exact_fit(const char *row, writer_fn fn, const void *obj,
    const char *want);
static struct cidr cidr_ok(const char *text);

/* addr_format() behind the writer_fn signature. */
static int
format_addr(const void *obj, char *buf, size_t size)
{
	return addr_format(obj, buf, size);
}

/* addr_reverse_name() behind the writer_fn signature. */
static int
reverse_addr(const void *obj, char *buf, size_t size)
{
	return addr_reverse_name(obj, buf, size);
}

/* cidr_format() behind the writer_fn signature. */
static int
format_cidr(const void *obj, char *buf, size_t size)
{
	return cidr_format(obj, buf, size);
}

/*
 * Runs fn at every size from 0 to strlen(want): each must fail, leave ""
 * (size > 0) and write nothing past size.  At strlen(want) + 1 it must
 * succeed with want.  Each buffer is a heap block of exactly that size.
 */
static void
assert_exact_fit(const char *row, writer_fn fn, const void *obj,
    const char *want)
{
	size_t need = strlen(want) + 1;
	size_t size;
	char *buf;

	for (size = 0; size < need; size++) {
		/* malloc(0) may be NULL; give size 0 one canary byte. */
		buf = malloc(size == 0 ? 1 : size);
		assert_non_null(buf);
		memset(buf, 'X', size == 0 ? 1 : size);
		EXPECT(row, fn(obj, buf, size) == -1);
		if (size == 0)
			EXPECT(row, buf[0] == 'X');
		else
			EXPECT(row, buf[0] == '\0');
		free(buf);
	}
	buf = malloc(need);
	assert_non_null(buf);
	EXPECT(row, fn(obj, buf, need) == 0);
	EXPECT(row, strcmp(buf, want) == 0);
	free(buf);
}

/* Parses a network that the test knows is valid. */
static struct cidr
cidr_ok(const char *text)
{
	struct cidr c;

	if (cidr_parse(text, &c) != 0)
		fail_msg("cidr_parse(\"%s\") failed", text);
	return c;
}

static void
test_plain_addresses_parse_to_their_bytes(void **state)
{
	static const struct {
		const char *name;
		const char *text;
		int family;
		uint8_t bytes[16];
	} rows[] = {
		{ "ipv4", "198.51.100.20", AF_INET, { 198, 51, 100, 20 } },
		{ "ipv4 zero", "0.0.0.0", AF_INET, { 0 } },
		{ "ipv4 all ones", "255.255.255.255", AF_INET,
		    { 255, 255, 255, 255 } },
		{ "ipv4 single zero parts", "10.0.0.1", AF_INET,
		    { 10, 0, 0, 1 } },
		{ "ipv6", "2001:db8::1", AF_INET6,
		    { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
		{ "ipv6 upper case", "2001:DB8::1", AF_INET6,
		    { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
		{ "ipv6 written in full",
		    "2001:0db8:0000:0000:0000:0000:0000:0001", AF_INET6,
		    { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
		{ "ipv6 unspecified", "::", AF_INET6, { 0 } },
		{ "ipv6 loopback", "::1", AF_INET6, { [15] = 1 } },
		{ "ipv6 link local", "fe80::", AF_INET6, { 0xfe, 0x80 } },
		{ "ipv6 all ones", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		    AF_INET6, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
		{ "ipv4-compatible stays ipv6", "::198.51.100.20", AF_INET6,
		    { [12] = 198, 51, 100, 20 } },
		{ "almost mapped stays ipv6", "::fffe:198.51.100.20",
		    AF_INET6, { [10] = 0xff, 0xfe, 198, 51, 100, 20 } },
		{ "mapped tail after a non-zero word stays ipv6",
		    "1::ffff:198.51.100.20", AF_INET6,
		    { 0, 1, [10] = 0xff, 0xff, 198, 51, 100, 20 } },
		{ "longest text, 45 characters",
		    "0000:0000:0000:0000:0000:0000:255.255.255.255",
		    AF_INET6, { [12] = 255, 255, 255, 255 } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct addr a;

		memset(&a, 0xa5, sizeof(a));
		EXPECT(rows[i].name, addr_parse(rows[i].text, &a) == 0);
		EXPECT(rows[i].name, a.family == rows[i].family);
		/* All 16 bytes: the unused tail of an IPv4 must be zero. */
		EXPECT(rows[i].name,
		    memcmp(a.bytes, rows[i].bytes, sizeof(a.bytes)) == 0);
		EXPECT(rows[i].name, addr_length(&a) ==
		    (rows[i].family == AF_INET ? 4u : 16u));
	}
}

static void
test_mapped_ipv4_is_an_ipv4_client(void **state)
{
	static const struct {
		const char *name;
		const char *text;
		uint8_t v4[4];
	} rows[] = {
		{ "mixed notation", "::ffff:198.51.100.20",
		    { 198, 51, 100, 20 } },
		{ "upper case", "::FFFF:198.51.100.20", { 198, 51, 100, 20 } },
		{ "hex notation", "::ffff:c633:6414", { 198, 51, 100, 20 } },
		{ "uncompressed", "0:0:0:0:0:ffff:198.51.100.20",
		    { 198, 51, 100, 20 } },
		{ "leading zeros in words",
		    "0000:0000:0000:0000:0000:ffff:198.51.100.20",
		    { 198, 51, 100, 20 } },
		{ "mapped zero address", "::ffff:0.0.0.0", { 0, 0, 0, 0 } },
		{ "mapped all ones", "::ffff:ffff:ffff",
		    { 255, 255, 255, 255 } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct addr a, zero;

		memset(&zero, 0, sizeof(zero));
		EXPECT(rows[i].name, addr_parse(rows[i].text, &a) == 0);
		EXPECT(rows[i].name, a.family == AF_INET);
		EXPECT(rows[i].name, addr_length(&a) == 4);
		EXPECT(rows[i].name, memcmp(a.bytes, rows[i].v4, 4) == 0);
		EXPECT(rows[i].name,
		    memcmp(a.bytes + 4, zero.bytes, 12) == 0);
	}
}

static void
test_garbage_is_not_an_address(void **state)
{
	static const char *const rows[] = {
		"",
		"1.2.3",
		"1.2.3.4.5",
		"256.1.1.1",
		"1.2.3.256",
		"1.2.3.1000",
		" 1.2.3.4",
		"1.2.3.4 ",
		"1.2.3.4\n",
		"\t1.2.3.4",
		"[1.2.3.4]",
		"fe80::1%eth0",
		"fe80::1%25eth0",
		"fe80::1%1",
		"[::1]",
		"[IPv6:2001:db8::1]",
		"IPv6:2001:db8::1",
		"01.2.3.4",
		"1.2.3.04",
		"1.02.3.4",
		"00.0.0.0",
		"0x7f.0.0.1",
		"127.1",
		"127",
		"2130706433",
		"1.2.3.4.",
		".1.2.3.4",
		"1..3.4",
		"1.2.3.-4",
		"+1.2.3.4",
		"1.2.3.4/32",
		"1,2,3,4",
		"localhost",
		"::g",
		":::",
		":",
		"1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:7",
		"1::2::3",
		"12345::",
		"::ffff:1.2.3",
		"::ffff:01.2.3.4",
		"::ffff:256.0.0.1",
		"::ffff:1.2.3.4.5",
		"1.2::3",
		"1.2.3.4::",
		"::1.2.3.4:5",
		"2001:db8::1 ",
		" ::1",
		"2001:db8::1/64",
		"::1\n",
		"2001:db8::-1",
		"2001:db8::+1",
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct addr a;

		EXPECT(rows[i], addr_parse(rows[i], &a) == -1);
	}
}

static void
test_overlong_text_is_not_an_address(void **state)
{
	static const struct {
		const char *name;
		const char *head;	/* then fill up to len */
		char fill;
		size_t len;
	} rows[] = {
		{ "4096 digits", "", '1', 4096 },
		{ "valid ipv4 then 4000 spaces", "1.2.3.4", ' ', 4007 },
		{ "valid ipv4 then 4000 zeros", "1.2.3.4", '0', 4007 },
		{ "colons", "", ':', 4096 },
		{ "valid ipv6 then hex", "2001:db8::", 'f', 4096 },
		{ "46 characters", "0000:0000:0000:0000:0000:0000:255.255.",
		    '5', 46 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		size_t head = strlen(rows[i].head);
		struct addr a;
		char *text;

		text = malloc(rows[i].len + 1);
		assert_non_null(text);
		memcpy(text, rows[i].head, head);
		memset(text + head, rows[i].fill, rows[i].len - head);
		text[rows[i].len] = '\0';
		EXPECT(rows[i].name, addr_parse(text, &a) == -1);
		free(text);
	}
}

static void
test_null_text_is_not_an_address(void **state)
{
	struct addr a;

	(void)state;
	assert_int_equal(addr_parse(NULL, &a), -1);
	assert_int_equal(addr_parse("1.2.3.4", NULL), -1);
}

static void
test_sockaddr_of_each_family_converts(void **state)
{
	static const struct {
		const char *name;
		int family;
		uint8_t in[16];
		const char *want;
	} rows[] = {
		{ "ipv4", AF_INET, { 198, 51, 100, 20 }, "198.51.100.20" },
		{ "ipv6", AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		    "2001:db8::1" },
		{ "mapped ipv4 is an ipv4 client", AF_INET6,
		    { [10] = 0xff, 0xff, 198, 51, 100, 20 }, "198.51.100.20" },
		{ "ipv4-compatible stays ipv6", AF_INET6,
		    { [12] = 198, 51, 100, 20 }, "::c633:6414" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct sockaddr_storage ss;
		struct addr a, want = parse_ok(rows[i].want);

		memset(&ss, 0, sizeof(ss));
		if (rows[i].family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			sin->sin_family = AF_INET;
			sin->sin_port = htons(25);
			memcpy(&sin->sin_addr, rows[i].in, 4);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons(25);
			sin6->sin6_scope_id = 3;
			memcpy(&sin6->sin6_addr, rows[i].in, 16);
		}
		EXPECT(rows[i].name,
		    addr_from_sockaddr((struct sockaddr *)&ss, &a) == 0);
		EXPECT(rows[i].name, addr_equal(&a, &want));
		EXPECT(rows[i].name, memcmp(&a, &want, sizeof(a)) == 0);
	}
}

static void
test_sockaddr_null_unix_and_unknown_are_rejected(void **state)
{
	struct sockaddr_un sun;
	struct sockaddr_storage ss;
	struct addr a;

	(void)state;
	assert_int_equal(addr_from_sockaddr(NULL, &a), -1);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)snprintf(sun.sun_path, sizeof(sun.sun_path), "/run/x.sock");
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&sun, &a), -1);

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNSPEC;
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&ss, &a), -1);

	ss.ss_family = AF_INET;
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&ss, NULL), -1);
}

static void
test_format_is_canonical_rfc5952(void **state)
{
	static const struct {
		const char *name;
		const char *text;
		const char *want;
	} rows[] = {
		{ "ipv4", "198.51.100.20", "198.51.100.20" },
		{ "ipv4 zero", "0.0.0.0", "0.0.0.0" },
		{ "ipv4 all ones", "255.255.255.255", "255.255.255.255" },
		{ "lower case, no leading zeros",
		    "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ "first of two equal runs is compressed",
		    "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
		{ "longest run wins", "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },
		{ "single zero word is not compressed",
		    "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
		{ "unspecified", "0:0:0:0:0:0:0:0", "::" },
		{ "loopback", "0:0:0:0:0:0:0:1", "::1" },
		{ "run at the end", "1:0:0:0:0:0:0:0", "1::" },
		{ "run after the first word", "0:1:0:0:0:0:0:0", "0:1::" },
		{ "two runs of three", "fe80:0:0:0:1:0:0:0",
		    "fe80::1:0:0:0" },
		{ "run in the middle", "2001:db8:0:0:0:0:2:1",
		    "2001:db8::2:1" },
		{ "no zeros", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "word with inner zeros", "2001:db8:100:a0::",
		    "2001:db8:100:a0::" },
		{ "ipv4-compatible is plain hex", "::198.51.100.20",
		    "::c633:6414" },
		{ "mapped is folded to ipv4", "::ffff:198.51.100.20",
		    "198.51.100.20" },
	};
	char buf[ADDR_TEXT_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct addr a = parse_ok(rows[i].text), back;

		EXPECT(rows[i].name, addr_format(&a, buf, sizeof(buf)) == 0);
		EXPECT(rows[i].name, strcmp(buf, rows[i].want) == 0);
		/* The canonical form parses back to the same address. */
		EXPECT(rows[i].name, addr_parse(buf, &back) == 0);
		EXPECT(rows[i].name, addr_equal(&a, &back));
	}
}

static void
test_unfolded_mapped_address_formats_in_mixed_notation(void **state)
{
	struct addr a;
	char buf[ADDR_TEXT_MAX];

	(void)state;
	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	a.bytes[10] = 0xff;
	a.bytes[11] = 0xff;
	a.bytes[12] = 198;
	a.bytes[13] = 51;
	a.bytes[14] = 100;
	a.bytes[15] = 20;
	assert_int_equal(addr_format(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "::ffff:198.51.100.20");
	assert_exact_fit("mapped", format_addr, &a, "::ffff:198.51.100.20");
}

static void
test_format_fails_at_every_size_too_small(void **state)
{
	static const char *const rows[] = {
		"198.51.100.20",
		"255.255.255.255",
		"0.0.0.0",
		"::",
		"::1",
		"2001:db8::1",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct addr a = parse_ok(rows[i]);

		assert_exact_fit(rows[i], format_addr, &a, rows[i]);
	}
}

static void
test_reverse_name_of_each_family(void **state)
{
	static const struct {
		const char *name;
		const char *text;
		const char *want;
	} rows[] = {
		{ "ipv4", "198.51.100.20", "20.100.51.198.in-addr.arpa" },
		{ "ipv4 zero", "0.0.0.0", "0.0.0.0.in-addr.arpa" },
		{ "ipv4 all ones", "255.255.255.255",
		    "255.255.255.255.in-addr.arpa" },
		{ "ipv4 distinct octets", "1.2.3.4", "4.3.2.1.in-addr.arpa" },
		{ "mapped ipv4 gives in-addr.arpa", "::ffff:198.51.100.20",
		    "20.100.51.198.in-addr.arpa" },
		{ "ipv6", "2001:db8::1",
		    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		    "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" },
		{ "ipv6 unspecified", "::",
		    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa" },
		{ "ipv6 every nibble distinct",
		    "0123:4567:89ab:cdef:fedc:ba98:7654:3210",
		    "0.1.2.3.4.5.6.7.8.9.a.b.c.d.e.f."
		    "f.e.d.c.b.a.9.8.7.6.5.4.3.2.1.0.ip6.arpa" },
		{ "ipv6 all ones", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		    "f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f."
		    "f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.ip6.arpa" },
		{ "ipv4-compatible stays ip6.arpa", "::198.51.100.20",
		    "4.1.4.6.3.3.6.c.0.0.0.0.0.0.0.0."
		    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa" },
	};
	char buf[ADDR_REVERSE_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct addr a = parse_ok(rows[i].text);

		EXPECT(rows[i].name,
		    addr_reverse_name(&a, buf, sizeof(buf)) == 0);
		EXPECT(rows[i].name, strcmp(buf, rows[i].want) == 0);
	}
	/* 32 nibbles and dots, then "ip6.arpa": the longest name. */
	assert_int_equal(strlen(rows[5].want), 72);
	assert_true(strlen(rows[5].want) < ADDR_REVERSE_MAX);
}

static void
test_reverse_name_fails_at_every_size_too_small(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} rows[] = {
		{ "198.51.100.20", "20.100.51.198.in-addr.arpa" },
		{ "0.0.0.0", "0.0.0.0.in-addr.arpa" },
		{ "2001:db8::1",
		    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		    "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct addr a = parse_ok(rows[i].text);

		assert_exact_fit(rows[i].text, reverse_addr, &a, rows[i].want);
	}
}

static void
test_unknown_family_has_no_text_and_equals_nothing(void **state)
{
	struct addr a;
	char buf[ADDR_REVERSE_MAX];

	(void)state;
	memset(&a, 0, sizeof(a));
	a.family = AF_UNIX;
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(addr_format(&a, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(addr_reverse_name(&a, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
	assert_int_equal(addr_length(&a), 0);
	assert_false(addr_equal(&a, &a));
}

static void
test_equal_compares_family_and_used_bytes(void **state)
{
	static const struct {
		const char *name;
		const char *a;
		const char *b;
		bool want;
	} rows[] = {
		{ "same ipv4", "198.51.100.20", "198.51.100.20", true },
		{ "different ipv4", "198.51.100.20", "198.51.100.21", false },
		{ "ipv4 and its mapped form", "198.51.100.20",
		    "::ffff:198.51.100.20", true },
		{ "ipv4 and its compatible form", "198.51.100.20",
		    "::198.51.100.20", false },
		{ "ipv6 spelled two ways", "2001:db8::1",
		    "2001:0DB8:0:0:0:0:0:1", true },
		{ "different ipv6", "2001:db8::1", "2001:db8::2", false },
		{ "ipv4 zero and ipv6 zero", "0.0.0.0", "::", false },
	};
	struct addr a, b;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		a = parse_ok(rows[i].a);
		b = parse_ok(rows[i].b);
		EXPECT(rows[i].name, addr_equal(&a, &b) == rows[i].want);
		EXPECT(rows[i].name, addr_equal(&b, &a) == rows[i].want);
	}
	/* Only the 4 used bytes of an IPv4 address count. */
	a = parse_ok("198.51.100.20");
	b = a;
	b.bytes[4] = 1;
	b.bytes[15] = 0xff;
	assert_true(addr_equal(&a, &b));
}

static void
test_cidr_parse_accepts_networks_and_host_routes(void **state)
{
	static const struct {
		const char *name;
		const char *text;
		const char *net;
		unsigned prefix;
	} rows[] = {
		{ "ipv4 /24", "198.51.100.0/24", "198.51.100.0", 24 },
		{ "ipv4 /0", "0.0.0.0/0", "0.0.0.0", 0 },
		{ "ipv4 /32", "198.51.100.20/32", "198.51.100.20", 32 },
		{ "ipv4 /31", "198.51.100.20/31", "198.51.100.20", 31 },
		{ "ipv4 /1", "128.0.0.0/1", "128.0.0.0", 1 },
		{ "ipv4 /8", "127.0.0.0/8", "127.0.0.0", 8 },
		{ "ipv4 /23", "198.51.100.0/23", "198.51.100.0", 23 },
		{ "bare ipv4 is a host route", "198.51.100.20",
		    "198.51.100.20", 32 },
		{ "ipv6 /32", "2001:db8::/32", "2001:db8::", 32 },
		{ "ipv6 /0", "::/0", "::", 0 },
		{ "ipv6 /128", "2001:db8::1/128", "2001:db8::1", 128 },
		{ "ipv6 /127", "2001:db8::fffe/127", "2001:db8::fffe", 127 },
		{ "ipv6 /65", "2001:db8:0:0:8000::/65", "2001:db8:0:0:8000::",
		    65 },
		{ "ipv6 loopback", "::1/128", "::1", 128 },
		{ "bare ipv6 is a host route", "2001:db8::1", "2001:db8::1",
		    128 },
		{ "mapped network is an ipv4 network",
		    "::ffff:198.51.100.0/120", "198.51.100.0", 24 },
		{ "all mapped is all ipv4", "::ffff:0:0/96", "0.0.0.0", 0 },
		{ "mapped host route", "::ffff:198.51.100.20",
		    "198.51.100.20", 32 },
		{ "mapped /128", "::ffff:198.51.100.20/128", "198.51.100.20",
		    32 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct cidr c;
		struct addr net = parse_ok(rows[i].net);

		memset(&c, 0xa5, sizeof(c));
		EXPECT(rows[i].name, cidr_parse(rows[i].text, &c) == 0);
		EXPECT(rows[i].name, c.prefix == rows[i].prefix);
		EXPECT(rows[i].name, memcmp(&c.net, &net, sizeof(net)) == 0);
	}
}

static void
test_cidr_parse_rejects_junk_and_host_bits(void **state)
{
	static const struct {
		const char *name;
		const char *text;
	} rows[] = {
		{ "empty", "" },
		{ "slash alone", "/" },
		{ "no address", "/8" },
		{ "no prefix", "198.51.100.0/" },
		{ "ipv4 prefix too long", "198.51.100.20/33" },
		{ "ipv6 prefix too long", "2001:db8::/129" },
		{ "huge prefix", "198.51.100.20/1000" },
		{ "prefix that wraps to 32", "1.2.3.4/4294967328" },
		{ "leading zero in prefix", "198.51.100.0/024" },
		{ "octal-looking prefix", "10.0.0.0/08" },
		{ "double zero prefix", "0.0.0.0/00" },
		{ "negative prefix", "198.51.100.0/-24" },
		{ "plus sign", "198.51.100.0/+24" },
		{ "space after slash", "198.51.100.0/ 24" },
		{ "space before slash", "198.51.100.0 /24" },
		{ "trailing space", "198.51.100.0/24 " },
		{ "two slashes", "198.51.100.0/24/24" },
		{ "hex prefix", "198.51.100.0/0x18" },
		{ "netmask instead of prefix", "198.51.100.0/255.255.255.0" },
		{ "host bits set", "198.51.100.1/24" },
		{ "host bit in partial byte", "198.51.101.0/23" },
		{ "host bit at /31", "198.51.100.21/31" },
		{ "any ipv4 host bit at /0", "0.0.0.1/0" },
		{ "ipv6 host bits", "2001:db8::1/32" },
		{ "ipv6 host bit at /127", "2001:db8::1/127" },
		{ "mapped shorter than /96", "::ffff:0:0/95" },
		{ "mapped host bits", "::ffff:198.51.100.1/120" },
		{ "bad address", "198.51.100/24" },
		{ "bracketed", "[2001:db8::]/32" },
		{ "zone", "fe80::%eth0/64" },
		{ "word", "localhost/8" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct cidr c, before;

		memset(&c, 0xa5, sizeof(c));
		before = c;
		EXPECT(rows[i].name, cidr_parse(rows[i].text, &c) == -1);
		/* A failed parse leaves the output alone. */
		EXPECT(rows[i].name, memcmp(&c, &before, sizeof(c)) == 0);
	}
}

static void
test_cidr_parse_rejects_null_and_overlong_text(void **state)
{
	struct cidr c;
	char *text;

	(void)state;
	assert_int_equal(cidr_parse(NULL, &c), -1);
	assert_int_equal(cidr_parse("10.0.0.0/8", NULL), -1);
	text = malloc(5000);
	assert_non_null(text);
	memset(text, '1', 4999);
	text[4999] = '\0';
	assert_int_equal(cidr_parse(text, &c), -1);
	text[100] = '/';
	assert_int_equal(cidr_parse(text, &c), -1);
	memcpy(text, "10.0.0.0/", 9);
	assert_int_equal(cidr_parse(text, &c), -1);
	free(text);
}

static void
test_cidr_contains_matches_family_and_prefix(void **state)
{
	static const struct {
		const char *name;
		const char *cidr;
		const char *addr;
		bool want;
	} rows[] = {
		{ "first of /24", "198.51.100.0/24", "198.51.100.0", true },
		{ "last of /24", "198.51.100.0/24", "198.51.100.255", true },
		{ "just after /24", "198.51.100.0/24", "198.51.101.0", false },
		{ "just before /24", "198.51.100.0/24", "198.51.99.255",
		    false },
		{ "mapped client in ipv4 network", "198.51.100.0/24",
		    "::ffff:198.51.100.7", true },
		{ "/0 holds every ipv4", "0.0.0.0/0", "255.255.255.255", true },
		{ "/0 holds no ipv6", "0.0.0.0/0", "2001:db8::1", false },
		{ "::/0 holds every ipv6", "::/0", "2001:db8::1", true },
		{ "::/0 holds no ipv4", "::/0", "198.51.100.20", false },
		{ "::/0 holds no mapped client", "::/0",
		    "::ffff:198.51.100.20", false },
		{ "all mapped holds ipv4", "::ffff:0:0/96", "192.0.2.1",
		    true },
		{ "/32 holds itself", "198.51.100.20/32", "198.51.100.20",
		    true },
		{ "/32 holds no neighbour", "198.51.100.20/32",
		    "198.51.100.21", false },
		{ "/31 pair", "198.51.100.20/31", "198.51.100.21", true },
		{ "/31 outside", "198.51.100.20/31", "198.51.100.22", false },
		{ "/23 upper half", "198.51.100.0/23", "198.51.101.200",
		    true },
		{ "/23 outside", "198.51.100.0/23", "198.51.102.0", false },
		{ "/1 high half", "128.0.0.0/1", "200.0.0.1", true },
		{ "/1 low half", "128.0.0.0/1", "127.255.255.255", false },
		{ "/8 loopback", "127.0.0.0/8", "127.1.2.3", true },
		{ "/128 holds itself", "::1/128", "::1", true },
		{ "/128 holds no neighbour", "::1/128", "::2", false },
		{ "/127 pair", "2001:db8::fffe/127", "2001:db8::ffff", true },
		{ "/127 outside", "2001:db8::fffe/127", "2001:db8::1:0",
		    false },
		{ "/32 documentation", "2001:db8::/32",
		    "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "/32 outside", "2001:db8::/32", "2001:db9::", false },
		{ "/65 inside", "2001:db8:0:0:8000::/65",
		    "2001:db8::ffff:0:0:1", true },
		{ "/65 outside", "2001:db8:0:0:8000::/65",
		    "2001:db8::7fff:0:0:1", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct cidr c = cidr_ok(rows[i].cidr);
		struct addr a = parse_ok(rows[i].addr);

		EXPECT(rows[i].name, cidr_contains(&c, &a) == rows[i].want);
	}
}

static void
test_cidr_contains_refuses_impossible_prefix(void **state)
{
	struct cidr c = cidr_ok("198.51.100.0/24");
	struct addr a = parse_ok("198.51.100.1");

	(void)state;
	c.prefix = 33;		/* built by hand, not by cidr_parse */
	assert_false(cidr_contains(&c, &a));
	assert_false(cidr_contains(NULL, &a));
	assert_false(cidr_contains(&c, NULL));
}

static void
test_cidr_format_writes_network_and_prefix(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} rows[] = {
		{ "198.51.100.0/24", "198.51.100.0/24" },
		{ "198.51.100.20", "198.51.100.20/32" },
		{ "0.0.0.0/0", "0.0.0.0/0" },
		{ "2001:DB8:0::/32", "2001:db8::/32" },
		{ "::/0", "::/0" },
		{ "::ffff:198.51.100.0/120", "198.51.100.0/24" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct cidr c = cidr_ok(rows[i].text);

		assert_exact_fit(rows[i].text, format_cidr, &c, rows[i].want);
		assert_true(strlen(rows[i].want) < CIDR_TEXT_MAX);
	}
}

/* Appends in order, past every doubling of the capacity. */
static void
test_cidr_list_grows_and_keeps_order(void **state)
{
	enum { N = 1000 };
	struct cidr_list list;
	char text[32];
	size_t i;

	(void)state;
	cidr_list_init(&list);
	for (i = 0; i < N; i++) {
		struct cidr c;

		snprintf(text, sizeof(text), "10.%zu.%zu.0/24", i / 256,
		    i % 256);
		c = cidr_ok(text);
		assert_int_equal(cidr_list_add(&list, &c), 0);
	}
	assert_int_equal(list.count, N);
	assert_true(list.capacity >= N);
	for (i = 0; i < N; i += 111) {
		struct cidr want;

		snprintf(text, sizeof(text), "10.%zu.%zu.0/24", i / 256,
		    i % 256);
		want = cidr_ok(text);
		assert_int_equal(list.items[i].prefix, 24);
		assert_true(cidr_contains(&list.items[i], &want.net));
		assert_true(cidr_contains(&want, &list.items[i].net));
	}
	cidr_list_free(&list);
}

static void
test_cidr_list_free_leaves_an_empty_reusable_list(void **state)
{
	struct cidr_list list;
	struct cidr c = cidr_ok("10.0.0.0/8");

	(void)state;
	cidr_list_init(&list);
	assert_null(list.items);
	assert_int_equal(list.count, 0);
	assert_int_equal(cidr_list_add(&list, &c), 0);
	assert_int_equal(list.count, 1);
	cidr_list_free(&list);
	assert_null(list.items);
	assert_int_equal(list.count, 0);
	assert_int_equal(list.capacity, 0);
	cidr_list_free(&list);			/* twice is harmless */
	cidr_list_free(NULL);
	assert_int_equal(cidr_list_add(&list, &c), 0);
	assert_true(cidr_contains(&list.items[0], &c.net));
	cidr_list_free(&list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_addresses_parse_to_their_bytes),
		cmocka_unit_test(test_mapped_ipv4_is_an_ipv4_client),
		cmocka_unit_test(test_garbage_is_not_an_address),
		cmocka_unit_test(test_overlong_text_is_not_an_address),
		cmocka_unit_test(test_null_text_is_not_an_address),
		cmocka_unit_test(test_sockaddr_of_each_family_converts),
		cmocka_unit_test(
		    test_sockaddr_null_unix_and_unknown_are_rejected),
		cmocka_unit_test(test_format_is_canonical_rfc5952),
		cmocka_unit_test(
		    test_unfolded_mapped_address_formats_in_mixed_notation),
		cmocka_unit_test(test_format_fails_at_every_size_too_small),
		cmocka_unit_test(test_reverse_name_of_each_family),
		cmocka_unit_test(
		    test_reverse_name_fails_at_every_size_too_small),
		cmocka_unit_test(
		    test_unknown_family_has_no_text_and_equals_nothing),
		cmocka_unit_test(test_equal_compares_family_and_used_bytes),
		cmocka_unit_test(
		    test_cidr_parse_accepts_networks_and_host_routes),
		cmocka_unit_test(test_cidr_parse_rejects_junk_and_host_bits),
		cmocka_unit_test(
		    test_cidr_parse_rejects_null_and_overlong_text),
		cmocka_unit_test(test_cidr_contains_matches_family_and_prefix),
		cmocka_unit_test(test_cidr_contains_refuses_impossible_prefix),
		cmocka_unit_test(test_cidr_format_writes_network_and_prefix),
		cmocka_unit_test(test_cidr_list_grows_and_keeps_order),
		cmocka_unit_test(
		    test_cidr_list_free_leaves_an_empty_reusable_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
