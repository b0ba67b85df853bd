/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_verdicts.c - verdict latency and throughput of the FCrDNS engine
 * through the real libunbound, against the DNS world started by bench/run.
 *
 *   cold:  N distinct addresses never seen before, W at a time: verdicts/s
 *          (each one a PTR and an A lookup resolved and validated);
 *   warm:  the same addresses again, one at a time: latency percentiles of
 *          a verdict served from the cache; then W at a time: verdicts/s.
 *
 * Prints a table and one JSON line.  A figure, not a test: nothing here
 * asserts a time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fcrdns.h"
#include "monotime.h"
#include "policy.h"
#include "resolver.h"

struct slot {
	struct fcrdns *job;
	struct timespec start;
};

static void
address_of(unsigned i, struct addr *a)
{
	char text[32];

	/* 198.18.0.1 upward, as the world's benchmark zone numbers them */
	snprintf(text, sizeof(text), "198.18.%u.%u", (i + 1) / 256,
	    (i + 1) % 256);
	if (addr_parse(text, a) == -1)
		abort();
}

static int
compare_us(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static double
percentile(const int64_t *sorted, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return (double)sorted[i] / 1000.0;
}

/* Runs n verdicts, at most window at once; fills lat_us when given.
 * Returns the number that passed. */
static size_t
run_batch(struct resolver *r, const struct policy *p, unsigned n,
    unsigned window, int64_t *lat_us, double *seconds)
{
	struct slot *ring = calloc(window, sizeof(*ring));
	struct timespec t0 = monotime_now();
	size_t head = 0, count = 0, passed = 0;
	unsigned next = 0, done = 0;

	if (ring == NULL)
		abort();
	while (done < n) {
		while (count < window && next < n) {
			struct slot *s = &ring[(head + count) % window];
			struct addr a;

			address_of(next++, &a);
			s->start = monotime_now();
			s->job = fcrdns_start(r, &a, p->max_ptr_names);
			if (s->job == NULL)
				abort();
			count++;
		}
		struct slot *s = &ring[head];
		(void)fcrdns_wait(s->job, monotime_add_ms(s->start,
		    p->dns_timeout_ms));
		const struct fcrdns_result *res = fcrdns_finish(s->job);
		if (lat_us != NULL)
			lat_us[done] = monotime_diff_us(s->start,
			    monotime_now());
		passed += res->iprev == IPREV_PASS;
		fcrdns_free(s->job);
		head = (head + 1) % window;
		count--;
		done++;
	}
	*seconds = (double)monotime_diff_us(t0, monotime_now()) / 1e6;
	free(ring);
	return passed;
}

static void
report_config(void *arg, const char *message)
{
	(void)arg;
	fprintf(stderr, "%s\n", message);
}

int
main(int argc, char **argv)
{
	const char *conf = NULL;
	unsigned n = 10000, window = 256;
	struct resolver_config rc;
	char err[512];
	int c;

	while ((c = getopt(argc, argv, "c:n:w:")) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'n':
			n = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			window = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: bench_verdicts -c CONF "
			    "[-n COUNT] [-w WINDOW]\n");
			return 64;
		}
	}
	if (conf == NULL || n == 0 || window == 0) {
		fprintf(stderr, "usage: bench_verdicts -c CONF [-n COUNT] "
		    "[-w WINDOW]\n");
		return 64;
	}
	struct policy *p = policy_load(conf, false, report_config, NULL);
	if (p == NULL)
		return 78;
	policy_resolver_config(p, &rc);
	struct resolver *r = resolver_create(&rc, err, sizeof(err));
	if (r == NULL) {
		fprintf(stderr, "bench_verdicts: %s\n", err);
		return 78;
	}

	int64_t *lat = calloc(n, sizeof(*lat));
	double cold_s, warm_seq_s, warm_s;
	if (lat == NULL)
		abort();
	size_t cold_pass = run_batch(r, p, n, window, NULL, &cold_s);
	size_t warm_pass = run_batch(r, p, n, 1, lat, &warm_seq_s);
	size_t warm_par_pass = run_batch(r, p, n, window, NULL, &warm_s);
	qsort(lat, n, sizeof(*lat), compare_us);

	printf("verdicts            %u distinct addresses, window %u\n", n,
	    window);
	printf("cold  verdicts/s    %.0f   (%zu/%u pass, %.2f s)\n",
	    n / cold_s, cold_pass, n, cold_s);
	printf("warm  verdicts/s    %.0f   (%zu/%u pass, %.2f s, window "
	    "%u)\n", n / warm_s, warm_par_pass, n, warm_s, window);
	printf("warm  latency ms    p50 %.3f  p90 %.3f  p99 %.3f  max %.3f"
	    "   (%zu/%u pass, one at a time)\n", percentile(lat, n, 0.50),
	    percentile(lat, n, 0.90), percentile(lat, n, 0.99),
	    percentile(lat, n, 1.0), warm_pass, n);
	printf("{\"n\":%u,\"window\":%u,\"cold_per_s\":%.0f,"
	    "\"warm_per_s\":%.0f,\"warm_p50_ms\":%.3f,\"warm_p99_ms\":%.3f,"
	    "\"warm_max_ms\":%.3f,\"cold_pass\":%zu,\"warm_pass\":%zu}\n",
	    n, window, n / cold_s, n / warm_s, percentile(lat, n, 0.50),
	    percentile(lat, n, 0.99), percentile(lat, n, 1.0), cold_pass,
	    warm_pass);
	free(lat);
	resolver_destroy(r);
	policy_free(p);
	return cold_pass == n && warm_pass == n ? 0 : 1;
}
