/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptrcheck_status.h - ptrcheck's exit status: which outcome of an address
 * counts as a failure (--fail-on), and how the statuses of many addresses,
 * malformed input lines and errors of the run itself make one.
 *
 * Pure code: no I/O, no allocation.
 */
#ifndef PTRCHECK_STATUS_H
#define PTRCHECK_STATUS_H

#include <stddef.h>

#include "fcrdns_result.h"
#include "verdict.h"

/* The exit statuses, the <sysexits.h> numbers from 64 up. */
#define PTRCHECK_EXIT_PASS 0		/* no address met --fail-on */
#define PTRCHECK_EXIT_PERMANENT 1	/* iprev fail or permerror; reject;
					   the score reached */
#define PTRCHECK_EXIT_TEMPORARY 2	/* iprev temperror; tempfail */
#define PTRCHECK_EXIT_USAGE 64		/* EX_USAGE: bad option or address
					   argument */
#define PTRCHECK_EXIT_DATAERR 65	/* EX_DATAERR: malformed input
					   lines, the addresses passing */
#define PTRCHECK_EXIT_NOHOST 68		/* EX_NOHOST: --domain names no
					   domain that exists */
#define PTRCHECK_EXIT_OSERR 71		/* EX_OSERR: out of memory */
#define PTRCHECK_EXIT_IOERR 74		/* EX_IOERR: stdin unreadable,
					   stdout unwritable */
#define PTRCHECK_EXIT_CONFIG 78		/* EX_CONFIG */

/* What --fail-on names. */
enum ptrcheck_fail_kind {
	PTRCHECK_FAIL_IPREV,		/* the default */
	PTRCHECK_FAIL_ACTION,
	PTRCHECK_FAIL_SCORE,
	PTRCHECK_FAIL_NEVER
};

struct ptrcheck_fail_on {
	enum ptrcheck_fail_kind kind;
	double score;			/* PTRCHECK_FAIL_SCORE: the limit */
};

/* Parses the argument of --fail-on: "iprev", "action", "never" or
 * "score=N", N as tempfail_score takes it (0.001 to 1000, at most three
 * decimals).  Returns 0, or -1 with a message for the user in err. */
int ptrcheck_fail_on_parse(const char *text, struct ptrcheck_fail_on *out,
    char *err, size_t errsize);

/* The status one judged address asks for: PTRCHECK_EXIT_PASS,
 * PTRCHECK_EXIT_PERMANENT or PTRCHECK_EXIT_TEMPORARY. */
int ptrcheck_outcome(const struct ptrcheck_fail_on *f, enum iprev iprev,
    const struct verdict *v);

/* The worse of two statuses: the higher number, except that
 * PTRCHECK_EXIT_DATAERR gives way to an address's failure (1, 2), which
 * says more about the addresses a script asked about. */
int ptrcheck_status_worse(int a, int b);

#endif
