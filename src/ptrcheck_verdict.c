/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptrcheck_verdict.c - ptrcheck's output of what the daemon would decide:
 * the HELO and what its lookups returned, every tag with its reason and
 * weight, the score and the action it leads to, and the SMTP reply of a
 * refusal; as text lines and as JSON keys.  See ptrcheck_report.h.
 *
 * It decides nothing itself: the findings, score, action and reply come
 * from assess_run(), exactly as in the daemon.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ptrcheck_report.h"

/* Room for any number printed here: weights, scores, thresholds. */
#define NUMBER_MAX REPORT_NUMBER_MAX

static const char *lookup_status(enum dns_status s);
static const char *helo_kind_note(enum helo_kind k);
static void put_helo_forward(FILE *out, const struct helo_forward *fw,
    int family, const char *type);
static void put_helo_text(FILE *out, const struct report *r);
static void put_tags_text(FILE *out, const struct report *r);
static bool threshold_reached(double threshold, double score);
static void put_score_text(FILE *out, const struct report *r);
static void put_json_addrs(FILE *out, const struct helo_forward *fw);

void
report_format_number(double d, bool decimal, char *buf, size_t size)
{
	size_t n;

	snprintf(buf, size, "%.3f", d);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.') {
		if (decimal && n + 1 < size) {
			buf[n++] = '0';
			buf[n] = '\0';
		} else if (!decimal) {
			buf[--n] = '\0';
		}
	}
	if (strcmp(buf, "-0") == 0 || strcmp(buf, "-0.0") == 0)
		memmove(buf, buf + 1, strlen(buf));
}

/* The HELO lookups keep no rcode: a temporary failure is named as such
 * rather than guessed to be a SERVFAIL. */
static const char *
lookup_status(enum dns_status s)
{
	if (s == DNS_TEMPFAIL)
		return "TEMPFAIL";
	return dns_status_name(s, DNS_RCODE_NOERROR);
}

/* Why a HELO was not looked up, for every kind but a host name. */
static const char *
helo_kind_note(enum helo_kind k)
{
	switch (k) {
	case HELO_INVALID:
		return "invalid";
	case HELO_BARE_IP:
		return "bare address";
	case HELO_LITERAL:
		return "address literal";
	case HELO_SINGLE_LABEL:
		return "single label: not looked up";
	case HELO_NONE:
	case HELO_HOSTNAME:
		break;
	}
	return "not looked up";
}

/* " A NOERROR 198.51.100.20" - the addresses of one family only, since
 * both answers share one array in the order they arrived. */
static void
put_helo_forward(FILE *out, const struct helo_forward *fw, int family,
    const char *type)
{
	enum dns_status s = family == AF_INET ? fw->a : fw->aaaa;
	char text[ADDR_TEXT_MAX];

	fprintf(out, " %s %s", type, lookup_status(s));
	for (size_t i = 0; i < fw->naddrs; i++) {
		if (fw->addrs[i].family != family ||
		    addr_format(&fw->addrs[i], text, sizeof(text)) == -1)
			continue;
		fprintf(out, " %s", text);
	}
}

/* "helo:    mail.example.com A NOERROR 198.51.100.20, AAAA NODATA" */
static void
put_helo_text(FILE *out, const struct report *r)
{
	fprintf(out, "  helo:    ");
	if (r->helo == NULL) {
		fprintf(out, "(none)\n");
		return;
	}
	if (r->helo[0] == '\0')
		fprintf(out, "\"\"");
	report_printable(out, r->helo);
	if (r->parsed->kind != HELO_HOSTNAME || r->forward == NULL) {
		fprintf(out, " (%s)\n", helo_kind_note(r->parsed->kind));
		return;
	}
	put_helo_forward(out, r->forward, AF_INET, "A");
	fputc(',', out);
	put_helo_forward(out, r->forward, AF_INET6, "AAAA");
	fputc('\n', out);
}

/* "tags:    no_ptr +5.0, helo_generic[ip-in-name:198-51-100-40] +0.5" */
static void
put_tags_text(FILE *out, const struct report *r)
{
	const char *sep = "";
	char weight[NUMBER_MAX];

	fprintf(out, "  tags:    ");
	if (r->verdict->tags == 0)
		fprintf(out, "-");
	for (unsigned t = 0; t < TAG_COUNT; t++) {
		const char *reason = r->findings->reason[t];
		double w = r->policy->score[t];

		if (!(r->verdict->tags & TAG_BIT(t)))
			continue;
		fprintf(out, "%s%s", sep, tag_name((enum tag)t));
		if (reason[0] != '\0') {
			fputc('[', out);
			report_printable(out, reason);
			fputc(']', out);
		}
		report_format_number(w, true, weight, sizeof(weight));
		fprintf(out, " %s%s", w >= 0 ? "+" : "", weight);
		sep = ", ";
	}
	fputc('\n', out);
}

/* Both numbers have at most three decimals (policy.c, verdict.c), so
 * each is the double nearest its decimal value and >= is exact. */
static bool
threshold_reached(double threshold, double score)
{
	return isfinite(threshold) && score >= threshold;
}

/* "score:   5.3 -> tempfail (tempfail_score 5)", and the reply. */
static void
put_score_text(FILE *out, const struct report *r)
{
	const struct policy *p = r->policy;
	const struct verdict *v = r->verdict;
	char score[NUMBER_MAX], limit[NUMBER_MAX];
	bool dry = v->action != VERDICT_ACCEPT && !v->enforced;

	report_format_number(v->score, true, score, sizeof(score));
	fprintf(out, "  score:   %s -> %s", score,
	    verdict_action_name(v->action));
	switch (v->cause) {
	case VERDICT_CAUSE_NONE:
		break;
	case VERDICT_CAUSE_SCORE:
		if (v->action == VERDICT_REJECT) {
			report_format_number(p->reject_score, false, limit,
			    sizeof(limit));
			fprintf(out, " (reject_score %s)", limit);
		} else if (threshold_reached(p->reject_score, v->score)) {
			report_format_number(p->reject_score, false, limit,
			    sizeof(limit));
			fprintf(out, " (reject_score %s, but DNS failed "
			    "temporarily: tempfail at most)", limit);
		} else {
			report_format_number(p->tempfail_score, false, limit,
			    sizeof(limit));
			fprintf(out, " (tempfail_score %s)", limit);
		}
		break;
	case VERDICT_CAUSE_DNS_ERROR:
		fprintf(out, " (on_dns_error tempfail: DNS failed "
		    "temporarily)");
		break;
	case VERDICT_CAUSE_DNS_GRACE:
		fprintf(out, " (tempfail_limit passed)");
		break;
	case VERDICT_CAUSE_EXEMPT:
		/* From the policy, never the network. */
		fprintf(out, " (exempt=%s)", r->exemption != NULL ?
		    r->exemption : "-");
		break;
	}
	fprintf(out, "%s\n", dry ? " mode=dry-run" : "");
	if (v->action != VERDICT_ACCEPT)
		fprintf(out, "  reply:   %s %s %s%s\n", v->rcode, v->xcode,
		    v->reply, dry ? " (not sent: mode=dry-run)" : "");
}

void
report_verdict_text(FILE *out, const struct report *r)
{
	put_helo_text(out, r);
	put_tags_text(out, r);
	put_score_text(out, r);
}

static void
put_json_addrs(FILE *out, const struct helo_forward *fw)
{
	char text[ADDR_TEXT_MAX];
	const char *sep = "";

	fputc('[', out);
	for (size_t i = 0; i < fw->naddrs; i++) {
		if (addr_format(&fw->addrs[i], text, sizeof(text)) == -1)
			continue;
		fprintf(out, "%s\"%s\"", sep, text);
		sep = ",";
	}
	fputc(']', out);
}

void
report_verdict_json(FILE *out, const struct report *r)
{
	const struct verdict *v = r->verdict;
	char score[NUMBER_MAX], reply[VERDICT_REPLY_MAX + 16];
	const char *sep = "";

	fprintf(out, ",\"tags\":[");
	for (unsigned t = 0; t < TAG_COUNT; t++) {
		if (v->tags & TAG_BIT(t)) {
			fprintf(out, "%s\"%s\"", sep, tag_name((enum tag)t));
			sep = ",";
		}
	}
	report_format_number(v->score, true, score, sizeof(score));
	fprintf(out, "],\"score\":%s,\"action\":\"%s\",\"enforced\":%s,"
	    "\"reasons\":{", score, verdict_action_name(v->action),
	    v->enforced ? "true" : "false");
	sep = "";
	for (unsigned t = 0; t < TAG_COUNT; t++) {
		if (!(v->tags & TAG_BIT(t)) || r->findings->reason[t][0] == '\0')
			continue;
		fprintf(out, "%s\"%s\":", sep, tag_name((enum tag)t));
		report_json_string(out, r->findings->reason[t]);
		sep = ",";
	}
	fputc('}', out);
	if (r->exemption != NULL) {
		fprintf(out, ",\"exempt\":");
		report_json_string(out, r->exemption);
	}
	if (v->action != VERDICT_ACCEPT) {
		snprintf(reply, sizeof(reply), "%s %s %s", v->rcode, v->xcode,
		    v->reply);
		fprintf(out, ",\"reply\":");
		report_json_string(out, reply);
	}
	if (r->helo != NULL) {
		fprintf(out, ",\"helo\":");
		report_json_string(out, r->helo);
	}
	if (r->forward != NULL) {
		fprintf(out, ",\"helo_lookup\":{\"a\":\"%s\",\"aaaa\":\"%s\","
		    "\"forward\":", lookup_status(r->forward->a),
		    lookup_status(r->forward->aaaa));
		put_json_addrs(out, r->forward);
		fputc('}', out);
	}
}
