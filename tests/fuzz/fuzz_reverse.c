/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_reverse.c - addresses: formatting, parsing and reverse names.
 *
 * Input: one control byte (bit 0: IPv6), 4 or 16 address bytes, then text.
 * For the address: addr_format() text parses back to the same address
 * (an IPv4-mapped IPv6 address folds to IPv4, as addr.h says); the
 * reverse name is a host name that decodes back to the address bytes;
 * both writers fail cleanly with "" one byte short.  For the text: what
 * addr_parse() and cidr_parse() accept formats back to text that parses
 * to the same value and is a fixed point.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "dname.h"

static const uint8_t mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;	/* upper case is not what addr.c writes */
}

/* Decodes a reverse name; returns 0 and fills out, or -1. */
static int
reverse_decode(const char *name, struct addr *out)
{
	memset(out, 0, sizeof(*out));
	if (strlen(name) == 72 && strcmp(name + 63, ".ip6.arpa") == 0) {
		out->family = AF_INET6;
		for (int i = 0; i < 32; i++) {
			int v = hexval(name[2 * i]);

			if (v < 0 || name[2 * i + 1] != '.')
				return -1;
			/* The first nibble is the last of the address. */
			int nib = 31 - i;
			out->bytes[nib / 2] |= (uint8_t)(nib % 2 ? v : v << 4);
		}
		return 0;
	}
	size_t n = strlen(name);
	const char *suffix = ".in-addr.arpa";
	if (n <= strlen(suffix) || strcmp(name + n - strlen(suffix), suffix))
		return -1;
	out->family = AF_INET;
	const char *p = name;
	for (int i = 3; i >= 0; i--) {
		char *end;
		unsigned long v;

		if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' &&
		    p[1] <= '9'))
			return -1;
		v = strtoul(p, &end, 10);
		if (v > 255 || *end != '.')
			return -1;
		out->bytes[i] = (uint8_t)v;
		p = end + 1;
	}
	return strcmp(p, "in-addr.arpa") == 0 ? 0 : -1;
}

static void
check_address(const struct addr *a)
{
	char text[ADDR_TEXT_MAX], again[ADDR_TEXT_MAX], rev[ADDR_REVERSE_MAX];
	char cut[ADDR_REVERSE_MAX];
	struct addr b, want = *a;
	size_t len;

	if (a->family == AF_INET6 &&
	    memcmp(a->bytes, mapped_prefix, sizeof(mapped_prefix)) == 0) {
		memset(&want, 0, sizeof(want));
		want.family = AF_INET;
		memcpy(want.bytes, a->bytes + 12, 4);
	}

	if (addr_format(a, text, sizeof(text)) != 0)
		__builtin_trap();
	len = strlen(text);
	if (addr_parse(text, &b) != 0 || !addr_equal(&b, &want) ||
	    memcmp(&b, &want, sizeof(b)) != 0)
		__builtin_trap();
	if (addr_format(&b, again, sizeof(again)) != 0)
		__builtin_trap();
	if (want.family == a->family && strcmp(again, text) != 0)
		__builtin_trap();
	memset(cut, 'x', sizeof(cut));
	if (addr_format(a, cut, len) != -1 || cut[0] != '\0')
		__builtin_trap();

	if (addr_reverse_name(a, rev, sizeof(rev)) != 0)
		__builtin_trap();
	len = strlen(rev);
	if (!dname_is_hostname(rev, strlen(rev), 0))
		__builtin_trap();
	if (reverse_decode(rev, &b) != 0 || b.family != a->family ||
	    memcmp(b.bytes, a->bytes, addr_length(a)) != 0)
		__builtin_trap();
	memset(cut, 'x', sizeof(cut));
	if (addr_reverse_name(a, cut, len) != -1 || cut[0] != '\0')
		__builtin_trap();
}

static void
check_text(const char *t)
{
	char text[CIDR_TEXT_MAX], again[CIDR_TEXT_MAX];
	struct addr a, b;
	struct cidr c, d;

	if (addr_parse(t, &a) == 0) {
		if (addr_format(&a, text, sizeof(text)) != 0 ||
		    addr_parse(text, &b) != 0 ||
		    memcmp(&a, &b, sizeof(a)) != 0 ||
		    addr_format(&b, again, sizeof(again)) != 0 ||
		    strcmp(text, again) != 0)
			__builtin_trap();
		check_address(&a);
	}
	if (cidr_parse(t, &c) == 0) {
		if (cidr_format(&c, text, sizeof(text)) != 0 ||
		    cidr_parse(text, &d) != 0 || d.prefix != c.prefix ||
		    memcmp(&c.net, &d.net, sizeof(c.net)) != 0 ||
		    cidr_format(&d, again, sizeof(again)) != 0 ||
		    strcmp(text, again) != 0)
			__builtin_trap();
		if (!cidr_contains(&c, &c.net))
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr a;
	size_t alen;
	char *t;

	if (size < 1)
		return 0;
	memset(&a, 0, sizeof(a));
	a.family = (data[0] & 1) ? AF_INET6 : AF_INET;
	alen = (data[0] & 1) ? 16 : 4;
	data++;
	size--;
	if (size < alen)
		return 0;
	memcpy(a.bytes, data, alen);
	check_address(&a);
	data += alen;
	size -= alen;

	t = malloc(size + 1);
	if (t == NULL)
		abort();
	memcpy(t, data, size);
	t[size] = '\0';
	check_text(t);
	free(t);
	return 0;
}
