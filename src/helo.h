/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helo.h - what the HELO/EHLO argument says about the client.
 *
 * Pure code: the caller does the DNS lookups (the HELO name's A and AAAA,
 * the client's FCrDNS) and hands in what came back; these functions only
 * read.  Safe from any thread.
 *
 * RFC 5321 section 4.1.4: a HELO that does not match the client must not
 * by itself be a reason to refuse mail.  The tags set here are findings;
 * their weights (policy) decide, and the default weights keep HELO-only
 * findings below tempfail_score.
 */
#ifndef PTRMILTER_HELO_H
#define PTRMILTER_HELO_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "dns_status.h"
#include "fcrdns_result.h"
#include "tags.h"

/* Longest HELO name judged as a hostname (RFC 1035: 253 characters
 * without the trailing dot). */
#define HELO_NAME_MAX 253

enum helo_kind {
	HELO_NONE,		/* the client sent no HELO/EHLO */
	HELO_INVALID,		/* empty, bad syntax, non-ASCII, too long */
	HELO_BARE_IP,		/* "198.51.100.20", "2001:db8::1" */
	HELO_LITERAL,		/* "[198.51.100.20]", "[IPv6:2001:db8::1]" */
	HELO_SINGLE_LABEL,	/* "localhost", "PC123" */
	HELO_HOSTNAME		/* "mail.example.com" */
};

struct helo_parsed {
	enum helo_kind kind;
	/* HELO_SINGLE_LABEL, HELO_HOSTNAME: lower case, no trailing dot. */
	char name[HELO_NAME_MAX + 1];
	/* HELO_BARE_IP, HELO_LITERAL: the address (IPv4-mapped folded). */
	struct addr literal;
};

/* Classifies len bytes of untrusted HELO text (need not be NUL-terminated;
 * NULL means no HELO was sent).  Host names are letters, digits, '-' and
 * '_' (tolerated, as Postfix does), labels of 1..63 characters not
 * starting or ending with '-', at most 253 characters plus one optional
 * trailing dot, and a last label that is not all digits.  Address
 * literals are RFC 5321's "[198.51.100.20]" and "[IPv6:2001:db8::1]" (the
 * tag in any case); "[2001:db8::1]" and "[IPv6:198.51.100.20]" are
 * invalid.  A NUL within len is a byte like any other, so invalid. */
void helo_parse(const char *helo, size_t len, struct helo_parsed *out);

/* True when the parsed HELO is a name worth looking up (A and AAAA):
 * HELO_HOSTNAME only.  A single label would go through the resolver's
 * search list, and its answer would say nothing about the client. */
bool helo_wants_lookup(const struct helo_parsed *h);

/* What the HELO name's forward lookups returned. */
struct helo_forward {
	enum dns_status a;		/* DNS_TIMEOUT if it never answered */
	enum dns_status aaaa;
	const struct addr *addrs;	/* A and AAAA data; never bogus data */
	size_t naddrs;
};

struct helo_context {
	const struct addr *client;		/* NULL: no address tests */
	const struct fcrdns_result *fcrdns;	/* NULL: not known */
	const struct helo_forward *forward;	/* NULL: not looked up */
	const char *our_name;		/* our own name ({j}); may be NULL */
	const struct addr *our_addr;	/* the MTA's address; may be NULL */
};

/* Adds the HELO tags that fire, with reasons, to f:
 *  helo_invalid, helo_not_fqdn,
 *  helo_bare_ip (an address without brackets, whoever it names; reason:
 *  the address in canonical form when it is not the client's, else empty),
 *  helo_literal_mismatch ("[ip]" or "[IPv6:ip]" of another host, never a
 *  bare address: one fact, one tag; reason: the address in canonical
 *  form),
 *  helo_ptr_mismatch / helo_ptr_same_domain (HELO_HOSTNAME only, and only
 *  when iprev passed: compared with the confirmed PTR names alone, an
 *  unconfirmed one proves nothing; the same-domain tag replaces the
 *  mismatch tag when the HELO and a confirmed PTR name share a registered
 *  domain, see regdom.h; a single label is left to helo_not_fqdn rather
 *  than counted twice),
 *  helo_no_forward (A and AAAA both NXDOMAIN or NODATA; reason "nxdomain"
 *  or "nodata"),
 *  helo_forward_mismatch (addresses came back, none is the client; a
 *  temporary failure or a bogus answer on either lookup without a match
 *  sets nothing; reason: the first address),
 *  helo_is_ours (reason "name" or "addr").
 * Reasons never hold raw HELO bytes.  Sets nothing for HELO_NONE.
 * regdom_init() must have run for the same-domain test to use the list. */
void helo_collect(const struct helo_parsed *h, const struct helo_context *ctx,
    struct findings *f);

#endif
