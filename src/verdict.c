/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict.c - findings and policy to a decision and its words; see
 * verdict.h.
 *
 * It owns the rules that turn a score into accept, tempfail or reject, and
 * every text a decision is told in: the SMTP reply, the two header values
 * and the log line.  It promises that a temporary DNS failure never ends
 * in a permanent refusal, and that no untrusted byte reaches the reply at
 * all, nor a header or the log except through safe_text().
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "authres.h"
#include "provider_hint.h"
#include "safe_text.h"
#include "text.h"
#include "verdict.h"
#include "verdict_text.h"

#define TAGS_VALID (TAG_BIT(TAG_COUNT) - 1)
#define TEMPORARY_TAGS (TAG_BIT(TAG_DNS_TEMPERROR) | TAG_BIT(TAG_DNSSEC_BOGUS))
#define SCORE_TEXT_MAX 32
#define SHOWN_MAX (VERDICT_NAME_SHOWN + 1)
/* Far beyond any weight or threshold policy.c accepts, and far from
 * overflowing a long long in thousandths, 18 times over. */
#define MILLI_LIMIT 1e12

static long long milli(double d);
static bool reached(double threshold, long long score);
static enum verdict_action by_score(const struct policy *p, long long score);
static bool is_temporary(const struct verdict_input *in, tag_set tags);
static const char *reply_reason(const struct verdict *v, char *buf,
    size_t size);
static void hint_text(const struct verdict_input *in, const struct verdict *v,
    char *buf, size_t size);
static void set_reply(const struct verdict_input *in, struct verdict *v);
static void format_score(double score, char *buf, size_t size);
static void format_ip(const struct addr *a, char *buf, size_t size);
static const char *ptr_name(const struct fcrdns_result *r);
static void add_iprev(struct verdict_fold *f, const struct verdict *v,
    const struct verdict_input *in, const char *id, const char *ip);
static bool mta_agrees(const char *mta_resolve, enum iprev iprev);
static int appendf(char *buf, size_t size, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Weights and thresholds have at most three decimals (policy.c), so the
 * score is summed and compared in exact thousandths: 4.7 + 0.3 reaches a
 * threshold of 5 even though the doubles add up to 4.9999...  Rounding
 * as policy_milli() does, without libm. */
static long long
milli(double d)
{
	if (isnan(d))
		return 0;
	if (d > MILLI_LIMIT)
		d = MILLI_LIMIT;
	else if (d < -MILLI_LIMIT)
		d = -MILLI_LIMIT;
	return (long long)(d * 1000 + (d < 0 ? -0.5 : 0.5));
}

/* A threshold that is "off" (INFINITY) is never reached. */
static bool
reached(double threshold, long long score)
{
	if (isnan(threshold) || threshold > MILLI_LIMIT)
		return false;
	return score >= milli(threshold);
}

static enum verdict_action
by_score(const struct policy *p, long long score)
{
	if (reached(p->reject_score, score))
		return VERDICT_REJECT;
	if (reached(p->tempfail_score, score))
		return VERDICT_TEMPFAIL;
	return VERDICT_ACCEPT;
}

/* iprev temperror, or a finding that says DNS failed: either way the
 * client may be fine once DNS answers, so nothing permanent is said. */
static bool
is_temporary(const struct verdict_input *in, tag_set tags)
{
	return in->fcrdns->iprev == IPREV_TEMPERROR ||
	    (tags & TEMPORARY_TAGS) != 0;
}

void
verdict_decide(const struct verdict_input *in, struct verdict *out)
{
	const struct policy *p = in->policy;
	long long score = 0;

	memset(out, 0, sizeof(*out));
	out->tags = in->findings->tags & TAGS_VALID;
	out->iprev = in->fcrdns->iprev;
	for (unsigned t = 0; t < TAG_COUNT; t++) {
		if (out->tags & TAG_BIT(t))
			score += milli(p->score[t]);
	}
	out->score = (double)score / 1000;
	out->action = by_score(p, score);
	out->cause = out->action == VERDICT_ACCEPT ? VERDICT_CAUSE_NONE :
	    VERDICT_CAUSE_SCORE;

	if (is_temporary(in, out->tags)) {
		if (p->on_dns_error == POLICY_DNS_ERROR_TEMPFAIL) {
			out->action = in->dns_grace ? VERDICT_ACCEPT :
			    VERDICT_TEMPFAIL;
			out->cause = in->dns_grace ? VERDICT_CAUSE_DNS_GRACE :
			    VERDICT_CAUSE_DNS_ERROR;
		} else if (out->action == VERDICT_REJECT) {
			out->action = VERDICT_TEMPFAIL;
		}
	}
	if (in->exemption != NULL) {
		out->action = VERDICT_ACCEPT;
		out->cause = VERDICT_CAUSE_EXEMPT;
	}
	out->enforced = out->action != VERDICT_ACCEPT &&
	    p->mode == POLICY_MODE_ENFORCE;
	if (out->action != VERDICT_ACCEPT)
		set_reply(in, out);
}

/* The most serious finding, in words the client's postmaster can act on.
 * Only constant text and the score: nothing the client controls. */
static const char *
reply_reason(const struct verdict *v, char *buf, size_t size)
{
	char score[SCORE_TEXT_MAX];

	if (v->tags & TAG_BIT(TAG_DNSSEC_BOGUS))
		return "reverse DNS answer failed DNSSEC validation";
	if ((v->tags & TAG_BIT(TAG_DNS_TEMPERROR)) ||
	    v->iprev == IPREV_TEMPERROR)
		return "cannot verify your reverse hostname: "
		    "DNS lookup failed temporarily";
	if (v->tags & TAG_BIT(TAG_NO_PTR))
		return "cannot find your reverse hostname";
	if (v->tags & TAG_BIT(TAG_PTR_FORWARD_NXDOMAIN))
		return "your reverse hostname does not exist in forward DNS";
	if (v->tags & TAG_BIT(TAG_PTR_NOT_CONFIRMED))
		return "your reverse hostname does not resolve back to "
		    "your address";
	if (v->tags & TAG_BIT(TAG_PTR_GENERIC))
		return "your reverse hostname looks generic";
	format_score(v->score, score, sizeof(score));
	snprintf(buf, size, "reverse DNS checks scored %s", score);
	return buf;
}

/* "PROVIDER: where it lets a customer set reverse DNS", or "" when
 * the provider data has nothing to say about this client. */
static void
hint_text(const struct verdict_input *in, const struct verdict *v, char *buf,
    size_t size)
{
	struct provider_hint h;

	buf[0] = '\0';
	provider_hint_find(in->generic, &in->fcrdns->client, v->tags,
	    in->findings->reason[TAG_PTR_GENERIC], &h);
	if (h.show && h.id != NULL && h.text != NULL)
		snprintf(buf, size, "%s: %s", h.name, h.text);
}

static void
set_reply(const struct verdict_input *in, struct verdict *v)
{
	char ip[ADDR_TEXT_MAX], why[64], hint[VERDICT_REPLY_MAX];
	bool temp = v->action == VERDICT_TEMPFAIL;
	const char *text = in->policy->reply_text;
	struct reply_values values;

	snprintf(v->rcode, sizeof(v->rcode), "%s", temp ? "450" : "550");
	snprintf(v->xcode, sizeof(v->xcode), "%s", temp ? "4.7.25" : "5.7.25");
	format_ip(&in->fcrdns->client, ip, sizeof(ip));
	hint_text(in, v, hint, sizeof(hint));
	values = (struct reply_values){
		.reason = reply_reason(v, why, sizeof(why)),
		.ip = ip,
		.ptr = ptr_name(in->fcrdns),
		.helo = in->helo,
		.hint = hint,
	};
	reply_text_expand(text != NULL ? text : REPLY_TEXT_DEFAULT, &values,
	    v->reply, sizeof(v->reply));
}

/* "%.1f", without the "-0.0" that a small negative sum would print. */
static void
format_score(double score, char *buf, size_t size)
{
	snprintf(buf, size, "%.1f", score);
	if (strcmp(buf, "-0.0") == 0)
		snprintf(buf, size, "0.0");
}

static void
format_ip(const struct addr *a, char *buf, size_t size)
{
	if (addr_format(a, buf, size) == -1)
		snprintf(buf, size, "unknown");
}

/* The name a verdict shows: the confirmed one, else the first; NULL if
 * there is none. */
static const char *
ptr_name(const struct fcrdns_result *r)
{
	size_t i = 0;

	if (r->names == NULL || r->nnames == 0)
		return NULL;
	if (r->confirmed >= 0 && (size_t)r->confirmed < r->nnames)
		i = (size_t)r->confirmed;
	return r->names[i].name;
}

/* "id; iprev=pass policy.iprev=IP (name; dnssec=secure)" as tokens.  The
 * property's value is RFC 8601's pvalue: an IPv4 address is a token, an
 * IPv6 one holds ':', a tspecial, and is written as a quoted-string. */
static void
add_iprev(struct verdict_fold *f, const struct verdict *v,
    const struct verdict_input *in, const char *id, const char *ip)
{
	char name[SHOWN_MAX];
	const char *ptr = ptr_name(in->fcrdns);
	const char *dnssec = dnssec_state_name(in->fcrdns->dnssec);
	const char *prop = in->policy->auth_results_property ==
	    POLICY_AR_SMTP_REMOTE_IP ? "smtp.remote-ip" : "policy.iprev";

	verdict_fold_add(f, "%s;", id);
	verdict_fold_add(f, "iprev=%s", iprev_name(v->iprev));
	if (strchr(ip, ':') != NULL)
		verdict_fold_add(f, "%s=\"%s\"", prop, ip);
	else
		verdict_fold_add(f, "%s=%s", prop, ip);
	if (ptr != NULL) {
		(void)safe_text(name, sizeof(name), ptr, SAFE_TEXT_ALL,
		    SAFE_TEXT_HEADER_NAME);
		verdict_fold_add(f, "(%s;", name);
		verdict_fold_add(f, "dnssec=%s)", dnssec);
	} else {
		verdict_fold_add(f, "(dnssec=%s)", dnssec);
	}
}

int
verdict_auth_results(const struct verdict_input *in,
    const struct verdict *v, const char *authserv_id, char *buf, size_t size)
{
	static const char field[] = "Authentication-Results: ";
	char ip[ADDR_TEXT_MAX];
	struct verdict_fold f;

	verdict_fold_init(&f, buf, size, sizeof(field) - 1);
	/* The id goes out unchanged - it is what incoming headers are
	 * compared with (authres_is_ours()) - so one that is not a token
	 * is not written at all.  Without an id or an address there is no
	 * valid header; f's empty value makes verdict_fold_end() fail. */
	if (authres_id_valid(authserv_id) &&
	    addr_format(&in->fcrdns->client, ip, sizeof(ip)) == 0)
		add_iprev(&f, v, in, authserv_id, ip);
	return verdict_fold_end(&f);
}

int
verdict_score_header(const struct verdict_input *in,
    const struct verdict *v, const char *header_name, char *buf, size_t size)
{
	char score[SCORE_TEXT_MAX], shown[SHOWN_MAX];
	char reason[TAG_REASON_MAX];
	const char *ptr = ptr_name(in->fcrdns), *open = "(";
	tag_set left = v->tags & TAGS_VALID;
	struct verdict_fold f;

	if (header_name == NULL)
		header_name = "";
	verdict_fold_init(&f, buf, size, strnlen(header_name,
	    VERDICT_LINE_MAX) + 2);
	format_score(v->score, score, sizeof(score));
	verdict_fold_add(&f, "%s", score);
	if (left == 0)
		verdict_fold_add(&f, "()");
	for (unsigned t = 0; t < TAG_COUNT; t++) {
		if (!(left & TAG_BIT(t)))
			continue;
		left &= ~TAG_BIT(t);
		/* Reasons are filtered when added; again here, since a
		 * struct findings may be filled in by hand. */
		(void)safe_text(reason, sizeof(reason),
		    in->findings->reason[t], SAFE_TEXT_ALL,
		    SAFE_TEXT_HEADER_REASON);
		verdict_fold_add(&f, "%s%s%s%s%s%s", open, tag_name(t),
		    reason[0] != '\0' ? "[" : "", reason,
		    reason[0] != '\0' ? "]" : "", left == 0 ? ")" : "");
		open = "";
	}
	if (in->helo == NULL) {
		verdict_fold_add(&f, "helo=<none>");
	} else {
		(void)safe_text(shown, sizeof(shown), in->helo, SAFE_TEXT_ALL,
		    SAFE_TEXT_HEADER);
		verdict_fold_add(&f, "helo=%s", shown);
	}
	(void)safe_text(shown, sizeof(shown), ptr != NULL ? ptr : "-",
	    SAFE_TEXT_ALL, SAFE_TEXT_HEADER_NAME);
	verdict_fold_add(&f, "ptr=%s", shown);
	return verdict_fold_end(&f);
}

/* Postfix's and Sendmail's {client_resolve} next to our iprev result. */
static bool
mta_agrees(const char *mta_resolve, enum iprev iprev)
{
	static const struct {
		const char *word;
		enum iprev iprev;
	} same[] = {
		{ "OK", IPREV_PASS },
		{ "FORGED", IPREV_FAIL },
		{ "FAIL", IPREV_PERMERROR },
		{ "TEMP", IPREV_TEMPERROR },
	};

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		if (strcmp(mta_resolve, same[i].word) == 0)
			return same[i].iprev == iprev;
	}
	return false;
}

static int
appendf(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= size)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *pos) {
		buf[*pos] = '\0';
		return -1;
	}
	*pos += (size_t)n;
	return 0;
}

int
verdict_log_line(const struct verdict_input *in, const struct verdict *v,
    char *buf, size_t size)
{
	char ip[ADDR_TEXT_MAX], score[SCORE_TEXT_MAX], shown[SHOWN_MAX];
	const char *ptr = ptr_name(in->fcrdns), *sep = "";
	size_t pos = 0;
	int ret = -1;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	format_ip(&in->fcrdns->client, ip, sizeof(ip));
	format_score(v->score, score, sizeof(score));
	if (appendf(buf, size, &pos, "action=%s ip=%s ",
	    verdict_action_name(v->action), ip) == -1)
		goto end;
	/* helo=- when none was sent; a HELO of "-" shows as helo=<->. */
	(void)safe_text(shown, sizeof(shown), in->helo, SAFE_TEXT_ALL,
	    SAFE_TEXT_HEADER);
	if (appendf(buf, size, &pos, "helo=%s%s%s", in->helo == NULL ? "-" :
	    "<", shown, in->helo == NULL ? "" : ">") == -1)
		goto end;
	(void)safe_text(shown, sizeof(shown), ptr != NULL ? ptr : "-",
	    SAFE_TEXT_ALL, SAFE_TEXT_HEADER_NAME);
	if (appendf(buf, size, &pos, " ptr=%s iprev=%s dnssec=%s score=%s tags=",
	    shown, iprev_name(v->iprev),
	    dnssec_state_name(in->fcrdns->dnssec), score) == -1)
		goto end;
	for (unsigned t = 0; t < TAG_COUNT; t++) {
		if (!(v->tags & TAG_BIT(t)))
			continue;
		const char *why = in->findings->reason[t];

		/* Reasons are filtered by findings_add(): no spaces, no
		 * brackets, so the line still splits on spaces and commas. */
		if (appendf(buf, size, &pos, "%s%s%s%s%s", sep, tag_name(t),
		    *why != '\0' ? "[" : "", why, *why != '\0' ? "]" : "") ==
		    -1)
			goto end;
		sep = ",";
	}
	if (appendf(buf, size, &pos, "%s ms=%u%s", *sep == '\0' ? "-" : "",
	    in->fcrdns->ms, in->fcrdns->cached ? " cached=yes" : "") == -1)
		goto end;
	if (v->action != VERDICT_ACCEPT && in->policy->mode ==
	    POLICY_MODE_DRY_RUN && text_append(buf, size, &pos,
	    " mode=dry-run") == -1)
		goto end;
	if (in->mta_resolve != NULL && in->mta_resolve[0] != '\0' &&
	    !mta_agrees(in->mta_resolve, v->iprev)) {
		(void)safe_text(shown, sizeof(shown), in->mta_resolve,
		    SAFE_TEXT_ALL, SAFE_TEXT_HEADER);
		if (appendf(buf, size, &pos, " mta_resolve=%s", shown) == -1)
			goto end;
		(void)safe_text(shown, sizeof(shown), in->mta_ptr,
		    SAFE_TEXT_ALL, SAFE_TEXT_HEADER);
		if (appendf(buf, size, &pos, " mta_ptr=%s%s%s",
		    in->mta_ptr == NULL ? "-" : "<", shown,
		    in->mta_ptr == NULL ? "" : ">") == -1)
			goto end;
	}
	ret = 0;
end:
	if (ret == -1)
		buf[0] = '\0';
	return ret;
}

const char *
verdict_action_name(enum verdict_action a)
{
	switch (a) {
	case VERDICT_TEMPFAIL:
		return "tempfail";
	case VERDICT_REJECT:
		return "reject";
	case VERDICT_ACCEPT:
		break;
	}
	return "accept";
}

const char *
verdict_ptr_name(const struct fcrdns_result *r)
{
	return ptr_name(r);
}

void
verdict_format_score(double score, char *buf, size_t size)
{
	format_score(score, buf, size);
}
