/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * greylist.c - greylisting keys and decisions; see greylist.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "greylist.h"

#define FNV64_OFFSET 0xcbf29ce484222325ULL
#define FNV64_PRIME 0x100000001b3ULL

static uint64_t fnv_byte(uint64_t h, unsigned char c);
static uint64_t hash_address(uint64_t h, const char *addr);

int
greylist_network(const struct addr *ip, unsigned v4_prefix,
    unsigned v6_prefix, struct cidr *out)
{
	unsigned bits, prefix, full, rest;

	if (ip->family != AF_INET && ip->family != AF_INET6)
		return -1;
	bits = ip->family == AF_INET ? 32 : 128;
	prefix = ip->family == AF_INET ? v4_prefix : v6_prefix;
	if (prefix > bits)
		prefix = bits;
	memset(out, 0, sizeof(*out));
	out->net.family = ip->family;
	out->prefix = prefix;
	full = prefix / 8;
	rest = prefix % 8;
	memcpy(out->net.bytes, ip->bytes, full);
	if (rest != 0)
		out->net.bytes[full] =
		    (uint8_t)(ip->bytes[full] & (0xff00u >> rest));
	return 0;
}

int
greylist_pass_key(const struct cidr *net, char *buf, size_t size)
{
	char text[CIDR_TEXT_MAX];
	int n;

	if (cidr_format(net, text, sizeof(text)) != 0)
		return -1;
	n = snprintf(buf, size, "greypass:%s", text);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * The sender and recipient are the client's own bytes: any length, any
 * byte.  The store takes keys of visible ASCII only (state_store.h) and
 * Redis and LMDB keep them verbatim, where an administrator reads them
 * with redis-cli or mdb_dump - so they go in as a hash: 16 hex digits,
 * whatever the client sent.  FNV-1a is not a keyed hash and a client can
 * make two of its triplets collide, but all that buys it is one retry
 * spared for mail from its own network, which a retry would buy anyway;
 * between honest triplets a 64-bit collision is beyond any mail volume.
 */
int
greylist_triplet_key(const struct cidr *net, const char *sender,
    const char *rcpt, char *buf, size_t size)
{
	char text[CIDR_TEXT_MAX];
	uint64_t h = FNV64_OFFSET;
	int n;

	if (cidr_format(net, text, sizeof(text)) != 0)
		return -1;
	h = hash_address(h, sender);
	h = fnv_byte(h, '\0');	/* "a" + "bc" differs from "ab" + "c" */
	h = hash_address(h, rcpt);
	n = snprintf(buf, size, "greylist:%s:%016llx", text,
	    (unsigned long long)h);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static uint64_t
fnv_byte(uint64_t h, unsigned char c)
{
	return (h ^ c) * FNV64_PRIME;
}

/* The address without the MTA's angle brackets or surrounding blanks,
 * its domain (after the last '@') folded to lower case. */
static uint64_t
hash_address(uint64_t h, const char *addr)
{
	size_t len, at;
	const char *end;

	if (addr == NULL)
		return h;
	len = strnlen(addr, GREYLIST_ADDRESS_MAX);
	while (len > 0 && (*addr == ' ' || *addr == '<')) {
		addr++;
		len--;
	}
	while (len > 0 && (addr[len - 1] == ' ' || addr[len - 1] == '>'))
		len--;
	end = addr + len;
	for (at = len; at > 0 && addr[at - 1] != '@'; at--)
		;
	for (const char *c = addr; c < end; c++)
		h = fnv_byte(h, (size_t)(c - addr) >= at && at > 0 ?
		    ascii_fold((unsigned char)*c) : (unsigned char)*c);
	return h;
}

enum greylist_decision
greylist_decide(int64_t now_s, const struct greylist_seen *seen,
    unsigned delay_s, unsigned window_s)
{
	int64_t waited;

	if (seen->passed)
		return GREYLIST_PASS_KNOWN;
	if (!seen->have_first)
		return GREYLIST_DEFER_NEW;
	waited = now_s > seen->first_s ? now_s - seen->first_s : 0;
	if (waited < (int64_t)delay_s)
		return GREYLIST_DEFER_EARLY;
	if (waited > (int64_t)window_s)
		return GREYLIST_EXPIRED;
	return GREYLIST_PASS;
}

unsigned
greylist_retry_in(int64_t now_s, const struct greylist_seen *seen,
    unsigned delay_s)
{
	int64_t waited = 0;

	if (seen->have_first && now_s > seen->first_s)
		waited = now_s - seen->first_s;
	return waited >= (int64_t)delay_s ? 1 : (unsigned)(delay_s - waited);
}

bool
greylist_defers(enum greylist_decision d)
{
	return d == GREYLIST_DEFER_NEW || d == GREYLIST_DEFER_EARLY ||
	    d == GREYLIST_EXPIRED;
}

const char *
greylist_decision_name(enum greylist_decision d)
{
	switch (d) {
	case GREYLIST_DEFER_NEW:
		return "new";
	case GREYLIST_DEFER_EARLY:
		return "early";
	case GREYLIST_PASS:
		return "passed";
	case GREYLIST_PASS_KNOWN:
		return "known";
	case GREYLIST_EXPIRED:
		return "expired";
	}
	return "?";
}
