/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_policy.c - the config parser on arbitrary text.
 *
 * policy_parse_buffer() takes the bytes as they are (no NUL needed); a
 * policy that parses is dumped, and the dump must parse back to an equal
 * policy, as policy.h promises of policy_dump().
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy.h"

static FILE *devnull;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	if (devnull == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p, *q;
	char *dump = NULL;
	size_t dumplen = 0;
	FILE *mem;

	p = policy_parse_buffer("fuzz", (const char *)data, size, NULL, NULL);
	if (p == NULL)
		return 0;
	policy_dump(p, devnull);

	/* The dump parses back to the same policy. */
	mem = open_memstream(&dump, &dumplen);
	if (mem == NULL)
		abort();
	policy_dump(p, mem);
	if (fclose(mem) != 0)
		abort();
	q = policy_parse_buffer("dump", dump, dumplen, NULL, NULL);
	if (q == NULL || !policy_equal(p, q))
		__builtin_trap();
	policy_free(q);
	free(dump);
	policy_free(p);
	return 0;
}
