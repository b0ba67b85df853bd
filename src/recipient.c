/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * recipient.c - the RCPT TO argument and exempt_recipients entries; see
 * recipient.h.
 *
 * The parser walks the argument once with an end pointer, never past
 * RECIPIENT_ARG_MAX bytes, and writes only within the fixed fields of
 * struct recipient; whatever it does not understand makes it give up.
 */
#include "config.h"

#include <string.h>

#include "ascii.h"
#include "recipient.h"

static bool is_atom_char(char c);
static const char *skip_route(const char *p, const char *end);
static const char *read_local(const char *p, const char *end,
    struct recipient *out);
static const char *read_domain(const char *p, const char *end,
    struct recipient *out);
static bool domain_valid(const char *d, size_t n);

/* RFC 5322 atext and the dot of a dot-atom. */
static bool
is_atom_char(char c)
{
	return c > ' ' && c < 0x7f && strchr("\"(),:;<>@[\\]", c) == NULL;
}

/* "@a,@b:" before the mailbox: RFC 5321 says to ignore it. */
static const char *
skip_route(const char *p, const char *end)
{
	const char *colon;

	if (p == end || *p != '@')
		return p;
	colon = memchr(p, ':', (size_t)(end - p));
	return colon != NULL ? colon + 1 : NULL;
}

/* The local part, quoted or not, into out->local in lower case; returns
 * where it ends, or NULL. */
static const char *
read_local(const char *p, const char *end, struct recipient *out)
{
	bool quoted = p < end && *p == '"', closed = false;
	size_t n = 0;

	if (quoted)
		p++;
	for (; p < end; p++) {
		char c = *p;

		if (quoted && c == '"') {
			p++;
			closed = true;
			break;
		}
		if (quoted && c == '\\' && p + 1 < end)
			c = *++p;
		else if (!quoted && !is_atom_char(c))
			break;
		if (c < ' ' || c >= 0x7f || n >= RECIPIENT_LOCAL_MAX)
			return NULL;
		out->local[n++] = (char)ascii_fold((unsigned char)c);
	}
	if (quoted && !closed)
		return NULL;
	out->local[n] = '\0';
	return n > 0 ? p : NULL;
}

/* A host name, or an address literal as it is written ("[192.0.2.1]"). */
static bool
domain_valid(const char *d, size_t n)
{
	if (n >= 2 && d[0] == '[' && d[n - 1] == ']') {
		for (size_t i = 1; i + 1 < n; i++)
			if (d[i] <= ' ' || d[i] >= 0x7f || d[i] == '[' ||
			    d[i] == ']' || d[i] == '\\')
				return false;
		return true;
	}
	return dname_is_hostname(d, n, DNAME_HOST_UNDERSCORE);
}

/* After the '@': up to '>' or the end, into out->domain, lower case and
 * without a trailing dot. */
static const char *
read_domain(const char *p, const char *end, struct recipient *out)
{
	const char *stop = memchr(p, '>', (size_t)(end - p));
	size_t n;

	if (stop == NULL)
		stop = end;	/* a missing '>' is forgiven */
	n = (size_t)(stop - p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0 || n > DNAME_HOSTNAME_MAX + 1 || !domain_valid(p, n))
		return NULL;
	if (p[n - 1] == '.')
		n--;
	if (n > DNAME_HOSTNAME_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out->domain[i] = (char)ascii_fold((unsigned char)p[i]);
	out->domain[n] = '\0';
	return stop;
}

int
recipient_parse(const char *arg, struct recipient *out)
{
	const char *p, *end;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (arg == NULL)
		return -1;
	len = strnlen(arg, RECIPIENT_ARG_MAX + 1);
	if (len > RECIPIENT_ARG_MAX)
		return -1;
	p = arg + strspn(arg, " \t");
	end = arg + len;
	if (p < end && *p == '<')
		p++;
	p = skip_route(p, end);
	if (p == NULL || (p = read_local(p, end, out)) == NULL)
		return -1;
	/* <postmaster> has no domain. */
	if (p < end && *p == '@' && (p = read_domain(p + 1, end, out)) == NULL)
		return -1;
	/* Nothing but the closing bracket may follow. */
	p += strspn(p, " \t");
	if (p < end && *p == '>')
		p++;
	p += strspn(p, " \t");
	return p == end ? 0 : -1;
}

bool
recipient_entry_valid(const char *entry)
{
	const char *at = strchr(entry, '@');
	size_t local = at != NULL ? (size_t)(at - entry) : strlen(entry);

	if (at != NULL && strchr(at + 1, '@') != NULL)
		return false;
	if (local > RECIPIENT_LOCAL_MAX || (at == NULL && local == 0))
		return false;
	for (size_t i = 0; i < local; i++)
		if (!is_atom_char(entry[i]))
			return false;
	if (at == NULL)
		return true;
	/* The domain as the policy keeps it: no trailing dot. */
	return at[1] != '\0' && at[strlen(at) - 1] != '.' &&
	    dname_is_hostname(at + 1, strlen(at + 1), DNAME_HOST_UNDERSCORE);
}

const char *
recipient_match(char *const *entries, const struct recipient *r)
{
	for (char *const *e = entries; *e != NULL; e++) {
		const char *at = strchr(*e, '@');
		size_t n = at != NULL ? (size_t)(at - *e) : 0;

		if (at == NULL) {
			if (strcmp(*e, r->local) == 0)
				return *e;
		} else if (r->domain[0] != '\0' &&
		    strcmp(at + 1, r->domain) == 0 &&
		    (n == 0 || (strlen(r->local) == n &&
		    strncmp(*e, r->local, n) == 0))) {
			return *e;
		}
	}
	return NULL;
}
