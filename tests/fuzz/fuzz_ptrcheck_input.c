/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_ptrcheck_input.c - ptrcheck's standard input: any bytes read line
 * by line, each line sorted, each malformed one reported as text and JSON.
 *
 * Input: the bytes of standard input, as they come.
 *
 * Checked, against the input split at LF by hand: one line per segment
 * (none for an empty last one); each line's length is its segment's, a
 * CR before the LF not counted; its first bytes, at most
 * PTRCHECK_LINE_MAX of them, are the segment's, NUL-terminated; a NUL
 * byte is noted exactly when there is one.  A malformed line is left
 * whole by input_classify(); an address line's HELO lies inside the line
 * and holds no blank; a skipped line is blank or a comment.  A report is
 * one line of printable ASCII, the text one ending in "..." when the
 * line was cut.
 *
 * ptrcheck_input.c is a CLI file, outside the core the other targets
 * link, so it is compiled in here.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrcheck_input.c"

static void check_line(const struct input_line *l, const uint8_t *seg,
    size_t n);
static void check_kind(struct input_line *l);
static void check_report(const struct input_line *l, const char *why,
    bool json);

/* The line as the reader must have made it from segment seg. */
static void
check_line(const struct input_line *l, const uint8_t *seg, size_t n)
{
	size_t kept;

	if (n > 0 && seg[n - 1] == '\r')
		n--;
	kept = n < PTRCHECK_LINE_MAX ? n : PTRCHECK_LINE_MAX;
	if (l->length != n || l->kept != kept || l->text[kept] != '\0' ||
	    memcmp(l->text, seg, kept) != 0 ||
	    l->has_nul != (memchr(seg, '\0', n) != NULL))
		abort();
}

static void
check_kind(struct input_line *l)
{
	static char before[PTRCHECK_LINE_MAX + 1];
	struct input_fields f;
	const char *p;

	memcpy(before, l->text, l->kept + 1);
	switch (input_classify(l, &f)) {
	case INPUT_MALFORMED:
		if (f.why == NULL || memcmp(before, l->text, l->kept + 1) != 0)
			abort();
		check_report(l, f.why, false);
		check_report(l, f.why, true);
		break;
	case INPUT_ADDRESS:
		if (f.helo != NULL && (f.helo < l->text ||
		    f.helo >= l->text + l->kept || f.helo[0] == '\0' ||
		    strpbrk(f.helo, BLANKS) != NULL))
			abort();
		break;
	case INPUT_SKIP:
		p = before + strspn(before, BLANKS);
		if (*p != '\0' && *p != '#')
			abort();
		break;
	}
}

static void
check_report(const struct input_line *l, const char *why, bool json)
{
	struct input_error e;
	char *buf = NULL;
	size_t size = 0, n;
	FILE *out = open_memstream(&buf, &size);

	if (out == NULL)
		return;
	input_error_keep(&e, l, why);
	if (json)
		input_error_json(out, &e);
	else
		input_error_text(out, &e);
	if (fclose(out) != 0 || buf == NULL)
		abort();
	n = strlen(buf);
	if (n != size || n < 2 || buf[n - 1] != '\n')
		abort();
	for (size_t i = 0; i + 1 < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			abort();
	if (!json && l->length > e.kept &&
	    (n < 4 || memcmp(buf + n - 4, "...", 3) != 0))
		abort();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct input_line l;
	const uint8_t *seg = data, *end = data + size, *lf;
	FILE *in;
	int rc;

	if (size == 0)
		return 0;
	in = fmemopen((void *)(uintptr_t)data, size, "r");
	if (in == NULL)
		return 0;
	l.number = 0;
	while ((rc = input_read_line(in, &l)) == 1) {
		if (seg >= end)
			abort();
		lf = memchr(seg, '\n', (size_t)(end - seg));
		check_line(&l, seg, (size_t)((lf != NULL ? lf : end) - seg));
		check_kind(&l);
		seg = lf != NULL ? lf + 1 : end;
	}
	if (rc != 0 || seg != end)
		abort();
	fclose(in);
	return 0;
}
