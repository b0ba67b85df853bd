/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_keys.h - internal to policy.c and policy_keys.c: what a key of
 * ptrmilter.conf is, and what is done with its value.
 *
 * policy.c holds the table of keys (struct policy_key) and the loader;
 * policy_keys.c knows, for each type of key, what text it accepts and how
 * its value is held in struct policy: parsed, stored, compared, printed
 * and freed.  Every function here works on the one key it is given and
 * never looks at the table.  Nothing else includes this header.
 */
#ifndef PTRMILTER_POLICY_KEYS_H
#define PTRMILTER_POLICY_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "addr.h"
#include "allow_list.h"
#include "policy.h"
#include "policy_values.h"
#include "reply_text.h"

enum policy_key_type {
	KEY_SOCKET,		/* char *, libmilter socket spec */
	KEY_USER,		/* char *, one word */
	KEY_OCTAL,		/* unsigned, 0000..0777 */
	KEY_ENUM,		/* an enum, one of choices[] (index = value) */
	KEY_TOKEN,		/* char *, authserv-id: authres_id_valid() */
	KEY_REPLY,		/* char *, reply text: reply_text_check() */
	KEY_PATH,		/* char *, absolute path */
	KEY_BOOL,		/* bool */
	KEY_ADDRESSES,		/* char *, IP addresses joined by one space */
	KEY_DURATION_MS,	/* unsigned, milliseconds; min/max in seconds */
	KEY_DURATION_S,		/* unsigned, seconds; 0 is "off" */
	KEY_MILLISECONDS,	/* unsigned, ms ("50ms", "1s"); min/max in ms */
	KEY_UNSIGNED,		/* unsigned */
	KEY_WEIGHT,		/* double, thousandths exact */
	KEY_THRESHOLD,		/* double, INFINITY is "off" */
	KEY_NETWORKS,		/* struct allow_list of networks */
	KEY_PTR_DOMAINS,	/* struct allow_list of domains */
	KEY_RECIPIENTS,		/* char **, recipient_entry_valid() */
	KEY_DOMAINS,		/* char **, lower case, no outer dots */
	KEY_HEADER,		/* char *, header field name */
	KEY_HOSTPORT,		/* char *, ADDRESS:PORT */
	KEY_STATE_STORE,	/* char *, state_spec_parse() */
};

#define KEY_NONE 0x1		/* "none" unsets: NULL, or an empty list */
#define KEY_OFF 0x2		/* "off" allowed: 0 or INFINITY */

struct policy_key {
	const char *name;
	enum policy_key_type type;
	unsigned flags;
	size_t offset;		/* of the field in struct policy */
	const char *def;	/* the default, as it would be written */
	double min, max;	/* numbers; durations in seconds */
	const char *const *choices;	/* KEY_ENUM, NULL-terminated */
	const char *doc;
};

/* A parsed value before it is stored; which member depends on the type. */
struct policy_key_value {
	char *str;
	bool b;
	unsigned u;
	double d;
	struct allow_list allow;
	char **words;
	char why[REPLY_TEXT_WHY_MAX];	/* POLICY_VALUE_BAD: what is wrong,
					   when the type can say more than
					   what it expects; else "" */
};

/* Thousandths of a finite score, rounded (llround() without libm). */
long long policy_milli(double d);

/* Writes what the key accepts, for error messages. */
void policy_key_expected(const struct policy_key *k, char *buf, size_t size);

/* Parses text (trimmed, non-empty) for key k into v.  On
 * POLICY_VALUE_BAD, *bad points at the offending list entry, or is NULL
 * when the whole value is wrong; POLICY_VALUE_REPORTED: the errors of a
 * list file went to ctx (NULL for a value that may name no file, as the
 * defaults).  v is zeroed first; policy_key_value_free() it on failure. */
enum policy_value_result policy_key_parse(const struct policy_key *k,
    const char *text, const struct allow_context *ctx,
    struct policy_key_value *v, const char **bad);

/* Moves v into the policy, freeing what it replaces. */
void policy_key_store(struct policy *p, const struct policy_key *k,
    struct policy_key_value *v);

/* Frees what a parse left in v (after policy_key_store(): nothing). */
void policy_key_value_free(struct policy_key_value *v);

/* True when k has the same value in a and b. */
bool policy_key_equal(const struct policy *a, const struct policy *b,
    const struct policy_key *k);

/* Writes the value of k in config syntax. */
void policy_key_print(const struct policy *p, const struct policy_key *k,
    FILE *out);

/* Frees what the field of k holds in p, for policy_free(). */
void policy_key_free_field(struct policy *p, const struct policy_key *k);

#endif
