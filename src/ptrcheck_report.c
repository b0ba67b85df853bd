/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptrcheck_report.c - text and JSON output of ptrcheck's lookups: the
 * reverse query, each PTR name and its forward query; see the header.
 * The HELO and the verdict are printed by ptrcheck_verdict.c; the advice
 * for a generic or missing PTR (which provider, where its reverse-DNS
 * setting lives, the general rule) here, after them.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "provider_hint.h"
#include "ptrcheck_report.h"
#include "safe_text.h"

static void find_hint(const struct report *r, struct provider_hint *h);
static void put_hint_text(FILE *out, const struct report *r);
static void put_hint_json(FILE *out, const struct report *r);

static const char *
forward_type(const struct fcrdns_result *res)
{
	return res->client.family == AF_INET ? "A" : "AAAA";
}

/* Writes s as cls says, a bufferful at a time: a HELO given on the
 * command line has no length limit. */
static void
put_safe(FILE *out, const char *s, enum safe_text_class cls)
{
	char buf[256];

	while (*s != '\0') {
		s += safe_text(buf, sizeof(buf), s, SAFE_TEXT_ALL, cls);
		fputs(buf, out);
	}
}

void
report_printable(FILE *out, const char *s)
{
	put_safe(out, s, SAFE_TEXT_TERMINAL);
}

static void
put_lookup_state(FILE *out, const struct fcrdns_lookup *l)
{
	fprintf(out, "%s", dns_status_name(l->status, l->rcode));
	if (l->status != DNS_TIMEOUT && l->status != DNS_TEMPFAIL)
		fprintf(out, ", %s", dnssec_state_name(l->dnssec));
	fprintf(out, " (%u ms)", l->ms);
	if (l->why[0] != '\0')
		fprintf(out, ": %s", l->why);
	fputc('\n', out);
}

static void
put_forward_text(FILE *out, const struct fcrdns_result *res,
    const struct fcrdns_name *n)
{
	char text[ADDR_TEXT_MAX];

	fprintf(out, "  forward  %s %s ", n->name, forward_type(res));
	if (!n->forward.started) {
		fprintf(out, "not looked up (no time left)\n");
		return;
	}
	put_lookup_state(out, &n->forward);
	if (n->forward.canon != NULL)
		fprintf(out, "           via CNAME to %s\n", n->forward.canon);
	for (size_t i = 0; i < n->naddrs; i++) {
		if (addr_format(&n->addrs[i], text, sizeof(text)) == -1)
			continue;
		fprintf(out, "           %s%s\n", text,
		    addr_equal(&n->addrs[i], &res->client) ?
		    "  <- the client: confirms" : "");
	}
	if (n->forward.status == DNS_OK && !n->confirmed)
		fprintf(out, "           (none is the client's address)\n");
}

void
report_text(FILE *out, const struct report *r)
{
	const struct fcrdns_result *res = r->fcrdns;
	char ip[ADDR_TEXT_MAX];

	if (addr_format(&res->client, ip, sizeof(ip)) == -1)
		snprintf(ip, sizeof(ip), "?");
	fprintf(out, "%s\n", ip);
	fprintf(out, "  reverse  %s PTR ", res->reverse);
	put_lookup_state(out, &res->ptr);
	if (res->ptr.canon != NULL)
		fprintf(out, "           via CNAME to %s\n", res->ptr.canon);
	for (size_t i = 0; i < res->nnames; i++)
		fprintf(out, "           %s\n", res->names[i].name);
	if (res->ptr_count > res->nnames + res->ptr_invalid)
		fprintf(out, "           (%zu PTR records, %zu names followed:"
		    " duplicates and names past max_ptr_names are not)\n",
		    res->ptr_count, res->nnames);
	if (res->ptr_invalid > 0)
		fprintf(out, "           (%zu PTR rdata not a valid name, "
		    "ignored)\n", res->ptr_invalid);
	for (size_t i = 0; i < res->nnames; i++)
		put_forward_text(out, res, &res->names[i]);
	fprintf(out, "  result:  iprev=%s dnssec=%s", iprev_name(res->iprev),
	    dnssec_state_name(res->dnssec));
	if (res->confirmed >= 0)
		fprintf(out, " ptr=%s", res->names[res->confirmed].name);
	fputc('\n', out);
	report_verdict_text(out, r);
	put_hint_text(out, r);
	fprintf(out, "  time:    %u ms\n", res->ms);
}

/* DNS names are printable already; a HELO need not be. */
void
report_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	put_safe(out, s, SAFE_TEXT_JSON);
	fputc('"', out);
}

static void
put_json_lookup(FILE *out, const struct fcrdns_lookup *l)
{
	fprintf(out, "\"status\":\"%s\",\"dnssec\":\"%s\",\"ms\":%u",
	    dns_status_name(l->status, l->rcode),
	    dnssec_state_name(l->dnssec), l->ms);
	if (l->why[0] != '\0') {
		fprintf(out, ",\"why\":");
		report_json_string(out, l->why);
	}
	if (l->canon != NULL) {
		fprintf(out, ",\"cname\":");
		report_json_string(out, l->canon);
	}
}

static void
put_json_name(FILE *out, const struct fcrdns_name *n)
{
	char text[ADDR_TEXT_MAX];

	fprintf(out, "{\"name\":");
	report_json_string(out, n->name);
	fprintf(out, ",\"forward\":[");
	for (size_t i = 0; i < n->naddrs; i++) {
		if (addr_format(&n->addrs[i], text, sizeof(text)) == -1)
			continue;
		fprintf(out, "%s\"%s\"", i > 0 ? "," : "", text);
	}
	fprintf(out, "],\"confirmed\":%s,", n->confirmed ? "true" : "false");
	if (n->forward.started)
		put_json_lookup(out, &n->forward);
	else
		fprintf(out, "\"status\":\"NOTSENT\",\"dnssec\":\"insecure\"");
	fputc('}', out);
}

void
report_json(FILE *out, const struct report *r)
{
	const struct fcrdns_result *res = r->fcrdns;
	char ip[ADDR_TEXT_MAX];

	if (addr_format(&res->client, ip, sizeof(ip)) == -1)
		snprintf(ip, sizeof(ip), "?");
	fprintf(out, "{\"ip\":\"%s\",", ip);
	if (r->source != NULL) {
		fputs("\"source\":", out);
		report_json_string(out, r->source);
		fputc(',', out);
	}
	fprintf(out, "\"iprev\":\"%s\",\"dnssec\":\"%s\",\"ptr\":[",
	    iprev_name(res->iprev), dnssec_state_name(res->dnssec));
	for (size_t i = 0; i < res->nnames; i++) {
		fputs(i > 0 ? "," : "", out);
		put_json_name(out, &res->names[i]);
	}
	fputc(']', out);
	report_verdict_json(out, r);
	put_hint_json(out, r);
	fprintf(out, ",\"ms\":%u,\"reverse\":{\"name\":\"%s\",", res->ms,
	    res->reverse);
	put_json_lookup(out, &res->ptr);
	fprintf(out, ",\"count\":%zu,\"invalid\":%zu}}\n", res->ptr_count,
	    res->ptr_invalid);
}

/* The hint of the provider data, as the daemon's %{hint} finds it. */
static void
find_hint(const struct report *r, struct provider_hint *h)
{
	provider_hint_find(r->db, &r->fcrdns->client,
	    r->findings->tags | r->verdict->tags,
	    r->findings->reason[TAG_PTR_GENERIC], h);
}

/*
 * "  hint:    Example Broadband (example-broadband): the PTR is its
 *             default name"
 * "           reverse DNS: where the provider lets a customer set it"
 * "           rule: the forward A/AAAA record must exist first ..."
 * Without a known provider, only the rule.
 */
static void
put_hint_text(FILE *out, const struct report *r)
{
	struct provider_hint h;
	const char *indent = "  hint:    ";

	find_hint(r, &h);
	if (!h.show)
		return;
	if (h.id != NULL) {
		fputs(indent, out);
		report_printable(out, h.name);
		fputs(" (", out);
		report_printable(out, h.id);
		if (h.by_name)
			fputs("): the PTR is its default name\n", out);
		else if (r->fcrdns->nnames == 0)
			fputs("): the address is in its network and has "
			    "no PTR\n", out);
		else
			fputs("): the address is in its network\n", out);
		indent = "           ";
		if (h.text != NULL) {
			fprintf(out, "%sreverse DNS: ", indent);
			report_printable(out, h.text);
			fputc('\n', out);
		}
	}
	fprintf(out, "%srule: %s\n", indent, REPORT_HINT_RULE);
}

/* ,"hint":{"provider":ID,"name":NAME,"text":HINT} when the provider is
 * known; "text" is null when the data has no hint for it. */
static void
put_hint_json(FILE *out, const struct report *r)
{
	struct provider_hint h;

	find_hint(r, &h);
	if (!h.show || h.id == NULL)
		return;
	fprintf(out, ",\"hint\":{\"provider\":");
	report_json_string(out, h.id);
	fprintf(out, ",\"name\":");
	report_json_string(out, h.name);
	fprintf(out, ",\"text\":");
	if (h.text != NULL)
		report_json_string(out, h.text);
	else
		fputs("null", out);
	fputc('}', out);
}
