/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_lookup_batch.c - the lookup batch over the scripted resolver: a
 * wait ends when the last query answers or at the deadline, a closed or
 * full batch sends nothing, closing releases every query, and what never
 * answered is a timeout only when a wait ran out.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fake_resolver.h"
#include "lookup_batch.h"
#include "metrics.h"
#include "monotime.h"

#define RESOLVER ((struct resolver *)1)
#define ANSWERED "answered.example.com"
#define SILENT "silent.example.com"
#define REFUSED "refused.example.com"

/* A callback's argument: the batch and how often it was answered. */
struct probe {
	struct lookup_batch *batch;
	unsigned answers;
};

static void
on_answer(void *arg, const struct dns_answer *a)
{
	struct probe *p = arg;

	(void)a;
	lookup_batch_lock(p->batch);
	p->answers++;
	lookup_batch_answered(p->batch);
	lookup_batch_unlock(p->batch);
}

static int
setup(void **state)
{
	static const struct fake_rule rules[] = {
		{ .name = ANSWERED, .rrtype = DNS_TYPE_A, .status = DNS_OK,
		    .data = { "192.0.2.1" }, .ttl = 60 },
		{ .name = ANSWERED, .rrtype = DNS_TYPE_AAAA,
		    .status = DNS_NODATA, .ttl = 60 },
		{ .name = SILENT, .rrtype = DNS_TYPE_A, .never = true },
		{ .name = REFUSED, .rrtype = DNS_TYPE_A, .refuse = true },
	};

	(void)state;
	fake_resolver_reset();
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		fake_resolver_add(&rules[i]);
	return 0;
}

static int
send_query(struct probe *p, const char *name, int rrtype)
{
	int rc;

	lookup_batch_lock(p->batch);
	rc = lookup_batch_send(p->batch, RESOLVER, name, rrtype, on_answer,
	    p);
	lookup_batch_unlock(p->batch);
	return rc;
}

static uint64_t
dns_count(enum metrics_dns d)
{
	struct metrics_values v;

	metrics_read(&v);
	return v.dns[d];
}

static void
test_wait_ends_when_the_last_query_answers(void **state)
{
	struct probe p = { lookup_batch_create(2), 0 };

	(void)state;
	assert_non_null(p.batch);
	assert_int_equal(send_query(&p, ANSWERED, DNS_TYPE_A), 0);
	assert_int_equal(send_query(&p, ANSWERED, DNS_TYPE_AAAA), 0);
	assert_false(lookup_batch_done(p.batch));
	assert_int_equal(fake_resolver_deliver(), 2);
	assert_true(lookup_batch_done(p.batch));
	assert_int_equal(lookup_batch_wait(p.batch, monotime_now()), 0);
	assert_int_equal(p.answers, 2);
	lookup_batch_free(p.batch);
	assert_int_equal(fake_resolver_live(), 0);
}

static void
test_unanswered_query_is_a_timeout_after_the_deadline(void **state)
{
	struct probe p = { lookup_batch_create(2), 0 };
	uint64_t timeouts = dns_count(METRICS_DNS_TIMEOUT);
	uint64_t cancels = dns_count(METRICS_DNS_CANCELLED);
	struct timespec start = monotime_now();

	(void)state;
	assert_int_equal(send_query(&p, ANSWERED, DNS_TYPE_A), 0);
	assert_int_equal(send_query(&p, SILENT, DNS_TYPE_A), 0);
	(void)fake_resolver_deliver();
	assert_int_equal(lookup_batch_wait(p.batch,
	    monotime_add_ms(start, 30)), -1);
	assert_true(monotime_diff_ms(start, monotime_now()) >= 30);
	lookup_batch_close(p.batch);
	assert_int_equal(fake_resolver_live(), 0);
	lookup_batch_count_unanswered(p.batch);
	assert_int_equal(dns_count(METRICS_DNS_TIMEOUT), timeouts + 1);
	assert_int_equal(dns_count(METRICS_DNS_CANCELLED), cancels);
	/* The last answer never came: the time runs to the close. */
	assert_true(lookup_batch_ms(p.batch) >= 30);
	lookup_batch_free(p.batch);
}

static void
test_unanswered_query_is_cancelled_without_a_wait(void **state)
{
	struct probe p = { lookup_batch_create(1), 0 };
	uint64_t timeouts = dns_count(METRICS_DNS_TIMEOUT);
	uint64_t cancels = dns_count(METRICS_DNS_CANCELLED);

	(void)state;
	assert_int_equal(send_query(&p, SILENT, DNS_TYPE_A), 0);
	lookup_batch_close(p.batch);
	assert_int_equal(fake_resolver_live(), 0);
	lookup_batch_count_unanswered(p.batch);
	assert_int_equal(dns_count(METRICS_DNS_TIMEOUT), timeouts);
	assert_int_equal(dns_count(METRICS_DNS_CANCELLED), cancels + 1);
	assert_int_equal(p.answers, 0);
	lookup_batch_free(p.batch);
}

static void
test_closed_batch_sends_nothing(void **state)
{
	struct probe p = { lookup_batch_create(2), 0 };

	(void)state;
	lookup_batch_close(p.batch);
	lookup_batch_lock(p.batch);
	assert_true(lookup_batch_closing(p.batch));
	lookup_batch_unlock(p.batch);
	assert_int_equal(send_query(&p, ANSWERED, DNS_TYPE_A), -1);
	assert_int_equal(fake_resolver_sent(ANSWERED), 0);
	assert_true(lookup_batch_done(p.batch));
	lookup_batch_free(p.batch);
}

static void
test_full_batch_sends_nothing(void **state)
{
	struct probe p = { lookup_batch_create(1), 0 };

	(void)state;
	assert_int_equal(send_query(&p, ANSWERED, DNS_TYPE_A), 0);
	assert_int_equal(send_query(&p, ANSWERED, DNS_TYPE_AAAA), -1);
	assert_int_equal(fake_resolver_sent(ANSWERED), 1);
	assert_int_equal(fake_resolver_deliver(), 1);
	assert_int_equal(lookup_batch_wait(p.batch, monotime_now()), 0);
	lookup_batch_free(p.batch);
	assert_int_equal(fake_resolver_live(), 0);
}

/* A query the resolver refuses is never waited for. */
static void
test_refused_query_is_not_outstanding(void **state)
{
	struct probe p = { lookup_batch_create(1), 0 };

	(void)state;
	assert_int_equal(send_query(&p, REFUSED, DNS_TYPE_A), -1);
	assert_true(lookup_batch_done(p.batch));
	assert_int_equal(lookup_batch_wait(p.batch, monotime_now()), 0);
	lookup_batch_free(p.batch);
}

static void
test_empty_batch_is_done_at_once(void **state)
{
	struct lookup_batch *b = lookup_batch_create(0);

	(void)state;
	assert_non_null(b);
	assert_true(lookup_batch_done(b));
	assert_int_equal(lookup_batch_wait(b, monotime_now()), 0);
	lookup_batch_close(b);
	lookup_batch_close(b);		/* a second close is harmless */
	lookup_batch_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, setup)
		T(test_wait_ends_when_the_last_query_answers),
		T(test_unanswered_query_is_a_timeout_after_the_deadline),
		T(test_unanswered_query_is_cancelled_without_a_wait),
		T(test_closed_batch_sends_nothing),
		T(test_full_batch_sends_nothing),
		T(test_refused_query_is_not_outstanding),
		T(test_empty_batch_is_done_at_once),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
