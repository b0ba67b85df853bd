/*
 * test_generic.c - unit tests for generic.c: the client's address written
 * in its PTR name, host-type tokens beside digits, the registered domain
 * left out of both, the allow list, and names that must stay specific.
 *
 * One table of {name, client, ptr, want_generic, want_reason}, judged
 * with the same allow list; then the edges of the interface: NULLs,
 * reason buffers of every size, names too long to be host names.
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

#include "addr.h"
#include "generic.h"

/* Fails the test, naming the table row, unless cond holds. */
#define EXPECT(row, cond) do {						\
	if (!(cond))							\
		fail_msg("row \"%s\": %s", (row), #cond);		\
} while (0)

/* Number of rows of a table. */
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

static struct addr parse_ok(const char *text);

/* The allow list every table row is judged with. */
static const char *const table_allow[] = { "allowed.example", NULL };

/* Parses an address that the test knows is valid. */
static struct addr
parse_ok(const char *text)
{
	struct addr a;

	if (addr_parse(text, &a) != 0)
		fail_msg("addr_parse(\"%s\") failed", text);
	return a;
}

static void
test_generic_table(void **state)
{
	static const struct {
		const char *name;
		const char *client;
		const char *ptr;
		bool want_generic;
		const char *want_reason;
	} rows[] = {
		/* The client's IPv4 address in the name. */
		{ "dashed", "198.51.100.20",
		    "198-51-100-20.example-broadband.com", true,
		    "ip-in-name:198-51-100-20" },
		{ "dotted, before the registered domain", "198.51.100.20",
		    "198.51.100.20.example.net", true,
		    "ip-in-name:198.51.100.20" },
		{ "underscored", "198.51.100.20",
		    "host_198_51_100_20.example.net", true,
		    "ip-in-name:198_51_100_20" },
		{ "reversed dashed", "198.51.100.20",
		    "20-100-51-198.pool.example.net", true,
		    "ip-in-name:20-100-51-198" },
		{ "reversed dotted with zero-padded octets", "198.51.100.20",
		    "dsl-dyn-020.100.051.198.example.in", true,
		    "ip-in-name:020.100.051.198" },
		{ "concatenated zero-padded", "198.51.100.20",
		    "bb198051100020.example.net", true,
		    "ip-in-name:198051100020" },
		{ "concatenated zero-padded reversed", "198.51.100.20",
		    "c020100051198.example.net", true,
		    "ip-in-name:020100051198" },
		{ "concatenated without padding", "198.51.100.20",
		    "x1985110020.example.net", true,
		    "ip-in-name:1985110020" },
		{ "hex", "198.51.100.20", "ipc6336414.dyn.example.de", true,
		    "ip-in-name:c6336414" },
		{ "upper case name, reason lower case", "198.51.100.20",
		    "C6336414.CM.EXAMPLE.NL", true, "ip-in-name:c6336414" },
		{ "last three octets beside a word", "198.51.100.20",
		    "51-100-20.pool.example.net", true,
		    "ip-in-name:51-100-20" },
		{ "under a ccTLD with a short second level", "198.51.100.20",
		    "198-51-100-20.example.com.tr", true,
		    "ip-in-name:198-51-100-20" },
		{ "one trailing dot is ignored", "198.51.100.20",
		    "198-51-100-20.example.net.", true,
		    "ip-in-name:198-51-100-20" },
		{ "escaped name still shows the address", "198.51.100.20",
		    "198-51-100-20\\032x.example.net", true,
		    "ip-in-name:198-51-100-20" },

		/* Traps: digits that are not the client's address. */
		{ "trap: another client's address", "198.51.100.21",
		    "198-51-100-20.example.net", false, "" },
		{ "trap: octets inside longer numbers", "198.51.100.20",
		    "1198-51-100-200.example.net", false, "" },
		{ "octets glued to a longer number: only the last three",
		    "198.51.100.20", "1198-51-100-20.example.net", true,
		    "ip-in-name:51-100-20" },
		{ "trap: separators that change are not one address",
		    "198.51.100.20", "198-51.100_20.example.net", false, "" },
		{ "trap: last three octets alone", "198.51.100.20",
		    "51-100-20.example.net", false, "" },
		{ "trap: address only in the registered domain",
		    "198.51.100.20", "mail.198-51-100-20.net", false, "" },
		{ "trap: ESP name full of digits", "198.2.136.12",
		    "mail136-12.atl41.example-esp.com", false, "" },

		/* The client's IPv6 address in the name. */
		{ "ipv6 nibbles forward", "2001:db8:0:1:a:b:c:d",
		    "x20010db800000001000a000b000c000d.example.net", true,
		    "ip-in-name:20010db800000001000a000b000c000d" },
		{ "ipv6 nibbles reversed and dotted", "2001:db8:0:1:a:b:c:d",
		    "d.0.0.0.c.0.0.0.b.0.0.0.a.0.0.0.1.0.0.0.0.0.0.0.8.b.d.0."
		    "1.0.0.2.v6.example.net", true,
		    "ip-in-name:d.0.0.0.c.0.0.0.b.0.0.0.a.0.0.0.1.0.0.0.0.0.0."
		    "0.8.b.d.0.1.0.0.2" },
		{ "ipv6 last four groups dashed", "2001:db8:0:1:a:b:c:d",
		    "pool-a-b-c-d.example.net", true, "ip-in-name:a-b-c-d" },
		{ "ipv6 last four groups zero-padded",
		    "2001:db8::cafe:0:1:a",
		    "cust-cafe-0000-0001-000a.example.net", true,
		    "ip-in-name:cafe-0000-0001-000a" },
		{ "trap: ipv6 groups of another address",
		    "2001:db8:0:1:a:b:c:e", "a-b-c-d.example.net", false, "" },

		/* Host-type tokens beside digits. */
		{ "token beside digits", "198.51.100.20",
		    "dynamic-051.pool.example.net", true, "token:dynamic" },
		{ "token split at a digit boundary", "198.51.100.20",
		    "dsl42.example.net", true, "token:dsl" },
		{ "token between underscores", "198.51.100.20",
		    "x_ppp_9.example.net", true, "token:ppp" },
		{ "token in another address's name", "198.51.100.20",
		    "ip-10-1-2-3.example.net", true, "token:ip" },
		{ "token upper case", "198.51.100.20",
		    "CPE-00A1B2.Example.NET", true, "token:cpe" },
		{ "trap: token without digits in its label", "198.51.100.20",
		    "static.example.com", false, "" },
		{ "trap: token in a label beside one with digits",
		    "198.51.100.20", "a1.cable.example.net", false, "" },
		{ "trap: a word that starts with a token", "198.51.100.20",
		    "dynamo-mail1.example.com", false, "" },
		{ "trap: token only in the registered domain",
		    "198.51.100.20", "mx1.pool42.net", false, "" },
		{ "trap: three-label registered domain", "198.51.100.20",
		    "mail.dsl1.co.uk", false, "" },
		{ "trap: escaped name, no token rule", "198.51.100.20",
		    "dyn\\0321.example.net", false, "" },
		{ "trap: trailing backslash", "198.51.100.20",
		    "pool1.example\\", false, "" },

		/* Names chosen for mail hosts. */
		{ "mail host", "198.51.100.20", "mail.example.com", false, "" },
		{ "numbered mx", "198.51.100.20", "mx02.prod.example.com",
		    false, "" },
		{ "descriptive mx", "198.51.100.20",
		    "validation-mx02.prod.delgara.com", false, "" },
		{ "ESP outbound", "198.51.100.20", "o1.ptr1234.sendgrid.net",
		    false, "" },
		{ "single label", "198.51.100.20", "localhost", false, "" },
		{ "empty name", "198.51.100.20", "", false, "" },

		/* The allow list wins over every rule. */
		{ "allow list suffix", "198.51.100.20",
		    "198-51-100-20.allowed.example", false,
		    "allow:allowed.example" },
		{ "allow list whole name", "198.51.100.20", "allowed.example",
		    false, "allow:allowed.example" },
		{ "allow list ignores case", "198.51.100.20",
		    "POOL-198-51-100-20.Allowed.Example", false,
		    "allow:allowed.example" },
		{ "allow list on a label boundary only", "198.51.100.20",
		    "198-51-100-20.notallowed.example", true,
		    "ip-in-name:198-51-100-20" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct addr client = parse_ok(rows[i].client);
		char reason[GENERIC_REASON_MAX];
		bool got;

		memset(reason, 'X', sizeof(reason));
		got = generic_check(&client, rows[i].ptr, table_allow, reason,
		    sizeof(reason));
		if (got != rows[i].want_generic ||
		    strcmp(reason, rows[i].want_reason) != 0)
			fail_msg("row \"%s\": got %s \"%s\", want %s \"%s\"",
			    rows[i].name, got ? "generic" : "specific",
			    reason, rows[i].want_generic ? "generic" :
			    "specific", rows[i].want_reason);
	}
}

static void
test_every_host_token_is_recognised(void **state)
{
	static const char *const tokens[] = {
		"dyn", "dynamic", "dhcp", "pool", "ppp", "pppoe", "dsl",
		"adsl", "vdsl", "cable", "dial", "dialup", "broadband", "bb",
		"client", "cust", "customer", "res", "residential", "user",
		"static", "ip", "host", "cpe", "wifi", "mobile",
	};
	struct addr client = parse_ok("198.51.100.20");
	char name[64], reason[GENERIC_REASON_MAX], want[64];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(tokens); i++) {
		snprintf(name, sizeof(name), "%s-7.example.net", tokens[i]);
		snprintf(want, sizeof(want), "token:%s", tokens[i]);
		EXPECT(tokens[i], generic_check(&client, name, NULL, reason,
		    sizeof(reason)));
		EXPECT(tokens[i], strcmp(reason, want) == 0);
		/* Glued to other letters it is another word. */
		snprintf(name, sizeof(name), "x%sx-7.example.net", tokens[i]);
		EXPECT(tokens[i], !generic_check(&client, name, NULL, reason,
		    sizeof(reason)));
	}
}

static void
test_reason_is_cut_to_fit_any_buffer(void **state)
{
	static const char want[] = "ip-in-name:198-51-100-20";
	struct addr client = parse_ok("198.51.100.20");
	size_t size;
	char *buf;

	(void)state;
	assert_true(generic_check(&client, "198-51-100-20.example.net", NULL,
	    NULL, 0));
	for (size = 0; size <= sizeof(want); size++) {
		/* malloc(0) may be NULL; give size 0 one canary byte. */
		buf = malloc(size == 0 ? 1 : size);
		assert_non_null(buf);
		memset(buf, 'X', size == 0 ? 1 : size);
		assert_true(generic_check(&client, "198-51-100-20.example.net",
		    NULL, buf, size));
		if (size == 0) {
			assert_int_equal(buf[0], 'X');
		} else {
			assert_int_equal(strlen(buf), size - 1);
			assert_memory_equal(buf, want, size - 1);
		}
		free(buf);
	}
}

static void
test_null_name_client_or_allow_are_safe(void **state)
{
	struct addr client = parse_ok("198.51.100.20");
	char reason[GENERIC_REASON_MAX];

	(void)state;
	snprintf(reason, sizeof(reason), "stale");
	assert_false(generic_check(&client, NULL, NULL, reason,
	    sizeof(reason)));
	assert_string_equal(reason, "");
	/* Without a client only the token rule can speak. */
	assert_true(generic_check(NULL, "dsl42.example.net", NULL, reason,
	    sizeof(reason)));
	assert_string_equal(reason, "token:dsl");
	assert_false(generic_check(NULL, "198-51-100-20.example.net", NULL,
	    reason, sizeof(reason)));
	assert_string_equal(reason, "");
	/* An empty allow list allows nothing. */
	{
		static const char *const empty[] = { NULL };

		assert_true(generic_check(&client, "dsl42.example.net", empty,
		    reason, sizeof(reason)));
	}
}

static void
test_name_too_long_for_a_host_name_is_not_generic(void **state)
{
	/* 254 characters (253 and a trailing dot) are judged; more are not,
	 * however generic the text. */
	static const size_t lengths[] = { 254, 255, 1100 };
	struct addr client = parse_ok("198.51.100.20");
	char reason[GENERIC_REASON_MAX];
	char *name;
	size_t i, len;

	(void)state;
	for (i = 0; i < NROWS(lengths); i++) {
		len = lengths[i];
		name = malloc(len + 1);
		assert_non_null(name);
		memset(name, 'a', len);
		memcpy(name, "198-51-100-20.", 14);
		memcpy(name + len - 13, ".example.net.", 13);
		name[len] = '\0';
		assert_int_equal(generic_check(&client, name, NULL, reason,
		    sizeof(reason)), len == 254);
		assert_string_equal(reason, len == 254 ?
		    "ip-in-name:198-51-100-20" : "");
		free(name);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generic_table),
		cmocka_unit_test(test_every_host_token_is_recognised),
		cmocka_unit_test(test_reason_is_cut_to_fit_any_buffer),
		cmocka_unit_test(test_null_name_client_or_allow_are_safe),
		cmocka_unit_test(
		    test_name_too_long_for_a_host_name_is_not_generic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
