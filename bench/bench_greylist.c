/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_greylist.c - greylisting checks against a real state store, one
 * thread: the time one check adds to a recipient of the band (p50, p99,
 * worst), and checks per second.
 *
 *   bench_greylist [-s STATE_SPEC] [-n TRIPLETS] [-r RATE] [-t MS]
 *
 * STATE_SPEC as state_store takes it (default "none", the memory engine;
 * "lmdb:/var/tmp/dir", "redis://127.0.0.1:6379/0").  Two rounds over
 * TRIPLETS distinct triplets from as many /24 networks: first attempts
 * (the batch of get, touch, add, which records the attempt), then early
 * retries (the same batch, finding the record).  RATE paces the checks
 * (per second, default 2000: a busy MX's greylisting band; 0: as fast as
 * one thread goes), so that LMDB's writer thread commits as it would in
 * service rather than in a burst no MX sends.  -t is state_timeout (default
 * 50 ms).  A check that failed open (the store down, or its write queue
 * full) is counted: the figure of a round with any is not a figure.
 * Prints a table and one JSON line per round; exits 1 when a check failed
 * open or did not defer.  A figure, not a test.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "greylist_store.h"
#include "monotime.h"
#include "policy.h"

struct round {
	const char *name;
	double per_s;
	int64_t p50_us, p99_us, worst_us;
	unsigned deferred, failopen;
};

static int
cmp_us(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Until check i is due at rate per second after t0 (0: at once). */
static void
pace(struct timespec t0, unsigned i, unsigned rate)
{
	struct timespec due;

	if (rate == 0)
		return;
	due = monotime_add_ms(t0, 0);
	due.tv_sec += (time_t)(i / rate);
	due.tv_nsec += (long)((uint64_t)(i % rate) * 1000000000u / rate);
	if (due.tv_nsec >= 1000000000L) {
		due.tv_nsec -= 1000000000L;
		due.tv_sec++;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) ==
	    EINTR)
		;
}

static void
run_round(struct state_store *st, const struct policy *p, unsigned n,
    unsigned rate, int64_t *us, struct round *r)
{
	struct timespec t0 = monotime_now(), t1, t2;
	struct greylist_outcome g;
	char rcpt[64];
	struct addr a;

	r->deferred = r->failopen = 0;
	for (unsigned i = 0; i < n; i++) {
		memset(&a, 0, sizeof(a));
		a.family = AF_INET;
		a.bytes[0] = 10;
		a.bytes[1] = (uint8_t)(i >> 8);
		a.bytes[2] = (uint8_t)i;
		a.bytes[3] = 7;
		(void)snprintf(rcpt, sizeof(rcpt), "<user%u@example.net>", i);
		pace(t0, i, rate);
		t1 = monotime_now();
		greylist_check(st, p, &a, "<sender@example.org>", rcpt,
		    (int64_t)time(NULL), &g);
		t2 = monotime_now();
		us[i] = monotime_diff_us(t1, t2);
		r->deferred += g.result == GREYLIST_DEFERRED;
		r->failopen += g.result == GREYLIST_FAILOPEN;
	}
	r->per_s = n / ((double)monotime_diff_us(t0, monotime_now()) / 1e6);
	qsort(us, n, sizeof(*us), cmp_us);
	r->p50_us = us[n / 2];
	r->p99_us = us[(size_t)n * 99 / 100];
	r->worst_us = us[n - 1];
}

static void
print_rounds(const struct round *rounds, size_t count, const char *spec,
    const char *kind, unsigned n, unsigned rate)
{
	size_t i;

	printf("%-6s %10s %7s %7s %7s %9s %9s  (%s, %u triplets, rate %u/s)\n",
	    "round", "checks/s", "p50 us", "p99 us", "worst", "deferred",
	    "failopen", spec, n, rate);
	for (i = 0; i < count; i++)
		printf("%-6s %10.0f %7lld %7lld %7lld %9u %9u\n",
		    rounds[i].name, rounds[i].per_s,
		    (long long)rounds[i].p50_us, (long long)rounds[i].p99_us,
		    (long long)rounds[i].worst_us, rounds[i].deferred,
		    rounds[i].failopen);
	for (i = 0; i < count; i++)
		printf("{\"greylist_engine\":\"%s\",\"round\":\"%s\","
		    "\"rate\":%u,\"checks_per_s\":%.0f,\"p50_us\":%lld,"
		    "\"p99_us\":%lld,\"worst_us\":%lld,\"failopen\":%u}\n",
		    kind, rounds[i].name, rate, rounds[i].per_s,
		    (long long)rounds[i].p50_us, (long long)rounds[i].p99_us,
		    (long long)rounds[i].worst_us, rounds[i].failopen);
}

static int
usage(void)
{
	fprintf(stderr, "usage: bench_greylist [-s STATE_SPEC] "
	    "[-n TRIPLETS (1..65536)] [-r RATE (0..1000000)] "
	    "[-t STATE_TIMEOUT_MS (1..10000)]\n");
	return 64;
}

int
main(int argc, char **argv)
{
	const char *spec_text = "none";
	unsigned n = 20000, rate = 2000, timeout_ms = 50;
	struct state_spec spec;
	struct state_store *st;
	struct policy *p = policy_defaults();
	struct round rounds[2] = { { .name = "first" }, { .name = "early" } };
	char err[256];
	int64_t *us;
	int c, ok;

	while ((c = getopt(argc, argv, "s:n:r:t:")) != -1) {
		if (c == 's')
			spec_text = optarg;
		else if (c == 'n' && atoi(optarg) > 0 && atoi(optarg) <= 65536)
			n = (unsigned)atoi(optarg);
		else if (c == 'r' && atoi(optarg) >= 0 &&
		    atoi(optarg) <= 1000000)
			rate = (unsigned)atoi(optarg);
		else if (c == 't' && atoi(optarg) > 0 && atoi(optarg) <= 10000)
			timeout_ms = (unsigned)atoi(optarg);
		else
			return usage();
	}
	if (p == NULL || state_spec_parse(spec_text, &spec, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "bench_greylist: %s\n", p == NULL ?
		    "out of memory" : err);
		return 64;
	}
	st = state_store_open(&spec, timeout_ms, NULL, NULL);
	us = calloc(n, sizeof(*us));
	if (st == NULL || us == NULL || !state_store_up(st)) {
		fprintf(stderr, "bench_greylist: %s is not usable\n",
		    spec_text);
		return 1;
	}
	run_round(st, p, n, rate, us, &rounds[0]);
	/* The early retries read what the first round wrote: with LMDB,
	 * its last writes may still be queued a moment. */
	usleep(100 * 1000);
	run_round(st, p, n, rate, us, &rounds[1]);
	print_rounds(rounds, 2, spec_text, state_store_kind(st), n, rate);
	state_store_close(st);
	free(us);
	policy_free(p);
	ok = rounds[0].deferred == n && rounds[1].deferred == n;
	return ok ? 0 : 1;
}
