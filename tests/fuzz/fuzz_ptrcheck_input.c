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
 * and holds no blank; a prefix line's first field is the line's own,
 * holds a '/' and no blank, and its HELO is as an address line's; a
 * skipped line is blank or a comment.  A prefix then goes through
 * audit_prefix_parse() as ptrcheck reads it: an IPv4 prefix taken holds
 * at most --max-addresses, its last address lies inside it; an IPv6 one
 * not enumerated is wider than a /128; a refusal has its reason.  A
 * report is one line of printable ASCII, the text one ending in "..."
 * when the line was cut.
 *
 * ptrcheck_input.c and audit_target.c are CLI files, outside the core
 * the other targets link, so they are compiled in here.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_target.c"
#include "ptrcheck_input.c"

static void check_line(const struct input_line *l, const uint8_t *seg,
    size_t n);
static void check_kind(struct input_line *l);
static void check_helo(const struct input_line *l, const char *helo);
static void check_prefix(const struct input_line *l, const char *before,
    const struct input_fields *f);
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
		check_helo(l, f.helo);
		break;
	case INPUT_PREFIX:
		check_prefix(l, before, &f);
		break;
	case INPUT_SKIP:
		p = before + strspn(before, BLANKS);
		if (*p != '\0' && *p != '#')
			abort();
		break;
	}
}

/* A HELO given lies inside the line, whole, without a blank. */
static void
check_helo(const struct input_line *l, const char *helo)
{
	if (helo != NULL && (helo < l->text || helo >= l->text + l->kept ||
	    helo[0] == '\0' || strpbrk(helo, BLANKS) != NULL))
		abort();
}

/* The first field of the line as it came (before), held whole in
 * f->prefix, then judged as read_prefix_line() judges it. */
static void
check_prefix(const struct input_line *l, const char *before,
    const struct input_fields *f)
{
	const char *first = before + strspn(before, BLANKS);
	size_t n = strlen(f->prefix);
	enum audit_prefix_status st;
	char text[CIDR_TEXT_MAX];
	struct cidr c, suggest;
	struct addr last;

	if (n == 0 || n >= sizeof(f->prefix) ||
	    memchr(f->prefix, '/', n) == NULL ||
	    strpbrk(f->prefix, BLANKS) != NULL ||
	    strncmp(first, f->prefix, n) != 0 ||
	    (first[n] != '\0' && strchr(BLANKS, first[n]) == NULL))
		abort();
	check_helo(l, f->helo);
	st = audit_prefix_parse(f->prefix, AUDIT_MAX_ADDRESSES_DEFAULT, &c,
	    &suggest);
	switch (st) {
	case AUDIT_PREFIX_OK:
		if (audit_prefix_size(&c) > AUDIT_MAX_ADDRESSES_DEFAULT)
			abort();
		audit_prefix_address(&c, audit_prefix_size(&c) - 1, &last);
		if (!cidr_contains(&c, &last))
			abort();
		return;
	case AUDIT_PREFIX_IPV6:
		if (c.net.family != AF_INET6 || c.prefix >= 128)
			abort();
		break;
	case AUDIT_PREFIX_HOST_BITS:
		/* The network suggested instead has none. */
		if (cidr_format(&suggest, text, sizeof(text)) != 0 ||
		    cidr_parse(text, &c) != 0)
			abort();
		break;
	case AUDIT_PREFIX_INVALID:
	case AUDIT_PREFIX_TOO_WIDE:
		break;
	}
	/* Whatever is not taken is told why, as a malformed line. */
	if (strcmp(audit_prefix_error(st), "ok") == 0)
		abort();
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
