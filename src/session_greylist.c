/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session_greylist.c - selective greylisting at RCPT (issue 16): a client
 * whose verdict accepts but whose score reached greylist_score has its
 * first attempt for each (network, sender, recipient) deferred with
 * "451 4.7.1" until it retries after greylist_delay.
 *
 * RCPT, because the triplet needs the recipient.  Not greylisted: exempt
 * networks and clients without an address (not judged), authenticated
 * clients (msg_exempt, the caller's test), exempt_ptr_domains (the
 * verdict's exemption), recipients in exempt_recipients, and everybody
 * while the state store cannot answer.  In dry-run the store is asked
 * and written as in enforce - so that the log tells what enforce would
 * do, and a switch to enforce finds the networks that retried already
 * passed - but nothing is deferred.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

#include "greylist_store.h"
#include "log.h"
#include "metrics.h"
#include "policy_keys.h"
#include "recipient.h"
#include "session_state.h"

static bool in_band(const struct session *s);
static bool recipient_exempt(const struct session *s, const char *rcpt);
static void log_greylist(const struct session *s,
    const struct greylist_outcome *g, bool dry_run);
static void defer(const struct greylist_outcome *g,
    struct session_answer *out);

bool
session_greylist(struct session *s, const char *rcpt,
    struct session_answer *out)
{
	const struct policy *p = s->snap->policy;
	struct greylist_outcome g;
	bool dry_run = p->mode == POLICY_MODE_DRY_RUN;

	if (!in_band(s) || recipient_exempt(s, rcpt))
		return false;
	greylist_check(s->shared->state, p, &s->client, s->sender, rcpt,
	    (int64_t)time(NULL), &g);
	metrics_count_greylist(g.result == GREYLIST_DEFERRED ?
	    METRICS_GREYLIST_DEFERRED : g.result == GREYLIST_PASSED ?
	    METRICS_GREYLIST_PASSED : g.result == GREYLIST_KNOWN ?
	    METRICS_GREYLIST_KNOWN : METRICS_GREYLIST_FAILOPEN);
	log_greylist(s, &g, dry_run);
	if (g.result != GREYLIST_DEFERRED || dry_run)
		return false;
	defer(&g, out);
	return true;
}

/* The middle band: the verdict accepts on the score alone (no refusal
 * earlier in the connection, no allow-list, no DNS grace), and the score
 * reached greylist_score - compared in thousandths, as the thresholds
 * are (verdict.h). */
static bool
in_band(const struct session *s)
{
	const struct policy *p = s->snap->policy;
	const struct verdict *v = &s->verdict;

	return isfinite(p->greylist_score) && !s->have_refusal &&
	    v->action == VERDICT_ACCEPT && v->cause == VERDICT_CAUSE_NONE &&
	    s->exemption[0] == '\0' &&
	    policy_milli(v->score) >= policy_milli(p->greylist_score);
}

static bool
recipient_exempt(const struct session *s, const char *rcpt)
{
	struct recipient r;
	const char *entry;

	entry = session_exempt_entry(s, rcpt, &r);
	if (entry == NULL)
		return false;
	/* Not counted in ptrmilter_recipients_exempt_total, which counts
	 * refusals waived; the entry is the policy's, the recipient is not
	 * shown. */
	log_info("conn=%lu msg=%lu ip=%s exempt=recipient:%s greylist=skipped",
	    s->id, s->messages, s->client_text, entry);
	return true;
}

/* Every word here is ours: numbers, the client's address as we format
 * it, and fixed names - no byte of the sender or recipient. */
static void
log_greylist(const struct session *s, const struct greylist_outcome *g,
    bool dry_run)
{
	const char *mode = dry_run ? " mode=dry-run" : "";

	if (s->snap->policy->log_format == POLICY_LOG_JSON) {
		log_info("{\"conn\":%lu,\"msg\":%lu,\"ip\":\"%s\","
		    "\"action\":\"%s\",\"greylist\":\"%s\",\"retry_in\":%u%s}",
		    s->id, s->messages, s->client_text,
		    g->result == GREYLIST_DEFERRED ? "greylist" : "accept",
		    g->result == GREYLIST_DEFERRED ?
		    greylist_decision_name(g->decision) :
		    greylist_result_name(g->result), g->retry_in_s,
		    dry_run ? ",\"mode\":\"dry-run\"" : "");
		return;
	}
	if (g->result == GREYLIST_DEFERRED)
		log_info("conn=%lu msg=%lu action=greylist ip=%s greylist=%s "
		    "retry_in=%us%s", s->id, s->messages, s->client_text,
		    greylist_decision_name(g->decision), g->retry_in_s, mode);
	else
		log_info("conn=%lu msg=%lu action=accept ip=%s greylist=%s%s",
		    s->id, s->messages, s->client_text,
		    greylist_result_name(g->result), mode);
}

/* RFC 6647 3.2: a 4xx that says it is greylisting and when to come back,
 * well within 512 octets and with nothing of the client's in it. */
static void
defer(const struct greylist_outcome *g, struct session_answer *out)
{
	out->action = SESSION_TEMPFAIL;
	out->reply.rcode = "451";
	out->reply.xcode = "4.7.1";
	(void)snprintf(out->reply.text, sizeof(out->reply.text),
	    "Greylisted: your first attempt from this network, please try "
	    "again in %u seconds", g->retry_in_s);
}
