/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict_text.h - how verdict.c shows text it does not control: filtering
 * untrusted bytes, cutting long names, folding header values.
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

/* What kind of text is shown, which decides what is kept. */
enum verdict_show {
	/* Raw untrusted bytes (HELO, MTA macros): bytes outside 0x21..0x7e
	 * and ( ) ; \ " < > become '?'. */
	VERDICT_SHOW_RAW,
	/* A tag's reason, which goes inside [ ]: as RAW, and [ ] too (what
	 * findings_add() already did, unless the findings were made by
	 * hand). */
	VERDICT_SHOW_REASON,
	/* A presentation-format DNS name (dname.h): already printable, its
	 * \. \\ \DDD escapes are kept whole; anything outside 0x21..0x7e and
	 * ( ) ; " (which dname.c escapes) still becomes '?' in case a caller
	 * passed raw text. */
	VERDICT_SHOW_NAME
};

/* Copies src into dst (size bytes, NUL included) as kind says.  Text
 * longer than VERDICT_NAME_SHOWN characters, or than fits in dst, is cut
 * and ends in "..." (never in the middle of a DNS escape), so the result
 * is at most VERDICT_NAME_SHOWN characters.  A NULL src gives "". */
void verdict_show(char *dst, size_t size, const char *src,
    enum verdict_show kind);

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
