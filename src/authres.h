/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authres.h - reading the authserv-id of an Authentication-Results header
 * that arrived with a message (RFC 8601 section 5: ours are removed).
 *
 * Pure code.
 */
#ifndef PTRMILTER_AUTHRES_H
#define PTRMILTER_AUTHRES_H

#include <stdbool.h>

/* True when the header value's authserv-id - the first token, after any
 * whitespace, folding and (nested) comments, up to ';', whitespace or a
 * comment - equals authserv_id, ignoring case.  A quoted authserv-id is
 * compared by its content.  Hostile values are fine: the scan is bounded
 * by the string. */
bool authres_is_ours(const char *value, const char *authserv_id);

#endif
