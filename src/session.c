/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.c - the rules of one SMTP connection; see session.h.
 *
 * CONNECT starts the PTR lookup and HELO the HELO lookups, and both return
 * at once: Postfix sends CONNECT before its banner, and nothing here may
 * hold up the banner or the EHLO reply.  MAIL waits for the verdict
 * (session_assess.c), RCPT enforces it per recipient so that postmaster and
 * abuse still get mail, and end of message records it in headers.  A
 * session carries two verdicts: the one for the last HELO, which goes in
 * the headers, and the worst refusal so far, which RCPT enforces - a
 * later HELO never undoes a refusal.
 *
 * Forged headers (RFC 8601 section 5) are about the message, not the
 * client: they are removed from every message, judged or not - exempt
 * networks, clients without an address, authenticated senders included.
 *
 * An internal error is logged and the client accepted - ptrmilter never
 * loses mail by its own fault - except where accepting would pass a
 * forged header: then the message is deferred.  Every string from the
 * MTA is bounded and made printable before it is kept or logged.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "fcrdns_cache.h"
#include "helo_cache.h"
#include "log.h"
#include "metrics.h"
#include "session_state.h"
#include "monotime.h"
#include "safe_text.h"
#include "session.h"

#define AR_HEADER FORGED_AR_FIELD

static atomic_ulong next_session_id;
static atomic_ulong live_sessions;
/* Each bad fallback authserv-id is logged once per process. */
static atomic_bool warned_mta_id;
static atomic_bool warned_no_id;

static struct session *session_new(const struct session_shared *sh);
static void session_free(struct session *s);
static void read_macros(struct session *s, const struct session_macros *m);
static void copy_macro(const char *value, char *dst, size_t size);
static void pick_authserv_id(struct session *s, const char *mta_name);
static bool first_time(atomic_bool *done);
static const char *client_shown(const struct session *s);
static bool start_lookups(struct session *s, const struct sockaddr *client);
static void answer(struct session_answer *out, enum session_action action);
static void reset_message(struct session *s);
static void drop_headers(struct session *s);
static void log_forged(const struct session *s);
static void make_headers(struct session *s);
static size_t score_deletions(const struct session *s);
static void verdict_input_of(struct session *s, struct verdict_input *in);
static void keep_queue_id(struct session *s, const char *queue_id);
static void log_message(struct session *s);
static const char *message_exemption(const struct session *s);

void
session_negotiate(struct session **sp, const struct session_shared *sh)
{
	/* The session starts here, so that its deadline does; out of
	 * memory is left to connect. */
	struct session *s = session_new(sh);

	if (s == NULL)
		return;
	s->fresh = true;
	session_free(*sp);
	*sp = s;
}

void
session_connect(struct session **sp, const struct session_shared *sh,
    const struct sockaddr *client, const struct session_macros *m,
    struct session_answer *out)
{
	struct session *s = *sp;

	answer(out, SESSION_CONTINUE);
	/* The session made at negotiation, or - on a connection reused
	 * after close - a clean one. */
	if (s == NULL || !s->fresh) {
		session_free(s);
		s = session_new(sh);
	}
	*sp = s;
	if (s == NULL) {
		/* Not accepted: that would skip end of message, and with it
		 * the removal of forged headers.  MAIL tries again. */
		log_err("out of memory at connect; the connection is not "
		    "judged");
		return;
	}
	s->fresh = false;
	read_macros(s, m);
	if (start_lookups(s, client)) {
		s->judged = true;
		metrics_count_judged();
	}
}

/* Starts the lookups of a client that is judged; false for one that is
 * not (no address, exempt, out of memory). */
static bool
start_lookups(struct session *s, const struct sockaddr *client)
{
	const struct policy *p = s->snap->policy;
	struct timespec now;

	if (client == NULL || addr_from_sockaddr(client, &s->client) != 0) {
		log_debug("conn=%lu client without an IP address: not judged",
		    s->id);
		metrics_count_exempt(METRICS_EXEMPT_NO_ADDRESS);
		s->unjudged_why = "no_address";
		return false;
	}
	(void)addr_format(&s->client, s->client_text, sizeof(s->client_text));
	if (session_exempt_network(s)) {
		s->unjudged_why = "network";
		return false;
	}
	/* dns_timeout counts from when the MTA opened the milter connection:
	 * libmilter may queue a command behind a busy worker, and that wait
	 * must come out of the MTA's time, not add to it.  A connection
	 * negotiated more than dns_timeout before its CONNECT was opened
	 * ahead of the SMTP client, not held back: its clock starts now. */
	now = monotime_now();
	if (monotime_diff_ms(s->opened, now) > (int64_t)p->dns_timeout_ms)
		s->opened = now;
	s->deadline = monotime_add_ms(s->opened, p->dns_timeout_ms);
	s->fcrdns = fcrdns_cache_start(s->shared->fcrdns_cache,
	    s->shared->resolver, &s->client, p->max_ptr_names, monotime_now());
	if (s->fcrdns == NULL) {
		log_err("conn=%lu ip=%s out of memory starting the lookups; "
		    "accepting it unjudged", s->id, s->client_text);
		return false;
	}
	return true;
}

/* Every HELO/EHLO replaces the one before: RFC 5321 lets a client say it
 * again, and the last is what the mail goes out under. */
void
session_helo(struct session *s, const char *helo, struct session_answer *out)
{
	size_t len;

	answer(out, SESSION_CONTINUE);
	if (s == NULL || !s->judged)
		return;
	/* A name longer than we keep is invalid however it ends; the cut
	 * copy is still more than 253 characters, so it parses as invalid. */
	len = helo != NULL ? strnlen(helo, SESSION_HELO_KEEP) : 0;
	s->helo_seen = true;
	if (len > 0)
		memcpy(s->helo, helo, len);
	s->helo[len] = '\0';
	s->helo_len = len;
	helo_parse(s->helo, len, &s->helo_parsed);
	s->have_verdict = false;

	helo_lookup_free(s->helo_lookup);
	s->helo_lookup = NULL;
	if (helo_wants_lookup(&s->helo_parsed)) {
		s->helo_lookup = helo_cache_start(s->shared->helo_cache,
		    s->shared->resolver, s->helo_parsed.name, monotime_now());
		if (s->helo_lookup == NULL)
			log_warning("conn=%lu ip=%s out of memory starting the "
			    "HELO lookups; judging without them", s->id,
			    s->client_text);
	}
}

void
session_mail(struct session **sp, const struct session_shared *sh,
    const struct session_macros *m, const char *auth_authen,
    struct session_answer *out)
{
	struct session *s = *sp;

	answer(out, SESSION_CONTINUE);
	/* One that could not be made at connect is made now, unjudged, so
	 * that the message's forged headers are still removed. */
	if (s == NULL) {
		s = session_new(sh);
		if (s == NULL) {
			log_err("out of memory at MAIL: message deferred, its "
			    "forged headers could not be removed");
			answer(out, SESSION_TEMPFAIL);
			return;
		}
		*sp = s;
		read_macros(s, m);
	}
	reset_message(s);
	s->messages++;
	keep_queue_id(s, m->queue_id);
	(void)snprintf(s->sender, sizeof(s->sender), "%.*s",
	    (int)(sizeof(s->sender) - 1),
	    m->sender != NULL ? m->sender : "");
	if (!s->judged)
		return;
	if (auth_authen != NULL && *auth_authen != '\0' &&
	    s->snap->policy->exempt_authenticated) {
		s->msg_exempt = true;
		session_exempt_authenticated(s);
		return;
	}
	if (!s->have_verdict)
		session_assess(s);
}

void
session_rcpt(struct session *s, const char *rcpt, struct session_answer *out)
{
	const struct verdict *v;

	answer(out, SESSION_CONTINUE);
	if (s == NULL || !s->judged || s->msg_exempt || !s->have_verdict)
		return;
	v = s->have_refusal ? &s->refusal : &s->verdict;
	if (!v->enforced) {
		(void)session_greylist(s, rcpt, out);
		return;
	}
	if (session_exempt_recipient(s, rcpt, v)) {
		s->rcpt_exempt_passed = true;
		return;
	}
	answer(out, v->action == VERDICT_REJECT ? SESSION_REJECT :
	    SESSION_TEMPFAIL);
	/* An expanded reply always fits doubled; should it not, the MTA's
	 * own words go out rather than a broken text. */
	if (reply_text_milter(v->reply, out->reply.text,
	    sizeof(out->reply.text)) == -1) {
		log_warning("conn=%lu the reply text does not fit", s->id);
		return;
	}
	out->reply.rcode = v->rcode;
	out->reply.xcode = v->xcode;
}

/* Every session, judged or not, keeps count: RFC 8601 removal is about
 * the message.  A header that cannot be counted defers the message. */
void
session_header(struct session *s, const char *name, const char *value,
    struct session_answer *out)
{
	answer(out, SESSION_CONTINUE);
	if (s == NULL) {
		answer(out, SESSION_TEMPFAIL);
		return;
	}
	if (forged_header(&s->forged, name, value, s->authserv_id,
	    s->snap->policy->score_header) == -1) {
		log_err("conn=%lu ip=%s out of memory counting the message's "
		    "%s headers: message deferred", s->id, client_shown(s),
		    AR_HEADER);
		reset_message(s);
		answer(out, SESSION_TEMPFAIL);
	}
}

/* RFC 8601 section 5: a header that claims to be ours and came with the
 * message is a forgery, and goes from every message; our headers come
 * only with a verdict (a judged client that did not authenticate).  The
 * edits are read from the message's state, which the next MAIL, an abort
 * or close forgets. */
void
session_eom(struct session *s, const struct session_macros *m,
    struct session_answer *out)
{
	answer(out, SESSION_CONTINUE);
	if (s == NULL) {
		answer(out, SESSION_TEMPFAIL);
		return;
	}
	if (m->queue_id != NULL && m->queue_id[0] != '\0')
		keep_queue_id(s, m->queue_id);
	log_forged(s);
	drop_headers(s);
	if (s->judged && s->have_verdict && !s->msg_exempt)
		make_headers(s);
	out->nedits = s->forged.nours + score_deletions(s) + s->ninserts;
	log_message(s);
}

/* {i} as the MTA sent it, bounded; shown only through safe_text(). */
static void
keep_queue_id(struct session *s, const char *queue_id)
{
	size_t len = queue_id != NULL ?
	    strnlen(queue_id, SESSION_QUEUE_ID_KEEP) : 0;

	if (len > 0)
		memcpy(s->queue_id, queue_id, len);
	s->queue_id[len] = '\0';
}

/* One line per message, judged or not, so that the MTA's queue ID leads
 * to the verdict the client had and what was done to the message. */
static void
log_message(struct session *s)
{
	struct verdict_input in;
	struct verdict_record r;

	session_record(s, VERDICT_EVENT_MESSAGE, &r);
	/* A client without an address shows as "-" on its message line. */
	if (s->client_text[0] == '\0')
		r.ip = NULL;
	r.exempt = message_exemption(s);
	r.forged_removed = s->forged.nours + score_deletions(s);
	r.headers_added = s->ninserts > 0;
	if (s->judged && s->have_verdict && !s->msg_exempt) {
		verdict_input_of(s, &in);
		r.in = &in;
		r.v = &s->verdict;
	}
	session_log_record(s, &r);
}

/* Why this message was not judged, or got past a refusal (through
 * exempt_recipients: enforced, refused clients reach the end of a
 * message no other way). */
static const char *
message_exemption(const struct session *s)
{
	if (!s->judged)
		return s->unjudged_why;
	if (s->msg_exempt)
		return "authenticated";
	if (s->rcpt_exempt_passed)
		return "recipient";
	return NULL;
}

void
session_abort(struct session *s, struct session_answer *out)
{
	answer(out, SESSION_CONTINUE);
	if (s == NULL)
		return;
	reset_message(s);
}

void
session_close(struct session *s)
{
	session_free(s);
}

/* In order: the forged Authentication-Results, then the score headers,
 * each highest index first so that the indexes still to delete do not
 * move; then ours, each inserted at the top, the score header first so
 * that Authentication-Results ends up above it. */
void
session_edit(const struct session *s, size_t i, struct session_edit *e)
{
	const struct forged *f = &s->forged;
	size_t nscore = score_deletions(s);

	memset(e, 0, sizeof(*e));
	e->kind = SESSION_EDIT_DELETE;
	if (i < f->nours) {
		/* forged_header(): every index fits an int. */
		e->name = AR_HEADER;
		e->index = (int)f->ar_ours[f->nours - 1 - i];
		return;
	}
	i -= f->nours;
	if (i < nscore) {
		e->name = s->snap->policy->score_header;
		e->index = (int)(nscore - i);
		return;
	}
	i -= nscore;
	e->kind = SESSION_EDIT_INSERT;
	e->name = s->inserts[i].name;
	e->index = 0;
	e->value = s->inserts[i].value;
}

unsigned long
session_id(const struct session *s)
{
	return s->id;
}

unsigned long
session_live(void)
{
	return atomic_load(&live_sessions);
}

/* The score headers to delete: all that came, when there is one. */
static size_t
score_deletions(const struct session *s)
{
	return s->snap->policy->score_header != NULL ?
	    s->forged.score_seen : 0;
}

static void
log_forged(const struct session *s)
{
	const struct forged *f = &s->forged;
	const char *score = s->snap->policy->score_header;

	if (f->nours > 0 || f->score_seen > 0)
		log_info("conn=%lu ip=%s removed %zu forged %s and %u %s "
		    "header(s)", s->id, client_shown(s), f->nours, AR_HEADER,
		    f->score_seen, score != NULL ? score : "score");
}

/* Our headers, into inserts[]: none when out of memory.  Made on the
 * stack and kept at their own length, so that a connection held open
 * after end of message keeps a few hundred bytes, not two buffers of
 * VERDICT_HEADER_MAX. */
static void
make_headers(struct session *s)
{
	const struct policy *p = s->snap->policy;
	struct verdict_input in;
	char score[VERDICT_HEADER_MAX], ar[VERDICT_HEADER_MAX];
	size_t score_size = 0, ar_size = 0;
	char *value;

	verdict_input_of(s, &in);
	if (p->score_header != NULL &&
	    verdict_score_header(&in, &s->verdict, p->score_header, score,
	    sizeof(score)) == 0)
		score_size = strlen(score) + 1;
	if (p->auth_results &&
	    verdict_auth_results(&in, &s->verdict, s->authserv_id, ar,
	    sizeof(ar)) == 0)
		ar_size = strlen(ar) + 1;
	if (score_size + ar_size == 0)
		return;
	s->header_values = malloc(score_size + ar_size);
	if (s->header_values == NULL) {
		log_err("conn=%lu out of memory: message passed without our "
		    "headers", s->id);
		return;
	}
	value = s->header_values;
	if (score_size > 0) {
		memcpy(value, score, score_size);
		s->inserts[s->ninserts].name = p->score_header;
		s->inserts[s->ninserts++].value = value;
		value += score_size;
	}
	if (ar_size > 0) {
		memcpy(value, ar, ar_size);
		s->inserts[s->ninserts].name = AR_HEADER;
		s->inserts[s->ninserts++].value = value;
	}
}

/* What the verdict of the current HELO was decided on, as far as the
 * texts made after MAIL need it. */
static void
verdict_input_of(struct session *s, struct verdict_input *in)
{
	memset(in, 0, sizeof(*in));
	in->policy = s->snap->policy;
	in->fcrdns = fcrdns_finish(s->fcrdns);
	in->findings = &s->findings;
	in->helo = s->helo_seen ? s->helo : NULL;
	in->mta_resolve = s->mta_resolve[0] != '\0' ? s->mta_resolve : NULL;
	in->mta_ptr = s->mta_ptr[0] != '\0' ? s->mta_ptr : NULL;
	in->exemption = s->exemption[0] != '\0' ? s->exemption : NULL;
}

static void
answer(struct session_answer *out, enum session_action action)
{
	memset(out, 0, sizeof(*out));
	out->action = action;
}

static void
reset_message(struct session *s)
{
	s->msg_exempt = false;
	s->rcpt_exempt_passed = false;
	s->queue_id[0] = '\0';
	forged_reset(&s->forged);
	drop_headers(s);
}

static void
drop_headers(struct session *s)
{
	free(s->header_values);
	s->header_values = NULL;
	s->ninserts = 0;
}

static struct session *
session_new(const struct session_shared *sh)
{
	struct session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->id = atomic_fetch_add(&next_session_id, 1) + 1;
	atomic_fetch_add(&live_sessions, 1);
	s->shared = sh;
	s->opened = monotime_now();
	s->snap = snapshot_current();
	if (s->snap == NULL) {
		session_free(s);
		return NULL;
	}
	s->helo_parsed.kind = HELO_NONE;
	forged_init(&s->forged);
	return s;
}

static void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	fcrdns_free(s->fcrdns);
	helo_lookup_free(s->helo_lookup);
	snapshot_release(s->snap);
	forged_free(&s->forged);
	free(s->header_values);
	free(s);
	atomic_fetch_sub(&live_sessions, 1);
}

/* The macros that come with CONNECT. */
static void
read_macros(struct session *s, const struct session_macros *m)
{
	char addr_text[SESSION_NAME_MAX];

	copy_macro(m->mta_name, s->our_name, sizeof(s->our_name));
	copy_macro(m->client_resolve, s->mta_resolve, sizeof(s->mta_resolve));
	copy_macro(m->client_ptr, s->mta_ptr, sizeof(s->mta_ptr));
	copy_macro(m->daemon_addr, addr_text, sizeof(addr_text));
	s->have_our_addr = addr_parse(addr_text, &s->our_addr) == 0;
	pick_authserv_id(s, m->mta_name);
}

static void
copy_macro(const char *value, char *dst, size_t size)
{
	(void)safe_text(dst, size, value, SAFE_TEXT_ALL, SAFE_TEXT_REPLY);
}

/* The authserv-id: the policy's, else the MTA's own name ({j}), else the
 * host name - the first that is one (authres_id_valid()).  It is written
 * unchanged and compared with incoming headers as it is, so a {j} that is
 * not a token is not cut or mended but passed over. */
static void
pick_authserv_id(struct session *s, const char *j)
{
	const char *id;
	enum authres_id_source from;
	char shown[SESSION_NAME_MAX];

	from = authres_pick_id(s->snap->policy->authserv_id, j,
	    s->shared->hostname, &id);
	if ((from == AUTHRES_ID_HOST || from == AUTHRES_ID_NONE) &&
	    j != NULL && *j != '\0' && first_time(&warned_mta_id)) {
		(void)safe_text(shown, sizeof(shown), j, SAFE_TEXT_ALL,
		    SAFE_TEXT_REPLY);
		log_warning("the MTA's name {j} <%s> cannot be an "
		    "authserv-id (an RFC 2045 token of at most 255 bytes); "
		    "passed over: set authserv_id", shown);
	}
	if (from == AUTHRES_ID_NONE) {
		if (first_time(&warned_no_id)) {
			(void)safe_text(shown, sizeof(shown),
			    s->shared->hostname, SAFE_TEXT_ALL,
			    SAFE_TEXT_REPLY);
			log_warning("the host name <%s> cannot be an "
			    "authserv-id either: no Authentication-Results "
			    "header is written until authserv_id is set",
			    shown);
		}
		s->authserv_id[0] = '\0';
		return;
	}
	/* authres_id_valid(): at most AUTHRES_ID_MAX bytes, which fit. */
	_Static_assert(sizeof(s->authserv_id) > AUTHRES_ID_MAX,
	    "room for any authserv-id");
	memcpy(s->authserv_id, id, strlen(id) + 1);
}

/* True the first time it is asked about done, in the whole process. */
static bool
first_time(atomic_bool *done)
{
	return !atomic_exchange(done, true);
}

/* The client's address for a log line; "-" when it has none. */
static const char *
client_shown(const struct session *s)
{
	return s->client_text[0] != '\0' ? s->client_text : "-";
}
