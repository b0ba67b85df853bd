/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * text.h - bounded string building shared by the pure modules.
 */
#ifndef PTRMILTER_TEXT_H
#define PTRMILTER_TEXT_H

#include <stddef.h>

/* Appends s to buf at *pos, keeping the terminating NUL, and advances
 * *pos.  Returns -1, leaving buf as it was, if s and the NUL do not fit in
 * size. */
int text_append(char *buf, size_t size, size_t *pos, const char *s);

#endif
