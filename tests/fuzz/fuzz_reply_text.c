/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_reply_text.c - reply_text_check(), reply_text_expand() and
 * reply_text_milter() over arbitrary texts and client values.
 *
 * Input: byte 0 picks the destination size (255: REPLY_TEXT_SIZE, else
 * 0..254); the rest is split at NUL bytes into the text, then the PTR
 * name, the HELO and the hint (a field that is missing is NULL).
 *
 * Checked: the check answers 0, or -1 with a reason; whether it passed
 * or not, the expansion writes nothing past the size, ends in a NUL,
 * holds only printable ASCII and, '%' counted twice, at most
 * REPLY_TEXT_MAX octets; its '%'-doubled form fits REPLY_TEXT_SIZE, is
 * exactly that long and undoubles back to it.  A text that passed and
 * holds %{reason} and %{ip} shows both whole in a full-size buffer.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reply_text.h"

#define CANARY 0xa5
#define REASON "your reverse hostname does not resolve back to your address"
#define IP "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"

static size_t cost(const char *s);
static bool has_token(const char *text, const char *token);
static void check_reply(const char *text, const char *buf, size_t dsize);

/* Octets as reply_text.h counts them: '%' twice. */
static size_t
cost(const char *s)
{
	size_t c = 0;

	for (; *s != '\0'; s++)
		c += *s == '%' ? 2 : 1;
	return c;
}

/* token is in text as a token, not inside "%%{...}" words. */
static bool
has_token(const char *text, const char *token)
{
	size_t n = strlen(token);

	for (const char *s = text; *s != '\0'; s++) {
		if (*s != '%')
			continue;
		if (strncmp(s, token, n) == 0)
			return true;
		if (s[1] == '%')
			s++;
	}
	return false;
}

static void
check_reply(const char *text, const char *buf, size_t dsize)
{
	char milter[REPLY_TEXT_SIZE];
	size_t n = strlen(buf), j = 0;

	if (n >= dsize || cost(buf) > REPLY_TEXT_MAX || cost(buf) >= dsize)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			__builtin_trap();
	if (reply_text_milter(buf, milter, sizeof(milter)) != 0 ||
	    strlen(milter) != cost(buf))
		__builtin_trap();
	for (size_t i = 0; milter[i] != '\0'; i++, j++) {
		if (milter[i] == '%' && milter[++i] != '%')
			__builtin_trap();
		if (milter[i] != buf[j])
			__builtin_trap();
	}
	if (j != n)
		__builtin_trap();
	(void)text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[REPLY_TEXT_SIZE + 16], why[REPLY_TEXT_WHY_MAX];
	const char *field[4] = { NULL, NULL, NULL, NULL };
	struct reply_values v;
	size_t dsize, nfields = 0;
	char *copy, *p;
	int checked;

	if (size < 1)
		return 0;
	dsize = data[0] == 255 ? REPLY_TEXT_SIZE : data[0];
	copy = malloc(size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	for (p = copy; nfields < 4 && p <= copy + size - 1;
	    p += strlen(p) + 1)
		field[nfields++] = p;

	why[0] = '\0';
	checked = reply_text_check(field[0], why, sizeof(why));
	if (checked != 0 && (checked != -1 || why[0] == '\0'))
		__builtin_trap();
	v = (struct reply_values){ .reason = REASON, .ip = IP,
	    .ptr = field[1], .helo = field[2], .hint = field[3] };
	memset(buf, CANARY, sizeof(buf));
	reply_text_expand(field[0], &v, buf, dsize);
	for (size_t i = dsize; i < sizeof(buf); i++)
		if ((unsigned char)buf[i] != CANARY)
			__builtin_trap();
	if (dsize > 0)
		check_reply(field[0], buf, dsize);
	if (checked == 0 && dsize == REPLY_TEXT_SIZE &&
	    ((has_token(field[0], "%{reason}") &&
	    strstr(buf, REASON) == NULL) ||
	    (has_token(field[0], "%{ip}") && strstr(buf, IP) == NULL)))
		__builtin_trap();
	free(copy);
	return 0;
}
