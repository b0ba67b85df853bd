/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict_record.h - what one decision or message log line tells, filled
 * once and told either way log_format asks: as key=value text or as one
 * JSON object, for log shippers.  The two are made from the same record,
 * so they cannot tell different stories.
 *
 * Pure code, safe from any thread.  Every string of the client's or the
 * MTA's making (HELO, PTR names, {i}, {client_ptr}) is filtered by
 * safe_text() and cut: a text line keeps its key=value shape, a JSON line
 * parses, and neither passes VERDICT_RECORD_MAX.
 */
#ifndef PTRMILTER_VERDICT_RECORD_H
#define PTRMILTER_VERDICT_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"
#include "verdict.h"

/* Room for any line made here: the decision line, the three prefixed or
 * appended fields, and in JSON every name escaped and cut. */
#define VERDICT_RECORD_MAX 4096

enum verdict_event {
	VERDICT_EVENT_DECISION,	/* the verdict, at MAIL FROM */
	VERDICT_EVENT_MESSAGE	/* one message, at its end */
};

struct verdict_record {
	enum verdict_event event;
	unsigned long conn;		/* the session's number */
	unsigned long msg;		/* the message's, from 1 per
					   connection; 0: none */
	const char *queue_id;		/* the MTA's {i} as sent (untrusted);
					   NULL or "": not known */
	const char *ip;			/* the client's address as text;
					   NULL: it has none */
	const struct verdict_input *in;	/* NULL: the client (or this
					   message) was not judged */
	const struct verdict *v;	/* decided from in; NULL with it:
					   then the action is accept */
	enum policy_mode mode;
	const char *exempt;		/* why the client or message was not
					   judged or refused: "network",
					   "authenticated", "no_address",
					   "recipient"; NULL: it was not
					   exempt (in->exemption, an
					   allow-list entry, is its own) */
	const char *exempt_source;	/* where that entry is written
					   ("/etc/ptrmilter/networks:12");
					   NULL: inline or no entry */
	size_t forged_removed;		/* MESSAGE: forged headers taken out */
	bool headers_added;		/* MESSAGE: our headers went in */
};

/*
 * The text line.  DECISION: "conn=12 " and verdict_log_line(), then
 * " msg=1" and " queue_id=ID" when known - the fields after
 * verdict_log_line()'s are new, so parsers of the old line still work;
 * then " exempt=EXEMPTION" (r->exempt, else in->exemption) and
 * " list=SOURCE" when known - last, so that it ends the line.
 * MESSAGE: "conn=12 msg=1 queue_id=ID " first (queue_id=- when not
 * known), so that grep finds the MTA's queue ID at once; then
 * verdict_log_line() of a judged client, else "action=accept ip=IP";
 * then " exempt=EXEMPTION" when one applied, " forged_removed=N
 * headers=added|none".
 * The queue ID is shown as safe_text() QUEUE_ID class makes it.
 * Returns 0, or -1 with buf "" if it did not fit in size.
 */
int verdict_record_text(const struct verdict_record *r, char *buf,
    size_t size);

/*
 * The JSON object, on one line, with the keys event ("decision" or
 * "message"), conn, msg, queue_id, ip, helo, ptr, iprev, dnssec, score,
 * tags ([{"tag": "no_ptr", "reason": "..." or null}, ...]), action,
 * mode, enforced, exemption, exemption_source, ms, cached, mta_resolve, mta_ptr and, for a
 * message, forged_removed and headers_added.  Numbers are numbers,
 * booleans booleans, and what is not known is null (helo: none sent; the
 * verdict's keys: not judged; msg: 0).  A string is escaped by
 * safe_text() JSON class (bytes above 0x7e as \u00XX) and cut to
 * VERDICT_NAME_SHOWN characters, "..." included.  Returns 0, or -1 with
 * buf "" if it did not fit in size.
 */
int verdict_record_json(const struct verdict_record *r, char *buf,
    size_t size);

#endif
