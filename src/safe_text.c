/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * safe_text.c - one filter, one table of output classes; see safe_text.h.
 *
 * A class is a row: the bytes that pass (a range less a few), what stands
 * in for the others, and how text too long is cut.  Adding a class is
 * adding a row, so no place grows a loop of its own again.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "safe_text.h"

#define ELLIPSIS "..."
#define ELLIPSIS_LEN (sizeof(ELLIPSIS) - 1)
/* The longest stand-in: "\u00XX" and its NUL. */
#define PIECE_MAX 8

enum stand_in {
	STAND_QUESTION,		/* '?' */
	STAND_HEX,		/* \xHH */
	STAND_JSON		/* \" \\ or \u00XX */
};

enum cut {
	CUT_SILENT,		/* stop where the next piece does not fit */
	CUT_MARK_WITHIN,	/* "..." inside min(shown, size - 1) */
	CUT_MARK_AFTER		/* "..." after shown source bytes, if it fits */
};

struct rule {
	unsigned char lo, hi;	/* bytes outside lo..hi are replaced */
	const char *also;	/* and so are these */
	enum stand_in stand_in;
	enum cut cut;
	size_t shown;		/* CUT_MARK_*: the bound */
	bool dns_escapes;	/* a cut never splits \X or \DDD */
};

static const struct rule rules[SAFE_TEXT_CLASS_COUNT] = {
	[SAFE_TEXT_LOG] = { 0x20, 0xff, "\x7f", STAND_QUESTION, CUT_SILENT,
	    0, false },
	[SAFE_TEXT_REPLY] = { 0x20, 0x7e, "", STAND_QUESTION, CUT_SILENT,
	    0, false },
	[SAFE_TEXT_REASON] = { 0x21, 0x7e, "()[];\\\"", STAND_QUESTION,
	    CUT_SILENT, 0, false },
	[SAFE_TEXT_HEADER] = { 0x21, 0x7e, "();\\\"<>", STAND_QUESTION,
	    CUT_MARK_WITHIN, SAFE_TEXT_HEADER_SHOWN, false },
	[SAFE_TEXT_HEADER_REASON] = { 0x21, 0x7e, "();\\\"<>[]",
	    STAND_QUESTION, CUT_MARK_WITHIN, SAFE_TEXT_HEADER_SHOWN, false },
	[SAFE_TEXT_HEADER_NAME] = { 0x21, 0x7e, "();\"", STAND_QUESTION,
	    CUT_MARK_WITHIN, SAFE_TEXT_HEADER_SHOWN, true },
	[SAFE_TEXT_CONFIG] = { 0x20, 0x7e, "", STAND_HEX, CUT_MARK_AFTER,
	    SAFE_TEXT_CONFIG_SHOWN, false },
	[SAFE_TEXT_TERMINAL] = { 0x20, 0x7e, "\\", STAND_HEX, CUT_SILENT,
	    0, false },
	[SAFE_TEXT_JSON] = { 0x20, 0x7e, "\"\\", STAND_JSON, CUT_SILENT,
	    0, false },
	[SAFE_TEXT_QUEUE_ID] = { '-', 'z', "/:;<=>?@[\\]^`", STAND_QUESTION,
	    CUT_MARK_WITHIN, SAFE_TEXT_QUEUE_ID_SHOWN, false },
};

static size_t stand_in(unsigned char c, const struct rule *r,
    char piece[PIECE_MAX]);
static size_t escape_length(const char *s, size_t n);
static size_t whole_prefix(const char *src, size_t limit, bool dns_escapes);

/* Writes what shows c (never NUL) into piece; returns its length. */
static size_t
stand_in(unsigned char c, const struct rule *r, char piece[PIECE_MAX])
{
	if (c >= r->lo && c <= r->hi && strchr(r->also, c) == NULL) {
		piece[0] = (char)c;
		return 1;
	}
	switch (r->stand_in) {
	case STAND_HEX:
		return (size_t)snprintf(piece, PIECE_MAX, "\\x%02x", c);
	case STAND_JSON:
		if (c == '"' || c == '\\') {
			piece[0] = '\\';
			piece[1] = (char)c;
			return 2;
		}
		return (size_t)snprintf(piece, PIECE_MAX, "\\u%04x", c);
	case STAND_QUESTION:
		break;
	}
	piece[0] = '?';
	return 1;
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
whole_prefix(const char *src, size_t limit, bool dns_escapes)
{
	size_t i = 0, step;

	if (!dns_escapes)
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

size_t
safe_text(char *dst, size_t size, const char *src, size_t len,
    enum safe_text_class cls)
{
	char piece[PIECE_MAX];
	const struct rule *r;
	size_t keep = len, max, n, o = 0, i, plen;
	bool mark = false;

	if (size == 0)
		return 0;
	if ((unsigned)cls >= SAFE_TEXT_CLASS_COUNT) {
		dst[0] = '\0';
		return 0;
	}
	r = &rules[cls];
	if (src == NULL)
		src = "";
	switch (r->cut) {
	case CUT_SILENT:
		break;
	case CUT_MARK_WITHIN:
		max = size - 1 < r->shown ? size - 1 : r->shown;
		/* Never scan further than one byte past what can be shown. */
		n = strnlen(src, len < max + 1 ? len : max + 1);
		keep = n;
		if (n > max) {
			if (max < ELLIPSIS_LEN) {
				dst[0] = '\0';
				return 0;
			}
			keep = whole_prefix(src, max - ELLIPSIS_LEN,
			    r->dns_escapes);
			mark = true;
		}
		break;
	case CUT_MARK_AFTER:
		n = strnlen(src, len < r->shown + 1 ? len : r->shown + 1);
		keep = n < r->shown ? n : r->shown;
		mark = n > r->shown;
		break;
	}
	for (i = 0; i < keep && src[i] != '\0'; i++) {
		plen = stand_in((unsigned char)src[i], r, piece);
		if (plen > size - 1 - o)
			break;
		memcpy(dst + o, piece, plen);
		o += plen;
	}
	if (mark && ELLIPSIS_LEN <= size - 1 - o) {
		memcpy(dst + o, ELLIPSIS, ELLIPSIS_LEN);
		o += ELLIPSIS_LEN;
	}
	dst[o] = '\0';
	return i;
}
