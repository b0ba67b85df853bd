/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics.c - the counters; see metrics.h.
 *
 * atomic_ulong rather than a 64-bit type: it is lock-free on every
 * platform Debian builds for, where a 64-bit atomic on a 32-bit machine
 * may need libatomic and a lock.  A counter that wraps there reads to
 * Prometheus as a restart, which rate() already copes with.  Relaxed
 * order throughout: each counter is a number on its own, and nothing
 * else is published through it.
 */
#include "config.h"

#include <stdatomic.h>
#include <time.h>

#include "metrics.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const unsigned metrics_bucket_ms[METRICS_BUCKET_COUNT] = {
	1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000
};

static struct {
	atomic_ulong judged;
	atomic_ulong exempt[METRICS_EXEMPT_COUNT];
	atomic_ulong greylist[METRICS_GREYLIST_COUNT];
	atomic_ulong iprev[METRICS_IPREV_COUNT];
	atomic_ulong action[METRICS_ACTION_COUNT][2];
	atomic_ulong tags[TAG_COUNT];
	atomic_ulong dns[METRICS_DNS_COUNT];
	atomic_ulong cache[METRICS_CACHE_COUNT][2];
	atomic_ulong reloads[2];
	atomic_ulong resolver_restarts;
	atomic_ulong breaker_open;
	atomic_ulong breaker_opened;
	atomic_ulong breaker_sessions;
	atomic_ulong breaker_refused;
	atomic_ulong state_store_up;
	atomic_ulong state_store_downs;
	atomic_ulong latency[METRICS_BUCKET_COUNT + 1];
	atomic_ulong latency_sum_ms;
	atomic_long start_time;
} counters;

static void bump(atomic_ulong *c);
static uint64_t load(atomic_ulong *c);

static void
bump(atomic_ulong *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static uint64_t
load(atomic_ulong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void
metrics_count_judged(void)
{
	bump(&counters.judged);
}

void
metrics_count_exempt(enum metrics_exempt why)
{
	if ((unsigned)why < METRICS_EXEMPT_COUNT)
		bump(&counters.exempt[why]);
}

void
metrics_count_greylist(enum metrics_greylist result)
{
	if ((unsigned)result < METRICS_GREYLIST_COUNT)
		bump(&counters.greylist[result]);
}

void
metrics_count_verdict(const struct verdict *v, bool dry_run, unsigned ms)
{
	unsigned b;

	if ((unsigned)v->iprev < METRICS_IPREV_COUNT)
		bump(&counters.iprev[v->iprev]);
	if ((unsigned)v->action < METRICS_ACTION_COUNT)
		bump(&counters.action[v->action][dry_run ? 1 : 0]);
	for (unsigned t = 0; t < TAG_COUNT; t++)
		if (v->tags & TAG_BIT(t))
			bump(&counters.tags[t]);
	for (b = 0; b < METRICS_BUCKET_COUNT; b++)
		if (ms <= metrics_bucket_ms[b])
			break;
	bump(&counters.latency[b]);
	atomic_fetch_add_explicit(&counters.latency_sum_ms, ms,
	    memory_order_relaxed);
}

/* A bogus answer is bogus whatever its status says; a failure or a
 * timeout has no DNSSEC state worth counting. */
void
metrics_count_dns(enum dns_status status, enum dnssec_state dnssec)
{
	enum metrics_dns d;
	bool secure = dnssec == DNSSEC_SECURE;

	if (status == DNS_BOGUS || (dnssec == DNSSEC_BOGUS &&
	    status != DNS_TEMPFAIL && status != DNS_TIMEOUT))
		d = METRICS_DNS_BOGUS;
	else if (status == DNS_OK)
		d = secure ? METRICS_DNS_NOERROR_SECURE :
		    METRICS_DNS_NOERROR_INSECURE;
	else if (status == DNS_NXDOMAIN)
		d = secure ? METRICS_DNS_NXDOMAIN_SECURE :
		    METRICS_DNS_NXDOMAIN_INSECURE;
	else if (status == DNS_NODATA)
		d = secure ? METRICS_DNS_NODATA_SECURE :
		    METRICS_DNS_NODATA_INSECURE;
	else if (status == DNS_TIMEOUT)
		d = METRICS_DNS_TIMEOUT;
	else
		d = METRICS_DNS_SERVFAIL;
	bump(&counters.dns[d]);
}

void
metrics_count_dns_cancelled(void)
{
	bump(&counters.dns[METRICS_DNS_CANCELLED]);
}

void
metrics_count_cache(enum metrics_cache c, bool hit)
{
	if ((unsigned)c < METRICS_CACHE_COUNT)
		bump(&counters.cache[c][hit ? 0 : 1]);
}

void
metrics_count_reload(bool ok)
{
	bump(&counters.reloads[ok ? 0 : 1]);
}

void
metrics_count_resolver_restart(void)
{
	bump(&counters.resolver_restarts);
}

void
metrics_set_breaker(bool open)
{
	atomic_store_explicit(&counters.breaker_open, open ? 1 : 0,
	    memory_order_relaxed);
	if (open)
		bump(&counters.breaker_opened);
}

void
metrics_set_state_store(bool up)
{
	atomic_store_explicit(&counters.state_store_up, up ? 1 : 0,
	    memory_order_relaxed);
	if (!up)
		bump(&counters.state_store_downs);
}

void
metrics_count_breaker_session(void)
{
	bump(&counters.breaker_sessions);
}

void
metrics_count_breaker_refused(void)
{
	bump(&counters.breaker_refused);
}

void
metrics_mark_start(void)
{
	atomic_store_explicit(&counters.start_time, (long)time(NULL),
	    memory_order_relaxed);
}

void
metrics_read(struct metrics_values *out)
{
	out->judged = load(&counters.judged);
	for (size_t i = 0; i < NELEM(out->exempt); i++)
		out->exempt[i] = load(&counters.exempt[i]);
	for (size_t i = 0; i < NELEM(out->greylist); i++)
		out->greylist[i] = load(&counters.greylist[i]);
	for (size_t i = 0; i < NELEM(out->iprev); i++)
		out->iprev[i] = load(&counters.iprev[i]);
	for (size_t i = 0; i < NELEM(out->action); i++)
		for (size_t j = 0; j < 2; j++)
			out->action[i][j] = load(&counters.action[i][j]);
	for (size_t i = 0; i < NELEM(out->tags); i++)
		out->tags[i] = load(&counters.tags[i]);
	for (size_t i = 0; i < NELEM(out->dns); i++)
		out->dns[i] = load(&counters.dns[i]);
	for (size_t i = 0; i < NELEM(out->cache); i++)
		for (size_t j = 0; j < 2; j++)
			out->cache[i][j] = load(&counters.cache[i][j]);
	for (size_t i = 0; i < NELEM(out->reloads); i++)
		out->reloads[i] = load(&counters.reloads[i]);
	for (size_t i = 0; i < NELEM(out->latency); i++)
		out->latency[i] = load(&counters.latency[i]);
	out->latency_sum_ms = load(&counters.latency_sum_ms);
	out->resolver_restarts = load(&counters.resolver_restarts);
	out->breaker_open = load(&counters.breaker_open);
	out->breaker_opened = load(&counters.breaker_opened);
	out->breaker_sessions = load(&counters.breaker_sessions);
	out->breaker_refused = load(&counters.breaker_refused);
	out->state_store_up = load(&counters.state_store_up);
	out->state_store_downs = load(&counters.state_store_downs);
	out->start_time = atomic_load_explicit(&counters.start_time,
	    memory_order_relaxed);
	out->version = PACKAGE_VERSION;
}
