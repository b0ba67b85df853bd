/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict_text.h - how verdict.c folds header values.  Untrusted text is
 * filtered before it gets here, by safe_text() (safe_text.h).
 *
 * Private to verdict.c and its unit test.  Pure code, no shared state.
 */
#ifndef PTRMILTER_VERDICT_TEXT_H
#define PTRMILTER_VERDICT_TEXT_H

#include <stddef.h>

/* Header lines are folded before this many characters where they can be
 * (RFC 5322 2.1.1 "SHOULD")... */
#define VERDICT_FOLD_WIDTH 78
/* ...and never exceed this ("MUST"), CRLF not counted. */
#define VERDICT_LINE_MAX 998

/* Builds a header value from space-separated tokens, folding with "\n\t"
 * between tokens where a line would pass VERDICT_FOLD_WIDTH.  Errors are
 * sticky: after one, every call does nothing and verdict_fold_end()
 * returns -1. */
struct verdict_fold {
	char *buf;
	size_t size;
	size_t pos;		/* where the NUL is */
	size_t col;		/* characters on the current line */
	int error;
};

/* Starts an empty value in buf; col is the width of what precedes the
 * value on the first line ("Authentication-Results: " is 24). */
void verdict_fold_init(struct verdict_fold *f, char *buf, size_t size,
    size_t col);

/* Adds one token (no spaces in it), formatted as by snprintf; a token that
 * would not fit in buf, or whose line would pass VERDICT_LINE_MAX even
 * after folding, is an error. */
void verdict_fold_add(struct verdict_fold *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Returns 0 if the value was built whole, else -1 with buf "". */
int verdict_fold_end(struct verdict_fold *f);

#endif
