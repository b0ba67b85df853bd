/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * assess.c - wait, collect, decide; see assess.h.
 */
#include "config.h"

#include <string.h>

#include "assess.h"
#include "findings.h"

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
	verdict_decide(vin, verdict);
}
