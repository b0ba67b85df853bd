/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mx_hosts.c - MX, then A and AAAA of each host; see mx_hosts.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_fetch.h"
#include "mx_hosts.h"

static int decode_hosts(const struct dns_fetch *mx, struct mx_hosts *out);
static int resolve_hosts(struct resolver *r, struct mx_hosts *out,
    unsigned cidr4, unsigned cidr6, struct timespec deadline);

static bool
is_temporary(enum dns_status s)
{
	return s == DNS_TEMPFAIL || s == DNS_TIMEOUT || s == DNS_BOGUS;
}

int
mx_hosts_lookup(struct resolver *r, const char *domain, size_t max_names,
    unsigned cidr4, unsigned cidr6, struct timespec deadline,
    struct mx_hosts *out)
{
	struct dns_fetch mx = { .name = domain, .rrtype = DNS_TYPE_MX };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->status = MX_TEMPERROR;
	if (dns_fetch_run(r, &mx, 1, deadline) == -1)
		goto end;
	out->queries = 1;
	out->mx_dns = mx.status;
	out->dnssec = mx.dnssec;
	rc = 0;
	if (is_temporary(mx.status)) {
		snprintf(out->why, sizeof(out->why), "MX lookup: %s",
		    dns_status_name(mx.status, mx.rcode));
		goto end;
	}
	if (mx.status != DNS_OK || mx.count == 0) {
		out->status = MX_VOID;
		goto end;
	}
	if (mx.count > max_names) {
		out->status = MX_TOO_MANY;
		out->count = mx.count;
		goto end;
	}
	rc = decode_hosts(&mx, out);
	if (rc == 0 && out->status == MX_OK)
		rc = resolve_hosts(r, out, cidr4, cidr6, deadline);
end:
	dns_fetch_clear(&mx, 1);
	return rc;
}

static int
by_preference(const void *a, const void *b)
{
	const struct mx_host *x = a, *y = b;

	if (x->preference != y->preference)
		return x->preference < y->preference ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* A record that does not decode makes the answer unusable, as a
 * receiver's resolver would refuse it: temperror.  A lone "." is a null
 * MX. */
static int
decode_hosts(const struct dns_fetch *mx, struct mx_hosts *out)
{
	out->hosts = calloc(mx->count, sizeof(*out->hosts));
	if (out->hosts == NULL)
		return -1;
	out->count = mx->count;
	for (size_t i = 0; i < mx->count; i++) {
		struct mx_host *h = &out->hosts[i];

		cidr_list_init(&h->prefixes);
		h->dnssec = DNSSEC_SECURE;
		if (dname_mx_to_text(mx->rr[i].data, mx->rr[i].len,
		    &h->preference, h->name, sizeof(h->name)) == -1) {
			snprintf(out->why, sizeof(out->why),
			    "malformed MX record");
			out->status = MX_TEMPERROR;
			return 0;
		}
	}
	if (out->count == 1 && strcmp(out->hosts[0].name, ".") == 0) {
		out->status = MX_NULL;
		return 0;
	}
	qsort(out->hosts, out->count, sizeof(*out->hosts), by_preference);
	out->status = MX_OK;
	return 0;
}

static enum dnssec_state
worse(enum dnssec_state a, enum dnssec_state b)
{
	if (a == DNSSEC_BOGUS || b == DNSSEC_BOGUS)
		return DNSSEC_BOGUS;
	if (a == DNSSEC_INSECURE || b == DNSSEC_INSECURE)
		return DNSSEC_INSECURE;
	return DNSSEC_SECURE;
}

/* Takes the two answers of one host; a failed lookup fails them all. */
static int
take_answers(struct mx_hosts *out, struct mx_host *h,
    const struct dns_fetch f[2], unsigned cidr4, unsigned cidr6)
{
	h->a_status = f[0].status;
	h->aaaa_status = f[1].status;
	for (size_t k = 0; k < 2; k++) {
		h->dnssec = worse(h->dnssec, f[k].dnssec);
		if (is_temporary(f[k].status)) {
			snprintf(out->why, sizeof(out->why), "%s of %s: %s",
			    k == 0 ? "A" : "AAAA", h->name,
			    dns_status_name(f[k].status, f[k].rcode));
			out->status = MX_TEMPERROR;
		}
		if (dns_fetch_prefixes(&f[k], cidr4, cidr6,
		    &h->prefixes) == -1)
			return -1;
	}
	return 0;
}

static int
resolve_hosts(struct resolver *r, struct mx_hosts *out, unsigned cidr4,
    unsigned cidr6, struct timespec deadline)
{
	size_t n = out->count * 2;
	struct dns_fetch *f = calloc(n, sizeof(*f));
	int rc = -1;

	if (f == NULL)
		return -1;
	for (size_t i = 0; i < out->count; i++) {
		f[2 * i].name = f[2 * i + 1].name = out->hosts[i].name;
		f[2 * i].rrtype = DNS_TYPE_A;
		f[2 * i + 1].rrtype = DNS_TYPE_AAAA;
	}
	if (dns_fetch_run(r, f, n, deadline) == -1)
		goto end;
	out->queries += (unsigned)n;
	for (size_t i = 0; i < out->count; i++)
		if (take_answers(out, &out->hosts[i], &f[2 * i], cidr4,
		    cidr6) == -1)
			goto end;
	rc = 0;
end:
	dns_fetch_clear(f, n);
	free(f);
	return rc;
}

void
mx_hosts_free(struct mx_hosts *m)
{
	for (size_t i = 0; m->hosts != NULL && i < m->count; i++)
		cidr_list_free(&m->hosts[i].prefixes);
	free(m->hosts);
	memset(m, 0, sizeof(*m));
}
