/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fcrdns_conclude.c - the iprev verdict (RFC 8601 section 3) from recorded
 * lookups.  Pure: the rules can be tested without any DNS.
 *
 *   pass       some PTR name forward-confirms, whatever else failed;
 *   fail       PTR names exist and none confirms (a name that does not
 *              exist is fail, not permerror);
 *   permerror  no PTR is published (NXDOMAIN or NODATA);
 *   temperror  nothing confirmed and something failed temporarily, or an
 *              answer the verdict needs is DNSSEC-bogus.
 *
 * A temporary failure is never reported as a permanent one: that is the
 * difference between a 4xx and a 5xx for the client.
 */
#include "config.h"

#include "fcrdns_result.h"

static bool
is_temporary(enum dns_status s)
{
	return s == DNS_TEMPFAIL || s == DNS_TIMEOUT;
}

/* Marks confirming names and returns the index of the best one: a secure
 * confirmation beats an insecure one, then the first in PTR order. */
static int
find_confirmed(struct fcrdns_result *res)
{
	int best = -1;

	for (size_t i = 0; i < res->nnames; i++) {
		struct fcrdns_name *n = &res->names[i];

		n->confirmed = false;
		if (n->forward.status != DNS_OK)
			continue;
		for (size_t j = 0; j < n->naddrs && !n->confirmed; j++)
			n->confirmed = addr_equal(&n->addrs[j], &res->client);
		if (!n->confirmed)
			continue;
		if (best == -1 || (n->forward.dnssec == DNSSEC_SECURE &&
		    res->names[best].forward.dnssec != DNSSEC_SECURE))
			best = (int)i;
	}
	return best;
}

static void
conclude_ptr_failure(struct fcrdns_result *res)
{
	switch (res->ptr.status) {
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		res->iprev = IPREV_PERMERROR;
		res->dnssec = res->ptr.dnssec;
		res->tags |= TAG_BIT(TAG_NO_PTR);
		break;
	case DNS_BOGUS:
		res->iprev = IPREV_TEMPERROR;
		res->dnssec = DNSSEC_BOGUS;
		res->tags |= TAG_BIT(TAG_DNSSEC_BOGUS);
		break;
	case DNS_OK:
	case DNS_TEMPFAIL:
	case DNS_TIMEOUT:
		res->iprev = IPREV_TEMPERROR;
		res->dnssec = DNSSEC_INSECURE;
		res->tags |= TAG_BIT(TAG_DNS_TEMPERROR);
		break;
	}
}

/* No name confirmed: fail, unless a lookup that might have confirmed
 * failed temporarily or was bogus. */
static void
conclude_unconfirmed(struct fcrdns_result *res)
{
	bool temporary = false, bogus = false, nxdomain = false;
	bool all_secure = res->ptr.dnssec == DNSSEC_SECURE;

	for (size_t i = 0; i < res->nnames; i++) {
		const struct fcrdns_lookup *f = &res->names[i].forward;

		if (!f->started || is_temporary(f->status))
			temporary = true;
		else if (f->status == DNS_BOGUS)
			bogus = true;
		else if (f->status == DNS_NXDOMAIN)
			nxdomain = true;
		if (f->dnssec != DNSSEC_SECURE)
			all_secure = false;
	}
	if (bogus || temporary) {
		res->iprev = IPREV_TEMPERROR;
		res->dnssec = bogus ? DNSSEC_BOGUS : DNSSEC_INSECURE;
		if (bogus)
			res->tags |= TAG_BIT(TAG_DNSSEC_BOGUS);
		if (temporary)
			res->tags |= TAG_BIT(TAG_DNS_TEMPERROR);
		return;
	}
	res->iprev = IPREV_FAIL;
	res->dnssec = all_secure ? DNSSEC_SECURE : DNSSEC_INSECURE;
	res->tags |= TAG_BIT(TAG_PTR_NOT_CONFIRMED);
	if (nxdomain)
		res->tags |= TAG_BIT(TAG_PTR_FORWARD_NXDOMAIN);
}

void
fcrdns_conclude(struct fcrdns_result *res)
{
	res->tags = 0;
	res->confirmed = -1;
	res->dnssec = DNSSEC_INSECURE;

	if (res->ptr.status != DNS_OK) {
		conclude_ptr_failure(res);
		return;
	}
	if (res->ptr_count > 1)
		res->tags |= TAG_BIT(TAG_PTR_MULTIPLE);
	res->confirmed = find_confirmed(res);
	if (res->confirmed >= 0) {
		const struct fcrdns_name *n = &res->names[res->confirmed];

		res->iprev = IPREV_PASS;
		if (res->ptr.dnssec == DNSSEC_SECURE &&
		    n->forward.dnssec == DNSSEC_SECURE) {
			res->dnssec = DNSSEC_SECURE;
			res->tags |= TAG_BIT(TAG_DNSSEC_SECURE);
		}
		return;
	}
	conclude_unconfirmed(res);
}

const char *
iprev_name(enum iprev r)
{
	switch (r) {
	case IPREV_PASS:
		return "pass";
	case IPREV_FAIL:
		return "fail";
	case IPREV_PERMERROR:
		return "permerror";
	case IPREV_TEMPERROR:
		break;
	}
	return "temperror";
}
