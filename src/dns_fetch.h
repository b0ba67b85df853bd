/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_fetch.h - a few DNS lookups sent at once and waited for under one
 * deadline, their answers copied out for the caller to read at leisure:
 * the blocking step under the SPF walk and the MX hosts of a domain.
 *
 * Threading contract: dns_fetch_run() runs on the caller's thread and
 * returns only once no callback of its queries runs or ever will (a
 * lookup_batch underneath, see lookup_batch.h); the answers are then the
 * caller's alone.  The rdata copies are whatever the DNS sent: hostile,
 * to be decoded with checked lengths.
 */
#ifndef PTRMILTER_DNS_FETCH_H
#define PTRMILTER_DNS_FETCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "resolver.h"

/* One lookup: the question in, the answer out. */
struct dns_fetch {
	const char *name;		/* in: presentation format */
	int rrtype;			/* in */
	/* out: DNS_TEMPFAIL when the query could not be started or the
	 * answer could not be copied, DNS_TIMEOUT when none came before
	 * the deadline. */
	enum dns_status status;
	int rcode;
	enum dnssec_state dnssec;
	bool answered;			/* the resolver's answer came */
	size_t count;			/* records; 0 unless DNS_OK */
	struct dns_rdata *rr;		/* copies, freed by dns_fetch_clear() */
};

/* Sends the n lookups of f, waits for them until the absolute
 * CLOCK_MONOTONIC deadline and fills in their answers.  The rdata of a
 * bogus answer is never copied: it is not data.  Returns 0, or -1 when
 * out of memory (every status is then DNS_TEMPFAIL). */
int dns_fetch_run(struct resolver *r, struct dns_fetch *f, size_t n,
    struct timespec deadline);

/* Frees the copies of n answers and zeroes the outputs. */
void dns_fetch_clear(struct dns_fetch *f, size_t n);

/* Adds every address of an A or AAAA answer to list as the network of
 * cidr4 or cidr6 bits around it; records of the wrong length are
 * skipped.  Returns 0, or -1 when out of memory. */
int dns_fetch_prefixes(const struct dns_fetch *f, unsigned cidr4,
    unsigned cidr6, struct cidr_list *list);

#endif
