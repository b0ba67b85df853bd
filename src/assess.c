/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * assess.c - wait, collect, decide; see assess.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "assess.h"
#include "findings.h"

static const char *ptr_domain_exemption(const struct policy *p,
    const struct fcrdns_result *res, char *buf, size_t size);

/* Only the name that forward-confirms counts: a PTR record says whatever
 * the owner of the address wants it to say, so a name that does not
 * resolve back (or one among several that is not the confirmed one)
 * exempts nobody. */
static const char *
ptr_domain_exemption(const struct policy *p, const struct fcrdns_result *res,
    char *buf, size_t size)
{
	const struct allow_entry *e;

	if (res->iprev != IPREV_PASS || res->confirmed < 0 ||
	    (size_t)res->confirmed >= res->nnames)
		return NULL;
	e = allow_list_domain(&p->exempt_ptr_domains,
	    res->names[res->confirmed].name);
	if (e == NULL)
		return NULL;
	(void)snprintf(buf, size, "ptr_domain:%s", e->name);
	return buf;
}

void
assess_run(const struct assess_input *in, struct findings *findings,
    struct verdict *verdict, struct assessment *out)
{
	struct findings_input fin;
	struct verdict_input *vin = &out->decided;

	memset(out, 0, sizeof(*out));
	(void)fcrdns_wait(in->fcrdns, in->deadline);
	out->fcrdns = fcrdns_finish(in->fcrdns);
	if (in->helo_lookup != NULL) {
		(void)helo_lookup_wait(in->helo_lookup, in->deadline);
		out->forward = helo_lookup_finish(in->helo_lookup);
	}

	memset(&fin, 0, sizeof(fin));
	fin.policy = in->policy;
	fin.generic = in->generic;
	fin.fcrdns = out->fcrdns;
	fin.helo = in->helo_parsed;
	fin.forward = out->forward;
	fin.our_name = in->our_name;
	fin.our_addr = in->our_addr;
	findings_collect(&fin, findings);

	vin->policy = in->policy;
	vin->generic = in->generic;
	vin->fcrdns = out->fcrdns;
	vin->findings = findings;
	vin->helo = in->helo;
	vin->dns_grace = in->dns_grace != NULL &&
	    in->dns_grace(in->dns_grace_arg, out->fcrdns);
	vin->mta_resolve = in->mta_resolve;
	vin->mta_ptr = in->mta_ptr;
	vin->exemption = ptr_domain_exemption(in->policy, out->fcrdns,
	    out->exemption, sizeof(out->exemption));
	verdict_decide(vin, verdict);
}
