/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * provider_hint.c - the provider behind a generic or missing PTR; see
 * provider_hint.h.
 *
 * One lookup for ptrcheck's advice and the daemon's %{hint}, so that
 * what a sender is told matches what the operator sees with ptrcheck.
 */
#include "config.h"

#include <string.h>

#include "provider_hint.h"

static size_t provider_id_length(const char *s, size_t max);

/* The id of "provider:ID" as generic.c writes it: lower-case letters,
 * digits and '-', at most max bytes. */
static size_t
provider_id_length(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && ((s[n] >= 'a' && s[n] <= 'z') ||
	    (s[n] >= '0' && s[n] <= '9') || s[n] == '-'))
		n++;
	return n;
}

void
provider_hint_find(const struct generic_db *db, const struct addr *client,
    tag_set tags, const char *generic_reason, struct provider_hint *h)
{
	static const char prefix[] = "provider:";
	const char *reason = generic_reason;
	size_t n;

	memset(h, 0, sizeof(*h));
	h->show = (tags & (TAG_BIT(TAG_PTR_GENERIC) |
	    TAG_BIT(TAG_NO_PTR))) != 0;
	if (!h->show || db == NULL)
		return;
	if ((tags & TAG_BIT(TAG_PTR_GENERIC)) && reason != NULL &&
	    strncmp(reason, prefix, sizeof(prefix) - 1) == 0) {
		reason += sizeof(prefix) - 1;
		n = provider_id_length(reason, sizeof(h->idbuf) - 1);
		memcpy(h->idbuf, reason, n);
		h->idbuf[n] = '\0';
		if (n > 0) {
			h->id = h->idbuf;
			h->by_name = true;
		}
	}
	if (h->id == NULL)
		h->id = generic_db_network(db, client);
	if (h->id == NULL)
		return;
	h->name = generic_db_provider_name(db, h->id);
	if (h->name == NULL)
		h->name = h->id;
	h->text = generic_db_hint(db, h->id);
}
