/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * greylist.h - the rules of selective greylisting (issue 16), without the
 * store: the keys a triplet and a passed network are kept under, and what
 * an attempt gets given what the store holds for them.
 *
 * A triplet is (client network, sender, recipient); the network is the
 * client's address cut to greylist_ipv4_prefix or greylist_ipv6_prefix,
 * so that a pool of outbound servers that retries from a neighbour
 * address is recognised.  Its first attempt is deferred; a retry after
 * greylist_delay and within greylist_window passes it, and the network is
 * then passed for any triplet for greylist_pass_ttl.
 *
 * Pure code with no clock of its own: times are wall-clock seconds given
 * by the caller (state_store.h: the hosts of a fleet share them).  Safe
 * from any thread.
 */
#ifndef PTRMILTER_GREYLIST_H
#define PTRMILTER_GREYLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Room for either key and its NUL: "greylist:" + CIDR_TEXT_MAX + ":" +
 * 16 hex digits. */
#define GREYLIST_KEY_MAX 96
/* Bytes of a sender or recipient that count; the rest of a longer one
 * (longer than SMTP allows) is not read. */
#define GREYLIST_ADDRESS_MAX 512

enum greylist_decision {
	GREYLIST_DEFER_NEW,	/* first attempt: record it, defer */
	GREYLIST_DEFER_EARLY,	/* a retry before greylist_delay: defer */
	GREYLIST_PASS,		/* a retry in time: pass the network */
	GREYLIST_PASS_KNOWN,	/* the network passed before */
	GREYLIST_EXPIRED	/* a retry after greylist_window: start
				   again from now, defer */
};

/* What the store holds for one attempt. */
struct greylist_seen {
	bool have_first;	/* a record of the triplet's first attempt */
	int64_t first_s;	/* its time, when have_first */
	bool passed;		/* a pass record of the network */
};

/* The client's network: ip cut to v4_prefix or v6_prefix bits (clamped
 * to the family's width).  Returns 0, or -1 for an address of no
 * family. */
int greylist_network(const struct addr *ip, unsigned v4_prefix,
    unsigned v6_prefix, struct cidr *out);

/* "greypass:198.51.100.0/24": the key of a passed network.  Returns 0,
 * or -1 when it does not fit in size (GREYLIST_KEY_MAX always does). */
int greylist_pass_key(const struct cidr *net, char *buf, size_t size);

/* "greylist:198.51.100.0/24:0123456789abcdef": the key of a triplet.
 * sender and rcpt are as the MTA passes them ("<a@Example.COM>", "<>",
 * NULL for none); the domain part is compared without case, the local
 * part with it (RFC 5321 2.4).  Returns 0, or -1 when it does not fit. */
int greylist_triplet_key(const struct cidr *net, const char *sender,
    const char *rcpt, char *buf, size_t size);

/* The decision for an attempt at now_s.  A first attempt in the future
 * (a fleet clock ahead of ours) counts as made now. */
enum greylist_decision greylist_decide(int64_t now_s,
    const struct greylist_seen *seen, unsigned delay_s, unsigned window_s);

/* Seconds until a deferred triplet may retry: at least 1. */
unsigned greylist_retry_in(int64_t now_s, const struct greylist_seen *seen,
    unsigned delay_s);

/* Is this decision a deferral? */
bool greylist_defers(enum greylist_decision d);

/* "new", "early", "passed", "known", "expired". */
const char *greylist_decision_name(enum greylist_decision d);

#endif
