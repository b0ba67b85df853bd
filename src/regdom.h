/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * regdom.h - registered domains from the Public Suffix List (libpsl).
 *
 * regdom_init() loads the newest list the system has (the publicsuffix
 * package's file when installed, else the list built into libpsl) once at
 * start-up; after that every call only reads it, from any thread
 * (regdom_provider_domain() also writes a cache of the calling thread's
 * own).  Call regdom_init() before the threads that judge names start.
 */
#ifndef PTRMILTER_REGDOM_H
#define PTRMILTER_REGDOM_H

#include <stdbool.h>

/* Loads the list.  Returns 0, or -1 if libpsl has no list at all (then
 * the registered domain is the last two labels). Calling it again is a
 * no-op. */
int regdom_init(void);

/* Frees the list (for leak checkers at exit). */
void regdom_exit(void);

/* True when both host names (lower case, no trailing dot) have a
 * registered domain and it is the same: "mx1.mail.example.co.uk" and
 * "gw.example.co.uk".  False for a name that is itself a public suffix. */
bool regdom_same(const char *a, const char *b);

/*
 * The provider's domain in name (lower case, no trailing dot), as a
 * pointer into name: one label under the longest suffix of the ICANN
 * part of the list ("example.co.uk" in "mx1.example.co.uk", "xyz.ru"
 * in "198-51-100-7.xyz.ru").  The list's private part is left out: a
 * hosting customer's zone ("compute-1.amazonaws.com") is still under
 * its provider's.  NULL when name is itself a public suffix.  Without
 * a list, the last two labels.
 */
const char *regdom_provider_domain(const char *name);

/* True when name (lower case, no trailing dot) is itself a public
 * suffix, one under which anyone may register a domain: a top-level
 * domain (any single label, listed or not), "co.uk", or a suffix of the
 * list's private section ("github.io").  Without a list, a single label.
 * Loads the list first if regdom_init() has not been called; call that
 * before threads do. */
bool regdom_is_public_suffix(const char *name);

#endif
