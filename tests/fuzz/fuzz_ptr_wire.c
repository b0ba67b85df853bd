/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_ptr_wire.c - the PTR rdata decoder on arbitrary wire bytes.
 *
 * On success the text is printable ASCII with no NUL inside and shorter
 * than DNAME_TEXT_MAX, it encodes back to exactly the input bytes (the
 * escapes are lossless, case is kept), it equals itself under
 * dname_equal(), and a buffer one byte short fails cleanly with "".
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"

/* The presentation form back to wire format; returns the length. */
static size_t
text_to_wire(const char *t, uint8_t *out, size_t size)
{
	size_t pos = 0, lenpos;

	if (strcmp(t, ".") == 0) {
		out[0] = 0;
		return 1;
	}
	while (*t != '\0') {
		lenpos = pos++;
		while (*t != '\0' && *t != '.') {
			uint8_t c;

			if (*t == '\\') {
				if (t[1] >= '0' && t[1] <= '9') {
					if (!(t[2] >= '0' && t[2] <= '9' &&
					    t[3] >= '0' && t[3] <= '9'))
						__builtin_trap();
					unsigned v = (unsigned)(t[1] - '0') *
					    100 + (unsigned)(t[2] - '0') * 10 +
					    (unsigned)(t[3] - '0');
					if (v > 255)
						__builtin_trap();
					c = (uint8_t)v;
					t += 4;
				} else if (t[1] == '.' || t[1] == '\\') {
					c = (uint8_t)t[1];
					t += 2;
				} else {
					__builtin_trap();	/* bad escape */
				}
			} else {
				c = (uint8_t)*t++;
			}
			if (pos >= size)
				__builtin_trap();
			out[pos++] = c;
		}
		if (pos - lenpos - 1 == 0 || pos - lenpos - 1 > DNAME_LABEL_MAX)
			__builtin_trap();
		out[lenpos] = (uint8_t)(pos - lenpos - 1);
		if (*t == '.') {
			t++;
			if (*t == '\0')
				__builtin_trap();	/* trailing dot */
		}
	}
	if (pos >= size)
		__builtin_trap();
	out[pos++] = 0;
	return pos;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[DNAME_TEXT_MAX], shorter[DNAME_TEXT_MAX];
	uint8_t wire[DNAME_WIRE_MAX + 2];
	size_t len, wlen;

	memset(text, 'x', sizeof(text));
	if (dname_wire_to_text(data, size, text, sizeof(text)) != 0) {
		if (text[0] != '\0')
			__builtin_trap();
		return 0;
	}
	len = strnlen(text, sizeof(text));
	if (len == 0 || len >= DNAME_TEXT_MAX)
		__builtin_trap();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x21 ||
		    (unsigned char)text[i] > 0x7e)
			__builtin_trap();
	wlen = text_to_wire(text, wire, sizeof(wire));
	if (wlen != size || memcmp(wire, data, size) != 0)
		__builtin_trap();
	if (!dname_equal(text, text))
		__builtin_trap();
	if (dname_is_hostname(text, strlen(text), 0) && strchr(text, '\\') != NULL)
		__builtin_trap();

	/* Exactly fitting works, one byte less fails with "". */
	if (dname_wire_to_text(data, size, shorter, len + 1) != 0 ||
	    strcmp(shorter, text) != 0)
		__builtin_trap();
	memset(shorter, 'x', sizeof(shorter));
	if (dname_wire_to_text(data, size, shorter, len) != -1 ||
	    shorter[0] != '\0')
		__builtin_trap();
	return 0;
}
