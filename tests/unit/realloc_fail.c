/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * realloc_fail.c - see realloc_fail.h.
 */
#include "config.h"

#include "realloc_fail.h"

int realloc_fails_after = -1;

void *
__wrap_realloc(void *p, size_t n)
{
	if (realloc_fails_after == 0)
		return NULL;
	if (realloc_fails_after > 0)
		realloc_fails_after--;
	return __real_realloc(p, n);
}
