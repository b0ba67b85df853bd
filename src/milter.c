/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter.c - the libmilter callbacks.
 *
 * CONNECT starts the PTR lookup and HELO the HELO lookups, and both return
 * at once: Postfix sends CONNECT before its banner, and nothing here may
 * hold up the banner or the EHLO reply.  MAIL waits for the verdict
 * (milter_assess.c), RCPT enforces it per recipient so that postmaster and
 * abuse still get mail, and end-of-message records it in headers.
 *
 * Forged headers (RFC 8601 section 5) are about the message, not the
 * client: they are removed from every message, judged or not - exempt
 * networks, clients without an address, authenticated senders included.
 *
 * Nothing here exits or crashes the MTA's session: an internal error is
 * logged and the client accepted - ptrmilter never loses mail by its own
 * fault - except where accepting would pass a forged header: then the
 * message is deferred.  Every string from the MTA is bounded and made
 * printable before it is kept or logged.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "authres.h"
#include "fcrdns_cache.h"
#include "helo_cache.h"
#include "log.h"
#include "metrics.h"
#include "milter.h"
#include "milter_session.h"
#include "monotime.h"
#include "text.h"

#define AR_HEADER FORGED_AR_FIELD

static const struct milter_shared *shared;
static atomic_ulong next_session_id;
static atomic_ulong live_sessions;
/* Each bad fallback authserv-id is logged once per process. */
static atomic_bool warned_mta_id;
static atomic_bool warned_no_id;

static sfsistat on_negotiate(SMFICTX *ctx, unsigned long f0,
    unsigned long f1, unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3);
static sfsistat on_connect(SMFICTX *ctx, char *hostname,
    _SOCK_ADDR *hostaddr);
static sfsistat on_helo(SMFICTX *ctx, char *helo);
static sfsistat on_envfrom(SMFICTX *ctx, char **argv);
static sfsistat on_envrcpt(SMFICTX *ctx, char **argv);
static sfsistat on_header(SMFICTX *ctx, char *name, char *value);
static sfsistat on_eom(SMFICTX *ctx);
static sfsistat on_abort(SMFICTX *ctx);
static sfsistat on_close(SMFICTX *ctx);

static struct session *session_new(void);
static struct session *session_for_message(SMFICTX *ctx);
static void session_read_macros(SMFICTX *ctx, struct session *s);
static void session_authserv_id(SMFICTX *ctx, struct session *s);
static bool first_time(atomic_bool *done);
static const char *client_shown(const struct session *s);
static void remove_forged(SMFICTX *ctx, struct session *s);
static void session_free(struct session *s);
static void reset_message(struct session *s);
static void copy_macro(SMFICTX *ctx, const char *macro, char *dst,
    size_t size);
static bool recipient_exempt(const struct policy *p, const char *rcpt);
static void add_headers(SMFICTX *ctx, struct session *s);

static struct smfiDesc description = {
	.xxfi_name = "ptrmilter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_SETSYMLIST,
	.xxfi_connect = on_connect,
	.xxfi_helo = on_helo,
	.xxfi_envfrom = on_envfrom,
	.xxfi_envrcpt = on_envrcpt,
	.xxfi_header = on_header,
	.xxfi_eom = on_eom,
	.xxfi_abort = on_abort,
	.xxfi_close = on_close,
	.xxfi_negotiate = on_negotiate,
};

int
milter_register(const struct milter_shared *sh)
{
	shared = sh;
	return smfi_register(description) == MI_SUCCESS ? 0 : -1;
}

/* Asks the MTA for the macros the checks use, so that nobody has to tune
 * milter_*_macros in Postfix, and switches off the steps we never use. */
unsigned long
milter_sessions(void)
{
	return atomic_load(&live_sessions);
}

static sfsistat
on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	static char connect_macros[] =
	    "j {daemon_name} {daemon_addr} {client_ptr} {client_resolve}";
	static char mail_macros[] = "{auth_authen}";
	const unsigned long want = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
	const unsigned long skip = SMFIP_NOBODY | SMFIP_NOEOH |
	    SMFIP_NOUNKNOWN | SMFIP_NODATA;
	struct session *s;

	(void)f2;
	(void)f3;
	if ((f0 & want) != want) {
		log_err("the MTA does not let filters add and change headers "
		    "(actions 0x%lx); not filtering", f0);
		return SMFIS_REJECT;
	}
	*pf0 = want;
	if (f0 & SMFIF_SETSYMLIST) {
		*pf0 |= SMFIF_SETSYMLIST;
		if (smfi_setsymlist(ctx, SMFIM_CONNECT, connect_macros) !=
		    MI_SUCCESS || smfi_setsymlist(ctx, SMFIM_ENVFROM,
		    mail_macros) != MI_SUCCESS)
			log_warning("could not ask the MTA for its macros");
	}
	*pf1 = f1 & skip;
	*pf2 = 0;
	*pf3 = 0;
	/* The session starts here, so that its deadline does; out of memory
	 * is left to connect. */
	s = session_new();
	if (s != NULL) {
		s->fresh = true;
		session_free(smfi_getpriv(ctx));
		smfi_setpriv(ctx, s);
	}
	return SMFIS_CONTINUE;
}

static void
copy_macro(SMFICTX *ctx, const char *macro, char *dst, size_t size)
{
	const char *v = smfi_getsymval(ctx, (char *)macro);

	text_printable(dst, size, v != NULL ? v : "");
}

static struct session *
session_new(void)
{
	struct session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->id = atomic_fetch_add(&next_session_id, 1) + 1;
	atomic_fetch_add(&live_sessions, 1);
	s->shared = shared;
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

/* The session of a message.  One that could not be made at connect is
 * made now, unjudged, so that the message's forged headers are still
 * removed; NULL if even that fails. */
static struct session *
session_for_message(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);

	if (s != NULL)
		return s;
	s = session_new();
	if (s == NULL)
		return NULL;
	smfi_setpriv(ctx, s);
	session_read_macros(ctx, s);
	return s;
}

/* The macros that come with CONNECT. */
static void
session_read_macros(SMFICTX *ctx, struct session *s)
{
	char addr_text[SESSION_NAME_MAX];

	copy_macro(ctx, "j", s->our_name, sizeof(s->our_name));
	copy_macro(ctx, "{client_resolve}", s->mta_resolve,
	    sizeof(s->mta_resolve));
	copy_macro(ctx, "{client_ptr}", s->mta_ptr, sizeof(s->mta_ptr));
	copy_macro(ctx, "{daemon_addr}", addr_text, sizeof(addr_text));
	s->have_our_addr = addr_parse(addr_text, &s->our_addr) == 0;
	session_authserv_id(ctx, s);
}

/* The authserv-id: the policy's, else the MTA's own name ({j}), else the
 * host name - the first that is one (authres_id_valid()).  It is written
 * unchanged and compared with incoming headers as it is, so a {j} that is
 * not a token is not cut or mended but passed over. */
static void
session_authserv_id(SMFICTX *ctx, struct session *s)
{
	const char *j = smfi_getsymval(ctx, "j"), *id;
	enum authres_id_source from;
	char shown[SESSION_NAME_MAX];

	from = authres_pick_id(s->snap->policy->authserv_id, j,
	    shared->hostname, &id);
	if ((from == AUTHRES_ID_HOST || from == AUTHRES_ID_NONE) &&
	    j != NULL && *j != '\0' && first_time(&warned_mta_id)) {
		text_printable(shown, sizeof(shown), j);
		log_warning("the MTA's name {j} <%s> cannot be an "
		    "authserv-id (an RFC 2045 token of at most 255 bytes); "
		    "passed over: set authserv_id", shown);
	}
	if (from == AUTHRES_ID_NONE) {
		if (first_time(&warned_no_id)) {
			text_printable(shown, sizeof(shown), shared->hostname);
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

static void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	fcrdns_free(s->fcrdns);
	helo_lookup_free(s->helo_lookup);
	snapshot_release(s->snap);
	forged_free(&s->forged);
	free(s);
	atomic_fetch_sub(&live_sessions, 1);
}

static sfsistat
on_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct session *s;
	const struct policy *p;
	struct timespec now;

	(void)hostname;
	/* The session made at negotiation, or - on a connection reused
	 * after close - a clean one. */
	s = smfi_getpriv(ctx);
	if (s == NULL || !s->fresh) {
		session_free(s);
		smfi_setpriv(ctx, NULL);
		s = session_new();
	}
	if (s == NULL) {
		/* Not SMFIS_ACCEPT: that would skip end of message, and
		 * with it the removal of forged headers.  MAIL tries again. */
		log_err("out of memory at connect; the connection is not "
		    "judged");
		return SMFIS_CONTINUE;
	}
	s->fresh = false;
	smfi_setpriv(ctx, s);
	session_read_macros(ctx, s);
	p = s->snap->policy;

	if (hostaddr == NULL || addr_from_sockaddr(hostaddr, &s->client) != 0) {
		log_debug("conn=%lu client without an IP address: not judged",
		    s->id);
		metrics_count_exempt(METRICS_EXEMPT_NO_ADDRESS);
		return SMFIS_CONTINUE;
	}
	(void)addr_format(&s->client, s->client_text, sizeof(s->client_text));
	if (cidr_list_contains(&p->exempt_networks, &s->client)) {
		log_debug("conn=%lu ip=%s in exempt_networks: not judged",
		    s->id, s->client_text);
		metrics_count_exempt(METRICS_EXEMPT_NETWORK);
		return SMFIS_CONTINUE;
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
	s->fcrdns = fcrdns_cache_start(shared->fcrdns_cache, shared->resolver,
	    &s->client, p->max_ptr_names, monotime_now());
	if (s->fcrdns == NULL) {
		log_err("conn=%lu ip=%s out of memory starting the lookups; "
		    "accepting it unjudged", s->id, s->client_text);
		return SMFIS_CONTINUE;
	}
	s->judged = true;
	metrics_count_judged();
	return SMFIS_CONTINUE;
}

/* Every HELO/EHLO replaces the one before: RFC 5321 lets a client say it
 * again, and the last is what the mail goes out under. */
static sfsistat
on_helo(SMFICTX *ctx, char *helo)
{
	struct session *s = smfi_getpriv(ctx);
	size_t len;

	if (s == NULL || !s->judged)
		return SMFIS_CONTINUE;
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
		s->helo_lookup = helo_cache_start(shared->helo_cache,
		    shared->resolver, s->helo_parsed.name, monotime_now());
		if (s->helo_lookup == NULL)
			log_warning("conn=%lu ip=%s out of memory starting the "
			    "HELO lookups; judging without them", s->id,
			    s->client_text);
	}
	return SMFIS_CONTINUE;
}

static void
reset_message(struct session *s)
{
	s->msg_exempt = false;
	forged_reset(&s->forged);
}

static sfsistat
on_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = session_for_message(ctx);
	const char *auth;

	(void)argv;
	if (s == NULL) {
		log_err("out of memory at MAIL: message deferred, its forged "
		    "headers could not be removed");
		return SMFIS_TEMPFAIL;
	}
	reset_message(s);
	if (!s->judged)
		return SMFIS_CONTINUE;
	auth = smfi_getsymval(ctx, "{auth_authen}");
	if (auth != NULL && *auth != '\0' &&
	    s->snap->policy->exempt_authenticated) {
		s->msg_exempt = true;
		log_debug("conn=%lu ip=%s authenticated: not judged", s->id,
		    s->client_text);
		metrics_count_exempt(METRICS_EXEMPT_AUTHENTICATED);
		return SMFIS_CONTINUE;
	}
	if (!s->have_verdict)
		milter_assess(s);
	return SMFIS_CONTINUE;
}

static bool
recipient_exempt(const struct policy *p, const char *rcpt)
{
	const char *start = rcpt, *at, *end;
	size_t n;

	if (*start == '<')
		start++;
	end = start + strcspn(start, ">");
	at = NULL;
	for (const char *q = start; q < end; q++)
		if (*q == '@')
			at = q;
	n = (size_t)((at != NULL ? at : end) - start);
	for (char **e = p->exempt_recipients; *e != NULL; e++)
		if (strlen(*e) == n && strncasecmp(*e, start, n) == 0)
			return true;
	return false;
}

static sfsistat
on_envrcpt(SMFICTX *ctx, char **argv)
{
	struct session *s = smfi_getpriv(ctx);
	const struct verdict *v;

	if (s == NULL || !s->judged || s->msg_exempt || !s->have_verdict)
		return SMFIS_CONTINUE;
	v = s->have_refusal ? &s->refusal : &s->verdict;
	if (!v->enforced)
		return SMFIS_CONTINUE;
	if (argv != NULL && argv[0] != NULL &&
	    recipient_exempt(s->snap->policy, argv[0])) {
		metrics_count_exempt(METRICS_EXEMPT_RECIPIENT);
		return SMFIS_CONTINUE;
	}
	if (smfi_setreply(ctx, (char *)v->rcode, (char *)v->xcode,
	    (char *)v->reply) != MI_SUCCESS)
		log_warning("conn=%lu could not set the reply text", s->id);
	return v->action == VERDICT_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

/* Every session, judged or not, keeps count: RFC 8601 removal is about
 * the message.  A header that cannot be counted defers the message. */
static sfsistat
on_header(SMFICTX *ctx, char *name, char *value)
{
	struct session *s = smfi_getpriv(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	if (forged_header(&s->forged, name, value, s->authserv_id,
	    s->snap->policy->score_header) == -1) {
		log_err("conn=%lu ip=%s out of memory counting the message's "
		    "%s headers: message deferred", s->id, client_shown(s),
		    AR_HEADER);
		reset_message(s);
		return SMFIS_TEMPFAIL;
	}
	return SMFIS_CONTINUE;
}

static void
add_headers(SMFICTX *ctx, struct session *s)
{
	const struct policy *p = s->snap->policy;
	struct verdict_input in;
	char *value;

	value = malloc(VERDICT_HEADER_MAX);
	if (value == NULL) {
		log_err("conn=%lu out of memory: message passed without our "
		    "headers", s->id);
		return;
	}
	memset(&in, 0, sizeof(in));
	in.policy = p;
	in.fcrdns = fcrdns_finish(s->fcrdns);
	in.findings = &s->findings;
	in.helo = s->helo_seen ? s->helo : NULL;
	/* Inserted at the top, the score header first, so that
	 * Authentication-Results ends up above it. */
	if (p->score_header != NULL &&
	    verdict_score_header(&in, &s->verdict, p->score_header, value,
	    VERDICT_HEADER_MAX) == 0)
		(void)smfi_insheader(ctx, 0, p->score_header, value);
	if (p->auth_results &&
	    verdict_auth_results(&in, &s->verdict, s->authserv_id, value,
	    VERDICT_HEADER_MAX) == 0)
		(void)smfi_insheader(ctx, 0, AR_HEADER, value);
	free(value);
}

/* RFC 8601 section 5: a header that claims to be ours and came with the
 * message is a forgery.  Highest index first, so that the indexes still
 * to delete do not move. */
static void
remove_forged(SMFICTX *ctx, struct session *s)
{
	const struct forged *f = &s->forged;
	const char *score = s->snap->policy->score_header;

	for (size_t i = f->nours; i > 0; i--)
		(void)smfi_chgheader(ctx, AR_HEADER, (int)f->ar_ours[i - 1],
		    NULL);
	for (unsigned i = f->score_seen; score != NULL && i > 0; i--)
		(void)smfi_chgheader(ctx, (char *)score, (int)i, NULL);
	if (f->nours > 0 || f->score_seen > 0)
		log_info("conn=%lu ip=%s removed %zu forged %s and %u %s "
		    "header(s)", s->id, client_shown(s), f->nours, AR_HEADER,
		    f->score_seen, score != NULL ? score : "score");
}

/* Forgeries go from every message; our headers come only with a verdict
 * (a judged client that did not authenticate). */
static sfsistat
on_eom(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	remove_forged(ctx, s);
	if (s->judged && s->have_verdict && !s->msg_exempt)
		add_headers(ctx, s);
	reset_message(s);
	return SMFIS_CONTINUE;
}

static sfsistat
on_abort(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);

	if (s != NULL)
		reset_message(s);
	return SMFIS_CONTINUE;
}

/* May come without connect, with no private data. */
static sfsistat
on_close(SMFICTX *ctx)
{
	session_free(smfi_getpriv(ctx));
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}
