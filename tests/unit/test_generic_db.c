/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_generic_db.c - unit tests for generic_db.c: the provider data
 * format (every error with its file and line), sender domains, provider
 * patterns and networks.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "generic_db.h"

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))
#define MAX_ERRORS 16

struct errors {
	size_t count;
	char text[MAX_ERRORS][512];
};

static char temp_path[64];

static void
collect(void *arg, const char *message)
{
	struct errors *e = arg;

	if (e->count < MAX_ERRORS)
		snprintf(e->text[e->count], sizeof(e->text[0]), "%s", message);
	e->count++;
}

static const char *
write_temp(const char *text)
{
	int fd;
	size_t len = strlen(text);

	snprintf(temp_path, sizeof(temp_path), "/tmp/test_generic_db.XXXXXX");
	fd = mkstemp(temp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return temp_path;
}

static struct generic_db *
load_text(const char *text, struct errors *e)
{
	const char *paths[1];
	struct generic_db *db;

	paths[0] = write_temp(text);
	db = generic_db_load(paths, 1, collect, e);
	unlink(temp_path);
	return db;
}

static const char good[] =
    "# a comment\n"
    "format 1\n"
    "version 2026-11-28 test\n"
    "provider aws-ec2 Amazon Web Services EC2\n"
    "hint aws-ec2 EC2 console: request reverse DNS for an Elastic IP\n"
    "network aws-ec2 3.0.0.0/9 2600:1f00::/24\n"
    "generic aws-ec2 ^ec2-\\d+-\\d+-\\d+-\\d+\\.([a-z0-9-]+\\.)?compute(-1)?\\.amazonaws\\.com$\n"
    "provider example-isp Example ISP\n"
    "generic example-isp ^pool-\\d+-\\d+-\\d+-\\d+\\.[a-z]+\\.example-isp\\.net$\n"
    "generic example-isp ^[a-z]+[0-9]+\\.dyn\\.\n"
    "generic example-isp ^vm\\d+\\.[a-z]+\\.internal$\n"
    "provider amazon-ses Amazon SES\n"
    "sender amazon-ses amazonses.com AmazonSES.example.\n";

static void
test_good_file_loads_and_matches(void **state)
{
	struct errors e = { 0 };
	struct generic_db *db = load_text(good, &e);
	const char *what;
	struct addr a;
	size_t pat, snd, net;

	(void)state;
	if (db == NULL)
		fail_msg("%s", e.count > 0 ? e.text[0] : "no error");
	assert_string_equal(generic_db_version(db), "2026-11-28 test");
	generic_db_counts(db, &pat, &snd, &net);
	assert_int_equal(pat, 4);
	assert_int_equal(snd, 2);
	assert_int_equal(net, 2);

	assert_int_equal(generic_db_match(db,
	    "ec2-3-80-1-2.compute-1.amazonaws.com", &what), GENERIC_DB_GENERIC);
	assert_string_equal(what, "aws-ec2");
	assert_int_equal(generic_db_match(db,
	    "ec2-3-80-1-2.eu-west-1.compute.amazonaws.com", &what),
	    GENERIC_DB_GENERIC);
	assert_int_equal(generic_db_match(db,
	    "pool-71-255-246-27.washdc.example-isp.net", &what),
	    GENERIC_DB_GENERIC);
	assert_string_equal(what, "example-isp");
	/* A pattern without a literal domain is tried on every name. */
	assert_int_equal(generic_db_match(db, "abc12.dyn.other.example",
	    &what), GENERIC_DB_GENERIC);
	/* A pattern whose fixed end is one label is tried on names under
	 * that top-level domain. */
	assert_int_equal(generic_db_match(db, "vm12.zone.internal", &what),
	    GENERIC_DB_GENERIC);
	assert_int_equal(generic_db_match(db, "mail.zone.internal", &what),
	    GENERIC_DB_NONE);
	/* Not the provider's default shape. */
	assert_int_equal(generic_db_match(db, "mail.amazonaws.com", &what),
	    GENERIC_DB_NONE);
	assert_null(what);
	assert_int_equal(generic_db_match(db, "mx.example-isp.net", &what),
	    GENERIC_DB_NONE);

	/* Senders: the domain and everything under it, on a label
	 * boundary; they win over patterns. */
	assert_int_equal(generic_db_match(db,
	    "a48-37.smtp-out.amazonses.com", &what), GENERIC_DB_SENDER);
	assert_string_equal(what, "amazonses.com");
	assert_int_equal(generic_db_match(db, "amazonses.com", &what),
	    GENERIC_DB_SENDER);
	assert_int_equal(generic_db_match(db, "notamazonses.com", &what),
	    GENERIC_DB_NONE);
	assert_int_equal(generic_db_match(db, "x.amazonses.example", &what),
	    GENERIC_DB_SENDER);

	assert_int_equal(addr_parse("3.80.1.2", &a), 0);
	assert_string_equal(generic_db_network(db, &a), "aws-ec2");
	assert_int_equal(addr_parse("2600:1f00::1", &a), 0);
	assert_string_equal(generic_db_network(db, &a), "aws-ec2");
	assert_int_equal(addr_parse("198.51.100.20", &a), 0);
	assert_null(generic_db_network(db, &a));

	assert_string_equal(generic_db_provider_name(db, "aws-ec2"),
	    "Amazon Web Services EC2");
	assert_string_equal(generic_db_hint(db, "aws-ec2"),
	    "EC2 console: request reverse DNS for an Elastic IP");
	assert_null(generic_db_hint(db, "amazon-ses"));
	assert_null(generic_db_provider_name(db, "nobody"));
	generic_db_free(db);
}

struct bad_row {
	const char *name;
	const char *text;
	unsigned line;
	const char *want;	/* part of the message */
};

static void
test_every_error_names_file_and_line(void **state)
{
	static const struct bad_row rows[] = {
		{ "no format", "provider a A\n", 1, "must be \"format 1\"" },
		{ "format 2", "format 2\n", 1, "format 2 is not supported" },
		{ "empty file", "", 0, "empty" },
		{ "unknown statement", "format 1\nprovide a A\n", 2,
		  "unknown statement 'provide'" },
		{ "bad id", "format 1\nprovider A_B x\n", 2, "bad provider id" },
		{ "missing name", "format 1\nprovider a\n", 2,
		  "missing display name" },
		{ "twice", "format 1\nprovider a A\nprovider a B\n", 3,
		  "declared twice" },
		{ "undeclared", "format 1\ngeneric b ^x$\n", 2,
		  "provider b is not declared" },
		{ "bad regex", "format 1\nprovider a A\ngeneric a ^(x$\n", 3,
		  "bad pattern at offset" },
		{ "empty regex", "format 1\nprovider a A\ngeneric a\n", 3,
		  "missing pattern" },
		{ "bad network", "format 1\nprovider a A\nnetwork a 10.0.0.1/8\n",
		  3, "'10.0.0.1/8' is not an address or network" },
		{ "no network", "format 1\nprovider a A\nnetwork a\n", 3,
		  "no network given" },
		{ "bad sender", "format 1\nprovider a A\nsender a com\n", 3,
		  "'com' is not a domain" },
		{ "hint twice", "format 1\nprovider a A\nhint a x\nhint a y\n", 4,
		  "given twice" },
		{ "no version", "format 1\nversion\n", 2, "missing text" },
	};

	(void)state;
	for (size_t i = 0; i < NROWS(rows); i++) {
		struct errors e = { 0 };
		struct generic_db *db = load_text(rows[i].text, &e);
		char prefix[128];

		if (db != NULL)
			fail_msg("row \"%s\": loaded", rows[i].name);
		if (e.count != 1)
			fail_msg("row \"%s\": %zu errors", rows[i].name,
			    e.count);
		if (rows[i].line > 0)
			snprintf(prefix, sizeof(prefix), "%s:%u: ", temp_path,
			    rows[i].line);
		else
			snprintf(prefix, sizeof(prefix), "%s: ", temp_path);
		if (strncmp(e.text[0], prefix, strlen(prefix)) != 0 ||
		    strstr(e.text[0], rows[i].want) == NULL)
			fail_msg("row \"%s\": got \"%s\"", rows[i].name,
			    e.text[0]);
	}
}

static void
test_all_errors_are_reported_in_one_pass(void **state)
{
	struct errors e = { 0 };

	(void)state;
	assert_null(load_text("format 1\nbogus\nprovider a A\n"
	    "generic a ^(\nnetwork a x\n", &e));
	assert_int_equal(e.count, 3);
	assert_non_null(strstr(e.text[0], ":2: "));
	assert_non_null(strstr(e.text[1], ":4: "));
	assert_non_null(strstr(e.text[2], ":5: "));
}

static void
test_long_line_nul_and_missing_file(void **state)
{
	struct errors e = { 0 };
	char *text = malloc(6000);
	const char *paths[1] = { "/nonexistent/generic-providers" };

	(void)state;
	assert_non_null(text);
	snprintf(text, 6000, "format 1\n# ");
	memset(text + strlen(text), 'x', 5000);
	text[5000 + 11] = '\0';
	strcat(text, "\n");
	assert_null(load_text(text, &e));
	assert_non_null(strstr(e.text[0], ":2: line longer than"));
	free(text);

	e.count = 0;
	assert_null(generic_db_load(paths, 1, collect, &e));
	assert_int_equal(e.count, 1);
	assert_non_null(strstr(e.text[0],
	    "/nonexistent/generic-providers: cannot read"));
}

static void
test_second_file_extends_the_first(void **state)
{
	struct errors e = { 0 };
	char first[64], second[64];
	const char *paths[3];
	struct generic_db *db;
	const char *what;

	(void)state;
	write_temp(good);
	snprintf(first, sizeof(first), "%s", temp_path);
	write_temp("format 1\nprovider mine My ISP\n"
	    "generic mine ^host-\\d+\\.my-isp\\.example$\n"
	    "generic aws-ec2 ^x-\\d+\\.amazonaws\\.com$\n");
	snprintf(second, sizeof(second), "%s", temp_path);
	paths[0] = first;
	paths[1] = NULL;
	paths[2] = second;
	db = generic_db_load(paths, 3, collect, &e);
	unlink(first);
	unlink(second);
	if (db == NULL)
		fail_msg("%s", e.count > 0 ? e.text[0] : "no error");
	assert_int_equal(generic_db_match(db, "host-12.my-isp.example",
	    &what), GENERIC_DB_GENERIC);
	assert_string_equal(what, "mine");
	assert_int_equal(generic_db_match(db, "x-1.amazonaws.com", &what),
	    GENERIC_DB_GENERIC);
	assert_string_equal(what, "aws-ec2");
	generic_db_free(db);
}

/* A file with patterns but no sender domain, and one with nothing but
 * its format line: no empty array is searched (UBSan would see it). */
static void
test_files_without_senders_or_patterns(void **state)
{
	struct errors e = { 0 };
	struct generic_db *db;
	const char *what;

	(void)state;
	db = load_text("format 1\nprovider a A\ngeneric a ^x-\\d+\\.a\\.example$\n",
	    &e);
	assert_non_null(db);
	assert_int_equal(generic_db_match(db, "x-1.a.example", &what),
	    GENERIC_DB_GENERIC);
	assert_int_equal(generic_db_match(db, "mail.b.example", &what),
	    GENERIC_DB_NONE);
	generic_db_free(db);
	db = load_text("format 1\n", &e);
	assert_non_null(db);
	assert_int_equal(generic_db_match(db, "mail.b.example", &what),
	    GENERIC_DB_NONE);
	generic_db_free(db);
}

static void
test_null_db_matches_nothing(void **state)
{
	const char *what = "x";
	struct addr a;

	(void)state;
	assert_int_equal(generic_db_match(NULL, "ec2-1-2-3-4.amazonaws.com",
	    &what), GENERIC_DB_NONE);
	assert_null(what);
	assert_int_equal(addr_parse("3.80.1.2", &a), 0);
	assert_null(generic_db_network(NULL, &a));
	assert_string_equal(generic_db_version(NULL), "");
	generic_db_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file_loads_and_matches),
		cmocka_unit_test(test_every_error_names_file_and_line),
		cmocka_unit_test(test_all_errors_are_reported_in_one_pass),
		cmocka_unit_test(test_long_line_nul_and_missing_file),
		cmocka_unit_test(test_second_file_extends_the_first),
		cmocka_unit_test(test_files_without_senders_or_patterns),
		cmocka_unit_test(test_null_db_matches_nothing),
	};

	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	generic_db_thread_done();
	return failed;
}
