/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict.h - from findings and policy to a decision and its words: the
 * score, the action, the SMTP reply, the Authentication-Results and score
 * header values, and the log line.
 *
 * Pure code, safe from any thread.  Everything untrusted that reaches a
 * text made here (HELO, PTR names) is printable ASCII and bounded; every
 * header line stays well under RFC 5322's 998 characters.
 */
#ifndef PTRMILTER_VERDICT_H
#define PTRMILTER_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "fcrdns_result.h"
#include "generic_db.h"
#include "policy.h"
#include "reply_text.h"
#include "safe_text.h"
#include "tags.h"

/* The reply text and its NUL: "450 4.7.25 " + text + CRLF within RFC
 * 5321's 512 octets. */
#define VERDICT_REPLY_MAX REPLY_TEXT_SIZE
/* Room for any header value made here, folding included. */
#define VERDICT_HEADER_MAX 4096
#define VERDICT_LOG_MAX 4096
/* Longest HELO or PTR name shown in a header or log line; longer ones are
 * cut and end in "...". */
#define VERDICT_NAME_SHOWN SAFE_TEXT_HEADER_SHOWN

enum verdict_action { VERDICT_ACCEPT, VERDICT_TEMPFAIL, VERDICT_REJECT };

/* Why the action is what it is. */
enum verdict_cause {
	VERDICT_CAUSE_NONE,		/* below every threshold */
	VERDICT_CAUSE_SCORE,		/* tempfail_score or reject_score */
	VERDICT_CAUSE_DNS_ERROR,	/* temperror and on_dns_error */
	VERDICT_CAUSE_DNS_GRACE,	/* temperror past tempfail_limit */
	VERDICT_CAUSE_EXEMPT		/* an allow-list entry: exemption */
};

struct verdict_input {
	const struct policy *policy;
	const struct generic_db *generic;	/* provider data, for the
						   reply's %{hint}; may be
						   NULL */
	const struct fcrdns_result *fcrdns;	/* never NULL */
	const struct findings *findings;	/* every tag that fired, the
						   fcrdns tags included */
	const char *helo;		/* as announced (untrusted); NULL: none */
	bool dns_grace;			/* tempfail_limit ran out for this IP */
	/* What the MTA itself concluded, for the log line; NULL if unknown:
	 * Postfix/Sendmail {client_resolve} (OK, FAIL, FORGED, TEMP) and
	 * {client_ptr}. */
	const char *mta_resolve;
	const char *mta_ptr;
	/* The allow-list entry that made an otherwise judged client's
	 * action accept, as "kind:entry" (ptr_domain:example.com), from the
	 * policy - never from the network; NULL: none applied. */
	const char *exemption;
};

struct verdict {
	double score;			/* sum of the weights of the tags */
	tag_set tags;
	enum iprev iprev;
	enum verdict_action action;	/* what the policy asks for */
	enum verdict_cause cause;
	bool enforced;			/* action is refusal and mode=enforce */
	char rcode[4];			/* "450", "550"; "" for accept */
	char xcode[8];			/* "4.7.25", "5.7.25"; "" for accept */
	char reply[VERDICT_REPLY_MAX];	/* reply_text expanded: "Client host
					   rejected: cannot find your
					   reverse hostname, [IP]" by
					   default; "" for accept.  As the
					   sender reads it: printable ASCII,
					   no CR or LF, but '%' may be in it
					   (reply_text_milter()) */
};

/*
 * The rules:
 * - score = sum of policy->score[t] over the tags in findings, added and
 *   compared with the thresholds in exact thousandths (weights have at
 *   most three decimals), so 4.7 + 0.3 reaches 5;
 * - iprev temperror - or a dns_temperror or dnssec_bogus finding, which
 *   says the same - never rejects.  With on_dns_error = tempfail the
 *   action is tempfail (cause DNS_ERROR), unless dns_grace, then accept
 *   (cause DNS_GRACE); with on_dns_error = accept the score decides, but
 *   at most tempfail;
 * - otherwise score >= reject_score: reject; >= tempfail_score: tempfail
 *   (a threshold that is off, INFINITY, is never reached);
 * - in->exemption set: accept whatever the score (cause EXEMPT); the
 *   score, tags and iprev stay what they are, for the headers;
 * - enforced = action != ACCEPT and mode = enforce.
 * The reply is the policy's reply_text (REPLY_TEXT_DEFAULT when it has
 * none) expanded: %{reason} names the most serious finding (bogus, DNS
 * failure, no PTR, forward NXDOMAIN, not confirmed, generic, else the
 * score), %{ip} the client's address, %{ptr} its confirmed (else first)
 * PTR name, %{helo} in->helo, %{hint} "PROVIDER: where to set reverse
 * DNS" from in->generic (provider_hint.h) when the PTR is generic or
 * missing and the data has a hint for the provider.  in->policy,
 * in->fcrdns and in->findings must not be NULL.
 */
void verdict_decide(const struct verdict_input *in, struct verdict *out);

/* The Authentication-Results value (without "Authentication-Results: "):
 * "mx.example.net; iprev=pass policy.iprev=198.51.100.20
 * (mail.example.com; dnssec=secure)" - the property per
 * auth_results_property, the comment with the confirmed (else first) PTR
 * name, cut to VERDICT_NAME_SHOWN, and the DNSSEC state; "(dnssec=...)"
 * alone when there is no name; an IPv6 address is quoted
 * (policy.iprev="2001:db8::1"), as RFC 8601's grammar needs.  authserv_id
 * is written unchanged and must be authres_id_valid().  Folded with "\n\t" between words where a line would
 * pass 78 characters, the first line counting "Authentication-Results: ".
 * Returns 0, or -1 with buf "" if it did not fit in size, authserv_id is
 * not authres_id_valid() (NULL and "" included), or the client address
 * has no text form. */
int verdict_auth_results(const struct verdict_input *in,
    const struct verdict *v, const char *authserv_id, char *buf, size_t size);

/* The score header value: "1.0 (helo_ptr_mismatch) helo=gw.example.com
 * ptr=mail.example.com": the score as "%.1f", every tag in enum order
 * (zero weights too; "()" when none), each followed by its reason in
 * brackets when it has one (ptr_generic[ip-in-name:198-51-100-20]); the
 * HELO with bytes outside 0x21..0x7e and ( ) ; \ " < > shown as '?',
 * the PTR name as in Authentication-Results, both cut to
 * VERDICT_NAME_SHOWN; helo=<none> / ptr=- when absent.  Folded like the
 * above, counting "header_name: " on the first line.  Returns 0, or -1
 * with buf "" if it did not fit in size (or header_name is so long that
 * the first line would pass 998 characters). */
int verdict_score_header(const struct verdict_input *in,
    const struct verdict *v, const char *header_name, char *buf, size_t size);

/* The decision log line (STYLE.md):
 * "action=tempfail ip=198.51.100.21 helo=<pc01> ptr=- iprev=permerror
 * dnssec=secure score=5.0 tags=no_ptr,helo_not_fqdn ms=12", plus
 * "mode=dry-run" when not enforced for that reason, and
 * "mta_resolve=... mta_ptr=<...>" when the MTA's {client_resolve}
 * disagrees with our iprev (OK~pass, FORGED~fail, FAIL~permerror,
 * TEMP~temperror; any other word disagrees; NULL or "" is not known).
 * helo=- when none was sent (a HELO of "-" shows as helo=<->); each tag
 * with its reason in brackets when it has one
 * (tags=ptr_generic[ip-in-name:198-51-100-20]), tags=- when none;
 * mta_ptr=- when NULL.  (in->exemption is told by the record around
 * this line: verdict_record.h.)  Untrusted text
 * is shown and cut as in the score header, so the line is printable and
 * has no spaces of the client's making - but it may hold '%': log it as
 * an argument, never as a format.  Returns 0, or -1 with buf "" if it did
 * not fit in size (VERDICT_LOG_MAX always fits). */
int verdict_log_line(const struct verdict_input *in, const struct verdict *v,
    char *buf, size_t size);

const char *verdict_action_name(enum verdict_action a);

/* The PTR name a verdict shows: the confirmed one, else the first; NULL
 * when there is none.  Raw presentation form: filter it to show it. */
const char *verdict_ptr_name(const struct fcrdns_result *r);

/* The score as the texts show it: "%.1f", never "-0.0". */
void verdict_format_score(double score, char *buf, size_t size);

#endif
