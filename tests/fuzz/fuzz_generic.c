/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_generic.c - the generic-name detector on an arbitrary address and
 * name, with the built-in rules alone and with the shipped provider data
 * (data/generic-providers, loaded once).
 *
 * Input: one control byte (bit 0: IPv6, bit 1: use the data, bit 2: an
 * allow list), 4 or 16 address bytes, then the name.  Properties: the
 * reason is printable ASCII without spaces and fits; a generic verdict
 * always says why; a cut reason buffer never changes the verdict.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "generic.h"
#include "generic_db.h"
#include "regdom.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

static struct generic_db *db;

static void
report(void *arg, const char *message)
{
	(void)arg;
	fprintf(stderr, "fuzz_generic: %s\n", message);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("FUZZ_GENERIC_DATA");
	const char *paths[1];

	(void)argc;
	(void)argv;
	paths[0] = path != NULL ? path : TOP_SRCDIR "/data/generic-providers";
	/* As in the daemon: the provider's domain from the list, so that
	 * hostile bytes reach libpsl too. */
	(void)regdom_init();
	db = generic_db_load(paths, 1, report, NULL);
	if (db == NULL) {
		fprintf(stderr, "fuzz_generic: cannot load %s\n", paths[0]);
		abort();
	}
	return 0;
}

static void
check_reason(const char *r, size_t size)
{
	size_t len = strnlen(r, size);

	if (len == size)
		__builtin_trap();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)r[i] < 0x21 || (unsigned char)r[i] > 0x7e)
			__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const allow[] = { "example.com", "mail.example.org",
	    NULL };
	char reason[GENERIC_REASON_MAX], small[8], *name;
	struct addr client;
	const struct generic_db *use;
	const char *const *al;
	size_t alen;
	bool r1, r2;
	uint8_t ctl;

	if (size < 1)
		return 0;
	ctl = data[0];
	data++;
	size--;
	memset(&client, 0, sizeof(client));
	client.family = (ctl & 1) ? AF_INET6 : AF_INET;
	alen = (ctl & 1) ? 16 : 4;
	if (size < alen)
		return 0;
	memcpy(client.bytes, data, alen);
	data += alen;
	size -= alen;
	use = (ctl & 2) ? db : NULL;
	al = (ctl & 4) ? allow : NULL;

	name = malloc(size + 1);
	if (name == NULL)
		abort();
	memcpy(name, data, size);
	name[size] = '\0';

	r1 = generic_check(use, &client, name, al, reason, sizeof(reason));
	check_reason(reason, sizeof(reason));
	if (r1 && reason[0] == '\0')
		__builtin_trap();
	r2 = generic_check(use, &client, name, al, small, sizeof(small));
	check_reason(small, sizeof(small));
	if (r1 != r2)
		__builtin_trap();
	if (generic_check(use, &client, name, al, NULL, 0) != r1)
		__builtin_trap();
	free(name);
	return 0;
}
