/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * safe_text.h - the one way untrusted text is made fit to show, after
 * Postfix's printable(): a HELO, an MTA macro, a resolver message, a PTR
 * name, a tag's reason, a config value.
 *
 * Each output class names where the text goes and so which bytes pass,
 * what stands in for the others, and how long text is cut.  Whatever the
 * class, the result is NUL-terminated, fits the destination, holds no CR,
 * LF or other control byte, and says nothing the source did not: a cut
 * ends at a whole escape.
 *
 * Pure code: no I/O, no allocation, no locale, no shared state; safe from
 * any thread.
 */
#ifndef PTRMILTER_SAFE_TEXT_H
#define PTRMILTER_SAFE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Pass as len when src is an ordinary NUL-terminated string. */
#define SAFE_TEXT_ALL SIZE_MAX

/* Longest text shown by the HEADER classes, "..." included. */
#define SAFE_TEXT_HEADER_SHOWN 255
/* Longest MTA queue ID shown by SAFE_TEXT_QUEUE_ID, "..." included:
 * Postfix's long IDs have some 20 characters, Sendmail's 14. */
#define SAFE_TEXT_QUEUE_ID_SHOWN 32
/* Most source bytes shown by SAFE_TEXT_CONFIG. */
#define SAFE_TEXT_CONFIG_SHOWN 64

enum safe_text_class {
	/* The last guard on a whole log line: C0 controls and DEL become
	 * '?', so nothing splits a line; 8-bit bytes pass (syslog and a
	 * terminal show them as they are).  Cut silently. */
	SAFE_TEXT_LOG,
	/* One line of printable ASCII, spaces included: SMTP reply text
	 * (RFC 5321 4.2) or a message quoting untrusted text.  Bytes
	 * outside 0x20..0x7e become '?'.  Cut silently. */
	SAFE_TEXT_REPLY,
	/* A tag's reason as it is kept: a single token for a header or a
	 * log line.  Bytes outside 0x21..0x7e and ( ) [ ] ; \ " become '?'.
	 * Cut silently. */
	SAFE_TEXT_REASON,
	/* Raw untrusted text (HELO, MTA macros) in an RFC 8601/5322 header
	 * value or a key=value log field: bytes outside 0x21..0x7e and
	 * ( ) ; \ " < > become '?'.  Text longer than
	 * SAFE_TEXT_HEADER_SHOWN, or than fits, ends in "..." within
	 * that bound. */
	SAFE_TEXT_HEADER,
	/* A reason inside "[ ]" in a header: as HEADER, and [ ] too. */
	SAFE_TEXT_HEADER_REASON,
	/* A presentation-format DNS name in a header or log field: its
	 * \. \\ \DDD escapes are kept and a cut never splits one; bytes
	 * outside 0x21..0x7e and ( ) ; " (which dname.c escapes) still
	 * become '?' in case raw text was passed. */
	SAFE_TEXT_HEADER_NAME,
	/* A config value quoted in an error: at most SAFE_TEXT_CONFIG_SHOWN
	 * source bytes, bytes outside 0x20..0x7e as \xHH, "..." appended
	 * when the value is longer and it fits. */
	SAFE_TEXT_CONFIG,
	/* ptrcheck's text output: bytes outside 0x20..0x7e and the
	 * backslash as \xHH, so the output is unambiguous.  No cut: a
	 * caller streams long text (see the return value). */
	SAFE_TEXT_TERMINAL,
	/* The inside of a JSON string: " and \ escaped with a backslash,
	 * bytes outside 0x20..0x7e as \u00XX.  No cut: streamed as
	 * TERMINAL. */
	SAFE_TEXT_JSON,
	/* The MTA's queue ID ({i}) in a log field: MTAs write it in
	 * letters and digits, so only those and - . _ pass; anything else
	 * becomes '?'.  Longer than SAFE_TEXT_QUEUE_ID_SHOWN, or than fits, it ends
	 * in "..." within that bound. */
	SAFE_TEXT_QUEUE_ID,
	SAFE_TEXT_CLASS_COUNT
};

/*
 * Writes the first len bytes of src (up to its NUL if that comes first;
 * NULL is "") into dst, size bytes with the NUL, as cls says.  Returns how
 * many bytes of src the output stands for: a caller with more text than
 * dst holds (TERMINAL, JSON) writes dst out and calls again from there.
 * An escape is written whole or not at all.  With size 0 nothing is
 * written.  For the classes that write one byte for one byte (LOG, REPLY,
 * REASON and the HEADER ones) dst may be src.
 */
size_t safe_text(char *dst, size_t size, const char *src, size_t len,
    enum safe_text_class cls);

#endif
