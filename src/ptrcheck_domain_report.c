/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptrcheck_domain_report.c - the first part of a ptrcheck --domain report:
 * what a receiver makes of the SPF record before it looks at any address
 * (its result and the cause of a permerror or temperror, DNSSEC, the
 * RFC 7208 counts, every note), the networks it names with how many of
 * their addresses are checked, and the MX hosts; as text, as one JSON
 * object, or as Prometheus series.  See ptrcheck_domain.h.
 */
#include "config.h"

#include <string.h>

#include "audit_prom.h"
#include "ptrcheck_domain.h"
#include "ptrcheck_report.h"

static const char *const spf_results[] = {
	"none", "ok", "permerror", "temperror"
};
static const char *const severities[] = { "info", "warning", "error" };

static const char *mx_status_name(enum mx_status s);
static void text_networks(FILE *out, const struct domain_audit *d);
static void text_mx(FILE *out, const struct domain_audit *d);
static void json_networks(FILE *out, const struct domain_audit *d);
static void json_mx(FILE *out, const struct domain_audit *d);
static void prom_family(FILE *out, const char *name, const char *help,
    const char *domain, const char *label, unsigned long value);

static const char *
mx_status_name(enum mx_status s)
{
	switch (s) {
	case MX_OK:
		return "ok";
	case MX_VOID:
		return "none";
	case MX_NULL:
		return "null";
	case MX_TOO_MANY:
		return "too_many";
	case MX_TEMPERROR:
		return "temperror";
	}
	return "?";
}

/* "  ip4:198.51.100.144/28  198.51.100.144/28  16 addresses checked" */
static void
text_networks(FILE *out, const struct domain_audit *d)
{
	char net[CIDR_TEXT_MAX];

	if (d->nnetworks == 0)
		return;
	fputs("sending networks:\n", out);
	for (size_t i = 0; i < d->nnetworks; i++) {
		const struct domain_network *n = &d->networks[i];
		unsigned long k = domain_network_checked(&n->net,
		    d->max_addresses);

		if (cidr_format(&n->net, net, sizeof(net)) == -1)
			snprintf(net, sizeof(net), "?");
		fprintf(out, "  %s %s  ", n->source.kind ==
		    AUDIT_SOURCE_MX ? "mx " : "spf", net);
		report_printable(out, n->source.text);
		if (k > 0 && n->judged == k)
			fprintf(out, "  (%lu address%s checked)\n", k,
			    k == 1 ? "" : "es");
		else if (k > 0)
			fprintf(out, "  (%lu of %lu addresses checked: past "
			    "--max-total)\n", n->judged, k);
		else
			fprintf(out, "  (not enumerated: %s)\n",
			    n->net.net.family == AF_INET6 ? "IPv6" :
			    "wider than --max-addresses");
	}
	if (domain_audit_capped(d))
		fprintf(out, "  --max-total %lu reached: the networks hold %lu "
		    "addresses, %lu judged, %lu not checked\n", d->max_total,
		    d->named, d->judged, d->named - d->judged);
}

static void
text_mx(FILE *out, const struct domain_audit *d)
{
	const struct mx_hosts *m = &d->mx;

	switch (m->status) {
	case MX_OK:
		fprintf(out, "MX hosts: %zu (dnssec %s)\n", m->count,
		    dnssec_state_name(m->dnssec));
		for (size_t i = 0; i < m->count; i++)
			if (m->hosts[i].prefixes.count == 0)
				fprintf(out, "  %s has no address\n",
				    m->hosts[i].name);
		break;
	case MX_VOID:
		fputs("MX hosts: none\n", out);
		break;
	case MX_NULL:
		fputs("MX hosts: null MX (RFC 7505): the domain takes no "
		    "mail\n", out);
		break;
	case MX_TOO_MANY:
		fprintf(out, "MX hosts: %zu names, more than %d: not "
		    "checked\n", m->count, DOMAIN_MX_NAMES_MAX);
		break;
	case MX_TEMPERROR:
		fprintf(out, "MX hosts: temperror: %s\n", m->why);
		break;
	}
}

void
domain_report_text(FILE *out, const struct domain_audit *d)
{
	const struct spf_walk_result *s = &d->spf;

	fprintf(out, "domain %s\n", d->domain);
	if (d->nxdomain) {
		fprintf(out, "  no such domain (NXDOMAIN, dnssec %s): nothing "
		    "to check\n", dnssec_state_name(d->mx.dnssec));
		return;
	}
	fprintf(out, "SPF: %s", spf_result_name(s->result));
	if (s->reason[0] != '\0')
		fprintf(out, ": %s", s->reason);
	fprintf(out, "\n  dnssec: %s\n", spf_dnssec_name(s->dnssec));
	if (s->result == SPF_RESULT_NONE)
		fputs("  no SPF record: only the MX hosts are checked\n", out);
	else if (s->result != SPF_RESULT_OK)
		fputs("  a receiver fails the record itself before it looks at "
		    "any PTR\n", out);
	fprintf(out, "  DNS lookups %u of %u, void lookups %u of %u, %u "
	    "queries\n", s->dns_terms, spf_limits_rfc7208.dns_terms,
	    s->void_lookups, spf_limits_rfc7208.void_lookups, s->queries);
	for (size_t i = 0; i < s->nrecords; i++)
		fprintf(out, "  record of %s%s%s: dnssec %s\n",
		    s->records[i].domain, s->records[i].path[0] ? " via " : "",
		    s->records[i].path, spf_dnssec_name(s->records[i].dnssec));
	for (size_t i = 0; i < s->nnotes; i++)
		fprintf(out, "  %s: %s\n", spf_severity_name(
		    s->notes[i].severity), s->notes[i].text);
	text_mx(out, d);
	text_networks(out, d);
}

static void
json_networks(FILE *out, const struct domain_audit *d)
{
	char net[CIDR_TEXT_MAX];

	fputs(",\"networks\":[", out);
	for (size_t i = 0; i < d->nnetworks; i++) {
		const struct domain_network *n = &d->networks[i];

		if (cidr_format(&n->net, net, sizeof(net)) == -1)
			snprintf(net, sizeof(net), "?");
		fprintf(out, "%s{\"kind\":\"%s\",\"source\":", i ? "," : "",
		    n->source.kind == AUDIT_SOURCE_MX ? "mx" : "spf");
		report_json_string(out, n->source.text);
		fprintf(out, ",\"prefix\":\"%s\",\"checked\":%lu,"
		    "\"judged\":%lu,\"enumerated\":%s,\"helo\":", net,
		    domain_network_checked(&n->net, d->max_addresses),
		    n->judged,
		    domain_network_checked(&n->net, d->max_addresses) > 0 ?
		    "true" : "false");
		if (n->helo != NULL)
			report_json_string(out, n->helo);
		else
			fputs("null", out);
		fputc('}', out);
	}
	fputc(']', out);
}

static void
json_mx(FILE *out, const struct domain_audit *d)
{
	const struct mx_hosts *m = &d->mx;
	char ip[CIDR_TEXT_MAX];

	fprintf(out, ",\"mx\":{\"status\":\"%s\",\"dnssec\":\"%s\","
	    "\"hosts\":[", mx_status_name(m->status),
	    dnssec_state_name(m->dnssec));
	for (size_t i = 0; m->status == MX_OK && i < m->count; i++) {
		fprintf(out, "%s{\"name\":", i ? "," : "");
		report_json_string(out, m->hosts[i].name);
		fprintf(out, ",\"preference\":%u,\"addresses\":[",
		    m->hosts[i].preference);
		for (size_t k = 0; k < m->hosts[i].prefixes.count; k++) {
			if (addr_format(&m->hosts[i].prefixes.items[k].net, ip,
			    sizeof(ip)) == -1)
				snprintf(ip, sizeof(ip), "?");
			fprintf(out, "%s\"%s\"", k ? "," : "", ip);
		}
		fputs("]}", out);
	}
	fputs("]}", out);
}

void
domain_report_json(FILE *out, const struct domain_audit *d)
{
	const struct spf_walk_result *s = &d->spf;

	fputs("{\"domain\":{\"name\":", out);
	report_json_string(out, d->domain);
	fprintf(out, ",\"exists\":%s,\"spf\":{\"result\":\"%s\","
	    "\"reason\":", d->nxdomain ? "false" : "true",
	    spf_result_name(s->result));
	report_json_string(out, s->reason);
	fprintf(out, ",\"dnssec\":\"%s\",\"dns_lookups\":%u,"
	    "\"void_lookups\":%u,\"queries\":%u,\"notes\":[",
	    spf_dnssec_name(s->dnssec), s->dns_terms, s->void_lookups,
	    s->queries);
	for (size_t i = 0; i < s->nnotes; i++) {
		fprintf(out, "%s{\"severity\":\"%s\",\"text\":", i ? "," : "",
		    spf_severity_name(s->notes[i].severity));
		report_json_string(out, s->notes[i].text);
		fputc('}', out);
	}
	fputs("],\"records\":[", out);
	for (size_t i = 0; i < s->nrecords; i++) {
		fprintf(out, "%s{\"domain\":", i ? "," : "");
		report_json_string(out, s->records[i].domain);
		fputs(",\"path\":", out);
		report_json_string(out, s->records[i].path);
		fprintf(out, ",\"dnssec\":\"%s\"}",
		    spf_dnssec_name(s->records[i].dnssec));
	}
	fputs("]}", out);
	fprintf(out, ",\"addresses\":{\"named\":%lu,\"judged\":%lu,"
	    "\"max_total\":%lu,\"capped\":%s}", d->named, d->judged,
	    d->max_total, domain_audit_capped(d) ? "true" : "false");
	json_mx(out, d);
	json_networks(out, d);
	fputs("}}\n", out);
}

/* One family of one series: NAME{domain="D"[,LABEL]} VALUE. */
static void
prom_family(FILE *out, const char *name, const char *help,
    const char *domain, const char *label, unsigned long value)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n%s{domain=\"%s\"%s%s} "
	    "%lu\n", name, help, name, name, domain, label != NULL ? "," : "",
	    label != NULL ? label : "", value);
}

void
domain_report_prom(FILE *out, const struct domain_audit *d)
{
	const struct spf_walk_result *s = &d->spf;
	char domain[SPF_DOMAIN_MAX * 2];
	unsigned long per[3] = { 0, 0, 0 };

	(void)audit_prom_escape(domain, sizeof(domain), d->domain);
	prom_family(out, "ptrcheck_domain_exists", "1 unless the audited "
	    "domain's name does not exist", domain, NULL, !d->nxdomain);
	prom_family(out, "ptrcheck_domain_addresses_named", "addresses the "
	    "enumerated networks of the domain hold", domain, NULL, d->named);
	prom_family(out, "ptrcheck_domain_addresses_judged", "of them, those "
	    "judged (at most --max-total)", domain, NULL, d->judged);
	fputs("# HELP ptrcheck_spf_result what a receiver makes of the SPF "
	    "record: 1 for its result\n# TYPE ptrcheck_spf_result gauge\n",
	    out);
	for (size_t i = 0; i < 4; i++)
		fprintf(out, "ptrcheck_spf_result{domain=\"%s\",result=\"%s\"}"
		    " %d\n", domain, spf_results[i], (size_t)s->result == i);
	prom_family(out, "ptrcheck_spf_dnssec_secure", "1 if the SPF record "
	    "validated with DNSSEC", domain, NULL,
	    s->dnssec == SPF_DNSSEC_SECURE);
	prom_family(out, "ptrcheck_spf_dns_lookups", "DNS-querying terms "
	    "evaluated (RFC 7208 limit 10)", domain, NULL, s->dns_terms);
	prom_family(out, "ptrcheck_spf_void_lookups", "void lookups (RFC "
	    "7208 limit 2)", domain, NULL, s->void_lookups);
	prom_family(out, "ptrcheck_spf_dns_queries", "DNS queries the SPF "
	    "walk sent", domain, NULL, s->queries);
	for (size_t i = 0; i < s->nnotes; i++)
		per[s->notes[i].severity]++;
	fputs("# HELP ptrcheck_spf_notes notes on the SPF record by severity"
	    "\n# TYPE ptrcheck_spf_notes gauge\n", out);
	for (size_t i = 0; i < 3; i++)
		fprintf(out, "ptrcheck_spf_notes{domain=\"%s\",severity=\"%s\"}"
		    " %lu\n", domain, severities[i], per[i]);
	prom_family(out, "ptrcheck_mx_hosts", "MX hosts of the domain",
	    domain, NULL, d->mx.status == MX_OK ? d->mx.count : 0);
}
