/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unit.h - helpers shared by the cmocka unit tests.  Include it after
 * <cmocka.h>.
 */
#ifndef PTRMILTER_UNIT_H
#define PTRMILTER_UNIT_H

#include "addr.h"
#include "regdom.h"

/* Parses an address that the test knows is valid; fails the test if it
 * does not parse. */
static inline struct addr
parse_ok(const char *text)
{
	struct addr a;

	if (addr_parse(text, &a) != 0)
		fail_msg("addr_parse(\"%s\") failed", text);
	return a;
}

/* Group setup and teardown for tests whose rows compare registered
 * domains: every supported system has a Public Suffix List (a file or
 * built in), and the same-domain rows depend on it. */
static inline int
unit_regdom_setup(void **state)
{
	(void)state;
	return regdom_init();
}

static inline int
unit_regdom_teardown(void **state)
{
	(void)state;
	regdom_exit();
	return 0;
}

#endif
