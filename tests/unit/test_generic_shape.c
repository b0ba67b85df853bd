/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_generic_shape.c - unit tests for the shape rules of generic names
 * that carry no address (generic_shape.c) and for the four octets
 * scattered through a name (generic_ip.c), judged through
 * generic_check() with the built-in rules alone: each rule's positive
 * rows, the near misses that must stay specific, and big senders'
 * outbound names, which number their hosts too.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"
#include "generic_rows.h"

static void
test_hardware_ids_and_tunnel_endpoints(void **state)
{
	static const struct row rows[] = {
		{ "cable modem's MAC after a prefix", "203.0.113.40",
		  "s0106a0b1c2d3e4f5.cg.example-cable.net", true,
		  "structure:hex-id:0106a0b1c2d3e4f5" },
		{ "CPE serial, twelve hex digits", "203.0.113.40",
		  "x001cf0a1b2c3.example.net", true,
		  "structure:hex-id:001cf0a1b2c3" },
		{ "nine hex digits are too few", "203.0.113.40",
		  "ab1234567.example.net", false, "" },
		{ "one letter among the digits is a number", "203.0.113.40",
		  "a12345678901.example.net", false, "" },
		{ "IPv6 tunnel broker's endpoint", "2001:db8::2",
		  "user-1-pt.tunnel.tserv13.ash1.ipv6.example.net", true,
		  "structure:tunnel-broker:tunnel" },
		{ "numbered tunnel server alone", "2001:db8::2",
		  "c-12.tserv7.example.net", true,
		  "structure:tunnel-broker:tserv7" },
		{ "a word that starts like tunnel", "2001:db8::2",
		  "tunnelbear.example.net", false, "" },
		{ "tserv without its number", "2001:db8::2",
		  "tserv.example.net", false, "" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

static void
test_customer_line_and_circuit_numbers(void **state)
{
	static const struct row rows[] = {
		{ "customer number under a pool label", "198.51.100.7",
		  "pool.ab123456.example.net", true,
		  "structure:customer-number:123456" },
		{ "hash-like id beside an access word", "198.51.100.7",
		  "xdsl.flh1aab123.example.jp", true,
		  "structure:customer-number:flh1aab123" },
		{ "a place glued to an access word, a line number",
		  "198.51.100.7", "townadsl-217171.home.example.gr", true,
		  "structure:customer-number:217171" },
		{ "an access word glued in front is no word", "198.51.100.7",
		  "dslrouter-217171.home.example.gr", false, "" },
		{ "long number without any word", "198.51.100.7",
		  "qufo17281301.example.com", false, "" },
		{ "hash-like id without any word", "198.51.100.7",
		  "ms11p00im-qufo17281301.example.com", false, "" },
		{ "location and three circuit numbers", "198.51.100.7",
		  "lfbn-lyo-1-234-56.example.fr", true,
		  "structure:circuit-id:lfbn-lyo-1-234-56" },
		{ "location, port and a long line number", "198.51.100.7",
		  "wiley-170-10231.example.net", true,
		  "structure:circuit-id:wiley-170-10231" },
		{ "two short numbers", "198.51.100.7",
		  "web-2-12.example.net", false, "" },
		{ "long number under numbered labels", "198.51.100.7",
		  "bgp542174bgs.ewndsr01.nj.example.net", true,
		  "structure:deep-number:542174" },
		{ "long number under one label", "198.51.100.7",
		  "www35791.example.jp", false, "" },
		{ "long number under labels without digits", "198.51.100.7",
		  "www35791.web.hosting.example.jp", false, "" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

static void
test_last_octet_with_company(void **state)
{
	static const struct row rows[] = {
		{ "last octet beside node and zone numbers", "198.51.100.159",
		  "ca-town-cuda1-zone7-b-159.city.example.net", true,
		  "structure:last-octet:159" },
		{ "line number that ends in the last octet", "203.0.113.208",
		  "pcd431208.example.com", true,
		  "structure:last-octet:431208" },
		{ "last octet beside an access word", "198.51.100.77",
		  "cust.ab-77.example.net", true, "structure:last-octet:77" },
		{ "a small host index is not an octet", "198.51.100.4",
		  "web1-lb2-4.example.net", false, "" },
		{ "a padded number is a host index", "198.51.100.45",
		  "app1-db2-045.example.net", false, "" },
		{ "the octet beside one node number only", "198.51.100.180",
		  "li1264-180.example.com", false, "" },
		{ "a short number ending in the octet", "203.0.113.208",
		  "pc1208.example.com", false, "" },
		{ "octet in a longer number of the second label",
		  "203.0.113.208", "a1.x431208.example.com", false, "" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

static void
test_octets_scattered_through_the_name(void **state)
{
	static const struct row rows[] = {
		{ "last octet apart from the first three", "198.51.100.21",
		  "host21.198-51-100.example.net", true,
		  "ip-in-name:21.198-51-100" },
		{ "last octet first, then a word, then the rest",
		  "203.0.113.200", "200.red-203-0-113.dynamicip.example.net",
		  true, "ip-in-name:200.red-203-0-113" },
		{ "reversed with mixed separators", "198.51.100.175",
		  "175.100-51-198.adsl-dyn.example.be", true,
		  "ip-in-name:175.100-51-198" },
		{ "a byte between the octets is shown as '?'", "198.51.100.21",
		  "host21\x93" "198-51-100.example.net", true,
		  "ip-in-name:21?198-51-100" },
		{ "a byte in a circuit's place is shown as '?'", "198.51.100.7",
		  "lf\x01" "bn-lyo-1-234-56.example.fr", true,
		  "structure:circuit-id:lf?bn-lyo-1-234-56" },
		{ "the first three zero-padded in one number, the last apart",
		  "203.0.113.135", "c135.h203000113.example.net.tw", true,
		  "ip-in-name:135.h203000113" },
		{ "the last two zero-padded in one number", "198.51.100.84",
		  "j100084.upc-j.example.nl", true, "ip-in-name:100084" },
		{ "the last three zero-padded in one number", "198.51.100.84",
		  "x051100084.example.net", true, "ip-in-name:051100084" },
		{ "six digits that are not the padded octets", "198.51.100.84",
		  "j100085.example.nl", false, "" },
		{ "the last two beside a prefix, too big for a host index",
		  "198.51.72.140", "bab72-140.example.net", true,
		  "ip-in-name:72-140" },
		{ "the last two beside a prefix, a small host index",
		  "198.51.72.14", "bab72-14.example.net", false, "" },
		{ "three of the four octets", "198.51.100.7",
		  "n198-51.r7.example.net", false, "" },
		{ "small numbers are not enough", "192.0.2.1",
		  "a2-b1.c0.d192.example.net", false, "" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

/* Judged with the built-in rules alone: the provider data's sender
 * domains are not there to save them. */
static void
test_big_senders_outbound_names_stay_specific(void **state)
{
	static const struct row rows[] = {
		{ "Gmail", "209.85.208.43", "mail-ed1-f43.google.com", false,
		  "" },
		{ "Amazon SES", "54.240.48.37", "a48-37.smtp-out.amazonses.com",
		  false, "" },
		{ "Mailgun, partial address", "159.135.228.4",
		  "m228-4.mailgun.net", false, "" },
		{ "an ESP numbering by address, big last octet: only the "
		  "provider data's sender domains keep it specific",
		  "159.135.228.45", "m228-45.mailgun.net", true,
		  "ip-in-name:228-45" },
		{ "Mailgun, last octet", "209.61.151.224", "rs224.mailgun.us",
		  false, "" },
		{ "NetEase, reversed partial address", "123.58.178.17",
		  "m17-178.vip.126.com", false, "" },
		{ "Apple", "17.57.156.12", "ci74p00im-qukt09082702.me.com",
		  false, "" },
		{ "Yahoo", "66.163.186.149",
		  "sonic310-23.consmr.mail.ne1.yahoo.com", false, "" },
		{ "Proofpoint", "67.231.148.157", "mx0a-00082601.pphosted.com",
		  false, "" },
		{ "SendGrid", "149.72.123.24",
		  "xtrwkhkc.outbound-mail.sendgrid.net", false, "" },
		{ "GoDaddy, numbered like a circuit", "173.201.193.37",
		  "p3plwbeout17-05.prod.phx3.secureserver.net", false, "" },
		{ "GoDaddy, smtp inside a label", "173.201.192.159",
		  "p3plsmtpa12-04.prod.phx3.secureserver.net", false, "" },
		{ "Vade, mta inside a label", "104.99.80.13",
		  "omta013.useast.a.cloudfilter.net", false, "" },
		{ "Zoho", "136.143.188.11", "sender4-op-o11.zoho.com", false,
		  "" },
	};

	(void)state;
	run_rows(rows, NROWS(rows));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hardware_ids_and_tunnel_endpoints),
		cmocka_unit_test(test_customer_line_and_circuit_numbers),
		cmocka_unit_test(test_last_octet_with_company),
		cmocka_unit_test(test_octets_scattered_through_the_name),
		cmocka_unit_test(test_big_senders_outbound_names_stay_specific),
	};

	return cmocka_run_group_tests(tests, unit_regdom_setup,
	    unit_regdom_teardown);
}
