/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unit.h - helpers shared by the cmocka unit tests.  Include it after
 * <cmocka.h>.
 */
#ifndef PTRMILTER_UNIT_H
#define PTRMILTER_UNIT_H

#include "addr.h"

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

#endif
