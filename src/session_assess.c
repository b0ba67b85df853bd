/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session_assess.c - the daemon's side of an assessment (assess.h): what
 * the DNS outage breaker allows the caches to keep, tempfail_limit
 * streaks, a refusal no later HELO undoes, the metrics and the decision
 * log line.
 *
 * Runs at MAIL FROM in the connection's libmilter thread.  The lookups
 * have been running since CONNECT and HELO, so the wait is usually short
 * or nothing at all - and nothing at all while the DNS outage breaker is
 * open, whose results are never cached.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assess.h"
#include "dns_streak.h"
#include "fcrdns_cache.h"
#include "helo_cache.h"
#include "log.h"
#include "metrics.h"
#include "session_state.h"
#include "monotime.h"
#include "resolver.h"
#include "state_store.h"

static unsigned store_share_ms(const struct session *s);
static bool grace_expired(void *arg, const struct fcrdns_result *res);
static void keep_lookups(struct session *s, const struct fcrdns_result *res,
    bool outage);
static void log_decision(struct session *s, const struct assessment *a);
static int action_rank(enum verdict_action a);
static void keep_worst_refusal(struct session *s);

void
session_assess(struct session *s)
{
	struct assess_input in;
	struct assessment assessed;	/* points into the lookups */
	bool outage;

	/* While the DNS outage breaker is open the lookups were refused or
	 * failed at once: nothing to wait for, and nothing to keep - a
	 * result reached then says nothing about the client. */
	outage = resolver_breaker_open(s->shared->resolver);

	memset(&in, 0, sizeof(in));
	in.policy = s->snap->policy;
	in.generic = s->snap->generic;
	in.fcrdns = s->fcrdns;
	in.helo_lookup = s->helo_lookup;
	in.deadline = monotime_add_ms(s->opened,
	    s->snap->policy->dns_timeout_ms - store_share_ms(s));
	in.helo_parsed = &s->helo_parsed;
	in.helo = s->helo_seen ? s->helo : NULL;
	in.our_name = s->our_name[0] != '\0' ? s->our_name : NULL;
	in.our_addr = s->have_our_addr ? &s->our_addr : NULL;
	in.mta_resolve = s->mta_resolve[0] != '\0' ? s->mta_resolve : NULL;
	in.mta_ptr = s->mta_ptr[0] != '\0' ? s->mta_ptr : NULL;
	in.dns_grace = grace_expired;
	in.dns_grace_arg = s;
	assess_run(&in, &s->findings, &s->verdict, &assessed);

	keep_lookups(s, assessed.fcrdns,
	    outage || resolver_breaker_open(s->shared->resolver));
	s->have_verdict = true;
	keep_worst_refusal(s);
	(void)snprintf(s->exemption, sizeof(s->exemption), "%s",
	    assessed.decided.exemption != NULL ?
	    assessed.decided.exemption : "");
	metrics_count_verdict(&s->verdict,
	    s->snap->policy->mode == POLICY_MODE_DRY_RUN,
	    assessed.fcrdns->ms);
	if (assessed.decided.exemption != NULL)
		metrics_count_exempt(METRICS_EXEMPT_PTR_DOMAIN);
	log_decision(s, &assessed);
}

/* Only what was looked up while the DNS answered is worth keeping. */
static void
keep_lookups(struct session *s, const struct fcrdns_result *res, bool outage)
{
	if (outage) {
		if (!res->cached)
			metrics_count_breaker_session();
		return;
	}
	fcrdns_cache_keep(s->shared->fcrdns_cache, res,
	    s->snap->policy->max_ptr_names, monotime_now());
	if (s->helo_lookup != NULL)
		helo_cache_keep(s->shared->helo_cache, s->helo_parsed.name,
		    s->helo_lookup, monotime_now());
}

/* The queue ID is there when the MTA sends {i} with MAIL, as Sendmail
 * does; Postfix has none yet then, and names it at end of message. */
static void
log_decision(struct session *s, const struct assessment *a)
{
	struct verdict_record r;

	session_record(s, VERDICT_EVENT_DECISION, &r);
	r.in = &a->decided;
	r.v = &s->verdict;
	session_log_record(s, &r);
	if (s->have_refusal && s->refusal.action != s->verdict.action &&
	    action_rank(s->refusal.action) > action_rank(s->verdict.action))
		log_info("conn=%lu ip=%s keeps action=%s from an earlier HELO",
		    s->id, s->client_text,
		    verdict_action_name(s->refusal.action));
}

void
session_record(const struct session *s, enum verdict_event event,
    struct verdict_record *r)
{
	memset(r, 0, sizeof(*r));
	r->event = event;
	r->conn = s->id;
	r->msg = s->messages;
	r->queue_id = s->queue_id;
	r->ip = s->client_text;
	r->mode = s->snap->policy->mode;
}

void
session_log_record(const struct session *s, const struct verdict_record *r)
{
	char *line = malloc(VERDICT_RECORD_MAX);
	int made = -1;

	if (line != NULL)
		made = s->snap->policy->log_format == POLICY_LOG_JSON ?
		    verdict_record_json(r, line, VERDICT_RECORD_MAX) :
		    verdict_record_text(r, line, VERDICT_RECORD_MAX);
	if (made == 0)
		log_info("%s", line);
	else
		log_info("conn=%lu msg=%lu action=%s ip=%s (no room for the "
		    "whole line)", r->conn, r->msg, verdict_action_name(
		    r->v != NULL ? r->v->action : VERDICT_ACCEPT),
		    r->ip != NULL ? r->ip : "-");
	free(line);
}

/* The part of dns_timeout the lookups leave to the tempfail_limit
 * streak's store call (one batch, state_timeout, dns_streak.h), so
 * that a lookup that times out still leaves it its time and the
 * session as a whole keeps within dns_timeout: no store can make a
 * session wait longer than dns_timeout.  Nothing for the memory store,
 * which does not wait, nor for a store that is down, which answers at
 * once (a probe then gets what is left, capped all the same); at most a
 * fifth of dns_timeout, so that a slow state_timeout never eats the
 * DNS's time. */
static unsigned
store_share_ms(const struct session *s)
{
	const struct policy *p = s->snap->policy;
	struct state_store *st = s->shared->state;
	unsigned share;

	if (st == NULL || p->tempfail_limit_s == 0 || !state_store_up(st) ||
	    strcmp(state_store_kind(st), "none") == 0)
		return 0;
	share = p->state_timeout_ms;
	return share < p->dns_timeout_ms / 5 ? share : p->dns_timeout_ms / 5;
}

/* tempfail_limit: only a client that would be tempfailed for DNS errors
 * starts or extends a streak; any clean verdict ends it.  The streaks
 * live in the state store (shared by restarts and hosts), with the
 * process's table as the fallback (dns_streak.h). */
static bool
grace_expired(void *arg, const struct fcrdns_result *res)
{
	struct session *s = arg;
	const struct policy *p = s->snap->policy;
	struct dns_streak_now now;
	bool expired;

	if ((s->shared->grace == NULL && s->shared->state == NULL) ||
	    p->tempfail_limit_s == 0)
		return false;
	if (res->iprev != IPREV_TEMPERROR) {
		state_deadline_cap(&s->deadline);
		dns_streak_clear(s->shared->state, s->shared->grace,
		    &s->client);
		state_deadline_cap(NULL);
		return false;
	}
	if (p->on_dns_error != POLICY_DNS_ERROR_TEMPFAIL)
		return false;
	now.mono_s = (int64_t)monotime_now().tv_sec;
	now.wall_s = (int64_t)time(NULL);
	/* The store's time is the session's: what is left of dns_timeout. */
	state_deadline_cap(&s->deadline);
	expired = dns_streak_expired(s->shared->state, s->shared->grace,
	    &s->client, now, p->tempfail_limit_s);
	state_deadline_cap(NULL);
	return expired;
}

static int
action_rank(enum verdict_action a)
{
	switch (a) {
	case VERDICT_REJECT:
		return 2;
	case VERDICT_TEMPFAIL:
		return 1;
	case VERDICT_ACCEPT:
		break;
	}
	return 0;
}

static void
keep_worst_refusal(struct session *s)
{
	if (!s->verdict.enforced)
		return;
	if (s->have_refusal &&
	    action_rank(s->refusal.action) >= action_rank(s->verdict.action))
		return;
	s->refusal = s->verdict;
	s->have_refusal = true;
}
