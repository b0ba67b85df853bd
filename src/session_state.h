/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session_state.h - one SMTP connection's state, shared by session.c
 * (the connection's rules, see session.h), session_assess.c (the
 * daemon's side of assess.h) and session_exempt.c (the allow-lists met
 * on the way).  Private to those files.
 */
#ifndef PTRMILTER_SESSION_STATE_H
#define PTRMILTER_SESSION_STATE_H

#include <stdbool.h>
#include <time.h>

#include "addr.h"
#include "assess.h"
#include "dns_grace.h"
#include "fcrdns.h"
#include "forged.h"
#include "greylist.h"
#include "helo.h"
#include "helo_lookup.h"
#include "session.h"
#include "snapshot.h"
#include "tags.h"
#include "verdict.h"
#include "verdict_record.h"

/* Bytes of a HELO argument kept; anything longer is invalid anyway and
 * is shown cut. */
#define SESSION_HELO_KEEP 512
#define SESSION_NAME_MAX 256
/* Bytes of {i} kept: far more than any MTA's queue ID, which is shown
 * cut to SAFE_TEXT_QUEUE_ID_SHOWN anyway. */
#define SESSION_QUEUE_ID_KEEP 64

struct session {
	unsigned long id;		/* for log lines */
	struct snapshot *snap;		/* the policy, for the whole connection */
	const struct session_shared *shared;
	struct addr client;
	char client_text[ADDR_TEXT_MAX];
	bool judged;			/* not exempt, lookups running; a
					   session that is not still has its
					   forged headers removed */
	const char *unjudged_why;	/* "network", "no_address"; NULL */
	struct timespec opened;		/* option negotiation, or connect
					   on a reused connection */
	bool fresh;			/* made at negotiation, no connect
					   yet */
	struct timespec deadline;	/* opened + dns_timeout */
	struct fcrdns *fcrdns;
	struct helo_lookup *helo_lookup;

	bool helo_seen;
	char helo[SESSION_HELO_KEEP + 1];	/* raw bytes, NUL added */
	size_t helo_len;
	struct helo_parsed helo_parsed;

	char authserv_id[SESSION_NAME_MAX];	/* authres_id_valid(), or ""
						   when there is none */
	char our_name[SESSION_NAME_MAX];	/* {j}, "" if not sent */
	bool have_our_addr;
	struct addr our_addr;			/* {daemon_addr} */
	char mta_resolve[32];			/* {client_resolve} */
	char mta_ptr[SESSION_NAME_MAX];		/* {client_ptr} */

	bool have_verdict;		/* for the current HELO */
	char exemption[ASSESS_EXEMPTION_MAX];	/* the allow-list entry the
						   verdict names, copied
						   from the assessment,
						   which lives on a stack;
						   "": none */
	struct findings findings;
	struct verdict verdict;
	bool have_refusal;		/* the worst refusal so far; a later
					   HELO cannot undo it */
	struct verdict refusal;

	/* The current message, from MAIL to the next MAIL, abort or close:
	 * the answer to end of message is read from it. */
	unsigned long messages;		/* MAIL commands so far: the current
					   message's number */
	char queue_id[SESSION_QUEUE_ID_KEEP + 1];	/* {i}, raw bytes;
							   "": not known */
	char sender[GREYLIST_ADDRESS_MAX + 1];	/* MAIL FROM, raw bytes cut
						   to what greylisting reads */
	bool msg_exempt;		/* authenticated */
	bool rcpt_exempt_passed;	/* a recipient in exempt_recipients
					   passed a refusal */
	struct forged forged;		/* headers to remove at its end */
	size_t ninserts;		/* our headers, in inserts[] */
	struct {
		const char *name;
		const char *value;	/* in header_values */
	} inserts[2];
	char *header_values;		/* both values, at their length */
};

/* Assesses the client (assess_run(), until the session's deadline), keeps
 * what the caches may, logs the decision line and keeps the verdict and
 * findings in the session.
 * Never fails: an internal problem is logged and the client accepted. */
void session_assess(struct session *s);

/* Fills r for a line of event about s: its connection and message
 * numbers, the MTA's queue ID, the client's address as text ("" when it
 * has none) and the policy's mode; everything else zero, for the caller
 * to set.  The one place a decision or message line starts from. */
void session_record(const struct session *s, enum verdict_event event,
    struct verdict_record *r);

/* Logs r at INFO as the session's policy says (log_format): a text line
 * or a JSON object; a line too long for its buffer is logged short. */
void session_log_record(const struct session *s,
    const struct verdict_record *r);

/* session_exempt.c: each counts and logs the exemption that applied. */
/* The client is in exempt_networks. */
bool session_exempt_network(const struct session *s);
/* The message's client authenticated (the caller checked). */
void session_exempt_authenticated(const struct session *s);
/* rcpt (the MTA's argument, untrusted) is in exempt_recipients, so the
 * refusal waived is not sent. */
struct recipient;
/* The exempt_recipients entry rcpt matches, with rcpt parsed into *r;
 * NULL when none does or rcpt does not parse.  Counts and logs nothing. */
const char *session_exempt_entry(const struct session *s, const char *rcpt,
    struct recipient *r);

/* Greylisting at RCPT (session_greylist.c), for a judged client whose
 * verdict accepts: true when rcpt is deferred, with out filled. */
bool session_greylist(struct session *s, const char *rcpt,
    struct session_answer *out);

bool session_exempt_recipient(const struct session *s, const char *rcpt,
    const struct verdict *waived);

#endif
