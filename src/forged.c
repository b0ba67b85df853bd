/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * forged.c - the headers of a message that claim to be ours; see
 * forged.h.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>

#include "authres.h"
#include "forged.h"

/* Room for a message with a few forgeries without growing again. */
#define FIRST_CAP 8

static int remember(struct forged *f, unsigned index);

void
forged_init(struct forged *f)
{
	*f = (struct forged){ .ar_ours = NULL };
}

/* Appends index to ar_ours, doubling the room when it is full. */
static int
remember(struct forged *f, unsigned index)
{
	unsigned *grown;
	size_t cap;

	if (f->nours == f->cap) {
		cap = f->cap == 0 ? FIRST_CAP : f->cap * 2;
		if (cap > SIZE_MAX / sizeof(*grown))
			return -1;
		grown = realloc(f->ar_ours, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		f->ar_ours = grown;
		f->cap = cap;
	}
	f->ar_ours[f->nours++] = index;
	return 0;
}

int
forged_header(struct forged *f, const char *name, const char *value,
    const char *authserv_id, const char *score_header)
{
	if (name == NULL)
		return 0;
	if (strcasecmp(name, FORGED_AR_FIELD) == 0) {
		/* smfi_chgheader() takes the index as an int. */
		if (f->ar_seen >= INT_MAX)
			return -1;
		f->ar_seen++;
		if (authres_is_ours(value, authserv_id))
			return remember(f, f->ar_seen);
	} else if (score_header != NULL &&
	    strcasecmp(name, score_header) == 0) {
		if (f->score_seen >= INT_MAX)
			return -1;
		f->score_seen++;
	}
	return 0;
}

void
forged_reset(struct forged *f)
{
	f->ar_seen = 0;
	f->nours = 0;
	f->score_seen = 0;
}

void
forged_free(struct forged *f)
{
	free(f->ar_ours);
	forged_init(f);
}
