/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict_record.c - the decision and message lines, as text or JSON,
 * from one record; see verdict_record.h.
 *
 * It promises that both forms say the same: the text line of a judged
 * client is verdict_log_line() itself, and the JSON object reads the same
 * fields from the same record.  Nothing the client or the MTA sent is
 * written but through safe_text().
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dns_status.h"
#include "safe_text.h"
#include "verdict_record.h"

#define SCORE_TEXT_MAX 32
#define ELLIPSIS "..."

/* A line being built; the first error sticks and empties it at the end. */
struct line {
	char *buf;
	size_t size;
	size_t pos;
	bool error;
	const char *sep;	/* JSON: before the next key */
};

static void add(struct line *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int finish(struct line *l);
static void add_queue_id(struct line *l, const char *queue_id);
static void json_key(struct line *l, const char *key);
static void json_string(struct line *l, const char *key, const char *s);
static void json_ulong(struct line *l, const char *key, unsigned long n,
    bool known);
static void json_bool(struct line *l, const char *key, bool b);
static void json_tags(struct line *l, const struct verdict_input *in,
    const struct verdict *v);
static void json_verdict(struct line *l, const struct verdict_record *r);
static const char *exemption(const struct verdict_record *r);
static void add_exemption(struct line *l, const struct verdict_record *r);

static void
add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->error)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->pos, l->size - l->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= l->size - l->pos) {
		l->error = true;
		return;
	}
	l->pos += (size_t)n;
}

static int
finish(struct line *l)
{
	if (l->error) {
		l->buf[0] = '\0';
		return -1;
	}
	return 0;
}

/* {i} is the MTA's word, not ours: letters and digits only, cut. */
static void
add_queue_id(struct line *l, const char *queue_id)
{
	char shown[SAFE_TEXT_QUEUE_ID_SHOWN + 1];

	(void)safe_text(shown, sizeof(shown), queue_id, SAFE_TEXT_ALL,
	    SAFE_TEXT_QUEUE_ID);
	add(l, "queue_id=%s", shown[0] != '\0' ? shown : "-");
}

int
verdict_record_text(const struct verdict_record *r, char *buf, size_t size)
{
	struct line l = { buf, size, 0, size == 0, "" };
	bool queue_known = r->queue_id != NULL && r->queue_id[0] != '\0';

	if (size == 0)
		return -1;
	buf[0] = '\0';
	add(&l, "conn=%lu ", r->conn);
	if (r->event == VERDICT_EVENT_MESSAGE) {
		add(&l, "msg=%lu ", r->msg);
		add_queue_id(&l, r->queue_id);
		add(&l, " ");
	}
	if (!l.error && r->in != NULL && r->v != NULL) {
		if (verdict_log_line(r->in, r->v, buf + l.pos, size - l.pos) ==
		    -1)
			l.error = true;
		else
			l.pos += strlen(buf + l.pos);
	} else {
		add(&l, "action=accept ip=%s", r->ip != NULL ? r->ip : "-");
	}
	if (r->event == VERDICT_EVENT_DECISION) {
		if (r->msg != 0)
			add(&l, " msg=%lu", r->msg);
		if (queue_known) {
			add(&l, " ");
			add_queue_id(&l, r->queue_id);
		}
		add_exemption(&l, r);
		if (r->exempt_source != NULL)
			add(&l, " list=%s", r->exempt_source);
		return finish(&l);
	}
	add_exemption(&l, r);
	add(&l, " forged_removed=%zu headers=%s", r->forged_removed,
	    r->headers_added ? "added" : "none");
	return finish(&l);
}

static void
json_key(struct line *l, const char *key)
{
	add(l, "%s\"%s\":", l->sep, key);
	l->sep = ",";
}

/* s escaped and cut to VERDICT_NAME_SHOWN characters with "..."; NULL
 * is null. */
static void
json_string(struct line *l, const char *key, const char *s)
{
	char shown[VERDICT_NAME_SHOWN + 1];
	size_t room = sizeof(shown) - (sizeof(ELLIPSIS) - 1), used;

	json_key(l, key);
	if (s == NULL) {
		add(l, "null");
		return;
	}
	used = safe_text(shown, room, s, SAFE_TEXT_ALL, SAFE_TEXT_JSON);
	add(l, "\"%s%s\"", shown, s[used] != '\0' ? ELLIPSIS : "");
}

static void
json_ulong(struct line *l, const char *key, unsigned long n, bool known)
{
	json_key(l, key);
	if (known)
		add(l, "%lu", n);
	else
		add(l, "null");
}

static void
json_bool(struct line *l, const char *key, bool b)
{
	json_key(l, key);
	add(l, "%s", b ? "true" : "false");
}

/* [{"tag":"no_ptr","reason":null}, ...] in the order of enum tag. */
static void
json_tags(struct line *l, const struct verdict_input *in,
    const struct verdict *v)
{
	const char *sep = l->sep;

	json_key(l, "tags");
	add(l, "[");
	l->sep = "";
	for (unsigned t = 0; t < TAG_COUNT; t++) {
		const char *why = in->findings->reason[t];

		if (!(v->tags & TAG_BIT(t)))
			continue;
		add(l, "%s{", l->sep);
		l->sep = "";
		json_string(l, "tag", tag_name(t));
		json_string(l, "reason", why[0] != '\0' ? why : NULL);
		add(l, "}");
	}
	add(l, "]");
	l->sep = sep;
}

/* The verdict's keys; null for each when the client was not judged. */
static void
json_verdict(struct line *l, const struct verdict_record *r)
{
	const struct verdict_input *in = r->in;
	const struct verdict *v = r->v;
	char score[SCORE_TEXT_MAX];
	bool judged = in != NULL && v != NULL;

	json_string(l, "helo", judged ? in->helo : NULL);
	json_string(l, "ptr", judged ? verdict_ptr_name(in->fcrdns) : NULL);
	json_string(l, "iprev", judged ? iprev_name(v->iprev) : NULL);
	json_string(l, "dnssec", judged ?
	    dnssec_state_name(in->fcrdns->dnssec) : NULL);
	json_key(l, "score");
	if (judged) {
		verdict_format_score(v->score, score, sizeof(score));
		add(l, "%s", score);
		json_tags(l, in, v);
	} else {
		add(l, "null");
		json_key(l, "tags");
		add(l, "null");
	}
	json_string(l, "action", verdict_action_name(judged ? v->action :
	    VERDICT_ACCEPT));
	json_string(l, "mode", r->mode == POLICY_MODE_DRY_RUN ? "dry-run" :
	    "enforce");
	json_bool(l, "enforced", judged && v->enforced);
	json_string(l, "exemption", exemption(r));
	json_string(l, "exemption_source", r->exempt_source);
	json_ulong(l, "ms", judged ? in->fcrdns->ms : 0, judged);
	json_key(l, "cached");
	add(l, "%s", !judged ? "null" : in->fcrdns->cached ? "true" : "false");
	json_string(l, "mta_resolve", judged ? in->mta_resolve : NULL);
	json_string(l, "mta_ptr", judged ? in->mta_ptr : NULL);
}

static void
add_exemption(struct line *l, const struct verdict_record *r)
{
	const char *e = exemption(r);

	if (e != NULL)
		add(l, " exempt=%s", e);
}

/* The one exemption that applied: the session's kind, else the
 * allow-list entry the verdict names. */
static const char *
exemption(const struct verdict_record *r)
{
	if (r->exempt != NULL)
		return r->exempt;
	return r->in != NULL ? r->in->exemption : NULL;
}

int
verdict_record_json(const struct verdict_record *r, char *buf, size_t size)
{
	struct line l = { buf, size, 0, size == 0, "" };
	char queue_id[SAFE_TEXT_QUEUE_ID_SHOWN + 1];
	bool queue_known = r->queue_id != NULL && r->queue_id[0] != '\0';

	if (size == 0)
		return -1;
	buf[0] = '\0';
	add(&l, "{");
	json_string(&l, "event", r->event == VERDICT_EVENT_MESSAGE ?
	    "message" : "decision");
	json_ulong(&l, "conn", r->conn, true);
	json_ulong(&l, "msg", r->msg, r->msg != 0);
	(void)safe_text(queue_id, sizeof(queue_id), r->queue_id,
	    SAFE_TEXT_ALL, SAFE_TEXT_QUEUE_ID);
	json_string(&l, "queue_id", queue_known ? queue_id : NULL);
	json_string(&l, "ip", r->ip);
	json_verdict(&l, r);
	if (r->event == VERDICT_EVENT_MESSAGE) {
		json_ulong(&l, "forged_removed", r->forged_removed, true);
		json_bool(&l, "headers_added", r->headers_added);
	}
	add(&l, "}");
	return finish(&l);
}
