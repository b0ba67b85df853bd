/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_spf_unbound.c - the SPF walk over the real resolver and
 * libunbound, answering from local data: the TXT rdata of a record split
 * into strings and MX rdata come as libunbound hands them over (names
 * uncompressed), and the walk reads them.  Hermetic: no query leaves the
 * process.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "monotime.h"
#include "mx_hosts.h"
#include "spf_walk.h"

static char dir[] = "/tmp/test_spf_unbound.XXXXXX";
static char conf_path[256];
static struct resolver *resolver;

static int
setup(void **state)
{
	struct resolver_config cfg;
	char err[512];
	FILE *f;

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/unbound.conf", dir);
	f = fopen(conf_path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "server:\n"
	    "\tdo-ip6: no\n"
	    "\tlocal-zone: \".\" static\n"
	    "\tlocal-data: \". 300 IN NS ns.test.\"\n"
	    "\tlocal-data: 'example.test. 300 IN TXT \"v=spf1 mx\" "
	    "\" a:h.example.test/24 \" \"ip6:2001:db8::/32 -all\"'\n"
	    "\tlocal-data: 'example.test. 300 IN TXT \"other\"'\n"
	    "\tlocal-data: \"example.test. 300 IN MX 10 mx1.example.test.\"\n"
	    "\tlocal-data: \"example.test. 300 IN MX 5 mx0.example.test.\"\n"
	    "\tlocal-data: \"mx0.example.test. 300 IN A 192.0.2.10\"\n"
	    "\tlocal-data: \"mx1.example.test. 300 IN AAAA 2001:db8::1\"\n"
	    "\tlocal-data: \"h.example.test. 300 IN A 198.51.100.9\"\n");
	fclose(f);
	memset(&cfg, 0, sizeof(cfg));
	cfg.unbound_config = conf_path;
	resolver = resolver_create(&cfg, err, sizeof(err));
	if (resolver == NULL) {
		fprintf(stderr, "resolver_create: %s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (resolver != NULL)
		resolver_destroy(resolver);
	unlink(conf_path);
	rmdir(dir);
	return 0;
}

static const char *
first_prefix(const struct cidr_list *list)
{
	static char buf[CIDR_TEXT_MAX];

	assert_true(list->count > 0);
	assert_int_equal(cidr_format(&list->items[0], buf, sizeof(buf)), 0);
	return buf;
}

static void
test_walk_reads_libunbound_rdata(void **state)
{
	struct timespec deadline = monotime_add_ms(monotime_now(), 5000);
	struct spf_walk_result r;

	(void)state;
	assert_int_equal(spf_walk(resolver, "example.test", deadline, NULL,
	    &r), 0);
	if (r.result != SPF_RESULT_OK)
		fail_msg("%s: %s", spf_result_name(r.result), r.reason);
	assert_int_equal(r.dns_terms, 2);
	assert_int_equal(r.nsources, 4);
	assert_string_equal(r.sources[0].host, "mx0.example.test");
	assert_string_equal(first_prefix(&r.sources[0].prefixes),
	    "192.0.2.10/32");
	assert_string_equal(r.sources[1].host, "mx1.example.test");
	assert_string_equal(first_prefix(&r.sources[1].prefixes),
	    "2001:db8::1/128");
	assert_string_equal(r.sources[2].term, "a:h.example.test/24");
	assert_string_equal(first_prefix(&r.sources[2].prefixes),
	    "198.51.100.0/24");
	assert_string_equal(first_prefix(&r.sources[3].prefixes),
	    "2001:db8::/32");
	/* No trust anchor: nothing validates. */
	assert_int_equal(r.dnssec, SPF_DNSSEC_INSECURE);
	spf_walk_free(&r);
}

static void
test_mx_hosts_from_libunbound(void **state)
{
	struct timespec deadline = monotime_add_ms(monotime_now(), 5000);
	struct mx_hosts m;

	(void)state;
	assert_int_equal(mx_hosts_lookup(resolver, "example.test", 10, 32, 128,
	    deadline, &m), 0);
	assert_int_equal(m.status, MX_OK);
	assert_int_equal(m.count, 2);
	assert_int_equal(m.hosts[0].preference, 5);
	assert_string_equal(m.hosts[0].name, "mx0.example.test");
	assert_int_equal(m.hosts[1].preference, 10);
	assert_int_equal(m.queries, 5);
	mx_hosts_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_reads_libunbound_rdata),
		cmocka_unit_test(test_mx_hosts_from_libunbound),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
