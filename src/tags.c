/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tags.c - names of the tags; see tags.h.
 */
#include "config.h"

#include <string.h>

#include "safe_text.h"
#include "tags.h"

static const char *const tag_names[TAG_COUNT] = {
	[TAG_NO_PTR] = "no_ptr",
	[TAG_PTR_NOT_CONFIRMED] = "ptr_not_confirmed",
	[TAG_PTR_FORWARD_NXDOMAIN] = "ptr_forward_nxdomain",
	[TAG_DNS_TEMPERROR] = "dns_temperror",
	[TAG_DNSSEC_BOGUS] = "dnssec_bogus",
	[TAG_PTR_MULTIPLE] = "ptr_multiple",
	[TAG_PTR_GENERIC] = "ptr_generic",
	[TAG_HELO_GENERIC] = "helo_generic",
	[TAG_HELO_INVALID] = "helo_invalid",
	[TAG_HELO_NOT_FQDN] = "helo_not_fqdn",
	[TAG_HELO_BARE_IP] = "helo_bare_ip",
	[TAG_HELO_LITERAL_MISMATCH] = "helo_literal_mismatch",
	[TAG_HELO_PTR_MISMATCH] = "helo_ptr_mismatch",
	[TAG_HELO_PTR_SAME_DOMAIN] = "helo_ptr_same_domain",
	[TAG_HELO_NO_FORWARD] = "helo_no_forward",
	[TAG_HELO_FORWARD_MISMATCH] = "helo_forward_mismatch",
	[TAG_HELO_IS_OURS] = "helo_is_ours",
	[TAG_DNSSEC_SECURE] = "dnssec_secure",
};

const char *
tag_name(enum tag t)
{
	if ((unsigned)t >= TAG_COUNT)
		return NULL;
	return tag_names[t];
}

int
tag_lookup(const char *name, enum tag *out)
{
	for (unsigned i = 0; i < TAG_COUNT; i++) {
		if (strcmp(tag_names[i], name) == 0) {
			*out = (enum tag)i;
			return 0;
		}
	}
	return -1;
}

void
findings_add(struct findings *f, enum tag t, const char *reason)
{
	if ((unsigned)t >= TAG_COUNT)
		return;
	f->tags |= TAG_BIT(t);
	(void)safe_text(f->reason[t], sizeof(f->reason[t]), reason,
	    SAFE_TEXT_ALL, SAFE_TEXT_REASON);
}
