/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * recipient.h - the RCPT TO argument and the entries of exempt_recipients.
 *
 * Pure code, no allocation.  The argument comes from the network through
 * the MTA and is hostile: it is read within RECIPIENT_ARG_MAX bytes, with
 * or without its angle brackets, a source route (<@a,@b:user@domain>,
 * RFC 5321 4.1.2, to be ignored) dropped, a quoted local part
 * ("John Doe"@example.com) unquoted, and anything that does not parse
 * is no recipient at all - so never exempt.
 *
 * An entry of exempt_recipients is one of
 *   postmaster            that local part in every domain,
 *   abuse@example.net     that address,
 *   @example.org          every address in that domain;
 * lower case, compared without regard to ASCII case, a domain without
 * its trailing dot.
 */
#ifndef PTRMILTER_RECIPIENT_H
#define PTRMILTER_RECIPIENT_H

#include <stdbool.h>

#include "dname.h"

/* Longest argument read: RFC 5321 4.5.3.1.3 allows a path of 256 octets;
 * a longer one is no recipient we exempt. */
#define RECIPIENT_ARG_MAX 1024
/* RFC 5321 4.5.3.1.1: 64 octets of local part. */
#define RECIPIENT_LOCAL_MAX 64

struct recipient {
	char local[RECIPIENT_LOCAL_MAX + 1];	/* unquoted, lower case */
	char domain[DNAME_HOSTNAME_MAX + 1];	/* lower case, no trailing
						   dot; "" when none was
						   given (<postmaster>) */
};

/* Parses the RCPT argument as the MTA passed it ("<User@Example.COM>").
 * Returns 0, or -1 for anything that is not one recipient (NULL, "<>",
 * too long, unbalanced quotes, an empty local part, a domain that is
 * no host name or address literal). */
int recipient_parse(const char *arg, struct recipient *out);

/* Whether an entry (as the policy holds it: lower case) is well formed. */
bool recipient_entry_valid(const char *entry);

/* The first entry of the NULL-terminated list that r matches, or NULL. */
const char *recipient_match(char *const *entries, const struct recipient *r);

#endif
