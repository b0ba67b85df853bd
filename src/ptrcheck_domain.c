/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptrcheck_domain.c - ptrcheck --domain: the domain's SPF record walked
 * and its MX hosts looked up, then turned into the networks to judge,
 * each with its source label and HELO.  See ptrcheck_domain.h; the
 * report of the record is ptrcheck_domain_report.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "ptrcheck_domain.h"
#include "ptrcheck_status.h"

static int label_spf(struct domain_audit *d, const struct spf_source *s);
static int label_mx(struct domain_audit *d, const struct mx_host *h);
static int add_networks(struct domain_audit *d, size_t label,
    enum audit_source_kind kind, const struct cidr_list *nets,
    const char *host, const char *helo);
static void take_share(struct domain_audit *d, struct domain_network *n);
static void count_source(struct domain_audit *d, size_t first);

bool
domain_name_ok(const char *text)
{
	size_t len = strlen(text);

	if (len > 1 && text[len - 1] == '.')
		len--;
	return len > 0 && len < SPF_DOMAIN_MAX && text[len - 1] != '.' &&
	    dname_is_hostname(text, len, DNAME_HOST_UNDERSCORE);
}

unsigned long
domain_network_checked(const struct cidr *net, unsigned long max)
{
	unsigned long n = audit_prefix_size(net);

	if (net->net.family == AF_INET6 && net->prefix != 128)
		return 0;
	return n > max ? 0 : n;
}

/* "a:relay.example.com/30 via include:_spf.example.com", "mx
 * (mx1.example.com)": the term as written, the host where the term does
 * not name it, the include/redirect path; each part printable already.
 * Returns the label's index, or -1 when out of memory. */
static int
label_spf(struct domain_audit *d, const struct spf_source *s)
{
	bool named = s->kind == SPF_A && strchr(s->term, ':') != NULL;
	bool host = s->host[0] != '\0' && !named;
	char *text;

	if (asprintf(&text, "%s%s%s%s%s%s", s->term, host ? " (" : "",
	    host ? s->host : "", host ? ")" : "", s->path[0] ? " via " : "",
	    s->path) == -1)
		return -1;
	d->labels[d->nlabels] = text;
	return (int)d->nlabels++;
}

static int
label_mx(struct domain_audit *d, const struct mx_host *h)
{
	if ((d->labels[d->nlabels] = strdup(h->name)) == NULL)
		return -1;
	return (int)d->nlabels++;
}

/* A host's own address (a /32 or /128 of an a or mx term, an MX host)
 * is judged with the host's name as HELO, unless --helo says otherwise. */
static int
add_networks(struct domain_audit *d, size_t label,
    enum audit_source_kind kind, const struct cidr_list *nets,
    const char *host, const char *helo)
{
	size_t first = d->nnetworks;
	struct domain_network *grown;

	if (nets->count == 0)
		return 0;
	grown = reallocarray(d->networks, d->nnetworks + nets->count,
	    sizeof(*grown));
	if (grown == NULL)
		return -1;
	d->networks = grown;
	for (size_t i = 0; i < nets->count; i++) {
		struct domain_network *n = &d->networks[d->nnetworks++];
		bool own = host != NULL && host[0] != '\0' &&
		    nets->items[i].prefix ==
		    (nets->items[i].net.family == AF_INET ? 32 : 128);

		memset(n, 0, sizeof(*n));
		n->source.kind = kind;
		n->source.text = d->labels[label];
		n->net = nets->items[i];
		n->helo = helo != NULL ? helo : own ? host : NULL;
		take_share(d, n);
	}
	count_source(d, first);
	return 0;
}

/* The network's addresses judged: as many as are left of max_total,
 * in report order.  No sum can wrap: a network holds at most
 * AUDIT_MAX_ADDRESSES_LIMIT, and the lists are bounded by memory. */
static void
take_share(struct domain_audit *d, struct domain_network *n)
{
	unsigned long k = domain_network_checked(&n->net, d->max_addresses);
	unsigned long room = d->max_total - d->judged;

	n->judged = k < room ? k : room;
	d->named += k;
	d->judged += n->judged;
}

/* Each network of one source carries the number of addresses of the
 * whole source judged, for its heading. */
static void
count_source(struct domain_audit *d, size_t first)
{
	unsigned long total = 0;

	for (size_t i = first; i < d->nnetworks; i++)
		total += d->networks[i].judged;
	for (size_t i = first; i < d->nnetworks; i++)
		d->networks[i].source.count = total;
}

/* The networks of the SPF sources, then of the MX hosts. */
static int
list_networks(struct domain_audit *d, const char *helo)
{
	size_t nhosts = d->mx.status == MX_OK ? d->mx.count : 0;

	d->labels = calloc(d->spf.nsources + nhosts + 1, sizeof(*d->labels));
	if (d->labels == NULL)
		return -1;
	for (size_t i = 0; i < d->spf.nsources; i++) {
		const struct spf_source *s = &d->spf.sources[i];
		int label = label_spf(d, s);

		if (label == -1 || add_networks(d, (size_t)label,
		    AUDIT_SOURCE_SPF, &s->prefixes, s->host, helo) == -1)
			return -1;
	}
	for (size_t i = 0; i < nhosts; i++) {
		const struct mx_host *h = &d->mx.hosts[i];
		int label = label_mx(d, h);

		if (label == -1 || add_networks(d, (size_t)label,
		    AUDIT_SOURCE_MX, &h->prefixes, h->name, helo) == -1)
			return -1;
	}
	return 0;
}

int
domain_audit_collect(struct resolver *r, const char *domain,
    struct timespec deadline, const char *helo, unsigned long max_addresses,
    unsigned long max_total, struct domain_audit *out)
{
	size_t len = strlen(domain);

	memset(out, 0, sizeof(*out));
	out->max_addresses = max_addresses;
	out->max_total = max_total;
	if (len > 1 && domain[len - 1] == '.')
		len--;
	if (len >= sizeof(out->domain))
		len = sizeof(out->domain) - 1;
	memcpy(out->domain, domain, len);
	if (spf_walk(r, out->domain, deadline, NULL, &out->spf) == -1 &&
	    strcmp(out->spf.reason, "out of memory") == 0)
		return -1;
	out->mx_looked_up = true;
	if (mx_hosts_lookup(r, out->domain, DOMAIN_MX_NAMES_MAX, 32, 128,
	    deadline, &out->mx) == -1)
		return -1;
	/* NXDOMAIN answers for the name, whatever the type asked: no TXT
	 * record came either, so the walk found none. */
	out->nxdomain = out->mx.status == MX_VOID &&
	    out->mx.mx_dns == DNS_NXDOMAIN &&
	    out->spf.result == SPF_RESULT_NONE;
	return list_networks(out, helo);
}

void
domain_audit_free(struct domain_audit *d)
{
	spf_walk_free(&d->spf);
	mx_hosts_free(&d->mx);
	for (size_t i = 0; i < d->nlabels; i++)
		free(d->labels[i]);
	free(d->labels);
	free(d->networks);
	memset(d, 0, sizeof(*d));
}

int
domain_audit_status(const struct domain_audit *d, bool fail_never)
{
	/* Not all good when addresses went unjudged, but an address's or
	 * the record's failure says more. */
	int rest = domain_audit_capped(d) ? PTRCHECK_EXIT_DATAERR :
	    PTRCHECK_EXIT_PASS;

	if (d->nxdomain)
		return PTRCHECK_EXIT_NOHOST;
	if (fail_never)
		return rest;
	if (d->spf.result == SPF_RESULT_PERMERROR)
		return PTRCHECK_EXIT_PERMANENT;
	if (d->spf.result == SPF_RESULT_TEMPERROR ||
	    (d->mx_looked_up && d->mx.status == MX_TEMPERROR))
		return PTRCHECK_EXIT_TEMPORARY;
	return rest;
}

bool
domain_audit_capped(const struct domain_audit *d)
{
	return d->judged < d->named;
}
