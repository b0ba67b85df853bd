/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fcrdns_result.c - copying and freeing a finished FCrDNS result, for the
 * cache of recent clients; see fcrdns_result.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fcrdns_result.h"

static int copy_text(char **dst, const char *src);

int
fcrdns_result_copy(struct fcrdns_result *dst,
    const struct fcrdns_result *src)
{
	*dst = *src;
	dst->ptr.canon = NULL;
	dst->names = NULL;
	dst->nnames = 0;
	if (copy_text(&dst->ptr.canon, src->ptr.canon) == -1)
		goto fail;
	dst->names = calloc(src->nnames > 0 ? src->nnames : 1,
	    sizeof(*dst->names));
	if (dst->names == NULL)
		goto fail;
	for (size_t i = 0; i < src->nnames; i++) {
		const struct fcrdns_name *from = &src->names[i];
		struct fcrdns_name *to = &dst->names[i];

		*to = *from;
		to->name = NULL;
		to->forward.canon = NULL;
		to->addrs = NULL;
		dst->nnames = i + 1;
		if (copy_text(&to->name, from->name) == -1 ||
		    copy_text(&to->forward.canon, from->forward.canon) == -1)
			goto fail;
		if (from->naddrs > 0) {
			to->addrs = calloc(from->naddrs, sizeof(*to->addrs));
			if (to->addrs == NULL)
				goto fail;
			memcpy(to->addrs, from->addrs,
			    from->naddrs * sizeof(*to->addrs));
		}
	}
	return 0;

fail:
	fcrdns_result_clear(dst);
	return -1;
}

void
fcrdns_result_clear(struct fcrdns_result *res)
{
	for (size_t i = 0; i < res->nnames; i++) {
		free(res->names[i].name);
		free(res->names[i].addrs);
		free(res->names[i].forward.canon);
	}
	free(res->ptr.canon);
	free(res->names);
	res->ptr.canon = NULL;
	res->names = NULL;
	res->nnames = 0;
}

static int
copy_text(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = strdup(src);
	return *dst == NULL ? -1 : 0;
}
