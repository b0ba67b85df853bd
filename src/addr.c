/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * addr.c - client addresses: parsing, canonical text, reverse names, CIDR
 * matching and the growable CIDR list; see addr.h.
 *
 * Pure code: no I/O, no locale, no global state.  Only the cidr_list
 * functions allocate.  Every writer takes the buffer size, fails with -1
 * rather than truncating, and leaves an empty string behind when it fails.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "text.h"

/* Capacity of a cidr_list after its first allocation. */
#define CIDR_LIST_FIRST 8

static int ipv4_parse_span(const char *s, size_t len, uint8_t out[4]);
static int ipv6_parse(const char *text, size_t len, uint8_t out[16]);
static int addr_parse_raw(const char *text, struct addr *out);
static bool addr_is_mapped(const struct addr *a);
static void addr_fold_mapped(struct addr *a);
static unsigned addr_bits(int family);
static int text_done(char *buf, size_t size, int ret);
static void ipv6_longest_zero_run(const uint16_t w[8], int *start, int *len);
static int put_dotted_quad(char *buf, size_t size, size_t *pos,
    const uint8_t b[4]);
static int put_ipv6(char *buf, size_t size, size_t *pos, const uint8_t b[16]);
static int prefix_parse(const char *s, unsigned *out);
static bool host_bits_clear(const struct addr *a, unsigned prefix);

/* The 12-byte prefix of an IPv4-mapped IPv6 address (RFC 4291 2.5.5.2). */
static const uint8_t mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/*
 * Parses exactly len bytes of s as a dotted quad: four decimal parts of
 * one to three digits, each at most 255, no leading zeros (so "010" is
 * never mistaken for octal), nothing else.  Returns 0 or -1.
 */
static int
ipv4_parse_span(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned value = 0;
		size_t digits = 0;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				return -1;
			i++;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (digits == 3)
				return -1;
			if (digits == 1 && value == 0)
				return -1;	/* leading zero */
			value = value * 10 + (unsigned)(s[i] - '0');
			digits++;
			i++;
		}
		if (digits == 0 || value > 255)
			return -1;
		out[part] = (uint8_t)value;
	}
	return i == len ? 0 : -1;
}

/*
 * Parses an IPv6 address of length len (already bounded by the caller).
 * inet_pton() does the work, but first the text must consist of hex
 * digits, ':' and '.' only (no zone "%eth0", no brackets, no spaces), and
 * an embedded IPv4 tail must pass the strict dotted-quad parser, so what
 * a given libc tolerates does not widen what we accept.
 */
static int
ipv6_parse(const char *text, size_t len, uint8_t out[16])
{
	const char *last_colon = NULL;
	bool has_dot = false;
	uint8_t tail[4];
	size_t i;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (c == ':')
			last_colon = text + i;
		else if (c == '.')
			has_dot = true;
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F')))
			return -1;
	}
	if (last_colon == NULL)
		return -1;
	if (has_dot && ipv4_parse_span(last_colon + 1,
	    len - (size_t)(last_colon + 1 - text), tail) == -1)
		return -1;
	if (inet_pton(AF_INET6, text, out) != 1)
		return -1;
	return 0;
}

/*
 * Parses a plain IPv4 or IPv6 address without folding a mapped address,
 * so that cidr_parse() can see that the text was IPv6 and adjust the
 * prefix.  Unused bytes of out are zero.
 */
static int
addr_parse_raw(const char *text, struct addr *out)
{
	size_t len;

	if (text == NULL || out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	len = strnlen(text, ADDR_TEXT_MAX);
	if (len == 0 || len >= ADDR_TEXT_MAX)
		return -1;
	if (memchr(text, ':', len) != NULL) {
		if (ipv6_parse(text, len, out->bytes) == -1)
			return -1;
		out->family = AF_INET6;
	} else {
		if (ipv4_parse_span(text, len, out->bytes) == -1)
			return -1;
		out->family = AF_INET;
	}
	return 0;
}

/* True for an AF_INET6 address in ::ffff:0:0/96. */
static bool
addr_is_mapped(const struct addr *a)
{
	return a->family == AF_INET6 &&
	    memcmp(a->bytes, mapped_prefix, sizeof(mapped_prefix)) == 0;
}

/* Turns ::ffff:a.b.c.d into the AF_INET address a.b.c.d; else no-op. */
static void
addr_fold_mapped(struct addr *a)
{
	uint8_t v4[4];

	if (!addr_is_mapped(a))
		return;
	memcpy(v4, a->bytes + sizeof(mapped_prefix), sizeof(v4));
	memset(a->bytes, 0, sizeof(a->bytes));
	memcpy(a->bytes, v4, sizeof(v4));
	a->family = AF_INET;
}

int
addr_parse(const char *text, struct addr *out)
{
	if (addr_parse_raw(text, out) == -1)
		return -1;
	addr_fold_mapped(out);
	return 0;
}

int
addr_from_sockaddr(const struct sockaddr *sa, struct addr *out)
{
	const unsigned char *base = (const unsigned char *)sa;

	if (sa == NULL || out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	/* memcpy from the member offsets: no assumption about alignment. */
	switch (sa->sa_family) {
	case AF_INET:
		memcpy(out->bytes,
		    base + offsetof(struct sockaddr_in, sin_addr), 4);
		out->family = AF_INET;
		break;
	case AF_INET6:
		memcpy(out->bytes,
		    base + offsetof(struct sockaddr_in6, sin6_addr), 16);
		out->family = AF_INET6;
		addr_fold_mapped(out);
		break;
	default:
		return -1;
	}
	return 0;
}

/* Width in bits of an address family, or 0 if unknown. */
static unsigned
addr_bits(int family)
{
	if (family == AF_INET)
		return 32;
	if (family == AF_INET6)
		return 128;
	return 0;
}

size_t
addr_length(const struct addr *a)
{
	return addr_bits(a->family) / 8;
}

bool
addr_equal(const struct addr *a, const struct addr *b)
{
	size_t len = addr_length(a);

	return len != 0 && a->family == b->family &&
	    memcmp(a->bytes, b->bytes, len) == 0;
}

/* Common exit of the writers: on failure leave "" rather than a prefix. */
static int
text_done(char *buf, size_t size, int ret)
{
	if (ret == -1 && buf != NULL && size > 0)
		buf[0] = '\0';
	return ret;
}

/*
 * Finds the first longest run of two or more zero words (RFC 5952 4.2.2
 * and 4.2.3); *len is 0 if there is none.
 */
static void
ipv6_longest_zero_run(const uint16_t w[8], int *start, int *len)
{
	int i, run_start = 0, run_len = 0;

	*start = -1;
	*len = 0;
	for (i = 0; i < 8; i++) {
		if (w[i] != 0) {
			run_len = 0;
			continue;
		}
		if (run_len++ == 0)
			run_start = i;
		if (run_len > *len) {
			*start = run_start;
			*len = run_len;
		}
	}
	if (*len < 2) {
		*start = -1;
		*len = 0;
	}
}

/* Appends b as a dotted quad. */
static int
put_dotted_quad(char *buf, size_t size, size_t *pos, const uint8_t b[4])
{
	char part[16];

	(void)snprintf(part, sizeof(part), "%u.%u.%u.%u",
	    b[0], b[1], b[2], b[3]);
	return text_append(buf, size, pos, part);
}

/*
 * Appends b as RFC 5952 text: lower-case hex words without leading zeros
 * (4.1, 4.3), the first longest run of two or more zero words as "::".
 */
static int
put_ipv6(char *buf, size_t size, size_t *pos, const uint8_t b[16])
{
	char part[8];
	uint16_t w[8];
	int i, zstart, zlen;

	for (i = 0; i < 8; i++)
		w[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
	ipv6_longest_zero_run(w, &zstart, &zlen);
	for (i = 0; i < 8; i++) {
		if (i == zstart) {
			if (text_append(buf, size, pos, "::") == -1)
				return -1;
			i += zlen - 1;
			continue;
		}
		/* A colon before each word but the first and the one right
		 * after "::" (zstart + zlen is -1 when there is no run). */
		(void)snprintf(part, sizeof(part), "%s%x",
		    i == 0 || i == zstart + zlen ? "" : ":", (unsigned)w[i]);
		if (text_append(buf, size, pos, part) == -1)
			return -1;
	}
	return 0;
}

int
addr_format(const struct addr *a, char *buf, size_t size)
{
	size_t pos = 0;
	int ret = -1;

	if (a == NULL || buf == NULL)
		goto end;
	if (a->family == AF_INET) {
		ret = put_dotted_quad(buf, size, &pos, a->bytes);
	} else if (addr_is_mapped(a)) {
		/* RFC 5952 5: mixed notation for IPv4-mapped addresses. */
		if (text_append(buf, size, &pos, "::ffff:") == 0)
			ret = put_dotted_quad(buf, size, &pos,
			    a->bytes + sizeof(mapped_prefix));
	} else if (a->family == AF_INET6) {
		ret = put_ipv6(buf, size, &pos, a->bytes);
	}
end:
	return text_done(buf, size, ret);
}

int
addr_reverse_name(const struct addr *a, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	char label[8];
	size_t pos = 0;
	int i, ret = -1;

	if (a == NULL || buf == NULL)
		goto end;
	if (a->family == AF_INET) {
		/* Octets last to first: d.c.b.a.in-addr.arpa */
		for (i = 3; i >= 0; i--) {
			(void)snprintf(label, sizeof(label), "%u.",
			    a->bytes[i]);
			if (text_append(buf, size, &pos, label) == -1)
				goto end;
		}
		ret = text_append(buf, size, &pos, "in-addr.arpa");
	} else if (a->family == AF_INET6) {
		/* 32 nibbles last to first; nibble n is the high half of
		 * byte n / 2 when n is even, the low half when odd. */
		for (i = 31; i >= 0; i--) {
			unsigned byte = a->bytes[i / 2];

			label[0] = hex[(i % 2 == 0 ? byte >> 4 : byte) & 0x0f];
			label[1] = '.';
			label[2] = '\0';
			if (text_append(buf, size, &pos, label) == -1)
				goto end;
		}
		ret = text_append(buf, size, &pos, "ip6.arpa");
	}
end:
	return text_done(buf, size, ret);
}

/*
 * Parses a prefix length: decimal digits only, no sign, no spaces, no
 * leading zero ("08" is refused: a typo, or someone expecting octal), at
 * most three digits so that it cannot overflow.  Returns 0 or -1; the
 * caller checks the range for the family.
 */
static int
prefix_parse(const char *s, unsigned *out)
{
	unsigned value = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i == 3)
			return -1;
		value = value * 10 + (unsigned)(s[i] - '0');
	}
	if (i == 0 || (i > 1 && s[0] == '0'))
		return -1;
	*out = value;
	return 0;
}

/* True if every bit of a below the first prefix bits is zero. */
static bool
host_bits_clear(const struct addr *a, unsigned prefix)
{
	size_t len = addr_length(a);
	size_t i;

	for (i = prefix / 8; i < len; i++) {
		unsigned keep = (i == prefix / 8) ? prefix % 8 : 0;
		uint8_t host_mask = (uint8_t)(0xffu >> keep);

		if ((a->bytes[i] & host_mask) != 0)
			return false;
	}
	return true;
}

int
cidr_parse(const char *text, struct cidr *out)
{
	char addr_text[ADDR_TEXT_MAX];
	const char *slash;
	struct cidr c;
	size_t addr_len;

	if (text == NULL || out == NULL)
		return -1;
	memset(&c, 0, sizeof(c));
	slash = strchr(text, '/');
	addr_len = slash != NULL ? (size_t)(slash - text) : strlen(text);
	if (addr_len == 0 || addr_len >= sizeof(addr_text))
		return -1;
	memcpy(addr_text, text, addr_len);
	addr_text[addr_len] = '\0';
	if (addr_parse_raw(addr_text, &c.net) == -1)
		return -1;
	if (slash == NULL)
		c.prefix = addr_bits(c.net.family);
	else if (prefix_parse(slash + 1, &c.prefix) == -1 ||
	    c.prefix > addr_bits(c.net.family))
		return -1;
	if (!host_bits_clear(&c.net, c.prefix))
		return -1;
	/*
	 * A mapped network is an IPv4 network, because a mapped client is
	 * an IPv4 client: ::ffff:192.0.2.0/120 is 192.0.2.0/24.  A prefix
	 * shorter than /96 reaches outside the mapped range and has no IPv4
	 * equivalent, so it is refused rather than silently never matching.
	 * (host_bits_clear() already refuses it, since the ffff word would
	 * be host bits; the test guards the subtraction all the same.)
	 */
	if (addr_is_mapped(&c.net)) {
		if (c.prefix < 96)
			return -1;
		addr_fold_mapped(&c.net);
		c.prefix -= 96;
	}
	*out = c;
	return 0;
}

bool
cidr_contains(const struct cidr *c, const struct addr *a)
{
	unsigned full, rest;
	uint8_t mask;

	if (c == NULL || a == NULL || c->net.family != a->family ||
	    c->prefix > addr_bits(a->family))
		return false;
	full = c->prefix / 8;
	rest = c->prefix % 8;
	if (memcmp(c->net.bytes, a->bytes, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff00u >> rest);
	return (c->net.bytes[full] & mask) == (a->bytes[full] & mask);
}

int
cidr_format(const struct cidr *c, char *buf, size_t size)
{
	char prefix[8];
	size_t pos;
	int ret = -1;

	if (c == NULL || buf == NULL ||
	    addr_format(&c->net, buf, size) == -1)
		goto end;
	pos = strlen(buf);
	(void)snprintf(prefix, sizeof(prefix), "/%u", c->prefix);
	ret = text_append(buf, size, &pos, prefix);
end:
	return text_done(buf, size, ret);
}

void
cidr_list_init(struct cidr_list *list)
{
	list->items = NULL;
	list->count = 0;
	list->capacity = 0;
}

int
cidr_list_add(struct cidr_list *list, const struct cidr *c)
{
	struct cidr *items;
	size_t capacity;

	if (list->count == list->capacity) {
		capacity = list->capacity == 0 ? CIDR_LIST_FIRST :
		    list->capacity * 2;
		if (capacity < list->capacity ||
		    capacity > SIZE_MAX / sizeof(*items))
			return -1;
		items = realloc(list->items, capacity * sizeof(*items));
		if (items == NULL)
			return -1;
		list->items = items;
		list->capacity = capacity;
	}
	list->items[list->count++] = *c;
	return 0;
}

void
cidr_list_free(struct cidr_list *list)
{
	if (list == NULL)
		return;
	free(list->items);
	cidr_list_init(list);
}
