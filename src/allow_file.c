/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * allow_file.c - reading one list file of an allow-list; see allow_list.h.
 *
 * One entry per line, '#' to the end of the line a comment, blank lines
 * ignored, no limit on the number or length of lines (getline()).  The
 * file is reached only through directories untrusted users cannot change
 * (safe_file.h: a link in a directory others may write could otherwise
 * point at a file only root may read, whose lines the errors below would
 * quote), then checked on the descriptor it is read from - a regular
 * file, not writable by group or others, owned by root or the trusted
 * user - so no rename or chmod slips in between.  A FIFO or device is
 * refused before a read could block or never end.  A bad entry is quoted
 * by safe_text() at most SAFE_TEXT_CONFIG_SHOWN bytes long.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allow_list.h"
#include "policy.h"
#include "safe_file.h"
#include "safe_text.h"

#define MESSAGE_MAX 1024

/* One file being read. */
struct reading {
	const char *path;
	const struct allow_context *ctx;
	int errors;
};

static void report_at(const struct allow_context *ctx, const char *file,
    unsigned line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static FILE *open_trusted(const char *path, const struct allow_context *ctx);
static char *entry_of(char *line, size_t len);
static int read_lines(struct reading *rd, FILE *f, const char *expected,
    allow_file_add *add, void *arg);

static void
report_at(const struct allow_context *ctx, const char *file, unsigned line,
    const char *fmt, ...)
{
	char msg[MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->report(ctx->arg, file, line, msg);
}

/* Opens path for reading if it may be trusted; reports why not at the
 * policy's line otherwise. */
static FILE *
open_trusted(const char *path, const struct allow_context *ctx)
{
	struct safe_file sf;
	struct stat st;
	unsigned mode;
	FILE *f;
	int fd;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	if (safe_file_open(path, ctx->trusted_uid, O_RDONLY | O_NONBLOCK,
	    &sf) != 0) {
		if (sf.error != 0)
			report_at(ctx, ctx->file, ctx->line, "cannot open "
			    "list file %s: %s", path, sf.why);
		else
			report_at(ctx, ctx->file, ctx->line, "list file %s: "
			    "%s", path, sf.why);
		return NULL;
	}
	fd = sf.fd;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		report_at(ctx, ctx->file, ctx->line, "list file %s is not a "
		    "regular file", path);
		goto refused;
	}
	mode = (unsigned)st.st_mode & 07777;
	if (policy_mode_unsafe(mode)) {
		report_at(ctx, ctx->file, ctx->line, "list file %s is "
		    "writable by group or others (mode %04o): refused; chmod "
		    "go-w %s", path, mode, path);
		goto refused;
	}
	if (policy_owner_unsafe((long)st.st_uid, ctx->trusted_uid)) {
		report_at(ctx, ctx->file, ctx->line, "list file %s is owned "
		    "by user %ld, neither root nor the user ptrmilter was "
		    "started as: refused; chown root %s", path,
		    (long)st.st_uid, path);
		goto refused;
	}
	/* A regular file never blocks; reads go on as usual. */
	f = fdopen(fd, "r");
	if (f == NULL) {
		report_at(ctx, ctx->file, ctx->line, "cannot read list file "
		    "%s: %s", path, strerror(errno));
		goto refused;
	}
	return f;
refused:
	close(fd);
	return NULL;
}

/* The entry of a line: before any '#', without outer blanks and line
 * end; "" for a blank or comment line. */
static char *
entry_of(char *line, size_t len)
{
	char *hash = memchr(line, '#', len), *s = line;
	size_t n = hash != NULL ? (size_t)(hash - line) : len;

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
	    s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	s[n] = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int
read_lines(struct reading *rd, FILE *f, const char *expected,
    allow_file_add *add, void *arg)
{
	char shown[POLICY_VALUE_SHOWN_MAX];
	char *buf = NULL, *entry;
	const char *why = NULL;
	size_t cap = 0;
	unsigned line = 0;
	ssize_t got;
	int r;

	while ((got = getline(&buf, &cap, f)) >= 0) {
		line++;
		if (memchr(buf, '\0', (size_t)got) != NULL) {
			report_at(rd->ctx, rd->path, line, "NUL byte in line");
			rd->errors++;
		} else if (*(entry = entry_of(buf, (size_t)got)) == '\0') {
			continue;
		} else if ((r = add(arg, entry, line, &why)) == -2) {
			report_at(rd->ctx, rd->path, line, "out of memory");
			rd->errors++;
			break;
		} else if (r != 0) {
			(void)safe_text(shown, sizeof(shown), entry,
			    SAFE_TEXT_ALL, SAFE_TEXT_CONFIG);
			if (why != NULL)
				report_at(rd->ctx, rd->path, line, "bad entry "
				    "'%s': %s", shown, why);
			else
				report_at(rd->ctx, rd->path, line, "bad entry "
				    "'%s': expected %s", shown, expected);
			rd->errors++;
		}
		if (rd->errors >= ALLOW_FILE_ERRORS_MAX) {
			report_at(rd->ctx, rd->path, line, "too many errors; "
			    "the rest of the file is not read");
			break;
		}
	}
	if (ferror(f)) {
		report_at(rd->ctx, rd->path, line, "cannot read: %s",
		    strerror(errno));
		rd->errors++;
	}
	free(buf);
	return rd->errors;
}

int
allow_file_read(const char *path, const struct allow_context *ctx,
    const char *expected, allow_file_add *add, void *arg)
{
	struct reading rd = { .path = path, .ctx = ctx };
	FILE *f = open_trusted(path, ctx);
	int errors;

	if (f == NULL)
		return -1;
	errors = read_lines(&rd, f, expected, add, arg);
	fclose(f);
	return errors;
}
