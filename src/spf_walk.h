/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_walk.h - every sending address a domain's SPF record names, found
 * as a receiver would evaluate the record for a client that matches
 * nothing: all mechanisms in order, include: and redirect= followed, the
 * limits of RFC 7208 4.6.4 enforced.  The sender's audit (ptrcheck
 * --domain) judges the addresses it yields.
 *
 * The walk, for one domain:
 * - Fetches its TXT RRset and picks the SPF record (spf_record.h): none
 *   is result "none"; two, or a syntax error, is "permerror".
 * - ip4 and ip6 yield their networks; a yields the A and AAAA of its
 *   host, mx the A and AAAA of each MX host (both with the term's
 *   dual-cidr-length); include walks the named domain, whose record must
 *   exist (RFC 7208 5.2); redirect walks its domain only when the record
 *   has no "all" (6.1); ptr, exists and any macro cannot be expanded
 *   without a client and a message: a note says so, per term.
 * - include, a, mx, ptr, exists and redirect count as DNS-querying
 *   terms: more than limits.dns_terms (10) is permerror.  A void lookup
 *   (NXDOMAIN, or no record: for "a", neither A nor AAAA) counts: more
 *   than limits.void_lookups (2) is permerror.  An mx of more than
 *   limits.mx_names (10) names is permerror.  A domain already on the
 *   include/redirect path is a loop: permerror.
 * - A lookup that fails (SERVFAIL, timeout, not started) or is bogus is
 *   temperror: a validating receiver sees SERVFAIL for bogus data, and
 *   the data is never used.
 * The first permerror or temperror ends the walk; what was found before
 * it stays in the result.  Every query runs under the one deadline, and
 * at most limits.queries of them (256: more than a walk within the RFC
 * limits ever needs: 11 TXT, 10 MX, 10 x 10 x 2 address lookups).
 *
 * Threading: spf_walk() blocks its caller's thread; it may run on many
 * threads at once over one resolver (dns_fetch.h).  Every string in the
 * result is printable ASCII and NUL-terminated: terms are cut and made
 * printable (spf_record.h), host names decoded from the wire with
 * escapes (dname.h).
 */
#ifndef PTRMILTER_SPF_WALK_H
#define PTRMILTER_SPF_WALK_H

#include <stddef.h>
#include <time.h>

#include "addr.h"
#include "dname.h"
#include "resolver.h"
#include "spf_record.h"

/* Room for an include/redirect path: eleven terms and separators. */
#define SPF_PATH_MAX 1600
/* Room for a note or a reason: a path, a term and what of it. */
#define SPF_NOTE_MAX 2048

/* The walk's verdict on the record as a whole. */
enum spf_result {
	SPF_RESULT_NONE,	/* the domain publishes no SPF record */
	SPF_RESULT_OK,		/* walked in full within the limits */
	SPF_RESULT_PERMERROR,	/* a receiver fails the record itself */
	SPF_RESULT_TEMPERROR	/* a lookup failed: try again later */
};

/* DNSSEC state of a fetched SPF record. */
enum spf_dnssec {
	SPF_DNSSEC_INDETERMINATE,	/* the lookup failed: no answer
					   came to say */
	SPF_DNSSEC_SECURE,
	SPF_DNSSEC_INSECURE,
	SPF_DNSSEC_BOGUS
};

struct spf_limits {
	unsigned dns_terms;	/* RFC 7208 4.6.4: 10 */
	unsigned void_lookups;	/* 2 */
	unsigned mx_names;	/* 10 */
	unsigned queries;	/* our own bound on DNS queries: 256 */
};

/* The limits of RFC 7208 and our query bound. */
extern const struct spf_limits spf_limits_rfc7208;

/* One term that yields addresses. */
struct spf_source {
	enum spf_kind kind;		/* SPF_IP4, SPF_IP6, SPF_A or SPF_MX */
	char term[SPF_TERM_SHOWN + 1];	/* as written, printable, cut */
	/* The include:/redirect= terms that led to it, outermost first,
	 * joined by " > "; "" in the domain's own record. */
	char path[SPF_PATH_MAX];
	/* a: the host looked up; mx: one MX host (one source per host);
	 * "" for ip4 and ip6. */
	char host[DNAME_TEXT_MAX];
	/* The networks it yields: ip4/ip6 one, a/mx one per address with
	 * the term's prefix length (32 and 128 unless written). */
	struct cidr_list prefixes;
};

enum spf_severity {
	SPF_NOTE_INFO,		/* e.g. an unsigned record, redirect ignored */
	SPF_NOTE_WARNING,	/* a term not expanded, a void lookup */
	SPF_NOTE_ERROR		/* the cause of a permerror or temperror */
};

struct spf_note {
	enum spf_severity severity;
	char text[SPF_NOTE_MAX];	/* "[path > ]term: what" */
};

/* Each SPF record fetched, the domain's own first. */
struct spf_fetched {
	char domain[SPF_DOMAIN_MAX];
	char path[SPF_PATH_MAX];	/* as for a source */
	enum spf_dnssec dnssec;
};

struct spf_walk_result {
	enum spf_result result;
	char reason[SPF_NOTE_MAX];	/* why permerror/temperror, or "" */
	enum spf_dnssec dnssec;		/* of the domain's own TXT answer */
	unsigned dns_terms;		/* DNS-querying terms evaluated */
	unsigned void_lookups;
	unsigned queries;		/* DNS queries sent in all */
	struct spf_source *sources;
	size_t nsources;
	struct spf_note *notes;
	size_t nnotes;
	struct spf_fetched *records;
	size_t nrecords;
};

/* Walks the SPF record of domain (a host name, one trailing dot
 * allowed) under the absolute CLOCK_MONOTONIC deadline and limits (NULL:
 * spf_limits_rfc7208).  Returns 0 with out filled; or -1 with out's
 * result temperror and its reason set when domain is not a host name or
 * memory ran out.  Free out with spf_walk_free() in either case. */
int spf_walk(struct resolver *r, const char *domain,
    struct timespec deadline, const struct spf_limits *limits,
    struct spf_walk_result *out);

void spf_walk_free(struct spf_walk_result *out);

/* "none", "ok", "permerror", "temperror". */
const char *spf_result_name(enum spf_result r);
/* "indeterminate", "secure", "insecure", "bogus". */
const char *spf_dnssec_name(enum spf_dnssec d);
/* "info", "warning", "error". */
const char *spf_severity_name(enum spf_severity s);

#endif
