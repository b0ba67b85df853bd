/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_greylist.c - greylisting checks against a real state store, one
 * thread: checks per second and the time of one check (p50, p99, worst),
 * which is what greylisting adds to a recipient of the band.
 *
 *   bench_greylist [-s STATE_SPEC] [-n TRIPLETS]
 *
 * STATE_SPEC as state_store takes it (default "none", the memory engine;
 * "lmdb:/tmp/dir", "redis://127.0.0.1:6379/0").  Two rounds over TRIPLETS
 * distinct triplets from as many /24 networks: first attempts (an add
 * each, after a get), then early retries.  Prints a table and one JSON
 * line.  A figure, not a test.
 */
#include "config.h"

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
	unsigned deferred;
};

static int
cmp_us(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
run_round(struct state_store *st, const struct policy *p, unsigned n,
    int64_t *us, struct round *r)
{
	struct timespec t0 = monotime_now(), t1, t2;
	struct greylist_outcome g;
	char rcpt[64];
	struct addr a;

	r->deferred = 0;
	for (unsigned i = 0; i < n; i++) {
		memset(&a, 0, sizeof(a));
		a.family = AF_INET;
		a.bytes[0] = 10;
		a.bytes[1] = (uint8_t)(i >> 8);
		a.bytes[2] = (uint8_t)i;
		a.bytes[3] = 7;
		(void)snprintf(rcpt, sizeof(rcpt), "<user%u@example.net>", i);
		t1 = monotime_now();
		greylist_check(st, p, &a, "<sender@example.org>", rcpt,
		    (int64_t)time(NULL), &g);
		t2 = monotime_now();
		us[i] = monotime_diff_us(t1, t2);
		r->deferred += g.result == GREYLIST_DEFERRED;
	}
	r->per_s = n / ((double)monotime_diff_us(t0, monotime_now()) / 1e6);
	qsort(us, n, sizeof(*us), cmp_us);
	r->p50_us = us[n / 2];
	r->p99_us = us[(size_t)n * 99 / 100];
	r->worst_us = us[n - 1];
}

int
main(int argc, char **argv)
{
	const char *spec_text = "none";
	unsigned n = 20000;
	struct state_spec spec;
	struct state_store *st;
	struct policy *p = policy_defaults();
	struct round rounds[2] = { { .name = "first" }, { .name = "early" } };
	char err[256];
	int64_t *us;
	int c;

	while ((c = getopt(argc, argv, "s:n:")) != -1) {
		if (c == 's')
			spec_text = optarg;
		else if (c == 'n' && atoi(optarg) > 0 && atoi(optarg) <= 65536)
			n = (unsigned)atoi(optarg);
		else {
			fprintf(stderr, "usage: bench_greylist [-s STATE_SPEC] "
			    "[-n TRIPLETS (1..65536)]\n");
			return 64;
		}
	}
	if (p == NULL || state_spec_parse(spec_text, &spec, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "bench_greylist: %s\n", p == NULL ?
		    "out of memory" : err);
		return 64;
	}
	st = state_store_open(&spec, 50, NULL, NULL);
	us = calloc(n, sizeof(*us));
	if (st == NULL || us == NULL || !state_store_up(st)) {
		fprintf(stderr, "bench_greylist: %s is not usable\n",
		    spec_text);
		return 1;
	}
	for (size_t i = 0; i < 2; i++)
		run_round(st, p, n, us, &rounds[i]);
	printf("%-6s %12s %8s %8s %8s %9s  (%s, %u triplets)\n", "round",
	    "checks/s", "p50 us", "p99 us", "worst", "deferred", spec_text,
	    n);
	for (size_t i = 0; i < 2; i++)
		printf("%-6s %12.0f %8lld %8lld %8lld %9u\n", rounds[i].name,
		    rounds[i].per_s, (long long)rounds[i].p50_us,
		    (long long)rounds[i].p99_us,
		    (long long)rounds[i].worst_us, rounds[i].deferred);
	printf("{\"greylist_engine\":\"%s\",\"greylist_checks_per_s\":%.0f,"
	    "\"greylist_p99_us\":%lld}\n", state_store_kind(st),
	    rounds[0].per_s, (long long)rounds[0].p99_us);
	state_store_close(st);
	free(us);
	policy_free(p);
	return rounds[0].deferred == n && rounds[1].deferred == n ? 0 : 1;
}
