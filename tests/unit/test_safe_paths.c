/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_safe_paths.c - the directories on the way to the policy file and
 * its file: lists, as the loader checks them (safe_file.h): a directory
 * group or others may write is refused, a root-owned sticky one is not
 * when the entry in it is trusted, a link is followed only where it sits
 * safely, and a file only root may read, reached by a link swapped in
 * where others may write, is refused without a byte of it in any error.
 *
 * Each test builds its tree in a fresh directory under /tmp (itself a
 * root-owned sticky directory) and loads it with policy_load(), as the
 * daemon does.  Tests that give files to another user need root and are
 * skipped without it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "allow_list.h"
#include "policy.h"
#include "safe_file.h"
#include "unit.h"
#include "unit_policy.h"

/* A user no account has. */
#define STRANGER 4242
#define SECRET_LINE "root:SECRET-ONE:20000:0:99999:7:::"

static char dir[64];
static struct errors errs;

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_safe_paths.XXXXXX");
	assert_non_null(mkdtemp(dir));
	errs.count = 0;
	return 0;
}

static int
remove_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	(void)state;
	errors_clear(&errs);
	assert_int_equal(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	return 0;
}

/* dir/rel, in buf. */
static const char *
in_dir(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", dir, rel);
	return buf;
}

static void
make_dir(const char *rel, mode_t mode)
{
	char path[256];

	assert_int_equal(mkdir(in_dir(path, sizeof(path), rel), 0700), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
make_file(const char *rel, const char *text, mode_t mode)
{
	char path[256];
	int fd = open(in_dir(path, sizeof(path), rel),
	    O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)),
	    (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void
make_link(const char *target, const char *rel)
{
	char path[256];

	assert_int_equal(symlink(target, in_dir(path, sizeof(path), rel)), 0);
}

/* Loads dir/ptrmilter.conf holding "key = file:LIST" (LIST: dir/rel). */
static struct policy *
load_list(const char *key, const char *rel)
{
	char conf[256], list[256], text[600];

	snprintf(text, sizeof(text), "# the policy\n%s = file:%s\n", key,
	    in_dir(list, sizeof(list), rel));
	in_dir(conf, sizeof(conf), "ptrmilter.conf");
	(void)unlink(conf);
	make_file("ptrmilter.conf", text, 0644);
	errors_clear(&errs);
	return policy_load(conf, false, collect, &errs);
}

/* The one error, with %D standing for dir. */
static void
assert_one_error(const char *want)
{
	char expanded[1024], *out = expanded;
	const char *w;

	for (w = want; *w != '\0'; w++) {
		if (w[0] == '%' && w[1] == 'D') {
			out += snprintf(out, sizeof(expanded) - (size_t)(out -
			    expanded), "%s", dir);
			w++;
		} else {
			*out++ = *w;
		}
	}
	*out = '\0';
	if (errs.count != 1)
		fail_msg("%zu errors, the first: %s", errs.count,
		    errs.count > 0 ? errs.lines[0] : "none");
	assert_string_equal(errs.lines[0], expanded);
}

/* Loading "key = file:dir/rel" fails with the one error want. */
static void
assert_list_refused(const char *key, const char *rel, const char *want)
{
	assert_null(load_list(key, rel));
	assert_one_error(want);
}

static void
assert_no_error_contains(const char *text)
{
	for (size_t i = 0; i < errs.count; i++)
		if (strstr(errs.lines[i], text) != NULL)
			fail_msg("error shows '%s': %s", text, errs.lines[i]);
}

static void
test_list_behind_group_writable_directory_is_refused(void **state)
{
	(void)state;
	make_dir("shared", 0775);
	make_file("shared/nets", "10.0.0.0/8\n", 0644);
	assert_list_refused("exempt_networks", "shared/nets",
	    "%D/ptrmilter.conf:2: list file %D/shared/nets: "
	    "directory %D/shared is writable by group (mode 0775): refused; "
	    "chmod go-w %D/shared");
	/* Deeper down, the same directory is still on the way. */
	make_dir("shared/deep", 0755);
	make_file("shared/deep/doms", "example.com\n", 0644);
	assert_list_refused("exempt_ptr_domains", "shared/deep/doms",
	    "%D/ptrmilter.conf:2: list file "
	    "%D/shared/deep/doms: directory %D/shared is writable by group "
	    "(mode 0775): refused; chmod go-w %D/shared");
	/* Put right, the list loads. */
	assert_int_equal(chmod(in_dir((char[256]){ 0 }, 256, "shared"), 0755),
	    0);
	policy_free(load_list("exempt_ptr_domains", "shared/deep/doms"));
	assert_int_equal(errs.count, 0);
}

/* Each way a directory may be writable by others than its owner. */
static void
test_list_behind_writable_directory_is_refused(void **state)
{
	static const struct {
		mode_t mode;
		const char *want;
	} cases[] = {
		{ 0770, "group (mode 0770)" },
		{ 0757, "others (mode 0757)" },
		{ 0777, "group and others (mode 0777)" },
		{ 0773, "group and others (mode 0773)" },
	};
	char path[256], want[512];

	(void)state;
	make_dir("open", 0755);
	make_file("open/nets", "10.0.0.0/8\n", 0644);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(chmod(in_dir(path, sizeof(path), "open"),
		    cases[i].mode), 0);
		snprintf(want, sizeof(want), "%%D/ptrmilter.conf:2: list file "
		    "%%D/open/nets: directory %%D/open is writable by %s: "
		    "refused; chmod go-w %%D/open", cases[i].want);
		assert_list_refused("exempt_networks", "open/nets", want);
	}
}

/* /tmp's way: root's sticky directory, the entry in it a trusted one. */
static void
test_root_sticky_directory_is_accepted_for_trusted_entries(void **state)
{
	char path[256];
	struct policy *p;

	(void)state;
	if (geteuid() != 0)
		skip();
	make_dir("sticky", 01777);
	make_file("sticky/nets", "10.0.0.0/8\n", 0644);
	p = load_list("exempt_networks", "sticky/nets");
	if (p == NULL)
		fail_msg("%s", errs.lines[0]);
	assert_int_equal(p->exempt_networks.count, 1);
	policy_free(p);
	/* Anyone may create a name there: not the stranger's list. */
	assert_int_equal(chown(in_dir(path, sizeof(path), "sticky/nets"),
	    STRANGER, (gid_t)-1), 0);
	assert_list_refused("exempt_networks", "sticky/nets",
	    "%D/ptrmilter.conf:2: list file %D/sticky/nets: "
	    "%D/sticky/nets in sticky directory %D/sticky is owned by user "
	    "4242, neither root nor the user ptrmilter was started as: "
	    "refused");
	/* Nor a second name of a file, which anyone could have made. */
	make_file("shadow", SECRET_LINE "\n", 0640);
	assert_int_equal(link(in_dir(path, sizeof(path), "shadow"),
	    in_dir((char[256]){ 0 }, 256, "sticky/hard")), 0);
	assert_list_refused("exempt_networks", "sticky/hard",
	    "%D/ptrmilter.conf:2: list file %D/sticky/hard: %D/sticky/hard in "
	    "sticky directory %D/sticky has 2 hard links: refused");
	/* Nor a link of theirs, however safe its target. */
	make_file("nets", "10.0.0.0/8\n", 0644);
	make_link(in_dir(path, sizeof(path), "nets"), "sticky/link");
	assert_int_equal(lchown(in_dir(path, sizeof(path), "sticky/link"),
	    STRANGER, (gid_t)-1), 0);
	assert_list_refused("exempt_networks", "sticky/link",
	    "%D/ptrmilter.conf:2: list file %D/sticky/link: "
	    "%D/sticky/link in sticky directory %D/sticky is owned by user "
	    "4242, neither root nor the user ptrmilter was started as: "
	    "refused");
	/* Nor a directory of theirs on the way. */
	make_dir("sticky/theirs", 0755);
	make_file("sticky/theirs/nets", "10.0.0.0/8\n", 0644);
	assert_int_equal(chown(in_dir(path, sizeof(path), "sticky/theirs"),
	    STRANGER, (gid_t)-1), 0);
	assert_list_refused("exempt_networks", "sticky/theirs/nets",
	    "%D/ptrmilter.conf:2: list file "
	    "%D/sticky/theirs/nets: %D/sticky/theirs in sticky directory "
	    "%D/sticky is owned by user 4242, neither root nor the user "
	    "ptrmilter was started as: refused");
}

/* Sticky, but a stranger's: they may remove anything in it. */
static void
test_sticky_directory_of_another_user_is_refused(void **state)
{
	char path[256];

	(void)state;
	if (geteuid() != 0)
		skip();
	make_dir("theirs", 01777);
	make_file("theirs/nets", "10.0.0.0/8\n", 0644);
	assert_int_equal(chown(in_dir(path, sizeof(path), "theirs"),
	    STRANGER, (gid_t)-1), 0);
	assert_list_refused("exempt_networks", "theirs/nets",
	    "%D/ptrmilter.conf:2: list file %D/theirs/nets: "
	    "directory %D/theirs is owned by user 4242, neither root nor the "
	    "user ptrmilter was started as: refused; chown root %D/theirs");
}

/* A link sitting where others may write could point anywhere. */
static void
test_link_in_unsafe_directory_is_refused(void **state)
{
	char target[256];

	(void)state;
	make_dir("real", 0755);
	make_file("real/nets", "10.0.0.0/8\n", 0644);
	make_dir("open", 0777);
	make_link(in_dir(target, sizeof(target), "real/nets"), "open/nets");
	assert_list_refused("exempt_networks", "open/nets",
	    "%D/ptrmilter.conf:2: list file %D/open/nets: "
	    "directory %D/open is writable by group and others (mode 0777): "
	    "refused; chmod go-w %D/open");
}

/* A link in a safe directory is followed, and its target walked by the
 * same rules, relative links and ".." included. */
static void
test_link_in_safe_directory_is_followed_and_its_target_checked(
    void **state)
{
	char target[256];
	struct policy *p;

	(void)state;
	make_dir("lists", 0755);
	make_file("lists/nets", "10.0.0.0/8\n192.0.2.0/24\n", 0644);
	make_link("lists", "current");
	make_dir("etc", 0755);
	make_link("../current/nets", "etc/nets");
	p = load_list("exempt_networks", "etc/nets");
	if (p == NULL)
		fail_msg("%s", errs.lines[0]);
	assert_int_equal(p->exempt_networks.count, 2);
	policy_free(p);
	/* A safe link whose target leads through an unsafe directory. */
	make_dir("open", 0777);
	make_file("open/nets", "10.0.0.0/8\n", 0644);
	make_link(in_dir(target, sizeof(target), "open/nets"), "etc/open");
	assert_list_refused("exempt_networks", "etc/open",
	    "%D/ptrmilter.conf:2: list file %D/etc/open: "
	    "directory %D/open is writable by group and others (mode 0777): "
	    "refused; chmod go-w %D/open");
}

static void
test_link_loop_is_refused(void **state)
{
	(void)state;
	make_link("loop", "loop");
	assert_list_refused("exempt_networks", "loop",
	    "%D/ptrmilter.conf:2: list file %D/loop: more than "
	    "40 symbolic links under %D");
}

/* The attack: a link to a file only root may read (mode 0640, root's, as
 * /etc/shadow), swapped in where others may write.  Refused before its
 * first line is read, for a list and for the policy file itself. */
static void
test_link_to_root_only_file_shows_none_of_it(void **state)
{
	char target[256], conf[256];

	(void)state;
	make_file("shadow", SECRET_LINE "\ndaemon:SECRET-TWO:20000:::\n",
	    0640);
	make_dir("open", 0777);
	make_link(in_dir(target, sizeof(target), "shadow"), "open/nets");
	assert_null(load_list("exempt_networks", "open/nets"));
	assert_int_equal(errs.count, 1);
	assert_no_error_contains("SECRET");
	assert_null(load_list("exempt_ptr_domains", "open/nets"));
	assert_int_equal(errs.count, 1);
	assert_no_error_contains("SECRET");
	make_link(target, "open/ptrmilter.conf");
	errors_clear(&errs);
	assert_null(policy_load(in_dir(conf, sizeof(conf),
	    "open/ptrmilter.conf"), true, collect, &errs));
	assert_one_error("%D/open/ptrmilter.conf: directory %D/open is "
	    "writable by group and others (mode 0777): refused; chmod go-w "
	    "%D/open");
}

/* A policy file that may be missing is still refused behind an unsafe
 * directory: anyone could put one there. */
static void
test_missing_policy_behind_unsafe_directory_is_refused(void **state)
{
	char conf[256];
	struct policy *p;

	(void)state;
	make_dir("open", 0770);
	errors_clear(&errs);
	assert_null(policy_load(in_dir(conf, sizeof(conf),
	    "open/ptrmilter.conf"), true, collect, &errs));
	assert_one_error("%D/open/ptrmilter.conf: directory %D/open is "
	    "writable by group (mode 0770): refused; chmod go-w %D/open");
	make_dir("safe", 0755);
	errors_clear(&errs);
	p = policy_load(in_dir(conf, sizeof(conf), "safe/ptrmilter.conf"),
	    true, collect, &errs);
	assert_non_null(p);
	assert_int_equal(errs.count, 0);
	policy_free(p);
}

/* Through a safe link, the file is read, and what a bad entry shows of
 * it is bounded: SAFE_TEXT_CONFIG_SHOWN bytes, then "...". */
static void
test_bad_entry_is_quoted_at_most_64_bytes(void **state)
{
	char line[300], want[300];

	(void)state;
	memset(line, 'x', 200);
	memcpy(line, "bad-", 4);
	line[200] = '\n';
	line[201] = '\0';
	make_file("long", line, 0644);
	assert_null(load_list("exempt_networks", "long"));
	snprintf(want, sizeof(want), "bad entry 'bad-%.60s...': expected",
	    line + 4);
	assert_int_equal(errs.count, 1);
	if (strstr(errs.lines[0], want) == NULL)
		fail_msg("no '%s' in %s", want, errs.lines[0]);
	assert_null(strstr(errs.lines[0], "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
}

/* What the walk says when a name is missing or is no directory. */
static void
test_walk_reports_system_errors_apart_from_refusals(void **state)
{
	struct safe_file sf;
	char path[256];

	(void)state;
	make_file("plain", "x\n", 0644);
	assert_int_equal(safe_file_open(in_dir(path, sizeof(path),
	    "missing/file"), 0, O_RDONLY, &sf), -1);
	assert_int_equal(sf.error, ENOENT);
	assert_int_equal(safe_file_open(in_dir(path, sizeof(path),
	    "plain/file"), 0, O_RDONLY, &sf), -1);
	assert_int_equal(sf.error, ENOTDIR);
	assert_int_equal(safe_file_open(in_dir(path, sizeof(path),
	    "./plain"), 0, O_RDONLY, &sf), 0);
	assert_true(sf.fd >= 0);
	close(sf.fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_list_behind_group_writable_directory_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_list_behind_writable_directory_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_root_sticky_directory_is_accepted_for_trusted_entries,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_sticky_directory_of_another_user_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_link_in_unsafe_directory_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_link_in_safe_directory_is_followed_and_its_target_checked,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_loop_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_link_to_root_only_file_shows_none_of_it, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_missing_policy_behind_unsafe_directory_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_entry_is_quoted_at_most_64_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_walk_reports_system_errors_apart_from_refusals, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
