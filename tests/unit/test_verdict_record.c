/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_verdict_record.c - the decision and message lines as text and as
 * JSON, from one record: the fields each form carries, that both tell
 * the same verdict, that the MTA's queue ID is shown tamed, and that a
 * hostile HELO, PTR name or {i} - quotes, backslashes, control and 8-bit
 * bytes, 2000 of them - still gives one JSON object that parses back to
 * the bytes it came from, cut where it says so.
 *
 * The JSON is read back by a small strict parser below (objects, arrays,
 * strings with \" \\ \uXXXX, numbers, true, false, null), so a line that
 * a real JSON reader would refuse fails here too.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"
#include "tags.h"
#include "verdict.h"
#include "verdict_record.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define CLIENT4 "198.51.100.20"
#define HOSTILE_LEN 2000
#define FIELDS_MAX 32
#define VALUE_MAX 1024

/* One client's verdict, made as the daemon makes it. */
struct world {
	struct policy *policy;
	struct fcrdns_name names[1];
	struct fcrdns_result res;
	struct findings findings;
	struct verdict_input in;
	struct verdict v;
	struct verdict_record r;
};

/* A top-level key of a parsed object: its string decoded (bytes), or the
 * text of any other value. */
struct field {
	char key[64];
	bool is_string;
	char value[VALUE_MAX];
	size_t len;
};

struct parsed {
	struct field f[FIELDS_MAX];
	size_t n;
};

static void report_fail(void *arg, const char *message);
static void world_make(struct world *w, const char *conf, const char *helo,
    const char *ptr, enum iprev iprev, const char *tags);
static void world_free(struct world *w);
static const char *skip_value(const char *p);
static const char *parse_string(const char *p, char *out, size_t size,
    size_t *len);
static void parse_object(const char *line, struct parsed *out);
static const struct field *field(const struct parsed *p, const char *key);
static void assert_string_field(const struct parsed *p, const char *key,
    const char *want);
static void assert_raw_field(const struct parsed *p, const char *key,
    const char *want);

static void
report_fail(void *arg, const char *message)
{
	(void)arg;
	fail_msg("policy: %s", message);
}

/* tags: "tag[reason] tag"; ptr NULL: no PTR. */
static void
world_make(struct world *w, const char *conf, const char *helo,
    const char *ptr, enum iprev iprev, const char *tags)
{
	char spec[256], *word, *save = NULL, *open;
	enum tag t;

	memset(w, 0, sizeof(*w));
	w->policy = policy_parse_buffer("test", conf, strlen(conf),
	    report_fail, NULL);
	assert_non_null(w->policy);
	assert_int_equal(addr_parse(CLIENT4, &w->res.client), 0);
	w->res.iprev = iprev;
	w->res.dnssec = DNSSEC_SECURE;
	w->res.confirmed = -1;
	w->res.ms = 12;
	w->res.names = w->names;
	if (ptr != NULL) {
		/* Only read; fcrdns owns names for real. */
		w->names[0].name = (char *)(uintptr_t)ptr;
		w->res.nnames = 1;
		if (iprev == IPREV_PASS)
			w->res.confirmed = 0;
	}
	snprintf(spec, sizeof(spec), "%s", tags);
	for (word = strtok_r(spec, " ", &save); word != NULL;
	    word = strtok_r(NULL, " ", &save)) {
		open = strchr(word, '[');
		if (open != NULL) {
			*open++ = '\0';
			open[strlen(open) - 1] = '\0';
		}
		assert_int_equal(tag_lookup(word, &t), 0);
		findings_add(&w->findings, t, open);
	}
	w->in.policy = w->policy;
	w->in.fcrdns = &w->res;
	w->in.findings = &w->findings;
	w->in.helo = helo;
	verdict_decide(&w->in, &w->v);
	w->r.event = VERDICT_EVENT_DECISION;
	w->r.conn = 12;
	w->r.msg = 1;
	w->r.ip = CLIENT4;
	w->r.in = &w->in;
	w->r.v = &w->v;
	w->r.mode = w->policy->mode;
}

static void
world_free(struct world *w)
{
	policy_free(w->policy);
}

/* The JSON reader: strict enough that what it takes, Python's json
 * takes too. */
static const char *
parse_string(const char *p, char *out, size_t size, size_t *len)
{
	size_t n = 0;
	unsigned v;

	if (*p++ != '"')
		fail_msg("expected a string at '%.20s'", p - 1);
	while (*p != '"') {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c > 0x7e)
			fail_msg("raw byte 0x%02x inside a JSON string", c);
		if (c == '\\') {
			if (p[1] == '"' || p[1] == '\\' || p[1] == '/') {
				c = (unsigned char)p[1];
				p += 2;
			} else if (p[1] == 'u' &&
			    sscanf(p + 2, "%4x", &v) == 1 && v <= 0xff) {
				c = (unsigned char)v;
				p += 6;
			} else {
				fail_msg("bad escape '%.6s'", p);
			}
		} else {
			p++;
		}
		if (n + 1 >= size)
			fail_msg("string longer than the test reads");
		out[n++] = (char)c;
	}
	out[n] = '\0';
	*len = n;
	return p + 1;
}

static const char *
skip_value(const char *p)
{
	char scratch[VALUE_MAX];
	size_t len;

	if (*p == '"')
		return parse_string(p, scratch, sizeof(scratch), &len);
	if (*p == '[' || *p == '{') {
		char close = *p == '[' ? ']' : '}';

		p++;
		while (*p != close) {
			if (close == '}') {
				p = parse_string(p, scratch, sizeof(scratch),
				    &len);
				if (*p++ != ':')
					fail_msg("expected ':'");
			}
			p = skip_value(p);
			if (*p == ',' && p[1] != close)
				p++;
			else if (*p != close)
				fail_msg("expected ',' or '%c' at '%.20s'",
				    close, p);
		}
		return p + 1;
	}
	if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		char *end;

		(void)strtod(p, &end);
		return end;
	}
	fail_msg("not a JSON value at '%.20s'", p);
	return p;
}

/* One object, on one line, nothing after it. */
static void
parse_object(const char *line, struct parsed *out)
{
	const char *p = line, *start;
	struct field *f;

	memset(out, 0, sizeof(*out));
	if (*p++ != '{')
		fail_msg("not an object: %.40s", line);
	while (*p != '}') {
		assert_true(out->n < FIELDS_MAX);
		f = &out->f[out->n++];
		p = parse_string(p, f->key, sizeof(f->key), &f->len);
		if (*p++ != ':')
			fail_msg("expected ':' after %s", f->key);
		f->is_string = *p == '"';
		start = p;
		if (f->is_string) {
			p = parse_string(p, f->value, sizeof(f->value),
			    &f->len);
		} else {
			p = skip_value(p);
			f->len = (size_t)(p - start);
			assert_true(f->len < sizeof(f->value));
			memcpy(f->value, start, f->len);
			f->value[f->len] = '\0';
		}
		if (*p == ',')
			p++;
		else if (*p != '}')
			fail_msg("expected ',' or '}' at '%.20s'", p);
	}
	if (p[1] != '\0')
		fail_msg("text after the object: '%.20s'", p + 1);
}

static const struct field *
field(const struct parsed *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->f[i].key, key) == 0)
			return &p->f[i];
	fail_msg("no key %s", key);
	return NULL;
}

static void
assert_string_field(const struct parsed *p, const char *key,
    const char *want)
{
	const struct field *f = field(p, key);

	if (!f->is_string)
		fail_msg("%s is %s, want \"%s\"", key, f->value, want);
	assert_string_equal(f->value, want);
}

static void
assert_raw_field(const struct parsed *p, const char *key, const char *want)
{
	const struct field *f = field(p, key);

	if (f->is_string)
		fail_msg("%s is the string \"%s\", want %s", key, f->value,
		    want);
	assert_string_equal(f->value, want);
}

static void
test_decision_text_is_the_log_line_with_msg_and_queue_id(void **state)
{
	struct world w;
	char line[VERDICT_RECORD_MAX], body[VERDICT_LOG_MAX], want[8192];

	(void)state;
	world_make(&w, "", "mail.example.com", "mail.example.com", IPREV_PASS,
	    "dnssec_secure");
	assert_int_equal(verdict_log_line(&w.in, &w.v, body, sizeof(body)), 0);
	assert_int_equal(verdict_record_text(&w.r, line, sizeof(line)), 0);
	snprintf(want, sizeof(want), "conn=12 %s msg=1", body);
	assert_string_equal(line, want);

	w.r.queue_id = "4dQz2B0kXzz2";
	assert_int_equal(verdict_record_text(&w.r, line, sizeof(line)), 0);
	snprintf(want, sizeof(want), "conn=12 %s msg=1 queue_id=4dQz2B0kXzz2",
	    body);
	assert_string_equal(line, want);
	world_free(&w);
}

static void
test_message_text_leads_with_the_queue_id(void **state)
{
	struct world w;
	char line[VERDICT_RECORD_MAX];

	(void)state;
	world_make(&w, "", "pc01", NULL, IPREV_PERMERROR,
	    "no_ptr helo_not_fqdn");
	w.r.event = VERDICT_EVENT_MESSAGE;
	w.r.msg = 3;
	w.r.queue_id = "4dQz2B0kXzz2";
	w.r.exempt = "recipient";
	w.r.forged_removed = 2;
	w.r.headers_added = true;
	assert_int_equal(verdict_record_text(&w.r, line, sizeof(line)), 0);
	assert_string_equal(line, "conn=12 msg=3 queue_id=4dQz2B0kXzz2 "
	    "action=tempfail ip=" CLIENT4 " helo=<pc01> ptr=- "
	    "iprev=permerror dnssec=secure score=6.0 "
	    "tags=no_ptr,helo_not_fqdn ms=12 exempt=recipient "
	    "forged_removed=2 headers=added");

	/* Not judged: no verdict to tell, only why. */
	w.r.in = NULL;
	w.r.v = NULL;
	w.r.queue_id = NULL;
	w.r.exempt = "network";
	w.r.forged_removed = 0;
	w.r.headers_added = false;
	assert_int_equal(verdict_record_text(&w.r, line, sizeof(line)), 0);
	assert_string_equal(line, "conn=12 msg=3 queue_id=- action=accept "
	    "ip=" CLIENT4 " exempt=network forged_removed=0 headers=none");
	w.r.ip = NULL;
	w.r.exempt = "no_address";
	assert_int_equal(verdict_record_text(&w.r, line, sizeof(line)), 0);
	assert_string_equal(line, "conn=12 msg=3 queue_id=- action=accept "
	    "ip=- exempt=no_address forged_removed=0 headers=none");
	world_free(&w);
}

/* {i} is the MTA's, but whatever reaches the milter protocol is taken
 * as hostile: letters, digits and - . _ only, cut. */
static void
test_queue_id_is_tamed(void **state)
{
	static const struct {
		const char *name;
		const char *queue_id;
		const char *want;	/* the field in the text line */
	} cases[] = {
		{ "Postfix short", "3F2A81C0E1", "queue_id=3F2A81C0E1" },
		{ "Postfix long", "4dQz2B0kXzz2", "queue_id=4dQz2B0kXzz2" },
		{ "Sendmail", "0B7KTi2T012345", "queue_id=0B7KTi2T012345" },
		{ "space and a forged field", "ABC action=reject",
		    "queue_id=ABC?action?reject" },
		{ "CR LF", "A\r\nB", "queue_id=A??B" },
		{ "8-bit", "A\xc3\xa9", "queue_id=A??" },
		{ "quote and backslash", "A\"\\", "queue_id=A??" },
		{ "long: cut with ...",
		    "0123456789012345678901234567890123456789",
		    "queue_id=01234567890123456789012345678..." },
		{ "empty is unknown", "", "queue_id=-" },
	};
	struct world w;
	char line[VERDICT_RECORD_MAX];
	const char *at;

	(void)state;
	world_make(&w, "", "mail.example.com", "mail.example.com", IPREV_PASS,
	    "");
	w.r.event = VERDICT_EVENT_MESSAGE;
	for (size_t i = 0; i < NELEM(cases); i++) {
		w.r.queue_id = cases[i].queue_id;
		assert_int_equal(verdict_record_text(&w.r, line, sizeof(line)),
		    0);
		at = strstr(line, "queue_id=");
		assert_non_null(at);
		if (strncmp(at, cases[i].want, strlen(cases[i].want)) != 0 ||
		    at[strlen(cases[i].want)] != ' ')
			fail_msg("%s: got '%.60s', want '%s'", cases[i].name,
			    at, cases[i].want);
	}
	world_free(&w);
}

static void
test_json_decision_has_every_field_typed(void **state)
{
	struct world w;
	char line[VERDICT_RECORD_MAX];
	struct parsed p;

	(void)state;
	world_make(&w, "mode = dry-run\n", "pc01", NULL, IPREV_PERMERROR,
	    "no_ptr ptr_generic[ip-in-name:198-51-100-20]");
	w.in.mta_resolve = "FAIL";
	w.in.exemption = NULL;
	w.r.queue_id = "4dQz2B0kXzz2";
	assert_int_equal(verdict_record_json(&w.r, line, sizeof(line)), 0);
	parse_object(line, &p);
	assert_string_field(&p, "event", "decision");
	assert_raw_field(&p, "conn", "12");
	assert_raw_field(&p, "msg", "1");
	assert_string_field(&p, "queue_id", "4dQz2B0kXzz2");
	assert_string_field(&p, "ip", CLIENT4);
	assert_string_field(&p, "helo", "pc01");
	assert_raw_field(&p, "ptr", "null");
	assert_string_field(&p, "iprev", "permerror");
	assert_string_field(&p, "dnssec", "secure");
	assert_raw_field(&p, "score", "7.0");
	assert_raw_field(&p, "tags", "[{\"tag\":\"no_ptr\",\"reason\":null},"
	    "{\"tag\":\"ptr_generic\",\"reason\":\"ip-in-name:198-51-100-20\"}]");
	assert_string_field(&p, "action", "tempfail");
	assert_string_field(&p, "mode", "dry-run");
	assert_raw_field(&p, "enforced", "false");
	assert_raw_field(&p, "exemption", "null");
	assert_raw_field(&p, "exemption_source", "null");
	assert_raw_field(&p, "ms", "12");
	assert_raw_field(&p, "cached", "false");
	assert_string_field(&p, "mta_resolve", "FAIL");
	assert_raw_field(&p, "mta_ptr", "null");
	assert_int_equal(p.n, 20);
	world_free(&w);
}

static void
test_json_message_of_a_client_not_judged(void **state)
{
	struct world w;
	char line[VERDICT_RECORD_MAX];
	struct parsed p;

	(void)state;
	world_make(&w, "", NULL, NULL, IPREV_PERMERROR, "");
	w.r.event = VERDICT_EVENT_MESSAGE;
	w.r.in = NULL;
	w.r.v = NULL;
	w.r.msg = 0;
	w.r.exempt = "authenticated";
	w.r.forged_removed = 1;
	assert_int_equal(verdict_record_json(&w.r, line, sizeof(line)), 0);
	parse_object(line, &p);
	assert_string_field(&p, "event", "message");
	assert_raw_field(&p, "msg", "null");
	assert_raw_field(&p, "queue_id", "null");
	assert_raw_field(&p, "helo", "null");
	assert_raw_field(&p, "iprev", "null");
	assert_raw_field(&p, "score", "null");
	assert_raw_field(&p, "tags", "null");
	assert_string_field(&p, "action", "accept");
	assert_string_field(&p, "mode", "enforce");
	assert_raw_field(&p, "enforced", "false");
	assert_string_field(&p, "exemption", "authenticated");
	assert_raw_field(&p, "ms", "null");
	assert_raw_field(&p, "forged_removed", "1");
	assert_raw_field(&p, "headers_added", "false");
	world_free(&w);
}

/* The exemption the verdict names (an allow-list entry) is the JSON's
 * exemption when the session has none of its own. */
static void
test_json_exemption_comes_from_the_verdict_input(void **state)
{
	struct world w;
	char line[VERDICT_RECORD_MAX];
	struct parsed p;

	(void)state;
	world_make(&w, "", "mx.example.com", "mx.example.com", IPREV_PASS, "");
	w.in.exemption = "ptr_domain:example.com";
	assert_int_equal(verdict_record_json(&w.r, line, sizeof(line)), 0);
	parse_object(line, &p);
	assert_string_field(&p, "exemption", "ptr_domain:example.com");
	world_free(&w);
}

/* The exemption ends the text line, after the fields added to the old
 * decision line, and its list file comes last of all. */
static void
test_text_exemption_and_its_source_come_last(void **state)
{
	struct world w;
	char line[VERDICT_RECORD_MAX];
	const char *at;

	(void)state;
	world_make(&w, "", "mx.example.com", "mx.example.com", IPREV_PASS, "");
	assert_int_equal(verdict_record_text(&w.r, line, sizeof(line)), 0);
	assert_null(strstr(line, "exempt="));
	w.in.exemption = "ptr_domain:example.com";
	w.r.queue_id = "4dQz2B0kXzz2";
	assert_int_equal(verdict_record_text(&w.r, line, sizeof(line)), 0);
	at = strstr(line, " msg=1 queue_id=4dQz2B0kXzz2 exempt=");
	assert_non_null(at);
	assert_string_equal(at, " msg=1 queue_id=4dQz2B0kXzz2 "
	    "exempt=ptr_domain:example.com");

	w.r.in = NULL;
	w.r.v = NULL;
	w.r.queue_id = NULL;
	w.r.msg = 0;
	w.r.ip = "192.0.2.44";
	w.r.exempt = "network:192.0.2.0/24";
	w.r.exempt_source = "/etc/ptrmilter/networks:2";
	assert_int_equal(verdict_record_text(&w.r, line, sizeof(line)), 0);
	assert_string_equal(line, "conn=12 action=accept ip=192.0.2.44 "
	    "exempt=network:192.0.2.0/24 list=/etc/ptrmilter/networks:2");
	world_free(&w);
}

/* Every byte a client can put in a HELO comes back from the JSON as it
 * was sent, or the string is cut and says so. */
static void
test_json_hostile_helo_and_ptr_parse_back(void **state)
{
	static const char *const helos[] = {
		"a\"b\\c",
		"\"},\"action\":\"accept\",\"x\":{\"",
		"line\r\nbreak\ttab\x01\x1f\x7f",
		"\xc3\xa9\xff\x80 8-bit",
		"%s%n%x",
	};
	struct world w;
	char line[VERDICT_RECORD_MAX];
	struct parsed p;
	const struct field *f;

	(void)state;
	for (size_t i = 0; i < NELEM(helos); i++) {
		world_make(&w, "", helos[i], "we\\\"ird\\\\.example.com",
		    IPREV_FAIL, "ptr_not_confirmed");
		assert_int_equal(verdict_record_json(&w.r, line, sizeof(line)),
		    0);
		assert_null(strchr(line, '\n'));
		parse_object(line, &p);
		f = field(&p, "helo");
		assert_true(f->is_string);
		assert_int_equal(f->len, strlen(helos[i]));
		assert_memory_equal(f->value, helos[i], f->len);
		assert_string_field(&p, "ptr", "we\\\"ird\\\\.example.com");
		assert_string_field(&p, "action", "accept");
		world_free(&w);
	}
}

static void
test_json_long_hostile_helo_is_cut_with_an_ellipsis(void **state)
{
	char *helo = malloc(HOSTILE_LEN + 1);
	struct world w;
	char line[VERDICT_RECORD_MAX];
	struct parsed p;
	const struct field *f;

	(void)state;
	assert_non_null(helo);
	for (size_t i = 0; i < HOSTILE_LEN; i++)
		helo[i] = (char)(i % 3 == 0 ? '"' : i % 3 == 1 ? '\x01' :
		    '\xfe');
	helo[HOSTILE_LEN] = '\0';
	world_make(&w, "", helo, NULL, IPREV_PERMERROR, "no_ptr");
	w.in.mta_ptr = helo;
	w.in.mta_resolve = helo;
	w.r.queue_id = helo;
	assert_int_equal(verdict_record_json(&w.r, line, sizeof(line)), 0);
	assert_true(strlen(line) < VERDICT_RECORD_MAX);
	parse_object(line, &p);
	f = field(&p, "helo");
	assert_true(f->len > 3 && f->len < 255);
	assert_memory_equal(f->value + f->len - 3, "...", 3);
	/* What is shown is the start of what was sent. */
	assert_memory_equal(f->value, helo, f->len - 3);
	assert_string_field(&p, "queue_id",
	    "?????????????????????????????...");
	free(helo);
	world_free(&w);
}

/* Both forms of one record tell the same verdict. */
static void
test_text_and_json_agree(void **state)
{
	struct world w;
	char text[VERDICT_RECORD_MAX], json[VERDICT_RECORD_MAX];
	char want[VALUE_MAX + 16];
	struct parsed p;

	(void)state;
	world_make(&w, "reject_score = 6\n", "[192.0.2.1]", NULL,
	    IPREV_PERMERROR, "no_ptr helo_literal_mismatch");
	w.r.event = VERDICT_EVENT_MESSAGE;
	w.r.queue_id = "ABC123";
	assert_int_equal(verdict_record_text(&w.r, text, sizeof(text)), 0);
	assert_int_equal(verdict_record_json(&w.r, json, sizeof(json)), 0);
	parse_object(json, &p);
	snprintf(want, sizeof(want), " action=%s ", field(&p, "action")->value);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), " score=%s ", field(&p, "score")->value);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), " iprev=%s ", field(&p, "iprev")->value);
	assert_non_null(strstr(text, want));
	assert_string_field(&p, "action", "reject");
	world_free(&w);
}

static void
test_too_small_a_buffer_fails_empty(void **state)
{
	struct world w;
	char line[VERDICT_RECORD_MAX];
	size_t full;

	(void)state;
	world_make(&w, "", "mail.example.com", "mail.example.com", IPREV_PASS,
	    "dnssec_secure");
	w.r.event = VERDICT_EVENT_MESSAGE;
	w.r.queue_id = "4dQz2B0kXzz2";
	for (int json = 0; json < 2; json++) {
		int (*make)(const struct verdict_record *, char *, size_t) =
		    json ? verdict_record_json : verdict_record_text;

		assert_int_equal(make(&w.r, line, sizeof(line)), 0);
		full = strlen(line);
		for (size_t size = 0; size <= full; size++) {
			memset(line, 'x', sizeof(line));
			assert_int_equal(make(&w.r, line, size), -1);
			if (size > 0)
				assert_string_equal(line, "");
		}
		assert_int_equal(make(&w.r, line, full + 1), 0);
	}
	world_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_decision_text_is_the_log_line_with_msg_and_queue_id),
		cmocka_unit_test(test_message_text_leads_with_the_queue_id),
		cmocka_unit_test(test_queue_id_is_tamed),
		cmocka_unit_test(test_json_decision_has_every_field_typed),
		cmocka_unit_test(test_json_message_of_a_client_not_judged),
		cmocka_unit_test(
		    test_json_exemption_comes_from_the_verdict_input),
		cmocka_unit_test(test_text_exemption_and_its_source_come_last),
		cmocka_unit_test(test_json_hostile_helo_and_ptr_parse_back),
		cmocka_unit_test(
		    test_json_long_hostile_helo_is_cut_with_an_ellipsis),
		cmocka_unit_test(test_text_and_json_agree),
		cmocka_unit_test(test_too_small_a_buffer_fails_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
