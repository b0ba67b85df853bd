/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_values.h - the value syntaxes of ptrmilter.conf, one parser or
 * checker each, and the formatters that write them back.
 *
 * Pure code: policy.c decides what a key means, these functions only
 * decide whether a piece of text is a well-formed boolean, duration,
 * score, socket spec and so on.  Every parser takes the whole value
 * (already trimmed), accepts nothing else (no leading '+', no trailing
 * garbage, no hex, no locale-dependent decimal point) and returns 0, or -1
 * with *out untouched.  Only the list parsers allocate.
 */
#ifndef PTRMILTER_POLICY_VALUES_H
#define PTRMILTER_POLICY_VALUES_H

#include <stdbool.h>
#include <stddef.h>

#include "safe_text.h"

/* Room for any formatted number or duration. */
#define POLICY_VALUE_NUMBER_MAX 32
/* Room for a value quoted in an error (safe_text(), SAFE_TEXT_CONFIG):
 * 64 bytes shown as \xHH at worst, plus "...". */
#define POLICY_VALUE_SHOWN_MAX (SAFE_TEXT_CONFIG_SHOWN * 4 + 4)

/* What separates the entries of a list value. */
#define POLICY_VALUE_SEPARATORS " \t,"

/* Results of the list parsers. */
enum policy_value_result {
	POLICY_VALUE_OK,
	POLICY_VALUE_BAD,	/* *bad: the entry, or NULL for an empty list */
	POLICY_VALUE_NOMEM,
	POLICY_VALUE_REPORTED	/* errors reported already (a list file) */
};

/* Whether text is word, compared case-insensitively in ASCII ("none",
 * "off", the choices of an enum). */
bool policy_value_is(const char *text, const char *word);

/* "yes", "true" -> true; "no", "false" -> false; case-insensitive.
 * Nothing else: not "1", not "on", not a first byte. */
int policy_value_bool(const char *text, bool *out);

/* Decimal digits only, no sign; fails on overflow of unsigned long. */
int policy_value_unsigned(const char *text, unsigned long *out);

/* One to four octal digits, at most 0777. */
int policy_value_octal(const char *text, unsigned *out);

/* A duration: digits, then optionally one of s, m, h, d (seconds when
 * absent).  Writes seconds; fails on overflow. */
int policy_value_duration(const char *text, unsigned long long *seconds);

/* Writes seconds with the largest unit that divides them ("90s", "2m",
 * "4h", "1d"). */
void policy_value_format_duration(unsigned long long seconds, char *buf,
    size_t size);

/* A short duration: digits then "ms", or a duration as above.  Writes
 * milliseconds; fails on overflow. */
int policy_value_milliseconds(const char *text, unsigned long long *ms);

/* Writes milliseconds as "50ms", or with the largest unit of seconds
 * that divides them ("2s", "1m"). */
void policy_value_format_milliseconds(unsigned long long ms, char *buf,
    size_t size);

/* A decimal "-?D+(.D{1,3})?", e.g. "1", "0.5", "-1", "0.125", at most
 * nine integer digits.  Writes thousandths, so that parsing is exact and
 * the same in every locale. */
int policy_value_decimal(const char *text, long long *milli);

/* Writes thousandths as the shortest decimal that parses back ("0.5"). */
void policy_value_format_decimal(long long milli, char *buf, size_t size);

/* A libmilter socket spec: "unix:/PATH" or "local:/PATH" (an absolute
 * path), "inet:PORT", "inet:PORT@HOST", "inet6:PORT", "inet6:PORT@HOST"
 * with PORT 1..65535.  No whitespace. */
bool policy_value_is_socket(const char *text);

/* "ADDRESS:PORT" with an IPv4 address, or "[IPv6]:PORT"; PORT 1..65535. */
bool policy_value_is_hostport(const char *text);

/* An absolute path of printable bytes without whitespace. */
bool policy_value_is_path(const char *text);

/* A run of printable ASCII without whitespace (a user name, a local part). */
bool policy_value_is_word(const char *text);

/* An RFC 5322 field name (ftext: printable ASCII except ':'), at most 64
 * bytes, that is not a field of the message's own or another checker's
 * (From, Received, Content-*, Authentication-Results, DKIM-Signature,
 * ARC-*, ...): the score header's name, every incoming copy of which is
 * removed. */
bool policy_value_is_field_name(const char *text);

/* A domain name in lower case: labels of [a-z0-9_-], 1..63 bytes each,
 * separated by single dots, at most 253 bytes; no leading or trailing dot
 * (the caller strips those). */
bool policy_value_is_domain(const char *text);

/* Splits a list of recipients (domains false: recipient_entry_valid(),
 * "abuse@example.net." without its trailing dot) or of domain names (domains true: ".example.com" and
 * "example.com." mean example.com) into a NULL-terminated array in lower
 * case.  *out is set whenever something was allocated, also on failure:
 * free it with policy_value_words_free(). */
enum policy_value_result policy_value_words(const char *text, bool domains,
    char ***out, const char **bad);

void policy_value_words_free(char **words);

/* Checks a list of IP addresses and writes them to *out joined by single
 * spaces.  *out is set whenever it was allocated, also on failure. */
enum policy_value_result policy_value_addresses(const char *text, char **out,
    const char **bad);

/* Optimal string alignment distance (edits, transpositions counting one)
 * between a and b, compared case-insensitively; strings longer than 64
 * bytes yield a large number. */
unsigned policy_value_distance(const char *a, const char *b);

#endif
