/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_keys.c - what a key of ptrmilter.conf does with its value; see
 * policy_keys.h.
 *
 * For each type of key: what text it accepts (also as words for error
 * messages), how that text becomes a value and how the value is held in
 * struct policy, compared, printed back in config syntax and freed.  The
 * table of keys lives in policy.c; the syntaxes of single values live in
 * policy_values.c.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "authres.h"
#include "policy_keys.h"
#include "policy_values.h"
#include "state_spec.h"

/* How each type is held in struct policy. */
enum storage {
	STORE_STRING,		/* char *, NULL for "none" */
	STORE_BOOL,		/* bool */
	STORE_UNSIGNED,		/* unsigned */
	STORE_ENUM,		/* an enum, written as int */
	STORE_DOUBLE,		/* double */
	STORE_ALLOW,		/* struct allow_list */
	STORE_WORDS,		/* char **, NULL-terminated, never NULL */
};

static void *field(const struct policy *p, const struct policy_key *k);
static enum storage storage_of(enum policy_key_type type);

static void *
field(const struct policy *p, const struct policy_key *k)
{
	return (char *)(uintptr_t)p + k->offset;
}

long long
policy_milli(double d)
{
	return (long long)(d * 1000 + (d < 0 ? -0.5 : 0.5));
}

void
policy_key_expected(const struct policy_key *k, char *buf, size_t size)
{
	char lo[POLICY_VALUE_NUMBER_MAX], hi[POLICY_VALUE_NUMBER_MAX];
	const char *what = "";
	size_t n;

	switch (k->type) {
	case KEY_SOCKET:
		what = "unix:/PATH, local:/PATH, inet:PORT[@HOST] or "
		    "inet6:PORT[@HOST] (libmilter puts the port first)";
		break;
	case KEY_USER:
		what = "a user name";
		break;
	case KEY_OCTAL:
		what = "an octal mode from 0000 to 0777";
		break;
	case KEY_TOKEN:
		what = "a name without spaces or any of ()<>@,;:\\\"/[]?= "
		    "(e.g. mx.example.net)";
		break;
	case KEY_PATH:
		what = "an absolute path without spaces";
		break;
	case KEY_REPLY:
		what = "one line of printable ASCII with the tokens "
		    "%{reason}, %{ip}, %{ptr}, %{helo}, %{hint} and %%";
		break;
	case KEY_BOOL:
		what = "yes, no, true or false";
		break;
	case KEY_ADDRESSES:
		what = "IP addresses separated by spaces or commas";
		break;
	case KEY_NETWORKS:
		what = "networks (192.0.2.0/24, 2001:db8::/32, no host bits "
		    "set), addresses or file:/ABSOLUTE/PATH, separated by "
		    "spaces or commas";
		break;
	case KEY_PTR_DOMAINS:
		what = "domain names or file:/ABSOLUTE/PATH, separated by "
		    "spaces or commas";
		break;
	case KEY_RECIPIENTS:
		what = "local parts (postmaster), addresses "
		    "(abuse@example.net) or domains (@example.org), separated "
		    "by spaces or commas";
		break;
	case KEY_DOMAINS:
		what = "domain names separated by spaces or commas";
		break;
	case KEY_HEADER:
		what = "a header field name of its own (printable, no spaces "
		    "or colons, at most 64 bytes, not one a message carries "
		    "such as From, Received, Content-Type or "
		    "Authentication-Results)";
		break;
	case KEY_HOSTPORT:
		what = "ADDRESS:PORT, e.g. 127.0.0.1:9357 or [::1]:9357";
		break;
	case KEY_STATE_STORE:
		what = "none, lmdb:/DIRECTORY, redis://HOST[:PORT][/DB] or "
		    "redis+unix:/PATH, with ?password_file=/PATH for Redis";
		break;
	case KEY_MILLISECONDS:
		snprintf(buf, size, "a duration from %.0fms to %.0fms (e.g. "
		    "50ms, 1s)", k->min, k->max);
		return;
	case KEY_ENUM:
		buf[0] = '\0';
		for (size_t i = 0; k->choices[i] != NULL; i++) {
			n = strlen(buf);
			snprintf(buf + n, size - n, "%s%s", i == 0 ? "" :
			    k->choices[i + 1] == NULL ? " or " : ", ",
			    k->choices[i]);
		}
		return;
	case KEY_DURATION_MS:
	case KEY_DURATION_S:
		policy_value_format_duration((unsigned long long)k->min, lo,
		    sizeof(lo));
		policy_value_format_duration((unsigned long long)k->max, hi,
		    sizeof(hi));
		snprintf(buf, size, "%sa duration from %s to %s (seconds, or a "
		    "number with suffix s, m, h or d)",
		    k->flags & KEY_OFF ? "off, or " : "", lo, hi);
		return;
	case KEY_UNSIGNED:
		snprintf(buf, size, "a whole number from %.0f to %.0f", k->min,
		    k->max);
		return;
	case KEY_WEIGHT:
	case KEY_THRESHOLD:
		policy_value_format_decimal(policy_milli(k->min), lo,
		    sizeof(lo));
		policy_value_format_decimal(policy_milli(k->max), hi,
		    sizeof(hi));
		snprintf(buf, size, "%sa number from %s to %s with at most 3 "
		    "decimals", k->flags & KEY_OFF ? "off, or " : "", lo, hi);
		return;
	}
	snprintf(buf, size, "%s%s", what,
	    k->flags & KEY_NONE ? ", or none" : "");
}

enum policy_value_result
policy_key_parse(const struct policy_key *k, const char *text,
    const struct allow_context *ctx, struct policy_key_value *v,
    const char **bad)
{
	struct state_spec spec;
	unsigned long long secs;
	unsigned long ul;
	long long milli;
	bool ok = false;

	memset(v, 0, sizeof(*v));
	allow_list_init(&v->allow);
	*bad = NULL;

	if (k->flags & KEY_NONE && policy_value_is(text, "none")) {
		/* NULL, or an empty list: an array holding only NULL */
		if (storage_of(k->type) == STORE_ALLOW)
			return allow_list_none(&v->allow) == 0 ?
			    POLICY_VALUE_OK : POLICY_VALUE_NOMEM;
		if (storage_of(k->type) != STORE_WORDS)
			return POLICY_VALUE_OK;
		v->words = calloc(1, sizeof(*v->words));
		return v->words != NULL ? POLICY_VALUE_OK : POLICY_VALUE_NOMEM;
	}
	if (k->flags & KEY_OFF && policy_value_is(text, "off")) {
		v->u = 0;
		v->d = INFINITY;
		return POLICY_VALUE_OK;
	}
	switch (k->type) {
	case KEY_SOCKET:
		ok = policy_value_is_socket(text);
		break;
	case KEY_USER:
		ok = policy_value_is_word(text);
		break;
	case KEY_TOKEN:
		/* The one rule for what is written unchanged into
		 * Authentication-Results and compared with incoming ones. */
		ok = authres_id_valid(text);
		break;
	case KEY_PATH:
		ok = policy_value_is_path(text);
		break;
	case KEY_REPLY:
		ok = reply_text_check(text, v->why, sizeof(v->why)) == 0;
		break;
	case KEY_HEADER:
		ok = policy_value_is_field_name(text);
		break;
	case KEY_HOSTPORT:
		ok = policy_value_is_hostport(text);
		break;
	case KEY_STATE_STORE:
		ok = state_spec_parse(text, &spec, v->why, sizeof(v->why)) == 0;
		break;
	case KEY_MILLISECONDS:
		if (policy_value_milliseconds(text, &secs) != 0 ||
		    secs < k->min || secs > k->max)
			return POLICY_VALUE_BAD;
		v->u = (unsigned)secs;
		return POLICY_VALUE_OK;
	case KEY_ADDRESSES:
		return policy_value_addresses(text, &v->str, bad);
	case KEY_NETWORKS:
	case KEY_PTR_DOMAINS:
		return allow_list_parse(&v->allow, k->type == KEY_NETWORKS ?
		    ALLOW_NETWORKS : ALLOW_DOMAINS, text, ctx, bad);
	case KEY_RECIPIENTS:
	case KEY_DOMAINS:
		return policy_value_words(text, k->type == KEY_DOMAINS,
		    &v->words, bad);
	case KEY_BOOL:
		return policy_value_bool(text, &v->b) == 0 ? POLICY_VALUE_OK :
		    POLICY_VALUE_BAD;
	case KEY_OCTAL:
		return policy_value_octal(text, &v->u) == 0 ? POLICY_VALUE_OK :
		    POLICY_VALUE_BAD;
	case KEY_ENUM:
		for (unsigned i = 0; k->choices[i] != NULL; i++) {
			if (policy_value_is(text, k->choices[i])) {
				v->u = i;
				return POLICY_VALUE_OK;
			}
		}
		return POLICY_VALUE_BAD;
	case KEY_UNSIGNED:
		if (policy_value_unsigned(text, &ul) != 0 || ul < k->min ||
		    ul > k->max)
			return POLICY_VALUE_BAD;
		v->u = (unsigned)ul;
		return POLICY_VALUE_OK;
	case KEY_DURATION_MS:
	case KEY_DURATION_S:
		if (policy_value_duration(text, &secs) != 0 || secs < k->min ||
		    secs > k->max)
			return POLICY_VALUE_BAD;
		if (k->type == KEY_DURATION_MS)
			secs *= 1000;
		v->u = (unsigned)secs;
		return POLICY_VALUE_OK;
	case KEY_WEIGHT:
	case KEY_THRESHOLD:
		if (policy_value_decimal(text, &milli) != 0 ||
		    milli < policy_milli(k->min) ||
		    milli > policy_milli(k->max))
			return POLICY_VALUE_BAD;
		v->d = (double)milli / 1000.0;
		return POLICY_VALUE_OK;
	}
	if (!ok)
		return POLICY_VALUE_BAD;
	v->str = strdup(text);
	return v->str != NULL ? POLICY_VALUE_OK : POLICY_VALUE_NOMEM;
}

/* How a type is held in struct policy. */
static enum storage
storage_of(enum policy_key_type type)
{
	switch (type) {
	case KEY_BOOL:
		return STORE_BOOL;
	case KEY_OCTAL:
	case KEY_UNSIGNED:
	case KEY_DURATION_MS:
	case KEY_DURATION_S:
	case KEY_MILLISECONDS:
		return STORE_UNSIGNED;
	case KEY_ENUM:
		return STORE_ENUM;
	case KEY_WEIGHT:
	case KEY_THRESHOLD:
		return STORE_DOUBLE;
	case KEY_NETWORKS:
	case KEY_PTR_DOMAINS:
		return STORE_ALLOW;
	case KEY_RECIPIENTS:
	case KEY_DOMAINS:
		return STORE_WORDS;
	case KEY_SOCKET:
	case KEY_USER:
	case KEY_TOKEN:
	case KEY_REPLY:
	case KEY_PATH:
	case KEY_ADDRESSES:
	case KEY_HEADER:
	case KEY_HOSTPORT:
	case KEY_STATE_STORE:
		break;
	}
	return STORE_STRING;
}

void
policy_key_store(struct policy *p, const struct policy_key *k,
    struct policy_key_value *v)
{
	void *f = field(p, k);
	int e;

	switch (storage_of(k->type)) {
	case STORE_STRING:
		free(*(char **)f);
		*(char **)f = v->str;
		v->str = NULL;
		break;
	case STORE_BOOL:
		*(bool *)f = v->b;
		break;
	case STORE_UNSIGNED:
		*(unsigned *)f = v->u;
		break;
	case STORE_ENUM:
		e = (int)v->u;
		memcpy(f, &e, sizeof(e));
		break;
	case STORE_DOUBLE:
		*(double *)f = v->d;
		break;
	case STORE_ALLOW:
		allow_list_free(f);
		*(struct allow_list *)f = v->allow;
		allow_list_init(&v->allow);
		break;
	case STORE_WORDS:
		policy_value_words_free(*(char ***)f);
		*(char ***)f = v->words;
		v->words = NULL;
		break;
	}
}

void
policy_key_value_free(struct policy_key_value *v)
{
	free(v->str);
	allow_list_free(&v->allow);
	policy_value_words_free(v->words);
	memset(v, 0, sizeof(*v));
}

bool
policy_key_equal(const struct policy *a, const struct policy *b,
    const struct policy_key *k)
{
	const void *fa = field(a, k), *fb = field(b, k);
	char *const *wa, *const *wb;
	const char *sa, *sb;
	size_t i;

	switch (storage_of(k->type)) {
	case STORE_STRING:
		sa = *(char *const *)fa;
		sb = *(char *const *)fb;
		return sa == sb ||
		    (sa != NULL && sb != NULL && strcmp(sa, sb) == 0);
	case STORE_BOOL:
		return *(const bool *)fa == *(const bool *)fb;
	case STORE_UNSIGNED:
		return *(const unsigned *)fa == *(const unsigned *)fb;
	case STORE_ENUM:
		return memcmp(fa, fb, sizeof(int)) == 0;
	case STORE_DOUBLE:
		return *(const double *)fa == *(const double *)fb;
	case STORE_ALLOW:
		return allow_list_equal(fa, fb, k->type == KEY_NETWORKS ?
		    ALLOW_NETWORKS : ALLOW_DOMAINS);
	case STORE_WORDS:
		wa = *(char **const *)fa;
		wb = *(char **const *)fb;
		for (i = 0; wa[i] != NULL && wb[i] != NULL; i++)
			if (strcmp(wa[i], wb[i]) != 0)
				return false;
		return wa[i] == NULL && wb[i] == NULL;
	}
	return false;
}

void
policy_key_print(const struct policy *p, const struct policy_key *k,
    FILE *out)
{
	char buf[POLICY_VALUE_NUMBER_MAX];
	const void *f = field(p, k);
	char *const *words;
	const char *s;
	unsigned u;
	double d;
	int e;

	switch (k->type) {
	case KEY_BOOL:
		fputs(*(const bool *)f ? "yes" : "no", out);
		return;
	case KEY_OCTAL:
		fprintf(out, "%04o", *(const unsigned *)f);
		return;
	case KEY_UNSIGNED:
		fprintf(out, "%u", *(const unsigned *)f);
		return;
	case KEY_DURATION_MS:
	case KEY_DURATION_S:
		u = *(const unsigned *)f;
		if (k->type == KEY_DURATION_MS)
			u /= 1000;
		if (u == 0 && k->flags & KEY_OFF) {
			fputs("off", out);
			return;
		}
		policy_value_format_duration(u, buf, sizeof(buf));
		fputs(buf, out);
		return;
	case KEY_MILLISECONDS:
		policy_value_format_milliseconds(*(const unsigned *)f, buf,
		    sizeof(buf));
		fputs(buf, out);
		return;
	case KEY_ENUM:
		memcpy(&e, f, sizeof(e));
		fputs(k->choices[e], out);
		return;
	case KEY_WEIGHT:
	case KEY_THRESHOLD:
		d = *(const double *)f;
		if (isinf(d)) {
			fputs("off", out);
			return;
		}
		policy_value_format_decimal(policy_milli(d), buf, sizeof(buf));
		fputs(buf, out);
		return;
	case KEY_NETWORKS:
	case KEY_PTR_DOMAINS:
		allow_list_print(f, out);
		return;
	case KEY_RECIPIENTS:
	case KEY_DOMAINS:
		words = *(char **const *)f;
		if (words[0] == NULL)
			fputs("none", out);
		for (size_t i = 0; words[i] != NULL; i++)
			fprintf(out, "%s%s", i > 0 ? " " : "", words[i]);
		return;
	default:
		s = *(char *const *)f;
		fputs(s != NULL ? s : "none", out);
		return;
	}
}

void
policy_key_free_field(struct policy *p, const struct policy_key *k)
{
	void *f = field(p, k);

	switch (storage_of(k->type)) {
	case STORE_STRING:
		free(*(char **)f);
		break;
	case STORE_ALLOW:
		allow_list_free(f);
		break;
	case STORE_WORDS:
		policy_value_words_free(*(char ***)f);
		break;
	default:
		break;
	}
}
