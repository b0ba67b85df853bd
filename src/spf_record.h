/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_record.h - an SPF record (RFC 7208) picked from a TXT RRset and
 * parsed into its terms, as a receiver reads it, for the sender's audit.
 *
 * What the TXT data holds is the sending domain's (or an attacker's)
 * text: any byte, any length (a TXT RRset may carry 64 KB).  Nothing here
 * overflows on it, and every piece of it kept for display (a term as
 * written, a reason) is printable ASCII (safe_text(), class REASON or
 * REPLY) and bounded.  Nothing is ever guessed: a domain-spec with
 * macros is recognised and flagged, never expanded.
 *
 * Pure code: no I/O, no shared state; allocation only for the selected
 * text and the term array.  Safe from any thread on data it owns.
 */
#ifndef PTRMILTER_SPF_RECORD_H
#define PTRMILTER_SPF_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* A term as written, kept for display: cut at this many bytes. */
#define SPF_TERM_SHOWN 128
/* Room for a reason: a cause and a quoted term. */
#define SPF_REASON_MAX 256
/* A domain-spec without macros: a host name, no trailing dot. */
#define SPF_DOMAIN_MAX 254

/* One TXT record's rdata in wire format: character-strings, each a
 * length byte and that many bytes (RFC 1035 3.3.14). */
struct spf_txt {
	const uint8_t *data;
	size_t len;
};

/* What spf_record_select() found among the TXT records. */
enum spf_select {
	SPF_SELECT_NONE,	/* no record starts with "v=spf1" */
	SPF_SELECT_ONE,		/* exactly one: the text is returned */
	SPF_SELECT_TWO,		/* two or more: permerror (RFC 7208 4.5) */
	SPF_SELECT_NOMEM	/* out of memory */
};

/* The qualifier of a mechanism (RFC 7208 4.6.2). */
enum spf_qualifier {
	SPF_QUAL_PASS,		/* "+" or none */
	SPF_QUAL_FAIL,		/* "-" */
	SPF_QUAL_SOFTFAIL,	/* "~" */
	SPF_QUAL_NEUTRAL	/* "?" */
};

/* What a term is: a mechanism (RFC 7208 5) or a modifier (6). */
enum spf_kind {
	SPF_ALL,
	SPF_INCLUDE,
	SPF_A,
	SPF_MX,
	SPF_PTR,
	SPF_IP4,
	SPF_IP6,
	SPF_EXISTS,
	SPF_REDIRECT,		/* redirect= */
	SPF_EXP,		/* exp= */
	SPF_UNKNOWN_MODIFIER	/* name=value: ignored (RFC 7208 6) */
};

/* One term of the record. */
struct spf_term {
	enum spf_kind kind;
	enum spf_qualifier qualifier;	/* mechanisms only */
	/* The term as written, made printable (REASON class: one token)
	 * and cut at SPF_TERM_SHOWN bytes. */
	char text[SPF_TERM_SHOWN + 1];
	/* The domain-spec: "" when the term has none (a, mx and ptr then
	 * mean the current domain).  With has_macro, the domain-spec as
	 * written, printable and cut; it is not a name to look up. */
	char domain[SPF_DOMAIN_MAX];
	bool has_macro;
	/* ip4, ip6: the network, host bits cleared. */
	struct cidr net;
	/* a, mx: the dual-cidr-length, 32 and 128 when not written. */
	unsigned cidr4;
	unsigned cidr6;
};

/* A parsed record: its terms in the order written. */
struct spf_record {
	struct spf_term *terms;
	size_t count;
	bool has_all;		/* an "all" mechanism: redirect never applies */
	const struct spf_term *redirect;	/* NULL if none */
	const struct spf_term *exp;		/* NULL if none */
};

/* Among count TXT rdatas, finds the SPF records: those whose text (the
 * character-strings joined without spaces, RFC 7208 3.3) starts with
 * "v=spf1" in any case, followed by a space or the end.  With exactly
 * one, *text gets a malloc'd copy of it, NUL added, and *len its length
 * (the text may hold NUL bytes: the parser refuses them); the caller
 * frees it.  A character-string running past its rdata ends that
 * rdata's text where the data ends, as a lenient resolver would show
 * it. */
enum spf_select spf_record_select(const struct spf_txt *rr, size_t count,
    char **text, size_t *len);

/* Parses the len bytes of text, an SPF record starting with "v=spf1",
 * per the ABNF of RFC 7208 12.  Returns 0 with rec filled (free it with
 * spf_record_free()), or -1 with rec empty and a printable reason
 * naming the term at fault in reason (permerror), or "out of memory". */
int spf_record_parse(const char *text, size_t len, struct spf_record *rec,
    char *reason, size_t reasonsize);

/* Frees the terms and leaves an empty record; twice is safe. */
void spf_record_free(struct spf_record *rec);

/* The network of prefix bits around a, host bits cleared: what an ip4,
 * ip6, a or mx mechanism with that prefix length matches. */
void spf_network(const struct addr *a, unsigned prefix, struct cidr *out);

/* Does a term query the DNS when evaluated, counting towards the limit
 * of 10 (RFC 7208 4.6.4): include, a, mx, ptr, exists, redirect. */
bool spf_kind_queries_dns(enum spf_kind kind);

/* "all", "include", ... "redirect", "exp", "modifier". */
const char *spf_kind_name(enum spf_kind kind);

#endif
