/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit_target.h - what ptrcheck is asked to judge: addresses, each with
 * the source it came from (an argument, a line of standard input, a
 * network prefix; and for an audit of a domain an SPF mechanism or an MX
 * host), the prefixes that expand into addresses, and the set of
 * addresses already judged, so that an address listed by two sources is
 * looked up once and listed under each.
 *
 * A source is a small value, copied into every target it yields: it owns
 * nothing.  The text of an SPF or MX source points into the caller's
 * data, which must outlive the run.
 *
 * Single-threaded, as ptrcheck runs; no I/O.
 */
#ifndef PTRMILTER_AUDIT_TARGET_H
#define PTRMILTER_AUDIT_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "dns_status.h"
#include "fcrdns_result.h"
#include "tags.h"
#include "verdict.h"

/* The default and the bounds of --max-addresses: the most addresses one
 * IPv4 prefix may expand to (256: a /24; 65536: a /16). */
#define AUDIT_MAX_ADDRESSES_DEFAULT 256UL
#define AUDIT_MAX_ADDRESSES_LIMIT 65536UL

/* The default and the bounds of --max-total: the most addresses one
 * --domain audit judges over all its networks.  4096 is sixteen /24s at
 * the default --max-addresses, more than the enumerable networks of a
 * large sender's record, some 8,000 queries (1.9 an address, bench/) and
 * seconds of work; a hostile record of thousands of ip4:x/24 terms would
 * otherwise have it judge ~870,000 addresses. */
#define AUDIT_MAX_TOTAL_DEFAULT 4096UL
#define AUDIT_MAX_TOTAL_LIMIT 1048576UL

/* Longest source label written by audit_source_format(): an SPF term as
 * written and its include path are cut to fit. */
#define AUDIT_SOURCE_TEXT_MAX 256

/* Addresses the set of judged addresses holds at most; an address past it
 * is judged again when it comes again. */
#define AUDIT_SEEN_MAX 65536UL

enum audit_source_kind {
	AUDIT_SOURCE_ARGUMENT,		/* "argument" */
	AUDIT_SOURCE_STDIN,		/* "stdin line 7" */
	AUDIT_SOURCE_PREFIX,		/* "prefix 198.51.100.0/28" */
	AUDIT_SOURCE_SPF,		/* "spf ip4:198.51.100.0/28 via
					   include:_spf.example.com" */
	AUDIT_SOURCE_MX			/* "mx mx1.example.com" */
};

/* Where a target came from. */
struct audit_source {
	enum audit_source_kind kind;
	unsigned long line;		/* STDIN, or a PREFIX read from
					   stdin: its line; 0: none */
	struct cidr prefix;		/* PREFIX */
	const char *text;		/* SPF: the term and its path; MX:
					   the host name; the caller's,
					   untrusted, shown escaped */
	unsigned long count;		/* addresses the source yields */
};

/* One address to judge. */
struct audit_target {
	struct addr addr;
	const char *helo;		/* NULL: none */
	struct audit_source source;
	unsigned long position;		/* from 1, in input order */
};

/* What a prefix argument is. */
enum audit_prefix_status {
	AUDIT_PREFIX_OK,		/* an IPv4 prefix to expand, or a
					   /32 or /128 */
	AUDIT_PREFIX_INVALID,		/* not ADDRESS/LENGTH */
	AUDIT_PREFIX_HOST_BITS,		/* bits set below the length */
	AUDIT_PREFIX_TOO_WIDE,		/* more addresses than allowed */
	AUDIT_PREFIX_IPV6		/* an IPv6 network: not enumerable */
};

/* The judgement of one address, as the summary, the fixes and a
 * duplicate's listing need it: no DNS data. */
struct audit_outcome {
	struct addr addr;
	struct audit_source source;	/* where it was first listed */
	enum iprev iprev;
	enum dnssec_state dnssec;
	tag_set tags;
	double score;
	enum verdict_action action;
	bool enforced;
};

/* Addresses judged so far, by address, with their outcome. */
struct audit_seen {
	struct audit_seen_entry *slots;
	size_t capacity;		/* a power of two, or 0 */
	size_t count;
};

/* True if text holds a '/': a prefix rather than an address. */
bool audit_is_prefix(const char *text);

/* Parses "198.51.100.0/28" into out.  An IPv4 prefix may hold at most
 * max addresses.  A prefix with host bits set is refused, as Postfix's
 * cidr_table refuses it, and *suggest (may be NULL) is the network it
 * probably meant.  Returns the status; out is set for OK and IPV6. */
enum audit_prefix_status audit_prefix_parse(const char *text,
    unsigned long max, struct cidr *out, struct cidr *suggest);

/* What a status other than OK says, for an error or a malformed line. */
const char *audit_prefix_error(enum audit_prefix_status status);

/* How many addresses an IPv4 prefix holds; 1 for a /128. */
unsigned long audit_prefix_size(const struct cidr *c);

/* The i-th address (from 0) of an IPv4 prefix, i < audit_prefix_size(). */
void audit_prefix_address(const struct cidr *c, unsigned long i,
    struct addr *out);

/* Writes the label of s ("prefix 198.51.100.0/28", see the kinds),
 * printable, cut to fit size.  Returns buf. */
const char *audit_source_format(const struct audit_source *s, char *buf,
    size_t size);

/* True if a and b are the same source. */
bool audit_source_same(const struct audit_source *a,
    const struct audit_source *b);

/* True for a source that gets a heading in the text report: one that
 * names many addresses or says why an address is on the list. */
bool audit_source_grouped(const struct audit_source *s);

/* An empty set; it allocates nothing. */
void audit_seen_init(struct audit_seen *s);

/* The outcome kept for a, or NULL. */
struct audit_outcome *audit_seen_find(const struct audit_seen *s,
    const struct addr *a);

/* Claims a for the target that will judge it, before its lookups start,
 * so that a second listing waits for the first one's outcome.  Returns 1:
 * claimed, judge it and fill audit_seen_find()'s outcome when done; 0:
 * claimed before, list it as a duplicate; -1: the set is full or memory
 * ran out, judge it without keeping it. */
int audit_seen_claim(struct audit_seen *s, const struct addr *a);

void audit_seen_free(struct audit_seen *s);

#endif
