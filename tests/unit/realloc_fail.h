/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * realloc_fail.h - a realloc() that a test can make fail, for the unit
 * tests linked with -Wl,--wrap=realloc and realloc_fail.c: every call
 * of the program goes through __wrap_realloc().
 */
#ifndef PTRMILTER_REALLOC_FAIL_H
#define PTRMILTER_REALLOC_FAIL_H

#include <stddef.h>

/* realloc() calls left before one fails; negative (the start): none
 * fails.  Once it fails, every call fails until the test sets it again. */
extern int realloc_fails_after;

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

#endif
