/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * monotime.c - CLOCK_MONOTONIC arithmetic; see monotime.h.
 */
#include "config.h"

#include <time.h>

#include "monotime.h"

struct timespec
monotime_now(void)
{
	struct timespec t;

	/* CLOCK_MONOTONIC cannot fail on Linux with a valid pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

struct timespec
monotime_add_ms(struct timespec t, unsigned ms)
{
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

int64_t
monotime_diff_us(struct timespec a, struct timespec b)
{
	return ((int64_t)b.tv_sec - a.tv_sec) * 1000000 +
	    ((int64_t)b.tv_nsec - a.tv_nsec) / 1000;
}

int64_t
monotime_diff_ms(struct timespec a, struct timespec b)
{
	return monotime_diff_us(a, b) / 1000;
}

bool
monotime_passed(struct timespec deadline)
{
	return monotime_diff_us(monotime_now(), deadline) <= 0;
}
