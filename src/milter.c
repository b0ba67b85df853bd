/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter.c - the libmilter callbacks.
 *
 * CONNECT starts the PTR lookup and HELO the HELO lookups, and both return
 * at once: Postfix sends CONNECT before its banner, and nothing here may
 * hold up the banner or the EHLO reply.  MAIL waits for the verdict
 * (milter_judge.c), RCPT enforces it per recipient so that postmaster and
 * abuse still get mail, and end-of-message records it in headers.
 *
 * Nothing here exits or crashes the MTA's session: an internal error is
 * logged and the client accepted - ptrmilter never loses mail by its own
 * fault.  Every string from the MTA is bounded and made printable before
 * it is kept or logged.
 */
#include "config.h"

#include <stdatomic.h>
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

#define AR_HEADER "Authentication-Results"

static const struct milter_shared *shared;
static atomic_ulong next_session_id;
static atomic_ulong live_sessions;

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
static void session_read_macros(SMFICTX *ctx, struct session *s);
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
	/* The authserv-id: the policy's, else the MTA's own name, else ours. */
	if (s->snap->policy->authserv_id != NULL)
		text_printable(s->authserv_id, sizeof(s->authserv_id),
		    s->snap->policy->authserv_id);
	else if (s->our_name[0] != '\0')
		memcpy(s->authserv_id, s->our_name, sizeof(s->authserv_id));
	else
		text_printable(s->authserv_id, sizeof(s->authserv_id),
		    shared->hostname);
}

static void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	fcrdns_free(s->fcrdns);
	helo_lookup_free(s->helo_lookup);
	snapshot_release(s->snap);
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
		log_err("out of memory at connect; accepting the connection "
		    "unfiltered");
		return SMFIS_ACCEPT;
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
	s->ar_seen = 0;
	s->nar_ours = 0;
	s->score_seen = 0;
}

static sfsistat
on_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = smfi_getpriv(ctx);
	const char *auth;

	(void)argv;
	if (s == NULL)
		return SMFIS_CONTINUE;
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
		milter_judge(s);
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

static sfsistat
on_header(SMFICTX *ctx, char *name, char *value)
{
	struct session *s = smfi_getpriv(ctx);
	const char *score = NULL;

	if (s == NULL || name == NULL)
		return SMFIS_CONTINUE;
	if (s->snap->policy->score_header != NULL)
		score = s->snap->policy->score_header;
	if (strcasecmp(name, AR_HEADER) == 0) {
		s->ar_seen++;
		if (authres_is_ours(value, s->authserv_id) &&
		    s->nar_ours < SESSION_AR_MAX)
			s->ar_ours[s->nar_ours++] = s->ar_seen;
	} else if (score != NULL && strcasecmp(name, score) == 0) {
		s->score_seen++;
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

static sfsistat
on_eom(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);
	const char *score;

	if (s == NULL || !s->judged)
		return SMFIS_CONTINUE;
	/* RFC 8601 section 5: a header that claims to be ours and came with
	 * the message is a forgery.  Highest index first, so that the
	 * indexes still to delete do not move. */
	for (unsigned i = s->nar_ours; i > 0; i--)
		(void)smfi_chgheader(ctx, AR_HEADER, (int)s->ar_ours[i - 1],
		    NULL);
	score = s->snap->policy->score_header;
	for (unsigned i = s->score_seen; score != NULL && i > 0; i--)
		(void)smfi_chgheader(ctx, (char *)score, (int)i, NULL);
	if (s->nar_ours > 0 || s->score_seen > 0)
		log_info("conn=%lu ip=%s removed %u forged %s and %u %s "
		    "header(s)", s->id, s->client_text, s->nar_ours,
		    AR_HEADER, s->score_seen, score != NULL ? score : "score");
	if (s->have_verdict && !s->msg_exempt)
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
