/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_spec.c - parsing the state_store value; see state_spec.h.
 *
 * Byte-exact and locale-free, like the other value parsers: a spec names
 * a file opened as root and a server the daemon trusts with its state,
 * so anything unexpected is an error rather than a guess.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "state_spec.h"

#define REDIS_DEFAULT_PORT 6379

static int spec_error(char *err, size_t errlen, const char *what,
    const char *detail);
static int parse_path(const char *text, size_t len, char *out, size_t cap,
    const char *what, char *err, size_t errlen);
static int parse_number(const char *text, size_t len, unsigned max,
    unsigned *out);
static int parse_options(const char *opts, struct state_spec *out,
    bool db_allowed, char *err, size_t errlen);
static int parse_host_port(const char *text, size_t len,
    struct state_spec *out, char *err, size_t errlen);
static int parse_redis_tcp(const char *rest, struct state_spec *out,
    char *err, size_t errlen);
static int parse_redis_unix(const char *rest, struct state_spec *out,
    char *err, size_t errlen);
static int parse_lmdb(const char *rest, struct state_spec *out, char *err,
    size_t errlen);

static int
spec_error(char *err, size_t errlen, const char *what, const char *detail)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s%s%s", what,
		    detail != NULL ? ": " : "", detail != NULL ? detail : "");
	return -1;
}

/* An absolute path of len bytes, printable, no "/." or "//" tricks
 * needed to be refused: it is the administrator's file.  Trailing
 * slashes are dropped so that "lmdb:/x/" and "lmdb:/x" are one store. */
static int
parse_path(const char *text, size_t len, char *out, size_t cap,
    const char *what, char *err, size_t errlen)
{
	size_t i;

	while (len > 1 && text[len - 1] == '/')
		len--;
	if (len == 0 || text[0] != '/')
		return spec_error(err, errlen, what, "must be an absolute path");
	if (len == 1)
		return spec_error(err, errlen, what, "must not be /");
	if (len >= cap)
		return spec_error(err, errlen, what, "path too long");
	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x21 ||
		    (unsigned char)text[i] > 0x7e)
			return spec_error(err, errlen, what,
			    "space or control character in path");
	memcpy(out, text, len);
	out[len] = '\0';
	return 0;
}

/* Decimal digits only, no sign, no leading zeros beyond "0", <= max. */
static int
parse_number(const char *text, size_t len, unsigned max, unsigned *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 10 || (len > 1 && text[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (!ascii_is_digit((unsigned char)text[i]))
			return -1;
		v = v * 10 + (unsigned long)(text[i] - '0');
	}
	if (v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* "db=N&password_file=/P", in any order, each at most once. */
static int
parse_options(const char *opts, struct state_spec *out, bool db_allowed,
    char *err, size_t errlen)
{
	bool seen_db = false, seen_pw = false;
	const char *p = opts;

	while (*p != '\0') {
		size_t len = strcspn(p, "&");

		if (strncmp(p, "db=", 3) == 0 && db_allowed && !seen_db) {
			if (parse_number(p + 3, len - 3, STATE_SPEC_DB_MAX,
			    &out->db) != 0)
				return spec_error(err, errlen, "bad db", NULL);
			seen_db = true;
		} else if (strncmp(p, "password_file=", 14) == 0 && !seen_pw) {
			if (parse_path(p + 14, len - 14, out->password_file,
			    sizeof(out->password_file), "password_file", err,
			    errlen) != 0)
				return -1;
			seen_pw = true;
		} else
			return spec_error(err, errlen,
			    "unknown or repeated option (db= for "
			    "redis+unix:, password_file=)", NULL);
		p += len;
		if (*p == '&' && *++p == '\0')
			return spec_error(err, errlen, "empty option", NULL);
	}
	return 0;
}

/* HOST[:PORT] or [V6][:PORT]. */
static int
parse_host_port(const char *text, size_t len, struct state_spec *out,
    char *err, size_t errlen)
{
	size_t hostlen, i;
	const char *host = text, *port = NULL;

	if (len > 0 && text[0] == '[') {
		const char *close = memchr(text, ']', len);

		if (close == NULL)
			return spec_error(err, errlen, "unclosed [", NULL);
		host = text + 1;
		hostlen = (size_t)(close - host);
		if ((size_t)(close + 1 - text) < len) {
			if (close[1] != ':')
				return spec_error(err, errlen,
				    "junk after ]", NULL);
			port = close + 2;
		}
	} else {
		const char *colon = memchr(text, ':', len);

		hostlen = colon != NULL ? (size_t)(colon - text) : len;
		if (colon != NULL)
			port = colon + 1;
	}
	if (hostlen == 0 || hostlen >= sizeof(out->host))
		return spec_error(err, errlen, "bad Redis host", NULL);
	for (i = 0; i < hostlen; i++) {
		unsigned char c = (unsigned char)host[i];

		if (!ascii_is_alpha(c) && !ascii_is_digit(c) &&
		    strchr(".-_:", c) == NULL)
			return spec_error(err, errlen, "bad Redis host", NULL);
	}
	memcpy(out->host, host, hostlen);
	out->host[hostlen] = '\0';
	out->port = REDIS_DEFAULT_PORT;
	if (port != NULL && (parse_number(port, (size_t)(text + len - port),
	    65535, &out->port) != 0 || out->port == 0))
		return spec_error(err, errlen, "bad Redis port", NULL);
	return 0;
}

/* After "redis://": HOST[:PORT][/DB][?OPTS]. */
static int
parse_redis_tcp(const char *rest, struct state_spec *out, char *err,
    size_t errlen)
{
	size_t authority = strcspn(rest, "/?");
	const char *p = rest + authority;

	out->kind = STATE_KIND_REDIS;
	if (parse_host_port(rest, authority, out, err, errlen) != 0)
		return -1;
	if (*p == '/') {
		size_t dblen = strcspn(p + 1, "?");

		if (parse_number(p + 1, dblen, STATE_SPEC_DB_MAX,
		    &out->db) != 0)
			return spec_error(err, errlen, "bad Redis db", NULL);
		p += 1 + dblen;
	}
	if (*p == '?')
		return parse_options(p + 1, out, false, err, errlen);
	return 0;
}

/* After "redis+unix:": /PATH[?OPTS]. */
static int
parse_redis_unix(const char *rest, struct state_spec *out, char *err,
    size_t errlen)
{
	size_t len = strcspn(rest, "?");

	out->kind = STATE_KIND_REDIS_UNIX;
	if (parse_path(rest, len, out->path, sizeof(out->path),
	    "Redis socket", err, errlen) != 0)
		return -1;
	if (rest[len] == '?')
		return parse_options(rest + len + 1, out, true, err, errlen);
	return 0;
}

static int
parse_lmdb(const char *rest, struct state_spec *out, char *err,
    size_t errlen)
{
	out->kind = STATE_KIND_LMDB;
	return parse_path(rest, strlen(rest), out->path, sizeof(out->path),
	    "LMDB directory", err, errlen);
}

int
state_spec_parse(const char *text, struct state_spec *out, char *err,
    size_t errlen)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (text == NULL || strlen(text) >= sizeof(out->text))
		return spec_error(err, errlen, "value too long", NULL);
	if (strcmp(text, "none") == 0) {
		out->kind = STATE_KIND_NONE;
		rc = 0;
	} else if (strncmp(text, "lmdb:", 5) == 0)
		rc = parse_lmdb(text + 5, out, err, errlen);
	else if (strncmp(text, "redis://", 8) == 0)
		rc = parse_redis_tcp(text + 8, out, err, errlen);
	else if (strncmp(text, "redis+unix:", 11) == 0)
		rc = parse_redis_unix(text + 11, out, err, errlen);
	else
		rc = spec_error(err, errlen, "expected none, lmdb:/DIR, "
		    "redis://HOST[:PORT][/DB] or redis+unix:/PATH", NULL);
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	memcpy(out->text, text, strlen(text) + 1);
	return 0;
}

const char *
state_kind_name(enum state_kind kind)
{
	switch (kind) {
	case STATE_KIND_NONE:
		return "none";
	case STATE_KIND_LMDB:
		return "lmdb";
	case STATE_KIND_REDIS:
	case STATE_KIND_REDIS_UNIX:
		return "redis";
	}
	return "none";
}
