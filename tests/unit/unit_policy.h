/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unit_policy.h - what the policy tests share: the reporter that collects
 * error lines, and the dump as text.  Include it after <cmocka.h> and
 * "policy.h".
 */
#ifndef PTRMILTER_UNIT_POLICY_H
#define PTRMILTER_UNIT_POLICY_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ERRORS 64

/* What the reporter collected. */
struct errors {
	char *lines[MAX_ERRORS];
	size_t count;
};

/* A policy_reporter: arg is a struct errors. */
static inline void
collect(void *arg, const char *message)
{
	struct errors *e = arg;

	assert_true(e->count < MAX_ERRORS);
	e->lines[e->count] = strdup(message);
	assert_non_null(e->lines[e->count]);
	e->count++;
}

static inline void
errors_clear(struct errors *e)
{
	for (size_t i = 0; i < e->count; i++)
		free(e->lines[i]);
	e->count = 0;
}

/* policy_dump() of p, allocated. */
static inline char *
dump_text(const struct policy *p)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	policy_dump(p, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

#endif
