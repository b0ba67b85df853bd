/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic_shape.h - the shape of an access network's name when it holds
 * neither the client's whole address nor a host-type word beside digits:
 * a cable modem's hardware id, an IPv6 tunnel broker's endpoint, a
 * customer or line number beside an access word, the last octet beside
 * a node number, a location with a circuit or port id.
 *
 * Pure code: no I/O, no allocation, no shared state; safe from any thread.
 */
#ifndef PTRMILTER_GENERIC_SHAPE_H
#define PTRMILTER_GENERIC_SHAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

/* People number their own hosts with small numbers ("srv2-20",
 * "web-04"): a last octet below this, beside other text, may be a host
 * index, and proves nothing. */
#define GENERIC_HOST_INDEX_MAX 32

/* A shape found: the rule's name for the reason ("hex-id") and the part
 * of the name that shows it, h[at..end). */
struct generic_shape_hit {
	const char *rule;
	size_t at;
	size_t end;
};

/* Looks at h[0..len), the labels left of the registered domain (lower
 * case, no escapes, no trailing dot) of a name for client (may be NULL:
 * the rules that need the address are skipped).  worded: a host-type
 * word stands somewhere in it ("dsl", "pool", "host").  Returns true and
 * fills hit when one rule holds.  A name that shows a mail host anywhere
 * in h ("smtp", "mail", "relay", "mta" inside a label) never has a
 * generic shape: big senders number their outbound hosts too. */
bool generic_shape_find(const struct addr *client, const char *h,
    size_t len, bool worded, struct generic_shape_hit *hit);

#endif
