/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * addr.h - client addresses: parsing, formatting, reverse names, CIDR lists
 * (a growable array the DNS lookups of the audit fill).
 *
 * Pure code: no I/O, no allocation except in cidr_list.  An IPv4-mapped
 * IPv6 address (::ffff:a.b.c.d) is an IPv4 client everywhere in ptrmilter,
 * so addr_parse(), addr_from_sockaddr() and cidr_parse() fold it to
 * AF_INET.  An IPv4-compatible address (::a.b.c.d, deprecated by RFC 4291)
 * is not folded: it stays IPv6.
 *
 * Thread safety: no shared state; every function is safe to call from any
 * thread on data that thread owns.  A cidr_list may be read concurrently
 * once it is no longer being modified.
 *
 * Writers (addr_format, addr_reverse_name, cidr_format) never truncate:
 * if the text and its NUL do not fit in size they return -1 and leave an
 * empty string in buf (when size > 0).
 */
#ifndef PTRMILTER_ADDR_H
#define PTRMILTER_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Longest text form: a full IPv6 address with an embedded IPv4 tail. */
#define ADDR_TEXT_MAX 46
/* "f.f.f...ip6.arpa" is 32 nibbles * 2 + "ip6.arpa" + NUL = 73. */
#define ADDR_REVERSE_MAX 80
/* An address and "/128". */
#define CIDR_TEXT_MAX (ADDR_TEXT_MAX + 4)

/* A client address.  The parsers zero the unused bytes. */
struct addr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t bytes[16];	/* network order; 4 used for AF_INET */
};

/* A network: an address with a prefix length. */
struct cidr {
	struct addr net;	/* host bits cleared */
	unsigned prefix;	/* 0..32 or 0..128 */
};

/* A growable array of networks; start with cidr_list_init(). */
struct cidr_list {
	struct cidr *items;
	size_t count;
	size_t capacity;
};

/* Parses "198.51.100.20", "2001:db8::1", "::ffff:198.51.100.20" (folded to
 * IPv4).  Surrounding brackets or an IPv6 zone are not accepted, nor are
 * spaces, leading zeros in an IPv4 part ("010.1.1.1"), short forms
 * ("1.2.3", "127.1") or text of ADDR_TEXT_MAX bytes or more.
 * Returns 0, or -1 on anything else (text NULL included). */
int addr_parse(const char *text, struct addr *out);

/* Converts a sockaddr (AF_INET or AF_INET6, mapped IPv4 folded); sa must
 * point at a whole sockaddr_in or sockaddr_in6 of the family it names.
 * Returns -1 for NULL, AF_UNIX or anything else. */
int addr_from_sockaddr(const struct sockaddr *sa, struct addr *out);

/* Writes the canonical text form: dotted quad for IPv4; RFC 5952 for
 * IPv6 (lower case, no leading zeros, the first longest run of two or
 * more zero words as "::", mixed notation only for ::ffff:a.b.c.d).
 * Returns 0, or -1 if size is too small (ADDR_TEXT_MAX always fits) or
 * the family is neither AF_INET nor AF_INET6. */
int addr_format(const struct addr *a, char *buf, size_t size);

/* Writes "20.100.51.198.in-addr.arpa" or the 32-nibble ip6.arpa name,
 * without a trailing dot.  Returns 0, or -1 if size is too small
 * (ADDR_REVERSE_MAX always fits) or the family is unknown. */
int addr_reverse_name(const struct addr *a, char *buf, size_t size);

/* Length in bytes of the address: 4 or 16 (0 for an unknown family). */
size_t addr_length(const struct addr *a);

/* True if both have the same known family and the same address bytes. */
bool addr_equal(const struct addr *a, const struct addr *b);

/* Parses "198.51.100.0/24", "2001:db8::/32", or a bare address (a host
 * route).  Host bits set below the prefix are an error, so a typo in a
 * config file is caught rather than silently widened.  The prefix is
 * plain decimal within the family's width: "", "08", "+8", "33" for IPv4
 * and "129" for IPv6 are errors.  A mapped network ::ffff:a.b.c.d/N with
 * N >= 96 becomes the IPv4 network a.b.c.d/(N-96), since the clients it
 * would match are IPv4 clients; with N < 96 it is an error.
 * Returns 0, or -1 (out untouched). */
int cidr_parse(const char *text, struct cidr *out);

/* True if a lies in c.  An IPv4 network never contains an IPv6 address
 * and vice versa: ::/0 holds every IPv6 client and no IPv4 client. */
bool cidr_contains(const struct cidr *c, const struct addr *a);

/* Writes "198.51.100.0/24" (addr_format() then "/prefix"), e.g. for a
 * configuration dump.  Returns 0, or -1 if size is too small
 * (CIDR_TEXT_MAX always fits). */
int cidr_format(const struct cidr *c, char *buf, size_t size);

/* Makes an empty list; it allocates nothing. */
void cidr_list_init(struct cidr_list *list);
/* Appends a parsed CIDR.  Returns 0, or -1 on allocation failure. */
int cidr_list_add(struct cidr_list *list, const struct cidr *c);
/* Frees the entries and leaves an empty list, so freeing twice is safe. */
void cidr_list_free(struct cidr_list *list);

#endif
