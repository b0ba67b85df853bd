/*
 * ptrcheck_report.h - how ptrcheck prints one verdict: as text laid out like
 * `dig -x IP` followed by `dig NAME A`, or as one JSON object per line with
 * stable keys.  All DNS-derived text is already escaped presentation form;
 * text from the user (a HELO from a log line) is made printable here.
 */
#ifndef PTRCHECK_REPORT_H
#define PTRCHECK_REPORT_H

#include <stdio.h>

#include "fcrdns.h"

/* helo may be NULL. */
void report_text(FILE *out, const struct fcrdns_result *res,
    const char *helo);
void report_json(FILE *out, const struct fcrdns_result *res,
    const char *helo);

#endif
