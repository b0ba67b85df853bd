/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_generic.c - unit tests for generic.c and generic_ip.c: the
 * client's address written in its PTR name in every encoding (IPv4 and
 * IPv6), host-type words weighed by place and company, the registered
 * domain left out, the allow list, and the traps: big senders' outbound
 * names full of digits, business names holding "dyn" or "static", real
 * mail servers in an ISP's domain.
 *
 * Tables of {name, client, ptr, want_generic, want_reason}, judged with
 * db NULL (built-in rules only) and the same allow list; then the edges
 * of the interface: NULLs, reason buffers of every size, names too long
 * to be host names.
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

#include "unit.h"
#include "generic_rows.h"

#include "addr.h"
#include "generic.h"
#include "regdom.h"

/* Fails the test, naming the table row, unless cond holds. */
#define EXPECT(row, cond) do {						\
	if (!(cond))							\
		fail_msg("row \"%s\": %s", (row), #cond);		\
} while (0)

static void
test_ipv4_address_in_every_encoding(void **state)
{
	static const struct row rows[] = {
		{ "dashed", "198.51.100.20",
		    "198-51-100-20.example-broadband.com", true,
		    "ip-in-name:198-51-100-20" },
		{ "dotted, before the registered domain", "198.51.100.20",
		    "198.51.100.20.example.net", true,
		    "ip-in-name:198.51.100.20" },
		{ "underscored", "198.51.100.20",
		    "host_198_51_100_20.example.net", true,
		    "ip-in-name:198_51_100_20" },
		{ "x-separated", "198.51.100.20",
		    "198x51x100x20.ap198.ftth.example.ne.jp", true,
		    "ip-in-name:198x51x100x20" },
		{ "reversed dashed", "198.51.100.20",
		    "20-100-51-198.pool.example.net", true,
		    "ip-in-name:20-100-51-198" },
		{ "reversed dotted with zero-padded octets", "198.51.100.20",
		    "dsl-dyn-020.100.051.198.example.in", true,
		    "ip-in-name:020.100.051.198" },
		{ "zero-padded dashed", "198.51.100.20",
		    "198-051-100-020.static.example.net", true,
		    "ip-in-name:198-051-100-020" },
		{ "concatenated zero-padded", "198.51.100.20",
		    "bb198051100020.example.net", true,
		    "ip-in-name:198051100020" },
		{ "concatenated zero-padded reversed", "198.51.100.20",
		    "c020100051198.example.net", true,
		    "ip-in-name:020100051198" },
		{ "concatenated without padding", "198.51.100.20",
		    "x1985110020.example.net", true,
		    "ip-in-name:1985110020" },
		{ "hex with a prefix letter", "198.51.100.20",
		    "ipc6336414.dyn.example.de", true, "ip-in-name:c6336414" },
		{ "hex with a dashed prefix", "192.168.0.1",
		    "ip-c0a80001.example.net", true, "ip-in-name:c0a80001" },
		{ "hex alone, digits only", "90.217.52.172",
		    "5ad934ac.bb.example.com", true, "ip-in-name:5ad934ac" },
		{ "hex upper case, reason lower case", "198.51.100.20",
		    "C6336414.CM.EXAMPLE.NL", true, "ip-in-name:c6336414" },
		{ "32-bit integer", "198.51.100.20",
		    "h3325256724.example.net", true,
		    "ip-in-name:3325256724" },
		{ "last three octets beside a word", "198.51.100.20",
		    "51-100-20.pool.example.net", true,
		    "ip-in-name:51-100-20" },
		{ "last two octets beside a host-type word", "200.104.168.207",
		    "cm-vina5-168-207.cm.example.net", true,
		    "ip-in-name:168-207" },
		{ "last two octets reversed beside a word", "198.51.100.20",
		    "dyn-20-100.example.net", true, "ip-in-name:20-100" },
		{ "under a ccTLD with a short second level", "198.51.100.20",
		    "198-51-100-20.example.com.tr", true,
		    "ip-in-name:198-51-100-20" },
		{ "one trailing dot is ignored", "198.51.100.20",
		    "198-51-100-20.example.net.", true,
		    "ip-in-name:198-51-100-20" },
		{ "escaped name still shows the address", "198.51.100.20",
		    "198-51-100-20\\032x.example.net", true,
		    "ip-in-name:198-51-100-20" },
		{ "a mail word beside a whole address: an outbound name",
		    "198.51.100.20", "mail-198-51-100-20.example.net", false,
		    "" },
		{ "big sender's zero-padded outbound name", "198.51.2.95",
		    "mail-oln198051002095.outbound.protection.example.com",
		    false, "" },
		{ "a mail word and an access word: the access word wins",
		    "203.0.113.98", "mx-ll-203.0.113-98.dynamic.example.co.th",
		    true, "ip-in-name:203.0.113-98" },

		/* Traps: digits that are not the client's address. */
		{ "trap: another client's address", "198.51.100.21",
		    "198-51-100-20.example.net", false, "" },
		{ "trap: octets inside longer numbers", "198.51.100.20",
		    "1198-51-100-200.example.net", false, "" },
		{ "octets glued to a longer number: only the last three",
		    "198.51.100.20", "1198-51-100-20.example.net", true,
		    "ip-in-name:51-100-20" },
		{ "separators that change: the four octets, scattered",
		    "198.51.100.20", "198-51.100_20.example.net", true,
		    "ip-in-name:198-51.100_20" },
		{ "last three octets alone", "198.51.100.20",
		    "51-100-20.example.net", true, "ip-in-name:51-100-20" },
		{ "last two octets alone", "198.51.2.20",
		    "2-20.example.net", true, "ip-in-name:2-20" },
		{ "trap: two octets without a host-type word", "198.51.2.20",
		    "srv2-20.example.com", false, "" },
		{ "trap: two octets in a mail host's name", "198.51.2.20",
		    "mail2-20.example.com", false, "" },
		{ "trap: two octets reversed, no word", "123.58.178.17",
		    "m17-178.vip.example.com", false, "" },
		{ "trap: two octets concatenated", "220.181.15.114",
		    "m15114.mail.example.com", false, "" },
		{ "trap: a short concatenation", "5.9.1.2",
		    "www5912.example.jp", false, "" },
		{ "trap: address only in the registered domain",
		    "198.51.100.20", "mail.198-51-100-20.net", false, "" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

static void
test_ipv6_address_in_every_encoding(void **state)
{
	static const struct row rows[] = {
		{ "nibbles forward", "2001:db8:0:1:a:b:c:d",
		    "x20010db800000001000a000b000c000d.example.net", true,
		    "ip-in-name:20010db800000001000a000b000c000d" },
		{ "nibbles reversed and dotted", "2001:db8:0:1:a:b:c:d",
		    "d.0.0.0.c.0.0.0.b.0.0.0.a.0.0.0.1.0.0.0.0.0.0.0.8.b.d.0."
		    "1.0.0.2.v6.example.net", true,
		    "ip-in-name:d.0.0.0.c.0.0.0.b.0.0.0.a.0.0.0.1.0.0.0.0.0.0."
		    "0.8.b.d.0.1.0.0.2" },
		{ "all groups dashed", "2001:db8:0:1:a:b:c:d",
		    "2001-db8-0-1-a-b-c-d.example.net", true,
		    "ip-in-name:2001-db8-0-1-a-b-c-d" },
		{ "all groups dotted and zero-padded", "2001:db8:0:1:a:b:c:d",
		    "2001.0db8.0000.0001.000a.000b.000c.000d.example.net", true,
		    "ip-in-name:2001.0db8.0000.0001.000a.000b.000c.000d" },
		{ "compressed, dashed", "2001:db8::25",
		    "v6-2001-db8--25.example.net", true,
		    "ip-in-name:2001-db8--25" },
		{ "last four groups dashed", "2001:db8:0:1:a:b:c:d",
		    "pool-a-b-c-d.example.net", true, "ip-in-name:a-b-c-d" },
		{ "last four groups zero-padded", "2001:db8::cafe:0:1:a",
		    "cust-cafe-0000-0001-000a.example.net", true,
		    "ip-in-name:cafe-0000-0001-000a" },
		{ "interface ID as 16 hex digits", "2001:db8::a1b2:c3d4:e5f6:789",
		    "a1b2c3d4e5f60789.example.net", true,
		    "ip-in-name:a1b2c3d4e5f60789" },
		{ "base-36 integer", "2001:db8::1:a:b:c",
		    "node-1w7k3vh7gt7thowxdlbzf5wr0.ipv6.example.net", true,
		    "ip-in-name:1w7k3vh7gt7thowxdlbzf5wr0" },
		{ "eui-64 interface ID", "2001:db8::211:22ff:fe33:4455",
		    "cpe-021122fffe334455.example.net", true,
		    "eui64:021122fffe334455" },
		{ "eui-64 interface ID dashed", "2001:db8::211:22ff:fe33:4455",
		    "0211-22ff-fe33-4455.v6.example.net", true,
		    "eui64:0211-22ff-fe33-4455" },
		{ "eui-64 MAC address", "2001:db8::211:22ff:fe33:4455",
		    "s0106001122334455.example.net", true,
		    "eui64:001122334455" },
		{ "eui-64 MAC address in dotted quads",
		    "2001:db8::211:22ff:fe33:4455",
		    "host-0011.2233.4455.example.net", true,
		    "eui64:0011.2233.4455" },

		{ "trap: groups of another address", "2001:db8:0:1:a:b:c:e",
		    "a-b-c-d.example.net", false, "" },
		{ "trap: a low interface ID", "2001:db8::1",
		    "srv-0-0-0-1.example.net", false, "" },
		{ "trap: compressed form glued to more text", "2001:db8::25",
		    "v6-2001-db8--25a.example.net", false, "" },
		{ "trap: a mail host in v6", "2001:67c:2050:0:465::103",
		    "mout-p-103.example.org", false, "" },
		{ "trap: ff:fe without the client's MAC",
		    "2001:db8::211:22ff:fe33:4455",
		    "s0106001122334456.example.net", false, "" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

static void
test_host_type_words_by_place_and_company(void **state)
{
	static const struct row rows[] = {
		{ "access word beside digits", "198.51.100.20",
		    "dynamic-051.pool.example.net", true, "token:dynamic" },
		{ "access word split at a digit boundary", "198.51.100.20",
		    "dsl42.example.net", true, "token:dsl" },
		{ "access word between underscores", "198.51.100.20",
		    "x_ppp_9.example.net", true, "token:ppp" },
		{ "access word glued between digits", "198.51.100.20",
		    "tn-townecuda1cable7a-36.region.example.net", true,
		    "token:cable" },
		{ "access word upper case", "198.51.100.20",
		    "CPE-00A1B2.Example.NET", true, "token:cpe" },
		{ "access label under a numbered host", "198.51.100.20",
		    "abvb70.neoplus.adsl.example.pl", true, "token:adsl" },
		{ "access label under a short numbered host", "198.51.100.20",
		    "a1.cable.example.net", true, "token:cable" },
		{ "weak word beside many digits", "198.51.100.20",
		    "ip-10-1-2-3.example.net", true, "token:ip" },
		{ "weak word in a static pool", "198.51.100.20",
		    "static-1234.example.net", true, "token:static" },

		{ "trap: access word without digits anywhere", "198.51.100.20",
		    "static.example.com", false, "" },
		{ "trap: access label under a name without digits",
		    "198.51.100.20", "gw.dsl.example.net", false, "" },
		{ "trap: weak word beside few digits", "198.51.100.20",
		    "host2.example.com", false, "" },
		{ "trap: weak word as its own label", "198.51.100.20",
		    "web01.static.example.com", false, "" },
		{ "trap: a word that starts with a token", "198.51.100.20",
		    "dynamo-mail1.example.com", false, "" },
		{ "trap: business name holding dyn", "198.51.100.20",
		    "mx1.dynamics365-partner.com", false, "" },
		{ "trap: business name glued to dyn", "198.51.100.20",
		    "dynaco2.example.com", false, "" },
		{ "trap: business name holding static", "198.51.100.20",
		    "staticmedia3.example.com", false, "" },
		{ "trap: token only in the registered domain",
		    "198.51.100.20", "mx1.pool42.net", false, "" },
		{ "trap: three-label registered domain", "198.51.100.20",
		    "mail.dsl1.co.uk", false, "" },
		{ "trap: escaped name, no token rule", "198.51.100.20",
		    "dyn\\0321.example.net", false, "" },
		{ "trap: trailing backslash", "198.51.100.20",
		    "pool1.example\\", false, "" },

		/* Real mail servers in an ISP's domain. */
		{ "trap: ISP mail host under an access label", "198.51.100.20",
		    "mail1.cable.example.net", false, "" },
		{ "trap: ISP relay in its dynamic zone", "198.51.100.20",
		    "smtp-out3.dyn.example-isp.net", false, "" },
		{ "trap: ISP mx in its static zone", "198.51.100.20",
		    "mx02.static.example-isp.net", false, "" },
		{ "trap: ISP outbound beside a pool word", "198.51.100.20",
		    "outbound7-pool.example-isp.net", false, "" },
		{ "trap: ISP relay with the last octets", "198.51.100.20",
		    "relay-100-20.dsl.example-isp.net", false, "" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

static void
test_chosen_names_stay_specific(void **state)
{
	static const struct row rows[] = {
		/* Big senders: digits and address parts in outbound names. */
		{ "trap: ESP name with the last two octets", "198.2.136.12",
		    "mail136-12.atl41.example-esp.com", false, "" },
		{ "trap: SES-style name with the last two octets",
		    "54.240.48.37", "a48-37.smtp-out.example-ses.com", false,
		    "" },
		{ "trap: mta name with the last two octets", "192.174.71.214",
		    "mta-71-214.example-post.com", false, "" },
		{ "trap: numbered ESP host", "167.89.1.20",
		    "o1.ptr1234.example-grid.net", false, "" },
		{ "trap: ESP host numbered by the last octet", "87.253.233.128",
		    "o128.p8.example-jet.com", false, "" },
		{ "trap: webmail outbound", "209.85.208.43",
		    "mail-ed1-f43.example-mail.com", false, "" },
		{ "trap: hub outbound", "192.30.252.207",
		    "out-24.smtp.example-hub.com", false, "" },
		{ "trap: forwarder", "178.154.239.214",
		    "forward103c.mail.example.net", false, "" },
		{ "trap: delivery gateway", "205.139.110.120",
		    "us-smtp-delivery-120.example-cast.com", false, "" },
		{ "trap: sender with an op code", "136.143.188.12",
		    "sender4-op-o12.example.com", false, "" },

		/* Names chosen for mail hosts. */
		{ "mail host", "198.51.100.20", "mail.example.com", false, "" },
		{ "numbered mx", "198.51.100.20", "mx02.prod.example.com",
		    false, "" },
		{ "descriptive mx", "198.51.100.20",
		    "validation-mx02.prod.delgara.com", false, "" },
		{ "corporate gateway", "216.228.121.65",
		    "hqemgate16.example.com", false, "" },
		{ "shared hosting server", "49.212.243.89",
		    "www3579.example.ne.jp", false, "" },
		{ "single label", "198.51.100.20", "localhost", false, "" },
		{ "empty name", "198.51.100.20", "", false, "" },
		{ "only dots", "198.51.100.20", "...", false, "" },

		/* The allow list wins over every rule. */
		{ "allow list suffix", "198.51.100.20",
		    "198-51-100-20.allowed.example", false,
		    "allow:allowed.example" },
		{ "allow list whole name", "198.51.100.20", "allowed.example",
		    false, "allow:allowed.example" },
		{ "allow list ignores case", "198.51.100.20",
		    "POOL-198-51-100-20.Allowed.Example", false,
		    "allow:allowed.example" },
		{ "allow list with a trailing dot", "198.51.100.20",
		    "pool-198-51-100-20.allowed.example.", false,
		    "allow:allowed.example" },
		{ "allow list on a label boundary only", "198.51.100.20",
		    "198-51-100-20.notallowed.example", true,
		    "ip-in-name:198-51-100-20" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

static void
test_every_host_token_is_recognised(void **state)
{
	/* Access words count beside one digit; weak words beside four. */
	static const char *const access[] = {
		"dyn", "dynamic", "dhcp", "pool", "ppp", "pppoe", "dsl",
		"adsl", "vdsl", "cable", "dial", "dialup", "broadband",
		"client", "cust", "customer", "residential", "cpe", "wifi",
		"mobile", "ftth",
	};
	static const char *const weak[] = {
		"static", "ip", "host", "user", "res", "bb", "node",
	};
	struct addr client = parse_ok("198.51.100.20");
	char name[64], reason[GENERIC_REASON_MAX], want[64];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(access) + NROWS(weak); i++) {
		const char *t = i < NROWS(access) ? access[i] :
		    weak[i - NROWS(access)];

		snprintf(name, sizeof(name), "%s-%s.example.net", t,
		    i < NROWS(access) ? "7" : "10-1-2-3");
		snprintf(want, sizeof(want), "token:%s", t);
		EXPECT(t, generic_check(NULL, &client, name, NULL, reason,
		    sizeof(reason)));
		EXPECT(t, strcmp(reason, want) == 0);
		/* Glued to other letters it is another word. */
		snprintf(name, sizeof(name), "x%sx-10-1-2-3.example.net", t);
		EXPECT(t, !generic_check(NULL, &client, name, NULL, reason,
		    sizeof(reason)));
		/* A weak word beside one digit is a chosen name. */
		snprintf(name, sizeof(name), "%s-7.example.net", t);
		EXPECT(t, generic_check(NULL, &client, name, NULL, reason,
		    sizeof(reason)) == (i < NROWS(access)));
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
	assert_true(generic_check(NULL, &client, "198-51-100-20.example.net", NULL,
	    NULL, 0));
	for (size = 0; size <= sizeof(want); size++) {
		/* malloc(0) may be NULL; give size 0 one canary byte. */
		buf = malloc(size == 0 ? 1 : size);
		assert_non_null(buf);
		memset(buf, 'X', size == 0 ? 1 : size);
		assert_true(generic_check(NULL, &client, "198-51-100-20.example.net",
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
	assert_false(generic_check(NULL, &client, NULL, NULL, reason,
	    sizeof(reason)));
	assert_string_equal(reason, "");
	/* Without a client only the token rule can speak. */
	assert_true(generic_check(NULL, NULL, "dsl42.example.net", NULL, reason,
	    sizeof(reason)));
	assert_string_equal(reason, "token:dsl");
	assert_false(generic_check(NULL, NULL, "198-51-100-20.example.net", NULL,
	    reason, sizeof(reason)));
	assert_string_equal(reason, "");
	/* An empty allow list allows nothing. */
	{
		static const char *const empty[] = { NULL };

		assert_true(generic_check(NULL, &client, "dsl42.example.net", empty,
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
		assert_int_equal(generic_check(NULL, &client, name, NULL, reason,
		    sizeof(reason)), len == 254);
		assert_string_equal(reason, len == 254 ?
		    "ip-in-name:198-51-100-20" : "");
		free(name);
	}
}

/*
 * Only the labels left of the registered domain are judged, and the
 * Public Suffix List says where it starts: a short label under a ccTLD
 * is a registered domain ("xyz.ru"), not a second level like "co.uk".
 */
static void
test_registered_domain_comes_from_the_public_suffix_list(void **state)
{
	static const struct row rows[] = {
		{ "dashed address under a three-letter .ru domain",
		  "198.51.100.7", "198-51-100-7.xyz.ru", true,
		  "ip-in-name:198-51-100-7" },
		{ "word and address under a three-letter .de domain",
		  "198.51.100.7", "host-198-51-100-7.abc.de", true,
		  "ip-in-name:198-51-100-7" },
		{ "the same under a four-letter domain",
		  "198.51.100.7", "host-198-51-100-7.abcd.ru", true,
		  "ip-in-name:198-51-100-7" },
		{ "dashed address under a two-letter domain",
		  "198.51.100.7", "198-51-100-7.ab.fr", true,
		  "ip-in-name:198-51-100-7" },
		{ "address under a ccSLD", "198.51.100.7",
		  "198-51-100-7.dsl7.co.uk", true, "ip-in-name:198-51-100-7" },
		{ "access word under a ccSLD", "198.51.100.7",
		  "dsl-7.example.com.tr", true, "token:dsl" },
		{ "registered domain under co.uk is not judged",
		  "198.51.100.7", "dsl7.co.uk", false, "" },
		{ "registered domain under com.tr is not judged",
		  "198.51.100.7", "dsl7.com.tr", false, "" },
		{ "plain registered domain under co.uk", "198.51.100.7",
		  "example.co.uk", false, "" },
		{ "mail host under com.tr", "198.51.100.7",
		  "mx1.example.com.tr", false, "" },
		{ "mail host under co.uk with digits", "198.51.100.7",
		  "mail7.dsl7.co.uk", false, "" },
		{ "a public suffix itself", "198.51.100.7", "co.uk", false,
		  "" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

static int
load_suffix_list(void **state)
{
	(void)state;
	return regdom_init();
}

static int
free_suffix_list(void **state)
{
	(void)state;
	regdom_exit();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_address_in_every_encoding),
		cmocka_unit_test(test_ipv6_address_in_every_encoding),
		cmocka_unit_test(test_host_type_words_by_place_and_company),
		cmocka_unit_test(test_chosen_names_stay_specific),
		cmocka_unit_test(test_every_host_token_is_recognised),
		cmocka_unit_test(test_reason_is_cut_to_fit_any_buffer),
		cmocka_unit_test(test_null_name_client_or_allow_are_safe),
		cmocka_unit_test(
		    test_name_too_long_for_a_host_name_is_not_generic),
		cmocka_unit_test(
		    test_registered_domain_comes_from_the_public_suffix_list),
	};

	return cmocka_run_group_tests(tests, load_suffix_list,
	    free_suffix_list);
}
