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

/* Copies untrusted text as printable ASCII (every other byte becomes '?'),
 * cut to fit size.  For text that is shown, never parsed. */
void text_printable(char *dst, size_t size, const char *src);

#endif
