/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_greylist.c - greylisting's keys (greylist.h) over arbitrary
 * sender and recipient bytes, and its decision over arbitrary times.
 *
 * Input: bytes 0..16 are a client address (byte 0: IPv4 when even) and
 * its prefixes (byte 17, byte 18); the rest is the sender and the
 * recipient, split at the first NUL (none: no recipient).
 *
 * Checked: both keys fit GREYLIST_KEY_MAX, are of the store's charset
 * (0x21..0x7e) and begin with their kind; a triplet key ends in 16 lower
 * hex digits, the same for the same input; the decision and retry time
 * keep their promises for times read from the input.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "greylist.h"

#define HEAD 19

static void
check_key(const char *key, const char *kind)
{
	size_t len = strlen(key);

	if (len == 0 || len >= GREYLIST_KEY_MAX ||
	    strncmp(key, kind, strlen(kind)) != 0)
		abort();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)key[i] < 0x21 ||
		    (unsigned char)key[i] > 0x7e)
			abort();
}

static void
check_decision(const uint8_t *d)
{
	struct greylist_seen seen;
	int64_t now, first;
	unsigned delay = 1 + d[0] % 200, window = delay + 1 + d[1];
	enum greylist_decision g;

	memcpy(&now, d + 2, sizeof(now));
	memcpy(&first, d + 10, sizeof(first));
	now /= 4;	/* no overflow in now - first */
	first /= 4;
	seen.have_first = true;
	seen.first_s = first;
	seen.passed = false;
	g = greylist_decide(now, &seen, delay, window);
	if ((g == GREYLIST_PASS) != (now >= first &&
	    now - first >= (int64_t)delay && now - first <= (int64_t)window))
		abort();
	if (greylist_retry_in(now, &seen, delay) < 1 ||
	    greylist_retry_in(now, &seen, delay) > delay)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char key[GREYLIST_KEY_MAX], again[GREYLIST_KEY_MAX];
	struct addr a = { 0 };
	struct cidr net;
	char *text, *rcpt;
	size_t len;

	if (size < HEAD)
		return 0;
	a.family = data[0] % 2 == 0 ? AF_INET : AF_INET6;
	memcpy(a.bytes, data + 1, a.family == AF_INET ? 4 : 16);
	if (greylist_network(&a, data[17], data[18], &net) != 0)
		abort();
	if (greylist_pass_key(&net, key, sizeof(key)) != 0)
		abort();
	check_key(key, "greypass:");
	len = size - HEAD;
	text = malloc(len + 2);
	if (text == NULL)
		return 0;
	memcpy(text, data + HEAD, len);
	text[len] = text[len + 1] = '\0';
	rcpt = (char *)memchr(text, 0, len + 1) + 1;
	if (greylist_triplet_key(&net, text, rcpt <= text + len ? rcpt :
	    NULL, key, sizeof(key)) != 0 ||
	    greylist_triplet_key(&net, text, rcpt <= text + len ? rcpt :
	    NULL, again, sizeof(again)) != 0 || strcmp(key, again) != 0)
		abort();
	check_key(key, "greylist:");
	len = strlen(key);
	if (len < 17 || strspn(key + len - 16, "0123456789abcdef") != 16 ||
	    key[len - 17] != ':')
		abort();
	free(text);
	check_decision(data);
	return 0;
}
