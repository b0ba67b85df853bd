/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * findings.h - every finding about one client, gathered in one place so
 * the daemon and ptrcheck find alike: the FCrDNS tags, the generic-name
 * detector on the PTR name and on the HELO name, and the HELO checks.
 *
 * Pure code, safe from any thread.
 */
#ifndef PTRMILTER_FINDINGS_H
#define PTRMILTER_FINDINGS_H

#include "fcrdns_result.h"
#include "generic_db.h"
#include "helo.h"
#include "policy.h"
#include "tags.h"

struct findings_input {
	const struct policy *policy;
	const struct generic_db *generic;	/* provider data; may be NULL */
	const struct fcrdns_result *fcrdns;	/* finished */
	const struct helo_parsed *helo;		/* kind HELO_NONE if none */
	const struct helo_forward *forward;	/* NULL: not looked up */
	const char *our_name;			/* the MTA's name; may be NULL */
	const struct addr *our_addr;		/* may be NULL */
};

/* Fills out (cleared first) with every tag that fired and its reason. */
void findings_collect(const struct findings_input *in, struct findings *out);

#endif
