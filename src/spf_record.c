/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_record.c - picks the SPF record out of a TXT RRset and parses its
 * terms per RFC 7208 (4.5, 4.6, 5, 6 and the ABNF of 12); see
 * spf_record.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "dname.h"
#include "safe_text.h"
#include "spf_record.h"

#define SPF_VERSION "v=spf1"
#define SPF_VERSION_LEN 6
#define NO_TERM ((size_t)-1)

/* A term being parsed: its bytes, the reason buffer, what it became. */
struct cursor {
	const char *s;
	size_t len;
	char *reason;
	size_t reasonsize;
	struct spf_term *term;
};

static void join_strings(const struct spf_txt *rr, char *out, size_t *len);
static bool is_spf(const char *text, size_t len);
static int parse_term(struct cursor *c);
static int parse_mechanism(struct cursor *c, size_t at);
static int parse_modifier(struct cursor *c, size_t namelen);
static int parse_domain_spec(struct cursor *c, const char *s, size_t n,
    bool in_exp);
static int check_macros(const char *s, size_t n, bool in_exp, bool *found);
static int parse_dual_cidr(struct cursor *c, const char *s, size_t n);
static int parse_network(struct cursor *c, const char *s, size_t n, int family);
static int parse_prefix(const char *s, size_t n, unsigned max, unsigned *out);
static int fail(struct cursor *c, const char *cause);

enum spf_select
spf_record_select(const struct spf_txt *rr, size_t count, char **text,
    size_t *len)
{
	size_t found = 0;

	*text = NULL;
	*len = 0;
	for (size_t i = 0; i < count; i++) {
		char *joined = malloc(rr[i].len + 1);
		size_t n;

		if (joined == NULL)
			goto nomem;
		join_strings(&rr[i], joined, &n);
		if (!is_spf(joined, n)) {
			free(joined);
			continue;
		}
		if (++found > 1) {
			free(joined);
			break;
		}
		*text = joined;
		*len = n;
	}
	if (found > 1) {
		free(*text);
		*text = NULL;
		*len = 0;
		return SPF_SELECT_TWO;
	}
	return found == 1 ? SPF_SELECT_ONE : SPF_SELECT_NONE;
nomem:
	free(*text);
	*text = NULL;
	*len = 0;
	return SPF_SELECT_NOMEM;
}

/* out holds rr->len + 1 bytes: the joined text is never longer than the
 * rdata, since every string loses its length byte. */
static void
join_strings(const struct spf_txt *rr, char *out, size_t *len)
{
	size_t pos = 0, n = 0;

	while (pos < rr->len) {
		size_t slen = rr->data[pos++];

		if (slen > rr->len - pos)
			slen = rr->len - pos;
		memcpy(out + n, rr->data + pos, slen);
		n += slen;
		pos += slen;
	}
	out[n] = '\0';
	*len = n;
}

static bool
is_spf(const char *text, size_t len)
{
	if (len < SPF_VERSION_LEN || strncasecmp(text, SPF_VERSION, SPF_VERSION_LEN) != 0)
		return false;
	return len == SPF_VERSION_LEN || text[SPF_VERSION_LEN] == ' ';
}

static int
add_term(struct spf_record *rec, size_t *capacity)
{
	if (rec->count == *capacity) {
		size_t want = *capacity ? *capacity * 2 : 8;
		struct spf_term *t = realloc(rec->terms, want * sizeof(*t));

		if (t == NULL)
			return -1;
		rec->terms = t;
		*capacity = want;
	}
	memset(&rec->terms[rec->count], 0, sizeof(rec->terms[0]));
	rec->count++;
	return 0;
}

/* Remembers where the redirect or exp modifier is; twice is an error
 * (RFC 7208 6). */
static int
note_modifier(struct cursor *c, const struct spf_record *rec,
    size_t *redirect, size_t *exp)
{
	size_t *slot;

	if (c->term->kind == SPF_REDIRECT)
		slot = redirect;
	else if (c->term->kind == SPF_EXP)
		slot = exp;
	else
		return 0;
	if (*slot != NO_TERM)
		return fail(c, "modifier given twice");
	*slot = rec->count - 1;
	return 0;
}

int
spf_record_parse(const char *text, size_t len, struct spf_record *rec,
    char *reason, size_t reasonsize)
{
	size_t capacity = 0, pos = SPF_VERSION_LEN;
	size_t redirect = NO_TERM, exp = NO_TERM;
	struct cursor c = { .reason = reason, .reasonsize = reasonsize };

	memset(rec, 0, sizeof(*rec));
	if (reasonsize > 0)
		reason[0] = '\0';
	if (!is_spf(text, len)) {
		snprintf(reason, reasonsize, "not an SPF record");
		return -1;
	}
	while (pos < len) {
		size_t end;

		while (pos < len && text[pos] == ' ')
			pos++;
		if (pos == len)
			break;
		for (end = pos; end < len && text[end] != ' '; end++)
			;
		if (add_term(rec, &capacity) == -1) {
			snprintf(reason, reasonsize, "out of memory");
			goto error;
		}
		c.s = text + pos;
		c.len = end - pos;
		c.term = &rec->terms[rec->count - 1];
		if (parse_term(&c) == -1 ||
		    note_modifier(&c, rec, &redirect, &exp) == -1)
			goto error;
		if (c.term->kind == SPF_ALL)
			rec->has_all = true;
		pos = end;
	}
	rec->redirect = redirect == NO_TERM ? NULL : &rec->terms[redirect];
	rec->exp = exp == NO_TERM ? NULL : &rec->terms[exp];
	return 0;
error:
	spf_record_free(rec);
	return -1;
}

void
spf_record_free(struct spf_record *rec)
{
	free(rec->terms);
	memset(rec, 0, sizeof(*rec));
}

/* A term for display: at most SPF_TERM_SHOWN bytes, printable, and a
 * NUL shown as '?' like any other control byte rather than ending it. */
static void
show_term(char out[SPF_TERM_SHOWN + 1], const char *s, size_t n)
{
	char raw[SPF_TERM_SHOWN + 1];

	if (n > SPF_TERM_SHOWN)
		n = SPF_TERM_SHOWN;
	for (size_t i = 0; i < n; i++)
		raw[i] = s[i] == '\0' ? '\001' : s[i];
	safe_text(out, SPF_TERM_SHOWN + 1, raw, n, SAFE_TEXT_REASON);
}

/* Writes "cause: term" as the reason; the term printable and cut. */
static int
fail(struct cursor *c, const char *cause)
{
	char shown[SPF_TERM_SHOWN + 1];

	show_term(shown, c->s, c->len);
	snprintf(c->reason, c->reasonsize, "%s: %s%s", cause, shown,
	    c->len > SPF_TERM_SHOWN ? "..." : "");
	return -1;
}

static bool
is_name_char(unsigned char ch, bool first)
{
	if (ascii_is_alpha(ch))
		return true;
	return !first && (ascii_is_digit(ch) || ch == '-' || ch == '_' ||
	    ch == '.');
}

/* A modifier is name "=" value; anything else is a mechanism. */
static int
parse_term(struct cursor *c)
{
	size_t i = 0;

	show_term(c->term->text, c->s, c->len);
	c->term->cidr4 = 32;
	c->term->cidr6 = 128;
	for (size_t k = 0; k < c->len; k++)
		if ((unsigned char)c->s[k] < 0x21 ||
		    (unsigned char)c->s[k] > 0x7e)
			return fail(c, "invalid character in term");
	while (i < c->len && is_name_char((unsigned char)c->s[i], i == 0))
		i++;
	if (i > 0 && i < c->len && c->s[i] == '=')
		return parse_modifier(c, i);
	if (c->s[0] == '+' || c->s[0] == '-' || c->s[0] == '~' ||
	    c->s[0] == '?')
		return parse_mechanism(c, 1);
	return parse_mechanism(c, 0);
}

static int
parse_modifier(struct cursor *c, size_t namelen)
{
	const char *value = c->s + namelen + 1;
	size_t n = c->len - namelen - 1;
	bool found;

	if (namelen == 8 && strncasecmp(c->s, "redirect", 8) == 0)
		c->term->kind = SPF_REDIRECT;
	else if (namelen == 3 && strncasecmp(c->s, "exp", 3) == 0)
		c->term->kind = SPF_EXP;
	else {
		/* Ignored, but its value must still be a macro-string. */
		c->term->kind = SPF_UNKNOWN_MODIFIER;
		if (check_macros(value, n, false, &found) == -1)
			return fail(c, "invalid macro in modifier");
		return 0;
	}
	if (n == 0)
		return fail(c, "modifier without a domain");
	return parse_domain_spec(c, value, n, c->term->kind == SPF_EXP);
}

static const struct {
	const char *name;
	enum spf_kind kind;
} mechanisms[] = {
	{ "all", SPF_ALL }, { "include", SPF_INCLUDE }, { "a", SPF_A },
	{ "mx", SPF_MX }, { "ptr", SPF_PTR }, { "ip4", SPF_IP4 },
	{ "ip6", SPF_IP6 }, { "exists", SPF_EXISTS },
};

static const enum spf_qualifier qualifiers[] = {
	['+'] = SPF_QUAL_PASS, ['-'] = SPF_QUAL_FAIL,
	['~'] = SPF_QUAL_SOFTFAIL, ['?'] = SPF_QUAL_NEUTRAL,
};

/* Splits "name[:arg][/cidr]" and hands the pieces on by kind. */
static int
parse_mechanism(struct cursor *c, size_t at)
{
	const char *s = c->s + at, *arg;
	size_t n = c->len - at, namelen = 0, argn;
	enum spf_kind kind;
	size_t m;

	if (at == 1)
		c->term->qualifier = qualifiers[(unsigned char)c->s[0]];
	while (namelen < n && ascii_is_alpha((unsigned char)s[namelen]))
		namelen++;
	while (namelen < n && ascii_is_digit((unsigned char)s[namelen]))
		namelen++;
	for (m = 0; m < sizeof(mechanisms) / sizeof(mechanisms[0]); m++)
		if (strlen(mechanisms[m].name) == namelen &&
		    strncasecmp(s, mechanisms[m].name, namelen) == 0)
			break;
	if (m == sizeof(mechanisms) / sizeof(mechanisms[0]))
		return fail(c, "unknown mechanism");
	kind = c->term->kind = mechanisms[m].kind;
	arg = s + namelen;
	argn = n - namelen;
	switch (kind) {
	case SPF_ALL:
		return argn == 0 ? 0 : fail(c, "all takes no argument");
	case SPF_IP4:
	case SPF_IP6:
		if (argn < 2 || arg[0] != ':')
			return fail(c, "missing network");
		return parse_network(c, arg + 1, argn - 1,
		    kind == SPF_IP4 ? AF_INET : AF_INET6);
	case SPF_INCLUDE:
	case SPF_EXISTS:
		if (argn < 2 || arg[0] != ':')
			return fail(c, "missing domain");
		return parse_domain_spec(c, arg + 1, argn - 1, false);
	case SPF_PTR:
		if (argn == 0)
			return 0;
		if (arg[0] != ':' || argn < 2)
			return fail(c, "invalid argument");
		return parse_domain_spec(c, arg + 1, argn - 1, false);
	default:
		return parse_dual_cidr(c, arg, argn);
	}
}

/* a and mx: [":" domain-spec] [dual-cidr-length].  The domain-spec ends
 * at the first "/" outside a macro's braces (where "/" is a
 * delimiter), as receivers split it. */
static int
parse_dual_cidr(struct cursor *c, const char *s, size_t n)
{
	size_t slash = 0;
	bool braces = false;

	for (; slash < n; slash++) {
		if (s[slash] == '{')
			braces = true;
		else if (s[slash] == '}')
			braces = false;
		else if (s[slash] == '/' && !braces)
			break;
	}
	if (slash > 0) {
		if (s[0] != ':' || slash < 2)
			return fail(c, "invalid argument");
		if (parse_domain_spec(c, s + 1, slash - 1, false) == -1)
			return -1;
	}
	s += slash;
	n -= slash;
	if (n == 0)
		return 0;
	if (n >= 2 && s[1] == '/')
		return parse_prefix(s + 2, n - 2, 128, &c->term->cidr6) == 0 ?
		    0 : fail(c, "invalid IPv6 prefix length");
	for (slash = 1; slash < n && s[slash] != '/'; slash++)
		;
	if (parse_prefix(s + 1, slash - 1, 32, &c->term->cidr4) == -1)
		return fail(c, "invalid IPv4 prefix length");
	if (slash == n)
		return 0;
	if (n - slash < 3 || s[slash + 1] != '/' ||
	    parse_prefix(s + slash + 2, n - slash - 2, 128,
	    &c->term->cidr6) == -1)
		return fail(c, "invalid IPv6 prefix length");
	return 0;
}

/* Decimal without a leading zero (RFC 7208 12), at most max. */
static int
parse_prefix(const char *s, size_t n, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (n == 0 || n > 3 || (s[0] == '0' && n > 1))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!ascii_is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

void
spf_network(const struct addr *a, unsigned prefix, struct cidr *out)
{
	size_t len = addr_length(a);

	out->net = *a;
	out->prefix = prefix;
	for (size_t i = 0; i < len; i++) {
		unsigned keep = prefix >= 8 * (i + 1) ? 8 :
		    prefix > 8 * i ? prefix - 8 * (unsigned)i : 0;

		out->net.bytes[i] &= (uint8_t)(0xff00u >> keep);
	}
}

/* ip4:network[/len] and ip6:network[/len].  Host bits below the prefix
 * are allowed, as receivers match on the prefix alone. */
static int
parse_network(struct cursor *c, const char *s, size_t n, int family)
{
	char text[ADDR_TEXT_MAX];
	size_t alen = 0;
	unsigned max = family == AF_INET ? 32 : 128;
	struct cidr *net = &c->term->net;
	struct addr parsed;

	while (alen < n && s[alen] != '/')
		alen++;
	if (alen == 0 || alen >= sizeof(text))
		return fail(c, "invalid network");
	memcpy(text, s, alen);
	text[alen] = '\0';
	if ((family == AF_INET) == (memchr(text, ':', alen) != NULL) ||
	    addr_parse(text, &net->net) == -1)
		return fail(c, "invalid network");
	net->prefix = max;
	if (alen < n && parse_prefix(s + alen + 1, n - alen - 1, max,
	    &net->prefix) == -1)
		return fail(c, "invalid prefix length");
	if (net->net.family != family) {
		/* ::ffff:a.b.c.d, folded to IPv4 by addr_parse(). */
		if (net->prefix < 96)
			return fail(c, "mapped network shorter than /96");
		net->prefix -= 96;
	}
	parsed = net->net;
	spf_network(&parsed, net->prefix, net);
	return 0;
}

/* A domain-spec: a macro-string ending in a domain (RFC 7208 7.1, 12). */
static int
parse_domain_spec(struct cursor *c, const char *s, size_t n, bool in_exp)
{
	struct spf_term *t = c->term;
	bool found = false;

	if (check_macros(s, n, in_exp, &found) == -1)
		return fail(c, "invalid macro");
	if (found) {
		t->has_macro = true;
		safe_text(t->domain, sizeof(t->domain), s, n,
		    SAFE_TEXT_REASON);
		return 0;
	}
	if (n > 1 && s[n - 1] == '.')
		n--;
	if (n >= sizeof(t->domain) || !dname_is_hostname(s, n,
	    DNAME_HOST_UNDERSCORE | DNAME_HOST_NOT_NUMERIC))
		return fail(c, "invalid domain");
	memcpy(t->domain, s, n);
	t->domain[n] = '\0';
	return 0;
}

static bool
is_macro_letter(unsigned char ch, bool in_exp)
{
	ch = ascii_fold(ch);
	if (strchr("slodiphv", ch) != NULL && ch != '\0')
		return true;
	return in_exp && (ch == 'c' || ch == 'r' || ch == 't');
}

/* Checks "%{" letter *DIGIT ["r"] *delimiter "}", "%%", "%_", "%-";
 * *found says whether any was there. */
static int
check_macros(const char *s, size_t n, bool in_exp, bool *found)
{
	*found = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%')
			continue;
		*found = true;
		if (++i == n)
			return -1;
		if (s[i] == '%' || s[i] == '_' || s[i] == '-')
			continue;
		if (s[i] != '{' || ++i == n ||
		    !is_macro_letter((unsigned char)s[i], in_exp))
			return -1;
		for (i++; i < n && ascii_is_digit((unsigned char)s[i]); i++)
			;
		if (i < n && (s[i] == 'r' || s[i] == 'R'))
			i++;
		while (i < n && s[i] != '}' && strchr(".-+,/_=", s[i]) != NULL)
			i++;
		if (i == n || s[i] != '}')
			return -1;
	}
	return 0;
}

bool
spf_kind_queries_dns(enum spf_kind kind)
{
	return kind == SPF_INCLUDE || kind == SPF_A || kind == SPF_MX ||
	    kind == SPF_PTR || kind == SPF_EXISTS || kind == SPF_REDIRECT;
}

const char *
spf_kind_name(enum spf_kind kind)
{
	static const char *const names[] = {
		[SPF_ALL] = "all", [SPF_INCLUDE] = "include", [SPF_A] = "a",
		[SPF_MX] = "mx", [SPF_PTR] = "ptr", [SPF_IP4] = "ip4",
		[SPF_IP6] = "ip6", [SPF_EXISTS] = "exists",
		[SPF_REDIRECT] = "redirect", [SPF_EXP] = "exp",
		[SPF_UNKNOWN_MODIFIER] = "modifier",
	};

	if ((size_t)kind >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[kind];
}
