/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authres.c - the authserv-id of an Authentication-Results value.
 */
#include "config.h"

#include <stddef.h>
#include <strings.h>

#include "authres.h"

static const char *skip_cfws(const char *p);

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

bool
authres_is_ours(const char *value, const char *authserv_id)
{
	const char *p, *start;
	size_t n;

	if (value == NULL || authserv_id == NULL || *authserv_id == '\0')
		return false;
	p = skip_cfws(value);
	if (*p == '"') {
		start = ++p;
		while (*p != '\0' && *p != '"')
			p++;
		if (*p != '"')
			return false;
	} else {
		start = p;
		while (*p != '\0' && *p != ';' && *p != '(' && *p != ' ' &&
		    *p != '\t' && *p != '\r' && *p != '\n')
			p++;
	}
	n = (size_t)(p - start);
	/* A trailing dot names the same host. */
	size_t want = 0;
	while (authserv_id[want] != '\0')
		want++;
	if (n == want + 1 && start[n - 1] == '.')
		n--;
	return n == want && strncasecmp(start, authserv_id, n) == 0;
}
