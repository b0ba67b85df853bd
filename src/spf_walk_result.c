/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_walk_result.c - the SPF walk's result: its lists and their
 * vocabulary; see spf_walk.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf_walk_impl.h"

const struct spf_limits spf_limits_rfc7208 = {
	.dns_terms = 10,
	.void_lookups = 2,
	.mx_names = 10,
	.queries = 256,
};

/* Makes room for one more item of a list, zeroed; NULL when out of
 * memory. */
static void *
grow(void **items, size_t *count, size_t size)
{
	size_t n = *count;
	char *p;

	/* Doubling: grow at counts that are powers of two. */
	if (n == 0 || (n & (n - 1)) == 0) {
		size_t want = n == 0 ? 4 : n * 2;

		p = realloc(*items, want * size);
		if (p == NULL)
			return NULL;
		*items = p;
	}
	p = (char *)*items + n * size;
	memset(p, 0, size);
	*count = n + 1;
	return p;
}

struct spf_source *
spf_walk_add_source(struct spf_walk_result *out, const struct spf_term *t,
    const char *path, const char *host)
{
	struct spf_source *s = grow((void **)&out->sources, &out->nsources,
	    sizeof(*s));

	if (s == NULL)
		return NULL;
	s->kind = t->kind;
	snprintf(s->term, sizeof(s->term), "%s", t->text);
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(s->host, sizeof(s->host), "%s", host);
	cidr_list_init(&s->prefixes);
	return s;
}

int
spf_walk_add_record(struct spf_walk_result *out, const char *domain,
    const char *path, enum spf_dnssec dnssec)
{
	struct spf_fetched *f = grow((void **)&out->records, &out->nrecords,
	    sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->domain, sizeof(f->domain), "%s", domain);
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->dnssec = dnssec;
	return 0;
}

int
spf_walk_note(struct spf_walk_result *out, enum spf_severity severity,
    const char *fmt, ...)
{
	struct spf_note *n = grow((void **)&out->notes, &out->nnotes,
	    sizeof(*n));
	va_list ap;

	if (n == NULL)
		return -1;
	n->severity = severity;
	va_start(ap, fmt);
	vsnprintf(n->text, sizeof(n->text), fmt, ap);
	va_end(ap);
	return 0;
}

void
spf_walk_free(struct spf_walk_result *out)
{
	for (size_t i = 0; i < out->nsources; i++)
		cidr_list_free(&out->sources[i].prefixes);
	free(out->sources);
	free(out->notes);
	free(out->records);
	memset(out, 0, sizeof(*out));
}

const char *
spf_result_name(enum spf_result r)
{
	switch (r) {
	case SPF_RESULT_NONE:
		return "none";
	case SPF_RESULT_OK:
		return "ok";
	case SPF_RESULT_PERMERROR:
		return "permerror";
	case SPF_RESULT_TEMPERROR:
		return "temperror";
	}
	return "?";
}

const char *
spf_dnssec_name(enum spf_dnssec d)
{
	switch (d) {
	case SPF_DNSSEC_INDETERMINATE:
		return "indeterminate";
	case SPF_DNSSEC_SECURE:
		return "secure";
	case SPF_DNSSEC_INSECURE:
		return "insecure";
	case SPF_DNSSEC_BOGUS:
		return "bogus";
	}
	return "?";
}

const char *
spf_severity_name(enum spf_severity s)
{
	switch (s) {
	case SPF_NOTE_INFO:
		return "info";
	case SPF_NOTE_WARNING:
		return "warning";
	case SPF_NOTE_ERROR:
		return "error";
	}
	return "?";
}
