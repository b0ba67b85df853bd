/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ascii.h - character classes for protocol text: plain ASCII whatever the
 * locale, because DNS names and SMTP commands are ASCII and a byte above
 * 0x7f must never count as a letter.
 */
#ifndef PTRMILTER_ASCII_H
#define PTRMILTER_ASCII_H

#include <stdbool.h>

static inline bool
ascii_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
ascii_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Lower case; only A-Z fold (RFC 4343). */
static inline unsigned char
ascii_fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

#endif
