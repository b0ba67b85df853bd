/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_safe_text.c - safe_text() in every output class over arbitrary
 * bytes and destination sizes.
 *
 * Input: byte 0 picks the class, byte 1 the destination size (0..255),
 * byte 2 how much of the rest is passed as len (255: all of it); the
 * rest is the source, given without a NUL so that a read past len is an
 * ASan report.
 *
 * Checked: nothing is written past size and the output is NUL-terminated
 * within it; the return value never passes len or the source's NUL;
 * every output byte belongs to the class; a one-for-one class writes the
 * source byte or '?' in its place, gives the same in place, and the
 * filters are idempotent; a header text stays within its bound;
 * TERMINAL and JSON decode back to exactly the source bytes consumed,
 * and stream a long source to its end.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "safe_text.h"

#define CANARY 0xa5
#define DST_MAX 256

static bool allowed(enum safe_text_class cls, unsigned char c);
static bool one_for_one(enum safe_text_class cls);
static size_t decode(const char *out, enum safe_text_class cls,
    unsigned char *back, size_t size);
static int hex(char c);

/* The bytes each class may write: its specification, kept apart from
 * the table in safe_text.c on purpose. */
static bool
allowed(enum safe_text_class cls, unsigned char c)
{
	switch (cls) {
	case SAFE_TEXT_LOG:
		return c >= 0x20 && c != 0x7f;
	case SAFE_TEXT_REASON:
		return c > 0x20 && c < 0x7f && strchr("()[];\\\"", c) == NULL;
	case SAFE_TEXT_HEADER:
		return c > 0x20 && c < 0x7f && strchr("();\\\"<>", c) == NULL;
	case SAFE_TEXT_HEADER_REASON:
		return c > 0x20 && c < 0x7f &&
		    strchr("();\\\"<>[]", c) == NULL;
	case SAFE_TEXT_HEADER_NAME:
		return c > 0x20 && c < 0x7f && strchr("();\"", c) == NULL;
	case SAFE_TEXT_QUEUE_ID:
		/* '?' too: it stands in for the others. */
		return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || (c != 0 && strchr("-._?", c));
	case SAFE_TEXT_REPLY:
	case SAFE_TEXT_CONFIG:
	case SAFE_TEXT_TERMINAL:
	case SAFE_TEXT_JSON:
	case SAFE_TEXT_CLASS_COUNT:
		break;
	}
	return c >= 0x20 && c < 0x7f;
}

static bool
one_for_one(enum safe_text_class cls)
{
	return cls != SAFE_TEXT_CONFIG && cls != SAFE_TEXT_TERMINAL &&
	    cls != SAFE_TEXT_JSON;
}

static int
hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undoes TERMINAL's or JSON's escapes; traps on one that is not
 * well-formed, or on a bare '"' in JSON. */
static size_t
decode(const char *out, enum safe_text_class cls, unsigned char *back,
    size_t size)
{
	size_t n = 0;

	while (*out != '\0') {
		int v;

		if (n >= size)
			__builtin_trap();
		if (*out != '\\') {
			if (cls == SAFE_TEXT_JSON && *out == '"')
				__builtin_trap();
			back[n++] = (unsigned char)*out++;
			continue;
		}
		if (cls == SAFE_TEXT_TERMINAL) {
			if (out[1] != 'x' || hex(out[2]) < 0 || hex(out[3]) < 0)
				__builtin_trap();
			v = hex(out[2]) * 16 + hex(out[3]);
			out += 4;
		} else if (out[1] == '"' || out[1] == '\\') {
			v = (unsigned char)out[1];
			out += 2;
		} else {
			if (strncmp(out, "\\u00", 4) != 0 || hex(out[4]) < 0 ||
			    hex(out[5]) < 0)
				__builtin_trap();
			v = hex(out[4]) * 16 + hex(out[5]);
			out += 6;
		}
		back[n++] = (unsigned char)v;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char dst[DST_MAX + 1], again[DST_MAX + 1];
	unsigned char back[DST_MAX];
	enum safe_text_class cls;
	size_t dsize, len, avail, used, out;
	char *src;

	if (size < 3)
		return 0;
	cls = (enum safe_text_class)(data[0] % SAFE_TEXT_CLASS_COUNT);
	dsize = data[1];
	len = data[2] == 255 ? SAFE_TEXT_ALL : data[2];
	data += 3;
	size -= 3;
	src = malloc(size > 0 ? size : 1);
	if (src == NULL)
		return 0;
	memcpy(src, data, size);
	/* The source ends at its NUL, at len or at the buffer's end. */
	if (len > size)
		len = size;
	avail = strnlen(src, len);

	memset(dst, CANARY, sizeof(dst));
	used = safe_text((char *)dst, dsize, src, len, cls);
	for (size_t i = dsize; i < sizeof(dst); i++)
		if (dst[i] != CANARY)
			__builtin_trap();	/* written past size */
	if (used > avail)
		__builtin_trap();
	if (dsize == 0) {
		if (used != 0)
			__builtin_trap();
		goto end;
	}
	out = strnlen((char *)dst, dsize);
	if (out >= dsize)
		__builtin_trap();		/* not terminated */
	for (size_t i = 0; i < out; i++)
		if (!allowed(cls, dst[i]))
			__builtin_trap();

	if (cls == SAFE_TEXT_HEADER || cls == SAFE_TEXT_HEADER_REASON ||
	    cls == SAFE_TEXT_HEADER_NAME) {
		if (out > SAFE_TEXT_HEADER_SHOWN)
			__builtin_trap();
	}
	if (cls == SAFE_TEXT_QUEUE_ID && out > SAFE_TEXT_QUEUE_ID_SHOWN)
		__builtin_trap();
	if (cls == SAFE_TEXT_CONFIG && out > SAFE_TEXT_CONFIG_SHOWN * 4 + 3)
		__builtin_trap();

	if (one_for_one(cls)) {
		/* Each byte kept or replaced by '?', in order; "..." only
		 * after a cut. */
		for (size_t i = 0; i < used; i++) {
			unsigned char c = (unsigned char)src[i];

			if (dst[i] != (allowed(cls, c) ? c : '?'))
				__builtin_trap();
		}
		if (out != used && !(out == used + 3 &&
		    memcmp(dst + used, "...", 3) == 0 && used < avail))
			__builtin_trap();
		/* In place, as the log filters a line that fits, gives the
		 * same. */
		if (avail < dsize) {
			memcpy(again, src, avail);
			again[avail] = '\0';
			(void)safe_text((char *)again, dsize, (char *)again,
			    len, cls);
			if (strcmp((char *)again, (char *)dst) != 0)
				__builtin_trap();
		}
		/* Idempotent: the output passes through unchanged. */
		(void)safe_text((char *)again, dsize, (char *)dst,
		    SAFE_TEXT_ALL, cls);
		if (strcmp((char *)again, (char *)dst) != 0)
			__builtin_trap();
	}

	if (cls == SAFE_TEXT_TERMINAL || cls == SAFE_TEXT_JSON) {
		/* Lossless: the output decodes to the bytes consumed. */
		if (decode((char *)dst, cls, back, sizeof(back)) != used ||
		    memcmp(back, src, used) != 0)
			__builtin_trap();
		/* A buffer that holds the widest escape streams it all. */
		if (dsize >= 7) {
			size_t pos = 0, step;

			while (pos < avail) {
				step = safe_text((char *)again, dsize,
				    src + pos, len - pos, cls);
				if (step == 0)
					__builtin_trap();
				pos += step;
			}
			if (pos != avail)
				__builtin_trap();
		}
	}
end:
	free(src);
	return 0;
}
