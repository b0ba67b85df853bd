/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mx_hosts.h - the MX hosts of a domain and their addresses: the MX
 * lookup, then A and AAAA of every host at once, under one deadline.
 * The SPF walk's "mx" mechanism stands on it, and so does the sender's
 * audit, which adds a domain's MX hosts (often its outbound relays too)
 * to the addresses it judges.
 *
 * Blocking, on the caller's thread (see dns_fetch.h).  Host names come
 * from the DNS: they are decoded with dname_mx_to_text(), so they are
 * printable presentation names, escapes and all.
 */
#ifndef PTRMILTER_MX_HOSTS_H
#define PTRMILTER_MX_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "addr.h"
#include "dname.h"
#include "resolver.h"

/* How the MX lookup ended. */
enum mx_status {
	MX_OK,		/* MX records, hosts resolved (some maybe to nothing) */
	MX_VOID,	/* NXDOMAIN, or no MX record: a void lookup */
	MX_NULL,	/* a null MX "0 ." (RFC 7505): no mail host at all */
	MX_TOO_MANY,	/* more names than max_names: hosts not resolved */
	MX_TEMPERROR,	/* SERVFAIL, timeout, bogus, a malformed record or
			   an address lookup that failed so */
};

/* One MX host. */
struct mx_host {
	char name[DNAME_TEXT_MAX];
	unsigned preference;
	/* Its addresses as networks: each address with the prefix length
	 * asked for (32 and 128 for the hosts themselves).  Empty when
	 * the host has no address: the caller says so. */
	struct cidr_list prefixes;
	/* How its A and AAAA lookups ended: which host failed, for a
	 * report that goes on without it. */
	enum dns_status a_status;
	enum dns_status aaaa_status;
	/* Worst DNSSEC state of its A and AAAA answers. */
	enum dnssec_state dnssec;
};

struct mx_hosts {
	enum mx_status status;
	enum dns_status mx_dns;		/* how the MX lookup itself ended */
	enum dnssec_state dnssec;	/* of the MX answer */
	char why[DNAME_TEXT_MAX + 32];	/* MX_TEMPERROR: which lookup, how */
	/* Hosts by preference then name; with MX_TOO_MANY, count holds
	 * how many names came and hosts is NULL. */
	struct mx_host *hosts;
	size_t count;
	unsigned queries;		/* DNS queries sent */
};

/* Looks up the MX of domain (a host name) and the A and AAAA of each of
 * at most max_names hosts, each address taken as a network of cidr4 or
 * cidr6 bits.  Returns 0 with out filled (free it with mx_hosts_free()),
 * or -1 when out of memory. */
int mx_hosts_lookup(struct resolver *r, const char *domain,
    size_t max_names, unsigned cidr4, unsigned cidr6,
    struct timespec deadline, struct mx_hosts *out);

void mx_hosts_free(struct mx_hosts *m);

#endif
