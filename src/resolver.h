/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver.h - asynchronous, DNSSEC-validating DNS lookups.
 *
 * One resolver per process, shared by every thread: its cache is the shared
 * cache.  resolver.c and resolver_query.c are the only files that know
 * libunbound; the unit tests link a scripted fake in their place, so
 * everything said here is the contract both keep.
 *
 * Threading contract:
 * - resolver_query() may be called from any thread, including from inside a
 *   callback.
 * - Callbacks run on the resolver's own thread, one at a time.  A callback
 *   must not block and must not release its own query.
 * - A query has two owners, the caller and the pending callback, and is
 *   freed by whichever lets go last.  The caller lets go with
 *   resolver_release(); once that returns, the callback is not running and
 *   never will, so the caller may free whatever the callback touches.
 * - Should libunbound's context break, the resolver builds a new one with
 *   the same settings; the queries the old one still owed are called back
 *   with DNS_TEMPFAIL, so the contract holds across the rebuild.
 * - With the outage breaker on (see dns_breaker.h), resolver_query() may
 *   refuse a lookup (NULL) while it is open, and queries waiting when it
 *   opens are called back with DNS_TEMPFAIL at once.
 */
#ifndef PTRMILTER_RESOLVER_H
#define PTRMILTER_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_status.h"
#include "resolver_config.h"

/* RR types we ask for. */
#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_PTR 12
#define DNS_TYPE_MX 15
#define DNS_TYPE_TXT 16
#define DNS_TYPE_AAAA 28

/* One record's rdata, in wire format. */
struct dns_rdata {
	const uint8_t *data;
	size_t len;
};

/* An answer, valid only during the callback. */
struct dns_answer {
	enum dns_status status;
	int rcode;			/* DNS rcode, or -1 if none came */
	enum dnssec_state dnssec;
	const char *why_bogus;		/* NULL unless bogus; raw text */
	const char *error;		/* NULL unless a resolver failure */
	const char *canonname;		/* final name after CNAMEs, or NULL;
					   lossy, for display only */
	unsigned ttl;			/* seconds the answer may be reused:
					   0 unless NOERROR, NXDOMAIN or
					   NODATA and not bogus */
	size_t count;			/* records of the asked type */
	const struct dns_rdata *rr;	/* count records, asked type only */
};

struct resolver;
struct dns_query;

typedef void resolver_callback(void *arg, const struct dns_answer *answer);

/* Creates the resolver and its thread, with every option set before the
 * first query.  On failure writes a message naming the setting at fault to
 * err and returns NULL. */
struct resolver *resolver_create(const struct resolver_config *cfg,
    char *err, size_t errsize);

/* Stops the thread and frees the resolver.  Every query must have been
 * released first. */
void resolver_destroy(struct resolver *r);

/* Starts a lookup of name (presentation format, RFC 1035 escapes allowed)
 * for rrtype in class IN.  Returns the query, whose callback runs exactly
 * once unless resolver_release() stops it first; or NULL if the lookup
 * could not be started, in which case the callback never runs. */
struct dns_query *resolver_query(struct resolver *r, const char *name,
    int rrtype, resolver_callback *cb, void *arg);

/* The caller lets go of q: stops the callback if it has not started, waits
 * for it if it is running.  q must not be used afterwards.  NULL is a
 * no-op. */
void resolver_release(struct dns_query *q);

/* True while the DNS outage breaker is open (false when it is off). */
bool resolver_breaker_open(struct resolver *r);

#ifdef RESOLVER_TEST_HOOKS
/* Breaks libunbound's answer pipe as a crash of its worker would (the
 * read end now reads end-of-file), for the tests of the rebuild.
 * Returns 0 or -1.  Compiled only into test programs. */
int resolver_test_break(struct resolver *r);
#endif

/* Judges answer a to the query for the root zone's NS that primes the
 * resolver (validating: a trust anchor was given): writes one log message
 * to msg and returns its syslog priority - LOG_ERR when validation fails,
 * LOG_WARNING when no answer came or a trust anchor validated nothing,
 * LOG_INFO or LOG_DEBUG when all is well. */
int resolver_health(const struct dns_answer *a, bool validating, char *msg,
    size_t size);

#endif
