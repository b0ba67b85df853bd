/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_resolver_health.c - unit tests for resolver_health.c: the start-up
 * verdict on the answer that primes the resolver, for each way a set-up
 * can be broken, and the priority each one is logged at.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <syslog.h>

#include <cmocka.h>

#include "resolver.h"

static char msg[512];

static struct dns_answer
answer(enum dns_status status, enum dnssec_state dnssec, int rcode)
{
	struct dns_answer a;

	memset(&a, 0, sizeof(a));
	a.status = status;
	a.dnssec = dnssec;
	a.rcode = rcode;
	return a;
}

static void
test_secure_root_is_quiet(void **state)
{
	struct dns_answer a = answer(DNS_OK, DNSSEC_SECURE, 0);

	(void)state;
	assert_int_equal(resolver_health(&a, true, msg, sizeof(msg)),
	    LOG_DEBUG);
	assert_non_null(strstr(msg, "DNSSEC secure"));
}

/* A stripped or mismatched chain: an error naming the likely causes,
 * with libunbound's reason made printable. */
static void
test_bogus_root_is_an_error(void **state)
{
	struct dns_answer a = answer(DNS_BOGUS, DNSSEC_BOGUS, 0);

	(void)state;
	a.why_bogus = "no signatures\nfrom 127.0.0.1";
	assert_int_equal(resolver_health(&a, true, msg, sizeof(msg)),
	    LOG_ERR);
	assert_non_null(strstr(msg, "validation fails at the root zone"));
	assert_non_null(strstr(msg, "trust_anchor_file"));
	assert_non_null(strstr(msg, "forwarders"));
	assert_null(strchr(msg, '\n'));
	assert_non_null(strstr(msg, "no signatures"));
}

static void
test_no_answer_is_a_warning(void **state)
{
	struct dns_answer servfail = answer(DNS_TEMPFAIL, DNSSEC_INSECURE, 2);
	struct dns_answer refused = answer(DNS_TEMPFAIL, DNSSEC_INSECURE, 5);
	struct dns_answer failed = answer(DNS_TEMPFAIL, DNSSEC_INSECURE, -1);

	(void)state;
	assert_int_equal(resolver_health(&servfail, true, msg, sizeof(msg)),
	    LOG_WARNING);
	assert_non_null(strstr(msg, "(SERVFAIL)"));
	assert_int_equal(resolver_health(&refused, false, msg, sizeof(msg)),
	    LOG_WARNING);
	assert_non_null(strstr(msg, "(REFUSED)"));
	failed.error = "could not send query";
	assert_int_equal(resolver_health(&failed, true, msg, sizeof(msg)),
	    LOG_WARNING);
	assert_non_null(strstr(msg, "(could not send query)"));
}

/* An anchor for some other zone validates nothing at the root. */
static void
test_insecure_root_with_anchor_is_a_warning(void **state)
{
	struct dns_answer a = answer(DNS_OK, DNSSEC_INSECURE, 0);

	(void)state;
	assert_int_equal(resolver_health(&a, true, msg, sizeof(msg)),
	    LOG_WARNING);
	assert_non_null(strstr(msg, "not DNSSEC-secure"));
	assert_int_equal(resolver_health(&a, false, msg, sizeof(msg)),
	    LOG_INFO);
	assert_non_null(strstr(msg, "validation is off"));
}

/* A small buffer cuts the message; it never overflows. */
static void
test_small_buffer(void **state)
{
	struct dns_answer a = answer(DNS_BOGUS, DNSSEC_BOGUS, 0);
	char small[16];

	(void)state;
	memset(small, 'x', sizeof(small));
	assert_int_equal(resolver_health(&a, true, small, sizeof(small)),
	    LOG_ERR);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secure_root_is_quiet),
		cmocka_unit_test(test_bogus_root_is_an_error),
		cmocka_unit_test(test_no_answer_is_a_warning),
		cmocka_unit_test(test_insecure_root_with_anchor_is_a_warning),
		cmocka_unit_test(test_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
