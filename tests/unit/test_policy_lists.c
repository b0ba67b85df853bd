/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_policy_lists.c - file: lists of exempt_networks and
 * exempt_ptr_domains as the loader reads them: comments, blank and long
 * lines, errors as LISTFILE:LINE, the trust rules of the policy file, a
 * list of 100,000 entries, the dump that parses back, and the comparison
 * a reload makes when only a list file changed.
 *
 * Each test writes its policy and lists into a fresh directory under
 * /tmp and loads them with policy_load(), as the daemon does.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
#include "unit.h"
#include "unit_policy.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The directory of the current test and the paths in it. */
static char dir[64];
static char conf_path[96], nets_path[96], doms_path[96];
static struct errors errs;

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_policy_lists.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(conf_path, sizeof(conf_path), "%s/ptrmilter.conf", dir);
	snprintf(nets_path, sizeof(nets_path), "%s/networks", dir);
	snprintf(doms_path, sizeof(doms_path), "%s/domains", dir);
	errs.count = 0;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	errors_clear(&errs);
	unlink(conf_path);
	unlink(nets_path);
	unlink(doms_path);
	rmdir(dir);
	return 0;
}

/* Writes len bytes of text to path with mode. */
static void
write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void
write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text), 0644);
}

/* Loads a policy of one line, "key = value", with the errors in errs. */
static struct policy *
load_line(const char *line)
{
	char text[1024];

	snprintf(text, sizeof(text), "# the policy\n%s\n", line);
	write_text(conf_path, text);
	errors_clear(&errs);
	return policy_load(conf_path, false, collect, &errs);
}

/* want: NULL-terminated; "%L" in a line stands for the list's path,
 * "%C" for the policy's. */
static void
assert_errors(const char *list, const char *const *want)
{
	char line[1024];
	size_t n = 0;

	for (; want[n] != NULL; n++) {
		const char *w = want[n];
		const char *path = w[1] == 'L' ? list : conf_path;

		snprintf(line, sizeof(line), "%s%s", path, w + 2);
		if (n >= errs.count)
			fail_msg("missing error: %s", line);
		assert_string_equal(errs.lines[n], line);
	}
	if (errs.count != n)
		fail_msg("unexpected error: %s", errs.lines[n]);
}

static bool
exempt(const struct policy *p, const char *ip)
{
	struct addr a = parse_ok(ip);

	return allow_list_network(&p->exempt_networks, &a) != NULL;
}

/* The dump writes the file: entry as written and parses back equal. */
static void
assert_dump_round_trip(const struct policy *p, const char *want_line)
{
	char *text = dump_text(p);
	struct policy *q;

	if (strstr(text, want_line) == NULL)
		fail_msg("dump lacks '%s'", want_line);
	q = policy_parse_buffer("dump", text, strlen(text), collect, &errs);
	assert_non_null(q);
	assert_true(policy_equal(p, q));
	policy_free(q);
	free(text);
}

static void
test_list_file_takes_comments_blanks_crlf_and_long_lines(void **state)
{
	char *text, line[512];
	size_t len, pad = 100000;
	struct policy *p;

	(void)state;
	/* A comment line of 100,000 bytes: no 4,096-byte limit here. */
	text = malloc(pad + 512);
	assert_non_null(text);
	memset(text, '#', pad);
	len = pad;
	len += (size_t)snprintf(text + len, 512, "\n\n   \t\n"
	    "# whole-line comment\n"
	    "192.0.2.0/24   # the office\n"
	    "\t2001:db8:1::/48\r\n"
	    "198.51.100.7\n"
	    "203.0.113.0/25#no space before the comment\n");
	write_file(nets_path, text, len, 0644);
	free(text);
	snprintf(line, sizeof(line), "exempt_networks = 127.0.0.0/8, "
	    "file:%s ::1", nets_path);
	p = load_line(line);
	if (p == NULL)
		fail_msg("%s", errs.count > 0 ? errs.lines[0] : "no error");
	assert_int_equal(p->exempt_networks.count, 6);
	assert_true(exempt(p, "192.0.2.200"));
	assert_true(exempt(p, "2001:db8:1:ffff::1"));
	assert_true(exempt(p, "198.51.100.7"));
	assert_false(exempt(p, "198.51.100.8"));
	assert_true(exempt(p, "203.0.113.127"));
	assert_false(exempt(p, "203.0.113.128"));
	assert_true(exempt(p, "127.0.0.2"));
	assert_true(exempt(p, "::1"));
	snprintf(line, sizeof(line), "exempt_networks = 127.0.0.0/8 file:%s "
	    "::1/128\n", nets_path);
	assert_dump_round_trip(p, line);
	policy_free(p);
}

/* An entry found in a file names its file and line. */
static void
test_entry_knows_its_file_and_line(void **state)
{
	const struct allow_entry *e;
	char line[512];
	struct addr a = parse_ok("10.9.8.7");
	struct policy *p;

	(void)state;
	write_text(nets_path, "# ours\n10.0.0.0/8\n\n10.9.0.0/16\n");
	snprintf(line, sizeof(line), "exempt_networks = 10.9.8.0/24 file:%s",
	    nets_path);
	p = load_line(line);
	assert_non_null(p);
	/* The most specific entry: inline. */
	e = allow_list_network(&p->exempt_networks, &a);
	assert_non_null(e);
	assert_int_equal(e->net.prefix, 24);
	assert_null(allow_list_file_of(&p->exempt_networks, e));
	a = parse_ok("10.9.1.1");
	e = allow_list_network(&p->exempt_networks, &a);
	assert_non_null(e);
	assert_int_equal(e->net.prefix, 16);
	assert_string_equal(allow_list_file_of(&p->exempt_networks, e),
	    nets_path);
	assert_int_equal(e->line, 4);
	a = parse_ok("10.200.0.1");
	e = allow_list_network(&p->exempt_networks, &a);
	assert_non_null(e);
	assert_int_equal(e->line, 2);
	policy_free(p);
}

static void
test_list_errors_name_the_list_file_and_line(void **state)
{
	static const char *const want[] = {
		"%L:2: bad entry '192.0.2.1/24': expected a network "
		"(192.0.2.0/24, 2001:db8::/32, no host bits set) or an address",
		"%L:4: bad entry '10.0.0.0/8 10.1.0.0/16': expected a network "
		"(192.0.2.0/24, 2001:db8::/32, no host bits set) or an address",
		"%L:5: bad entry 'example.com': expected a network "
		"(192.0.2.0/24, 2001:db8::/32, no host bits set) or an address",
		"%L:6: NUL byte in line",
		NULL
	};
	static const char list[] = "10.0.0.0/8\n192.0.2.1/24 # host bits\n"
	    "# fine\n10.0.0.0/8 10.1.0.0/16\nexample.com\n1.2.3.4\0x\n";
	char line[512];

	(void)state;
	write_file(nets_path, list, sizeof(list) - 1, 0644);
	snprintf(line, sizeof(line), "exempt_networks = file:%s", nets_path);
	assert_null(load_line(line));
	assert_errors(nets_path, want);
}

static void
test_unreadable_list_is_reported_at_the_policy_line(void **state)
{
	static const char *const want[] = {
		"%C:2: cannot open list file /nonexistent/ptrmilter-list: No "
		"such file or directory",
		NULL
	};
	static const char *const want_dev[] = {
		"%C:2: list file /dev/null is not a regular file",
		NULL
	};

	(void)state;
	assert_null(load_line("exempt_ptr_domains = example.com "
	    "file:/nonexistent/ptrmilter-list"));
	assert_errors(NULL, want);
	assert_null(load_line("exempt_networks = file:/dev/null"));
	assert_errors(NULL, want_dev);
}

/* A FIFO is refused without waiting for a writer. */
static void
test_fifo_is_refused_without_blocking(void **state)
{
	char line[512];

	(void)state;
	assert_int_equal(mkfifo(nets_path, 0644), 0);
	snprintf(line, sizeof(line), "exempt_networks = file:%s", nets_path);
	assert_null(load_line(line));
	assert_int_equal(errs.count, 1);
	assert_non_null(strstr(errs.lines[0], "is not a regular file"));
}

static void
test_list_writable_by_group_or_others_is_refused(void **state)
{
	static const mode_t modes[] = { 0664, 0646, 0666 };
	char line[512], want[512];

	(void)state;
	snprintf(line, sizeof(line), "exempt_networks = file:%s", nets_path);
	for (size_t i = 0; i < NELEM(modes); i++) {
		write_file(nets_path, "10.0.0.0/8\n", 11, modes[i]);
		assert_null(load_line(line));
		snprintf(want, sizeof(want), "%s:2: list file %s is writable "
		    "by group or others (mode %04o): refused; chmod go-w %s",
		    conf_path, nets_path, (unsigned)modes[i], nets_path);
		assert_int_equal(errs.count, 1);
		assert_string_equal(errs.lines[0], want);
	}
	write_file(nets_path, "10.0.0.0/8\n", 11, 0600);
	policy_free(load_line(line));
	assert_int_equal(errs.count, 0);
}

/* Only root's lists and the trusted user's: root chowns the list away;
 * anyone else trusts a user that is not them. */
static void
test_list_of_another_owner_is_refused(void **state)
{
	char line[512], want[512];
	long trusted = (long)geteuid(), owner = (long)geteuid();
	struct policy *p;
	unsigned mode;
	long conf_owner;

	(void)state;
	write_text(nets_path, "10.0.0.0/8\n");
	if (geteuid() == 0) {
		owner = 4242;
		assert_int_equal(chown(nets_path, 4242, (gid_t)-1), 0);
	} else {
		trusted = owner + 1;
	}
	snprintf(line, sizeof(line), "# the policy\nexempt_networks = "
	    "file:%s\n", nets_path);
	write_text(conf_path, line);
	p = policy_load_trusting(conf_path, false, collect, &errs, trusted,
	    &mode, &conf_owner);
	assert_null(p);
	snprintf(want, sizeof(want), "%s:2: list file %s is owned by user "
	    "%ld, neither root nor the user ptrmilter was started as: "
	    "refused; chown root %s", conf_path, nets_path, owner, nets_path);
	assert_int_equal(errs.count, 1);
	assert_string_equal(errs.lines[0], want);
	/* The same list trusted as its owner's. */
	p = policy_load_trusting(conf_path, false, collect, &errs, owner,
	    &mode, &conf_owner);
	assert_non_null(p);
	policy_free(p);
}

static void
test_too_many_errors_stop_the_list(void **state)
{
	char line[512];
	char *text = malloc(100 * 8);
	size_t len = 0;

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < 100; i++)
		len += (size_t)sprintf(text + len, "bad..x\n");
	write_file(doms_path, text, len, 0644);
	free(text);
	snprintf(line, sizeof(line), "exempt_ptr_domains = file:%s",
	    doms_path);
	assert_null(load_line(line));
	assert_int_equal(errs.count, ALLOW_FILE_ERRORS_MAX + 1);
	snprintf(line, sizeof(line), "%s:%d: too many errors; the rest of "
	    "the file is not read", doms_path, ALLOW_FILE_ERRORS_MAX);
	assert_string_equal(errs.lines[ALLOW_FILE_ERRORS_MAX], line);
}

/* A public suffix in a list is refused with the reason, at its line;
 * the domains under it and the list's other errors are still told. */
static void
test_public_suffix_in_a_list_is_refused(void **state)
{
	static const char *const want[] = {
		"%L:2: bad entry 'co.uk': a public suffix (Public Suffix List): "
		"anyone may register a domain under it and give their hosts "
		"forward-confirmed names there; name the domain itself "
		"(example.co.uk)",
		"%L:4: bad entry 'Com.': a public suffix (Public Suffix List): "
		"anyone may register a domain under it and give their hosts "
		"forward-confirmed names there; name the domain itself "
		"(example.co.uk)",
		"%L:5: bad entry 'bad..x': expected a domain name (example.com)",
		NULL
	};
	char line[512];
	struct policy *p;

	(void)state;
	write_text(doms_path, "example.co.uk\nco.uk\nmx.example.com\nCom.\n"
	    "bad..x\n");
	snprintf(line, sizeof(line), "exempt_ptr_domains = file:%s",
	    doms_path);
	assert_null(load_line(line));
	assert_errors(doms_path, want);
	write_text(doms_path, "example.co.uk\nmx.example.com\n");
	p = load_line(line);
	assert_non_null(p);
	assert_int_equal(p->exempt_ptr_domains.count, 2);
	policy_free(p);
}

/* 100,000 networks: all loaded, each found, others not. */
static void
test_list_of_100000_networks_loads_and_is_searched(void **state)
{
	const size_t n = 100000;
	char *text = malloc(n * 24), line[512], ip[64];
	size_t len = 0;
	struct policy *p;

	(void)state;
	assert_non_null(text);
	/* 10.x.y.0/28 and 2001:db8:x:y::/64, interleaved. */
	for (size_t i = 0; i < n; i++) {
		if (i % 2 == 0)
			len += (size_t)sprintf(text + len, "10.%zu.%zu.%zu/28\n",
			    (i / 2) >> 12, ((i / 2) >> 4) & 0xff,
			    ((i / 2) & 0xf) << 4);
		else
			len += (size_t)sprintf(text + len,
			    "2001:db8:%zx:%zx::/64\n", i >> 16, i & 0xffff);
	}
	write_file(nets_path, text, len, 0644);
	free(text);
	snprintf(line, sizeof(line), "exempt_networks = file:%s", nets_path);
	p = load_line(line);
	if (p == NULL)
		fail_msg("%s", errs.count > 0 ? errs.lines[0] : "no error");
	assert_int_equal(p->exempt_networks.count, n);
	for (size_t i = 0; i < n; i += 997) {
		if (i % 2 == 0)
			snprintf(ip, sizeof(ip), "10.%zu.%zu.%zu",
			    (i / 2) >> 12, ((i / 2) >> 4) & 0xff,
			    (((i / 2) & 0xf) << 4) + 15);
		else
			snprintf(ip, sizeof(ip), "2001:db8:%zx:%zx:ff::1",
			    i >> 16, i & 0xffff);
		if (!exempt(p, ip))
			fail_msg("%s not found", ip);
	}
	assert_false(exempt(p, "10.12.53.1"));	/* past the last */
	assert_false(exempt(p, "11.0.0.1"));
	assert_false(exempt(p, "2001:db8:0:0::1"));	/* entry 0 is IPv4 */
	policy_free(p);
}

/* What a reload compares: the loaded entries, not the file: text. */
static void
test_equal_policies_follow_the_list_contents(void **state)
{
	struct policy *a, *b;
	char line[512];

	(void)state;
	snprintf(line, sizeof(line), "exempt_ptr_domains = example.com "
	    "file:%s", doms_path);
	write_text(doms_path, "example.net\n");
	a = load_line(line);
	assert_non_null(a);
	b = load_line(line);
	assert_non_null(b);
	assert_true(policy_equal(a, b));
	policy_free(b);
	write_text(doms_path, "example.net\n# and\nExample.ORG.\n");
	b = load_line(line);
	assert_non_null(b);
	assert_false(policy_equal(a, b));
	assert_int_equal(b->exempt_ptr_domains.count, 3);
	snprintf(line, sizeof(line), "exempt_ptr_domains = example.com "
	    "file:%s\n", doms_path);
	assert_dump_round_trip(b, line);
	policy_free(b);
	policy_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_list_file_takes_comments_blanks_crlf_and_long_lines,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_entry_knows_its_file_and_line, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_list_errors_name_the_list_file_and_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_unreadable_list_is_reported_at_the_policy_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_fifo_is_refused_without_blocking, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_list_writable_by_group_or_others_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_list_of_another_owner_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_too_many_errors_stop_the_list, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_public_suffix_in_a_list_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_list_of_100000_networks_loads_and_is_searched, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_equal_policies_follow_the_list_contents, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, unit_regdom_setup,
	    unit_regdom_teardown);
}
