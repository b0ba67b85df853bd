/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * forged.h - the headers of one message that claim to come from us and
 * are removed at end of message, whoever sent it: Authentication-Results
 * with our authserv-id (RFC 8601 section 5) and the score header.
 *
 * There is no limit on how many are remembered but memory: a forgery
 * past any fixed count would reach the reader.  When memory runs out the
 * caller is told, and must not pass the message.  Pure code; one struct
 * per connection, used by one thread at a time.
 */
#ifndef PTRMILTER_FORGED_H
#define PTRMILTER_FORGED_H

#include <stddef.h>

/* The field RFC 8601 defines; the one name both read and written. */
#define FORGED_AR_FIELD "Authentication-Results"

struct forged {
	unsigned ar_seen;	/* Authentication-Results headers so far */
	unsigned *ar_ours;	/* the 1-based indexes, among those, of the
				   ones with our authserv-id, ascending */
	size_t nours;
	size_t cap;		/* room in ar_ours */
	unsigned score_seen;	/* score headers so far: all are removed */
};

/* An empty record. */
void forged_init(struct forged *f);

/* Looks at one header of the message, name and value as the MTA passed
 * them: an Authentication-Results whose authres_is_ours(value,
 * authserv_id), or a header named score_header (NULL: none; compared
 * without case), is remembered.  Returns 0, or -1 if it could not be
 * remembered (out of memory, or more headers than an index can count):
 * the message would keep a forgery. */
int forged_header(struct forged *f, const char *name, const char *value,
    const char *authserv_id, const char *score_header);

/* Forgets the message, keeping the memory for the next one. */
void forged_reset(struct forged *f);

/* Frees the memory; f is empty after. */
void forged_free(struct forged *f);

#endif
