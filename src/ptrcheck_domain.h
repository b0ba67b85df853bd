/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptrcheck_domain.h - ptrcheck --domain: the sender's audit.  A domain's
 * sending addresses come from its SPF record (spf_walk.h) and its MX hosts
 * (mx_hosts.h), both looked up under one deadline before any address is
 * judged; the record's own verdict is reported first, since a receiver
 * fails a permerror before it ever looks at a PTR.  What this module
 * yields is a list of networks, each with its source (an SPF term and its
 * include/redirect path, or an MX host) and the HELO name it is judged
 * with; ptrcheck.c feeds them to its judging pipeline as it does a
 * prefix argument.
 *
 * The HELO of an address: --helo NAME when given; else the host name
 * behind it when the address is that host's own (an a or mx term without
 * a prefix length, an MX host): the name a relay presents in EHLO; else
 * none (an ip4/ip6 network names no host).
 *
 * Every string here is printable: DNS names come escaped from the
 * lookups, terms are made printable by the SPF parser.  Single-threaded:
 * the lookups block the caller, as ptrcheck runs.
 */
#ifndef PTRCHECK_DOMAIN_H
#define PTRCHECK_DOMAIN_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "audit_target.h"
#include "mx_hosts.h"
#include "resolver.h"
#include "spf_walk.h"

/* MX hosts the audit takes at most, as an mx term does (RFC 7208 4.6.4). */
#define DOMAIN_MX_NAMES_MAX 10

/* One network to judge, in report order: SPF sources, then MX hosts. */
struct domain_network {
	struct audit_source source;	/* SPF or MX; text is the label's */
	struct cidr net;
	const char *helo;		/* NULL: none */
	unsigned long judged;		/* how many of its addresses are
					   judged: the first ones, within
					   the audit's max_total */
};

struct domain_audit {
	char domain[SPF_DOMAIN_MAX];
	struct spf_walk_result spf;
	struct mx_hosts mx;
	bool mx_looked_up;		/* mx is filled */
	bool nxdomain;			/* the name does not exist */
	char **labels;			/* one per SPF source, then per MX
					   host, each allocated to fit */
	size_t nlabels;
	struct domain_network *networks;
	size_t nnetworks;
	unsigned long max_addresses;	/* of one IPv4 prefix */
	unsigned long max_total;	/* judged over all networks */
	unsigned long named;		/* addresses the enumerated networks
					   hold, duplicates included */
	unsigned long judged;		/* of them, the first max_total */
};

/* True if text may be given to --domain: a host name, one trailing dot
 * allowed. */
bool domain_name_ok(const char *text);

/* Walks the SPF record of domain and looks up its MX hosts, both under
 * deadline, and lists the networks to judge; helo is --helo (NULL: the
 * known host names).  Of the addresses the networks hold (an IPv4 one
 * within max_addresses, a /32, a /128), the first max_total in report
 * order are judged, the others not: a record may name hundreds of
 * thousands.  Returns 0, or -1 when memory ran out (out is still to be
 * freed). */
int domain_audit_collect(struct resolver *r, const char *domain,
    struct timespec deadline, const char *helo, unsigned long max_addresses,
    unsigned long max_total, struct domain_audit *out);

/* True when the networks hold more addresses than max_total. */
bool domain_audit_capped(const struct domain_audit *d);

void domain_audit_free(struct domain_audit *d);

/* The exit status the domain itself asks for, whatever its addresses
 * say: 68 (EX_NOHOST) when the name does not exist; with --fail-on other
 * than never, 1 for an SPF permerror, 2 for a temperror (of the SPF walk
 * or the MX lookup); else 65 (EX_DATAERR) when max_total left addresses
 * unjudged, whatever --fail-on says, as for malformed input lines: the
 * audit is incomplete, so it may not say "all good"; else 0. */
int domain_audit_status(const struct domain_audit *d, bool fail_never);

/* The SPF section of the text report: the record's verdict, DNSSEC,
 * counts, notes, each network with how many of its addresses are
 * checked, and the MX hosts. */
void domain_report_text(FILE *out, const struct domain_audit *d);

/* The same as one JSON object {"domain":{...}} on one line. */
void domain_report_json(FILE *out, const struct domain_audit *d);

/* The domain's series for the Prometheus textfile, each family whole:
 * ptrcheck_domain_exists, ptrcheck_domain_addresses_named,
 * ptrcheck_domain_addresses_judged, ptrcheck_spf_result (one per result),
 * ptrcheck_spf_dnssec_secure, ptrcheck_spf_dns_lookups,
 * ptrcheck_spf_void_lookups, ptrcheck_spf_dns_queries,
 * ptrcheck_spf_notes (per severity), ptrcheck_mx_hosts. */
void domain_report_prom(FILE *out, const struct domain_audit *d);

/* How many addresses of net are judged: 0 when it is not enumerated (an
 * IPv6 network, or an IPv4 one wider than max). */
unsigned long domain_network_checked(const struct cidr *net,
    unsigned long max);

#endif
