/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter.c - the libmilter callbacks, a thin adapter around the session.
 *
 * Each callback reads its arguments and the MTA's macros, hands the event
 * to the connection's session (session.c, which holds every rule) and
 * applies the answer: the reply text, the header edits, the status.  The
 * session is the connection's private data (smfi_setpriv), freed only at
 * close, which may come without connect.
 */
#include "config.h"

#include <stddef.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "log.h"
#include "milter.h"
#include "session.h"

static const struct session_shared *shared;

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

static void read_macros(SMFICTX *ctx, struct session_macros *m);
static sfsistat apply(SMFICTX *ctx, const struct session *s,
    const struct session_answer *a);
static void apply_edit(SMFICTX *ctx, const struct session_edit *e);

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
milter_register(const struct session_shared *sh)
{
	shared = sh;
	return smfi_register(description) == MI_SUCCESS ? 0 : -1;
}

/* Asks the MTA for the macros the checks use, so that nobody has to tune
 * milter_*_macros in Postfix, and switches off the steps we never use. */
static sfsistat
on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	static char connect_macros[] =
	    "j {daemon_name} {daemon_addr} {client_ptr} {client_resolve}";
	/* {i} at MAIL, where Sendmail has it (our list there replaces
	 * the MTA's default, which names it); at end of message, where
	 * Postfix has it, asking again costs nothing. */
	static char mail_macros[] = "i {auth_authen}";
	static char eom_macros[] = "i";
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
		    mail_macros) != MI_SUCCESS ||
		    smfi_setsymlist(ctx, SMFIM_EOM, eom_macros) != MI_SUCCESS)
			log_warning("could not ask the MTA for its macros");
	}
	*pf1 = f1 & skip;
	*pf2 = 0;
	*pf3 = 0;
	s = smfi_getpriv(ctx);
	session_negotiate(&s, shared);
	smfi_setpriv(ctx, s);
	return SMFIS_CONTINUE;
}

static sfsistat
on_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct session *s = smfi_getpriv(ctx);
	struct session_macros m;
	struct session_answer a;

	(void)hostname;
	read_macros(ctx, &m);
	session_connect(&s, shared, hostaddr, &m, &a);
	smfi_setpriv(ctx, s);
	return apply(ctx, s, &a);
}

static sfsistat
on_helo(SMFICTX *ctx, char *helo)
{
	struct session *s = smfi_getpriv(ctx);
	struct session_answer a;

	session_helo(s, helo, &a);
	return apply(ctx, s, &a);
}

static sfsistat
on_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = smfi_getpriv(ctx);
	struct session_macros m = { 0 };
	struct session_answer a;

	/* The connect macros only make a session connect could not. */
	if (s == NULL)
		read_macros(ctx, &m);
	m.queue_id = smfi_getsymval(ctx, "i");
	m.sender = argv != NULL ? argv[0] : NULL;
	session_mail(&s, shared, &m, smfi_getsymval(ctx, "{auth_authen}"),
	    &a);
	smfi_setpriv(ctx, s);
	return apply(ctx, s, &a);
}

static sfsistat
on_envrcpt(SMFICTX *ctx, char **argv)
{
	struct session *s = smfi_getpriv(ctx);
	struct session_answer a;

	session_rcpt(s, argv != NULL ? argv[0] : NULL, &a);
	return apply(ctx, s, &a);
}

static sfsistat
on_header(SMFICTX *ctx, char *name, char *value)
{
	struct session *s = smfi_getpriv(ctx);
	struct session_answer a;

	session_header(s, name, value, &a);
	return apply(ctx, s, &a);
}

/* An event that takes nothing but the session. */
static sfsistat
on_bare_event(SMFICTX *ctx,
    void (*event)(struct session *, struct session_answer *))
{
	struct session *s = smfi_getpriv(ctx);
	struct session_answer a;

	event(s, &a);
	return apply(ctx, s, &a);
}

static sfsistat
on_eom(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);
	struct session_macros m = { .queue_id = smfi_getsymval(ctx, "i") };
	struct session_answer a;

	session_eom(s, &m, &a);
	return apply(ctx, s, &a);
}

static sfsistat
on_abort(SMFICTX *ctx)
{
	return on_bare_event(ctx, session_abort);
}

static sfsistat
on_close(SMFICTX *ctx)
{
	session_close(smfi_getpriv(ctx));
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static void
read_macros(SMFICTX *ctx, struct session_macros *m)
{
	m->mta_name = smfi_getsymval(ctx, "j");
	m->daemon_addr = smfi_getsymval(ctx, "{daemon_addr}");
	m->client_ptr = smfi_getsymval(ctx, "{client_ptr}");
	m->client_resolve = smfi_getsymval(ctx, "{client_resolve}");
	m->queue_id = NULL;
}

/* A reply comes only with a refusal, and edits only at end of message,
 * from a session there is. */
static sfsistat
apply(SMFICTX *ctx, const struct session *s, const struct session_answer *a)
{
	const struct session_reply *r = &a->reply;
	struct session_edit e;

	if (r->rcode != NULL && smfi_setreply(ctx, (char *)r->rcode,
	    (char *)r->xcode, (char *)r->text) != MI_SUCCESS)
		log_warning("conn=%lu could not set the reply text",
		    session_id(s));
	for (size_t i = 0; i < a->nedits; i++) {
		session_edit(s, i, &e);
		apply_edit(ctx, &e);
	}
	switch (a->action) {
	case SESSION_TEMPFAIL:
		return SMFIS_TEMPFAIL;
	case SESSION_REJECT:
		return SMFIS_REJECT;
	case SESSION_CONTINUE:
		break;
	}
	return SMFIS_CONTINUE;
}

static void
apply_edit(SMFICTX *ctx, const struct session_edit *e)
{
	switch (e->kind) {
	case SESSION_EDIT_DELETE:
		(void)smfi_chgheader(ctx, (char *)e->name, e->index, NULL);
		break;
	case SESSION_EDIT_INSERT:
		(void)smfi_insheader(ctx, e->index, (char *)e->name,
		    (char *)e->value);
		break;
	}
}
