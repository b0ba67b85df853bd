/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit_prom.h - ptrcheck --format prom: the judged addresses as a
 * Prometheus textfile (text exposition format 0.0.4) for node_exporter's
 * textfile collector, so an alert can fire when a sending address loses
 * its PTR.
 *
 * Every family is written whole, HELP and TYPE first, so the outcomes are
 * kept until the end (struct audit_outcomes: one small record per judged
 * address, no DNS data).  Label values are made printable first (a source
 * may hold DNS-derived text) and then escaped as the format asks.
 * Single-threaded.
 */
#ifndef PTRMILTER_AUDIT_PROM_H
#define PTRMILTER_AUDIT_PROM_H

#include <stdio.h>

#include "audit_summary.h"
#include "audit_target.h"

/* The outcomes kept for the textfile, in input order. */
struct audit_outcomes {
	struct audit_outcome *items;
	size_t count;
	size_t capacity;
};

/* Writes src as a label value's inside into dst (size bytes with the
 * NUL): backslash as \\, double quote as \", newline as \n, as the
 * exposition format says.  Returns 0, or -1 if it does not fit (dst then
 * holds what fitted, whole escapes only). */
int audit_prom_escape(char *dst, size_t size, const char *src);

void audit_outcomes_init(struct audit_outcomes *list);

/* Appends o.  Returns 0, or -1 when memory ran out. */
int audit_outcomes_add(struct audit_outcomes *list,
    const struct audit_outcome *o);

void audit_outcomes_free(struct audit_outcomes *list);

/* The whole textfile: per address ptrcheck_iprev (one series per result,
 * 1 for the one found), ptrcheck_dnssec_secure, ptrcheck_score,
 * ptrcheck_generic, ptrcheck_action (one per action); then
 * ptrcheck_addresses, ptrcheck_addresses_iprev, ptrcheck_fixes and
 * ptrcheck_checks_timestamp_seconds (now, in seconds since the epoch). */
void audit_prom_write(FILE *out, const struct audit_outcomes *list,
    const struct audit_summary *s, double now);

#endif
