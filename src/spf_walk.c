/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_walk.c - a domain's SPF record walked term by term, include: and
 * redirect= followed depth first, as RFC 7208 4.6 evaluates it for a
 * client that matches nothing; see spf_walk.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_fetch.h"
#include "mx_hosts.h"
#include "spf_walk_impl.h"

/* Domains on one include/redirect path: the 10-term limit allows 11;
 * a caller's wider limits stop here as a permerror. */
#define SPF_DEPTH_MAX 24

/* What fetching a domain's record gave. */
enum fetched { GOT_RECORD, GOT_NONE, GOT_ERROR };

struct walk {
	struct resolver *r;
	struct timespec deadline;
	struct spf_limits lim;
	struct spf_walk_result *out;
	char domains[SPF_DEPTH_MAX][SPF_DOMAIN_MAX];	/* the path's */
	size_t depth;
	char path[SPF_PATH_MAX];
	char top[SPF_DOMAIN_MAX];	/* the domain asked for */
	/* No "-", "~" or "?" include on the path: a pass here is a pass
	 * for the domain, so its networks send the domain's mail. */
	bool authorising;
	bool done;		/* a permerror or temperror ended it */
	bool nomem;
};

static enum fetched walk_domain(struct walk *w, const char *domain);
static bool sends(struct walk *w, const struct spf_term *t);
static void eval_term(struct walk *w, const char *domain,
    const struct spf_term *t);
static void follow(struct walk *w, const struct spf_term *t);

/* The first permerror or temperror is the result; the walk ends. */
static void __attribute__((format(printf, 3, 4)))
stop(struct walk *w, enum spf_result result, const char *fmt, ...)
{
	va_list ap;

	if (w->done)
		return;
	w->done = true;
	w->out->result = result;
	va_start(ap, fmt);
	vsnprintf(w->out->reason, sizeof(w->out->reason), fmt, ap);
	va_end(ap);
	if (spf_walk_note(w->out, SPF_NOTE_ERROR, "%s", w->out->reason) == -1)
		w->nomem = true;
}

static void
out_of_memory(struct walk *w)
{
	w->nomem = true;
	w->done = true;
}

/* "path > term: what" into buf: the term in its place, and what of
 * it. */
static void __attribute__((format(printf, 5, 0)))
vplace(const struct walk *w, const struct spf_term *t, char *buf,
    size_t size, const char *fmt, va_list ap)
{
	size_t n;

	snprintf(buf, size, "%s%s%s: ", w->path, w->path[0] ? " > " : "",
	    t->text);
	n = strlen(buf);
	if (n + 1 < size)
		vsnprintf(buf + n, size - n, fmt, ap);
}

static void __attribute__((format(printf, 4, 5)))
note(struct walk *w, enum spf_severity sev, const struct spf_term *t,
    const char *fmt, ...)
{
	char text[SPF_NOTE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vplace(w, t, text, sizeof(text), fmt, ap);
	va_end(ap);
	if (spf_walk_note(w->out, sev, "%s", text) == -1)
		out_of_memory(w);
}

/* stop() with the term's place in front. */
static void __attribute__((format(printf, 4, 5)))
stop_at(struct walk *w, enum spf_result result, const struct spf_term *t,
    const char *fmt, ...)
{
	char text[SPF_NOTE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vplace(w, t, text, sizeof(text), fmt, ap);
	va_end(ap);
	stop(w, result, "%s", text);
}

/* Whether n more queries stay within the bound. */
static bool
budget(struct walk *w, unsigned long long n)
{
	if (w->out->queries + n <= w->lim.queries)
		return true;
	stop(w, SPF_RESULT_TEMPERROR, "more than %u DNS queries",
	    w->lim.queries);
	return false;
}

static bool
failed_temporarily(enum dns_status s)
{
	return s == DNS_TEMPFAIL || s == DNS_TIMEOUT || s == DNS_BOGUS;
}

/* A failed lookup says nothing of the zone's signatures. */
static enum spf_dnssec
state_of(const struct dns_fetch *f)
{
	if (!f->answered || f->status == DNS_TEMPFAIL ||
	    f->status == DNS_TIMEOUT)
		return SPF_DNSSEC_INDETERMINATE;
	if (f->status == DNS_BOGUS || f->dnssec == DNSSEC_BOGUS)
		return SPF_DNSSEC_BOGUS;
	return f->dnssec == DNSSEC_SECURE ? SPF_DNSSEC_SECURE :
	    SPF_DNSSEC_INSECURE;
}

/* Picks and parses the record among the TXT answer's. */
static enum fetched
parse_answer(struct walk *w, const char *domain, const struct dns_fetch *f,
    struct spf_record *rec)
{
	struct spf_txt *txt = calloc(f->count + 1, sizeof(*txt));
	char reason[SPF_REASON_MAX], *text = NULL;
	enum fetched got = GOT_ERROR;
	size_t len;

	if (txt == NULL)
		goto nomem;
	for (size_t i = 0; i < f->count; i++) {
		txt[i].data = f->rr[i].data;
		txt[i].len = f->rr[i].len;
	}
	switch (spf_record_select(txt, f->count, &text, &len)) {
	case SPF_SELECT_NONE:
		got = GOT_NONE;
		goto end;
	case SPF_SELECT_TWO:
		stop(w, SPF_RESULT_PERMERROR, "%s publishes two SPF records",
		    domain);
		goto end;
	case SPF_SELECT_NOMEM:
		goto nomem;
	case SPF_SELECT_ONE:
		break;
	}
	if (spf_walk_add_record(w->out, domain, w->path, state_of(f)) == -1)
		goto nomem;
	if (spf_record_parse(text, len, rec, reason, sizeof(reason)) == 0)
		got = GOT_RECORD;
	else
		stop(w, SPF_RESULT_PERMERROR, "SPF record of %s: %s", domain,
		    reason);
	goto end;
nomem:
	out_of_memory(w);
end:
	free(text);
	free(txt);
	return got;
}

static enum fetched
fetch_record(struct walk *w, const char *domain, struct spf_record *rec)
{
	struct dns_fetch f = { .name = domain, .rrtype = DNS_TYPE_TXT };
	enum fetched got = GOT_ERROR;

	if (!budget(w, 1))
		return GOT_ERROR;
	if (dns_fetch_run(w->r, &f, 1, w->deadline) == -1) {
		out_of_memory(w);
		return GOT_ERROR;
	}
	w->out->queries++;
	if (w->depth == 0)
		w->out->dnssec = state_of(&f);
	if (failed_temporarily(f.status))
		stop(w, SPF_RESULT_TEMPERROR, "TXT lookup of %s: %s%s", domain,
		    dns_status_name(f.status, f.rcode),
		    f.status == DNS_BOGUS ?
		    " (DNSSEC validation failed: not used)" : "");
	else if (f.status != DNS_OK)
		got = GOT_NONE;
	else
		got = parse_answer(w, domain, &f, rec);
	if (got == GOT_RECORD && state_of(&f) != SPF_DNSSEC_SECURE &&
	    spf_walk_note(w->out, SPF_NOTE_INFO, "the SPF record of %s is "
	    "not DNSSEC-signed (%s)", domain,
	    spf_dnssec_name(state_of(&f))) == -1)
		out_of_memory(w);
	dns_fetch_clear(&f, 1);
	return got;
}

static enum fetched
walk_domain(struct walk *w, const char *domain)
{
	struct spf_record rec;
	enum fetched got = fetch_record(w, domain, &rec);

	if (got != GOT_RECORD)
		return got;
	snprintf(w->domains[w->depth++], SPF_DOMAIN_MAX, "%s", domain);
	/* Mechanisms in order; redirect= only after them all (RFC 7208
	 * 6.1), wherever it was written. */
	for (size_t i = 0; i < rec.count && !w->done; i++)
		if (rec.terms[i].kind != SPF_REDIRECT)
			eval_term(w, domain, &rec.terms[i]);
	if (!w->done && rec.redirect != NULL) {
		if (rec.has_all)
			note(w, SPF_NOTE_INFO, rec.redirect,
			    "ignored: the record has an \"all\" mechanism");
		else
			eval_term(w, domain, rec.redirect);
	}
	w->depth--;
	spf_record_free(&rec);
	return GOT_RECORD;
}

static bool
count_dns_term(struct walk *w, const struct spf_term *t)
{
	if (++w->out->dns_terms <= w->lim.dns_terms)
		return true;
	stop_at(w, SPF_RESULT_PERMERROR, t, "too many DNS lookups (more "
	    "than %u)", w->lim.dns_terms);
	return false;
}

static void
void_lookup(struct walk *w, const struct spf_term *t, const char *host)
{
	note(w, SPF_NOTE_WARNING, t, "void lookup: %s has no %s", host,
	    t->kind == SPF_MX ? "MX record" : "address");
	if (++w->out->void_lookups <= w->lim.void_lookups)
		return;
	stop_at(w, SPF_RESULT_PERMERROR, t, "too many void lookups (more "
	    "than %u)", w->lim.void_lookups);
}

static void
eval_a(struct walk *w, const struct spf_term *t, const char *host)
{
	struct dns_fetch f[2] = {
		{ .name = host, .rrtype = DNS_TYPE_A },
		{ .name = host, .rrtype = DNS_TYPE_AAAA },
	};
	struct spf_source *s;

	if (!budget(w, 2))
		return;
	if (dns_fetch_run(w->r, f, 2, w->deadline) == -1) {
		out_of_memory(w);
		return;
	}
	w->out->queries += 2;
	for (size_t k = 0; k < 2; k++)
		if (failed_temporarily(f[k].status))
			stop_at(w, SPF_RESULT_TEMPERROR, t, "%s lookup of %s: "
			    "%s", k == 0 ? "A" : "AAAA", host,
			    dns_status_name(f[k].status, f[k].rcode));
	if (w->done)
		goto end;
	if (f[0].count + f[1].count == 0) {
		void_lookup(w, t, host);
		goto end;
	}
	if (!sends(w, t))
		goto end;
	s = spf_walk_add_source(w->out, t, w->path, host);
	if (s == NULL || dns_fetch_prefixes(&f[0], t->cidr4, t->cidr6,
	    &s->prefixes) == -1 || dns_fetch_prefixes(&f[1], t->cidr4,
	    t->cidr6, &s->prefixes) == -1)
		out_of_memory(w);
end:
	dns_fetch_clear(f, 2);
}

/* The hosts' address lists move into the sources. */
static void
take_mx_hosts(struct walk *w, const struct spf_term *t, struct mx_hosts *m)
{
	for (size_t i = 0; i < m->count && !w->done; i++) {
		struct mx_host *h = &m->hosts[i];
		struct spf_source *s;

		if (h->prefixes.count == 0)
			note(w, SPF_NOTE_WARNING, t, "MX host %s has no "
			    "address", h->name);
		s = spf_walk_add_source(w->out, t, w->path, h->name);
		if (s == NULL) {
			out_of_memory(w);
			return;
		}
		s->prefixes = h->prefixes;
		cidr_list_init(&h->prefixes);
	}
}

static void
eval_mx(struct walk *w, const struct spf_term *t, const char *host)
{
	struct mx_hosts m;

	if (!budget(w, 1 + 2ULL * w->lim.mx_names))
		return;
	if (mx_hosts_lookup(w->r, host, w->lim.mx_names, t->cidr4, t->cidr6,
	    w->deadline, &m) == -1) {
		out_of_memory(w);
		goto end;
	}
	w->out->queries += m.queries;
	switch (m.status) {
	case MX_TEMPERROR:
		stop_at(w, SPF_RESULT_TEMPERROR, t, "%s", m.why);
		break;
	case MX_VOID:
		void_lookup(w, t, host);
		break;
	case MX_NULL:
		note(w, SPF_NOTE_WARNING, t, "%s has a null MX: no host", host);
		break;
	case MX_TOO_MANY:
		stop_at(w, SPF_RESULT_PERMERROR, t, "%s has %zu MX names "
		    "(more than %u)", host, m.count, w->lim.mx_names);
		break;
	case MX_OK:
		if (sends(w, t))
			take_mx_hosts(w, t, &m);
		break;
	}
end:
	mx_hosts_free(&m);
}

static void
eval_term(struct walk *w, const char *domain, const struct spf_term *t)
{
	const char *host = t->domain[0] != '\0' ? t->domain : domain;
	struct spf_source *s;

	if (spf_kind_queries_dns(t->kind) && !count_dns_term(w, t))
		return;
	if (t->has_macro) {
		note(w, SPF_NOTE_WARNING, t, "cannot be expanded: its macros "
		    "need a client and a message");
		return;
	}
	switch (t->kind) {
	case SPF_IP4:
	case SPF_IP6:
		if (!sends(w, t))
			break;
		s = spf_walk_add_source(w->out, t, w->path, "");
		if (s == NULL || cidr_list_add(&s->prefixes, &t->net) == -1)
			out_of_memory(w);
		break;
	case SPF_A:
		eval_a(w, t, host);
		break;
	case SPF_MX:
		eval_mx(w, t, host);
		break;
	case SPF_INCLUDE:
	case SPF_REDIRECT:
		follow(w, t);
		break;
	case SPF_PTR:
		note(w, SPF_NOTE_WARNING, t, "cannot be expanded: ptr matches "
		    "clients by their own PTR names (RFC 7208 5.5: do not "
		    "use)");
		break;
	case SPF_EXISTS:
		note(w, SPF_NOTE_WARNING, t, "cannot be expanded: exists "
		    "tests a name per client, not a list of addresses");
		break;
	default:
		break;
	}
}

/* Only a term a receiver would answer "pass" for names sending
 * networks: "-ip4:" lists addresses that must not send, "~" and "?"
 * ones the domain does not vouch for; inside a "-include:" even "+"
 * means fail.  The term is still evaluated - its lookups count towards
 * the limits as a receiver's do - but its networks are not audited. */
static bool
sends(struct walk *w, const struct spf_term *t)
{
	static const char *const why[] = {
		[SPF_QUAL_FAIL] = "\"-\" (fail): these addresses must not send",
		[SPF_QUAL_SOFTFAIL] = "\"~\" (softfail): not vouched for",
		[SPF_QUAL_NEUTRAL] = "\"?\" (neutral): not vouched for",
	};

	if (!w->authorising) {
		note(w, SPF_NOTE_INFO, t, "not a sending network: inside an "
		    "include that is not \"+\"");
		return false;
	}
	if (t->qualifier != SPF_QUAL_PASS) {
		note(w, SPF_NOTE_INFO, t, "not a sending network: qualifier "
		    "%s", why[t->qualifier]);
		return false;
	}
	return true;
}

static bool
on_path(const struct walk *w, const char *domain)
{
	for (size_t i = 0; i < w->depth; i++)
		if (dname_equal(w->domains[i], domain))
			return true;
	return false;
}

/* include: and redirect=: the named domain's record, walked one level
 * down the path; it must exist (RFC 7208 5.2, 6.1). */
static void
follow(struct walk *w, const struct spf_term *t)
{
	size_t saved = strlen(w->path);
	enum fetched got;
	bool was_authorising;

	if (on_path(w, t->domain)) {
		stop_at(w, SPF_RESULT_PERMERROR, t, "loop: %s is already on "
		    "the path", t->domain);
		return;
	}
	if (w->depth == SPF_DEPTH_MAX) {
		stop_at(w, SPF_RESULT_PERMERROR, t, "nested too deep");
		return;
	}
	/* Cut when too deep for SPF_PATH_MAX: only wider limits get so
	 * far. */
	if (saved < sizeof(w->path))
		snprintf(w->path + saved, sizeof(w->path) - saved, "%s%s",
		    saved > 0 ? " > " : "", t->text);
	was_authorising = w->authorising;
	if (t->kind == SPF_INCLUDE && t->qualifier != SPF_QUAL_PASS)
		w->authorising = false;
	got = walk_domain(w, t->domain);
	w->authorising = was_authorising;
	w->path[saved] = '\0';
	if (got == GOT_NONE)
		stop_at(w, SPF_RESULT_PERMERROR, t, "%s has no SPF record",
		    t->domain);
}

static int
bad_domain(struct spf_walk_result *out, const char *why)
{
	out->result = SPF_RESULT_TEMPERROR;
	snprintf(out->reason, sizeof(out->reason), "%s", why);
	return -1;
}

int
spf_walk(struct resolver *r, const char *domain, struct timespec deadline,
    const struct spf_limits *limits, struct spf_walk_result *out)
{
	size_t len = domain != NULL ? strlen(domain) : 0;
	struct walk *w;
	enum fetched got;

	memset(out, 0, sizeof(*out));
	if (len > 1 && domain[len - 1] == '.')
		len--;
	if (len >= SPF_DOMAIN_MAX || (len > 0 && domain[len - 1] == '.') ||
	    !dname_is_hostname(domain, len,
	    DNAME_HOST_UNDERSCORE))
		return bad_domain(out, "not a host name");
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return bad_domain(out, "out of memory");
	w->r = r;
	w->deadline = deadline;
	w->lim = limits != NULL ? *limits : spf_limits_rfc7208;
	w->out = out;
	memcpy(w->top, domain, len);
	w->authorising = true;
	got = walk_domain(w, w->top);
	if (!w->done)
		out->result = got == GOT_NONE ? SPF_RESULT_NONE : SPF_RESULT_OK;
	if (got == GOT_NONE)
		snprintf(out->reason, sizeof(out->reason), "%.253s publishes "
		    "no SPF record", w->top);
	if (w->nomem) {
		free(w);
		return bad_domain(out, "out of memory");
	}
	free(w);
	return 0;
}
