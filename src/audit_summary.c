/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit_summary.c - counting judged addresses, keeping the worst fixes in
 * a bounded array sorted as they come, and writing the summary as text or
 * as one JSON object.  See audit_summary.h.
 */
#include "config.h"

#include <string.h>

#include "audit_summary.h"
#include "ptrcheck_report.h"

/* Tags naming each problem, in the order of enum audit_problem. */
static const struct {
	const char *name;
	const char *text;
	tag_set tags;
} problems[] = {
	{ "no_ptr", "no PTR", TAG_BIT(TAG_NO_PTR) },
	{ "ptr_not_confirmed", "PTR not forward-confirmed",
	    TAG_BIT(TAG_PTR_NOT_CONFIRMED) },
	{ "dnssec_bogus", "DNSSEC validation fails (bogus)",
	    TAG_BIT(TAG_DNSSEC_BOGUS) },
	{ "dns_temperror", "DNS lookups fail temporarily",
	    TAG_BIT(TAG_DNS_TEMPERROR) },
	{ "ptr_generic", "generic PTR (a provider's default name)",
	    TAG_BIT(TAG_PTR_GENERIC) },
	{ "helo_mismatch", "HELO does not match the PTR or the address",
	    TAG_BIT(TAG_HELO_PTR_MISMATCH) |
	    TAG_BIT(TAG_HELO_FORWARD_MISMATCH) |
	    TAG_BIT(TAG_HELO_NO_FORWARD) |
	    TAG_BIT(TAG_HELO_LITERAL_MISMATCH) },
	{ "helo_name", "HELO is not a proper host name",
	    TAG_BIT(TAG_HELO_INVALID) | TAG_BIT(TAG_HELO_NOT_FQDN) |
	    TAG_BIT(TAG_HELO_BARE_IP) | TAG_BIT(TAG_HELO_GENERIC) },
};

static const char *const action_keys[] = { "accept", "tempfail", "reject" };
static const char *const iprev_keys[] = {
	"pass", "fail", "permerror", "temperror"
};

static void keep_fix(struct audit_summary *s, const struct audit_fix *f);
static void put_fix_text(FILE *out, const struct audit_fix *f);
static void put_fix_json(FILE *out, const struct audit_fix *f);
static void put_counts_json(FILE *out, const char *key,
    const char *const *names, const unsigned long *counts, size_t n);

enum audit_problem
audit_problem_of(tag_set tags)
{
	for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++)
		if (tags & problems[i].tags)
			return (enum audit_problem)i;
	return AUDIT_PROBLEM_NONE;
}

const char *
audit_problem_text(enum audit_problem p)
{
	return p < AUDIT_PROBLEM_NONE ? problems[p].text : "";
}

const char *
audit_problem_name(enum audit_problem p)
{
	return p < AUDIT_PROBLEM_NONE ? problems[p].name : "none";
}

void
audit_summary_init(struct audit_summary *s)
{
	memset(s, 0, sizeof(*s));
}

/* Inserted after every fix as bad as it (they came first), the least
 * bad one pushed out when the array is full. */
static void
keep_fix(struct audit_summary *s, const struct audit_fix *f)
{
	size_t at = s->nfixes;

	while (at > 0 && s->fixes[at - 1].problem > f->problem)
		at--;
	if (at == AUDIT_FIXES_MAX) {
		s->fixes_more++;
		return;
	}
	if (s->nfixes == AUDIT_FIXES_MAX) {
		s->fixes_more++;
		s->nfixes--;
	}
	memmove(&s->fixes[at + 1], &s->fixes[at],
	    (s->nfixes - at) * sizeof(s->fixes[0]));
	s->fixes[at] = *f;
	s->nfixes++;
}

void
audit_summary_add(struct audit_summary *s, const struct audit_outcome *o,
    const struct provider_hint *h)
{
	struct audit_fix f;

	s->checked++;
	s->iprev[o->iprev]++;
	s->action[o->action]++;
	if (o->tags & TAG_BIT(TAG_PTR_GENERIC))
		s->generic++;
	if (o->action != VERDICT_ACCEPT && !o->enforced)
		s->not_enforced++;
	memset(&f, 0, sizeof(f));
	f.problem = audit_problem_of(o->tags);
	if (f.problem == AUDIT_PROBLEM_NONE)
		return;
	f.outcome = *o;
	if (h != NULL && h->show && h->id != NULL) {
		if (strcmp(h->name, h->id) == 0)
			snprintf(f.provider, sizeof(f.provider), "%s", h->id);
		else
			snprintf(f.provider, sizeof(f.provider), "%s (%s)",
			    h->name, h->id);
		f.hint = h->text;
	}
	keep_fix(s, &f);
}

/* "  198.51.100.21  no PTR  [prefix 198.51.100.16/28]" and the
 * provider's hint on the next line. */
static void
put_fix_text(FILE *out, const struct audit_fix *f)
{
	char ip[ADDR_TEXT_MAX], source[AUDIT_SOURCE_TEXT_MAX];

	if (addr_format(&f->outcome.addr, ip, sizeof(ip)) == -1)
		snprintf(ip, sizeof(ip), "?");
	fprintf(out, "  %s  %s  [%s]\n", ip, audit_problem_text(f->problem),
	    audit_source_format(&f->outcome.source, source, sizeof(source)));
	if (f->provider[0] == '\0')
		return;
	fputs("      provider: ", out);
	report_printable(out, f->provider);
	if (f->hint != NULL) {
		fputs(": reverse DNS: ", out);
		report_printable(out, f->hint);
	}
	fputc('\n', out);
}

void
audit_summary_text(FILE *out, const struct audit_summary *s)
{
	fprintf(out, "\nsummary: %lu address%s checked", s->checked,
	    s->checked == 1 ? "" : "es");
	if (s->listed != s->checked)
		fprintf(out, " (%lu listed)", s->listed);
	fprintf(out, "\n  iprev:    %lu pass, %lu fail, %lu permerror, "
	    "%lu temperror\n", s->iprev[IPREV_PASS], s->iprev[IPREV_FAIL],
	    s->iprev[IPREV_PERMERROR], s->iprev[IPREV_TEMPERROR]);
	fprintf(out, "  generic:  %lu\n", s->generic);
	fprintf(out, "  policy:   %lu accepted, %lu deferred (tempfail), "
	    "%lu rejected%s\n", s->action[VERDICT_ACCEPT],
	    s->action[VERDICT_TEMPFAIL], s->action[VERDICT_REJECT],
	    s->not_enforced > 0 ? " (mode=dry-run: not enforced)" : "");
	if (s->not_enumerated > 0)
		fprintf(out, "  not checked: %lu prefix%s (see %s note)\n",
		    s->not_enumerated, s->not_enumerated == 1 ? "" : "es",
		    s->not_enumerated == 1 ? "its" : "their");
	if (s->not_judged > 0)
		fprintf(out, "  not judged: %lu address%s past --max-total\n",
		    s->not_judged, s->not_judged == 1 ? "" : "es");
	if (s->malformed > 0)
		fprintf(out, "  malformed: %lu input line%s\n", s->malformed,
		    s->malformed == 1 ? "" : "s");
	if (s->nfixes == 0) {
		fprintf(out, "fixes to make: none\n");
		return;
	}
	fprintf(out, "fixes to make, worst first:\n");
	for (size_t i = 0; i < s->nfixes; i++)
		put_fix_text(out, &s->fixes[i]);
	if (s->fixes_more > 0)
		fprintf(out, "  and %lu more\n", s->fixes_more);
	fprintf(out, "  rule: %s\n", REPORT_HINT_RULE);
}

static void
put_fix_json(FILE *out, const struct audit_fix *f)
{
	char ip[ADDR_TEXT_MAX], source[AUDIT_SOURCE_TEXT_MAX];

	if (addr_format(&f->outcome.addr, ip, sizeof(ip)) == -1)
		snprintf(ip, sizeof(ip), "?");
	fprintf(out, "{\"ip\":\"%s\",\"source\":", ip);
	report_json_string(out, audit_source_format(&f->outcome.source,
	    source, sizeof(source)));
	fprintf(out, ",\"problem\":\"%s\",\"text\":\"%s\"",
	    audit_problem_name(f->problem), audit_problem_text(f->problem));
	if (f->provider[0] != '\0') {
		fputs(",\"provider\":", out);
		report_json_string(out, f->provider);
		fputs(",\"hint\":", out);
		if (f->hint != NULL)
			report_json_string(out, f->hint);
		else
			fputs("null", out);
	}
	fputc('}', out);
}

/* ,"KEY":{"name":count,...} */
static void
put_counts_json(FILE *out, const char *key, const char *const *names,
    const unsigned long *counts, size_t n)
{
	fprintf(out, ",\"%s\":{", key);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s\"%s\":%lu", i > 0 ? "," : "", names[i],
		    counts[i]);
	fputc('}', out);
}

void
audit_summary_json(FILE *out, const struct audit_summary *s)
{
	fprintf(out, "{\"summary\":{\"checked\":%lu,\"listed\":%lu",
	    s->checked, s->listed);
	put_counts_json(out, "iprev", iprev_keys, s->iprev,
	    sizeof(iprev_keys) / sizeof(iprev_keys[0]));
	fprintf(out, ",\"generic\":%lu", s->generic);
	put_counts_json(out, "action", action_keys, s->action,
	    sizeof(action_keys) / sizeof(action_keys[0]));
	fprintf(out, ",\"not_enforced\":%lu,\"not_enumerated\":%lu,"
	    "\"not_judged\":%lu,\"malformed\":%lu,\"fixes\":[",
	    s->not_enforced, s->not_enumerated, s->not_judged, s->malformed);
	for (size_t i = 0; i < s->nfixes; i++) {
		fputs(i > 0 ? "," : "", out);
		put_fix_json(out, &s->fixes[i]);
	}
	fprintf(out, "],\"fixes_more\":%lu}}\n", s->fixes_more);
}
