/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_redis_reply.c - what a Redis reply means for the state store.
 *
 * Every reply is checked for the one type and shape its command has; an
 * error reply (LOADING, READONLY, OOM, NOAUTH, WRONGTYPE, ...) or anything
 * unexpected is STATE_DOWN with a printable reason quoting at most the
 * start of the server's text.  Values are copied only when they fit
 * STATE_VALUE_MAX.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "safe_text.h"
#include "state_redis_impl.h"

/* Bytes of a server's error text quoted in a reason. */
#define REDIS_QUOTE_MAX 64

static void why_unexpected(const redisReply *r, const char *name,
    const char *wanted, char *why, size_t whylen);

void
redis_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (whylen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

const char *
redis_reply_type_name(const redisReply *r)
{
	if (r == NULL)
		return "no reply";
	switch (r->type) {
	case REDIS_REPLY_STRING:
		return "a string";
	case REDIS_REPLY_ARRAY:
		return "an array";
	case REDIS_REPLY_INTEGER:
		return "an integer";
	case REDIS_REPLY_NIL:
		return "nil";
	case REDIS_REPLY_STATUS:
		return "a status";
	case REDIS_REPLY_ERROR:
		return "an error";
	default:
		return "an unknown type";
	}
}

/* "NAME: wanted WANTED, got TYPE", or the server's error text quoted. */
static void
why_unexpected(const redisReply *r, const char *name, const char *wanted,
    char *why, size_t whylen)
{
	char quoted[REDIS_QUOTE_MAX + 1];

	if (r != NULL && r->type == REDIS_REPLY_ERROR && r->str != NULL) {
		safe_text(quoted, sizeof(quoted), r->str,
		    r->len < REDIS_QUOTE_MAX ? r->len : REDIS_QUOTE_MAX,
		    SAFE_TEXT_REPLY);
		redis_why(why, whylen, "%s: server said \"%s\"", name, quoted);
		return;
	}
	redis_why(why, whylen, "%s: wanted %s, got %s", name, wanted,
	    redis_reply_type_name(r));
}

static bool
status_is(const redisReply *r, const char *text)
{
	size_t n = strlen(text);

	return r != NULL && r->type == REDIS_REPLY_STATUS && r->str != NULL &&
	    r->len == n && memcmp(r->str, text, n) == 0;
}

bool
redis_reply_expected(const redisReply *r, enum redis_expect expect,
    const char *name, char *why, size_t whylen)
{
	switch (expect) {
	case REDIS_EXPECT_OK:
		if (status_is(r, "OK"))
			return true;
		why_unexpected(r, name, "OK", why, whylen);
		return false;
	case REDIS_EXPECT_QUEUED:
		if (status_is(r, "QUEUED"))
			return true;
		why_unexpected(r, name, "QUEUED", why, whylen);
		return false;
	case REDIS_EXPECT_ANY:
		if (r != NULL && r->type != REDIS_REPLY_ERROR)
			return true;
		why_unexpected(r, name, "a reply", why, whylen);
		return false;
	}
	why_unexpected(r, name, "a reply", why, whylen);
	return false;
}

/* A string reply's bytes into value, if they fit. */
static enum state_result
copy_value(const redisReply *r, const char *name, unsigned char *value,
    size_t *len, char *why, size_t whylen)
{
	if (r->str == NULL || r->len > STATE_VALUE_MAX) {
		redis_why(why, whylen, "%s: a value of %zu bytes (at most %d)",
		    name, r->len, STATE_VALUE_MAX);
		return STATE_DOWN;
	}
	memcpy(value, r->str, r->len);
	*len = r->len;
	return STATE_OK;
}

enum state_result
redis_reply_get(const redisReply *r, unsigned char *value, size_t *len,
    char *why, size_t whylen)
{
	if (r != NULL && r->type == REDIS_REPLY_NIL)
		return STATE_MISSING;
	if (r == NULL || r->type != REDIS_REPLY_STRING) {
		why_unexpected(r, "GET", "a string or nil", why, whylen);
		return STATE_DOWN;
	}
	return copy_value(r, "GET", value, len, why, whylen);
}

enum state_result
redis_reply_count(const redisReply *r, const char *name, char *why,
    size_t whylen)
{
	if (r == NULL || r->type != REDIS_REPLY_INTEGER) {
		why_unexpected(r, name, "an integer", why, whylen);
		return STATE_DOWN;
	}
	if (r->integer == 1)
		return STATE_OK;
	if (r->integer == 0)
		return STATE_MISSING;
	redis_why(why, whylen, "%s: wanted 0 or 1, got %lld", name,
	    r->integer);
	return STATE_DOWN;
}

/* EXEC's answer to MULTI; SET key value EX ttl NX; GET key; EXEC: an array
 * of the SET's reply (OK, or nil when the key was there) and the GET's
 * (the value in force), read in one atomic step. */
enum state_result
redis_reply_add(const redisReply *r, unsigned char *current,
    size_t *current_len, char *why, size_t whylen)
{
	const redisReply *set, *get;
	enum state_result res;

	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element == NULL) {
		if (r != NULL && r->type == REDIS_REPLY_ARRAY)
			redis_why(why, whylen,
			    "EXEC: wanted 2 replies, got %zu", r->elements);
		else
			why_unexpected(r, "EXEC", "an array", why, whylen);
		return STATE_DOWN;
	}
	set = r->element[0];
	get = r->element[1];
	if (status_is(set, "OK"))
		res = STATE_OK;
	else if (set != NULL && set->type == REDIS_REPLY_NIL)
		res = STATE_EXISTS;
	else {
		why_unexpected(set, "SET NX", "OK or nil", why, whylen);
		return STATE_DOWN;
	}
	if (get == NULL || get->type != REDIS_REPLY_STRING) {
		why_unexpected(get, "GET after SET NX", "a string", why,
		    whylen);
		return STATE_DOWN;
	}
	if (copy_value(get, "GET after SET NX", current, current_len, why,
	    whylen) != STATE_OK)
		return STATE_DOWN;
	return res;
}

/* An error reply whose text starts with code and a space (or is code). */
static bool
error_code_is(const redisReply *r, const char *code)
{
	size_t n = strlen(code);

	return r != NULL && r->type == REDIS_REPLY_ERROR && r->str != NULL &&
	    r->len >= n && memcmp(r->str, code, n) == 0 &&
	    (r->len == n || r->str[n] == ' ');
}

static bool
refuses_writes(const redisReply *r)
{
	static const char *const codes[] = { "READONLY", "OOM", "MISCONF" };
	size_t i;

	for (i = 0; r != NULL && i < sizeof(codes) / sizeof(codes[0]); i++)
		if (error_code_is(r, codes[i]))
			return true;
	return false;
}

bool
redis_replies_refuse_writes(const struct redis_request *req)
{
	const redisReply *r;
	size_t j;
	int i;

	for (i = 0; i < req->commands; i++) {
		r = req->replies[i];
		if (refuses_writes(r))
			return true;
		/* EXEC answers each queued command in turn. */
		for (j = 0; r != NULL && r->type == REDIS_REPLY_ARRAY &&
		    j < r->elements; j++)
			if (refuses_writes(r->element[j]))
				return true;
	}
	return false;
}
