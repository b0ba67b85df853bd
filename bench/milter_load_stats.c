/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_load_stats.c - latency histograms and the report of
 * bench/milter_load.  The histogram is log-linear with fixed memory, so
 * that recording costs a few instructions and no allocation whatever the
 * length of the run; the report is a table for people and one JSON line
 * for scripts (bench/lib.sh reads it with jq).
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "milter_load.h"

#define SUB_BITS	8
#define SUB_COUNT	(1U << SUB_BITS)
#define SUB_HALF	(SUB_COUNT / 2)
#define MAX_SHIFT	24
#define HIST_MAX_US	(((uint64_t)SUB_COUNT << MAX_SHIFT) - 1)

const char *const ml_step_names[ML_NSTEPS] = {
	"optneg", "connect", "helo", "mail", "rcpt", "data", "header", "eoh",
	"body", "eom", "verdict", "session"
};
const char *const ml_err_names[ML_NERR] = {
	"connect", "timeout", "closed", "protocol", "io"
};
const char *const ml_outcome_names[ML_NOUT] = {
	"continue", "accept", "reject", "tempfail", "discard"
};
const char *const ml_mod_names[ML_NMOD] = {
	"addheader", "insheader", "chgheader", "other", "progress"
};

static unsigned	bucket_of(uint64_t us);
static uint64_t	bucket_high(unsigned idx);
static double	ms(uint64_t us);
static double	deadline_pct(const struct ml_report *r);
static void	json_step(FILE *fp, const char *name, const struct ml_hist *h,
		    int comma);

/* Values below SUB_COUNT map to themselves; above, the top 8 bits of the
 * value (its leading one and seven more) pick one of 128 buckets in the
 * value's power of two. */
static unsigned
bucket_of(uint64_t us)
{
	unsigned msb, shift;

	if (us < SUB_COUNT)
		return (unsigned)us;
	if (us > HIST_MAX_US)
		us = HIST_MAX_US;
	msb = 63U - (unsigned)__builtin_clzll(us);
	shift = msb - (SUB_BITS - 1);
	return SUB_COUNT + (shift - 1) * SUB_HALF +
	    (unsigned)((us >> shift) - SUB_HALF);
}

/* The largest value that lands in bucket idx. */
static uint64_t
bucket_high(unsigned idx)
{
	unsigned shift, sub;

	if (idx < SUB_COUNT)
		return idx;
	shift = (idx - SUB_COUNT) / SUB_HALF + 1;
	sub = (idx - SUB_COUNT) % SUB_HALF + SUB_HALF;
	return (((uint64_t)sub + 1) << shift) - 1;
}

void
ml_hist_add(struct ml_hist *h, uint64_t us)
{
	h->bucket[bucket_of(us)]++;
	h->count++;
	h->sum_us += us;
	if (us > h->max_us)
		h->max_us = us;
}

uint64_t
ml_hist_percentile(const struct ml_hist *h, double pct)
{
	uint64_t want, seen = 0, v;
	unsigned i;

	if (h->count == 0)
		return 0;
	want = (uint64_t)(pct / 100.0 * (double)h->count + 0.999999);
	if (want < 1)
		want = 1;
	if (want > h->count)
		want = h->count;
	for (i = 0; i < ML_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= want)
			break;
	}
	if (i == ML_HIST_BUCKETS)
		return h->max_us;
	v = bucket_high(i);
	return v > h->max_us ? h->max_us : v;
}

static double
ms(uint64_t us)
{
	return (double)us / 1000.0;
}

uint64_t
ml_report_errors(const struct ml_report *r)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < ML_NERR; i++)
		n += r->err[i];
	return n;
}

static double
deadline_pct(const struct ml_report *r)
{
	uint64_t all = r->sessions + ml_report_errors(r);

	return all ? 100.0 * (double)r->deadline_hits / (double)all : 0.0;
}

void
ml_report_text(FILE *fp, const struct ml_report *r)
{
	int i;

	fprintf(fp, "target        %s\n", r->target);
	if (r->open_loop)
		fprintf(fp, "mode          open loop, %.1f sessions/s offered\n",
		    r->rate);
	else
		fprintf(fp, "mode          closed loop, %u concurrent\n",
		    r->concurrency);
	fprintf(fp, "milter        version %u actions 0x%03x protocol "
	    "0x%06x\n", r->milter_version, (unsigned)r->milter_actions,
	    (unsigned)r->milter_protocol);
	fprintf(fp, "sessions      %llu\n", (unsigned long long)r->sessions);
	fprintf(fp, "seconds       %.3f\n", r->seconds);
	fprintf(fp, "sessions/s    %.1f\n",
	    r->seconds > 0 ? (double)r->sessions / r->seconds : 0.0);
	fprintf(fp, "errors        %llu (", (unsigned long long)
	    ml_report_errors(r));
	for (i = 0; i < ML_NERR; i++)
		fprintf(fp, "%s%s %llu", i ? ", " : "", ml_err_names[i],
		    (unsigned long long)r->err[i]);
	fprintf(fp, ")\noutcomes      ");
	for (i = 0; i < ML_NOUT; i++)
		fprintf(fp, "%s%s %llu", i ? ", " : "", ml_outcome_names[i],
		    (unsigned long long)r->outcome[i]);
	fprintf(fp, "\nrcpt refused  %llu\nmods          ",
	    (unsigned long long)r->rcpt_refused);
	for (i = 0; i < ML_NMOD; i++)
		fprintf(fp, "%s%s %llu", i ? ", " : "", ml_mod_names[i],
		    (unsigned long long)r->mod[i]);
	fprintf(fp, "\n");
	if (r->open_loop)
		fprintf(fp, "dropped       %llu (over --max-inflight)\n",
		    (unsigned long long)r->dropped);
	if (r->have_deadline)
		fprintf(fp, "deadline      %.3f%% of sessions had their verdict "
		    "within %g ms\n", deadline_pct(r), r->deadline_ms);
	fprintf(fp, "\n%-9s %9s %9s %9s %9s %9s %9s %9s  (ms)\n", "step",
	    "count", "p50", "p90", "p99", "p99.9", "max", "mean");
	for (i = 0; i < ML_NSTEPS; i++) {
		const struct ml_hist *h = &r->hist[i];

		if (h->count == 0) {
			fprintf(fp, "%-9s %9s\n", ml_step_names[i], "-");
			continue;
		}
		fprintf(fp, "%-9s %9llu %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n",
		    ml_step_names[i], (unsigned long long)h->count,
		    ms(ml_hist_percentile(h, 50)), ms(ml_hist_percentile(h, 90)),
		    ms(ml_hist_percentile(h, 99)),
		    ms(ml_hist_percentile(h, 99.9)), ms(h->max_us),
		    (double)h->sum_us / (double)h->count / 1000.0);
	}
}

static void
json_step(FILE *fp, const char *name, const struct ml_hist *h, int comma)
{
	fprintf(fp, "%s\"%s\":{\"count\":%llu,\"p50_ms\":%.3f,\"p90_ms\":%.3f,"
	    "\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,\"mean_ms\":%.3f}",
	    comma ? "," : "", name, (unsigned long long)h->count,
	    ms(ml_hist_percentile(h, 50)), ms(ml_hist_percentile(h, 90)),
	    ms(ml_hist_percentile(h, 99)), ms(ml_hist_percentile(h, 99.9)),
	    ms(h->max_us), h->count ? (double)h->sum_us /
	    (double)h->count / 1000.0 : 0.0);
}

void
ml_report_json(FILE *fp, const struct ml_report *r)
{
	const char *p;
	int i;

	fprintf(fp, "{\"mode\":\"%s\",", r->open_loop ? "open" : "closed");
	if (r->open_loop)
		fprintf(fp, "\"rate\":%.3f,", r->rate);
	else
		fprintf(fp, "\"concurrency\":%u,", r->concurrency);
	/* The target is the user's own argument, but keep the line JSON. */
	fputs("\"target\":\"", fp);
	for (p = r->target; *p != '\0'; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '"' || ch == '\\')
			fprintf(fp, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(fp, "\\u%04x", ch);
		else
			fputc(ch, fp);
	}
	fprintf(fp, "\",\"milter\":{\"version\":%u,\"actions\":%u,"
	    "\"protocol\":%u},", r->milter_version,
	    (unsigned)r->milter_actions, (unsigned)r->milter_protocol);
	fprintf(fp, "\"sessions\":%llu,\"seconds\":%.3f,\"sessions_per_s\":%.1f,"
	    "\"errors\":%llu,\"error_kinds\":{", (unsigned long long)r->sessions,
	    r->seconds, r->seconds > 0 ? (double)r->sessions / r->seconds : 0.0,
	    (unsigned long long)ml_report_errors(r));
	for (i = 0; i < ML_NERR; i++)
		fprintf(fp, "%s\"%s\":%llu", i ? "," : "", ml_err_names[i],
		    (unsigned long long)r->err[i]);
	fprintf(fp, "},\"outcomes\":{");
	for (i = 0; i < ML_NOUT; i++)
		fprintf(fp, "%s\"%s\":%llu", i ? "," : "", ml_outcome_names[i],
		    (unsigned long long)r->outcome[i]);
	fprintf(fp, "},\"rcpt_refused\":%llu,\"dropped\":%llu,\"mods\":{",
	    (unsigned long long)r->rcpt_refused,
	    (unsigned long long)r->dropped);
	for (i = 0; i < ML_NMOD; i++)
		fprintf(fp, "%s\"%s\":%llu", i ? "," : "", ml_mod_names[i],
		    (unsigned long long)r->mod[i]);
	fprintf(fp, "},\"steps\":{");
	for (i = 0; i < ML_NSTEPS; i++)
		json_step(fp, ml_step_names[i], &r->hist[i], i > 0);
	fprintf(fp, "},");
	if (r->have_deadline)
		fprintf(fp, "\"deadline_ms\":%g,\"deadline_pct\":%.3f}\n",
		    r->deadline_ms, deadline_pct(r));
	else
		fprintf(fp, "\"deadline_pct\":null}\n");
}
