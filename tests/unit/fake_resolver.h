/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fake_resolver.h - a scripted resolver linked in place of resolver.c.
 *
 * Answers come from a script of {name, type} rules.  Queries are queued and
 * answered only when the test calls fake_resolver_deliver(), on the test's
 * own thread, so every interleaving is deterministic.  A rule marked
 * `never` leaves its query unanswered, as a dead server would; one marked
 * `on_release` answers only when the owner releases the query, as the
 * real resolver does when the answer races the release (the callback runs
 * and the release waits for it).
 *
 * In threaded mode (fake_resolver_threaded()) each query is answered at
 * once on a thread of its own, as the resolver's thread would, for code
 * that blocks until its answers come; resolver_release() joins that
 * thread, which is the real release's wait for a running callback.
 *
 * TXT data are character-strings of up to 255 bytes each, split where
 * the datum holds FAKE_TXT_BREAK; MX data are "preference name".
 */
#ifndef FAKE_RESOLVER_H
#define FAKE_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolver.h"

#define FAKE_MAX_DATA 16
/* In a TXT datum: ends one character-string, starts the next. */
#define FAKE_TXT_BREAK "\x1f"

struct fake_rule {
	const char *name;		/* query name, as fcrdns sends it */
	int rrtype;
	enum dns_status status;
	int rcode;
	enum dnssec_state dnssec;
	const char *data[FAKE_MAX_DATA];	/* PTR names or addresses */
	const char *canonname;
	const char *why_bogus;
	unsigned ttl;			/* the answer's reuse time */
	bool never;			/* no answer, ever */
	bool on_release;		/* answered inside resolver_release() */
	/* More data after data[], any number: large answers. */
	const char *const *more;
	size_t nmore;
	bool refuse;			/* resolver_query() fails */
	/* Raw rdata, used instead of data[0] when wire_len > 0. */
	const uint8_t *wire;
	size_t wire_len;
};

void fake_resolver_reset(void);
void fake_resolver_add(const struct fake_rule *rule);
/* Answers each query on its own thread as soon as it is sent (not for
 * rules marked never or on_release).  Reset turns it off. */
void fake_resolver_threaded(bool on);
/* Reset, then script[0..n) added, answered in threaded mode: the rules
 * of a test of code that blocks for its answers (the SPF walk). */
void fake_resolver_script(const struct fake_rule *script, size_t n);
/* Answers every queued query that has an answer, including those that
 * callbacks queue meanwhile.  Returns how many were answered. */
size_t fake_resolver_deliver(void);
/* Queries neither answered nor released: must be 0 after fcrdns_free. */
size_t fake_resolver_live(void);
/* How many queries were sent for name (any type). */
size_t fake_resolver_sent(const char *name);

#endif
