/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict_text.c - showing text verdict.c does not control; see
 * verdict_text.h.
 *
 * It promises that what leaves here is printable ASCII, bounded, and - for
 * header values - folded only between tokens, so a HELO of 2000 hostile
 * bytes can neither break a header line nor forge a field.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "verdict.h"
#include "verdict_text.h"

#define ELLIPSIS "..."
/* Longest token: a cut name with its key and punctuation fits easily. */
#define TOKEN_MAX 512

static char show_byte(unsigned char c, enum verdict_show kind);
static size_t escape_length(const char *s, size_t n);
static size_t whole_prefix(const char *src, size_t limit,
    enum verdict_show kind);
static bool is_token(const char *s);

static char
show_byte(unsigned char c, enum verdict_show kind)
{
	switch (kind) {
	case VERDICT_SHOW_NAME:
		/* The backslash starts an escape here: keep it.  dname.c
		 * escapes ( ) ; " itself, so finding one means the caller
		 * passed raw text. */
		if (c < 0x21 || c > 0x7e || strchr("();\"", c) != NULL)
			return '?';
		return (char)c;
	case VERDICT_SHOW_REASON:
		if (c == '[' || c == ']')
			return '?';
		break;
	case VERDICT_SHOW_RAW:
		break;
	}
	if (c < 0x21 || c > 0x7e || strchr("();\\\"<>", c) != NULL)
		return '?';
	return (char)c;
}

/* Length of the DNS escape that starts at s (at most n bytes there):
 * "\DDD" is 4, "\x" is 2; a lone backslash at the end is 1. */
static size_t
escape_length(const char *s, size_t n)
{
	if (n >= 4 && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
	    s[2] <= '9' && s[3] >= '0' && s[3] <= '9')
		return 4;
	return n >= 2 ? 2 : 1;
}

/* How many bytes of src to keep when it is cut to at most limit: for a
 * DNS name, the cut backs off to the start of an escape it would split,
 * so that "\0" + "..." cannot show up as a different name. */
static size_t
whole_prefix(const char *src, size_t limit, enum verdict_show kind)
{
	size_t i = 0, step;

	if (kind != VERDICT_SHOW_NAME)
		return limit;
	while (i < limit) {
		step = 1;
		if (src[i] == '\\')
			step = escape_length(src + i, strnlen(src + i, 4));
		if (i + step > limit)
			break;
		i += step;
	}
	return i;
}

void
verdict_show(char *dst, size_t size, const char *src, enum verdict_show kind)
{
	size_t max, n, keep, i;

	if (size == 0)
		return;
	if (src == NULL)
		src = "";
	max = size - 1 < VERDICT_NAME_SHOWN ? size - 1 : VERDICT_NAME_SHOWN;
	/* Never scan further than one byte past what can be shown. */
	n = strnlen(src, max + 1);
	keep = n;
	if (n > max) {
		if (max < sizeof(ELLIPSIS) - 1) {
			dst[0] = '\0';
			return;
		}
		keep = whole_prefix(src, max - (sizeof(ELLIPSIS) - 1), kind);
	}
	for (i = 0; i < keep; i++)
		dst[i] = show_byte((unsigned char)src[i], kind);
	if (keep < n) {
		memcpy(dst + i, ELLIPSIS, sizeof(ELLIPSIS) - 1);
		i += sizeof(ELLIPSIS) - 1;
	}
	dst[i] = '\0';
}

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
