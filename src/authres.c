/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authres.c - the authserv-id; see authres.h.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "authres.h"

#define TSPECIALS "()<>@,;:\\\"/[]?="	/* RFC 2045 section 5.1 */

static bool is_token_char(unsigned char c);
static bool is_set(const char *s);
static const char *skip_cfws(const char *p);
static long read_id(const char *p, char *buf, size_t size);
static size_t without_dot(const char *s, size_t n);

static bool
is_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr(TSPECIALS, c) == NULL;
}

bool
authres_id_valid(const char *id)
{
	size_t n;

	if (id == NULL || *id == '\0')
		return false;
	for (n = 0; id[n] != '\0'; n++) {
		if (n >= AUTHRES_ID_MAX || !is_token_char((unsigned char)id[n]))
			return false;
	}
	return true;
}

static bool
is_set(const char *s)
{
	return s != NULL && *s != '\0';
}

enum authres_id_source
authres_pick_id(const char *policy, const char *mta, const char *host,
    const char **id)
{
	const char *from[] = { policy, mta, host };
	const enum authres_id_source source[] = { AUTHRES_ID_POLICY,
	    AUTHRES_ID_MTA, AUTHRES_ID_HOST };

	for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		if (is_set(from[i]) && authres_id_valid(from[i])) {
			*id = from[i];
			return source[i];
		}
	}
	*id = NULL;
	return AUTHRES_ID_NONE;
}

/* Skips whitespace, line breaks and comments; comments nest and may hold
 * quoted pairs (RFC 5322 section 3.2.2). */
static const char *
skip_cfws(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '(')
			return p;
		unsigned depth = 0;
		do {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
			p++;
		} while (*p != '\0' && depth > 0);
	}
}

/* Copies the authserv-id that starts at p into buf as a reader sees it:
 * a quoted-string without its quotes, quoted pairs and line breaks (RFC
 * 5322 3.2.4), and without whitespace at either end, which lenient
 * readers drop; else the run of token characters.  Returns its length,
 * or -1 if it does not fit in size or the quoted-string is not closed -
 * either way it cannot be ours. */
static long
read_id(const char *p, char *buf, size_t size)
{
	const bool quoted = *p == '"';
	size_t n = 0, blanks = 0;

	if (quoted)
		p++;
	for (;; p++) {
		unsigned char c = (unsigned char)*p;

		if (!quoted) {
			if (!is_token_char(c))
				break;
		} else if (c == '\0') {
			return -1;
		} else if (c == '"') {
			break;
		} else if (c == '\r' || c == '\n') {
			continue;
		} else if (c == '\\') {
			if (p[1] == '\0')
				return -1;
			c = (unsigned char)*++p;
		}
		/* Blanks at either end (quoted pairs too) are dropped as
		 * readers drop them, and kept inside only once something
		 * follows: any number of them leaves the id what it is. */
		if (quoted && (c == ' ' || c == '\t')) {
			if (n > 0)
				blanks++;
			continue;
		}
		if (n + blanks + 1 >= size)
			return -1;
		for (; blanks > 0; blanks--)
			buf[n++] = ' ';
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	return (long)n;
}

/* The length of s (n bytes) without one trailing dot: "mx.example.net."
 * names the same host as "mx.example.net". */
static size_t
without_dot(const char *s, size_t n)
{
	return n > 1 && s[n - 1] == '.' ? n - 1 : n;
}

bool
authres_is_ours(const char *value, const char *authserv_id)
{
	/* Ours, one dot and the NUL: anything longer is someone else's. */
	char got[AUTHRES_ID_MAX + 2];
	size_t want, have;
	long n;

	if (value == NULL || !authres_id_valid(authserv_id))
		return false;
	n = read_id(skip_cfws(value), got, sizeof(got));
	if (n <= 0)
		return false;
	have = without_dot(got, (size_t)n);
	want = without_dot(authserv_id, strlen(authserv_id));
	return have == want && strncasecmp(got, authserv_id, want) == 0;
}
