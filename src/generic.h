/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic.h - does a host name look like a generic, dynamic or
 * provider-default name (198-51-100-20.example-broadband.com)?
 *
 * Pure code, safe from any thread.
 */
#ifndef PTRMILTER_GENERIC_H
#define PTRMILTER_GENERIC_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "generic_db.h"

#define GENERIC_REASON_MAX 96

/* Judges name (presentation form, as fcrdns records it) for client.
 * In order: allow (NULL-terminated domain suffixes from the policy, lower
 * case, no outer dots; may be NULL) and the db's sender domains make a
 * name specific ("allow:example.com"); the db's provider patterns make it
 * generic ("provider:aws-ec2"); then the built-in rules.  db may be NULL
 * (built-in rules only).  Returns true when generic and
 * writes the reason ("ip-in-name:198-51-100-20", "token:dynamic");
 * returns false otherwise, with a reason only for an allow-list match
 * ("allow:example.com"), else "".  The reason is cut to fit size; reason
 * may be NULL when size is 0.  A name longer than a host name can be
 * (254 characters with a trailing dot) is not generic. */
bool generic_check(const struct generic_db *db, const struct addr *client,
    const char *name, const char *const *allow, char *reason, size_t size);

#endif
