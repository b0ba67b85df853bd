/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_values.c - the value syntaxes of ptrmilter.conf; see
 * policy_values.h.
 *
 * Everything here is byte-exact and locale-free: no strtol/strtod (which
 * skip spaces, take signs, hex and the locale's decimal point), no ctype
 * (which depends on the locale and is undefined for negative chars).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "policy_values.h"
#include "recipient.h"

static bool is_digit(char c);
static bool is_graph(char c);
static char lower(char c);
static int ascii_casecmp(const char *a, const char *b);
static int parse_port(const char *text);

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Printable ASCII other than space. */
static bool
is_graph(char c)
{
	return c > ' ' && c < 0x7f;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int
ascii_casecmp(const char *a, const char *b)
{
	for (; *a != '\0' && lower(*a) == lower(*b); a++, b++)
		;
	return (unsigned char)lower(*a) - (unsigned char)lower(*b);
}

bool
policy_value_is(const char *text, const char *word)
{
	return ascii_casecmp(text, word) == 0;
}

int
policy_value_bool(const char *text, bool *out)
{
	if (policy_value_is(text, "yes") || policy_value_is(text, "true")) {
		*out = true;
		return 0;
	}
	if (policy_value_is(text, "no") || policy_value_is(text, "false")) {
		*out = false;
		return 0;
	}
	return -1;
}

int
policy_value_unsigned(const char *text, unsigned long *out)
{
	unsigned long v = 0;

	if (*text == '\0')
		return -1;
	for (; *text != '\0'; text++) {
		unsigned d = (unsigned)(*text - '0');

		if (!is_digit(*text) || v > (ULONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int
policy_value_octal(const char *text, unsigned *out)
{
	unsigned v = 0;
	size_t n = strlen(text);

	if (n == 0 || n > 4)
		return -1;
	for (; *text != '\0'; text++) {
		if (*text < '0' || *text > '7')
			return -1;
		v = v * 8 + (unsigned)(*text - '0');
	}
	if (v > 0777)
		return -1;
	*out = v;
	return 0;
}

static const struct {
	char suffix;
	unsigned long long seconds;
} duration_units[] = {
	{ 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 },
};
#define DURATION_UNITS (sizeof(duration_units) / sizeof(duration_units[0]))

int
policy_value_duration(const char *text, unsigned long long *seconds)
{
	unsigned long long v = 0, unit = 1;
	const char *p = text;

	if (!is_digit(*p))
		return -1;
	for (; is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (ULLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*p != '\0') {
		size_t i;

		for (i = 0; i < DURATION_UNITS; i++)
			if (lower(*p) == duration_units[i].suffix)
				break;
		if (i == DURATION_UNITS || p[1] != '\0')
			return -1;
		unit = duration_units[i].seconds;
	}
	if (v > ULLONG_MAX / unit)
		return -1;
	*seconds = v * unit;
	return 0;
}

void
policy_value_format_duration(unsigned long long seconds, char *buf, size_t size)
{
	for (size_t i = 0; i < DURATION_UNITS; i++) {
		unsigned long long u = duration_units[i].seconds;

		if (seconds != 0 && seconds % u == 0) {
			snprintf(buf, size, "%llu%c", seconds / u,
			    duration_units[i].suffix);
			return;
		}
	}
	snprintf(buf, size, "%llus", seconds);
}

int
policy_value_milliseconds(const char *text, unsigned long long *ms)
{
	unsigned long long v = 0;
	size_t n = strlen(text);
	const char *p;

	if (n < 3 || lower(text[n - 2]) != 'm' || lower(text[n - 1]) != 's') {
		if (policy_value_duration(text, &v) != 0 ||
		    v > ULLONG_MAX / 1000)
			return -1;
		*ms = v * 1000;
		return 0;
	}
	for (p = text; p < text + n - 2; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (!is_digit(*p) || v > (ULLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*ms = v;
	return 0;
}

void
policy_value_format_milliseconds(unsigned long long ms, char *buf,
    size_t size)
{
	if (ms == 0 || ms % 1000 != 0)
		snprintf(buf, size, "%llums", ms);
	else
		policy_value_format_duration(ms / 1000, buf, size);
}

int
policy_value_decimal(const char *text, long long *milli)
{
	long long whole = 0, frac = 0;
	const char *p = text;
	bool negative = false;
	int digits = 0;

	if (*p == '-') {
		negative = true;
		p++;
	}
	for (; is_digit(*p); p++) {
		if (++digits > 9)
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (digits == 0)
		return -1;
	if (*p == '.') {
		p++;
		for (digits = 0; is_digit(*p); p++) {
			if (++digits > 3)
				return -1;
			frac = frac * 10 + (*p - '0');
		}
		if (digits == 0)
			return -1;
		for (; digits < 3; digits++)
			frac *= 10;
	}
	if (*p != '\0')
		return -1;
	*milli = (whole * 1000 + frac) * (negative ? -1 : 1);
	return 0;
}

void
policy_value_format_decimal(long long milli, char *buf, size_t size)
{
	unsigned long long a = milli < 0 ? 0ULL - (unsigned long long)milli :
	    (unsigned long long)milli;
	unsigned long long frac = a % 1000;
	int width = 3;

	if (frac == 0) {
		snprintf(buf, size, "%s%llu", milli < 0 ? "-" : "", a / 1000);
		return;
	}
	for (; frac % 10 == 0; frac /= 10)
		width--;
	snprintf(buf, size, "%s%llu.%0*llu", milli < 0 ? "-" : "", a / 1000,
	    width, frac);
}

/* Returns the port 1..65535 that is all of text, or -1. */
static int
parse_port(const char *text)
{
	unsigned long v;

	if (strlen(text) > 5 || policy_value_unsigned(text, &v) != 0 ||
	    v == 0 || v > 65535)
		return -1;
	return (int)v;
}

bool
policy_value_is_socket(const char *text)
{
	static const char *const unix_prefixes[] = { "unix:", "local:" };
	static const char *const inet_prefixes[] = { "inet:", "inet6:" };
	char port[8];
	const char *rest, *at;

	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(unix_prefixes[i]);

		if (strncmp(text, unix_prefixes[i], n) == 0)
			return policy_value_is_path(text + n);
	}
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(inet_prefixes[i]);

		if (strncmp(text, inet_prefixes[i], n) != 0)
			continue;
		rest = text + n;
		at = strchr(rest, '@');
		if (at == NULL)
			return parse_port(rest) > 0;
		if ((size_t)(at - rest) >= sizeof(port) ||
		    !policy_value_is_word(at + 1))
			return false;
		memcpy(port, rest, (size_t)(at - rest));
		port[at - rest] = '\0';
		return parse_port(port) > 0;
	}
	return false;
}

bool
policy_value_is_hostport(const char *text)
{
	char host[ADDR_TEXT_MAX + 1];
	struct addr a;
	const char *begin = text, *end, *port;

	if (text[0] == '[') {
		/* [IPv6]:PORT */
		begin = text + 1;
		end = strchr(begin, ']');
		if (end == NULL || end[1] != ':')
			return false;
		port = end + 2;
	} else {
		/* IPv4:PORT, exactly one colon */
		end = strchr(text, ':');
		if (end == NULL || strchr(end + 1, ':') != NULL)
			return false;
		port = end + 1;
	}
	if (end == begin || (size_t)(end - begin) >= sizeof(host))
		return false;
	memcpy(host, begin, (size_t)(end - begin));
	host[end - begin] = '\0';
	/* Brackets exactly around an IPv6 address (mapped ones included). */
	if (addr_parse(host, &a) != 0 ||
	    (strchr(host, ':') != NULL) != (begin != text))
		return false;
	return parse_port(port) > 0;
}

bool
policy_value_is_path(const char *text)
{
	return text[0] == '/' && policy_value_is_word(text);
}

bool
policy_value_is_word(const char *text)
{
	if (*text == '\0')
		return false;
	for (; *text != '\0'; text++)
		if (!is_graph(*text))
			return false;
	return true;
}

/* Every incoming header with the score header's name is removed, so it
 * must not be one a message carries for itself or one another checker
 * writes: RFC 5322 3.6, MIME (RFC 2045, 2183), RFC 8601, DKIM, ARC, SPF. */
static bool
is_message_field(const char *text)
{
	static const char *const fields[] = {
		"Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc",
		"Message-ID", "In-Reply-To", "References", "Subject",
		"Comments", "Keywords", "Resent-Date", "Resent-From",
		"Resent-Sender", "Resent-To", "Resent-Cc", "Resent-Bcc",
		"Resent-Message-ID", "Return-Path", "Received", "MIME-Version",
		"Authentication-Results", "DKIM-Signature", "Received-SPF",
	};
	static const char *const prefixes[] = { "Content-", "ARC-" };

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (policy_value_is(text, fields[i]))
			return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		for (size_t k = 0; k <= n; k++) {
			if (k == n)
				return true;
			if (lower(text[k]) != lower(prefixes[i][k]))
				break;
		}
	}
	return false;
}

bool
policy_value_is_field_name(const char *text)
{
	size_t n = strlen(text);

	if (n == 0 || n > 64 || is_message_field(text))
		return false;
	for (; *text != '\0'; text++)
		if (!is_graph(*text) || *text == ':')
			return false;
	return true;
}

bool
policy_value_is_domain(const char *text)
{
	size_t label = 0, n = strlen(text);

	if (n == 0 || n > 253)
		return false;
	for (; *text != '\0'; text++) {
		char c = *text;

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || is_digit(c) || c == '-' ||
		    c == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0;
}

void
policy_value_words_free(char **words)
{
	if (words == NULL)
		return;
	for (size_t i = 0; words[i] != NULL; i++)
		free(words[i]);
	free(words);
}

enum policy_value_result
policy_value_words(const char *text, bool domains, char ***out,
    const char **bad)
{
	size_t count = 0, i = 0, n;
	const char *s;
	char **words;

	*bad = NULL;
	for (s = text + strspn(text, POLICY_VALUE_SEPARATORS); *s != '\0';
	    s += n, s += strspn(s, POLICY_VALUE_SEPARATORS), count++)
		n = strcspn(s, POLICY_VALUE_SEPARATORS);
	if (count == 0)
		return POLICY_VALUE_BAD;
	words = *out = calloc(count + 1, sizeof(*words));
	if (words == NULL)
		return POLICY_VALUE_NOMEM;
	for (s = text + strspn(text, POLICY_VALUE_SEPARATORS); *s != '\0';
	    s += n, s += strspn(s, POLICY_VALUE_SEPARATORS)) {
		char *w, *begin;
		bool ok;

		n = strcspn(s, POLICY_VALUE_SEPARATORS);
		w = words[i++] = strndup(s, n);
		if (w == NULL)
			return POLICY_VALUE_NOMEM;
		for (char *c = w; *c != '\0'; c++)
			*c = lower(*c);
		if (!domains) {
			size_t wl = strlen(w);

			/* abuse@example.net. is abuse@example.net */
			if (strchr(w, '@') != NULL && wl > 0 &&
			    w[wl - 1] == '.')
				w[wl - 1] = '\0';
			ok = recipient_entry_valid(w);
		} else {
			begin = w + (w[0] == '.');
			if (*begin != '\0' && begin[strlen(begin) - 1] == '.')
				begin[strlen(begin) - 1] = '\0';
			memmove(w, begin, strlen(begin) + 1);
			ok = policy_value_is_domain(w);
		}
		if (!ok) {
			*bad = s;
			return POLICY_VALUE_BAD;
		}
	}
	return POLICY_VALUE_OK;
}

enum policy_value_result
policy_value_addresses(const char *text, char **out, const char **bad)
{
	char one[ADDR_TEXT_MAX + 1], *joined;
	struct addr a;
	size_t n, o = 0;
	const char *s;

	*bad = NULL;
	joined = *out = malloc(strlen(text) + 1);
	if (joined == NULL)
		return POLICY_VALUE_NOMEM;
	for (s = text + strspn(text, POLICY_VALUE_SEPARATORS); *s != '\0';
	    s += n, s += strspn(s, POLICY_VALUE_SEPARATORS)) {
		n = strcspn(s, POLICY_VALUE_SEPARATORS);
		if (n >= sizeof(one)) {
			*bad = s;
			return POLICY_VALUE_BAD;
		}
		memcpy(one, s, n);
		one[n] = '\0';
		if (addr_parse(one, &a) != 0) {
			*bad = s;
			return POLICY_VALUE_BAD;
		}
		if (o > 0)
			joined[o++] = ' ';
		memcpy(joined + o, s, n);
		o += n;
	}
	joined[o] = '\0';
	return o == 0 ? POLICY_VALUE_BAD : POLICY_VALUE_OK;
}

unsigned
policy_value_distance(const char *a, const char *b)
{
	/* Three rows of the OSA table: two back, one back, current. */
	unsigned rows[3][65];
	size_t na = strlen(a), nb = strlen(b);

	if (na > 64 || nb > 64)
		return UINT_MAX;
	for (size_t j = 0; j <= nb; j++)
		rows[1][j] = (unsigned)j;
	for (size_t i = 1; i <= na; i++) {
		unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= nb; j++) {
			unsigned cost = lower(a[i - 1]) != lower(b[j - 1]);
			unsigned best = prev[j - 1] + cost;

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			/* a transposition of two neighbours */
			if (i > 1 && j > 1 &&
			    lower(a[i - 1]) == lower(b[j - 2]) &&
			    lower(a[i - 2]) == lower(b[j - 1]) &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		memcpy(rows[0], rows[1], sizeof(rows[0]));
		memcpy(rows[1], rows[2], sizeof(rows[1]));
	}
	return rows[1][nb];
}
