/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stress_release.c - verdicts abandoned at every moment of their life.
 *
 * Thousands of FCrDNS jobs against the DNS world, each given a deadline of
 * 0 to 3 ms so that fcrdns_finish() releases queries before they are sent,
 * while their answers are being delivered, and after: the race that
 * ub_cancel() loses when an answer is already on its way.  Run under ASan
 * (the CI's sanitizer build), a use-after-free or double free here is a
 * crash; every result must still be a consistent verdict.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fcrdns.h"
#include "monotime.h"
#include "policy.h"
#include "resolver.h"

#define WINDOW 8

static const char *const clients[] = {
	"198.51.100.20", "198.51.100.21", "198.51.100.22", "198.51.100.23",
	"198.51.100.24", "198.51.100.25", "198.51.100.30", "198.51.100.70",
	"198.51.100.90", "198.51.100.92", "203.0.113.10", "192.0.2.50",
	"2001:db8:1::25", "2001:db8:1::26",
};
#define NCLIENTS (sizeof(clients) / sizeof(clients[0]))

static void
report(void *arg, const char *message)
{
	(void)arg;
	fprintf(stderr, "%s\n", message);
}

/* A verdict must agree with what it recorded. */
static int
consistent(const struct fcrdns_result *r)
{
	if (r->iprev == IPREV_PASS)
		return r->confirmed >= 0 && (size_t)r->confirmed < r->nnames &&
		    r->names[r->confirmed].confirmed;
	if (r->confirmed != -1)
		return 0;
	if (r->iprev == IPREV_PERMERROR)
		return r->ptr.status == DNS_NXDOMAIN ||
		    r->ptr.status == DNS_NODATA;
	if (r->iprev == IPREV_FAIL)
		return r->ptr.status == DNS_OK;
	return r->iprev == IPREV_TEMPERROR;
}

int
main(int argc, char **argv)
{
	struct fcrdns *ring[WINDOW] = { 0 };
	struct timespec deadline[WINDOW];
	unsigned counts[4] = { 0 }, jobs = 20000, bad = 0;
	struct resolver_config rc;
	char err[256];

	if (argc < 2) {
		fprintf(stderr, "usage: stress_release CONF [JOBS]\n");
		return 64;
	}
	if (argc > 2)
		jobs = (unsigned)strtoul(argv[2], NULL, 10);
	struct policy *p = policy_load(argv[1], false, report, NULL);
	if (p == NULL)
		return 78;
	policy_resolver_config(p, &rc);
	struct resolver *r = resolver_create(&rc, err, sizeof(err));
	if (r == NULL) {
		fprintf(stderr, "stress_release: %s\n", err);
		return 78;
	}
	srandom(1);
	for (unsigned i = 0; i < jobs + WINDOW; i++) {
		unsigned slot = i % WINDOW;

		if (ring[slot] != NULL) {
			(void)fcrdns_wait(ring[slot], deadline[slot]);
			const struct fcrdns_result *res =
			    fcrdns_finish(ring[slot]);
			counts[res->iprev]++;
			if (!consistent(res))
				bad++;
			fcrdns_free(ring[slot]);
			ring[slot] = NULL;
		}
		if (i >= jobs)
			continue;
		/* Below the resolver's capacity, so that answers do arrive
		 * while their jobs are being abandoned: cancelled queries
		 * still cost libunbound's worker their lookup. */
		usleep(100);
		struct addr a;
		if (addr_parse(clients[random() % NCLIENTS], &a) == -1)
			abort();
		ring[slot] = fcrdns_start(r, &a, p->max_ptr_names);
		if (ring[slot] == NULL)
			abort();
		deadline[slot] = monotime_add_ms(monotime_now(),
		    (unsigned)(random() % 4));
		/* one in four is dropped at once, its PTR query in flight */
		if (random() % 4 == 0) {
			counts[fcrdns_finish(ring[slot])->iprev]++;
			fcrdns_free(ring[slot]);
			ring[slot] = NULL;
		}
	}
	resolver_destroy(r);
	policy_free(p);
	printf("%u jobs: pass %u, fail %u, permerror %u, temperror %u, "
	    "inconsistent %u\n", jobs, counts[IPREV_PASS], counts[IPREV_FAIL],
	    counts[IPREV_PERMERROR], counts[IPREV_TEMPERROR], bad);
	return bad == 0 && counts[IPREV_PASS] > 0 ? 0 : 1;
}
