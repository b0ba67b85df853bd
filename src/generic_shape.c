/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic_shape.c - the shapes access networks give names that carry no
 * address; see generic_shape.h.
 *
 * Each rule names what providers share, never one provider's scheme:
 * - hex-id: a hardware id (a cable modem's MAC, a CPE serial), ten or
 *   more hex digits mixing letters and digits ("s0106000cf16f58b1");
 * - tunnel-broker: an IPv6 tunnel endpoint ("tunnel", "tserv13");
 * - customer-number: a customer or line number of five digits or more,
 *   or a hash-like id, in a name that also holds a host-type word;
 * - last-octet: the client's last octet closing a part of the name, beside
 *   a node number or a host-type word ("li1264-180"), or ending a long
 *   line number ("pcd431208" for .208);
 * - circuit-id: a first label of a place and three numbers or more, or
 *   two with a long one ("lfbn-lyo-1-234-56", "wiley-170-10231");
 * - deep-number: a long number first, under two or more labels of
 *   which another is numbered ("bgp542174bgs.ewndsr01.nj").
 * Chosen names rarely hold such numbers; big senders' outbound names do,
 * and they say so with "smtp", "mail", "relay" or "mta" somewhere, which
 * stops every rule here.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "generic_shape.h"

/* A hardware id: hex digits in a row, with at least this many of each. */
#define HEX_ID_MIN_LEN 10
#define HEX_ID_MIN_LETTERS 2
#define HEX_ID_MIN_DIGITS 2
/* A customer or line number. */
#define LONG_NUMBER_MIN 5
#define LONG_NUMBER_MAX 12
/* A hash-like id: letters and digits taking turns this often. */
#define HASH_MIN_TURNS 3
#define HASH_MIN_LEN 6
/* A line number that ends in the last octet: the octet and more. */
#define OCTET_TAIL_MIN 6

/* Parts of a name a mail host shows; matched anywhere in the labels. */
static const struct mark {
	const char *text;
	size_t len;
} mail_marks[] = {
	{ "smtp", 4 }, { "mail", 4 }, { "relay", 5 }, { "mta", 3 },
};

static bool is_digit(char c);
static bool is_hex_letter(char c);
static bool is_separator(char c);
static bool shows_mail_host(const char *h, size_t len);
static size_t label_end(const char *h, size_t len, size_t at);
static size_t part_end(const char *h, size_t len, size_t at);
static bool set_hit(struct generic_shape_hit *hit, const char *rule,
    size_t at, size_t end);
static bool find_hex_id(const char *h, size_t len,
    struct generic_shape_hit *hit);
static bool find_tunnel(const char *h, size_t len,
    struct generic_shape_hit *hit);
static bool is_hash_like(const char *h, size_t at, size_t end);
static bool find_customer_number(const char *h, size_t len,
    struct generic_shape_hit *hit);
static size_t numbered_parts(const char *h, size_t len, size_t skip_at);
static bool octet_closes_part(const char *h, size_t len, size_t at,
    size_t end, unsigned octet);
static bool find_last_octet(unsigned octet, const char *h, size_t len,
    bool worded, struct generic_shape_hit *hit);
static bool find_circuit_id(const char *h, size_t len,
    struct generic_shape_hit *hit);
static bool find_deep_number(const char *h, size_t len,
    struct generic_shape_hit *hit);

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_hex_letter(char c)
{
	return c >= 'a' && c <= 'f';
}

/* Between labels or between the parts of one. */
static bool
is_separator(char c)
{
	return c == '.' || c == '-' || c == '_';
}

static bool
shows_mail_host(const char *h, size_t len)
{
	size_t i, k;

	for (i = 0; i < len; i++) {
		for (k = 0; k < sizeof(mail_marks) / sizeof(mail_marks[0]);
		    k++) {
			const struct mark *m = &mail_marks[k];

			if (m->text[0] == h[i] && i + m->len <= len &&
			    memcmp(h + i, m->text, m->len) == 0)
				return true;
		}
	}
	return false;
}

/* The end of the label that starts at h[at]. */
static size_t
label_end(const char *h, size_t len, size_t at)
{
	while (at < len && h[at] != '.')
		at++;
	return at;
}

/* The end of the part ("lyo" in "lfbn-lyo-1") that starts at h[at]. */
static size_t
part_end(const char *h, size_t len, size_t at)
{
	while (at < len && !is_separator(h[at]))
		at++;
	return at;
}

static bool
set_hit(struct generic_shape_hit *hit, const char *rule, size_t at,
    size_t end)
{
	hit->rule = rule;
	hit->at = at;
	hit->end = end;
	return true;
}

static bool
find_hex_id(const char *h, size_t len, struct generic_shape_hit *hit)
{
	size_t i = 0, start, letters, digits;

	while (i < len) {
		if (!is_digit(h[i]) && !is_hex_letter(h[i])) {
			i++;
			continue;
		}
		for (start = i, letters = digits = 0; i < len &&
		    (is_digit(h[i]) || is_hex_letter(h[i])); i++) {
			digits += is_digit(h[i]);
			letters += is_hex_letter(h[i]);
		}
		if (i - start >= HEX_ID_MIN_LEN &&
		    letters >= HEX_ID_MIN_LETTERS && digits >= HEX_ID_MIN_DIGITS)
			return set_hit(hit, "hex-id", start, i);
	}
	return false;
}

/* A label "tunnel", "tunnelN" or "tservN". */
static bool
find_tunnel(const char *h, size_t len, struct generic_shape_hit *hit)
{
	static const char *const words[] = { "tunnel", "tserv" };
	size_t at, end, k, n, i;

	for (at = 0; at < len; at = end + 1) {
		end = label_end(h, len, at);
		for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
			n = strlen(words[k]);
			if (end - at < n || memcmp(h + at, words[k], n) != 0)
				continue;
			for (i = at + n; i < end && is_digit(h[i]); i++)
				;
			if (i == end && (k == 0 || end > at + n))
				return set_hit(hit, "tunnel-broker", at, end);
		}
	}
	return false;
}

/* Letters and digits take turns in h[at..end) ("flh1aab123"). */
static bool
is_hash_like(const char *h, size_t at, size_t end)
{
	size_t i, turns = 0;

	if (end - at < HASH_MIN_LEN)
		return false;
	for (i = at + 1; i < end; i++)
		turns += is_digit(h[i]) != is_digit(h[i - 1]);
	return turns >= HASH_MIN_TURNS;
}

/* A long number or a hash-like part; the caller has seen a word. */
static bool
find_customer_number(const char *h, size_t len,
    struct generic_shape_hit *hit)
{
	size_t i = 0, start, end;

	while (i < len) {
		if (is_digit(h[i])) {
			for (start = i; i < len && is_digit(h[i]); i++)
				;
			if (i - start >= LONG_NUMBER_MIN &&
			    i - start <= LONG_NUMBER_MAX)
				return set_hit(hit, "customer-number", start,
				    i);
			continue;
		}
		i++;
	}
	for (start = 0; start < len; start = end + 1) {
		end = part_end(h, len, start);
		if (is_hash_like(h, start, end))
			return set_hit(hit, "customer-number", start, end);
	}
	return false;
}

/* Parts holding a digit, except the one that starts at skip_at. */
static size_t
numbered_parts(const char *h, size_t len, size_t skip_at)
{
	size_t start, end, i, n = 0;

	for (start = 0; start < len; start = end + 1) {
		end = part_end(h, len, start);
		for (i = start; i < end && !is_digit(h[i]); i++)
			;
		if (i < end && start != skip_at)
			n++;
	}
	return n;
}

/* The run h[at..end) is the octet, written without padding, and
 * nothing but a separator follows it.  Octets below
 * GENERIC_HOST_INDEX_MAX are left alone: coincidence would be common. */
static bool
octet_closes_part(const char *h, size_t len, size_t at, size_t end,
    unsigned octet)
{
	unsigned value = 0;
	size_t i;

	if (octet < GENERIC_HOST_INDEX_MAX || end - at > 3 || h[at] == '0' ||
	    (end < len && !is_separator(h[end])))
		return false;
	for (i = at; i < end; i++)
		value = value * 10 + (unsigned)(h[i] - '0');
	return value == octet;
}

static bool
find_last_octet(unsigned octet, const char *h, size_t len, bool worded,
    struct generic_shape_hit *hit)
{
	size_t i = 0, start, part, first_end = label_end(h, len, 0);
	char tail[4];

	tail[0] = (char)('0' + octet / 100);
	tail[1] = (char)('0' + octet / 10 % 10);
	tail[2] = (char)('0' + octet % 10);
	while (i < len) {
		if (!is_digit(h[i])) {
			i++;
			continue;
		}
		for (start = i; i < len && is_digit(h[i]); i++)
			;
		if (octet_closes_part(h, len, start, i, octet)) {
			for (part = start; part > 0 && !is_separator(h[part - 1]);)
				part--;
			if (worded || numbered_parts(h, len, part) >= 2)
				return set_hit(hit, "last-octet", part, i);
		}
		if (octet >= 100 && i <= first_end &&
		    i - start >= OCTET_TAIL_MIN && i - start <= LONG_NUMBER_MAX &&
		    memcmp(h + i - 3, tail, 3) == 0)
			return set_hit(hit, "last-octet", start, i);
	}
	return false;
}

/*
 * A place and numbers in the first label: a part of letters only and
 * three parts that are numbers, or two with a long one.  Four numbers
 * that could be octets are an address, and an address is compared with
 * the client's (generic_ip.c), never judged by its look: another host's
 * address, or "srv-0-0-0-1", proves nothing.
 */
static bool
find_circuit_id(const char *h, size_t len, struct generic_shape_hit *hit)
{
	size_t first_end = label_end(h, len, 0), start, end, i;
	size_t numbers = 0, longest = 0, octets = 0, places = 0;
	unsigned value;

	for (start = 0; start < first_end; start = end + 1) {
		end = part_end(h, first_end, start);
		for (i = start; i < end && h[i] >= 'a' && h[i] <= 'z'; i++)
			;
		places += i == end && end - start >= 2;
		for (i = start, value = 0; i < end && is_digit(h[i]); i++)
			value = value < 1000 ? value * 10 +
			    (unsigned)(h[i] - '0') : value;
		if (i == end && end > start) {
			numbers++;
			octets += value <= 255;
			longest = end - start > longest ? end - start : longest;
		}
	}
	if (places == 0 || (numbers == 4 && octets == 4))
		return false;
	if (numbers >= 3 || (numbers == 2 && longest >= LONG_NUMBER_MIN))
		return set_hit(hit, "circuit-id", 0, first_end);
	return false;
}

/* A long number in the first label, under two labels or more, another
 * of them numbered. */
static bool
find_deep_number(const char *h, size_t len, struct generic_shape_hit *hit)
{
	size_t first_end = label_end(h, len, 0), i, start, run = 0, at = 0;
	size_t labels = 1;
	bool other_digit = false;

	for (i = 0; i < first_end; i++) {
		if (!is_digit(h[i]))
			continue;
		for (start = i; i < first_end && is_digit(h[i]); i++)
			;
		if (i - start > run) {
			run = i - start;
			at = start;
		}
	}
	for (i = first_end; i < len; i++) {
		labels += h[i] == '.';
		other_digit = other_digit || is_digit(h[i]);
	}
	if (run >= LONG_NUMBER_MIN && run <= LONG_NUMBER_MAX && labels >= 3 &&
	    other_digit)
		return set_hit(hit, "deep-number", at, at + run);
	return false;
}

bool
generic_shape_find(const struct addr *client, const char *h, size_t len,
    bool worded, struct generic_shape_hit *hit)
{
	hit->rule = NULL;
	hit->at = hit->end = 0;
	if (len == 0 || shows_mail_host(h, len))
		return false;
	if (find_hex_id(h, len, hit) || find_tunnel(h, len, hit))
		return true;
	if (worded && find_customer_number(h, len, hit))
		return true;
	if (client != NULL && client->family == AF_INET &&
	    find_last_octet(client->bytes[3], h, len, worded, hit))
		return true;
	return find_circuit_id(h, len, hit) || find_deep_number(h, len, hit);
}
