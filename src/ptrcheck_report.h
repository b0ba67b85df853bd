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
 * the verdict; ptrcheck_listing.c what is listed without being judged
 * afresh: a source's heading, an address judged before, an IPv6 prefix.
 */
#ifndef PTRCHECK_REPORT_H
#define PTRCHECK_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "audit_target.h"
#include "fcrdns.h"
#include "generic_db.h"
#include "helo.h"
#include "policy.h"
#include "tags.h"
#include "verdict.h"

/* What --format asks for; --json is REPORT_JSON. */
enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_PROM };

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
	const char *source;			/* audit_source_format()'s
						   label; NULL: none */
};

void report_text(FILE *out, const struct report *r);
void report_json(FILE *out, const struct report *r);

/* "\nprefix 198.51.100.16/28 (16 addresses)\n": the heading of a group
 * in the text report. */
void report_heading(FILE *out, const struct audit_source *s);

/* A network listed but not enumerated (s->prefix): an IPv6 prefix, or an
 * IPv4 one wider than --max-addresses from a source that cannot be
 * refused up front (an SPF term); text lines, or a JSON object
 * {"source":...,"prefix":...,"note":...}. */
void report_note(FILE *out, const struct audit_source *s, bool json);

/* An address judged for an earlier source, listed under this one with
 * the first outcome: a text line, or a JSON object with the keys of the
 * outcome and "same_as", the first source. */
void report_duplicate(FILE *out, const struct audit_target *t,
    const struct audit_outcome *first, bool json);

/*
 * Shared by ptrcheck_report.c, ptrcheck_verdict.c and the audit summary.
 */

/* Room for a number of report_format_number(). */
#define REPORT_NUMBER_MAX 32

/* Up to three decimals, the trailing zeros dropped: "5.3", "0.25"; with
 * decimal, at least one ("5.0"), else none ("5"). */
void report_format_number(double d, bool decimal, char *buf, size_t size);

/* The advice printed for every generic or missing PTR. */
#define REPORT_HINT_RULE "the forward A/AAAA record must exist first and " \
	"point to this address; publish one PTR per address; use the same " \
	"name in HELO/EHLO"

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
