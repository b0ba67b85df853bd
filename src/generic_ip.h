/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic_ip.h - finds a client's own address written in a host name, in
 * the encodings providers use for default names: IPv4 dashed, dotted,
 * underscored or "x"-separated, forward or reversed, zero-padded,
 * concatenated, hex, a 32-bit integer, or only its last two or three
 * octets; IPv6 as hex groups (full or compressed), nibbles, a base-36
 * integer, its interface ID, or the MAC address of an EUI-64 interface ID.
 *
 * Pure code: no I/O, no allocation, no shared state; safe from any thread.
 * The caller decides what a partial match is worth (generic.c wants other
 * evidence beside it).
 */
#ifndef PTRMILTER_GENERIC_IP_H
#define PTRMILTER_GENERIC_IP_H

#include <stddef.h>

#include "addr.h"

/* How much of the address a match shows, weakest first. */
enum generic_ip_kind {
	GENERIC_IP_NONE,
	GENERIC_IP_PARTIAL2,	/* IPv4: the last two octets */
	GENERIC_IP_PARTIAL3,	/* IPv4: the last three octets */
	GENERIC_IP_EUI64,	/* IPv6: an EUI-64 interface ID or its MAC */
	GENERIC_IP_FULL		/* the whole address */
};

/* A match: its kind and where it stands, h[at..end). */
struct generic_ip_hit {
	enum generic_ip_kind kind;
	size_t at;
	size_t end;
};

/* Looks for client in h[0..len) (lower case; h[len] must be readable, a
 * NUL or the '.' before the registered domain) and reports
 * the strongest match, the first one of its kind: a full address over an
 * EUI-64 interface ID over three octets over two.  kind is
 * GENERIC_IP_NONE when nothing matched or client is NULL. */
void generic_ip_find(const struct addr *client, const char *h, size_t len,
    struct generic_ip_hit *hit);

#endif
