/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic_rows.h - table rows for the generic detector's unit tests: a
 * PTR name judged for a client with the built-in rules alone, and the
 * verdict and reason wanted.  Include it after <cmocka.h> and "unit.h".
 */
#ifndef PTRMILTER_GENERIC_ROWS_H
#define PTRMILTER_GENERIC_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "generic.h"

/* Number of rows of a table. */
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

/* A table row: a PTR name judged for a client, and the verdict. */
struct row {
	const char *name;
	const char *client;
	const char *ptr;
	bool want_generic;
	const char *want_reason;
};

/* The allow list every table row is judged with. */
static const char *const table_allow[] = { "allowed.example", NULL };

/* Judges every row with the built-in rules alone (db NULL). */
static inline void
run_rows(const struct row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct addr client = parse_ok(rows[i].client);
		char reason[GENERIC_REASON_MAX];
		bool got;

		memset(reason, 'X', sizeof(reason));
		got = generic_check(NULL, &client, rows[i].ptr, table_allow,
		    reason, sizeof(reason));
		if (got != rows[i].want_generic ||
		    strcmp(reason, rows[i].want_reason) != 0)
			fail_msg("row \"%s\": got %s \"%s\", want %s \"%s\"",
			    rows[i].name, got ? "generic" : "specific",
			    reason, rows[i].want_generic ? "generic" :
			    "specific", rows[i].want_reason);
	}
}

#endif
