/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_status.h - how one DNS lookup ended: its status, the rcodes that
 * matter to a verdict, and its DNSSEC state.
 *
 * Vocabulary of the pure core: the HELO, iprev and verdict rules read
 * these words, the resolver (resolver.h) and the lookups over it write
 * them.  Nothing here makes a lookup; the names are in dns_status.c.
 */
#ifndef PTRMILTER_DNS_STATUS_H
#define PTRMILTER_DNS_STATUS_H

/* DNS response codes that matter to the verdict. */
#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_REFUSED 5

/* What became of one lookup. */
enum dns_status {
	DNS_OK,		/* NOERROR with data */
	DNS_NXDOMAIN,	/* the name does not exist */
	DNS_NODATA,	/* the name exists, no record of this type */
	DNS_TEMPFAIL,	/* SERVFAIL, REFUSED, or a resolver failure */
	DNS_TIMEOUT,	/* no answer before the deadline */
	DNS_BOGUS	/* DNSSEC validation failed: the data is not usable */
};

/* DNSSEC state of one answer. */
enum dnssec_state {
	DNSSEC_INSECURE,	/* not signed, or no trust anchor covers it */
	DNSSEC_SECURE,		/* validated from a trust anchor */
	DNSSEC_BOGUS		/* signed, but validation failed */
};

/* Name of a status for logs and output: "NOERROR", "NXDOMAIN", "NODATA",
 * "SERVFAIL", "TIMEOUT", "BOGUS". */
const char *dns_status_name(enum dns_status s, int rcode);

/* "secure", "insecure" or "bogus". */
const char *dnssec_state_name(enum dnssec_state s);

#endif
