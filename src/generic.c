/*
 * generic.c - judges whether a PTR name is a provider's default name for
 * an address rather than a name chosen for a mail host; see generic.h.
 *
 * Two rules, both applied only to the labels left of the registered
 * domain (the provider's own name proves nothing):
 * - the client's own address is written in the name (dashed, dotted,
 *   reversed, concatenated, hex, IPv6 nibbles);
 * - a host-type word ("pool", "dsl", "static") sits in a label that also
 *   holds digits, so "static.example.com" stays a chosen name.
 * The registered domain is approximated without the Public Suffix List so
 * that this file stays pure: no I/O, no allocation, no locale, no shared
 * state.  Later rules (provider pattern files) plug in as further checks
 * in generic_check().
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "generic.h"

/* Longest name judged: a 253-character host name and a trailing dot.
 * Anything longer must hold escapes, is no host name, and is not judged. */
#define NAME_MAX_LEN 254
/* 32 nibbles with a dot between each and a NUL. */
#define NIBBLES_MAX 64

/* A name lower-cased once, and the part of it that is judged. */
struct name_view {
	char name[NAME_MAX_LEN + 1];	/* without a trailing dot */
	size_t len;
	char host[NAME_MAX_LEN + 1];	/* labels left of the registered
					   domain; "" when there are none */
	size_t host_len;
	bool escaped;			/* holds a presentation escape */
};

static int view_load(struct name_view *v, const char *name);
static size_t host_part_len(const char *s, size_t len);
static bool is_alpha_span(const char *s, size_t len);
static bool allow_match(const struct name_view *v, const char *const *allow,
    const char **hit);
static int digit_value(char c, unsigned base);
static size_t match_numbers(const char *s, size_t len, size_t at,
    const unsigned *want, size_t count, unsigned base, const char *seps);
static bool has_alnum_outside(const char *s, size_t len, size_t at,
    size_t end);
static bool find_text(const char *hay, const char *needle, size_t *at,
    size_t *end);
static bool ipv4_in_name(const char *h, size_t len, const uint8_t b[4],
    size_t *at, size_t *end);
static void nibbles(const uint8_t b[16], bool reversed, bool dotted,
    char out[NIBBLES_MAX]);
static bool ipv6_in_name(const char *h, size_t len, const uint8_t b[16],
    size_t *at, size_t *end);
static const char *token_in_name(const char *h, size_t len);
static void set_reason(char *reason, size_t size, const char *kind,
    const char *text, size_t len);

/* Words providers put in default names.  Matched as whole tokens only. */
static const char *const host_tokens[] = {
	"dyn", "dynamic", "dhcp", "pool", "ppp", "pppoe", "dsl", "adsl",
	"vdsl", "cable", "dial", "dialup", "broadband", "bb", "client",
	"cust", "customer", "res", "residential", "user", "static", "ip",
	"host", "cpe", "wifi", "mobile", NULL
};

/* What may stand between the parts of an address written out. */
static const char ipv4_separators[] = "-._";
static const char ipv6_separators[] = "-";

/*
 * Copies name lower-cased (ASCII only: no locale), drops one trailing
 * dot from an unescaped name and finds the part to judge.  Returns -1
 * for a name too long to be a host name.
 */
static int
view_load(struct name_view *v, const char *name)
{
	size_t n = strnlen(name, NAME_MAX_LEN + 1), i;

	if (n > NAME_MAX_LEN)
		return -1;
	v->escaped = false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		v->name[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		if (c == '\\')
			v->escaped = true;
	}
	/* In an escaped name a final "." may be "\.", part of a label. */
	if (n > 0 && v->name[n - 1] == '.' && !v->escaped)
		n--;
	v->name[n] = '\0';
	v->len = n;
	v->host_len = host_part_len(v->name, n);
	memcpy(v->host, v->name, v->host_len);
	v->host[v->host_len] = '\0';
	return 0;
}

/*
 * Length of the labels left of the registered domain, taken as the last
 * two labels, or three under a ccTLD whose second level is a short word
 * ("example.co.uk", "example.com.tr").  Erring towards a longer registered
 * domain only makes fewer names generic.  0 when nothing is left.
 */
static size_t
host_part_len(const char *s, size_t len)
{
	size_t dots[3], ndots = 0, i = len;

	while (i > 0 && ndots < 3) {
		i--;
		if (s[i] == '.')
			dots[ndots++] = i;
	}
	if (ndots < 2)
		return 0;
	if (is_alpha_span(s + dots[0] + 1, len - dots[0] - 1) &&
	    len - dots[0] - 1 == 2 &&
	    is_alpha_span(s + dots[1] + 1, dots[0] - dots[1] - 1) &&
	    dots[0] - dots[1] - 1 >= 2 && dots[0] - dots[1] - 1 <= 3)
		return ndots < 3 ? 0 : dots[2];
	return dots[1];
}

/* True if s[0..len) is non-empty and all lower-case letters. */
static bool
is_alpha_span(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return false;
	return len > 0;
}

/* True if the name is an allow-list suffix or ends in "." and one. */
static bool
allow_match(const struct name_view *v, const char *const *allow,
    const char **hit)
{
	size_t i, n;

	for (i = 0; allow != NULL && allow[i] != NULL; i++) {
		n = strnlen(allow[i], NAME_MAX_LEN + 1);
		if (n == 0 || n > v->len)
			continue;
		if (memcmp(v->name + v->len - n, allow[i], n) != 0)
			continue;
		if (n == v->len || v->name[v->len - n - 1] == '.') {
			*hit = allow[i];
			return true;
		}
	}
	return false;
}

/* Value of c as a digit of base 10 or 16 (lower case), else -1. */
static int
digit_value(char c, unsigned base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Matches count whole numbers starting at s[at], each equal to its want[]
 * (leading zeros allowed: "085"), all joined by the same one character of
 * seps.  A number is at most 3 decimal or 4 hex digits and is never a
 * piece of a longer one.  Returns the end of the match, or 0.
 */
static size_t
match_numbers(const char *s, size_t len, size_t at, const unsigned *want,
    size_t count, unsigned base, const char *seps)
{
	size_t i = at, k, digits, max_digits = base == 16 ? 4 : 3;
	unsigned value;
	char sep = '\0';
	int d;

	if (at > 0 && digit_value(s[at - 1], base) >= 0)
		return 0;
	for (k = 0; k < count; k++) {
		if (k > 0) {
			if (i >= len || s[i] == '\0' ||
			    strchr(seps, s[i]) == NULL ||
			    (k > 1 && s[i] != sep))
				return 0;
			sep = s[i++];
		}
		value = 0;
		digits = 0;
		while (i < len && (d = digit_value(s[i], base)) >= 0) {
			if (++digits > max_digits)
				return 0;
			value = value * base + (unsigned)d;
			i++;
		}
		if (digits == 0 || value != want[k])
			return 0;
	}
	return i;
}

/* True if a letter or digit of s[0..len) lies outside [at, end). */
static bool
has_alnum_outside(const char *s, size_t len, size_t at, size_t end)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((i < at || i >= end) && ((s[i] >= 'a' && s[i] <= 'z') ||
		    digit_value(s[i], 10) >= 0))
			return true;
	return false;
}

/* Finds needle in the NUL-terminated hay. */
static bool
find_text(const char *hay, const char *needle, size_t *at, size_t *end)
{
	const char *p = strstr(hay, needle);

	if (p == NULL)
		return false;
	*at = (size_t)(p - hay);
	*end = *at + strlen(needle);
	return true;
}

/*
 * The IPv4 address b in h, strongest forms first: four numbers forward
 * or reversed; one number of its concatenated octets (zero-padded or
 * not); its eight hex digits; last, the last three octets, which count
 * only beside other text ("51-100-20.pool"), never alone.
 */
static bool
ipv4_in_name(const char *h, size_t len, const uint8_t b[4], size_t *at,
    size_t *end)
{
	const unsigned fwd[4] = { b[0], b[1], b[2], b[3] };
	const unsigned rev[4] = { b[3], b[2], b[1], b[0] };
	const unsigned rev3[3] = { b[3], b[2], b[1] };
	char joined[4][16], hex[16];
	size_t i, j, run;

	for (i = 0; i < len; i++)
		if ((*end = match_numbers(h, len, i, fwd, 4, 10,
		    ipv4_separators)) != 0 ||
		    (*end = match_numbers(h, len, i, rev, 4, 10,
		    ipv4_separators)) != 0) {
			*at = i;
			return true;
		}
	snprintf(joined[0], sizeof(joined[0]), "%03u%03u%03u%03u",
	    fwd[0], fwd[1], fwd[2], fwd[3]);
	snprintf(joined[1], sizeof(joined[1]), "%03u%03u%03u%03u",
	    rev[0], rev[1], rev[2], rev[3]);
	snprintf(joined[2], sizeof(joined[2]), "%u%u%u%u",
	    fwd[0], fwd[1], fwd[2], fwd[3]);
	snprintf(joined[3], sizeof(joined[3]), "%u%u%u%u",
	    rev[0], rev[1], rev[2], rev[3]);
	for (i = 0; i < len; i += run > 0 ? run : 1) {
		/* Each whole run of digits, compared as one number. */
		run = 0;
		while (i + run < len && digit_value(h[i + run], 10) >= 0)
			run++;
		for (j = 0; j < 4 && run > 0; j++)
			if (strlen(joined[j]) == run &&
			    memcmp(h + i, joined[j], run) == 0) {
				*at = i;
				*end = i + run;
				return true;
			}
	}
	snprintf(hex, sizeof(hex), "%02x%02x%02x%02x",
	    fwd[0], fwd[1], fwd[2], fwd[3]);
	if (find_text(h, hex, at, end))
		return true;
	for (i = 0; i < len; i++)
		if (((*end = match_numbers(h, len, i, fwd + 1, 3, 10,
		    ipv4_separators)) != 0 ||
		    (*end = match_numbers(h, len, i, rev3, 3, 10,
		    ipv4_separators)) != 0) &&
		    has_alnum_outside(h, len, i, *end)) {
			*at = i;
			return true;
		}
	return false;
}

/* Writes the 32 nibbles of b, in address or ip6.arpa order, with or
 * without a dot between each. */
static void
nibbles(const uint8_t b[16], bool reversed, bool dotted,
    char out[NIBBLES_MAX])
{
	static const char digits[] = "0123456789abcdef";
	size_t k, n, pos = 0;

	for (k = 0; k < 32; k++) {
		n = reversed ? 31 - k : k;
		if (dotted && k > 0)
			out[pos++] = '.';
		out[pos++] = digits[(b[n / 2] >> (n % 2 == 0 ? 4 : 0)) & 0xf];
	}
	out[pos] = '\0';
}

/* The IPv6 address b in h: all its nibbles in either order, dotted or
 * not, or its last four groups dashed ("a-b-c-d", zeros padded or not). */
static bool
ipv6_in_name(const char *h, size_t len, const uint8_t b[16], size_t *at,
    size_t *end)
{
	char text[NIBBLES_MAX];
	unsigned groups[4];
	size_t i, form;

	for (form = 0; form < 4; form++) {
		nibbles(b, form >= 2, form % 2 == 1, text);
		if (find_text(h, text, at, end))
			return true;
	}
	for (i = 0; i < 4; i++)
		groups[i] = ((unsigned)b[8 + 2 * i] << 8) | b[9 + 2 * i];
	for (i = 0; i < len; i++)
		if ((*end = match_numbers(h, len, i, groups, 4, 16,
		    ipv6_separators)) != 0) {
			*at = i;
			return true;
		}
	return false;
}

/*
 * The first host-type word standing as a whole token (between '-', '.',
 * '_', other punctuation and digit/letter boundaries) in a label of h that
 * also holds a digit; NULL if none.
 */
static const char *
token_in_name(const char *h, size_t len)
{
	size_t start, end, i, j, t;
	bool digit;

	for (start = 0; start < len; start = end + 1) {
		for (end = start, digit = false; end < len && h[end] != '.';
		    end++)
			digit = digit || digit_value(h[end], 10) >= 0;
		for (i = start; digit && i < end; i = j) {
			for (j = i; j < end && h[j] >= 'a' && h[j] <= 'z';)
				j++;
			for (t = 0; j > i && host_tokens[t] != NULL; t++)
				if (strlen(host_tokens[t]) == j - i &&
				    memcmp(host_tokens[t], h + i, j - i) == 0)
					return host_tokens[t];
			if (j == i)
				j++;
		}
	}
	return NULL;
}

/* Writes kind and len bytes of text as the reason, cut to fit: it is
 * only shown, never parsed. */
static void
set_reason(char *reason, size_t size, const char *kind, const char *text,
    size_t len)
{
	if (reason != NULL && size > 0)
		snprintf(reason, size, "%s%.*s", kind, (int)len, text);
}

bool
generic_check(const struct addr *client, const char *name,
    const char *const *allow, char *reason, size_t size)
{
	struct name_view v;
	const char *hit;
	size_t at, end;

	set_reason(reason, size, "", "", 0);
	if (name == NULL || view_load(&v, name) != 0)
		return false;
	if (allow_match(&v, allow, &hit)) {
		set_reason(reason, size, "allow:", hit, strlen(hit));
		return false;
	}
	if (client != NULL && ((client->family == AF_INET &&
	    ipv4_in_name(v.host, v.host_len, client->bytes, &at, &end)) ||
	    (client->family == AF_INET6 &&
	    ipv6_in_name(v.host, v.host_len, client->bytes, &at, &end)))) {
		set_reason(reason, size, "ip-in-name:", v.host + at, end - at);
		return true;
	}
	/* Escapes make the label boundaries untrustworthy: no token rule. */
	if (!v.escaped && (hit = token_in_name(v.host, v.host_len)) != NULL) {
		set_reason(reason, size, "token:", hit, strlen(hit));
		return true;
	}
	return false;
}
