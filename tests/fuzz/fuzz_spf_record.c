/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_spf_record.c - the SPF record from TXT rdata, and its parser.
 *
 * Input: one control byte, then data.  Bit 0 set: the data is TXT
 * rdata, split into up to four records at every 0xff byte, handed to
 * spf_record_select() and what it selects to spf_record_parse().  Bit 0
 * clear: "v=spf1 " and the data are parsed as a record.  Bit 1: the
 * reason buffer is a short one (17 bytes).  Also dname_mx_to_text() over
 * the data as MX rdata.
 * Properties: the selected text starts with v=spf1 and is no longer
 * than its rdata; a parse either fails with a printable reason that fits
 * and an empty record, or gives terms whose text and domain are
 * printable and fit, a domain without macros that is a host name,
 * networks with no host bits and prefix lengths within their family,
 * redirect and exp pointing into the terms and of their kind, no more
 * terms than the text has space-separated words.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dname.h"
#include "spf_record.h"

static void
check_printable(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			__builtin_trap();
}

static size_t
count_words(const char *s, size_t len)
{
	size_t words = 0;

	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && (i == 0 || s[i - 1] == ' '))
			words++;
	return words;
}

static void
check_term(const struct spf_term *t)
{
	struct cidr again;

	check_printable(t->text, sizeof(t->text));
	check_printable(t->domain, sizeof(t->domain));
	if (t->domain[0] != '\0' && !t->has_macro &&
	    !dname_is_hostname(t->domain, strlen(t->domain),
	    DNAME_HOST_UNDERSCORE))
		__builtin_trap();
	if (t->cidr4 > 32 || t->cidr6 > 128)
		__builtin_trap();
	if (t->kind == SPF_IP4 || t->kind == SPF_IP6) {
		unsigned max = t->net.net.family == AF_INET ? 32 : 128;

		if (t->net.prefix > max)
			__builtin_trap();
		spf_network(&t->net.net, t->net.prefix, &again);
		if (memcmp(&again, &t->net, sizeof(again)) != 0)
			__builtin_trap();
	}
}

static void
check_parse(const char *text, size_t len, bool short_reason)
{
	char reason[SPF_REASON_MAX];
	size_t rsize = short_reason ? 17 : sizeof(reason);
	struct spf_record rec;

	if (spf_record_parse(text, len, &rec, reason, rsize) == -1) {
		if (rec.terms != NULL || rec.count != 0)
			__builtin_trap();
		check_printable(reason, rsize);
		return;
	}
	if (rec.count > count_words(text, len))
		__builtin_trap();
	for (size_t i = 0; i < rec.count; i++)
		check_term(&rec.terms[i]);
	if (rec.redirect != NULL && (rec.redirect < rec.terms ||
	    rec.redirect >= rec.terms + rec.count ||
	    rec.redirect->kind != SPF_REDIRECT))
		__builtin_trap();
	if (rec.exp != NULL && (rec.exp < rec.terms ||
	    rec.exp >= rec.terms + rec.count || rec.exp->kind != SPF_EXP))
		__builtin_trap();
	spf_record_free(&rec);
}

static void
check_select(const uint8_t *data, size_t size, bool short_reason)
{
	struct spf_txt rr[4];
	size_t n = 0, start = 0;
	char *text;
	size_t len;

	for (size_t i = 0; i <= size && n < 4; i++)
		if (i == size || data[i] == 0xff) {
			rr[n].data = data + start;
			rr[n++].len = i - start;
			start = i + 1;
		}
	switch (spf_record_select(rr, n, &text, &len)) {
	case SPF_SELECT_ONE:
		if (len < 6 || len > size || strncasecmp(text, "v=spf1", 6) != 0 ||
		    text[len] != '\0')
			__builtin_trap();
		check_parse(text, len, short_reason);
		free(text);
		break;
	case SPF_SELECT_NONE:
	case SPF_SELECT_TWO:
		if (text != NULL || len != 0)
			__builtin_trap();
		break;
	case SPF_SELECT_NOMEM:
		break;
	}
}

static void
check_mx(const uint8_t *data, size_t size)
{
	char text[DNAME_TEXT_MAX];
	unsigned pref = 0;

	if (dname_mx_to_text(data, size, &pref, text, sizeof(text)) == 0) {
		check_printable(text, sizeof(text));
		if (pref > 0xffff)
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool short_reason;
	char *text;

	if (size < 1)
		return 0;
	short_reason = (data[0] & 2) != 0;
	if (data[0] & 1) {
		check_select(data + 1, size - 1, short_reason);
		check_mx(data + 1, size - 1);
		return 0;
	}
	text = malloc(size + 7);
	if (text == NULL)
		abort();
	memcpy(text, "v=spf1 ", 7);
	memcpy(text + 7, data + 1, size - 1);
	check_parse(text, size + 6, short_reason);
	free(text);
	return 0;
}
