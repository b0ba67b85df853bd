/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dname.h - DNS names as they come off the wire.
 *
 * Everything a DNS answer carries is hostile: a PTR name may hold any byte
 * in a label, including '.', NUL, spaces and 8-bit bytes.  These functions
 * decode an uncompressed wire-format name, check its limits (labels of at
 * most 63 octets, at most 255 octets in all), and write it in presentation
 * format with RFC 4343 escapes (\. \\ \DDD), so that what we print, log or
 * put in a header is always printable ASCII and always means the same name.
 *
 * Pure code: no I/O, no allocation, no locale, no shared state; safe from
 * any thread.
 */
#ifndef PTRMILTER_DNAME_H
#define PTRMILTER_DNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest name in wire format, length bytes and root label included. */
#define DNAME_WIRE_MAX 255
/* Longest label, in octets. */
#define DNAME_LABEL_MAX 63
/* Room for any decoded name and its NUL: every octet escaped as \DDD
 * (4 chars), plus the dots.  A safe bound; the true worst case is
 * labels of 63, 63, 63 and 61 octets all escaped: 1003 chars and NUL. */
#define DNAME_TEXT_MAX (DNAME_WIRE_MAX * 4 + 1)

/* Decodes one name from rdata that holds exactly one uncompressed name (a
 * PTR or CNAME rdata) in exactly len bytes.  Compression pointers (length
 * byte 0xC0..0xFF), extended label types (0x40..0xBF), a label running
 * past len, a missing root label, a name over 255 octets, or trailing
 * bytes after the root label are errors.
 * Writes the presentation form (no trailing dot; the root name is "."):
 * letters, digits and every other printable byte as they are, except
 * "." -> "\.", "\" -> "\\", and \DDD (three decimal digits) for bytes
 * outside 0x21..0x7E and for space " ( ) ; @ $.  Case is kept.
 * Returns 0, or -1 on invalid data or if the text and its NUL do not fit
 * in size (DNAME_TEXT_MAX always fits); on -1 text is "" when size > 0. */
int dname_wire_to_text(const uint8_t *wire, size_t len, char *text, size_t size);

/* Decodes an MX rdata (RFC 1035 3.3.9): a 16-bit preference, then one
 * uncompressed name filling the rest, as dname_wire_to_text() takes it
 * (the resolver hands rdata over with names uncompressed).  Writes the
 * preference to *preference and the name to text.  Returns 0, or -1 on
 * rdata shorter than 3 bytes or an invalid name (text then as
 * dname_wire_to_text() leaves it). */
int dname_mx_to_text(const uint8_t *rdata, size_t len, unsigned *preference,
    char *text, size_t size);

/* Longest hostname in presentation form without the trailing dot. */
#define DNAME_HOSTNAME_MAX 253

/* What dname_is_hostname() accepts beyond strict LDH. */
#define DNAME_HOST_UNDERSCORE	0x1	/* '_' in a label, as Postfix
					   tolerates in a HELO */
#define DNAME_HOST_NOT_NUMERIC	0x2	/* and refuses an all-digit last
					   label: "1.2.3" is a mangled
					   address, not a name */

/* True if text[0..len) (NULL: false) needs no escapes and every label is
 * a letter-digit-hyphen label: the kind of name that can be looked up and
 * compared as plain text.  Labels are 1..63 characters and neither start
 * nor end with '-'; '_' only with DNAME_HOST_UNDERSCORE; the name is at
 * most DNAME_HOSTNAME_MAX characters plus one optional trailing dot.  A
 * NUL within len is a byte like any other, so not a hostname.  The root
 * "." is not a hostname.  All-digit labels pass ("198.51.100.20" is LDH)
 * unless DNAME_HOST_NOT_NUMERIC: a caller that must tell addresses from
 * names asks addr_parse() first. */
bool dname_is_hostname(const char *text, size_t len, unsigned flags);

/* Case-insensitive comparison of two presentation names, ignoring one
 * trailing dot on either (an escaped "\." at the end is not a trailing
 * dot).  Only unescaped A-Z fold; escape sequences compare byte for byte,
 * so "a\.b" differs from "a.b", and escapes are not decoded: "\065" and
 * "A" compare unequal even though they are the same label.  Names from
 * dname_wire_to_text() never escape letters or digits, so two of them are
 * equal exactly when the names are (RFC 4343).  NULL equals nothing. */
bool dname_equal(const char *a, const char *b);

/* Length of the escape sequence that starts with the backslash at s[pos]
 * of a presentation name, within its first len bytes: 4 for \DDD, 2 for
 * \X, 1 for a lone backslash at the end.  What a cut of the name must
 * keep whole. */
size_t dname_escape_length(const char *s, size_t pos, size_t len);

#endif
