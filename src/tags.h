/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tags.h - the stable vocabulary of findings.
 *
 * A check that fires adds a tag; tags appear in headers, log lines,
 * ptrcheck output and config keys (score.<tag>), always in lower case, and
 * keep their names across releases.  The order here is the order in which
 * tags are printed.
 */
#ifndef PTRMILTER_TAGS_H
#define PTRMILTER_TAGS_H

#include <stdint.h>

enum tag {
	TAG_NO_PTR,
	TAG_PTR_NOT_CONFIRMED,
	TAG_PTR_FORWARD_NXDOMAIN,
	TAG_DNS_TEMPERROR,
	TAG_DNSSEC_BOGUS,
	TAG_PTR_MULTIPLE,
	TAG_PTR_GENERIC,
	TAG_HELO_GENERIC,
	TAG_HELO_INVALID,
	TAG_HELO_NOT_FQDN,
	TAG_HELO_BARE_IP,
	TAG_HELO_LITERAL_MISMATCH,
	TAG_HELO_PTR_MISMATCH,
	TAG_HELO_PTR_SAME_DOMAIN,
	TAG_HELO_NO_FORWARD,
	TAG_HELO_FORWARD_MISMATCH,
	TAG_HELO_IS_OURS,
	TAG_DNSSEC_SECURE,
	TAG_COUNT
};

/* A set of tags, one bit each. */
typedef uint32_t tag_set;

#define TAG_BIT(t) ((tag_set)1 << (t))

/* The tag's stable name ("no_ptr"), or NULL if t is out of range. */
const char *tag_name(enum tag t);

/* Looks a name up.  Returns 0 and sets *out, or -1 if unknown. */
int tag_lookup(const char *name, enum tag *out);


/* Longest reason kept for one tag, NUL included. */
#define TAG_REASON_MAX 96

/* The tags that fired for one client, each with a short reason that says
 * why ("ip-in-name:198-51-100-20"), or "" when the tag says it all.
 * Reasons are printable ASCII without spaces, brackets or parentheses,
 * so they go into a header or a log line as they are. */
struct findings {
	tag_set tags;
	char reason[TAG_COUNT][TAG_REASON_MAX];
};

/* Adds tag t with reason (NULL or "" for none).  The reason is copied
 * through safe_text() as SAFE_TEXT_REASON: bytes outside printable ASCII,
 * space and ( ) [ ] ; \ " become '?', and it is cut to fit.  Adding a tag
 * again replaces its reason. */
void findings_add(struct findings *f, enum tag t, const char *reason);

#endif
