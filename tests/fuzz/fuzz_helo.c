/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_helo.c - the HELO classifier on arbitrary bytes, at most
 * SESSION_HELO_KEEP of them as the milter keeps (session.c, session_helo).
 *
 * Properties: a host name comes out lower case, LDH plus '_', at most
 * HELO_NAME_MAX characters with no trailing dot; a literal comes out as
 * an address that formats; helo_collect() never writes a reason that is not
 * printable ASCII.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "helo.h"
#include "session_state.h"
#include "regdom.h"
#include "tags.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	(void)regdom_init();	/* without a list the same-domain test is off */
	return 0;
}

static void
check_name(const char *name)
{
	size_t len = strnlen(name, HELO_NAME_MAX + 1);

	if (len == 0 || len > HELO_NAME_MAX || name[len - 1] == '.')
		__builtin_trap();
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.'))
			__builtin_trap();
	}
}

static void
check_reasons(const struct findings *f)
{
	for (int t = 0; t < TAG_COUNT; t++) {
		const char *r = f->reason[t];
		size_t len = strnlen(r, TAG_REASON_MAX);

		if (len == TAG_REASON_MAX)
			__builtin_trap();
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)r[i] < 0x21 ||
			    (unsigned char)r[i] > 0x7e)
				__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct helo_parsed h;
	struct helo_context ctx;
	struct findings f;
	struct addr client;
	char text[ADDR_TEXT_MAX];

	if (size > SESSION_HELO_KEEP)
		size = SESSION_HELO_KEEP;
	helo_parse((const char *)data, size, &h);

	switch (h.kind) {
	case HELO_NONE:
		__builtin_trap();	/* only for a NULL HELO */
	case HELO_SINGLE_LABEL:
		check_name(h.name);
		if (strchr(h.name, '.') != NULL)
			__builtin_trap();
		break;
	case HELO_HOSTNAME:
		check_name(h.name);
		if (!helo_wants_lookup(&h))
			__builtin_trap();
		break;
	case HELO_BARE_IP:
	case HELO_LITERAL:
		if (addr_format(&h.literal, text, sizeof(text)) != 0)
			__builtin_trap();
		break;
	case HELO_INVALID:
		break;
	}
	if (h.kind != HELO_HOSTNAME && helo_wants_lookup(&h))
		__builtin_trap();

	if (addr_parse("198.51.100.20", &client) != 0)
		__builtin_trap();
	memset(&ctx, 0, sizeof(ctx));
	ctx.client = &client;
	ctx.our_name = "mx.example.net";
	memset(&f, 0, sizeof(f));
	helo_collect(&h, &ctx, &f);
	check_reasons(&f);
	return 0;
}
