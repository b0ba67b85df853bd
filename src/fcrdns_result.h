/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fcrdns_result.h - what a forward-confirmed reverse DNS check found:
 * every lookup recorded, the iprev result (RFC 8601) and the rules that
 * derive it from the lookups.
 *
 * Vocabulary of the pure core: the HELO rules, the verdict and the
 * reports read a result; the lookups of fcrdns.h fill it in, and the
 * cache of recent clients keeps copies.  Pure: no lookup, no lock.
 */
#ifndef PTRMILTER_FCRDNS_RESULT_H
#define PTRMILTER_FCRDNS_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "addr.h"
#include "dns_status.h"
#include "tags.h"

/* Upper bound of max_ptr_names. */
#define FCRDNS_MAX_NAMES 32
#define FCRDNS_WHY_MAX 256

/* RFC 8601 iprev results. */
enum iprev {
	IPREV_PASS,		/* a PTR name forward-confirms */
	IPREV_FAIL,		/* PTR names exist, none confirms */
	IPREV_PERMERROR,	/* no PTR published */
	IPREV_TEMPERROR		/* SERVFAIL, timeout or bogus on the way */
};

/* One recorded lookup.  answered is set however the lookup ended (an
 * answer, a local failure, a timeout or a cancel); arrived only when the
 * DNS's own answer was recorded, which is the one case a result may be
 * reused on. */
struct fcrdns_lookup {
	bool started;			/* a query was sent */
	bool answered;			/* it has ended; status says how */
	bool arrived;			/* the status is the DNS's answer */
	struct timespec arrived_at;	/* CLOCK_MONOTONIC, when arrived */
	enum dns_status status;
	int rcode;
	enum dnssec_state dnssec;
	char *canon;			/* CNAME target shown, or NULL */
	char why[FCRDNS_WHY_MAX];	/* why bogus / resolver error */
	unsigned ms;			/* from sending to the answer */
	unsigned ttl;			/* the answer's reuse time, seconds */
};

/* One PTR name and its forward lookup. */
struct fcrdns_name {
	char *name;			/* presentation form, escaped */
	struct fcrdns_lookup forward;
	struct addr *addrs;		/* forward addresses */
	size_t naddrs;
	bool confirmed;			/* one of addrs is the client */
};

struct fcrdns_result {
	struct addr client;
	char reverse[ADDR_REVERSE_MAX];	/* the PTR query name */
	struct fcrdns_lookup ptr;
	size_t ptr_count;		/* PTR records published */
	size_t ptr_invalid;		/* PTR rdata that did not decode */
	struct fcrdns_name *names;	/* the names followed */
	size_t nnames;
	enum iprev iprev;
	enum dnssec_state dnssec;	/* secure: PTR and the confirming
					   forward answer both validated */
	int confirmed;			/* index into names, or -1 */
	tag_set tags;
	unsigned ms;			/* from start to the verdict */
	bool reusable;			/* every answer the verdict rests on
					   (the PTR answer and the forward
					   answer of every name followed)
					   arrived from the DNS and says
					   what the DNS holds: no failure,
					   timeout, cancel, unstarted lookup
					   or bogus answer among them */
	struct timespec expires;	/* when reusable: the earliest
					   arrival + TTL of those answers,
					   CLOCK_MONOTONIC */
	bool cached;			/* reused, not looked up */
};

/* Deep copy of a finished result.  Returns 0, or -1 when out of memory
 * (dst then owns nothing). */
int fcrdns_result_copy(struct fcrdns_result *dst,
    const struct fcrdns_result *src);

/* Frees what a result points to (not the result itself). */
void fcrdns_result_clear(struct fcrdns_result *res);

/* The verdict rules, applied to recorded lookups: sets iprev, dnssec,
 * confirmed and tags.  Exposed for the unit tests. */
void fcrdns_conclude(struct fcrdns_result *res);

/* "pass", "fail", "permerror", "temperror". */
const char *iprev_name(enum iprev r);

#endif
