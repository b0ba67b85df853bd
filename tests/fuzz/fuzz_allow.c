/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_allow.c - the allow-lists' untrusted inputs: the RCPT argument
 * (recipient_parse()), an exempt_recipients entry, a PTR name looked up
 * in exempt_ptr_domains and an address looked up in exempt_networks, and
 * list values as the policy gives them (allow_list_parse()).
 *
 * Input: any bytes, used as one NUL-terminated string.  Properties: a
 * recipient that parses has a local part of 1 to 64 printable bytes and a
 * domain of at most 253, both without upper case, the domain without
 * spaces or a trailing dot, and an entry made of what was parsed (a
 * quoted '@' aside) matches it; a value that parses as a list prints
 * back to text that parses to an equal list; every entry a lookup
 * returns holds what was looked up.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "allow_list.h"
#include "recipient.h"

static struct allow_list domains, networks;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *bad;

	(void)argc;
	(void)argv;
	if (allow_list_parse(&domains, ALLOW_DOMAINS, "example.com "
	    "mail.example.net a.b.c.d.e.f under_score.example", NULL, &bad) !=
	    POLICY_VALUE_OK ||
	    allow_list_parse(&networks, ALLOW_NETWORKS, "10.0.0.0/8 "
	    "10.1.0.0/16 192.0.2.1 2001:db8::/32 ::/0", NULL, &bad) !=
	    POLICY_VALUE_OK)
		abort();
	return 0;
}

static void
check_recipient(const char *text)
{
	struct recipient r;
	char entry[sizeof(r.local) + sizeof(r.domain) + 1];
	char *entries[2] = { entry, NULL };
	size_t n;

	if (recipient_parse(text, &r) != 0)
		return;
	n = strlen(r.local);
	if (n == 0 || n > RECIPIENT_LOCAL_MAX || strlen(r.domain) > 253)
		__builtin_trap();
	for (const char *p = r.local; *p != '\0'; p++)
		if (*p < ' ' || *p > '~' || (*p >= 'A' && *p <= 'Z'))
			__builtin_trap();
	n = strlen(r.domain);
	if (n > 0 && r.domain[n - 1] == '.')
		__builtin_trap();
	for (const char *p = r.domain; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~' || (*p >= 'A' && *p <= 'Z'))
			__builtin_trap();
	/* An entry written as what was parsed matches it, when it is one. */
	snprintf(entry, sizeof(entry), "%s%s%s", r.local,
	    r.domain[0] != '\0' ? "@" : "", r.domain);
	if (r.domain[0] != '[' && strchr(r.local, '@') == NULL &&
	    recipient_entry_valid(entry) &&
	    recipient_match(entries, &r) != entry)
		__builtin_trap();
}

static void
check_list(const char *text, enum allow_kind kind)
{
	struct allow_list a, b;
	char *dump = NULL;
	size_t len = 0;
	const char *bad;
	FILE *mem;

	if (allow_list_parse(&a, kind, text, NULL, &bad) != POLICY_VALUE_OK) {
		allow_list_free(&a);
		return;
	}
	mem = open_memstream(&dump, &len);
	if (mem == NULL)
		abort();
	allow_list_print(&a, mem);
	if (fclose(mem) != 0)
		abort();
	if (allow_list_parse(&b, kind, dump, NULL, &bad) != POLICY_VALUE_OK ||
	    !allow_list_equal(&a, &b, kind))
		__builtin_trap();
	allow_list_free(&b);
	allow_list_free(&a);
	free(dump);
}

static void
check_lookups(const char *text)
{
	const struct allow_entry *e = allow_list_domain(&domains, text);
	struct addr a;
	size_t n, m;

	if (e != NULL) {
		/* text ends in the entry, on a label boundary, any case. */
		n = strlen(text);
		n -= n > 0 && text[n - 1] == '.';
		m = strlen(e->name);
		if (m > n || strncasecmp(text + n - m, e->name, m) != 0 ||
		    (m < n && text[n - m - 1] != '.'))
			__builtin_trap();
	}
	if (addr_parse(text, &a) == 0) {
		e = allow_list_network(&networks, &a);
		if (e != NULL && !cidr_contains(&e->net, &a))
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_recipient(text);
	(void)recipient_entry_valid(text);
	check_list(text, ALLOW_NETWORKS);
	check_list(text, ALLOW_DOMAINS);
	check_lookups(text);
	free(text);
	return 0;
}
