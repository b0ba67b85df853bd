/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * allow_list.c - allow-lists: parsing inline and file: entries, the sorted
 * set, lookups, comparison and the dump; see allow_list.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allow_list.h"
#include "ascii.h"
#include "dname.h"
#include "regdom.h"
#include "safe_text.h"
#include "text.h"

/* Building a list: what allow_file_read() hands entries back to. */
struct builder {
	struct allow_list *l;
	enum allow_kind kind;
	size_t capacity;
	unsigned origin;
};

static int add_entry(struct builder *b, const char *text, unsigned line,
    const char **why);
static int add_from_file(void *arg, const char *entry, unsigned line,
    const char **why);
static enum policy_value_result report_refused(
    const struct allow_context *ctx, const char *entry, const char *why);
static int add_written(struct allow_list *l, const char *s, size_t n);
static enum policy_value_result add_token(struct builder *b, const char *s,
    size_t n, const struct allow_context *ctx);
static int domain_normalize(const char *text, char *out, size_t size);
static int cmp_written_first(const struct allow_entry *x,
    const struct allow_entry *y);
static int cmp_network(const void *a, const void *b);
static int cmp_domain(const void *a, const void *b);
static int cmp_name_only(const void *a, const void *b);
static void sort_and_index(struct allow_list *l, enum allow_kind kind);
static int make_runs(struct allow_list *l);
static void mask(struct addr *a, unsigned prefix);
static const struct allow_entry *find_network(const struct allow_list *l,
    const struct allow_run *r, const struct addr *a);

static const char *const expected_of[] = {
	[ALLOW_NETWORKS] = "a network (192.0.2.0/24, 2001:db8::/32, no host "
	    "bits set) or an address",
	[ALLOW_DOMAINS] = "a domain name (example.com)",
};

/* Why a host name is no domain to exempt. */
static const char public_suffix_why[] = "a public suffix (Public Suffix "
    "List): anyone may register a domain under it and give their hosts "
    "forward-confirmed names there; name the domain itself "
    "(example.co.uk)";

void
allow_list_init(struct allow_list *l)
{
	memset(l, 0, sizeof(*l));
}

int
allow_list_none(struct allow_list *l)
{
	allow_list_init(l);
	l->written = calloc(1, sizeof(*l->written));
	return l->written != NULL ? 0 : -1;
}

/* Lower case, no leading dot, no trailing dot, a host name. */
static int
domain_normalize(const char *text, char *out, size_t size)
{
	size_t n = strlen(text);

	if (text[0] == '.') {
		text++;
		n--;
	}
	if (n > 0 && text[n - 1] == '.')
		n--;
	/* dname_is_hostname() would take one more trailing dot. */
	if (n == 0 || n >= size || text[n - 1] == '.' ||
	    !dname_is_hostname(text, n, DNAME_HOST_UNDERSCORE))
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)ascii_fold((unsigned char)text[i]);
	out[n] = '\0';
	return 0;
}

/* Adds one network or domain; -1 when text is none (*why saying more
 * than what is expected, or NULL), -2 out of memory. */
static int
add_entry(struct builder *b, const char *text, unsigned line,
    const char **why)
{
	char name[DNAME_HOSTNAME_MAX + 1];
	struct allow_list *l = b->l;
	struct allow_entry e = { .origin = b->origin, .line = line };

	*why = NULL;
	if (b->kind == ALLOW_NETWORKS) {
		if (cidr_parse(text, &e.net) != 0)
			return -1;
	} else {
		if (domain_normalize(text, name, sizeof(name)) != 0)
			return -1;
		/* "com" would exempt whoever sets up a name under it. */
		if (regdom_is_public_suffix(name)) {
			*why = public_suffix_why;
			return -1;
		}
		e.name = strdup(name);
		if (e.name == NULL)
			return -2;
	}
	if (l->count == b->capacity) {
		size_t cap = b->capacity == 0 ? 16 : b->capacity * 2;
		struct allow_entry *grown;

		grown = cap > SIZE_MAX / sizeof(*grown) ? NULL :
		    realloc(l->entries, cap * sizeof(*grown));
		if (grown == NULL) {
			free(e.name);
			return -2;
		}
		l->entries = grown;
		b->capacity = cap;
	}
	l->entries[l->count++] = e;
	return 0;
}

static int
add_from_file(void *arg, const char *entry, unsigned line, const char **why)
{
	return add_entry(arg, entry, line, why);
}

/* An inline entry refused for a reason of its own, at the value's line. */
static enum policy_value_result
report_refused(const struct allow_context *ctx, const char *entry,
    const char *why)
{
	char shown[POLICY_VALUE_SHOWN_MAX], msg[POLICY_VALUE_SHOWN_MAX + 512];

	(void)safe_text(shown, sizeof(shown), entry, SAFE_TEXT_ALL,
	    SAFE_TEXT_CONFIG);
	(void)snprintf(msg, sizeof(msg), "bad entry '%s' in %s: %s", shown,
	    ctx->key != NULL ? ctx->key : "the list", why);
	ctx->report(ctx->arg, ctx->file, ctx->line, msg);
	return POLICY_VALUE_REPORTED;
}

/* Appends n bytes of s to written[]. */
static int
add_written(struct allow_list *l, const char *s, size_t n)
{
	size_t count = 0;
	char **grown;

	while (l->written != NULL && l->written[count] != NULL)
		count++;
	grown = realloc(l->written, (count + 2) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	l->written = grown;
	grown[count + 1] = NULL;
	grown[count] = strndup(s, n);
	return grown[count] != NULL ? 0 : -1;
}

/* One entry of the value: n bytes at s. */
static enum policy_value_result
add_token(struct builder *b, const char *s, size_t n,
    const struct allow_context *ctx)
{
	size_t fp = strlen(ALLOW_FILE_PREFIX);
	char text[DNAME_HOSTNAME_MAX + 3], *path;
	struct allow_list *l = b->l;
	const char *why;
	int r;

	if (n > fp && strncmp(s, ALLOW_FILE_PREFIX, fp) == 0) {
		if (ctx == NULL || s[fp] != '/' || add_written(l, s, n) != 0)
			return ctx == NULL || s[fp] != '/' ? POLICY_VALUE_BAD :
			    POLICY_VALUE_NOMEM;
		path = l->written[b->origin] + fp;
		r = allow_file_read(path, ctx, expected_of[b->kind],
		    add_from_file, b);
		return r == 0 ? POLICY_VALUE_OK : POLICY_VALUE_REPORTED;
	}
	if (n >= sizeof(text))
		return POLICY_VALUE_BAD;
	memcpy(text, s, n);
	text[n] = '\0';
	r = add_entry(b, text, 0, &why);
	if (r == -1 && why != NULL && ctx != NULL)
		return report_refused(ctx, text, why);
	if (r != 0)
		return r == -1 ? POLICY_VALUE_BAD : POLICY_VALUE_NOMEM;
	/* As the dump writes it: canonical, so that it parses back equal. */
	if (b->kind == ALLOW_NETWORKS)
		(void)cidr_format(&l->entries[l->count - 1].net, text,
		    sizeof(text));
	else
		memcpy(text, l->entries[l->count - 1].name,
		    strlen(l->entries[l->count - 1].name) + 1);
	return add_written(l, text, strlen(text)) == 0 ? POLICY_VALUE_OK :
	    POLICY_VALUE_NOMEM;
}

enum policy_value_result
allow_list_parse(struct allow_list *l, enum allow_kind kind, const char *text,
    const struct allow_context *ctx, const char **bad)
{
	struct builder b = { .l = l, .kind = kind };
	enum policy_value_result r, worst = POLICY_VALUE_OK;
	const char *s;
	size_t n;

	*bad = NULL;
	if (allow_list_none(l) != 0)
		return POLICY_VALUE_NOMEM;
	for (s = text + strspn(text, POLICY_VALUE_SEPARATORS); *s != '\0';
	    s += n, s += strspn(s, POLICY_VALUE_SEPARATORS), b.origin++) {
		n = strcspn(s, POLICY_VALUE_SEPARATORS);
		r = add_token(&b, s, n, ctx);
		if (r == POLICY_VALUE_BAD || r == POLICY_VALUE_NOMEM) {
			*bad = r == POLICY_VALUE_BAD ? s : NULL;
			return r;
		}
		if (r == POLICY_VALUE_REPORTED)
			worst = r;	/* the other files are still read */
	}
	if (b.origin == 0)
		return POLICY_VALUE_BAD;
	if (worst != POLICY_VALUE_OK)
		return worst;
	sort_and_index(l, kind);
	if (kind == ALLOW_NETWORKS && make_runs(l) != 0)
		return POLICY_VALUE_NOMEM;
	return POLICY_VALUE_OK;
}

/* Of two equal entries, the one written first sorts first, so that it is
 * the one kept and named. */
static int
cmp_written_first(const struct allow_entry *x, const struct allow_entry *y)
{
	if (x->origin != y->origin)
		return x->origin < y->origin ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Family, then longest prefix first, then address; among equal networks
 * the one written first. */
static int
cmp_network(const void *a, const void *b)
{
	const struct allow_entry *x = a, *y = b;
	int c;

	if (x->net.net.family != y->net.net.family)
		return x->net.net.family < y->net.net.family ? -1 : 1;
	if (x->net.prefix != y->net.prefix)
		return x->net.prefix > y->net.prefix ? -1 : 1;
	c = memcmp(x->net.net.bytes, y->net.net.bytes, sizeof(x->net.net.bytes));
	return c != 0 ? c : cmp_written_first(x, y);
}

static int
cmp_name_only(const void *a, const void *b)
{
	const struct allow_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int
cmp_domain(const void *a, const void *b)
{
	const struct allow_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : cmp_written_first(x, y);
}

/* Sorts, then keeps the first of equal entries. */
static void
sort_and_index(struct allow_list *l, enum allow_kind kind)
{
	int (*cmp)(const void *, const void *) = kind == ALLOW_NETWORKS ?
	    cmp_network : cmp_domain;
	struct allow_entry *e = l->entries;
	size_t kept = 0;

	if (l->count == 0)
		return;
	qsort(e, l->count, sizeof(*e), cmp);
	for (size_t i = 0; i < l->count; i++) {
		bool same = kept > 0 && (kind == ALLOW_NETWORKS ?
		    e[kept - 1].net.prefix == e[i].net.prefix &&
		    addr_equal(&e[kept - 1].net.net, &e[i].net.net) :
		    strcmp(e[kept - 1].name, e[i].name) == 0);

		if (same) {
			free(e[i].name);
			continue;
		}
		e[kept++] = e[i];
	}
	l->count = kept;
}

static int
make_runs(struct allow_list *l)
{
	const struct allow_entry *e = l->entries;
	size_t i, n = 0;

	for (i = 0; i < l->count; i++)
		if (i == 0 || e[i - 1].net.prefix != e[i].net.prefix ||
		    e[i - 1].net.net.family != e[i].net.net.family)
			n++;
	if (n == 0)
		return 0;
	l->runs = calloc(n, sizeof(*l->runs));
	if (l->runs == NULL)
		return -1;
	for (i = 0; i < l->count; i++) {
		struct allow_run *r = l->nruns > 0 ? &l->runs[l->nruns - 1] :
		    NULL;

		if (r == NULL || r->family != e[i].net.net.family ||
		    r->prefix != e[i].net.prefix) {
			r = &l->runs[l->nruns++];
			r->family = e[i].net.net.family;
			r->prefix = e[i].net.prefix;
			r->start = i;
		}
		r->end = i + 1;
	}
	return 0;
}

/* Clears the bits of a below prefix. */
static void
mask(struct addr *a, unsigned prefix)
{
	size_t len = addr_length(a);

	for (size_t i = 0; i < len; i++) {
		unsigned bits = prefix > i * 8 ? prefix - (unsigned)i * 8 : 0;

		if (bits < 8)
			a->bytes[i] &= (uint8_t)(0xff00u >> bits);
	}
}

static const struct allow_entry *
find_network(const struct allow_list *l, const struct allow_run *r,
    const struct addr *a)
{
	size_t lo = r->start, hi = r->end;
	struct addr key = *a;

	/* The entries' unused bytes are zero (cidr_parse()); the key's too. */
	memset(key.bytes + addr_length(&key), 0,
	    sizeof(key.bytes) - addr_length(&key));
	mask(&key, r->prefix);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(l->entries[mid].net.net.bytes, key.bytes,
		    sizeof(key.bytes));

		if (c == 0)
			return &l->entries[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct allow_entry *
allow_list_network(const struct allow_list *l, const struct addr *a)
{
	const struct allow_entry *e;

	for (size_t i = 0; i < l->nruns; i++) {
		if (l->runs[i].family != a->family)
			continue;
		e = find_network(l, &l->runs[i], a);
		if (e != NULL)
			return e;
	}
	return NULL;
}

const struct allow_entry *
allow_list_domain(const struct allow_list *l, const char *name)
{
	char lower[DNAME_HOSTNAME_MAX + 1];
	struct allow_entry key = { .name = lower };
	const struct allow_entry *e;

	if (name == NULL || l->count == 0 ||
	    domain_normalize(name, lower, sizeof(lower)) != 0 ||
	    name[0] == '.')
		return NULL;
	/* The whole name, then each parent: the longest entry first. */
	for (char *p = lower; p != NULL; p = strchr(p, '.'), p = p ? p + 1 :
	    NULL) {
		key.name = p;
		e = bsearch(&key, l->entries, l->count, sizeof(*e),
		    cmp_name_only);
		if (e != NULL)
			return e;
	}
	return NULL;
}

const char *
allow_list_file_of(const struct allow_list *l, const struct allow_entry *e)
{
	if (e->line == 0)
		return NULL;
	return l->written[e->origin] + strlen(ALLOW_FILE_PREFIX);
}

int
allow_entry_format(const struct allow_entry *e, enum allow_kind kind,
    char *buf, size_t size)
{
	size_t pos = 0;

	if (kind == ALLOW_NETWORKS)
		return cidr_format(&e->net, buf, size);
	if (size > 0)
		buf[0] = '\0';
	return text_append(buf, size, &pos, e->name);
}

bool
allow_list_equal(const struct allow_list *a, const struct allow_list *b,
    enum allow_kind kind)
{
	size_t i;

	for (i = 0; a->written[i] != NULL && b->written[i] != NULL; i++)
		if (strcmp(a->written[i], b->written[i]) != 0)
			return false;
	if (a->written[i] != NULL || b->written[i] != NULL ||
	    a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++) {
		const struct allow_entry *x = &a->entries[i],
		    *y = &b->entries[i];

		if (kind == ALLOW_NETWORKS ? x->net.prefix != y->net.prefix ||
		    !addr_equal(&x->net.net, &y->net.net) :
		    strcmp(x->name, y->name) != 0)
			return false;
	}
	return true;
}

void
allow_list_print(const struct allow_list *l, FILE *out)
{
	if (l->written == NULL || l->written[0] == NULL)
		fputs("none", out);
	for (size_t i = 0; l->written != NULL && l->written[i] != NULL; i++)
		fprintf(out, "%s%s", i > 0 ? " " : "", l->written[i]);
}

void
allow_list_free(struct allow_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->entries[i].name);
	for (size_t i = 0; l->written != NULL && l->written[i] != NULL; i++)
		free(l->written[i]);
	free(l->written);
	free(l->entries);
	free(l->runs);
	allow_list_init(l);
}
