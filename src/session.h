/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.h - the rules of one SMTP connection, behind a seam: the
 * events the MTA reports (negotiate, connect, HELO, MAIL, RCPT, header,
 * end of message, abort, close) go in, and what to answer comes out - go
 * on, tempfail or reject, the reply text, the header edits.  It knows
 * nothing of libmilter: milter.c reads the callback's arguments and
 * macros, calls the event here and applies the answer, and the unit
 * tests replay whole connections over the fake resolver.
 *
 * Threading: the events of one session come from one thread at a time
 * (libmilter calls a connection's callbacks one after the other), and
 * never two at once.  Sessions run in parallel and share only what
 * struct session_shared names, the policy snapshot in force and the
 * process-wide counters, all of which are safe to share.
 *
 * An answer may point into its session (a reply, a header value): it
 * stays valid until the next event of that session.
 */
#ifndef PTRMILTER_SESSION_H
#define PTRMILTER_SESSION_H

#include <stddef.h>
#include <sys/socket.h>

#include "reply_text.h"

struct dns_grace;
struct resolver;
struct session;
struct state_store;
struct ttl_cache;

/* What every connection shares.  hostname is the authserv-id of last
 * resort (no authserv_id key, no {j} from the MTA). */
struct session_shared {
	struct resolver *resolver;
	struct dns_grace *grace;
	struct state_store *state;	/* NULL: the grace table alone */
	struct ttl_cache *fcrdns_cache;	/* NULL: no reuse */
	struct ttl_cache *helo_cache;	/* NULL: no reuse */
	const char *hostname;
};

/* The MTA's macros the session reads, as the MTA sent them (NULL: not
 * sent); they are bounded and made printable here. */
struct session_macros {
	const char *mta_name;		/* {j} */
	const char *daemon_addr;	/* {daemon_addr} */
	const char *client_ptr;		/* {client_ptr} */
	const char *client_resolve;	/* {client_resolve} */
	const char *queue_id;		/* {i}: at MAIL (Sendmail) and at
					   end of message (both) */
	const char *sender;		/* not a macro: MAIL FROM's first
					   argument ("<a@b>"), read at MAIL
					   for greylisting; NULL: none */
};

enum session_action {
	SESSION_CONTINUE,		/* go on with the next step */
	SESSION_TEMPFAIL,		/* 4xx this command */
	SESSION_REJECT			/* 5xx this command */
};

/* Our own reply for a refusal; rcode and xcode NULL and text "" when
 * there is none (the MTA's default reply goes out then).  The text is
 * as smfi_setreply() takes it: the policy's reply_text expanded, each
 * '%' doubled (reply_text_milter()); held here, not in the session, so
 * that no session keeps a second copy of its reply. */
struct session_reply {
	const char *rcode;		/* "450" */
	const char *xcode;		/* "4.7.25" */
	char text[REPLY_TEXT_SIZE];
};

struct session_answer {
	enum session_action action;
	struct session_reply reply;
	size_t nedits;			/* header edits, read with
					   session_edit(), applied in order */
};

enum session_edit_kind {
	SESSION_EDIT_DELETE,		/* the index-th header named name */
	SESSION_EDIT_INSERT		/* name: value at position index */
};

struct session_edit {
	enum session_edit_kind kind;
	const char *name;
	int index;			/* DELETE: from 1, among the headers
					   of that name as the message came;
					   INSERT: 0 is the top */
	const char *value;		/* INSERT only; NULL for DELETE */
};

/* Each event takes the session the adapter keeps for the connection
 * (NULL when there is none).  Those that may make or replace one take
 * it by address and leave there the session to keep from then on, or
 * NULL; sh must outlive every session made with it.  None of them
 * fails: an internal error is logged, and the answer is the configured
 * one (the client accepted, or the message deferred where accepting
 * would pass a forged header). */

/* The MTA opened the milter connection: a new session, whose clock
 * starts now; *sp, if any, is closed.  Out of memory, *sp is kept and
 * connect tries again. */
void session_negotiate(struct session **sp, const struct session_shared *sh);

/* CONNECT: client is the MTA's address of the client (NULL, AF_UNIX or
 * anything but IPv4 and IPv6: not judged); starts the PTR lookups of a
 * client that is judged. */
void session_connect(struct session **sp, const struct session_shared *sh,
    const struct sockaddr *client, const struct session_macros *m,
    struct session_answer *out);

/* HELO or EHLO, as many times as the client says it: the last counts.
 * helo may be NULL (none given). */
void session_helo(struct session *s, const char *helo,
    struct session_answer *out);

/* MAIL FROM: starts a message, waits for the verdict if the client is
 * judged and has none for its last HELO yet.  m->queue_id is read always,
 * the connect macros only when the session has to be made now;
 * auth_authen is {auth_authen} (NULL or "" when the client did not
 * authenticate). */
void session_mail(struct session **sp, const struct session_shared *sh,
    const struct session_macros *m, const char *auth_authen,
    struct session_answer *out);

/* RCPT TO: rcpt is the first argument as the MTA sent it ("<a@b>"), or
 * NULL.  A refusal comes with our reply, except for exempt_recipients. */
void session_rcpt(struct session *s, const char *rcpt,
    struct session_answer *out);

/* One header of the message, name and value as the MTA passed them. */
void session_header(struct session *s, const char *name, const char *value,
    struct session_answer *out);

/* End of message: the edits remove the forged headers, highest index
 * first, then insert ours at the top; the message line is logged with
 * the queue ID, m->queue_id if sent now, else the one from MAIL (only
 * m->queue_id is read). */
void session_eom(struct session *s, const struct session_macros *m,
    struct session_answer *out);

/* The message ends unsent; the connection and its verdict go on. */
void session_abort(struct session *s, struct session_answer *out);

/* The connection is over; s may be NULL. */
void session_close(struct session *s);

/* The i-th header edit of the last answer of s (i < its nedits). */
void session_edit(const struct session *s, size_t i, struct session_edit *e);

/* The session's number in log lines ("conn=ID"). */
unsigned long session_id(const struct session *s);

/* Sessions not closed yet, in the whole process (libmilter may return
 * from smfi_main() before the last ones close). */
unsigned long session_live(void);

#endif
