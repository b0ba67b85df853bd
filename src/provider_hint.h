/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * provider_hint.h - which provider a client with a generic or missing
 * PTR belongs to, and where that provider lets a customer set reverse
 * DNS: the advice ptrcheck prints and the %{hint} of the SMTP reply.
 *
 * Pure code over the loaded provider data (generic_db.h); safe from any
 * thread.
 */
#ifndef PTRMILTER_PROVIDER_HINT_H
#define PTRMILTER_PROVIDER_HINT_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "generic_db.h"
#include "tags.h"

struct provider_hint {
	bool show;			/* the PTR is generic or missing */
	bool by_name;			/* the provider's default-name
					   pattern named it */
	const char *id;			/* NULL: provider unknown */
	const char *name;		/* its display name, else its id */
	const char *text;		/* NULL: no hint line in the data */
	char idbuf[TAG_REASON_MAX];
};

/*
 * A hint is due when tags hold ptr_generic or no_ptr.  The provider
 * comes from generic_reason, the ptr_generic reason, when it reads
 * "provider:ID" (a default-name pattern), else from the networks of db
 * holding client.  The pointers in *h point into db or *h, and live as
 * long as both.  db may be NULL (no provider is known then);
 * generic_reason may be NULL.
 */
void provider_hint_find(const struct generic_db *db,
    const struct addr *client, tag_set tags, const char *generic_reason,
    struct provider_hint *h);

#endif
