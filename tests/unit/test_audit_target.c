/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_audit_target.c - ptrcheck's targets: what a prefix argument is
 * (expanded, refused for its host bits or its width, an IPv6 network),
 * the addresses it expands to, the labels of sources (hostile text
 * escaped), and the set that judges an address once.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "audit_target.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct prefix_row {
	const char *text;
	unsigned long max;
	enum audit_prefix_status want;
	const char *want_net;		/* OK and IPV6: the network;
					   HOST_BITS: the suggestion */
};

static void
test_prefix_statuses_follow_postfix_cidr_rules(void **state)
{
	static const struct prefix_row rows[] = {
		{ "198.51.100.16/28", 256, AUDIT_PREFIX_OK, "198.51.100.16/28" },
		{ "198.51.100.0/24", 256, AUDIT_PREFIX_OK, "198.51.100.0/24" },
		{ "198.51.100.20/32", 1, AUDIT_PREFIX_OK, "198.51.100.20/32" },
		{ "198.51.100.0/23", 256, AUDIT_PREFIX_TOO_WIDE, NULL },
		{ "198.51.100.0/29", 7, AUDIT_PREFIX_TOO_WIDE, NULL },
		{ "0.0.0.0/0", 65536, AUDIT_PREFIX_TOO_WIDE, NULL },
		{ "198.51.100.5/28", 256, AUDIT_PREFIX_HOST_BITS,
		    "198.51.100.0/28" },
		{ "198.51.100.255/24", 256, AUDIT_PREFIX_HOST_BITS,
		    "198.51.100.0/24" },
		{ "2001:db8::1/64", 256, AUDIT_PREFIX_HOST_BITS,
		    "2001:db8::/64" },
		{ "2001:db8::/48", 256, AUDIT_PREFIX_IPV6, "2001:db8::/48" },
		{ "2001:db8::25/128", 256, AUDIT_PREFIX_OK,
		    "2001:db8::25/128" },
		{ "::ffff:198.51.100.16/124", 256, AUDIT_PREFIX_OK,
		    "198.51.100.16/28" },
		{ "198.51.100.0/33", 256, AUDIT_PREFIX_INVALID, NULL },
		{ "198.51.100.0/", 256, AUDIT_PREFIX_INVALID, NULL },
		{ "198.51.100.0/08", 256, AUDIT_PREFIX_INVALID, NULL },
		{ "198.51.100/24", 256, AUDIT_PREFIX_INVALID, NULL },
		{ "/24", 256, AUDIT_PREFIX_INVALID, NULL },
		{ "198.51.100.5/99999999999999999999", 256,
		    AUDIT_PREFIX_INVALID, NULL },
	};
	char text[CIDR_TEXT_MAX];

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++) {
		struct cidr c, suggest;
		enum audit_prefix_status st;

		memset(&c, 0, sizeof(c));
		memset(&suggest, 0, sizeof(suggest));
		st = audit_prefix_parse(rows[i].text, rows[i].max, &c,
		    &suggest);
		if (st != rows[i].want)
			fail_msg("%s: status %d, want %d", rows[i].text, st,
			    rows[i].want);
		if (rows[i].want_net == NULL)
			continue;
		assert_int_equal(cidr_format(st == AUDIT_PREFIX_HOST_BITS ?
		    &suggest : &c, text, sizeof(text)), 0);
		assert_string_equal(text, rows[i].want_net);
	}
}

static void
test_prefix_errors_say_what_is_wrong(void **state)
{
	(void)state;
	assert_string_equal(audit_prefix_error(AUDIT_PREFIX_HOST_BITS),
	    "host bits set below the prefix length");
	assert_string_equal(audit_prefix_error(AUDIT_PREFIX_TOO_WIDE),
	    "prefix holds more addresses than --max-addresses");
	assert_non_null(strstr(audit_prefix_error(AUDIT_PREFIX_IPV6),
	    "IPv6"));
}

static void
test_prefix_expands_to_every_address_in_order(void **state)
{
	struct cidr c;
	struct addr a;
	char text[ADDR_TEXT_MAX];

	(void)state;
	assert_int_equal(audit_prefix_parse("198.51.100.254/31", 256, &c,
	    NULL), AUDIT_PREFIX_OK);
	assert_int_equal(audit_prefix_size(&c), 2);
	audit_prefix_address(&c, 1, &a);
	assert_int_equal(addr_format(&a, text, sizeof(text)), 0);
	assert_string_equal(text, "198.51.100.255");
	/* A carry crosses octets. */
	assert_int_equal(audit_prefix_parse("192.0.3.0/23", 512, &c, NULL),
	    AUDIT_PREFIX_HOST_BITS);
	assert_int_equal(audit_prefix_parse("198.18.0.0/23", 512, &c, NULL),
	    AUDIT_PREFIX_OK);
	assert_int_equal(audit_prefix_size(&c), 512);
	audit_prefix_address(&c, 256, &a);
	assert_int_equal(addr_format(&a, text, sizeof(text)), 0);
	assert_string_equal(text, "198.18.1.0");
	audit_prefix_address(&c, 511, &a);
	assert_int_equal(addr_format(&a, text, sizeof(text)), 0);
	assert_string_equal(text, "198.18.1.255");
	assert_int_equal(audit_prefix_parse("2001:db8::25/128", 1, &c, NULL),
	    AUDIT_PREFIX_OK);
	assert_int_equal(audit_prefix_size(&c), 1);
}

static void
test_source_labels_name_where_an_address_came_from(void **state)
{
	struct audit_source s;
	char buf[AUDIT_SOURCE_TEXT_MAX], small[16];

	(void)state;
	memset(&s, 0, sizeof(s));
	s.kind = AUDIT_SOURCE_ARGUMENT;
	assert_string_equal(audit_source_format(&s, buf, sizeof(buf)),
	    "argument");
	s.kind = AUDIT_SOURCE_STDIN;
	s.line = 7;
	assert_string_equal(audit_source_format(&s, buf, sizeof(buf)),
	    "stdin line 7");
	s.kind = AUDIT_SOURCE_PREFIX;
	assert_int_equal(cidr_parse("198.51.100.16/28", &s.prefix), 0);
	assert_string_equal(audit_source_format(&s, buf, sizeof(buf)),
	    "prefix 198.51.100.16/28 (stdin line 7)");
	s.line = 0;
	assert_string_equal(audit_source_format(&s, buf, sizeof(buf)),
	    "prefix 198.51.100.16/28");
	s.kind = AUDIT_SOURCE_SPF;
	s.text = "ip4:198.51.100.0/28 via include:_spf.example.com";
	assert_string_equal(audit_source_format(&s, buf, sizeof(buf)),
	    "spf ip4:198.51.100.0/28 via include:_spf.example.com");
	/* DNS-derived text reaches a terminal and a label: escaped. */
	s.kind = AUDIT_SOURCE_MX;
	s.text = "mx\n1\"\\\033.example.com";
	assert_string_equal(audit_source_format(&s, buf, sizeof(buf)),
	    "mx mx\\x0a1\"\\x5c\\x1b.example.com");
	/* Cut to fit, an escape whole or not at all. */
	assert_string_equal(audit_source_format(&s, small, sizeof(small)),
	    "mx mx\\x0a1\"\\x5c");
}

static void
test_sources_compare_and_group(void **state)
{
	struct audit_source a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.kind = b.kind = AUDIT_SOURCE_PREFIX;
	assert_int_equal(cidr_parse("198.51.100.16/28", &a.prefix), 0);
	assert_int_equal(cidr_parse("198.51.100.32/28", &b.prefix), 0);
	assert_false(audit_source_same(&a, &b));
	b.prefix = a.prefix;
	assert_true(audit_source_same(&a, &b));
	b.line = 3;
	assert_false(audit_source_same(&a, &b));
	assert_true(audit_source_grouped(&a));
	a.kind = AUDIT_SOURCE_STDIN;
	assert_false(audit_source_grouped(&a));
	a.kind = AUDIT_SOURCE_MX;
	assert_true(audit_source_grouped(&a));
}

static void
test_an_address_is_judged_once(void **state)
{
	struct audit_seen seen;
	struct addr a, b;
	struct audit_outcome *o;

	(void)state;
	audit_seen_init(&seen);
	assert_int_equal(addr_parse("198.51.100.20", &a), 0);
	assert_null(audit_seen_find(&seen, &a));
	assert_int_equal(addr_parse("::ffff:198.51.100.20", &b), 0);
	assert_int_equal(audit_seen_claim(&seen, &a), 1);
	/* The mapped form is the same IPv4 client. */
	assert_int_equal(audit_seen_claim(&seen, &b), 0);
	o = audit_seen_find(&seen, &a);
	assert_non_null(o);
	o->iprev = IPREV_PASS;
	assert_int_equal(addr_parse("2001:db8::14", &b), 0);
	assert_null(audit_seen_find(&seen, &b));
	assert_int_equal(audit_seen_claim(&seen, &b), 1);
	assert_int_equal(audit_seen_find(&seen, &a)->iprev, IPREV_PASS);
	audit_seen_free(&seen);
	audit_seen_free(&seen);
}

/* Growth keeps every outcome; past AUDIT_SEEN_MAX an address is judged
 * again rather than the set growing without bound. */
static void
test_the_set_grows_then_stops_at_its_bound(void **state)
{
	struct audit_seen seen;
	struct addr a;

	(void)state;
	audit_seen_init(&seen);
	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.bytes[0] = 10;
	for (unsigned long i = 0; i < AUDIT_SEEN_MAX; i++) {
		a.bytes[1] = (uint8_t)(i >> 16);
		a.bytes[2] = (uint8_t)(i >> 8);
		a.bytes[3] = (uint8_t)i;
		if (audit_seen_claim(&seen, &a) != 1)
			fail_msg("claim %lu failed", i);
		audit_seen_find(&seen, &a)->score = (double)i;
	}
	a.bytes[1] = 0xff;
	assert_int_equal(audit_seen_claim(&seen, &a), -1);
	a.bytes[1] = 0;
	a.bytes[2] = 0x12;
	a.bytes[3] = 0x34;
	assert_int_equal(audit_seen_claim(&seen, &a), 0);
	assert_true(audit_seen_find(&seen, &a)->score == (double)0x1234);
	audit_seen_free(&seen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_prefix_statuses_follow_postfix_cidr_rules),
		cmocka_unit_test(test_prefix_errors_say_what_is_wrong),
		cmocka_unit_test(
		    test_prefix_expands_to_every_address_in_order),
		cmocka_unit_test(
		    test_source_labels_name_where_an_address_came_from),
		cmocka_unit_test(test_sources_compare_and_group),
		cmocka_unit_test(test_an_address_is_judged_once),
		cmocka_unit_test(test_the_set_grows_then_stops_at_its_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
