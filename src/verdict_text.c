/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict_text.c - folding the header values verdict.c builds; see
 * verdict_text.h.
 *
 * It promises that a value is folded only between tokens, and that a
 * token is visible ASCII: with the untrusted parts filtered by
 * safe_text(), a HELO of 2000 hostile bytes can neither break a header
 * line nor forge a field.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "verdict_text.h"

/* Longest token: a cut name with its key and punctuation fits easily. */
#define TOKEN_MAX 512

static bool is_token(const char *s);

/* A token holds visible ASCII only: no space, tab, CR or LF of its own. */
static bool
is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return false;
	}
	return true;
}

void
verdict_fold_init(struct verdict_fold *f, char *buf, size_t size, size_t col)
{
	f->buf = buf;
	f->size = size;
	f->pos = 0;
	f->col = col;
	f->error = size == 0;
	if (size > 0)
		buf[0] = '\0';
}

void
verdict_fold_add(struct verdict_fold *f, const char *fmt, ...)
{
	char token[TOKEN_MAX];
	const char *sep;
	size_t len, seplen, col;
	va_list ap;
	int n;

	if (f->error)
		return;
	va_start(ap, fmt);
	n = vsnprintf(token, sizeof(token), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(token) || !is_token(token))
		goto fail;
	len = (size_t)n;

	if (f->pos == 0) {
		/* The first token follows the field name; there is no
		 * whitespace before it to fold at. */
		sep = "";
		col = f->col + len;
	} else if (f->col + 1 + len <= VERDICT_FOLD_WIDTH) {
		sep = " ";
		col = f->col + 1 + len;
	} else {
		/* A tab counts as one character of the line. */
		sep = "\n\t";
		col = 1 + len;
	}
	if (col > VERDICT_LINE_MAX)
		goto fail;
	seplen = strlen(sep);
	if (f->size - f->pos <= seplen + len)
		goto fail;
	memcpy(f->buf + f->pos, sep, seplen);
	memcpy(f->buf + f->pos + seplen, token, len + 1);
	f->pos += seplen + len;
	f->col = col;
	return;
fail:
	f->error = 1;
}

int
verdict_fold_end(struct verdict_fold *f)
{
	if (f->error || f->pos == 0) {
		if (f->size > 0)
			f->buf[0] = '\0';
		return -1;
	}
	return 0;
}
