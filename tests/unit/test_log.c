/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_log.c - the log's forms on stderr: "ptrmilter: LEVEL: " for a
 * terminal or a file, "<N>" (sd-daemon) for the journal, told apart by
 * $JOURNAL_STREAM against fstat() of the descriptor; and the syslog
 * facilities log_facility names.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "policy.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define LOGGED_MAX 4096

static char *stderr_of(void (*write_lines)(void));
static void one_of_each(void);
static void dev_ino(int fd, char *buf, size_t size);

/* What write_lines() put on stderr. */
static char *
stderr_of(void (*write_lines)(void))
{
	static char text[LOGGED_MAX];
	FILE *f = tmpfile();
	int saved;
	ssize_t n;

	assert_non_null(f);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
	write_lines();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	n = pread(fileno(f), text, sizeof(text) - 1, 0);
	assert_true(n >= 0);
	text[n] = '\0';
	fclose(f);
	return text;
}

static void
one_of_each(void)
{
	log_err("e %d", 1);
	log_warning("w");
	log_msg(LOG_NOTICE, "n");
	log_info("i");
	log_debug("d");
}

static void
test_plain_prefix_names_the_level(void **state)
{
	(void)state;
	log_open("ptrmilter", true, true);
	log_journal_prefix(false);
	assert_string_equal(stderr_of(one_of_each),
	    "ptrmilter: error: e 1\n"
	    "ptrmilter: warning: w\n"
	    "ptrmilter: info: n\n"
	    "ptrmilter: info: i\n"
	    "ptrmilter: debug: d\n");
}

static void
test_journal_prefix_is_the_syslog_priority(void **state)
{
	(void)state;
	log_open("ptrmilter", true, true);
	log_journal_prefix(true);
	assert_string_equal(stderr_of(one_of_each),
	    "<3>e 1\n<4>w\n<5>n\n<6>i\n<7>d\n");
	log_journal_prefix(false);
}

static void
test_debug_lines_need_verbose_in_either_form(void **state)
{
	(void)state;
	log_open("ptrmilter", true, false);
	log_journal_prefix(true);
	assert_string_equal(stderr_of(one_of_each),
	    "<3>e 1\n<4>w\n<5>n\n<6>i\n");
	log_journal_prefix(false);
	log_open("ptrmilter", true, true);
}

/* A priority with a facility ORed in still shows as the priority. */
static void
log_with_facility(void)
{
	log_msg(LOG_LOCAL3 | LOG_WARNING, "x");
}

static void
test_journal_prefix_drops_a_facility_given_with_the_priority(void **state)
{
	(void)state;
	log_journal_prefix(true);
	assert_string_equal(stderr_of(log_with_facility), "<4>x\n");
	log_journal_prefix(false);
}

/* A control byte of the client's cannot start a line of its own with a
 * priority of its choosing. */
static void
log_forged_line(void)
{
	log_info("helo=<a\n<3>forged>");
}

static void
test_journal_line_cannot_be_split(void **state)
{
	(void)state;
	log_journal_prefix(true);
	assert_string_equal(stderr_of(log_forged_line),
	    "<6>helo=<a?<3>forged>\n");
	log_journal_prefix(false);
}

static void
dev_ino(int fd, char *buf, size_t size)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	snprintf(buf, size, "%ju:%ju", (uintmax_t)st.st_dev,
	    (uintmax_t)st.st_ino);
}

static void
test_journal_stream_must_be_this_descriptor(void **state)
{
	FILE *mine = tmpfile(), *other = tmpfile();
	char same[64], elsewhere[64], text[80];
	int pipefd[2];

	(void)state;
	assert_non_null(mine);
	assert_non_null(other);
	assert_int_equal(pipe(pipefd), 0);
	dev_ino(fileno(mine), same, sizeof(same));
	dev_ino(fileno(other), elsewhere, sizeof(elsewhere));

	assert_true(log_stream_is_journal(same, fileno(mine)));
	/* Inherited, but this descriptor writes elsewhere. */
	assert_false(log_stream_is_journal(elsewhere, fileno(mine)));
	assert_false(log_stream_is_journal(same, pipefd[1]));
	assert_false(log_stream_is_journal(same, -1));
	assert_false(log_stream_is_journal(NULL, fileno(mine)));

	/* Malformed values never match. */
	snprintf(text, sizeof(text), "%s ", same);
	assert_false(log_stream_is_journal(text, fileno(mine)));
	snprintf(text, sizeof(text), " %s", same);
	assert_false(log_stream_is_journal(text, fileno(mine)));
	snprintf(text, sizeof(text), "%s:1", same);
	assert_false(log_stream_is_journal(text, fileno(mine)));
	assert_false(log_stream_is_journal("", fileno(mine)));
	assert_false(log_stream_is_journal(":", fileno(mine)));
	assert_false(log_stream_is_journal("12", fileno(mine)));
	assert_false(log_stream_is_journal("12:", fileno(mine)));
	assert_false(log_stream_is_journal(":34", fileno(mine)));
	assert_false(log_stream_is_journal("-1:-1", fileno(mine)));
	assert_false(log_stream_is_journal(
	    "99999999999999999999999999:1", fileno(mine)));
	close(pipefd[0]);
	close(pipefd[1]);
	fclose(mine);
	fclose(other);
}

static void
report_fail(void *arg, const char *message)
{
	(void)arg;
	fail_msg("policy: %s", message);
}

/* Each name log_facility takes is the syslog facility of that name. */
static void
test_facility_names_are_the_syslog_facilities(void **state)
{
	static const struct {
		const char *conf;
		int want;
	} cases[] = {
		{ "", LOG_MAIL },
		{ "log_facility = mail", LOG_MAIL },
		{ "log_facility = daemon", LOG_DAEMON },
		{ "log_facility = user", LOG_USER },
		{ "log_facility = local0", LOG_LOCAL0 },
		{ "log_facility = local1", LOG_LOCAL1 },
		{ "log_facility = local2", LOG_LOCAL2 },
		{ "log_facility = local3", LOG_LOCAL3 },
		{ "log_facility = local4", LOG_LOCAL4 },
		{ "log_facility = local5", LOG_LOCAL5 },
		{ "log_facility = local6", LOG_LOCAL6 },
		{ "log_facility = local7", LOG_LOCAL7 },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct policy *p = policy_parse_buffer("test", cases[i].conf,
		    strlen(cases[i].conf), report_fail, NULL);

		assert_non_null(p);
		if (log_facility_code(p->log_facility) != cases[i].want)
			fail_msg("'%s': facility %d, want %d", cases[i].conf,
			    log_facility_code(p->log_facility),
			    cases[i].want);
		policy_free(p);
	}
	assert_int_equal(log_facility_code((enum policy_log_facility)99),
	    LOG_MAIL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_prefix_names_the_level),
		cmocka_unit_test(test_journal_prefix_is_the_syslog_priority),
		cmocka_unit_test(test_debug_lines_need_verbose_in_either_form),
		cmocka_unit_test(
		    test_journal_prefix_drops_a_facility_given_with_the_priority),
		cmocka_unit_test(test_journal_line_cannot_be_split),
		cmocka_unit_test(test_journal_stream_must_be_this_descriptor),
		cmocka_unit_test(test_facility_names_are_the_syslog_facilities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
