/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * text.c - bounded string building; see text.h.
 */
#include "config.h"

#include <string.h>

#include "text.h"

int
text_append(char *buf, size_t size, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos >= size || n >= size - *pos)
		return -1;
	memcpy(buf + *pos, s, n + 1);
	*pos += n;
	return 0;
}
