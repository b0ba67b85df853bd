/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptrcheck_input.h - ptrcheck's standard input: "IP [HELO]" lines read
 * with a bound whatever their length, sorted into addresses, lines to
 * skip and malformed lines, and a malformed line reported in the output
 * in its place, as text or JSON.
 *
 * The input is untrusted: a line of any length, NUL bytes, control and
 * 8-bit bytes, CRLF ends, no final newline.  At most PTRCHECK_LINE_MAX
 * bytes of a line are kept, the rest is counted and dropped; at most
 * PTRCHECK_INPUT_SHOWN bytes of a malformed line are shown, escaped.
 * Single-threaded, as ptrcheck reads its input.
 */
#ifndef PTRCHECK_INPUT_H
#define PTRCHECK_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "addr.h"

/* Longest line accepted, its end not counted: room for an address, the
 * longest HELO an SMTP command line can carry and fields cut from a log
 * line after it. */
#define PTRCHECK_LINE_MAX 4096
/* Bytes of a malformed line shown in the report. */
#define PTRCHECK_INPUT_SHOWN 128

/* One line of input, without its LF or CRLF. */
struct input_line {
	unsigned long number;		/* from 1 */
	size_t length;			/* of the whole line, may exceed
					   PTRCHECK_LINE_MAX */
	size_t kept;			/* bytes in text: at most
					   PTRCHECK_LINE_MAX */
	bool has_nul;			/* anywhere in the line */
	char text[PTRCHECK_LINE_MAX + 1];	/* NUL-terminated after
						   kept bytes */
};

enum input_kind {
	INPUT_ADDRESS,		/* an address, and maybe a HELO */
	INPUT_PREFIX,		/* a network (its first field holds a
				   '/'), and maybe a HELO */
	INPUT_SKIP,		/* blank, or a # comment */
	INPUT_MALFORMED
};

/* What a line holds.  helo points into the line's text. */
struct input_fields {
	struct addr addr;		/* INPUT_ADDRESS */
	char prefix[CIDR_TEXT_MAX];	/* INPUT_PREFIX: the first field, to
					   be judged by audit_prefix_parse() */
	const char *helo;		/* INPUT_ADDRESS; NULL: none given */
	const char *why;		/* INPUT_MALFORMED: a constant */
};

/* A malformed line as it is kept until its turn in the output comes. */
struct input_error {
	unsigned long line;
	size_t length;			/* of the whole line */
	size_t kept;			/* bytes in input */
	const char *why;
	char input[PTRCHECK_INPUT_SHOWN];	/* raw, may hold NUL bytes */
};

/* Reads the next line of in into l, numbered after the one l held (set
 * l->number to 0 before the first).  Returns 1 for a line, 0 at the end
 * of input, -1 for a read error (errno set). */
int input_read_line(FILE *in, struct input_line *l);

/* Sorts l: blank lines and lines whose first non-blank byte is '#' are
 * skipped; a line too long, one with a NUL byte, or one whose first
 * field is not an IP address (nor, holding a '/', shorter than
 * CIDR_TEXT_MAX) is malformed; otherwise the first field is the address
 * or prefix and the second, if any, the HELO (the line is split in
 * place; further fields are ignored).  Fields are separated by spaces and
 * tabs. */
enum input_kind input_classify(struct input_line *l, struct input_fields *f);

/* Keeps what the report of malformed line l will show. */
void input_error_keep(struct input_error *e, const struct input_line *l,
    const char *why);

/* "stdin:LINE: error: WHY: INPUT", INPUT escaped as ptrcheck's text
 * output escapes a HELO, "..." after it when the line was longer. */
void input_error_text(FILE *out, const struct input_error *e);

/* {"error":WHY,"line":LINE,"input":INPUT,"length":BYTES}, one line. */
void input_error_json(FILE *out, const struct input_error *e);

#endif
