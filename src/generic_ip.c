/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic_ip.c - the client's address written in a host name; see
 * generic_ip.h.
 *
 * Every form is compared with the client's own address, never guessed
 * from the look of the digits, so a chosen name full of numbers
 * ("mail136-12.atl41.example-esp.com") only matches by coincidence, and
 * then only weakly (two or three octets).  Numbers are matched whole:
 * "1198-51-100-200" holds neither 198 nor 20.  Candidate texts are built
 * with small formatters into stack buffers: no allocation, no locale.
 */
#include "config.h"

#include <stdbool.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "generic_ip.h"

/* What may stand between the parts of an address written out. */
static const char ipv4_separators[] = "-._x";
static const char ipv6_separators[] = "-._";
/* Separators between the bytes or groups of an interface ID or MAC. */
static const char hex_joiners[] = "\0-._";

/* Shortest digit runs taken as an unpadded concatenation or as the
 * 32-bit integer: shorter ones ("1234") turn up in chosen names. */
#define CONCAT_MIN_DIGITS 6
#define INTEGER_MIN_DIGITS 8
/* An IPv6 address as a base-36 integer: 20 to 25 letters and digits. */
#define BASE36_MIN 20
#define BASE36_MAX 25
/* Decimal numbers looked at in one name: a 254-byte name has at most
 * 127 of them. */
#define RUNS_MAX 128
/* Digits the four octets must show in all when scattered. */
#define SCATTERED_MIN_DIGITS 7

/* A whole run of decimal digits in the name: h[start..end). */
struct run {
	size_t start;
	size_t end;
	unsigned value;		/* UINT_MAX for more than 3 digits */
};

/* One number of a name as the scattered match sees it. */
struct piece {
	unsigned value;
	size_t start;
	size_t end;
};

static int digit_value(char c, unsigned base);
static bool is_alnum(char c);
static size_t match_numbers(const char *s, size_t len, size_t at,
    const unsigned *want, size_t count, unsigned base, const char *seps);
static bool find_numbers(const char *h, size_t len, const unsigned *want,
    size_t count, unsigned base, const char *seps, struct generic_ip_hit *hit);
static bool find_text(const char *h, size_t len, const char *needle,
    size_t nlen, bool whole, struct generic_ip_hit *hit);
static size_t put_dec(char *p, uint32_t v, unsigned width);
static size_t put_hex(char *p, unsigned v, unsigned width);
static bool find_digit_run(const char *h, size_t len, char cand[][16],
    const size_t *clen, size_t n, struct generic_ip_hit *hit);
static bool find_hex_bytes(const char *h, size_t len, const uint8_t *b,
    size_t n, size_t per_group, struct generic_ip_hit *hit);
static bool base36_equal(const char *s, size_t n, const uint8_t b[16]);
static bool find_base36(const char *h, size_t len, const uint8_t b[16],
    struct generic_ip_hit *hit);
static size_t number_runs(const char *h, size_t len, struct run *runs,
    size_t max);
static bool find_sequence(const char *h, const struct run *runs,
    size_t nruns, const unsigned *want, size_t count,
    struct generic_ip_hit *hit);
static size_t octet_pieces(const char *h, const struct run *runs,
    size_t nruns, struct piece *out, size_t max);
static bool find_scattered(const char *h, const struct run *runs,
    size_t nruns, const unsigned *want, struct generic_ip_hit *hit);
static bool find_padded_tail(const char *h, size_t len, const uint8_t b[4],
    struct generic_ip_hit *hit);
static enum generic_ip_kind ipv4_find(const uint8_t b[4], const char *h,
    size_t len, struct generic_ip_hit *hit);
static bool eui64_find(const uint8_t b[16], const char *h, size_t len,
    struct generic_ip_hit *hit);
static enum generic_ip_kind ipv6_find(const uint8_t b[16], const char *h,
    size_t len, struct generic_ip_hit *hit);

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

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
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
			if (i >= len || strchr(seps, s[i]) == NULL ||
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

/* The first place in h where match_numbers() succeeds. */
static bool
find_numbers(const char *h, size_t len, const unsigned *want, size_t count,
    unsigned base, const char *seps, struct generic_ip_hit *hit)
{
	size_t i, end;

	for (i = 0; i < len; i++) {
		if (digit_value(h[i], base) < 0)
			continue;
		if ((end = match_numbers(h, len, i, want, count, base,
		    seps)) != 0) {
			hit->at = i;
			hit->end = end;
			return true;
		}
		/* Skip the rest of this number: matches start at one. */
		while (i + 1 < len && digit_value(h[i + 1], base) >= 0)
			i++;
	}
	return false;
}

/* Finds needle in h[0..len); with whole, not glued to a letter or digit
 * on either side. */
static bool
find_text(const char *h, size_t len, const char *needle, size_t nlen,
    bool whole, struct generic_ip_hit *hit)
{
	size_t i;

	for (i = 0; nlen > 0 && i + nlen <= len; i++) {
		if (h[i] != needle[0] || memcmp(h + i, needle, nlen) != 0)
			continue;
		if (whole && ((i > 0 && is_alnum(h[i - 1])) ||
		    (i + nlen < len && is_alnum(h[i + nlen]))))
			continue;
		hit->at = i;
		hit->end = i + nlen;
		return true;
	}
	return false;
}

/* Writes v in decimal, zero-padded to width; returns the length. */
static size_t
put_dec(char *p, uint32_t v, unsigned width)
{
	char tmp[10];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n < width)
		tmp[n++] = '0';
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

/* Writes v in lower-case hex, zero-padded to width (at most 8). */
static size_t
put_hex(char *p, unsigned v, unsigned width)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[8];
	size_t n = 0, i;

	do {
		tmp[n++] = digits[v & 0xf];
		v >>= 4;
	} while (v > 0 && n < sizeof(tmp));
	while (n < width && n < sizeof(tmp))
		tmp[n++] = '0';
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

/* A whole run of digits in h equal to one of the n candidates. */
static bool
find_digit_run(const char *h, size_t len, char cand[][16],
    const size_t *clen, size_t n, struct generic_ip_hit *hit)
{
	size_t i, run, j;

	for (i = 0; i < len; i += run > 0 ? run : 1) {
		run = 0;
		while (i + run < len && h[i + run] >= '0' && h[i + run] <= '9')
			run++;
		for (j = 0; j < n && run > 0; j++)
			if (clen[j] == run && memcmp(h + i, cand[j], run) == 0) {
				hit->at = i;
				hit->end = i + run;
				return true;
			}
	}
	return false;
}

/* The n bytes b in hex, per_group bytes to a group, the groups joined by
 * nothing or by one of "-._" throughout. */
static bool
find_hex_bytes(const char *h, size_t len, const uint8_t *b, size_t n,
    size_t per_group, struct generic_ip_hit *hit)
{
	char text[48];
	size_t j, k, pos;

	for (j = 0; j < sizeof(hex_joiners) - 1; j++) {
		if (hex_joiners[j] == '\0' && per_group > 1)
			continue;	/* the same text as per_group 1 */
		for (k = 0, pos = 0; k < n; k++) {
			if (k > 0 && k % per_group == 0 && hex_joiners[j] != '\0')
				text[pos++] = hex_joiners[j];
			pos += put_hex(text + pos, b[k], 2);
		}
		if (find_text(h, len, text, pos, false, hit))
			return true;
	}
	return false;
}

/* True if s[0..n) read as a base-36 integer equals the 128-bit b. */
static bool
base36_equal(const char *s, size_t n, const uint8_t b[16])
{
	uint32_t w[4] = { 0, 0, 0, 0 };	/* most significant first */
	uint64_t carry;
	size_t i;
	int k, d;

	for (i = 0; i < n; i++) {
		d = s[i] >= 'a' ? s[i] - 'a' + 10 : s[i] - '0';
		carry = (uint64_t)d;
		for (k = 3; k >= 0; k--) {
			carry += (uint64_t)w[k] * 36;
			w[k] = (uint32_t)carry;
			carry >>= 32;
		}
		if (carry != 0)
			return false;	/* more than 128 bits */
	}
	for (k = 0; k < 4; k++)
		if (w[k] != ((uint32_t)b[4 * k] << 24 |
		    (uint32_t)b[4 * k + 1] << 16 |
		    (uint32_t)b[4 * k + 2] << 8 | b[4 * k + 3]))
			return false;
	return true;
}

/* A whole run of letters and digits that is b as a base-36 integer. */
static bool
find_base36(const char *h, size_t len, const uint8_t b[16],
    struct generic_ip_hit *hit)
{
	size_t i, run;

	for (i = 0; i < len; i += run > 0 ? run : 1) {
		run = 0;
		while (i + run < len && is_alnum(h[i + run]))
			run++;
		if (run >= BASE36_MIN && run <= BASE36_MAX &&
		    base36_equal(h + i, run, b)) {
			hit->at = i;
			hit->end = i + run;
			return true;
		}
	}
	return false;
}

/* Splits h into its whole runs of decimal digits; returns how many. */
static size_t
number_runs(const char *h, size_t len, struct run *runs, size_t max)
{
	size_t i = 0, n = 0;

	while (i < len && n < max) {
		if (h[i] < '0' || h[i] > '9') {
			i++;
			continue;
		}
		runs[n].start = i;
		runs[n].value = 0;
		while (i < len && h[i] >= '0' && h[i] <= '9') {
			runs[n].value = i - runs[n].start < 3 ?
			    runs[n].value * 10 + (unsigned)(h[i] - '0') :
			    UINT_MAX;
			i++;
		}
		runs[n++].end = i;
	}
	return n;
}

/* count consecutive runs equal to want[], each pair joined by the same
 * one character of ipv4_separators. */
static bool
find_sequence(const char *h, const struct run *runs, size_t nruns,
    const unsigned *want, size_t count, struct generic_ip_hit *hit)
{
	size_t i, k;
	char sep;

	for (i = 0; i + count <= nruns; i++) {
		if (runs[i].value != want[0])
			continue;
		sep = h[runs[i].end];
		if (sep == '\0' || strchr(ipv4_separators, sep) == NULL)
			continue;
		for (k = 1; k < count; k++)
			if (runs[i + k].value != want[k] ||
			    runs[i + k].start != runs[i + k - 1].end + 1 ||
			    h[runs[i + k - 1].end] != sep)
				break;
		if (k == count) {
			hit->at = runs[i].start;
			hit->end = runs[i + count - 1].end;
			return true;
		}
	}
	return false;
}

/*
 * The name's numbers as octet-sized pieces: a run of up to three digits
 * is one; a run of six or nine is two or three zero-padded octets
 * ("h203149222": 203, 149, 222), when each is one.  Returns how many.
 */
static size_t
octet_pieces(const char *h, const struct run *runs, size_t nruns,
    struct piece *out, size_t max)
{
	size_t i, k, len, n = 0;
	unsigned v;

	for (i = 0; i < nruns; i++) {
		len = runs[i].end - runs[i].start;
		if (len <= 3 && n < max) {
			out[n++] = (struct piece){ runs[i].value, runs[i].start,
			    runs[i].end };
			continue;
		}
		if (len != 6 && len != 9)
			continue;
		for (k = runs[i].start; k < runs[i].end && n < max; k += 3) {
			v = (unsigned)(h[k] - '0') * 100 +
			    (unsigned)(h[k + 1] - '0') * 10 +
			    (unsigned)(h[k + 2] - '0');
			if (v > 255)
				break;
			out[n++] = (struct piece){ v, k, k + 3 };
		}
	}
	return n;
}

/*
 * The four octets as four whole numbers in any order and place, the way
 * some providers split or reorder them around a word:
 * "host21.181-1-85" (181.1.85.21), "200.red-83-38-51", "modemcable123.
 * 45-67-89", "c135.h203149222".  At least SCATTERED_MIN_DIGITS digits in
 * all, so that a chosen name with a few small numbers cannot match by
 * chance.
 */
static bool
find_scattered(const char *h, const struct run *runs, size_t nruns,
    const unsigned *want, struct generic_ip_hit *hit)
{
	struct piece pieces[RUNS_MAX];
	bool used[RUNS_MAX] = { false };
	size_t i, k, n, digits = 0, at = SIZE_MAX, end = 0;

	n = octet_pieces(h, runs, nruns, pieces, RUNS_MAX);
	for (k = 0; k < 4; k++) {
		for (i = 0; i < n; i++)
			if (!used[i] && pieces[i].value == want[k])
				break;
		if (i == n)
			return false;
		used[i] = true;
		digits += pieces[i].end - pieces[i].start;
		at = pieces[i].start < at ? pieces[i].start : at;
		end = pieces[i].end > end ? pieces[i].end : end;
	}
	if (digits < SCATTERED_MIN_DIGITS)
		return false;
	hit->at = at;
	hit->end = end;
	return true;
}

/* The last three or the last two octets zero-padded into one whole run
 * ("j130084" for .130.84): six digits or more leave nothing to chance. */
static bool
find_padded_tail(const char *h, size_t len, const uint8_t b[4],
    struct generic_ip_hit *hit)
{
	char cand[2][16];
	size_t clen[2];

	clen[0] = put_dec(cand[0], b[1], 3);
	clen[0] += put_dec(cand[0] + clen[0], b[2], 3);
	clen[0] += put_dec(cand[0] + clen[0], b[3], 3);
	clen[1] = put_dec(cand[1], b[2], 3);
	clen[1] += put_dec(cand[1] + clen[1], b[3], 3);
	return find_digit_run(h, len, cand, clen, 2, hit);
}

/*
 * IPv4, strongest forms first: four numbers forward or reversed; one
 * digit run of the octets concatenated (zero-padded or not) or of the
 * 32-bit integer; eight hex digits; the four octets scattered; then the
 * last three octets (also the last two zero-padded into one number);
 * then the last two.  The name's numbers are found once.
 */
static enum generic_ip_kind
ipv4_find(const uint8_t b[4], const char *h, size_t len,
    struct generic_ip_hit *hit)
{
	const unsigned fwd[4] = { b[0], b[1], b[2], b[3] };
	const unsigned rev[4] = { b[3], b[2], b[1], b[0] };
	const unsigned rev3[3] = { b[3], b[2], b[1] };
	const unsigned rev2[2] = { b[3], b[2] };
	uint32_t value = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	struct run runs[RUNS_MAX];
	char cand[6][16], hex[8];
	size_t clen[6], n = 0, k, nruns, longest = 0;

	nruns = number_runs(h, len, runs, RUNS_MAX);
	for (k = 0; k < nruns; k++)
		if (runs[k].end - runs[k].start > longest)
			longest = runs[k].end - runs[k].start;
	if (find_sequence(h, runs, nruns, fwd, 4, hit) ||
	    find_sequence(h, runs, nruns, rev, 4, hit))
		return GENERIC_IP_FULL;
	if (longest >= CONCAT_MIN_DIGITS) {
		for (k = 0, clen[0] = clen[1] = clen[2] = clen[3] = 0; k < 4;
		    k++) {
			clen[0] += put_dec(cand[0] + clen[0], fwd[k], 3);
			clen[1] += put_dec(cand[1] + clen[1], rev[k], 3);
			clen[2] += put_dec(cand[2] + clen[2], fwd[k], 0);
			clen[3] += put_dec(cand[3] + clen[3], rev[k], 0);
		}
		n = clen[2] >= CONCAT_MIN_DIGITS ? 4 : 2;
		if ((clen[n] = put_dec(cand[n], value, 0)) >=
		    INTEGER_MIN_DIGITS)
			n++;
		if (find_digit_run(h, len, cand, clen, n, hit))
			return GENERIC_IP_FULL;
	}
	if (find_text(h, len, hex, put_hex(hex, value >> 16, 4) +
	    put_hex(hex + 4, value & 0xffff, 4), false, hit))
		return GENERIC_IP_FULL;
	if (find_scattered(h, runs, nruns, fwd, hit))
		return GENERIC_IP_FULL;
	if ((longest >= 6 && find_padded_tail(h, len, b, hit)) ||
	    find_sequence(h, runs, nruns, fwd + 1, 3, hit) ||
	    find_sequence(h, runs, nruns, rev3, 3, hit))
		return GENERIC_IP_PARTIAL3;
	if (find_sequence(h, runs, nruns, fwd + 2, 2, hit) ||
	    find_sequence(h, runs, nruns, rev2, 2, hit))
		return GENERIC_IP_PARTIAL2;
	return GENERIC_IP_NONE;
}

/* An EUI-64 interface ID (ff:fe in its middle) in h: the ID itself or
 * the MAC it was made from, with or without its universal/local bit
 * flipped back. */
static bool
eui64_find(const uint8_t b[16], const char *h, size_t len,
    struct generic_ip_hit *hit)
{
	const uint8_t mac[6] = { b[8] ^ 0x02, b[9], b[10], b[13], b[14],
	    b[15] };
	const uint8_t raw[6] = { b[8], b[9], b[10], b[13], b[14], b[15] };

	if (b[11] != 0xff || b[12] != 0xfe)
		return false;
	return find_hex_bytes(h, len, b + 8, 8, 1, hit) ||
	    find_hex_bytes(h, len, b + 8, 8, 2, hit) ||
	    find_hex_bytes(h, len, mac, 6, 1, hit) ||
	    find_hex_bytes(h, len, mac, 6, 2, hit) ||
	    find_hex_bytes(h, len, raw, 6, 1, hit) ||
	    find_hex_bytes(h, len, raw, 6, 2, hit);
}

/*
 * IPv6: its 32 nibbles in either order, dotted or not; its eight groups
 * (zero-padded or not) or its compressed form ("2001-db8--1") joined by
 * one separator; a base-36 integer; an EUI-64 interface ID or MAC; the
 * interface ID alone (four groups or 16 hex digits) unless it is "low"
 * (::1, ::25), which chosen names show by coincidence.
 */
static enum generic_ip_kind
ipv6_find(const uint8_t b[16], const char *h, size_t len,
    struct generic_ip_hit *hit)
{
	static const char digits[] = "0123456789abcdef";
	struct addr a;
	char text[64], compressed[ADDR_TEXT_MAX];
	unsigned groups[8];
	size_t i, k, n, form, pos;

	for (form = 0; form < 4; form++) {
		for (k = 0, pos = 0; k < 32; k++) {
			n = form >= 2 ? 31 - k : k;
			if (form % 2 == 1 && k > 0)
				text[pos++] = '.';
			text[pos++] = digits[(b[n / 2] >> (n % 2 == 0 ? 4 : 0)) &
			    0xf];
		}
		if (find_text(h, len, text, pos, false, hit))
			return GENERIC_IP_FULL;
	}
	for (i = 0; i < 8; i++)
		groups[i] = ((unsigned)b[2 * i] << 8) | b[2 * i + 1];
	if (find_numbers(h, len, groups, 8, 16, ipv6_separators, hit))
		return GENERIC_IP_FULL;
	a.family = AF_INET6;
	memcpy(a.bytes, b, 16);
	if (addr_format(&a, compressed, sizeof(compressed)) == 0 &&
	    strstr(compressed, "::") != NULL)
		for (i = 0; ipv6_separators[i] != '\0'; i++) {
			for (n = 0; compressed[n] != '\0'; n++)
				text[n] = compressed[n] == ':' ?
				    ipv6_separators[i] : compressed[n];
			if (find_text(h, len, text, n, true, hit))
				return GENERIC_IP_FULL;
		}
	if (find_base36(h, len, b, hit))
		return GENERIC_IP_FULL;
	if (eui64_find(b, h, len, hit))
		return GENERIC_IP_EUI64;
	if (b[8] == 0 && b[9] == 0 && b[10] == 0 && b[11] == 0)
		return GENERIC_IP_NONE;
	if (find_numbers(h, len, groups + 4, 4, 16, ipv6_separators, hit) ||
	    find_hex_bytes(h, len, b + 8, 8, 1, hit))
		return GENERIC_IP_FULL;
	return GENERIC_IP_NONE;
}

void
generic_ip_find(const struct addr *client, const char *h, size_t len,
    struct generic_ip_hit *hit)
{
	hit->kind = GENERIC_IP_NONE;
	hit->at = hit->end = 0;
	if (client == NULL || len == 0)
		return;
	if (client->family == AF_INET)
		hit->kind = ipv4_find(client->bytes, h, len, hit);
	else if (client->family == AF_INET6)
		hit->kind = ipv6_find(client->bytes, h, len, hit);
	if (hit->kind == GENERIC_IP_NONE)
		hit->at = hit->end = 0;
}
