/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics.h - what the daemon counts for Prometheus: connections judged
 * and exempt, verdicts by iprev result, action and tag, DNS lookups by
 * outcome, result-cache hits, reloads, resolver restarts, the DNS outage
 * breaker, and how long verdicts took.
 *
 * No I/O.  The counters are process-wide C11 atomics, bumped with
 * relaxed increments from any thread on the hot path: no lock, no
 * allocation, nothing that can make a milter callback wait for a scrape.
 * metrics_read() copies them for metrics_format(), which writes the
 * Prometheus text exposition format (version 0.0.4).  Serving that text
 * is metrics_http.c's business; ptrcheck counts too and never reads.
 *
 * The metric names, label names and label values written here are a
 * contract with dashboards and alerts: add series, never rename them.
 * Every series is written from the start, at 0, so that a rate() over a
 * fresh daemon has something to work on.
 */
#ifndef PTRMILTER_METRICS_H
#define PTRMILTER_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fcrdns.h"
#include "resolver.h"
#include "tags.h"
#include "verdict.h"

/* Room for the whole exposition; metrics_format() needs about 8 KiB. */
#define METRICS_TEXT_MAX 32768

#define METRICS_IPREV_COUNT (IPREV_TEMPERROR + 1)
#define METRICS_ACTION_COUNT (VERDICT_REJECT + 1)

/* Why a client, message or recipient was let through without being
 * judged, or accepted whatever its verdict.  The first two are connections, the
 * third messages (MAIL FROM), the fourth recipients, the last verdicts,
 * so each goes to its own metric family. */
enum metrics_exempt {
	METRICS_EXEMPT_NETWORK,		/* client in exempt_networks */
	METRICS_EXEMPT_NO_ADDRESS,	/* no IP client: NULL, AF_UNIX */
	METRICS_EXEMPT_AUTHENTICATED,	/* {auth_authen}, per message */
	METRICS_EXEMPT_RECIPIENT,	/* exempt_recipients, per recipient
					   a refusal would have refused */
	METRICS_EXEMPT_PTR_DOMAIN,	/* exempt_ptr_domains, per verdict
					   it applied to */
	METRICS_EXEMPT_COUNT
};

/* What greylisting did with a recipient of the band (greylist_store.h):
 * deferred it, passed it on a retry in time, passed it for its network's
 * earlier pass, or could not ask the store and let it through. */
enum metrics_greylist {
	METRICS_GREYLIST_DEFERRED,
	METRICS_GREYLIST_PASSED,
	METRICS_GREYLIST_KNOWN,
	METRICS_GREYLIST_FAILOPEN,
	METRICS_GREYLIST_COUNT
};

/* How one DNS lookup ended: its status and, when an answer carrying data
 * or a denial came, its DNSSEC state. */
enum metrics_dns {
	METRICS_DNS_NOERROR_SECURE,
	METRICS_DNS_NOERROR_INSECURE,
	METRICS_DNS_NXDOMAIN_SECURE,
	METRICS_DNS_NXDOMAIN_INSECURE,
	METRICS_DNS_NODATA_SECURE,
	METRICS_DNS_NODATA_INSECURE,
	METRICS_DNS_BOGUS,
	METRICS_DNS_SERVFAIL,		/* SERVFAIL, REFUSED, resolver error */
	METRICS_DNS_TIMEOUT,		/* no answer by the verdict's deadline */
	METRICS_DNS_CANCELLED,		/* no answer yet and no longer wanted:
					   the session ended, or a new HELO
					   came, before a verdict needed it */
	METRICS_DNS_COUNT
};

enum metrics_cache { METRICS_CACHE_FCRDNS, METRICS_CACHE_HELO,
    METRICS_CACHE_COUNT };

/* Upper bounds of the verdict-latency buckets, in milliseconds. */
#define METRICS_BUCKET_COUNT 12
extern const unsigned metrics_bucket_ms[METRICS_BUCKET_COUNT];

/* A copy of every counter at one moment (each read on its own: two
 * counters may be one increment apart). */
struct metrics_values {
	uint64_t judged;			/* connections looked up */
	uint64_t exempt[METRICS_EXEMPT_COUNT];
	uint64_t greylist[METRICS_GREYLIST_COUNT];	/* recipients */
	uint64_t iprev[METRICS_IPREV_COUNT];	/* verdicts, by enum iprev */
	/* verdicts by enum verdict_action; [0] mode=enforce, [1] dry-run */
	uint64_t action[METRICS_ACTION_COUNT][2];
	uint64_t tags[TAG_COUNT];		/* verdicts the tag fired in */
	uint64_t dns[METRICS_DNS_COUNT];
	uint64_t cache[METRICS_CACHE_COUNT][2];	/* [0] hit, [1] miss */
	uint64_t reloads[2];			/* [0] ok, [1] failed */
	uint64_t resolver_restarts;		/* new libunbound contexts */
	uint64_t breaker_open;			/* gauge: 1 while open */
	uint64_t breaker_opened;		/* times it opened */
	uint64_t breaker_sessions;		/* verdicts while open */
	uint64_t breaker_refused;		/* lookups not sent */
	uint64_t state_store_up;		/* gauge: 1 while usable */
	uint64_t state_store_downs;		/* times it went down */
	/* Verdicts per latency bucket, not cumulative: [i] took at most
	 * metrics_bucket_ms[i] and more than the bound before; the last,
	 * more than every bound. */
	uint64_t latency[METRICS_BUCKET_COUNT + 1];
	uint64_t latency_sum_ms;
	int64_t start_time;			/* Unix time; 0 if not marked */
	const char *version;			/* label value, any bytes */
};

/* Counting, from any thread. */
void metrics_count_judged(void);
void metrics_count_exempt(enum metrics_exempt why);
void metrics_count_greylist(enum metrics_greylist result);
/* One decision: its iprev result, action and tags, and ms, the time the
 * decision log line shows.  dry_run is the policy's mode. */
void metrics_count_verdict(const struct verdict *v, bool dry_run,
    unsigned ms);
/* One lookup that was answered, or timed out (DNS_TIMEOUT). */
void metrics_count_dns(enum dns_status status, enum dnssec_state dnssec);
void metrics_count_dns_cancelled(void);
void metrics_count_cache(enum metrics_cache c, bool hit);
void metrics_count_reload(bool ok);
/* libunbound's context broke and a new one was built. */
void metrics_count_resolver_restart(void);
/* The DNS outage breaker opened (true) or closed (false). */
void metrics_set_breaker(bool open);
/* A verdict reached while the breaker was open. */
void metrics_count_breaker_session(void);
/* A lookup the open breaker did not send. */
void metrics_count_breaker_refused(void);
/* The state store's state, as its reports tell it (state_store.h): each
 * call with up false counts one time it went down. */
void metrics_set_state_store(bool up);

/* Records now as the start time. */
void metrics_mark_start(void);

/* Copies every counter, the start time and the version into *out. */
void metrics_read(struct metrics_values *out);

/* Writes v as Prometheus text format 0.0.4: "# HELP" and "# TYPE" for
 * each family, every series, histogram buckets cumulative, label values
 * escaped (\\, \", \n).  Returns 0, or -1 with buf "" if it does not fit
 * in size (METRICS_TEXT_MAX always fits). */
int metrics_format(const struct metrics_values *v, char *buf, size_t size);

#endif
