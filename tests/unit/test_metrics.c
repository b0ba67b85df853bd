/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_metrics.c - unit tests for metrics.c and metrics_text.c: which
 * series each count lands in, and the text a scrape gets - valid
 * Prometheus exposition format 0.0.4 (checked line by line by a small
 * parser here), every series present from the start, histogram buckets
 * cumulative with _count equal to +Inf, label values escaped, and a
 * buffer too small refused rather than cut.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "tags.h"
#include "verdict.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_FAMILIES 64
#define MAX_SERIES 512

static char text[METRICS_TEXT_MAX];

/* What the checker learnt about one family. */
struct family {
	char name[128];
	char type[16];
	bool help;
	unsigned samples;
};

struct exposition {
	struct family fam[MAX_FAMILIES];
	size_t nfam;
	char series[MAX_SERIES][256];	/* name{labels}, for duplicates */
	size_t nseries;
};

static struct exposition seen;

static bool
name_char(int c, bool first, bool colon)
{
	if (isalpha(c) || c == '_' || (colon && c == ':'))
		return true;
	return !first && isdigit(c);
}

/* A metric or label name at *p; advances *p past it. */
static bool
parse_name(const char **p, char *out, size_t size, bool colon)
{
	size_t n = 0;

	if (!name_char((unsigned char)**p, true, colon))
		return false;
	while (name_char((unsigned char)(*p)[n], false, colon))
		n++;
	if (n >= size)
		return false;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	return true;
}

/* A quoted label value with only \\, \" and \n escapes; advances *p
 * past the closing quote and writes the unescaped value. */
static bool
parse_label_value(const char **p, char *out, size_t size)
{
	size_t n = 0;

	if (**p != '"')
		return false;
	(*p)++;
	while (**p != '"') {
		char c = **p;

		if (c == '\0' || c == '\n' || n + 1 >= size)
			return false;
		if (c == '\\') {
			(*p)++;
			if (**p == 'n')
				c = '\n';
			else if (**p == '\\' || **p == '"')
				c = **p;
			else
				return false;
		}
		out[n++] = c;
		(*p)++;
	}
	(*p)++;
	out[n] = '\0';
	return true;
}

static bool
parse_value(const char *p)
{
	char *end;

	if (strcmp(p, "+Inf") == 0 || strcmp(p, "-Inf") == 0 ||
	    strcmp(p, "NaN") == 0)
		return true;
	if (*p == '\0')
		return false;
	(void)strtod(p, &end);
	return *end == '\0';
}

static struct family *
find_family(const char *name)
{
	for (size_t i = 0; i < seen.nfam; i++)
		if (strcmp(seen.fam[i].name, name) == 0)
			return &seen.fam[i];
	return NULL;
}

/* A sample belongs to the family of the last TYPE line: the same name,
 * or for a histogram its _bucket (with le), _sum and _count. */
static bool
belongs(const struct family *f, const char *name, bool has_le)
{
	size_t n = strlen(f->name);

	if (strcmp(f->type, "histogram") != 0)
		return strcmp(name, f->name) == 0 && !has_le;
	if (strncmp(name, f->name, n) != 0)
		return false;
	if (strcmp(name + n, "_bucket") == 0)
		return has_le;
	return !has_le && (strcmp(name + n, "_sum") == 0 ||
	    strcmp(name + n, "_count") == 0);
}

static void
check_comment(const char *line, struct family **current)
{
	char name[128];
	const char *p = line + 2;
	struct family *f;
	bool help = strncmp(p, "HELP ", 5) == 0;

	if (!help && strncmp(p, "TYPE ", 5) != 0)
		return;		/* a plain comment */
	p += 5;
	if (!parse_name(&p, name, sizeof(name), true) || *p != ' ')
		fail_msg("bad comment line: %s", line);
	p++;
	f = find_family(name);
	if (help) {
		if (f != NULL)
			fail_msg("second HELP for %s", name);
		if (seen.nfam >= MAX_FAMILIES)
			fail_msg("too many families");
		f = &seen.fam[seen.nfam++];
		snprintf(f->name, sizeof(f->name), "%s", name);
		f->help = true;
		if (*p == '\0')
			fail_msg("empty HELP for %s", name);
		for (; *p != '\0'; p++)
			if (*p == '\\' && p[1] != '\\' && p[1] != 'n')
				fail_msg("bad escape in HELP of %s", name);
		return;
	}
	/* TYPE comes after HELP (our convention), once, before samples. */
	if (f == NULL || f->type[0] != '\0' || f->samples > 0)
		fail_msg("TYPE of %s without HELP first, twice or late", name);
	if (strcmp(p, "counter") != 0 && strcmp(p, "gauge") != 0 &&
	    strcmp(p, "histogram") != 0)
		fail_msg("bad type '%s' for %s", p, name);
	snprintf(f->type, sizeof(f->type), "%s", p);
	if (strcmp(p, "counter") == 0 && (strlen(name) < 6 ||
	    strcmp(name + strlen(name) - 6, "_total") != 0))
		fail_msg("counter %s does not end in _total", name);
	*current = f;
}

static void
check_sample(const char *line, struct family *current)
{
	char name[128], label[64], value[256], key[256];
	const char *p = line;
	bool has_le = false;
	size_t kpos;

	if (!parse_name(&p, name, sizeof(name), true))
		fail_msg("bad sample name: %s", line);
	kpos = (size_t)snprintf(key, sizeof(key), "%s", name);
	if (*p == '{') {
		p++;
		while (*p != '}') {
			if (!parse_name(&p, label, sizeof(label), false) ||
			    *p++ != '=' ||
			    !parse_label_value(&p, value, sizeof(value)))
				fail_msg("bad label in: %s", line);
			if (strncmp(label, "__", 2) == 0)
				fail_msg("reserved label name in: %s", line);
			has_le |= strcmp(label, "le") == 0;
			kpos += (size_t)snprintf(key + kpos, sizeof(key) - kpos,
			    "|%s=%s", label, value);
			if (kpos >= sizeof(key))
				fail_msg("series too long: %s", line);
			if (*p == ',')
				p++;
			else if (*p != '}')
				fail_msg("bad label list: %s", line);
		}
		p++;
	}
	if (*p++ != ' ' || !parse_value(p))
		fail_msg("bad value in: %s", line);
	if (current == NULL || !belongs(current, name, has_le))
		fail_msg("sample %s outside its family", name);
	current->samples++;
	for (size_t i = 0; i < seen.nseries; i++)
		if (strcmp(seen.series[i], key) == 0)
			fail_msg("series twice: %s", line);
	if (seen.nseries >= MAX_SERIES)
		fail_msg("too many series");
	snprintf(seen.series[seen.nseries++], sizeof(seen.series[0]), "%s",
	    key);
}

/* Checks the whole text and leaves what it saw in `seen`. */
static void
check_exposition(const char *t)
{
	struct family *current = NULL;
	char line[1024];

	memset(&seen, 0, sizeof(seen));
	assert_true(strlen(t) > 0);
	assert_int_equal(t[strlen(t) - 1], '\n');
	while (*t != '\0') {
		size_t n = strcspn(t, "\n");

		if (n >= sizeof(line)) {
			fail_msg("line too long");
			return;
		}
		memcpy(line, t, n);
		line[n] = '\0';
		t += n + 1;
		if (n == 0)
			fail_msg("empty line");
		if (strchr(line, '\r') != NULL)
			fail_msg("CR in line: %s", line);
		if (line[0] == '#')
			check_comment(line, &current);
		else
			check_sample(line, current);
	}
	for (size_t i = 0; i < seen.nfam; i++) {
		if (seen.fam[i].type[0] == '\0' || seen.fam[i].samples == 0)
			fail_msg("family %s without TYPE or samples",
			    seen.fam[i].name);
		if (strncmp(seen.fam[i].name, "ptrmilter_", 10) != 0)
			fail_msg("family %s without the prefix",
			    seen.fam[i].name);
	}
}

static void
fresh(struct metrics_values *v)
{
	memset(v, 0, sizeof(*v));
	v->version = "0.1.0";
	v->start_time = 1700000000;
}

static void
format_ok(const struct metrics_values *v)
{
	assert_int_equal(metrics_format(v, text, sizeof(text)), 0);
	check_exposition(text);
}

/* Finds "line\n" as a whole line of the text. */
static bool
has_line(const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static void assert_line(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
assert_line(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!has_line(line))
		fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void
test_fresh_daemon_writes_valid_exposition(void **state)
{
	struct metrics_values v;

	(void)state;
	fresh(&v);
	format_ok(&v);
	assert_line("ptrmilter_build_info{version=\"0.1.0\"} 1");
	assert_line("ptrmilter_start_time_seconds 1700000000");
	assert_line("# TYPE ptrmilter_verdict_seconds histogram");
	assert_line("# TYPE ptrmilter_verdicts_total counter");
	assert_line("ptrmilter_connections_judged_total 0");
	assert_line("ptrmilter_verdict_seconds_count 0");
	assert_line("ptrmilter_verdict_seconds_sum 0.000");
}

/* Every series exists from the start, at 0: rate() and absent() alerts
 * need no first event. */
static void
test_every_series_present_at_zero(void **state)
{
	static const char *const series[] = {
		"ptrmilter_connections_exempt_total{reason=\"network\"} 0",
		"ptrmilter_connections_exempt_total{reason=\"no_address\"} 0",
		"ptrmilter_messages_authenticated_total 0",
		"ptrmilter_recipients_exempt_total 0",
		"ptrmilter_verdicts_exempt_total{reason=\"ptr_domain\"} 0",
		"ptrmilter_greylist_total{result=\"deferred\"} 0",
		"ptrmilter_greylist_total{result=\"passed\"} 0",
		"ptrmilter_greylist_total{result=\"known\"} 0",
		"ptrmilter_greylist_total{result=\"failopen\"} 0",
		"ptrmilter_verdicts_total{iprev=\"pass\"} 0",
		"ptrmilter_verdicts_total{iprev=\"fail\"} 0",
		"ptrmilter_verdicts_total{iprev=\"permerror\"} 0",
		"ptrmilter_verdicts_total{iprev=\"temperror\"} 0",
		"ptrmilter_verdict_actions_total{action=\"accept\",mode=\"enforce\"} 0",
		"ptrmilter_verdict_actions_total{action=\"tempfail\",mode=\"dry-run\"} 0",
		"ptrmilter_verdict_actions_total{action=\"reject\",mode=\"enforce\"} 0",
		"ptrmilter_dns_lookups_total{status=\"noerror\",dnssec=\"secure\"} 0",
		"ptrmilter_dns_lookups_total{status=\"nxdomain\",dnssec=\"insecure\"} 0",
		"ptrmilter_dns_lookups_total{status=\"nodata\",dnssec=\"secure\"} 0",
		"ptrmilter_dns_lookups_total{status=\"bogus\",dnssec=\"bogus\"} 0",
		"ptrmilter_dns_lookups_total{status=\"servfail\",dnssec=\"none\"} 0",
		"ptrmilter_dns_lookups_total{status=\"timeout\",dnssec=\"none\"} 0",
		"ptrmilter_dns_lookups_total{status=\"cancelled\",dnssec=\"none\"} 0",
		"ptrmilter_cache_requests_total{cache=\"fcrdns\",result=\"hit\"} 0",
		"ptrmilter_cache_requests_total{cache=\"helo\",result=\"miss\"} 0",
		"ptrmilter_reloads_total{result=\"ok\"} 0",
		"ptrmilter_reloads_total{result=\"failed\"} 0",
		"ptrmilter_resolver_restarts_total 0",
		"ptrmilter_dns_breaker_open 0",
		"ptrmilter_dns_breaker_opened_total 0",
		"ptrmilter_dns_breaker_sessions_total 0",
		"ptrmilter_dns_breaker_refused_total 0",
		"ptrmilter_state_store_up 0",
		"ptrmilter_state_store_downs_total 0",
		"ptrmilter_verdict_seconds_bucket{le=\"+Inf\"} 0",
	};
	struct metrics_values v;

	(void)state;
	fresh(&v);
	format_ok(&v);
	for (size_t i = 0; i < NELEM(series); i++)
		assert_line("%s", series[i]);
	/* 4 iprev, 6 actions, 10 DNS outcomes, 4 cache, 2 reloads. */
	assert_int_equal(find_family("ptrmilter_verdicts_total")->samples, 4);
	assert_int_equal(
	    find_family("ptrmilter_verdict_actions_total")->samples, 6);
	assert_int_equal(find_family("ptrmilter_dns_lookups_total")->samples,
	    METRICS_DNS_COUNT);
	assert_int_equal(
	    find_family("ptrmilter_cache_requests_total")->samples, 4);
	assert_int_equal(find_family("ptrmilter_reloads_total")->samples, 2);
}

static void
test_every_tag_present(void **state)
{
	struct metrics_values v;

	(void)state;
	fresh(&v);
	v.tags[TAG_HELO_IS_OURS] = 7;
	format_ok(&v);
	for (unsigned t = 0; t < TAG_COUNT; t++)
		assert_line("ptrmilter_tags_total{tag=\"%s\"} %u",
		    tag_name((enum tag)t), t == TAG_HELO_IS_OURS ? 7 : 0);
	assert_int_equal(find_family("ptrmilter_tags_total")->samples,
	    TAG_COUNT);
}

/* Each verdict is kept in one bucket; the text must show every bucket
 * holding all below its bound, _count equal to +Inf, _sum in seconds. */
static void
test_histogram_buckets_cumulative(void **state)
{
	static const char *const le[] = { "0.001", "0.005", "0.01", "0.025",
	    "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf" };
	struct metrics_values v;
	uint64_t want = 0;

	(void)state;
	assert_int_equal(NELEM(le), METRICS_BUCKET_COUNT + 1);
	fresh(&v);
	for (size_t b = 0; b <= METRICS_BUCKET_COUNT; b++)
		v.latency[b] = b % 3;	/* some empty buckets between */
	v.latency_sum_ms = 12345;
	format_ok(&v);
	for (size_t b = 0; b <= METRICS_BUCKET_COUNT; b++) {
		want += v.latency[b];
		assert_line("ptrmilter_verdict_seconds_bucket{le=\"%s\"} %" PRIu64,
		    le[b], want);
	}
	assert_line("ptrmilter_verdict_seconds_count %" PRIu64, want);
	assert_line("ptrmilter_verdict_seconds_sum 12.345");
	assert_int_equal(find_family("ptrmilter_verdict_seconds")->samples,
	    METRICS_BUCKET_COUNT + 1 + 2);
}

/* Label values come out in the format's escapes, and parse back to
 * what went in. */
static void
test_label_values_escaped(void **state)
{
	struct metrics_values v;

	(void)state;
	fresh(&v);
	v.version = "1.0 \"beta\"\\x\nnext";
	format_ok(&v);
	assert_line("ptrmilter_build_info{version=\"1.0 \\\"beta\\\"\\\\x"
	    "\\nnext\"} 1");
	assert_non_null(strstr(seen.series[0], "version=1.0 \"beta\"\\x\nnext"));
}

static void
test_large_counters_exact(void **state)
{
	struct metrics_values v;

	(void)state;
	fresh(&v);
	v.judged = UINT64_MAX;
	v.latency_sum_ms = 7;
	format_ok(&v);
	assert_line("ptrmilter_connections_judged_total 18446744073709551615");
	assert_line("ptrmilter_verdict_seconds_sum 0.007");
}

static void
test_small_buffer_refused_not_cut(void **state)
{
	struct metrics_values v;
	char small[256];

	(void)state;
	fresh(&v);
	memset(small, 'x', sizeof(small));
	assert_int_equal(metrics_format(&v, small, sizeof(small)), -1);
	assert_string_equal(small, "");
	assert_int_equal(metrics_format(&v, small, 0), -1);
	/* The whole text is far from the room the server gives it. */
	assert_int_equal(metrics_format(&v, text, sizeof(text)), 0);
	assert_true(strlen(text) < METRICS_TEXT_MAX / 2);
}

/* How each way a lookup ends is counted; bogus wins over any status. */
static void
test_dns_outcomes_land_in_their_series(void **state)
{
	static const struct {
		enum dns_status status;
		enum dnssec_state dnssec;
		enum metrics_dns want;
	} cases[] = {
		{ DNS_OK, DNSSEC_SECURE, METRICS_DNS_NOERROR_SECURE },
		{ DNS_OK, DNSSEC_INSECURE, METRICS_DNS_NOERROR_INSECURE },
		{ DNS_NXDOMAIN, DNSSEC_SECURE, METRICS_DNS_NXDOMAIN_SECURE },
		{ DNS_NXDOMAIN, DNSSEC_INSECURE, METRICS_DNS_NXDOMAIN_INSECURE },
		{ DNS_NODATA, DNSSEC_SECURE, METRICS_DNS_NODATA_SECURE },
		{ DNS_NODATA, DNSSEC_INSECURE, METRICS_DNS_NODATA_INSECURE },
		{ DNS_BOGUS, DNSSEC_BOGUS, METRICS_DNS_BOGUS },
		{ DNS_OK, DNSSEC_BOGUS, METRICS_DNS_BOGUS },
		{ DNS_TEMPFAIL, DNSSEC_INSECURE, METRICS_DNS_SERVFAIL },
		{ DNS_TEMPFAIL, DNSSEC_SECURE, METRICS_DNS_SERVFAIL },
		{ DNS_TIMEOUT, DNSSEC_INSECURE, METRICS_DNS_TIMEOUT },
	};
	struct metrics_values before, after;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		metrics_read(&before);
		metrics_count_dns(cases[i].status, cases[i].dnssec);
		metrics_read(&after);
		for (unsigned d = 0; d < METRICS_DNS_COUNT; d++)
			if (after.dns[d] - before.dns[d] !=
			    (d == cases[i].want ? 1u : 0u))
				fail_msg("case %zu: series %u moved by %" PRIu64,
				    i, d, after.dns[d] - before.dns[d]);
	}
	metrics_read(&before);
	metrics_count_dns_cancelled();
	metrics_read(&after);
	assert_int_equal(after.dns[METRICS_DNS_CANCELLED] -
	    before.dns[METRICS_DNS_CANCELLED], 1);
}

static void
test_verdict_counts_iprev_action_tags_latency(void **state)
{
	static const struct {
		unsigned ms;
		size_t bucket;
	} cases[] = {
		{ 0, 0 }, { 1, 0 }, { 2, 1 }, { 12, 3 }, { 25, 3 },
		{ 10000, METRICS_BUCKET_COUNT - 1 },
		{ 10001, METRICS_BUCKET_COUNT },
	};
	struct metrics_values before, after;
	struct verdict v;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.iprev = IPREV_PERMERROR;
	v.action = VERDICT_TEMPFAIL;
	v.tags = TAG_BIT(TAG_NO_PTR) | TAG_BIT(TAG_HELO_NOT_FQDN);
	for (size_t i = 0; i < NELEM(cases); i++) {
		metrics_read(&before);
		metrics_count_verdict(&v, i % 2 == 1, cases[i].ms);
		metrics_read(&after);
		assert_int_equal(after.iprev[IPREV_PERMERROR] -
		    before.iprev[IPREV_PERMERROR], 1);
		assert_int_equal(after.iprev[IPREV_PASS],
		    before.iprev[IPREV_PASS]);
		assert_int_equal(after.action[VERDICT_TEMPFAIL][i % 2] -
		    before.action[VERDICT_TEMPFAIL][i % 2], 1);
		assert_int_equal(after.action[VERDICT_TEMPFAIL][1 - i % 2],
		    before.action[VERDICT_TEMPFAIL][1 - i % 2]);
		assert_int_equal(after.tags[TAG_NO_PTR] -
		    before.tags[TAG_NO_PTR], 1);
		assert_int_equal(after.tags[TAG_HELO_NOT_FQDN] -
		    before.tags[TAG_HELO_NOT_FQDN], 1);
		assert_int_equal(after.tags[TAG_PTR_GENERIC],
		    before.tags[TAG_PTR_GENERIC]);
		for (size_t b = 0; b <= METRICS_BUCKET_COUNT; b++)
			if (after.latency[b] - before.latency[b] !=
			    (b == cases[i].bucket ? 1u : 0u))
				fail_msg("%u ms: bucket %zu moved", cases[i].ms,
				    b);
		assert_int_equal(after.latency_sum_ms - before.latency_sum_ms,
		    cases[i].ms);
	}
}

static void
test_other_counts_and_read(void **state)
{
	struct metrics_values before, after;

	(void)state;
	metrics_read(&before);
	metrics_count_judged();
	metrics_count_exempt(METRICS_EXEMPT_NETWORK);
	metrics_count_exempt(METRICS_EXEMPT_RECIPIENT);
	metrics_count_exempt(METRICS_EXEMPT_PTR_DOMAIN);
	metrics_count_exempt(METRICS_EXEMPT_COUNT);	/* ignored */
	metrics_count_cache(METRICS_CACHE_HELO, true);
	metrics_count_cache(METRICS_CACHE_FCRDNS, false);
	metrics_count_reload(false);
	metrics_mark_start();
	metrics_read(&after);
	assert_int_equal(after.judged - before.judged, 1);
	assert_int_equal(after.exempt[METRICS_EXEMPT_NETWORK] -
	    before.exempt[METRICS_EXEMPT_NETWORK], 1);
	assert_int_equal(after.exempt[METRICS_EXEMPT_RECIPIENT] -
	    before.exempt[METRICS_EXEMPT_RECIPIENT], 1);
	assert_int_equal(after.exempt[METRICS_EXEMPT_PTR_DOMAIN] -
	    before.exempt[METRICS_EXEMPT_PTR_DOMAIN], 1);
	assert_int_equal(after.exempt[METRICS_EXEMPT_NO_ADDRESS],
	    before.exempt[METRICS_EXEMPT_NO_ADDRESS]);
	assert_int_equal(after.cache[METRICS_CACHE_HELO][0] -
	    before.cache[METRICS_CACHE_HELO][0], 1);
	assert_int_equal(after.cache[METRICS_CACHE_FCRDNS][1] -
	    before.cache[METRICS_CACHE_FCRDNS][1], 1);
	assert_int_equal(after.reloads[1] - before.reloads[1], 1);
	assert_int_equal(after.reloads[0], before.reloads[0]);
	assert_true(after.start_time > 1700000000);
	assert_string_equal(after.version, PACKAGE_VERSION);
	assert_int_equal(metrics_format(&after, text, sizeof(text)), 0);
	check_exposition(text);
}

static void
test_resolver_and_breaker_counts(void **state)
{
	struct metrics_values before, after;

	(void)state;
	metrics_read(&before);
	metrics_count_resolver_restart();
	metrics_set_breaker(true);
	metrics_count_breaker_session();
	metrics_count_breaker_refused();
	metrics_count_breaker_refused();
	metrics_read(&after);
	assert_int_equal(after.resolver_restarts - before.resolver_restarts, 1);
	assert_int_equal(after.breaker_open, 1);
	assert_int_equal(after.breaker_opened - before.breaker_opened, 1);
	assert_int_equal(after.breaker_sessions - before.breaker_sessions, 1);
	assert_int_equal(after.breaker_refused - before.breaker_refused, 2);
	assert_int_equal(metrics_format(&after, text, sizeof(text)), 0);
	check_exposition(text);
	assert_line("ptrmilter_dns_breaker_open 1");
	/* Closing is not an opening. */
	metrics_set_breaker(false);
	metrics_read(&after);
	assert_int_equal(after.breaker_open, 0);
	assert_int_equal(after.breaker_opened - before.breaker_opened, 1);
}

static void
test_state_store_gauge_and_downs(void **state)
{
	struct metrics_values before, after;

	(void)state;
	metrics_read(&before);
	metrics_set_state_store(true);
	metrics_read(&after);
	assert_int_equal(after.state_store_up, 1);
	assert_int_equal(after.state_store_downs, before.state_store_downs);
	metrics_set_state_store(false);
	metrics_set_state_store(true);
	metrics_set_state_store(false);
	metrics_read(&after);
	assert_int_equal(after.state_store_up, 0);
	assert_int_equal(after.state_store_downs - before.state_store_downs, 2);
	assert_int_equal(metrics_format(&after, text, sizeof(text)), 0);
	check_exposition(text);
	assert_line("ptrmilter_state_store_up 0");
	assert_line("ptrmilter_state_store_downs_total %" PRIu64,
	    after.state_store_downs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_daemon_writes_valid_exposition),
		cmocka_unit_test(test_resolver_and_breaker_counts),
		cmocka_unit_test(test_state_store_gauge_and_downs),
		cmocka_unit_test(test_every_series_present_at_zero),
		cmocka_unit_test(test_every_tag_present),
		cmocka_unit_test(test_histogram_buckets_cumulative),
		cmocka_unit_test(test_label_values_escaped),
		cmocka_unit_test(test_large_counters_exact),
		cmocka_unit_test(test_small_buffer_refused_not_cut),
		cmocka_unit_test(test_dns_outcomes_land_in_their_series),
		cmocka_unit_test(test_verdict_counts_iprev_action_tags_latency),
		cmocka_unit_test(test_other_counts_and_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
