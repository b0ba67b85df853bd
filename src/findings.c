/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * findings.c - gathers the findings about one client; see findings.h.
 */
#include "config.h"

#include <string.h>

#include "findings.h"
#include "generic.h"

void
findings_collect(const struct findings_input *in, struct findings *out)
{
	const struct fcrdns_result *res = in->fcrdns;
	const char *const *allow =
	    (const char *const *)in->policy->generic_allow;
	struct helo_context ctx;
	char reason[GENERIC_REASON_MAX];
	const char *name = NULL;

	memset(out, 0, sizeof(*out));
	for (unsigned t = 0; t < TAG_COUNT; t++)
		if (res->tags & TAG_BIT(t))
			findings_add(out, (enum tag)t, NULL);

	/* The confirmed name is the one the client is known by; without
	 * one, the first is what a receiver would show. */
	if (res->confirmed >= 0)
		name = res->names[res->confirmed].name;
	else if (res->nnames > 0)
		name = res->names[0].name;
	if (name != NULL && generic_check(in->generic, &res->client, name, allow, reason,
	    sizeof(reason)))
		findings_add(out, TAG_PTR_GENERIC, reason);
	if (in->helo->kind == HELO_HOSTNAME &&
	    generic_check(in->generic, &res->client, in->helo->name, allow, reason,
	    sizeof(reason)))
		findings_add(out, TAG_HELO_GENERIC, reason);

	memset(&ctx, 0, sizeof(ctx));
	ctx.client = &res->client;
	ctx.fcrdns = res;
	ctx.forward = in->forward;
	ctx.our_name = in->our_name;
	ctx.our_addr = in->our_addr;
	helo_collect(in->helo, &ctx, out);
}
