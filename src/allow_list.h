/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * allow_list.h - the allow-lists of ptrmilter.conf (exempt_networks,
 * exempt_ptr_domains): entries written inline and "file:PATH" list files,
 * loaded into one sorted set that answers "which entry holds this client"
 * without walking the list.
 *
 * Pure code.  A list file is read only when a value naming it is parsed
 * (at start, by ptrmilter -n, on every reload), as the policy file is,
 * under the same trust rules: a regular file that group and others may
 * not write, owned by root or by the user the daemon was started as,
 * because whoever writes it can switch the filter off for any address.
 * Once made, a list is only read, from any thread, without a lock.
 *
 * Lookups: networks are sorted by family, prefix length (longest first)
 * and address, so a client is found with one binary search per prefix
 * length the list uses; domains are sorted by name, so a host name is
 * found with one binary search per label.  The most specific entry wins.
 */
#ifndef PTRMILTER_ALLOW_LIST_H
#define PTRMILTER_ALLOW_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "addr.h"
#include "policy_values.h"

/* The prefix of an entry that names a list file. */
#define ALLOW_FILE_PREFIX "file:"

enum allow_kind {
	ALLOW_NETWORKS,		/* CIDRs or addresses */
	ALLOW_DOMAINS		/* host names; a name matches itself and
				   every name below it */
};

/* One network or domain, wherever it was written. */
struct allow_entry {
	struct cidr net;	/* ALLOW_NETWORKS */
	char *name;		/* ALLOW_DOMAINS: lower case, no outer dots */
	unsigned origin;	/* index into written[] of the entry or
				   the file it came from */
	unsigned line;		/* its line in that file; 0: inline */
};

/* Entries [start, end) share one family and prefix length. */
struct allow_run {
	int family;
	unsigned prefix;
	size_t start, end;
};

struct allow_list {
	char **written;		/* as the policy writes them: inline
				   entries in canonical form and
				   "file:PATH"; NULL-terminated, NULL only
				   before allow_list_parse() */
	struct allow_entry *entries;	/* sorted, no duplicates */
	size_t count;
	struct allow_run *runs;	/* ALLOW_NETWORKS: longest prefix first */
	size_t nruns;
};

/* Where the value is written and who may own its list files; errors
 * inside a list file are reported as "LISTFILE:LINE: message", those
 * about the file itself at the policy's file:line. */
struct allow_context {
	const char *file;	/* the policy file */
	unsigned line;		/* the line of the value */
	const char *key;	/* its key, for errors */
	long trusted_uid;	/* besides root (0) */
	void (*report)(void *arg, const char *file, unsigned line,
	    const char *message);
	void *arg;
};

/* Most errors reported for one list file before it is given up on. */
#define ALLOW_FILE_ERRORS_MAX 20

void allow_list_init(struct allow_list *l);

/* Parses a value (trimmed, non-empty: entries separated by spaces, tabs
 * or commas) into l, reading every file: entry.  A domain that is itself
 * a public suffix (regdom.h: "com", "co.uk") is refused wherever it is
 * written, with the reason: anyone may register a domain under it and
 * forward-confirm their hosts' names there.  A bad inline entry is
 * POLICY_VALUE_BAD with *bad pointing at it; problems with a list file
 * are reported through ctx and give POLICY_VALUE_REPORTED.  ctx may be
 * NULL when the value can name no file (the built-in defaults): a file:
 * entry is then a bad entry.  Free l with allow_list_free() whatever the
 * result. */
enum policy_value_result allow_list_parse(struct allow_list *l,
    enum allow_kind kind, const char *text, const struct allow_context *ctx,
    const char **bad);

/* An empty list ("none"), written as such.  Returns 0, or -1 out of
 * memory. */
int allow_list_none(struct allow_list *l);

/* The most specific network holding a, or NULL. */
const struct allow_entry *allow_list_network(const struct allow_list *l,
    const struct addr *a);

/* The longest domain that name (a presentation-form host name, any case,
 * one trailing dot allowed) equals or ends in on a label boundary, or
 * NULL: example.com holds mx.out.example.com, never badexample.com.  A
 * name with escapes or other bytes no host name has matches nothing. */
const struct allow_entry *allow_list_domain(const struct allow_list *l,
    const char *name);

/* The path of the list file e came from, or NULL when it was inline. */
const char *allow_list_file_of(const struct allow_list *l,
    const struct allow_entry *e);

/* Writes e as written in its list: "192.0.2.0/24", "example.com". */
int allow_entry_format(const struct allow_entry *e, enum allow_kind kind,
    char *buf, size_t size);

/* True when both are written alike and hold the same entries (a list
 * file whose contents changed makes two lists differ). */
bool allow_list_equal(const struct allow_list *a, const struct allow_list *b,
    enum allow_kind kind);

/* Writes the entries as written, separated by one space, or "none". */
void allow_list_print(const struct allow_list *l, FILE *out);

/* Frees everything and leaves an empty list (written NULL). */
void allow_list_free(struct allow_list *l);

/* Takes one entry of a list file: returns 0, or -1 for an entry it does
 * not take, with *why saying why when it can say more than what is
 * expected (else NULL), or -2 out of memory. */
typedef int allow_file_add(void *arg, const char *entry, unsigned line,
    const char **why);

/* Reads one list file: calls add() with each entry (a line without its
 * comment and outer blanks, NUL-terminated, of any length) and its line
 * number; an entry add() does not take is reported here as "PATH:LINE:
 * bad entry '...': <why>", or "...: expected <expected>".  Returns how
 * many errors were reported, or -1 when the file could not be read at
 * all (reported at ctx's file:line). */
int allow_file_read(const char *path, const struct allow_context *ctx,
    const char *expected, allow_file_add *add, void *arg);

#endif
