/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_state_spec.c - unit tests for state_spec.c: every form of the
 * state_store value, and the bad ones refused with a reason.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "state_spec.h"

struct good_case {
	const char *text;
	enum state_kind kind;
	const char *path;
	const char *host;
	unsigned port;
	unsigned db;
	const char *password_file;
};

static const struct good_case good[] = {
	{ "none", STATE_KIND_NONE, "", "", 0, 0, "" },
	{ "lmdb:/var/lib/ptrmilter/state", STATE_KIND_LMDB,
	    "/var/lib/ptrmilter/state", "", 0, 0, "" },
	{ "lmdb:/var/lib/ptrmilter/state//", STATE_KIND_LMDB,
	    "/var/lib/ptrmilter/state", "", 0, 0, "" },
	{ "redis://127.0.0.1", STATE_KIND_REDIS, "", "127.0.0.1", 6379, 0,
	    "" },
	{ "redis://redis.example.net:6380/3", STATE_KIND_REDIS, "",
	    "redis.example.net", 6380, 3, "" },
	{ "redis://[2001:db8::7]:7000/0?password_file=/etc/ptrmilter/r.pass",
	    STATE_KIND_REDIS, "", "2001:db8::7", 7000, 0,
	    "/etc/ptrmilter/r.pass" },
	{ "redis://[::1]", STATE_KIND_REDIS, "", "::1", 6379, 0, "" },
	{ "redis+unix:/run/redis/redis.sock", STATE_KIND_REDIS_UNIX,
	    "/run/redis/redis.sock", "", 0, 0, "" },
	{ "redis+unix:/run/redis/redis.sock?db=2&password_file=/etc/p",
	    STATE_KIND_REDIS_UNIX, "/run/redis/redis.sock", "", 0, 2,
	    "/etc/p" },
	{ "redis+unix:/run/r.sock?password_file=/etc/p&db=15",
	    STATE_KIND_REDIS_UNIX, "/run/r.sock", "", 0, 15, "/etc/p" },
};

/* Each with a word its reason must contain. */
static const struct {
	const char *text;
	const char *why;
} bad[] = {
	{ "", "expected none" },
	{ "None", "expected none" },
	{ "lmdb", "expected none" },
	{ "lmdb:", "absolute" },
	{ "lmdb:relative/dir", "absolute" },
	{ "lmdb:/", "must not be /" },
	{ "lmdb://", "must not be /" },
	{ "lmdb:/var/lib/with space", "space" },
	{ "lmdb:/var/lib/tab\there", "control" },
	{ "redis://", "host" },
	{ "redis://:6379", "host" },
	{ "redis://host:", "port" },
	{ "redis://host:0", "port" },
	{ "redis://host:65536", "port" },
	{ "redis://host:+80", "port" },
	{ "redis://host:080", "port" },
	{ "redis://ho st", "host" },
	{ "redis://host/x", "db" },
	{ "redis://host/65536", "db" },
	{ "redis://host/1?db=2", "option" },
	{ "redis://host?password_file=rel", "absolute" },
	{ "redis://host?password_file=/a&password_file=/b", "option" },
	{ "redis://host?password=secret", "option" },
	{ "redis://host?password_file=/a&", "empty option" },
	{ "redis://[::1", "unclosed" },
	{ "redis://[::1]x", "junk" },
	{ "redis+unix:", "absolute" },
	{ "redis+unix:sock", "absolute" },
	{ "redis+unix:/s?db=x", "db" },
	{ "redis+unix:/s?db=1&db=2", "option" },
};

static void
test_good_specs_parse_to_their_parts(void **state)
{
	struct state_spec s;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good_case *g = &good[i];

		err[0] = '\0';
		if (state_spec_parse(g->text, &s, err, sizeof(err)) != 0)
			fail_msg("%s: %s", g->text, err);
		assert_int_equal(s.kind, g->kind);
		assert_string_equal(s.path, g->path);
		assert_string_equal(s.host, g->host);
		assert_int_equal(s.port, g->port);
		assert_int_equal(s.db, g->db);
		assert_string_equal(s.password_file, g->password_file);
		assert_string_equal(s.text, g->text);
	}
}

static void
test_bad_specs_are_refused_with_a_reason(void **state)
{
	struct state_spec s;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (state_spec_parse(bad[i].text, &s, err, sizeof(err)) == 0)
			fail_msg("accepted: \"%s\"", bad[i].text);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("\"%s\": reason \"%s\" lacks \"%s\"",
			    bad[i].text, err, bad[i].why);
	}
}

static void
test_overlong_spec_and_path_are_refused(void **state)
{
	char text[STATE_SPEC_TEXT_MAX + 16];
	struct state_spec s;
	char err[128];

	(void)state;
	memcpy(text, "lmdb:/", 6);
	memset(text + 6, 'a', STATE_SPEC_PATH_MAX);
	text[6 + STATE_SPEC_PATH_MAX] = '\0';
	assert_int_equal(state_spec_parse(text, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
	memset(text + 6, 'a', sizeof(text) - 7);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(state_spec_parse(text, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
}

static void
test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(state_kind_name(STATE_KIND_NONE), "none");
	assert_string_equal(state_kind_name(STATE_KIND_LMDB), "lmdb");
	assert_string_equal(state_kind_name(STATE_KIND_REDIS), "redis");
	assert_string_equal(state_kind_name(STATE_KIND_REDIS_UNIX), "redis");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_specs_parse_to_their_parts),
		cmocka_unit_test(test_bad_specs_are_refused_with_a_reason),
		cmocka_unit_test(test_overlong_spec_and_path_are_refused),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
