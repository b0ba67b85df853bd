/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authres.h - the authserv-id: which one this host writes, and whether an
 * Authentication-Results header that arrived with a message carries it
 * (RFC 8601 section 5: those are forgeries and are removed).
 *
 * The id is written into the header unchanged and compared with incoming
 * ones as it is, so what is removed is exactly what a reader would take
 * for ours.  Pure code.
 */
#ifndef PTRMILTER_AUTHRES_H
#define PTRMILTER_AUTHRES_H

#include <stdbool.h>

/* Longest authserv-id used, in bytes. */
#define AUTHRES_ID_MAX 255

/* Where the authserv-id came from (authres_pick_id()). */
enum authres_id_source {
	AUTHRES_ID_POLICY,	/* authserv_id in ptrmilter.conf */
	AUTHRES_ID_MTA,		/* the MTA's {j} macro */
	AUTHRES_ID_HOST,	/* this host's name */
	AUTHRES_ID_NONE		/* none of them is one */
};

/* True when id can be written as the authserv-id as it is: 1 to
 * AUTHRES_ID_MAX bytes, each an RFC 2045 token character (printable
 * ASCII but space and ()<>@,;:\"/[]?=), so that it is the "value" of RFC
 * 8601's grammar without quoting and every strict parser reads it back
 * the same. */
bool authres_id_valid(const char *id);

/* The first of policy, mta and host that is set and authres_id_valid(),
 * in that order (NULL and "" count as not set); *id points at it, or is
 * NULL with AUTHRES_ID_NONE. */
enum authres_id_source authres_pick_id(const char *policy, const char *mta,
    const char *host, const char **id);

/* True when the header value's authserv-id equals authserv_id.  The
 * value is read as RFC 8601 and RFC 5322 have it: whitespace, folding and
 * (nested) comments are skipped; a quoted-string is unquoted (quoted
 * pairs, folding inside it dropped) and then compared; an unquoted id
 * ends at the first byte that is not a token character.  Compared
 * without case; one trailing dot names the same host.  Hostile values
 * are fine: the scan is bounded by the string. */
bool authres_is_ours(const char *value, const char *authserv_id);

#endif
