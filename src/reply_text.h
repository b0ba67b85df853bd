/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reply_text.h - the text of our 4xx/5xx replies: the operator's
 * reply_text with its tokens, checked when the policy is read and
 * expanded for each refusal.
 *
 * Tokens: %{reason} (the most serious finding, our words), %{ip} (the
 * client's address), %{ptr} (its confirmed, else first, PTR name),
 * %{helo} (the HELO/EHLO argument), %{hint} (where the client's provider
 * lets it set reverse DNS) and %% (a percent sign).  An expanded text is
 * printable ASCII, one line, and, each '%' counted twice (it travels
 * doubled to the MTA: reply_text_milter()), at most REPLY_TEXT_MAX
 * octets, so that "450 4.7.25 " + text + CRLF stays within RFC 5321's
 * 512 octets whatever the client's names are: those values are cut to
 * share the room left, each ending in "...".
 *
 * Pure code: no I/O, no allocation, no shared state; safe from any
 * thread.
 */
#ifndef PTRMILTER_REPLY_TEXT_H
#define PTRMILTER_REPLY_TEXT_H

#include <stddef.h>

#include "addr.h"

/* RFC 5321 4.5.3.1.5: a reply line, CRLF included. */
#define REPLY_TEXT_LINE_MAX 512
/* What the line leaves the text: less "450 4.7.25 " and CRLF. */
#define REPLY_TEXT_MAX (REPLY_TEXT_LINE_MAX - 11 - 2)
/* Room for an expanded text (or its reply_text_milter() form) and NUL. */
#define REPLY_TEXT_SIZE (REPLY_TEXT_MAX + 1)
/* Longest %{reason} a verdict gives, and the longest %{ip}: what
 * reply_text_check() reserves for them, never cut. */
#define REPLY_TEXT_REASON_MAX 80
#define REPLY_TEXT_IP_MAX (ADDR_TEXT_MAX - 1)
/* Room for a reply_text_check() message. */
#define REPLY_TEXT_WHY_MAX 256

/* The text when the policy sets none: the words ptrmilter has always
 * said, Postfix's own for reject_unknown_client_hostname. */
#define REPLY_TEXT_DEFAULT "Client host rejected: %{reason}, [%{ip}]"
/* What %{ptr} and %{helo} say when there is no PTR name or no HELO. */
#define REPLY_TEXT_UNKNOWN "unknown"

struct reply_values {
	const char *reason;	/* ours; never cut */
	const char *ip;		/* ours; never cut */
	const char *ptr;	/* presentation form; NULL: none */
	const char *helo;	/* as sent (untrusted); NULL: none */
	const char *hint;	/* NULL or "": none */
};

/* Whether text may be a reply_text: printable ASCII; every '%' starts
 * %% or a known token; some words of its own or %{reason} or %{ip}
 * (not only values that may be empty or the client's); and its fixed
 * part - its words, %{reason} and %{ip} at their longest, "..." for each
 * other token - within REPLY_TEXT_MAX.  Returns 0, or -1 with why saying
 * what is wrong (size bytes, REPLY_TEXT_WHY_MAX is enough). */
int reply_text_check(const char *text, char *why, size_t size);

/* Expands text, which passed reply_text_check(), into buf (size bytes,
 * REPLY_TEXT_SIZE or more; less cuts the values further).  The client's
 * values go through safe_text()'s reply class; %{ptr}, %{helo} and
 * %{hint} share what the fixed part leaves, fairly: one that does not
 * fit whole is cut (a DNS name never inside an escape) and ends in
 * "...".  %{ptr} and %{helo} without a value say REPLY_TEXT_UNKNOWN,
 * %{hint} without one says nothing. */
void reply_text_expand(const char *text, const struct reply_values *v,
    char *buf, size_t size);

/* Writes text with each '%' doubled, as smfi_setreply() needs: Sendmail
 * reads the text as a format and drops the whole of it for a lone '%',
 * Postfix makes "%%" one '%' again.  Returns 0, or -1 with buf "" when
 * it does not fit in size (an expanded text always fits in
 * REPLY_TEXT_SIZE). */
int reply_text_milter(const char *text, char *buf, size_t size);

#endif
