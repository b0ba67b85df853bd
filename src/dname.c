/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dname.c - DNS names off the wire: decoding, escaping, hostname syntax,
 * comparison; see dname.h.
 *
 * Pure code: no I/O, no allocation, no locale (character classes are
 * spelled out in ASCII, so a setlocale() elsewhere changes nothing).
 * Every byte of wire data is bounds-checked before it is read, and text
 * that does not fit is an error, never a truncated name.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "dname.h"
#include "text.h"

static void escape_octet(unsigned char c, char out[5]);
static size_t name_length(const char *s);

/*
 * Writes the presentation form of one label octet into out (at most four
 * characters and a NUL): letters, digits, '-' and '_' as they are; "\."
 * and "\\"; \DDD for bytes outside 0x21..0x7e and for the characters that
 * mean something in a zone file or a header (space " ( ) ; @ $); any
 * other printable byte as it is.
 */
static void
escape_octet(unsigned char c, char out[5])
{
	if (c == '.' || c == '\\') {
		out[0] = '\\';
		out[1] = (char)c;
		out[2] = '\0';
	} else if (c < 0x21 || c > 0x7e || strchr("\"();@$", c) != NULL) {
		/* c < 0x21 first: strchr() would also match c == 0. */
		(void)snprintf(out, 5, "\\%03u", (unsigned)c);
	} else {
		out[0] = (char)c;
		out[1] = '\0';
	}
}

int
dname_wire_to_text(const uint8_t *wire, size_t len, char *text, size_t size)
{
	char esc[5];
	size_t off = 0, pos = 0;
	bool first = true;
	int ret = -1;

	if (wire == NULL || text == NULL)
		goto end;
	/* A longer buffer holds a name over 255 octets or trailing bytes. */
	if (len == 0 || len > DNAME_WIRE_MAX)
		goto end;
	if (wire[0] == 0) {
		/* The root name alone. */
		if (len != 1 || text_append(text, size, &pos, ".") == -1)
			goto end;
		ret = 0;
		goto end;
	}
	if (text_append(text, size, &pos, "") == -1)
		goto end;
	for (;;) {
		size_t label, i;

		if (off >= len)
			goto end;		/* no root label */
		label = wire[off++];
		if (label == 0)
			break;
		/* 0xc0: compression pointer; 0x40, 0x80: extended labels. */
		if ((label & 0xc0) != 0 || label > DNAME_LABEL_MAX)
			goto end;
		if (label > len - off)
			goto end;		/* truncated label */
		if (!first && text_append(text, size, &pos, ".") == -1)
			goto end;
		first = false;
		for (i = 0; i < label; i++) {
			escape_octet(wire[off + i], esc);
			if (text_append(text, size, &pos, esc) == -1)
				goto end;
		}
		off += label;
	}
	if (off != len)
		goto end;			/* trailing bytes */
	ret = 0;
end:
	if (ret == -1 && text != NULL && size > 0)
		text[0] = '\0';
	return ret;
}

int
dname_mx_to_text(const uint8_t *rdata, size_t len, unsigned *preference,
    char *text, size_t size)
{
	if (size > 0)
		text[0] = '\0';
	if (len < 3)
		return -1;
	*preference = (unsigned)rdata[0] << 8 | rdata[1];
	return dname_wire_to_text(rdata + 2, len - 2, text, size);
}

bool
dname_is_hostname(const char *text, size_t len, unsigned flags)
{
	size_t i, label = 0;
	bool digits_only = true;
	unsigned char prev = '.';

	if (text == NULL)
		return false;
	if (len > 0 && text[len - 1] == '.')
		len--;				/* one trailing dot */
	if (len == 0 || len > DNAME_HOSTNAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '.') {
			/* Empty label, or a label ending in '-'. */
			if (label == 0 || prev == '-')
				return false;
			label = 0;
			digits_only = true;
		} else if (ascii_is_alpha(c) || ascii_is_digit(c) ||
		    (c == '_' && (flags & DNAME_HOST_UNDERSCORE)) ||
		    (c == '-' && label > 0)) {
			if (++label > DNAME_LABEL_MAX)
				return false;
			if (!ascii_is_digit(c))
				digits_only = false;
		} else {
			return false;
		}
		prev = c;
	}
	/* "a.." leaves an empty last label; "a-" ends in a hyphen. */
	if (label == 0 || prev == '-')
		return false;
	return !(digits_only && (flags & DNAME_HOST_NOT_NUMERIC));
}

/*
 * Length of a presentation name without its trailing dot, if it has one
 * that is not escaped: "a\." keeps its dot, "a\\." loses it.
 */
static size_t
name_length(const char *s)
{
	size_t len = strlen(s), slashes = 0;

	if (len == 0 || s[len - 1] != '.')
		return len;
	while (slashes < len - 1 && s[len - 2 - slashes] == '\\')
		slashes++;
	return slashes % 2 == 0 ? len - 1 : len;
}

size_t
dname_escape_length(const char *s, size_t pos, size_t len)
{
	if (len - pos >= 4 && ascii_is_digit((unsigned char)s[pos + 1]) &&
	    ascii_is_digit((unsigned char)s[pos + 2]) &&
	    ascii_is_digit((unsigned char)s[pos + 3]))
		return 4;
	return len - pos >= 2 ? 2 : 1;
}

bool
dname_equal(const char *a, const char *b)
{
	size_t len, i = 0;

	if (a == NULL || b == NULL)
		return false;
	len = name_length(a);
	if (name_length(b) != len)
		return false;
	while (i < len) {
		if (a[i] == '\\') {
			/* Escapes compare byte for byte: "\." is not ".". */
			size_t n = dname_escape_length(a, i, len);

			if (memcmp(a + i, b + i, n) != 0)
				return false;
			i += n;
		} else {
			if (ascii_fold((unsigned char)a[i]) !=
			    ascii_fold((unsigned char)b[i]))
				return false;
			i++;
		}
	}
	return true;
}
