/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptrcheck_report.h - how ptrcheck prints one verdict: as text laid out like
 * `dig -x IP` followed by `dig NAME A`, then the HELO, the tags with their
 * reasons and weights, the score and the action the daemon would take; or
 * as one JSON object per line with stable keys.  All DNS-derived text is
 * already escaped presentation form; text from the user (a HELO from a log
 * line) is made printable here.
 *
 * ptrcheck_report.c prints the lookups; ptrcheck_verdict.c the HELO and
 * the verdict.
 */
#ifndef PTRCHECK_REPORT_H
#define PTRCHECK_REPORT_H

#include <stdio.h>

#include "fcrdns.h"
#include "generic_db.h"
#include "helo.h"
#include "policy.h"
#include "tags.h"
#include "verdict.h"

/* Everything known about one address once it has been judged. */
struct report {
	const struct policy *policy;
	const struct fcrdns_result *fcrdns;	/* finished */
	const char *helo;			/* as given (untrusted); NULL:
						   none */
	const struct helo_parsed *parsed;	/* helo parsed; kind HELO_NONE
						   when helo is NULL */
	const struct helo_forward *forward;	/* NULL: not looked up */
	const struct findings *findings;	/* findings_collect() */
	const struct verdict *verdict;		/* verdict_decide() */
	const struct generic_db *db;		/* provider data; may be NULL */
	const char *exemption;			/* "ptr_domain:example.com"
						   when an allow-list made
						   the action accept; NULL */
};

void report_text(FILE *out, const struct report *r);
void report_json(FILE *out, const struct report *r);

/*
 * Shared by ptrcheck_report.c and ptrcheck_verdict.c.
 */

/* Writes s as safe_text()'s SAFE_TEXT_TERMINAL: every byte outside
 * printable ASCII, and the backslash, as \xHH, so user-supplied text
 * cannot forge lines or terminal codes. */
void report_printable(FILE *out, const char *s);

/* Writes s as a JSON string (SAFE_TEXT_JSON inside the quotes), escaping
 * what JSON needs and every byte outside printable ASCII. */
void report_json_string(FILE *out, const char *s);

/* The "helo:", "tags:", "score:" and (for a refusal) "reply:" lines. */
void report_verdict_text(FILE *out, const struct report *r);

/* The keys "tags", "score", "action", "enforced", "reasons", "reply"
 * (for a refusal), "helo" and "helo_lookup" (when given and looked up),
 * each preceded by a comma. */
void report_verdict_json(FILE *out, const struct report *r);

#endif
