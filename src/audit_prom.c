/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit_prom.c - the Prometheus textfile of ptrcheck --format prom: label
 * escaping, the kept outcomes, and each family written whole.  See
 * audit_prom.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "audit_prom.h"
#include "ptrcheck_report.h"
#include "safe_text.h"

/* Room for a source label escaped: each byte may double. */
#define LABEL_MAX (AUDIT_SOURCE_TEXT_MAX * 2)

static const char *const iprev_values[] = {
	"pass", "fail", "permerror", "temperror"
};
static const char *const action_values[] = { "accept", "tempfail", "reject" };

static void put_family(FILE *out, const char *name, const char *help);
static void put_labels(FILE *out, const struct audit_outcome *o);
static void put_per_value(FILE *out, const struct audit_outcomes *list,
    const char *name, const char *label, const char *const *values,
    size_t nvalues, bool by_action);
static void put_per_address(FILE *out, const struct audit_outcomes *list);
static void put_totals(FILE *out, const struct audit_summary *s,
    double now);

int
audit_prom_escape(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	if (size == 0)
		return -1;
	for (; *src != '\0'; src++) {
		const char *esc = *src == '\\' ? "\\\\" : *src == '"' ?
		    "\\\"" : *src == '\n' ? "\\n" : NULL;
		size_t len = esc != NULL ? 2 : 1;

		if (n + len >= size) {
			dst[n] = '\0';
			return -1;
		}
		if (esc != NULL)
			memcpy(dst + n, esc, 2);
		else
			dst[n] = *src;
		n += len;
	}
	dst[n] = '\0';
	return 0;
}

void
audit_outcomes_init(struct audit_outcomes *list)
{
	memset(list, 0, sizeof(*list));
}

int
audit_outcomes_add(struct audit_outcomes *list, const struct audit_outcome *o)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity == 0 ? 64 :
		    list->capacity * 2;
		struct audit_outcome *items = reallocarray(list->items,
		    capacity, sizeof(*items));

		if (items == NULL)
			return -1;
		list->items = items;
		list->capacity = capacity;
	}
	list->items[list->count++] = *o;
	return 0;
}

void
audit_outcomes_free(struct audit_outcomes *list)
{
	free(list->items);
	audit_outcomes_init(list);
}

static void
put_family(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* address="198.51.100.20",source="prefix 198.51.100.16/28": the source
 * made printable by audit_source_format(), then escaped. */
static void
put_labels(FILE *out, const struct audit_outcome *o)
{
	char ip[ADDR_TEXT_MAX], source[AUDIT_SOURCE_TEXT_MAX];
	char label[LABEL_MAX];

	if (addr_format(&o->addr, ip, sizeof(ip)) == -1)
		snprintf(ip, sizeof(ip), "?");
	(void)audit_source_format(&o->source, source, sizeof(source));
	(void)audit_prom_escape(label, sizeof(label), source);
	fprintf(out, "address=\"%s\",source=\"%s\"", ip, label);
}

/* One series per address and value, 1 for the address's own. */
static void
put_per_value(FILE *out, const struct audit_outcomes *list,
    const char *name, const char *label, const char *const *values,
    size_t nvalues, bool by_action)
{
	for (size_t i = 0; i < list->count; i++) {
		const struct audit_outcome *o = &list->items[i];
		size_t own = by_action ? (size_t)o->action : (size_t)o->iprev;

		for (size_t v = 0; v < nvalues; v++) {
			fprintf(out, "%s{", name);
			put_labels(out, o);
			fprintf(out, ",%s=\"%s\"} %d\n", label, values[v],
			    v == own);
		}
	}
}

static void
put_per_address(FILE *out, const struct audit_outcomes *list)
{
	char score[REPORT_NUMBER_MAX];

	put_family(out, "ptrcheck_iprev", "iprev result of the address "
	    "(RFC 8601): 1 for the result found");
	put_per_value(out, list, "ptrcheck_iprev", "result", iprev_values,
	    sizeof(iprev_values) / sizeof(iprev_values[0]), false);
	put_family(out, "ptrcheck_dnssec_secure", "1 if the reverse and "
	    "forward lookups validated with DNSSEC");
	for (size_t i = 0; i < list->count; i++) {
		fputs("ptrcheck_dnssec_secure{", out);
		put_labels(out, &list->items[i]);
		fprintf(out, "} %d\n", list->items[i].dnssec == DNSSEC_SECURE);
	}
	put_family(out, "ptrcheck_score", "score of the address under the "
	    "policy in force");
	for (size_t i = 0; i < list->count; i++) {
		report_format_number(list->items[i].score, true, score,
		    sizeof(score));
		fputs("ptrcheck_score{", out);
		put_labels(out, &list->items[i]);
		fprintf(out, "} %s\n", score);
	}
	put_family(out, "ptrcheck_generic", "1 if the PTR name is a "
	    "provider's generic name");
	for (size_t i = 0; i < list->count; i++) {
		fputs("ptrcheck_generic{", out);
		put_labels(out, &list->items[i]);
		fprintf(out, "} %d\n",
		    (list->items[i].tags & TAG_BIT(TAG_PTR_GENERIC)) != 0);
	}
	put_family(out, "ptrcheck_action", "what the policy in force would "
	    "do with the address: 1 for its action");
	put_per_value(out, list, "ptrcheck_action", "action", action_values,
	    sizeof(action_values) / sizeof(action_values[0]), true);
}

static void
put_totals(FILE *out, const struct audit_summary *s, double now)
{
	put_family(out, "ptrcheck_addresses", "addresses checked");
	fprintf(out, "ptrcheck_addresses %lu\n", s->checked);
	put_family(out, "ptrcheck_addresses_iprev", "addresses checked by "
	    "iprev result");
	for (size_t v = 0; v < sizeof(iprev_values) / sizeof(iprev_values[0]);
	    v++)
		fprintf(out, "ptrcheck_addresses_iprev{result=\"%s\"} %lu\n",
		    iprev_values[v], s->iprev[v]);
	put_family(out, "ptrcheck_fixes", "addresses that need a fix");
	fprintf(out, "ptrcheck_fixes %lu\n", s->nfixes + s->fixes_more);
	put_family(out, "ptrcheck_prefixes_not_enumerated", "prefixes listed "
	    "but not checked: IPv6, or wider than --max-addresses");
	fprintf(out, "ptrcheck_prefixes_not_enumerated %lu\n",
	    s->not_enumerated);
	put_family(out, "ptrcheck_checks_timestamp_seconds", "when the "
	    "checks ran, in seconds since the epoch");
	fprintf(out, "ptrcheck_checks_timestamp_seconds %.3f\n", now);
}

void
audit_prom_write(FILE *out, const struct audit_outcomes *list,
    const struct audit_summary *s, double now)
{
	put_per_address(out, list);
	put_totals(out, s, now);
}
