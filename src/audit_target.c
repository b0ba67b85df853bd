/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit_target.c - ptrcheck's targets: prefixes parsed and expanded,
 * sources labelled and compared, and the set of addresses judged so far
 * (open addressing, doubled up to AUDIT_SEEN_MAX).  See audit_target.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_target.h"
#include "safe_text.h"

struct audit_seen_entry {
	bool used;
	struct audit_outcome outcome;
};

/* The first size of the set, a power of two. */
#define SEEN_INITIAL 256

static size_t seen_hash(const struct addr *a);
static struct audit_seen_entry *seen_slot(const struct audit_seen *s,
    const struct addr *a);
static int seen_grow(struct audit_seen *s);

bool
audit_is_prefix(const char *text)
{
	return strchr(text, '/') != NULL;
}

/* The network of text's address under its length, host bits cleared:
 * what a prefix with host bits set probably meant.  -1: not
 * ADDRESS/LENGTH at all. */
static int
prefix_cleared(const char *text, struct cidr *out)
{
	char ip[ADDR_TEXT_MAX + 1];
	const char *slash = strchr(text, '/');
	size_t n = slash != NULL ? (size_t)(slash - text) : 0;
	char buf[CIDR_TEXT_MAX + 1];
	struct addr a;
	size_t len;

	if (slash == NULL || n >= sizeof(ip))
		return -1;
	memcpy(ip, text, n);
	ip[n] = '\0';
	if (addr_parse(ip, &a) == -1)
		return -1;
	/* Zero every bit below the length, then let cidr_parse() judge
	 * the length itself with its own rules. */
	len = strtoul(slash + 1, NULL, 10);
	for (size_t bit = len; bit < addr_length(&a) * 8; bit++)
		a.bytes[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	if (addr_format(&a, buf, sizeof(buf) - 4) == -1)
		return -1;
	n = strlen(buf);
	if (snprintf(buf + n, sizeof(buf) - n, "%s", slash) >=
	    (int)(sizeof(buf) - n))
		return -1;
	return cidr_parse(buf, out);
}

enum audit_prefix_status
audit_prefix_parse(const char *text, unsigned long max, struct cidr *out,
    struct cidr *suggest)
{
	struct cidr c;

	if (cidr_parse(text, &c) == -1) {
		if (prefix_cleared(text, &c) == -1)
			return AUDIT_PREFIX_INVALID;
		if (suggest != NULL)
			*suggest = c;
		return AUDIT_PREFIX_HOST_BITS;
	}
	*out = c;
	if (c.net.family == AF_INET6)
		return c.prefix == 128 ? AUDIT_PREFIX_OK : AUDIT_PREFIX_IPV6;
	if (audit_prefix_size(&c) > max)
		return AUDIT_PREFIX_TOO_WIDE;
	return AUDIT_PREFIX_OK;
}

const char *
audit_prefix_error(enum audit_prefix_status status)
{
	switch (status) {
	case AUDIT_PREFIX_OK:
		break;
	case AUDIT_PREFIX_INVALID:
		return "not an IP address or prefix";
	case AUDIT_PREFIX_HOST_BITS:
		return "host bits set below the prefix length";
	case AUDIT_PREFIX_TOO_WIDE:
		return "prefix holds more addresses than --max-addresses";
	case AUDIT_PREFIX_IPV6:
		return "an IPv6 prefix cannot be enumerated";
	}
	return "ok";
}

unsigned long
audit_prefix_size(const struct cidr *c)
{
	if (c->net.family != AF_INET)
		return 1;
	return 1UL << (32 - c->prefix);
}

void
audit_prefix_address(const struct cidr *c, unsigned long i,
    struct addr *out)
{
	uint32_t v = ((uint32_t)c->net.bytes[0] << 24) |
	    ((uint32_t)c->net.bytes[1] << 16) |
	    ((uint32_t)c->net.bytes[2] << 8) | c->net.bytes[3];

	*out = c->net;
	if (c->net.family != AF_INET)
		return;
	v += (uint32_t)i;
	out->bytes[0] = (uint8_t)(v >> 24);
	out->bytes[1] = (uint8_t)(v >> 16);
	out->bytes[2] = (uint8_t)(v >> 8);
	out->bytes[3] = (uint8_t)v;
}

/* "spf " or "mx " and the caller's text, escaped and cut to fit. */
static void
format_text_source(const char *kind, const char *text, char *buf,
    size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "%s ", kind);

	if (n >= size)
		return;
	(void)safe_text(buf + n, size - n, text != NULL ? text : "-",
	    SAFE_TEXT_ALL, SAFE_TEXT_TERMINAL);
}

const char *
audit_source_format(const struct audit_source *s, char *buf, size_t size)
{
	char net[CIDR_TEXT_MAX];

	if (size == 0)
		return buf;
	switch (s->kind) {
	case AUDIT_SOURCE_ARGUMENT:
		snprintf(buf, size, "argument");
		break;
	case AUDIT_SOURCE_STDIN:
		snprintf(buf, size, "stdin line %lu", s->line);
		break;
	case AUDIT_SOURCE_PREFIX:
		if (cidr_format(&s->prefix, net, sizeof(net)) == -1)
			snprintf(net, sizeof(net), "?");
		if (s->line > 0)
			snprintf(buf, size, "prefix %s (stdin line %lu)", net,
			    s->line);
		else
			snprintf(buf, size, "prefix %s", net);
		break;
	case AUDIT_SOURCE_SPF:
		format_text_source("spf", s->text, buf, size);
		break;
	case AUDIT_SOURCE_MX:
		format_text_source("mx", s->text, buf, size);
		break;
	}
	return buf;
}

bool
audit_source_same(const struct audit_source *a, const struct audit_source *b)
{
	if (a->kind != b->kind || a->line != b->line || a->text != b->text)
		return false;
	if (a->kind != AUDIT_SOURCE_PREFIX)
		return true;
	return a->prefix.prefix == b->prefix.prefix &&
	    addr_equal(&a->prefix.net, &b->prefix.net);
}

bool
audit_source_grouped(const struct audit_source *s)
{
	return s->kind != AUDIT_SOURCE_ARGUMENT &&
	    s->kind != AUDIT_SOURCE_STDIN;
}

void
audit_seen_init(struct audit_seen *s)
{
	memset(s, 0, sizeof(*s));
}

/* FNV-1a over the family and the address bytes. */
static size_t
seen_hash(const struct addr *a)
{
	uint64_t h = 14695981039346656037ULL;
	size_t n = addr_length(a);

	h = (h ^ (uint64_t)a->family) * 1099511628211ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ a->bytes[i]) * 1099511628211ULL;
	return (size_t)h;
}

/* a's slot, or the free slot where it would go; NULL only for an empty
 * set.  The set is never full (see audit_seen_claim()). */
static struct audit_seen_entry *
seen_slot(const struct audit_seen *s, const struct addr *a)
{
	size_t i;

	if (s->capacity == 0)
		return NULL;
	i = seen_hash(a) & (s->capacity - 1);
	while (s->slots[i].used && !addr_equal(&s->slots[i].outcome.addr, a))
		i = (i + 1) & (s->capacity - 1);
	return &s->slots[i];
}

struct audit_outcome *
audit_seen_find(const struct audit_seen *s, const struct addr *a)
{
	struct audit_seen_entry *e = seen_slot(s, a);

	return e != NULL && e->used ? &e->outcome : NULL;
}

static int
seen_grow(struct audit_seen *s)
{
	struct audit_seen bigger;
	size_t capacity = s->capacity == 0 ? SEEN_INITIAL : s->capacity * 2;

	bigger.slots = calloc(capacity, sizeof(*bigger.slots));
	if (bigger.slots == NULL)
		return -1;
	bigger.capacity = capacity;
	bigger.count = s->count;
	for (size_t i = 0; i < s->capacity; i++)
		if (s->slots[i].used)
			*seen_slot(&bigger, &s->slots[i].outcome.addr) =
			    s->slots[i];
	free(s->slots);
	*s = bigger;
	return 0;
}

int
audit_seen_claim(struct audit_seen *s, const struct addr *a)
{
	struct audit_seen_entry *e = seen_slot(s, a);

	if (e != NULL && e->used)
		return 0;
	if (s->count >= AUDIT_SEEN_MAX)
		return -1;
	/* Kept at most half full, so a probe ends soon. */
	if ((s->count + 1) * 2 > s->capacity) {
		if (seen_grow(s) == -1)
			return -1;
		e = seen_slot(s, a);
	}
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->outcome.addr = *a;
	e->outcome.iprev = IPREV_TEMPERROR;
	s->count++;
	return 1;
}

void
audit_seen_free(struct audit_seen *s)
{
	free(s->slots);
	audit_seen_init(s);
}
