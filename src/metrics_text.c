/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_text.c - the Prometheus text exposition format (0.0.4) of the
 * counters; see metrics.h.
 *
 * Writing goes through one cursor that remembers the first overflow, so
 * the families read top to bottom like the output they make and the
 * result is checked once at the end.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"

struct out {
	char *buf;
	size_t size;
	size_t pos;
	bool full;		/* something did not fit */
};

/* One label of a series; a NULL name ends the list. */
struct label {
	const char *name;
	const char *value;
};

static const char *const greylist_result[METRICS_GREYLIST_COUNT] = {
	[METRICS_GREYLIST_DEFERRED] = "deferred",
	[METRICS_GREYLIST_PASSED] = "passed",
	[METRICS_GREYLIST_KNOWN] = "known",
	[METRICS_GREYLIST_FAILOPEN] = "failopen",
};
static const char *const exempt_reason[] = {
	[METRICS_EXEMPT_NETWORK] = "network",
	[METRICS_EXEMPT_NO_ADDRESS] = "no_address",
};

static const struct {
	const char *status;
	const char *dnssec;
} dns_labels[METRICS_DNS_COUNT] = {
	[METRICS_DNS_NOERROR_SECURE] = { "noerror", "secure" },
	[METRICS_DNS_NOERROR_INSECURE] = { "noerror", "insecure" },
	[METRICS_DNS_NXDOMAIN_SECURE] = { "nxdomain", "secure" },
	[METRICS_DNS_NXDOMAIN_INSECURE] = { "nxdomain", "insecure" },
	[METRICS_DNS_NODATA_SECURE] = { "nodata", "secure" },
	[METRICS_DNS_NODATA_INSECURE] = { "nodata", "insecure" },
	[METRICS_DNS_BOGUS] = { "bogus", "bogus" },
	[METRICS_DNS_SERVFAIL] = { "servfail", "none" },
	[METRICS_DNS_TIMEOUT] = { "timeout", "none" },
	[METRICS_DNS_CANCELLED] = { "cancelled", "none" },
};

static const char *const cache_name[METRICS_CACHE_COUNT] = {
	[METRICS_CACHE_FCRDNS] = "fcrdns",
	[METRICS_CACHE_HELO] = "helo",
};

/* The bucket bounds of metrics_bucket_ms, in seconds as Prometheus
 * clients write them. */
static const char *const bucket_le[METRICS_BUCKET_COUNT] = {
	"0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
	"1", "2.5", "5", "10"
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put_escaped(struct out *o, const char *text, bool quote);
static void family(struct out *o, const char *name, const char *type,
    const char *help);
static void sample(struct out *o, const char *name,
    const struct label *labels, uint64_t value);
static void one_label(struct out *o, const char *name, const char *label,
    const char *value, uint64_t count);
static void histogram(struct out *o, const struct metrics_values *v);
static void resolver_families(struct out *o, const struct metrics_values *v);

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->size - o->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->pos) {
		o->full = true;
		return;
	}
	o->pos += (size_t)n;
}

/* Label values (quote) escape backslash, double quote and newline; HELP
 * text escapes backslash and newline. */
static void
put_escaped(struct out *o, const char *text, bool quote)
{
	const char *special = quote ? "\\\n\"" : "\\\n";
	const char *p = text;

	while (!o->full) {
		size_t n = strcspn(p, special);

		put(o, "%.*s", (int)n, p);
		p += n;
		if (*p == '\0')
			break;
		put(o, "%s", *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" : "\\\"");
		p++;
	}
}

static void
family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s ", name);
	put_escaped(o, help, false);
	put(o, "\n# TYPE %s %s\n", name, type);
}

static void
sample(struct out *o, const char *name, const struct label *labels,
    uint64_t value)
{
	put(o, "%s", name);
	for (size_t i = 0; labels != NULL && labels[i].name != NULL; i++) {
		put(o, "%s%s=\"", i == 0 ? "{" : ",", labels[i].name);
		put_escaped(o, labels[i].value, true);
		put(o, "\"");
	}
	if (labels != NULL && labels[0].name != NULL)
		put(o, "}");
	put(o, " %" PRIu64 "\n", value);
}

static void
one_label(struct out *o, const char *name, const char *label,
    const char *value, uint64_t count)
{
	const struct label l[] = { { label, value }, { NULL, NULL } };

	sample(o, name, l, count);
}

/* Each verdict was counted in one bucket; Prometheus wants each bucket to
 * hold everything at or below its bound, and _count to be +Inf's. */
static void
histogram(struct out *o, const struct metrics_values *v)
{
	const char *name = "ptrmilter_verdict_seconds";
	uint64_t total = 0;

	family(o, name, "histogram", "Time from the first DNS query to the "
	    "verdict (the ms of the decision log line; 0 for a result reused "
	    "from the cache).");
	for (size_t b = 0; b <= METRICS_BUCKET_COUNT; b++) {
		total += v->latency[b];
		one_label(o, "ptrmilter_verdict_seconds_bucket", "le",
		    b < METRICS_BUCKET_COUNT ? bucket_le[b] : "+Inf", total);
	}
	put(o, "%s_sum %" PRIu64 ".%03u\n", name, v->latency_sum_ms / 1000,
	    (unsigned)(v->latency_sum_ms % 1000));
	put(o, "%s_count %" PRIu64 "\n", name, total);
}

/* The health of what sessions lean on: restarts of libunbound, the DNS
 * outage breaker (see dns_breaker.h) and the state store
 * (state_store.h). */
static void
resolver_families(struct out *o, const struct metrics_values *v)
{
	const struct {
		const char *name;
		const char *type;
		const char *help;
		uint64_t value;
	} series[] = {
		{ "ptrmilter_resolver_restarts_total", "counter",
		  "Times libunbound's context broke (its pipe failed) and a "
		  "new one was built with the same settings.",
		  v->resolver_restarts },
		{ "ptrmilter_dns_breaker_open", "gauge",
		  "1 while the DNS outage breaker is open: lookups have gone "
		  "unanswered, new sessions get iprev=temperror without "
		  "waiting; 0 otherwise.", v->breaker_open },
		{ "ptrmilter_dns_breaker_opened_total", "counter",
		  "Times the DNS outage breaker opened.", v->breaker_opened },
		{ "ptrmilter_dns_breaker_sessions_total", "counter",
		  "Verdicts reached while the DNS outage breaker was open "
		  "(short-circuited to iprev=temperror).",
		  v->breaker_sessions },
		{ "ptrmilter_dns_breaker_refused_total", "counter",
		  "DNS lookups not sent because the DNS outage breaker was "
		  "open.", v->breaker_refused },
		{ "ptrmilter_state_store_up", "gauge",
		  "1 while the state store (state_store) answers; 0 while it "
		  "is down and sessions go on without it.", v->state_store_up },
		{ "ptrmilter_state_store_downs_total", "counter",
		  "Times the state store went down (failed, too slow, full).",
		  v->state_store_downs },
	};

	for (size_t i = 0; i < sizeof(series) / sizeof(series[0]); i++) {
		family(o, series[i].name, series[i].type, series[i].help);
		sample(o, series[i].name, NULL, series[i].value);
	}
}

int
metrics_format(const struct metrics_values *v, char *buf, size_t size)
{
	struct out o = { buf, size, 0, size == 0 };
	const char *name;

	name = "ptrmilter_build_info";
	family(&o, name, "gauge", "The version of ptrmilter that is running; "
	    "always 1.");
	one_label(&o, name, "version", v->version != NULL ? v->version : "",
	    1);
	family(&o, "ptrmilter_start_time_seconds", "gauge", "When the daemon "
	    "started, in seconds since the Unix epoch.");
	put(&o, "ptrmilter_start_time_seconds %" PRId64 "\n", v->start_time);

	name = "ptrmilter_connections_judged_total";
	family(&o, name, "counter", "Connections whose client address was "
	    "looked up to be judged.");
	sample(&o, name, NULL, v->judged);
	name = "ptrmilter_connections_exempt_total";
	family(&o, name, "counter", "Connections not judged, by reason: "
	    "network (the client is in exempt_networks), no_address (no IP "
	    "client, e.g. AF_UNIX).");
	for (size_t i = 0; i < sizeof(exempt_reason) / sizeof(exempt_reason[0]);
	    i++)
		one_label(&o, name, "reason", exempt_reason[i], v->exempt[i]);
	name = "ptrmilter_messages_authenticated_total";
	family(&o, name, "counter", "Messages not judged because the client "
	    "authenticated (exempt_authenticated).");
	sample(&o, name, NULL, v->exempt[METRICS_EXEMPT_AUTHENTICATED]);
	name = "ptrmilter_recipients_exempt_total";
	family(&o, name, "counter", "Recipients accepted in spite of an "
	    "enforced refusal because they are in exempt_recipients.");
	sample(&o, name, NULL, v->exempt[METRICS_EXEMPT_RECIPIENT]);

	name = "ptrmilter_greylist_total";
	family(&o, name, "counter", "Recipients of clients in the "
	    "greylisting band, by result: deferred, passed (a retry in "
	    "time), known (the network had passed), failopen (the state "
	    "store could not answer: not greylisted).");
	for (size_t i = 0; i < METRICS_GREYLIST_COUNT; i++)
		one_label(&o, name, "result", greylist_result[i],
		    v->greylist[i]);

	name = "ptrmilter_verdicts_exempt_total";
	family(&o, name, "counter", "Verdicts of clients an allow-list "
	    "accepts whatever their score, by reason: ptr_domain (the "
	    "forward-confirmed PTR name is in exempt_ptr_domains).");
	one_label(&o, name, "reason", "ptr_domain",
	    v->exempt[METRICS_EXEMPT_PTR_DOMAIN]);

	name = "ptrmilter_verdicts_total";
	family(&o, name, "counter", "Verdicts, by iprev result (RFC 8601).");
	for (unsigned i = 0; i < METRICS_IPREV_COUNT; i++)
		one_label(&o, name, "iprev", iprev_name((enum iprev)i),
		    v->iprev[i]);
	name = "ptrmilter_verdict_actions_total";
	family(&o, name, "counter", "Verdicts, by the action the policy asks "
	    "for and the mode in force (dry-run: logged, not enforced).");
	for (unsigned i = 0; i < METRICS_ACTION_COUNT; i++) {
		for (unsigned m = 0; m < 2; m++) {
			const struct label l[] = {
				{ "action",
				    verdict_action_name((enum verdict_action)i) },
				{ "mode", m == 0 ? "enforce" : "dry-run" },
				{ NULL, NULL }
			};

			sample(&o, name, l, v->action[i][m]);
		}
	}
	name = "ptrmilter_tags_total";
	family(&o, name, "counter", "Verdicts in which each tag fired.");
	for (unsigned t = 0; t < TAG_COUNT; t++)
		one_label(&o, name, "tag", tag_name((enum tag)t), v->tags[t]);
	histogram(&o, v);

	name = "ptrmilter_dns_lookups_total";
	family(&o, name, "counter", "DNS lookups, by how they ended (noerror, "
	    "nxdomain, nodata, bogus, servfail: also REFUSED and resolver "
	    "errors, timeout: past the verdict's deadline, cancelled: no "
	    "longer needed) and the DNSSEC state of the answer (none when "
	    "no answer came).");
	for (unsigned i = 0; i < METRICS_DNS_COUNT; i++) {
		const struct label l[] = {
			{ "status", dns_labels[i].status },
			{ "dnssec", dns_labels[i].dnssec },
			{ NULL, NULL }
		};

		sample(&o, name, l, v->dns[i]);
	}
	name = "ptrmilter_cache_requests_total";
	family(&o, name, "counter", "Requests to the result caches (fcrdns: "
	    "by client address, helo: by HELO name), by result: hit (reused, "
	    "no lookup) or miss (looked up).");
	for (unsigned c = 0; c < METRICS_CACHE_COUNT; c++) {
		for (unsigned h = 0; h < 2; h++) {
			const struct label l[] = {
				{ "cache", cache_name[c] },
				{ "result", h == 0 ? "hit" : "miss" },
				{ NULL, NULL }
			};

			sample(&o, name, l, v->cache[c][h]);
		}
	}
	name = "ptrmilter_reloads_total";
	family(&o, name, "counter", "Policy reloads (SIGUSR1), by result: ok "
	    "(the new policy is in force), failed (the old one stays).");
	one_label(&o, name, "result", "ok", v->reloads[0]);
	one_label(&o, name, "result", "failed", v->reloads[1]);
	resolver_families(&o, v);

	if (o.full) {
		if (size > 0)
			buf[0] = '\0';
		return -1;
	}
	return 0;
}
