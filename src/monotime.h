/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * monotime.h - absolute deadlines on CLOCK_MONOTONIC.
 *
 * Deadlines are absolute so that one budget (dns_timeout from connect) can
 * be shared by every wait that follows, and monotonic so that a clock step
 * never shortens or stretches it.
 */
#ifndef PTRMILTER_MONOTIME_H
#define PTRMILTER_MONOTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Now, on CLOCK_MONOTONIC. */
struct timespec monotime_now(void);

/* t + ms milliseconds, normalised. */
struct timespec monotime_add_ms(struct timespec t, unsigned ms);

/* Milliseconds from a to b (negative if b is before a). */
int64_t monotime_diff_ms(struct timespec a, struct timespec b);

/* Microseconds from a to b. */
int64_t monotime_diff_us(struct timespec a, struct timespec b);

/* True once the deadline has passed. */
bool monotime_passed(struct timespec deadline);

#endif
