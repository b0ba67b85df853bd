/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit_summary.h - the end of a ptrcheck report over many addresses:
 * how many were checked, their iprev results, generic names, what the
 * policy in force would do with them, and the fixes to make, worst
 * first, each with its provider's hint.
 *
 * Bounded whatever the input: counters, and at most AUDIT_FIXES_MAX
 * fixes (the worst; the rest are counted as "and N more").  Nothing here
 * keeps DNS data.  Single-threaded.
 */
#ifndef PTRMILTER_AUDIT_SUMMARY_H
#define PTRMILTER_AUDIT_SUMMARY_H

#include <stdio.h>

#include "audit_target.h"
#include "provider_hint.h"

/* Fixes listed at most; the report counts the others. */
#define AUDIT_FIXES_MAX 100

/* What an address needs fixed, worst first: a receiver refuses for the
 * first ones before it looks at the later ones. */
enum audit_problem {
	AUDIT_PROBLEM_NO_PTR,
	AUDIT_PROBLEM_NOT_CONFIRMED,
	AUDIT_PROBLEM_DNSSEC_BOGUS,
	AUDIT_PROBLEM_DNS_TEMPERROR,
	AUDIT_PROBLEM_PTR_GENERIC,
	AUDIT_PROBLEM_HELO_MISMATCH,
	AUDIT_PROBLEM_HELO_NAME,
	AUDIT_PROBLEM_NONE
};

struct audit_fix {
	struct audit_outcome outcome;
	enum audit_problem problem;
	char provider[TAG_REASON_MAX];	/* "Name (id)"; "": unknown */
	const char *hint;		/* the provider data's; NULL */
};

struct audit_summary {
	unsigned long checked;		/* addresses judged */
	unsigned long listed;		/* listings, duplicates included */
	unsigned long iprev[IPREV_TEMPERROR + 1];
	unsigned long generic;		/* ptr_generic */
	unsigned long action[VERDICT_REJECT + 1];
	unsigned long not_enforced;	/* refusals under mode=dry-run */
	unsigned long not_enumerated;	/* networks noted, not checked:
					   IPv6, or too wide */
	unsigned long not_judged;	/* addresses of a domain's networks
					   past --max-total */
	unsigned long malformed;	/* input lines */
	struct audit_fix fixes[AUDIT_FIXES_MAX];	/* worst first, then
							   in input order */
	size_t nfixes;
	unsigned long fixes_more;	/* past AUDIT_FIXES_MAX */
};

/* The worst problem of an address with these tags. */
enum audit_problem audit_problem_of(tag_set tags);

/* "no PTR", "PTR not forward-confirmed", ...; "" for NONE. */
const char *audit_problem_text(enum audit_problem p);

/* Its stable name for JSON: "no_ptr", "ptr_not_confirmed", ... */
const char *audit_problem_name(enum audit_problem p);

void audit_summary_init(struct audit_summary *s);

/* Counts a judged address and keeps its fix if it needs one and ranks
 * among the AUDIT_FIXES_MAX worst.  h is its provider hint (may be
 * NULL). */
void audit_summary_add(struct audit_summary *s, const struct audit_outcome *o,
    const struct provider_hint *h);

/* The text summary and the fixes, after the last address. */
void audit_summary_text(FILE *out, const struct audit_summary *s);

/* {"summary":{...}} on one line. */
void audit_summary_json(FILE *out, const struct audit_summary *s);

#endif
