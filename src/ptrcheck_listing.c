/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptrcheck_listing.c - what ptrcheck lists without judging it afresh: the
 * heading of a group of addresses from one source, an address judged
 * before for another source (listed again with that outcome, no second
 * lookup), and an IPv6 prefix that cannot be enumerated.  See
 * ptrcheck_report.h.
 */
#include "config.h"

#include <stdio.h>

#include "ptrcheck_report.h"

/* Why a network was listed but not checked. */
#define IPV6_NOTE "an IPv6 prefix cannot be enumerated: nothing in it " \
	"was checked; list its sending addresses one by one"
#define WIDE_NOTE "prefix holds more addresses than --max-addresses: " \
	"nothing in it was checked"

static void put_tags_json(FILE *out, tag_set tags);

void
report_heading(FILE *out, const struct audit_source *s)
{
	char label[AUDIT_SOURCE_TEXT_MAX];

	fprintf(out, "\n%s (%lu address%s)\n",
	    audit_source_format(s, label, sizeof(label)), s->count,
	    s->count == 1 ? "" : "es");
}

void
report_note(FILE *out, const struct audit_source *s, bool json)
{
	char label[AUDIT_SOURCE_TEXT_MAX], net[CIDR_TEXT_MAX];
	const char *note = s->prefix.net.family == AF_INET6 ? IPV6_NOTE :
	    WIDE_NOTE;

	(void)audit_source_format(s, label, sizeof(label));
	if (cidr_format(&s->prefix, net, sizeof(net)) == -1)
		snprintf(net, sizeof(net), "?");
	if (json) {
		fputs("{\"source\":", out);
		report_json_string(out, label);
		fprintf(out, ",\"prefix\":\"%s\",\"note\":\"%s\"}\n", net,
		    note);
	}
	else {
		/* A prefix's label names its network; an SPF term's may
		 * not (an mx or a term cut to fit). */
		fprintf(out, "\n%s\n", label);
		if (s->kind != AUDIT_SOURCE_PREFIX)
			fprintf(out, "  network: %s\n", net);
		fprintf(out, "  note:    %s\n", note);
	}
}

static void
put_tags_json(FILE *out, tag_set tags)
{
	const char *sep = "";

	fputc('[', out);
	for (unsigned t = 0; t < TAG_COUNT; t++) {
		if (tags & TAG_BIT(t)) {
			fprintf(out, "%s\"%s\"", sep, tag_name((enum tag)t));
			sep = ",";
		}
	}
	fputc(']', out);
}

void
report_duplicate(FILE *out, const struct audit_target *t,
    const struct audit_outcome *first, bool json)
{
	char ip[ADDR_TEXT_MAX], label[AUDIT_SOURCE_TEXT_MAX];
	char same[AUDIT_SOURCE_TEXT_MAX], score[REPORT_NUMBER_MAX];

	if (addr_format(&t->addr, ip, sizeof(ip)) == -1)
		snprintf(ip, sizeof(ip), "?");
	(void)audit_source_format(&t->source, label, sizeof(label));
	(void)audit_source_format(&first->source, same, sizeof(same));
	report_format_number(first->score, true, score, sizeof(score));
	if (!json) {
		fprintf(out, "%s\n  same as: %s: iprev=%s dnssec=%s score=%s "
		    "-> %s\n", ip, same, iprev_name(first->iprev),
		    dnssec_state_name(first->dnssec), score,
		    verdict_action_name(first->action));
		return;
	}
	fprintf(out, "{\"ip\":\"%s\",\"source\":", ip);
	report_json_string(out, label);
	fputs(",\"same_as\":", out);
	report_json_string(out, same);
	fprintf(out, ",\"iprev\":\"%s\",\"dnssec\":\"%s\",\"tags\":",
	    iprev_name(first->iprev), dnssec_state_name(first->dnssec));
	put_tags_json(out, first->tags);
	fprintf(out, ",\"score\":%s,\"action\":\"%s\",\"enforced\":%s}\n",
	    score, verdict_action_name(first->action),
	    first->enforced ? "true" : "false");
}
