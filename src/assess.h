/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * assess.h - the assessment of one client, the same for the daemon and
 * ptrcheck: wait for its lookups under one deadline, finish them, collect
 * the findings (findings.h) and decide the verdict (verdict.h).
 *
 * What only the daemon does around it - the caches, the DNS outage
 * breaker, tempfail_limit streaks, a refusal kept from an earlier HELO,
 * the decision log line - stays in session_assess.c; tempfail_limit
 * reaches the decision through the dns_grace hook.
 *
 * Threading: runs in the thread that owns the lookups (fcrdns.h,
 * helo_lookup.h) and blocks it until they are done or the deadline
 * passes; the hook is called in that thread too.
 */
#ifndef PTRMILTER_ASSESS_H
#define PTRMILTER_ASSESS_H

#include <stdbool.h>
#include <time.h>

#include "addr.h"
#include "fcrdns.h"
#include "generic_db.h"
#include "helo.h"
#include "helo_lookup.h"
#include "policy.h"
#include "tags.h"
#include "verdict.h"

struct assess_input {
	const struct policy *policy;
	const struct generic_db *generic;	/* provider data; may be NULL */
	struct fcrdns *fcrdns;			/* started; never NULL */
	struct helo_lookup *helo_lookup;	/* NULL: nothing looked up */
	struct timespec deadline;		/* CLOCK_MONOTONIC */
	const struct helo_parsed *helo_parsed;	/* kind HELO_NONE if none */
	const char *helo;		/* as announced (untrusted); NULL: none */
	const char *our_name;		/* the MTA's name; NULL: unknown */
	const struct addr *our_addr;	/* NULL: unknown */
	const char *mta_resolve;	/* {client_resolve}; NULL: unknown */
	const char *mta_ptr;		/* {client_ptr}; NULL: unknown */
	/* Whether tempfail_limit ran out for this client, asked once the
	 * FCrDNS result is known; NULL: it never does. */
	bool (*dns_grace)(void *arg, const struct fcrdns_result *res);
	void *dns_grace_arg;
};

/* Room for "ptr_domain:" and a domain. */
#define ASSESS_EXEMPTION_MAX 272

/* What an assessment yields.  Every pointer in it points into the input,
 * its lookups or *findings, and lives as long as they do. */
struct assessment {
	const struct fcrdns_result *fcrdns;	/* finished */
	const struct helo_forward *forward;	/* NULL: not looked up */
	struct verdict_input decided;	/* what the verdict was decided on:
					   the log line and the headers are
					   made from it */
	char exemption[ASSESS_EXEMPTION_MAX];	/* decided.exemption's
						   text, when set */
};

/* Waits until the lookups are done or in->deadline, finishes them (what
 * is still outstanding is a timeout), fills *findings (cleared first)
 * and *verdict, and describes them in *out.  A client whose
 * forward-confirmed PTR name (iprev=pass) is in exempt_ptr_domains gets
 * action accept, its exemption named in out->decided.exemption, which
 * points into *out: use *out where it was filled.  Never fails. */
void assess_run(const struct assess_input *in, struct findings *findings,
    struct verdict *verdict, struct assessment *out);

#endif
