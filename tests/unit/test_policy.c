/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_policy.c - the ptrmilter.conf parser: defaults, every value syntax
 * with its boundaries, the exact error lines, the dump round trip, and the
 * shipped conf/ptrmilter.conf against the key table.
 *
 * Config text goes through a real file (mkstemp in /tmp) and policy_load(),
 * the way the daemon reads it; errors are collected from the reporter and
 * compared as whole lines.
 */
#include "config.h"

#include <math.h>
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

#include "policy.h"
#include "tags.h"
#include "unit.h"
#include "unit_policy.h"

#ifndef TOP_SRCDIR
#error "the build defines TOP_SRCDIR"
#endif

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The temp file of the current test, removed by the teardown. */
static char temp_path[64];

static void write_temp(const char *text, size_t len);
static struct policy *load_text(const char *text, struct errors *e);
static struct policy *load_bytes(const char *text, size_t len,
    struct errors *e);
static void assert_errors(const struct errors *e, const char *const *want);
static char *dump_value(const struct policy *p, const char *key);
static char *read_file(const char *path);
static int teardown(void **state);

static void
write_temp(const char *text, size_t len)
{
	int fd;

	if (temp_path[0] != '\0')
		unlink(temp_path);
	snprintf(temp_path, sizeof(temp_path), "/tmp/test_policy.XXXXXX");
	fd = mkstemp(temp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static struct policy *
load_bytes(const char *text, size_t len, struct errors *e)
{
	write_temp(text, len);
	e->count = 0;
	return policy_load(temp_path, false, collect, e);
}

static struct policy *
load_text(const char *text, struct errors *e)
{
	return load_bytes(text, strlen(text), e);
}

/* want: NULL-terminated messages after "PATH:", e.g. "3: missing ..." or
 * " cannot open: ..." as it follows the colon. */
static void
assert_errors(const struct errors *e, const char *const *want)
{
	char line[1024];
	size_t n = 0;

	for (; want[n] != NULL; n++) {
		snprintf(line, sizeof(line), "%s:%s", temp_path, want[n]);
		if (n >= e->count)
			fail_msg("missing error: %s", line);
		assert_string_equal(e->lines[n], line);
	}
	if (e->count != n)
		fail_msg("unexpected error: %s", e->lines[n]);
}

/* The value the dump shows for key, allocated. */
static char *
dump_value(const struct policy *p, const char *key)
{
	char *all = dump_text(p), *line, *save = NULL, *found = NULL;
	size_t n = strlen(key);

	for (line = strtok_r(all, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, n) == 0 &&
		    strncmp(line + n, " = ", 3) == 0) {
			found = strdup(line + n + 3);
			break;
		}
	}
	free(all);
	assert_non_null(found);
	return found;
}

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long size;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	buf[size] = '\0';
	fclose(f);
	return buf;
}

static int
teardown(void **state)
{
	(void)state;
	if (temp_path[0] != '\0')
		unlink(temp_path);
	temp_path[0] = '\0';
	return 0;
}

/*
 * Defaults.
 */

static void
assert_defaults(const struct policy *p)
{
	static const double weights[TAG_COUNT] = {
		[TAG_NO_PTR] = 5, [TAG_PTR_NOT_CONFIRMED] = 4,
		[TAG_PTR_FORWARD_NXDOMAIN] = 1, [TAG_DNS_TEMPERROR] = 0,
		[TAG_DNSSEC_BOGUS] = 0, [TAG_PTR_MULTIPLE] = 0.5,
		[TAG_PTR_GENERIC] = 2, [TAG_HELO_GENERIC] = 0.5,
		[TAG_HELO_INVALID] = 1.5, [TAG_HELO_NOT_FQDN] = 1,
		[TAG_HELO_BARE_IP] = 1, [TAG_HELO_LITERAL_MISMATCH] = 1,
		[TAG_HELO_PTR_MISMATCH] = 0.5, [TAG_HELO_PTR_SAME_DOMAIN] = 0.2,
		[TAG_HELO_NO_FORWARD] = 0.5, [TAG_HELO_FORWARD_MISMATCH] = 0.3,
		[TAG_HELO_IS_OURS] = 1.5, [TAG_DNSSEC_SECURE] = 0,
	};
	struct addr a;

	assert_string_equal(p->socket, "unix:/run/ptrmilter/ptrmilter.sock");
	assert_null(p->user);
	assert_int_equal(p->socket_mode, 0660);
	assert_int_equal(p->mode, POLICY_MODE_ENFORCE);
	assert_null(p->authserv_id);
	assert_null(p->unbound_config);
	assert_string_equal(p->trust_anchor_file, "/usr/share/dns/root.key");
	assert_false(p->resolv_conf);
	assert_null(p->forwarders);
	assert_int_equal(p->dns_timeout_ms, 5000);
	assert_int_equal(p->max_ptr_names, 10);
	for (int t = 0; t < TAG_COUNT; t++)
		assert_true(p->score[t] == weights[t]);
	assert_true(p->tempfail_score == 5);
	assert_true(isinf(p->reject_score) && p->reject_score > 0);
	assert_string_equal(p->reply_text,
	    "Client host rejected: %{reason}, [%{ip}]");
	assert_int_equal(p->on_dns_error, POLICY_DNS_ERROR_ACCEPT);
	assert_int_equal(p->exempt_networks.count, 2);
	assert_int_equal(addr_parse("127.1.2.3", &a), 0);
	assert_non_null(allow_list_network(&p->exempt_networks, &a));
	assert_int_equal(addr_parse("::1", &a), 0);
	assert_non_null(allow_list_network(&p->exempt_networks, &a));
	assert_int_equal(addr_parse("128.0.0.1", &a), 0);
	assert_null(allow_list_network(&p->exempt_networks, &a));
	assert_int_equal(p->exempt_ptr_domains.count, 0);
	assert_null(p->exempt_ptr_domains.written[0]);
	assert_true(p->exempt_authenticated);
	assert_non_null(p->exempt_recipients);
	assert_string_equal(p->exempt_recipients[0], "postmaster");
	assert_string_equal(p->exempt_recipients[1], "abuse");
	assert_null(p->exempt_recipients[2]);
	assert_non_null(p->generic_allow);
	assert_null(p->generic_allow[0]);
	assert_null(p->generic_patterns);
	assert_string_equal(p->generic_data,
	    PTRMILTER_DATADIR "/generic-providers");
	assert_int_equal(p->tempfail_limit_s, 0);
	assert_true(isinf(p->greylist_score) && p->greylist_score > 0);
	assert_int_equal(p->greylist_delay_s, 300);
	assert_int_equal(p->greylist_window_s, 86400);
	assert_int_equal(p->greylist_pass_ttl_s, 35 * 86400);
	assert_int_equal(p->greylist_ipv4_prefix, 24);
	assert_int_equal(p->greylist_ipv6_prefix, 64);
	assert_string_equal(p->state_store, "lmdb:" PTRMILTER_STATEDIR "/state");
	assert_int_equal(p->state_timeout_ms, 50);
	assert_string_equal(p->score_header, "X-PTR-Score");
	assert_true(p->auth_results);
	assert_int_equal(p->auth_results_property, POLICY_AR_POLICY_IPREV);
	assert_int_equal(p->log_facility, POLICY_FACILITY_MAIL);
	assert_int_equal(p->log_format, POLICY_LOG_TEXT);
	assert_null(p->metrics_listen);
}

static void
test_defaults_hold_the_documented_values(void **state)
{
	struct policy *p = policy_defaults();

	(void)state;
	assert_non_null(p);
	assert_defaults(p);
	policy_free(p);
}

static void
test_missing_file_with_missing_ok_gives_defaults(void **state)
{
	struct errors e = { .count = 0 };
	struct policy *p;

	(void)state;
	p = policy_load("/nonexistent/ptrmilter.conf", true, collect, &e);
	assert_non_null(p);
	assert_int_equal(e.count, 0);
	assert_defaults(p);
	policy_free(p);
}

static void
test_missing_file_without_missing_ok_is_an_error(void **state)
{
	struct errors e = { .count = 0 };

	(void)state;
	assert_null(policy_load("/nonexistent/ptrmilter.conf", false, collect,
	    &e));
	assert_int_equal(e.count, 1);
	assert_string_equal(e.lines[0], "/nonexistent/ptrmilter.conf: cannot "
	    "open: No such file or directory");
	errors_clear(&e);
}

static void
test_directory_is_an_error_even_with_missing_ok(void **state)
{
	struct errors e = { .count = 0 };

	(void)state;
	assert_null(policy_load("/tmp", true, collect, &e));
	assert_int_equal(e.count, 1);
	assert_string_equal(e.lines[0],
	    "/tmp: is a directory, not a configuration file");
	errors_clear(&e);
}

static void
test_unsafe_mode_is_group_or_other_write(void **state)
{
	static const struct {
		unsigned mode;
		bool want;
	} cases[] = {
		{ 0644, false }, { 0640, false }, { 0600, false },
		{ 0444, false }, { 0400, false }, { 0000, false },
		{ 04644, false }, { 0744, false },
		{ 0664, true }, { 0646, true }, { 0666, true },
		{ 0620, true }, { 0602, true }, { 0777, true },
		{ 01666, true },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		if (policy_mode_unsafe(cases[i].mode) != cases[i].want)
			fail_msg("mode %04o: want %s", cases[i].mode,
			    cases[i].want ? "unsafe" : "safe");
	}
}

static void
test_only_roots_and_our_own_policy_file_is_trusted(void **state)
{
	static const struct {
		long owner, euid;
		bool want;
	} cases[] = {
		{ 0, 0, false },	/* root's file, read by root */
		{ 0, 120, false },	/* root's file, read by the daemon */
		{ 120, 120, false },	/* the daemon's own, read by it */
		{ 120, 0, true },	/* the daemon's user's, read by root */
		{ 1000, 120, true },	/* someone else's */
		{ 1000, 0, true },
		{ -1, 0, false },	/* no file was read */
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		if (policy_owner_unsafe(cases[i].owner, cases[i].euid) !=
		    cases[i].want)
			fail_msg("owner %ld, euid %ld: want %s", cases[i].owner,
			    cases[i].euid, cases[i].want ? "unsafe" : "safe");
	}
}

static void
test_load_owned_gives_the_owner_of_the_file_read(void **state)
{
	struct errors e = { .count = 0 };
	struct policy *p;
	unsigned mode;
	long owner = -2;

	(void)state;
	write_temp("mode = dry-run\n", 15);
	p = policy_load_owned(temp_path, false, collect, &e, &mode, &owner);
	assert_non_null(p);
	assert_int_equal(owner, (long)geteuid());
	policy_free(p);
	p = policy_load_owned("/nonexistent/ptrmilter.conf", true, collect,
	    &e, &mode, &owner);
	assert_non_null(p);
	assert_int_equal(owner, -1);
	policy_free(p);
}

static void
test_load_mode_gives_the_mode_of_the_file_read(void **state)
{
	static const unsigned modes[] = { 0600, 0644, 0664, 0646, 0400 };
	struct errors e = { .count = 0 };
	struct policy *p;
	unsigned mode;

	(void)state;
	write_temp("mode = dry-run\n", 15);
	for (size_t i = 0; i < NELEM(modes); i++) {
		assert_int_equal(chmod(temp_path, modes[i]), 0);
		mode = 1;
		p = policy_load_mode(temp_path, false, collect, &e, &mode);
		assert_non_null(p);
		assert_int_equal(e.count, 0);
		assert_int_equal(mode, modes[i]);
		assert_int_equal(p->mode, POLICY_MODE_DRY_RUN);
		policy_free(p);
	}
}

static void
test_load_mode_is_set_when_the_text_has_errors(void **state)
{
	struct errors e = { .count = 0 };
	unsigned mode = 0;

	(void)state;
	write_temp("mode = loud\n", 12);
	assert_int_equal(chmod(temp_path, 0664), 0);
	assert_null(policy_load_mode(temp_path, false, collect, &e, &mode));
	assert_int_equal(e.count, 1);
	assert_int_equal(mode, 0664);
	assert_true(policy_mode_unsafe(mode));
	errors_clear(&e);
}

static void
test_load_mode_is_zero_when_no_file_was_read(void **state)
{
	struct errors e = { .count = 0 };
	struct policy *p;
	unsigned mode = 1;

	(void)state;
	p = policy_load_mode("/nonexistent/ptrmilter.conf", true, collect, &e,
	    &mode);
	assert_non_null(p);
	assert_int_equal(mode, 0);
	policy_free(p);
	mode = 1;
	/* /tmp is mode 1777: a directory is refused, not judged by mode. */
	assert_null(policy_load_mode("/tmp", true, collect, &e, &mode));
	assert_int_equal(mode, 0);
	errors_clear(&e);
}

static void
test_empty_and_comment_only_files_give_defaults(void **state)
{
	static const char *const texts[] = {
		"",
		"\n\n\n",
		"# nothing set\n   # indented comment\n\t\n",
		"## prose\n#dns_timeout = 9s\n",
		"\r\n# crlf\r\n",
	};
	struct errors e = { .count = 0 };

	(void)state;
	for (size_t i = 0; i < NELEM(texts); i++) {
		struct policy *p = load_text(texts[i], &e);

		assert_non_null(p);
		assert_int_equal(e.count, 0);
		assert_defaults(p);
		policy_free(p);
	}
}

/*
 * Good values: each line loads alone and the dump shows want.
 */

/* 416 octets of words: with %{reason} (80) and a token (3), 499: the
 * most that fits. */
#define WORDS_416 \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct {
	const char *line;
	const char *key;
	const char *want;
} good_values[] = {
	{ "socket = unix:/var/spool/postfix/ptrmilter/ptrmilter.sock", "socket",
	  "unix:/var/spool/postfix/ptrmilter/ptrmilter.sock" },
	{ "socket = local:/run/p.sock", "socket", "local:/run/p.sock" },
	{ "socket = inet:8894@127.0.0.1", "socket", "inet:8894@127.0.0.1" },
	{ "socket = inet:8894", "socket", "inet:8894" },
	{ "socket = inet:1@localhost", "socket", "inet:1@localhost" },
	{ "socket = inet6:65535@::1", "socket", "inet6:65535@::1" },
	{ "user = ptrmilter", "user", "ptrmilter" },
	{ "user = none", "user", "none" },
	{ "socket_mode = 0660", "socket_mode", "0660" },
	{ "socket_mode = 660", "socket_mode", "0660" },
	{ "socket_mode = 0", "socket_mode", "0000" },
	{ "socket_mode = 0000", "socket_mode", "0000" },
	{ "socket_mode = 0777", "socket_mode", "0777" },
	{ "mode = dry-run", "mode", "dry-run" },
	{ "mode = DRY-RUN", "mode", "dry-run" },
	{ "mode = enforce", "mode", "enforce" },
	{ "authserv_id = mx.example.net", "authserv_id", "mx.example.net" },
	{ "authserv_id = NONE", "authserv_id", "none" },
	/* a token character that is not in a host name: written as it is */
	{ "authserv_id = mx+in.example", "authserv_id", "mx+in.example" },
	{ "unbound_config = /etc/unbound/ptr.conf", "unbound_config",
	  "/etc/unbound/ptr.conf" },
	{ "trust_anchor_file = none", "trust_anchor_file", "none" },
	{ "trust_anchor_file = /var/lib/unbound/root.key", "trust_anchor_file",
	  "/var/lib/unbound/root.key" },
	{ "resolv_conf = yes", "resolv_conf", "yes" },
	{ "resolv_conf = no", "resolv_conf", "no" },
	{ "resolv_conf = true", "resolv_conf", "yes" },
	{ "resolv_conf = false", "resolv_conf", "no" },
	{ "resolv_conf = YES", "resolv_conf", "yes" },
	{ "resolv_conf = False", "resolv_conf", "no" },
	{ "forwarders = 192.0.2.53", "forwarders", "192.0.2.53" },
	{ "forwarders = 192.0.2.53, 2001:db8::53", "forwarders",
	  "192.0.2.53 2001:db8::53" },
	{ "forwarders = 192.0.2.53\t198.51.100.53,,203.0.113.53", "forwarders",
	  "192.0.2.53 198.51.100.53 203.0.113.53" },
	{ "forwarders = none", "forwarders", "none" },
	{ "dns_timeout = 5", "dns_timeout", "5s" },
	{ "dns_timeout = 5s", "dns_timeout", "5s" },
	{ "dns_timeout = 1", "dns_timeout", "1s" },
	{ "dns_timeout = 60", "dns_timeout", "1m" },
	{ "dns_timeout = 60s", "dns_timeout", "1m" },
	{ "dns_timeout = 1m", "dns_timeout", "1m" },
	{ "dns_timeout = 30S", "dns_timeout", "30s" },
	{ "dns_timeout = 007", "dns_timeout", "7s" },
	{ "max_ptr_names = 1", "max_ptr_names", "1" },
	{ "max_ptr_names = 32", "max_ptr_names", "32" },
	{ "score.no_ptr = 1", "score.no_ptr", "1" },
	{ "score.no_ptr = 0.5", "score.no_ptr", "0.5" },
	{ "score.no_ptr = -1", "score.no_ptr", "-1" },
	{ "score.no_ptr = 100", "score.no_ptr", "100" },
	{ "score.no_ptr = -100", "score.no_ptr", "-100" },
	{ "score.no_ptr = 0.125", "score.no_ptr", "0.125" },
	{ "score.no_ptr = -0.001", "score.no_ptr", "-0.001" },
	{ "score.no_ptr = 1.500", "score.no_ptr", "1.5" },
	{ "score.no_ptr = -0", "score.no_ptr", "0" },
	{ "score.dnssec_secure = -2.5", "score.dnssec_secure", "-2.5" },
	{ "tempfail_score = off", "tempfail_score", "off" },
	{ "tempfail_score = 0.001", "tempfail_score", "0.001" },
	{ "tempfail_score = 7.5", "tempfail_score", "7.5" },
	{ "reject_score = 1000", "reject_score", "1000" },
	{ "reject_score = OFF", "reject_score", "off" },
	{ "greylist_score = 2", "greylist_score", "2" },
	{ "greylist_score = off", "greylist_score", "off" },
	{ "greylist_delay = 1", "greylist_delay", "1s" },
	{ "greylist_delay = 300", "greylist_delay", "5m" },
	{ "greylist_delay = 12h", "greylist_delay", "12h" },
	{ "greylist_window = 4h", "greylist_window", "4h" },
	{ "greylist_pass_ttl = 400d", "greylist_pass_ttl", "400d" },
	{ "greylist_ipv4_prefix = 32", "greylist_ipv4_prefix", "32" },
	{ "greylist_ipv6_prefix = 48", "greylist_ipv6_prefix", "48" },
	{ "reply_text = %{reason}, [%{ip}]; see "
	  "https://mx.example.net/rdns?ip=%{ip}#form # where to look",
	  "reply_text", "%{reason}, [%{ip}]; see "
	  "https://mx.example.net/rdns?ip=%{ip}#form" },
	{ "reply_text =  100%% \"sure\": %{ptr} %{helo} %{hint}  ",
	  "reply_text", "100%% \"sure\": %{ptr} %{helo} %{hint}" },
	{ "reply_text = Client host rejected: %{reason}, [%{ip}]",
	  "reply_text", "Client host rejected: %{reason}, [%{ip}]" },
	{ "reply_text = " WORDS_416 "%{reason}%{hint}", "reply_text",
	  WORDS_416 "%{reason}%{hint}" },
	{ "on_dns_error = tempfail", "on_dns_error", "tempfail" },
	{ "exempt_networks = none", "exempt_networks", "none" },
	{ "exempt_networks = 192.0.2.0/24, 2001:db8::/32", "exempt_networks",
	  "192.0.2.0/24 2001:db8::/32" },
	{ "exempt_networks = 192.0.2.1", "exempt_networks", "192.0.2.1/32" },
	{ "exempt_networks = 0.0.0.0/0\t::/0", "exempt_networks",
	  "0.0.0.0/0 ::/0" },
	{ "exempt_networks = 10.0.0.0/8 10.0.0.0/8", "exempt_networks",
	  "10.0.0.0/8 10.0.0.0/8" },
	{ "exempt_ptr_domains = none", "exempt_ptr_domains", "none" },
	{ "exempt_ptr_domains = Example.COM. .mail.example.net",
	  "exempt_ptr_domains", "example.com mail.example.net" },
	{ "exempt_authenticated = no", "exempt_authenticated", "no" },
	{ "exempt_recipients = Postmaster, ABUSE hostmaster",
	  "exempt_recipients", "postmaster abuse hostmaster" },
	{ "exempt_recipients = Abuse@Example.NET. @example.ORG postmaster",
	  "exempt_recipients", "abuse@example.net @example.org postmaster" },
	{ "exempt_recipients = none", "exempt_recipients", "none" },
	{ "generic_allow = Example.NET .example.org example.com.",
	  "generic_allow", "example.net example.org example.com" },
	{ "generic_allow = none", "generic_allow", "none" },
	{ "generic_data = none", "generic_data", "none" },
	{ "generic_data = /srv/ptr/providers", "generic_data",
	  "/srv/ptr/providers" },
	{ "generic_patterns = /etc/ptrmilter/generic.patterns",
	  "generic_patterns", "/etc/ptrmilter/generic.patterns" },
	{ "tempfail_limit = off", "tempfail_limit", "off" },
	{ "tempfail_limit = 4h", "tempfail_limit", "4h" },
	{ "tempfail_limit = 1d", "tempfail_limit", "1d" },
	{ "tempfail_limit = 30d", "tempfail_limit", "30d" },
	{ "tempfail_limit = 720h", "tempfail_limit", "30d" },
	{ "tempfail_limit = 1", "tempfail_limit", "1s" },
	{ "tempfail_limit = 90", "tempfail_limit", "90s" },
	{ "tempfail_limit = 2m", "tempfail_limit", "2m" },
	{ "state_store = none", "state_store", "none" },
	{ "state_store = lmdb:/srv/ptrmilter/state", "state_store",
	  "lmdb:/srv/ptrmilter/state" },
	{ "state_store = redis://10.0.0.5:6380/2?password_file=/etc/p.pass",
	  "state_store", "redis://10.0.0.5:6380/2?password_file=/etc/p.pass" },
	{ "state_store = redis+unix:/run/redis/redis.sock?db=1", "state_store",
	  "redis+unix:/run/redis/redis.sock?db=1" },
	{ "state_timeout = 50ms", "state_timeout", "50ms" },
	{ "state_timeout = 1ms", "state_timeout", "1ms" },
	{ "state_timeout = 1000ms", "state_timeout", "1s" },
	{ "state_timeout = 2s", "state_timeout", "2s" },
	{ "state_timeout = 5000ms", "state_timeout", "5s" },
	{ "state_timeout = 1500MS", "state_timeout", "1500ms" },
	{ "score_header = X-Spam-PTR", "score_header", "X-Spam-PTR" },
	{ "score_header = Received-PTR", "score_header", "Received-PTR" },
	{ "score_header = Content", "score_header", "Content" },
	{ "score_header = none", "score_header", "none" },
	{ "auth_results = false", "auth_results", "no" },
	{ "auth_results_property = smtp.remote-ip", "auth_results_property",
	  "smtp.remote-ip" },
	{ "log_facility = daemon", "log_facility", "daemon" },
	{ "log_facility = user", "log_facility", "user" },
	{ "log_facility = local0", "log_facility", "local0" },
	{ "log_facility = LOCAL7", "log_facility", "local7" },
	{ "log_format = json", "log_format", "json" },
	{ "log_format = Text", "log_format", "text" },
	{ "metrics_listen = 127.0.0.1:9357", "metrics_listen",
	  "127.0.0.1:9357" },
	{ "metrics_listen = [::1]:9357", "metrics_listen", "[::1]:9357" },
	{ "metrics_listen = none", "metrics_listen", "none" },
};

static void
test_good_values_load_and_dump_canonically(void **state)
{
	struct errors e = { .count = 0 };

	(void)state;
	for (size_t i = 0; i < NELEM(good_values); i++) {
		struct policy *p = load_text(good_values[i].line, &e);
		char *v;

		if (p == NULL)
			fail_msg("'%s' failed: %s", good_values[i].line,
			    e.count > 0 ? e.lines[0] : "(no error)");
		v = dump_value(p, good_values[i].key);
		if (strcmp(v, good_values[i].want) != 0)
			fail_msg("'%s' dumps as '%s', want '%s'",
			    good_values[i].line, v, good_values[i].want);
		free(v);
		policy_free(p);
	}
}

/* The fields, not only the dump, for every storage: units, INFINITY,
 * NULL, lower-cased arrays. */
static void
test_values_land_in_the_right_fields_and_units(void **state)
{
	struct errors e = { .count = 0 };
	struct policy *p;

	(void)state;
	p = load_text("dns_timeout = 1m\ntempfail_limit = 4h\n"
	    "tempfail_score = off\nreject_score = 12.25\n"
	    "trust_anchor_file = none\nscore_header = none\nuser = mail\n"
	    "exempt_recipients = none\ngeneric_allow = .Example.COM.\n"
	    "mode = dry-run\non_dns_error = tempfail\nsocket_mode = 0600\n"
	    "auth_results_property = smtp.remote-ip\nexempt_networks = none\n"
	    "forwarders = ::ffff:192.0.2.1\nlog_facility = local5\n"
	    "log_format = json\nstate_timeout = 2s\nstate_store = none\n", &e);
	assert_non_null(p);
	assert_int_equal(p->dns_timeout_ms, 60000);
	assert_int_equal(p->state_timeout_ms, 2000);
	assert_string_equal(p->state_store, "none");
	assert_int_equal(p->tempfail_limit_s, 4 * 3600);
	assert_true(isinf(p->tempfail_score));
	assert_true(p->reject_score == 12.25);
	assert_null(p->trust_anchor_file);
	assert_null(p->score_header);
	assert_string_equal(p->user, "mail");
	assert_non_null(p->exempt_recipients);
	assert_null(p->exempt_recipients[0]);
	assert_string_equal(p->generic_allow[0], "example.com");
	assert_null(p->generic_allow[1]);
	assert_int_equal(p->mode, POLICY_MODE_DRY_RUN);
	assert_int_equal(p->on_dns_error, POLICY_DNS_ERROR_TEMPFAIL);
	assert_int_equal(p->socket_mode, 0600);
	assert_int_equal(p->auth_results_property, POLICY_AR_SMTP_REMOTE_IP);
	assert_int_equal(p->exempt_networks.count, 0);
	assert_string_equal(p->forwarders, "::ffff:192.0.2.1");
	assert_int_equal(p->log_facility, POLICY_FACILITY_LOCAL5);
	assert_int_equal(p->log_format, POLICY_LOG_JSON);
	policy_free(p);
}

/* Every tag has its score key, and it sets that tag's weight only. */
static void
test_each_score_key_sets_its_own_tag(void **state)
{
	struct errors e = { .count = 0 };
	char line[128];

	(void)state;
	for (int t = 0; t < TAG_COUNT; t++) {
		struct policy *p, *d = policy_defaults();

		snprintf(line, sizeof(line), "score.%s = 42.5\n", tag_name(t));
		p = load_text(line, &e);
		assert_non_null(p);
		for (int u = 0; u < TAG_COUNT; u++)
			assert_true(p->score[u] ==
			    (u == t ? 42.5 : d->score[u]));
		policy_free(p);
		policy_free(d);
	}
}

/*
 * Bad values: each line alone gives exactly one error at line 1.
 */

#define DURATION_HELP "(seconds, or a number with suffix s, m, h or d)"
#define X_SOCKET "expected unix:/PATH, local:/PATH, inet:PORT[@HOST] or " \
	"inet6:PORT[@HOST] (libmilter puts the port first)"
#define X_BOOL "expected yes, no, true or false"
#define X_TIMEOUT "expected a duration from 1s to 1m " DURATION_HELP
#define X_MS "expected a duration from 1ms to 5000ms (e.g. 50ms, 1s)"
#define X_LIMIT "expected off, or a duration from 1s to 30d " DURATION_HELP
#define X_WEIGHT "expected a number from -100 to 100 with at most 3 decimals"
#define X_THRESHOLD "expected off, or a number from 0.001 to 1000 with at " \
	"most 3 decimals"
#define X_NETWORKS "expected networks (192.0.2.0/24, 2001:db8::/32, no " \
	"host bits set), addresses or file:/ABSOLUTE/PATH, separated by " \
	"spaces or commas, or none"
#define X_PUBLIC_SUFFIX "a public suffix (Public Suffix List): anyone " \
	"may register a domain under it and give their hosts forward-" \
	"confirmed names there; name the domain itself (example.co.uk)"
#define X_PTR_DOMAINS "expected domain names or file:/ABSOLUTE/PATH, " \
	"separated by spaces or commas, or none"
#define X_RECIPIENTS "expected local parts (postmaster), addresses " \
	"(abuse@example.net) or domains (@example.org), separated by " \
	"spaces or commas, or none"
#define X_HOSTPORT "expected ADDRESS:PORT, e.g. 127.0.0.1:9357 or " \
	"[::1]:9357, or none"
#define X_HEADER "expected a header field name of its own (printable, no " \
	"spaces or colons, at most 64 bytes, not one a message carries such " \
	"as From, Received, Content-Type or Authentication-Results), or none"
#define X_PATH "expected an absolute path without spaces, or none"
#define X_TOKEN "expected a name without spaces or any of " \
	"()<>@,;:\\\"/[]?= (e.g. mx.example.net), or none"
#define X_ADDRESSES "expected IP addresses separated by spaces or commas, " \
	"or none"
#define X_NUMBER "expected a whole number from 1 to 32"
#define X_MODE "expected an octal mode from 0000 to 0777"
#define X_TOKENS "the tokens are %{reason}, %{ip}, %{ptr}, %{helo}, " \
	"%{hint} and %%"
#define X_ROOM "at most 499 fit in a reply line (%{reason} counts 80, " \
	"%{ip} 45, '%' 2, any other token 3)"

static const struct {
	const char *line;
	const char *want;	/* after "PATH:1: " */
} bad_values[] = {
	{ "socket = /run/p.sock",
	  "bad value '/run/p.sock' for socket: " X_SOCKET },
	{ "socket = inet:127.0.0.1:8894",
	  "bad value 'inet:127.0.0.1:8894' for socket: " X_SOCKET },
	{ "socket = inet:0", "bad value 'inet:0' for socket: " X_SOCKET },
	{ "socket = inet:65536",
	  "bad value 'inet:65536' for socket: " X_SOCKET },
	{ "socket = inet:8894@",
	  "bad value 'inet:8894@' for socket: " X_SOCKET },
	{ "socket = unix:", "bad value 'unix:' for socket: " X_SOCKET },
	{ "socket = unix:run/p.sock",
	  "bad value 'unix:run/p.sock' for socket: " X_SOCKET },
	{ "socket = unix:/run/my socket",
	  "bad value 'unix:/run/my socket' for socket: " X_SOCKET },
	{ "socket = none", "bad value 'none' for socket: " X_SOCKET },
	{ "user = mail man",
	  "bad value 'mail man' for user: expected a user name, or none" },
	{ "socket_mode = 0778", "bad value '0778' for socket_mode: " X_MODE },
	{ "socket_mode = 1000", "bad value '1000' for socket_mode: " X_MODE },
	{ "socket_mode = 00660", "bad value '00660' for socket_mode: " X_MODE },
	{ "socket_mode = 0x1b0", "bad value '0x1b0' for socket_mode: " X_MODE },
	{ "socket_mode = -1", "bad value '-1' for socket_mode: " X_MODE },
	{ "mode = dryrun",
	  "bad value 'dryrun' for mode: expected enforce or dry-run" },
	{ "authserv_id = mx example",
	  "bad value 'mx example' for authserv_id: " X_TOKEN },
	{ "authserv_id = mx;x", "bad value 'mx;x' for authserv_id: " X_TOKEN },
	{ "authserv_id = \"mx.example.net\"", "bad value "
	  "'\"mx.example.net\"' for authserv_id: " X_TOKEN },
	{ "authserv_id = mx\\.example", "bad value 'mx\\.example' for "
	  "authserv_id: " X_TOKEN },
	{ "unbound_config = unbound.conf",
	  "bad value 'unbound.conf' for unbound_config: " X_PATH },
	{ "resolv_conf = 1", "bad value '1' for resolv_conf: " X_BOOL },
	{ "resolv_conf = 0", "bad value '0' for resolv_conf: " X_BOOL },
	{ "resolv_conf = on", "bad value 'on' for resolv_conf: " X_BOOL },
	{ "resolv_conf = off", "bad value 'off' for resolv_conf: " X_BOOL },
	{ "resolv_conf = y", "bad value 'y' for resolv_conf: " X_BOOL },
	{ "resolv_conf = yess", "bad value 'yess' for resolv_conf: " X_BOOL },
	{ "resolv_conf = nope", "bad value 'nope' for resolv_conf: " X_BOOL },
	{ "forwarders = 192.0.2.53 dns.example.net",
	  "bad entry 'dns.example.net' in forwarders: " X_ADDRESSES },
	{ "forwarders = 192.0.2.53@5353",
	  "bad entry '192.0.2.53@5353' in forwarders: " X_ADDRESSES },
	{ "forwarders = ,", "bad value ',' for forwarders: " X_ADDRESSES },
	{ "dns_timeout = 0", "bad value '0' for dns_timeout: " X_TIMEOUT },
	{ "dns_timeout = 61", "bad value '61' for dns_timeout: " X_TIMEOUT },
	{ "dns_timeout = 2m", "bad value '2m' for dns_timeout: " X_TIMEOUT },
	{ "dns_timeout = 5x", "bad value '5x' for dns_timeout: " X_TIMEOUT },
	{ "dns_timeout = -1", "bad value '-1' for dns_timeout: " X_TIMEOUT },
	{ "dns_timeout = 5 s", "bad value '5 s' for dns_timeout: " X_TIMEOUT },
	{ "dns_timeout = 1.5", "bad value '1.5' for dns_timeout: " X_TIMEOUT },
	{ "dns_timeout = s", "bad value 's' for dns_timeout: " X_TIMEOUT },
	{ "dns_timeout = 5ss", "bad value '5ss' for dns_timeout: " X_TIMEOUT },
	{ "dns_timeout = 99999999999999999999",
	  "bad value '99999999999999999999' for dns_timeout: " X_TIMEOUT },
	{ "dns_timeout = 999999999999999999d",
	  "bad value '999999999999999999d' for dns_timeout: " X_TIMEOUT },
	{ "dns_timeout = off", "bad value 'off' for dns_timeout: " X_TIMEOUT },
	{ "tempfail_limit = 0", "bad value '0' for tempfail_limit: " X_LIMIT },
	{ "greylist_delay = 0",
	  "bad value '0' for greylist_delay: expected a duration from 1s to "
	  "1d " DURATION_HELP },
	{ "greylist_delay = off",
	  "bad value 'off' for greylist_delay: expected a duration from 1s "
	  "to 1d " DURATION_HELP },
	{ "greylist_window = 59",
	  "bad value '59' for greylist_window: expected a duration from 1m "
	  "to 30d " DURATION_HELP },
	{ "greylist_pass_ttl = 401d",
	  "bad value '401d' for greylist_pass_ttl: expected a duration from "
	  "1h to 400d " DURATION_HELP },
	{ "greylist_ipv4_prefix = 33",
	  "bad value '33' for greylist_ipv4_prefix: expected a whole number "
	  "from 8 to 32" },
	{ "greylist_ipv6_prefix = 8",
	  "bad value '8' for greylist_ipv6_prefix: expected a whole number "
	  "from 16 to 128" },
	{ "greylist_score = 0", "bad value '0' for greylist_score: "
	  X_THRESHOLD },
	{ "tempfail_limit = 31d",
	  "bad value '31d' for tempfail_limit: " X_LIMIT },
	{ "tempfail_limit = 721h",
	  "bad value '721h' for tempfail_limit: " X_LIMIT },
	{ "tempfail_limit = 5x",
	  "bad value '5x' for tempfail_limit: " X_LIMIT },
	{ "tempfail_limit = -1",
	  "bad value '-1' for tempfail_limit: " X_LIMIT },
	{ "tempfail_limit = 99999999999999999999",
	  "bad value '99999999999999999999' for tempfail_limit: " X_LIMIT },
	{ "state_store = lmdb:relative", "bad value for state_store: "
	  "LMDB directory: must be an absolute path" },
	{ "state_store = redis://h?password=x", "bad value for state_store: "
	  "unknown or repeated option (db= for redis+unix:, password_file=)" },
	{ "state_store = memcached://h", "bad value for state_store: expected "
	  "none, lmdb:/DIR, redis://HOST[:PORT][/DB] or redis+unix:/PATH" },
	{ "state_timeout = 0ms", "bad value '0ms' for state_timeout: " X_MS },
	{ "state_timeout = 6s", "bad value '6s' for state_timeout: " X_MS },
	{ "state_timeout = 50 ms", "bad value '50 ms' for state_timeout: "
	  X_MS },
	{ "state_timeout = ms", "bad value 'ms' for state_timeout: " X_MS },
	{ "state_timeout = 0.5s", "bad value '0.5s' for state_timeout: " X_MS },
	{ "state_timeout = -5ms", "bad value '-5ms' for state_timeout: " X_MS },
	{ "state_timeout = 99999999999999999999ms",
	  "bad value '99999999999999999999ms' for state_timeout: " X_MS },
	{ "max_ptr_names = 0", "bad value '0' for max_ptr_names: " X_NUMBER },
	{ "max_ptr_names = 33", "bad value '33' for max_ptr_names: " X_NUMBER },
	{ "max_ptr_names = -1", "bad value '-1' for max_ptr_names: " X_NUMBER },
	{ "max_ptr_names = +5", "bad value '+5' for max_ptr_names: " X_NUMBER },
	{ "max_ptr_names = 0x10",
	  "bad value '0x10' for max_ptr_names: " X_NUMBER },
	{ "max_ptr_names = 5.0",
	  "bad value '5.0' for max_ptr_names: " X_NUMBER },
	{ "max_ptr_names = 99999999999999999999",
	  "bad value '99999999999999999999' for max_ptr_names: " X_NUMBER },
	{ "score.no_ptr = 100.001",
	  "bad value '100.001' for score.no_ptr: " X_WEIGHT },
	{ "score.no_ptr = -100.5",
	  "bad value '-100.5' for score.no_ptr: " X_WEIGHT },
	{ "score.no_ptr = 1e2", "bad value '1e2' for score.no_ptr: " X_WEIGHT },
	{ "score.no_ptr = .5", "bad value '.5' for score.no_ptr: " X_WEIGHT },
	{ "score.no_ptr = 5.", "bad value '5.' for score.no_ptr: " X_WEIGHT },
	{ "score.no_ptr = 0.1234",
	  "bad value '0.1234' for score.no_ptr: " X_WEIGHT },
	{ "score.no_ptr = +1", "bad value '+1' for score.no_ptr: " X_WEIGHT },
	{ "score.no_ptr = 1,5", "bad value '1,5' for score.no_ptr: " X_WEIGHT },
	{ "score.no_ptr = inf", "bad value 'inf' for score.no_ptr: " X_WEIGHT },
	{ "score.no_ptr = nan", "bad value 'nan' for score.no_ptr: " X_WEIGHT },
	{ "score.no_ptr = off", "bad value 'off' for score.no_ptr: " X_WEIGHT },
	{ "score.no_ptr = 99999999999",
	  "bad value '99999999999' for score.no_ptr: " X_WEIGHT },
	{ "tempfail_score = 0",
	  "bad value '0' for tempfail_score: " X_THRESHOLD },
	{ "tempfail_score = -1",
	  "bad value '-1' for tempfail_score: " X_THRESHOLD },
	{ "reject_score = 1000.001",
	  "bad value '1000.001' for reject_score: " X_THRESHOLD },
	{ "reject_score = never",
	  "bad value 'never' for reject_score: " X_THRESHOLD },
	{ "reply_text = see %{url} now", "bad value for reply_text: unknown "
	  "token '%{url}': " X_TOKENS },
	{ "reply_text = %{REASON}", "bad value for reply_text: unknown "
	  "token '%{REASON}': " X_TOKENS },
	{ "reply_text = %{}", "bad value for reply_text: unknown token "
	  "'%{}': " X_TOKENS },
	{ "reply_text = %{reason", "bad value for reply_text: unterminated "
	  "token '%{reason': a token is %{name}" },
	{ "reply_text = %{reason %{ip}", "bad value for reply_text: "
	  "unterminated token '%{reason': a token is %{name}" },
	{ "reply_text = 100% sure", "bad value for reply_text: a '%' that "
	  "starts no token: write %% for a percent sign" },
	{ "reply_text = at the end %", "bad value for reply_text: a '%' "
	  "that starts no token: write %% for a percent sign" },
	{ "reply_text = tab\there", "bad value for reply_text: byte 0x09 is "
	  "not printable ASCII (a reply is one line of 0x20 to 0x7e)" },
	{ "reply_text = caf\xc3\xa9", "bad value for reply_text: byte 0xc3 "
	  "is not printable ASCII (a reply is one line of 0x20 to 0x7e)" },
	{ "reply_text = bell\a", "bad value for reply_text: byte 0x07 is not "
	  "printable ASCII (a reply is one line of 0x20 to 0x7e)" },
	{ "reply_text = %{helo} %{ptr}", "bad value for reply_text: says "
	  "nothing of its own: %{ptr}, %{helo} and %{hint} may be empty; add "
	  "words, %{reason} or %{ip}" },
	{ "reply_text = " WORDS_416 "a%{reason}%{ptr}", "bad value for "
	  "reply_text: too long: its fixed part takes 500 octets, " X_ROOM },
	/* a '%' counts twice: it travels to the MTA as %% */
	{ "reply_text = " WORDS_416 "%%%{ip}%{ip}", "bad value for "
	  "reply_text: too long: its fixed part takes 508 octets, " X_ROOM },
	{ "on_dns_error = defer",
	  "bad value 'defer' for on_dns_error: expected accept or tempfail" },
	{ "exempt_networks = 192.0.2.1/24",
	  "bad entry '192.0.2.1/24' in exempt_networks: " X_NETWORKS },
	{ "exempt_networks = 10.0.0.0/8, 10.0.0.0/33",
	  "bad entry '10.0.0.0/33' in exempt_networks: " X_NETWORKS },
	{ "exempt_networks = localhost",
	  "bad entry 'localhost' in exempt_networks: " X_NETWORKS },
	{ "exempt_networks = ,,", "bad value ',,' for exempt_networks: "
	  X_NETWORKS },
	{ "exempt_authenticated = on",
	  "bad value 'on' for exempt_authenticated: " X_BOOL },
	{ "exempt_networks = file:relative/list",
	  "bad entry 'file:relative/list' in exempt_networks: " X_NETWORKS },
	{ "exempt_ptr_domains = example.com bad..name",
	  "bad entry 'bad..name' in exempt_ptr_domains: " X_PTR_DOMAINS },
	{ "exempt_ptr_domains = -example.com",
	  "bad entry '-example.com' in exempt_ptr_domains: " X_PTR_DOMAINS },
	{ "exempt_ptr_domains = 192.0.2.1/24",
	  "bad entry '192.0.2.1/24' in exempt_ptr_domains: " X_PTR_DOMAINS },
	{ "exempt_ptr_domains = file:",
	  "bad entry 'file:' in exempt_ptr_domains: " X_PTR_DOMAINS },
	/* Public suffixes: anyone can forward-confirm a name under them. */
	{ "exempt_ptr_domains = example.com co.uk",
	  "bad entry 'co.uk' in exempt_ptr_domains: " X_PUBLIC_SUFFIX },
	{ "exempt_ptr_domains = COM.",
	  "bad entry 'COM.' in exempt_ptr_domains: " X_PUBLIC_SUFFIX },
	{ "exempt_ptr_domains = github.io",
	  "bad entry 'github.io' in exempt_ptr_domains: " X_PUBLIC_SUFFIX },
	{ "exempt_ptr_domains = .lan",
	  "bad entry '.lan' in exempt_ptr_domains: " X_PUBLIC_SUFFIX },
	{ "exempt_recipients = postmaster@",
	  "bad entry 'postmaster@' in exempt_recipients: " X_RECIPIENTS },
	{ "exempt_recipients = a@b@example.com",
	  "bad entry 'a@b@example.com' in exempt_recipients: " X_RECIPIENTS },
	{ "exempt_recipients = @",
	  "bad entry '@' in exempt_recipients: " X_RECIPIENTS },
	{ "exempt_recipients = @bad..example",
	  "bad entry '@bad..example' in exempt_recipients: " X_RECIPIENTS },
	{ "exempt_recipients = \"john\"@example.com",
	  "bad entry '\"john\"@example.com' in exempt_recipients: "
	  X_RECIPIENTS },
	{ "exempt_recipients = a<b",
	  "bad entry 'a<b' in exempt_recipients: " X_RECIPIENTS },
	{ "generic_allow = example.net a/b",
	  "bad entry 'a/b' in generic_allow: expected domain names separated "
	  "by spaces or commas, or none" },
	{ "generic_allow = bad..name",
	  "bad entry 'bad..name' in generic_allow: expected domain names "
	  "separated by spaces or commas, or none" },
	{ "generic_allow = .", "bad entry '.' in generic_allow: expected "
	  "domain names separated by spaces or commas, or none" },
	{ "generic_data = providers.txt",
	  "bad value 'providers.txt' for generic_data: " X_PATH },
	{ "generic_patterns = patterns.txt",
	  "bad value 'patterns.txt' for generic_patterns: " X_PATH },
	{ "score_header = X PTR",
	  "bad value 'X PTR' for score_header: " X_HEADER },
	/* Every incoming copy is removed: not a field of the message's own
	 * or of another checker's. */
	{ "score_header = Authentication-Results", "bad value "
	  "'Authentication-Results' for score_header: " X_HEADER },
	{ "score_header = received",
	  "bad value 'received' for score_header: " X_HEADER },
	{ "score_header = Subject",
	  "bad value 'Subject' for score_header: " X_HEADER },
	{ "score_header = CONTENT-TYPE",
	  "bad value 'CONTENT-TYPE' for score_header: " X_HEADER },
	{ "score_header = ARC-Seal",
	  "bad value 'ARC-Seal' for score_header: " X_HEADER },
	{ "score_header = DKIM-Signature",
	  "bad value 'DKIM-Signature' for score_header: " X_HEADER },
	{ "score_header = X-PTR:", "bad value 'X-PTR:' for score_header: "
	  X_HEADER },
	{ "auth_results = 2", "bad value '2' for auth_results: " X_BOOL },
	{ "auth_results_property = iprev", "bad value 'iprev' for "
	  "auth_results_property: expected policy.iprev or smtp.remote-ip" },
	{ "log_facility = kern", "bad value 'kern' for log_facility: "
	  "expected mail, daemon, user, local0, local1, local2, local3, "
	  "local4, local5, local6 or local7" },
	{ "log_facility = local8", "bad value 'local8' for log_facility: "
	  "expected mail, daemon, user, local0, local1, local2, local3, "
	  "local4, local5, local6 or local7" },
	{ "log_facility = LOG_MAIL", "bad value 'LOG_MAIL' for log_facility: "
	  "expected mail, daemon, user, local0, local1, local2, local3, "
	  "local4, local5, local6 or local7" },
	{ "log_format = syslog", "bad value 'syslog' for log_format: "
	  "expected text or json" },
	{ "metrics_listen = localhost:9357",
	  "bad value 'localhost:9357' for metrics_listen: " X_HOSTPORT },
	{ "metrics_listen = 127.0.0.1",
	  "bad value '127.0.0.1' for metrics_listen: " X_HOSTPORT },
	{ "metrics_listen = ::1:9357",
	  "bad value '::1:9357' for metrics_listen: " X_HOSTPORT },
	{ "metrics_listen = [127.0.0.1]:9357",
	  "bad value '[127.0.0.1]:9357' for metrics_listen: " X_HOSTPORT },
	{ "metrics_listen = [::1]9357",
	  "bad value '[::1]9357' for metrics_listen: " X_HOSTPORT },
	{ "metrics_listen = 127.0.0.1:0",
	  "bad value '127.0.0.1:0' for metrics_listen: " X_HOSTPORT },
	{ "metrics_listen = 127.0.0.1:65536",
	  "bad value '127.0.0.1:65536' for metrics_listen: " X_HOSTPORT },
	{ "dns_timeout =", "missing value for dns_timeout: " X_TIMEOUT },
	{ "dns_timeout = # nothing",
	  "missing value for dns_timeout: " X_TIMEOUT },
	{ "user=", "missing value for user: expected a user name, or none" },
	{ "dns_timeout 5", "expected 'key = value', found 'dns_timeout 5'" },
	{ "= 5", "missing key before '='" },
	{ "dns_timout = 5", "unknown key 'dns_timout' (did you mean "
	  "'dns_timeout'?)" },
	{ "DNS_TIMEOUT = 5", "unknown key 'DNS_TIMEOUT' (did you mean "
	  "'dns_timeout'?)" },
	{ "dns_tiemout = 5", "unknown key 'dns_tiemout' (did you mean "
	  "'dns_timeout'?)" },
	{ "dns timeout = 5", "unknown key 'dns timeout' (did you mean "
	  "'dns_timeout'?)" },
	{ "score.noptr = 5", "unknown key 'score.noptr' (did you mean "
	  "'score.no_ptr'?)" },
	{ "sockets = unix:/x",
	  "unknown key 'sockets' (did you mean 'socket'?)" },
	{ "greylisting = yes", "unknown key 'greylisting'" },
	{ "score.spf_fail = 1", "unknown key 'score.spf_fail'" },
};

static void
test_bad_values_are_reported_exactly(void **state)
{
	struct errors e = { .count = 0 };
	char want[1024];

	(void)state;
	for (size_t i = 0; i < NELEM(bad_values); i++) {
		struct policy *p = load_text(bad_values[i].line, &e);
		const char *const lines[] = { want, NULL };

		snprintf(want, sizeof(want), "1: %s", bad_values[i].want);
		if (p != NULL)
			fail_msg("'%s' loaded", bad_values[i].line);
		assert_errors(&e, lines);
		errors_clear(&e);
	}
}

/* Non-printable bytes in a value are shown as \xHH, a long value is cut. */
static void
test_bad_value_is_shown_sanitised_and_cut(void **state)
{
	static const char *const want_ctl[] = {
		"1: bad value 'a\\x1bb\\xc3\\xa9' for user: expected a user "
		"name, or none",
		NULL
	};
	static const char *const want_long[] = {
		"1: bad value '01234567890123456789012345678901"
		"23456789012345678901234567890123...' for dns_timeout: "
		X_TIMEOUT,
		NULL
	};
	struct errors e = { .count = 0 };

	(void)state;
	assert_null(load_text("user = a\033b\xc3\xa9\n", &e));
	assert_errors(&e, want_ctl);
	errors_clear(&e);
	assert_null(load_text("dns_timeout = 01234567890123456789012345678901"
	    "234567890123456789012345678901234567890123456789\n", &e));
	assert_errors(&e, want_long);
	errors_clear(&e);
}

/*
 * Syntax: keys given twice, many errors, comments, whitespace, line ends.
 */

static void
test_duplicate_key_names_the_first_line(void **state)
{
	static const char *const want[] = {
		"4: duplicate key 'dns_timeout' (first set at line 2)",
		NULL
	};
	struct errors e = { .count = 0 };

	(void)state;
	assert_null(load_text("# c\ndns_timeout = 5\nmode = enforce\n"
	    "dns_timeout = 5\n", &e));
	assert_errors(&e, want);
	errors_clear(&e);
}

/* One pass finds every error, with its own line, and then fails. */
static void
test_every_error_is_reported_in_one_pass(void **state)
{
	static const char *const want[] = {
		"2: unknown key 'dns_timout' (did you mean 'dns_timeout'?)",
		"3: bad value 'maybe' for resolv_conf: " X_BOOL,
		"5: duplicate key 'resolv_conf' (first set at line 3)",
		"6: expected 'key = value', found 'garbage'",
		"8: bad value '33' for max_ptr_names: " X_NUMBER,
		"9: missing value for mode: expected enforce or dry-run",
		"10: bad entry 'x' in exempt_networks: " X_NETWORKS,
		NULL
	};
	struct errors e = { .count = 0 };

	(void)state;
	assert_null(load_text(
	    "socket = inet:8894@127.0.0.1\n"	/* 1 fine */
	    "dns_timout = 5\n"			/* 2 */
	    "resolv_conf = maybe\n"		/* 3 */
	    "# a comment\n"			/* 4 */
	    "resolv_conf = yes\n"		/* 5 */
	    "garbage\n"				/* 6 */
	    "\n"				/* 7 */
	    "max_ptr_names = 33\n"		/* 8 */
	    "mode =\n"				/* 9 */
	    "exempt_networks = 10.0.0.0/8 x\n"	/* 10 */
	    "score.no_ptr = 3\n",		/* 11 fine */
	    &e));
	assert_errors(&e, want);
	errors_clear(&e);
}

static const struct {
	const char *text;
	const char *key;
	const char *want;
} syntax_forms[] = {
	{ "dns_timeout=7", "dns_timeout", "7s" },
	{ "dns_timeout =7", "dns_timeout", "7s" },
	{ "dns_timeout= 7", "dns_timeout", "7s" },
	{ "   dns_timeout   =   7   ", "dns_timeout", "7s" },
	{ "\tdns_timeout\t=\t7\t", "dns_timeout", "7s" },
	{ "dns_timeout = 7 # seconds", "dns_timeout", "7s" },
	{ "dns_timeout = 7\t# seconds", "dns_timeout", "7s" },
	{ "dns_timeout = 7 #", "dns_timeout", "7s" },
	{ "dns_timeout = 7\r", "dns_timeout", "7s" },
	{ "dns_timeout = 7 # c\r", "dns_timeout", "7s" },
	{ "dns_timeout = 7", "dns_timeout", "7s" },	/* no final newline */
	{ "# dns_timeout = 9\ndns_timeout = 7\n", "dns_timeout", "7s" },
	{ "  # indented comment\ndns_timeout = 7\n", "dns_timeout", "7s" },
	/* a UTF-8 byte order mark before the first key */
	{ "\xef\xbb\xbf" "dns_timeout = 7\n", "dns_timeout", "7s" },
	/* '#' inside a token is data, not a comment. */
	{ "score_header = X-PTR#Score", "score_header", "X-PTR#Score" },
	{ "user = a#b # the user", "user", "a#b" },
	/* only the first '=' separates */
	{ "authserv_id = none # = x", "authserv_id", "none" },
};

static void
test_comments_whitespace_and_line_ends(void **state)
{
	struct errors e = { .count = 0 };

	(void)state;
	for (size_t i = 0; i < NELEM(syntax_forms); i++) {
		struct policy *p = load_text(syntax_forms[i].text, &e);
		char *v;

		if (p == NULL)
			fail_msg("'%s' failed: %s", syntax_forms[i].text,
			    e.count > 0 ? e.lines[0] : "(no error)");
		v = dump_value(p, syntax_forms[i].key);
		assert_string_equal(v, syntax_forms[i].want);
		free(v);
		policy_free(p);
	}
}

/* A '#' right after '=' starts a comment, so that a value never begins
 * with '#' and the dump always parses back. */
static void
test_hash_right_after_equals_is_a_comment(void **state)
{
	static const char *const want[] = {
		"1: missing value for user: expected a user name, or none",
		NULL
	};
	struct errors e = { .count = 0 };

	(void)state;
	assert_null(load_text("user=#wheel\n", &e));
	assert_errors(&e, want);
	errors_clear(&e);
}

static void
test_crlf_file_loads(void **state)
{
	struct errors e = { .count = 0 };
	struct policy *p;

	(void)state;
	p = load_text("# crlf\r\nmode = dry-run\r\n\r\nforwarders = "
	    "192.0.2.53, 192.0.2.54\r\nscore_header = X-Test\r\n", &e);
	assert_non_null(p);
	assert_int_equal(p->mode, POLICY_MODE_DRY_RUN);
	assert_string_equal(p->forwarders, "192.0.2.53 192.0.2.54");
	assert_string_equal(p->score_header, "X-Test");
	policy_free(p);
}

/* 4096 bytes are a line, 4097 are an error; the next lines still count. */
static void
test_line_longer_than_4096_bytes_is_an_error(void **state)
{
	static const char *const want[] = {
		"2: line longer than 4096 bytes",
		"3: unknown key 'bogus'",
		NULL
	};
	struct errors e = { .count = 0 };
	size_t prefix = strlen("authserv_id = ");
	char *text = malloc(2 * 4200);
	struct policy *p;
	size_t o = 0;

	(void)state;
	assert_non_null(text);
	/* line 1: exactly 4096 bytes, with a 255-byte token and padding */
	o += (size_t)sprintf(text + o, "authserv_id = ");
	memset(text + o, 'a', 255);
	o += 255;
	memset(text + o, ' ', 4096 - prefix - 255);
	o += 4096 - prefix - 255;
	text[o++] = '\n';
	text[o] = '\0';
	p = load_text(text, &e);
	assert_non_null(p);
	assert_int_equal(strlen(p->authserv_id), 255);
	policy_free(p);

	/* line 2: 4097 bytes */
	memset(text + o, ' ', 4097);
	o += 4097;
	o += (size_t)sprintf(text + o, "\nbogus = 1\n");
	assert_null(load_bytes(text, o, &e));
	assert_errors(&e, want);
	errors_clear(&e);
	free(text);
}

static void
test_nul_byte_is_an_error(void **state)
{
	static const char text[] = "mode = enforce\nuser = ab\0c\nbogus = 1\n";
	static const char *const want[] = {
		"2: NUL byte in line",
		"3: unknown key 'bogus'",
		NULL
	};
	struct errors e = { .count = 0 };

	(void)state;
	assert_null(load_bytes(text, sizeof(text) - 1, &e));
	assert_errors(&e, want);
	errors_clear(&e);
}

/*
 * Checks across keys.
 */

static void
test_reject_score_below_tempfail_score_is_an_error(void **state)
{
	static const char *const want_default[] = {
		"2: reject_score 3 is below tempfail_score 5: it must be at "
		"least as high",
		NULL
	};
	static const char *const want_later[] = {
		"3: reject_score 6 is below tempfail_score 6.5: it must be at "
		"least as high",
		NULL
	};
	struct errors e = { .count = 0 };
	struct policy *p;

	(void)state;
	/* against the default tempfail_score 5 */
	assert_null(load_text("# c\nreject_score = 3\n", &e));
	assert_errors(&e, want_default);
	errors_clear(&e);
	/* reported at the later of the two keys */
	assert_null(load_text("reject_score = 6\n\ntempfail_score = 6.5\n",
	    &e));
	assert_errors(&e, want_later);
	errors_clear(&e);
	/* equal is fine, and so is either being off */
	p = load_text("reject_score = 5\n", &e);
	assert_non_null(p);
	policy_free(p);
	p = load_text("tempfail_score = off\nreject_score = 1\n", &e);
	assert_non_null(p);
	policy_free(p);
	/* a bad tempfail_score is reported once, not compared as the default */
	assert_null(load_text("tempfail_score = x\nreject_score = 1\n", &e));
	assert_int_equal(e.count, 1);
	errors_clear(&e);
}

static void
test_greylist_score_must_stay_below_tempfail_score(void **state)
{
	static const char *const want_default[] = {
		"2: greylist_score 5 is not below tempfail_score 5: nothing "
		"would be greylisted",
		NULL
	};
	static const char *const want_later[] = {
		"3: greylist_score 4 is not below tempfail_score 3.5: nothing "
		"would be greylisted",
		NULL
	};
	struct errors e = { .count = 0 };
	struct policy *p;

	(void)state;
	assert_null(load_text("# c\ngreylist_score = 5\n", &e));
	assert_errors(&e, want_default);
	errors_clear(&e);
	assert_null(load_text("greylist_score = 4\n\ntempfail_score = 3.5\n",
	    &e));
	assert_errors(&e, want_later);
	errors_clear(&e);
	/* just below is the band's whole point; tempfail off leaves it open */
	p = load_text("greylist_score = 4.999\n", &e);
	assert_non_null(p);
	assert_true(p->greylist_score == 4.999);
	policy_free(p);
	p = load_text("tempfail_score = off\ngreylist_score = 900\n", &e);
	assert_non_null(p);
	policy_free(p);
	assert_int_equal(e.count, 0);
	/* the delay must leave room for a retry in the window */
	assert_null(load_text("greylist_window = 1h\ngreylist_delay = 1h\n",
	    &e));
	assert_int_equal(e.count, 1);
	assert_non_null(strstr(e.lines[0], "2: greylist_delay is not shorter "
	    "than greylist_window"));
	errors_clear(&e);
}

static void
test_resolv_conf_and_forwarders_exclude_each_other(void **state)
{
	static const char *const want[] = {
		"4: resolv_conf = yes and forwarders exclude each other (lines "
		"4 and 2): use one of them",
		NULL
	};
	struct errors e = { .count = 0 };
	struct policy *p;

	(void)state;
	assert_null(load_text("\nforwarders = 192.0.2.53\n\n"
	    "resolv_conf = yes\n", &e));
	assert_errors(&e, want);
	errors_clear(&e);
	p = load_text("forwarders = 192.0.2.53\nresolv_conf = no\n", &e);
	assert_non_null(p);
	policy_free(p);
	p = load_text("forwarders = none\nresolv_conf = yes\n", &e);
	assert_non_null(p);
	policy_free(p);
}

/*
 * Dump.
 */

static void
assert_round_trip(const struct policy *p)
{
	struct errors e = { .count = 0 };
	char *text = dump_text(p), *again;
	struct policy *q = load_text(text, &e);

	if (q == NULL)
		fail_msg("dump does not load: %s",
		    e.count > 0 ? e.lines[0] : "");
	assert_true(policy_equal(p, q));
	again = dump_text(q);
	assert_string_equal(text, again);
	free(again);
	free(text);
	policy_free(q);
}

static void
test_dump_parses_back_to_an_equal_policy(void **state)
{
	struct errors e = { .count = 0 };
	struct policy *d = policy_defaults(), *p;

	(void)state;
	assert_round_trip(d);
	p = load_text("socket = inet6:8894@::1\nuser = ptrmilter\n"
	    "socket_mode = 0600\nmode = dry-run\nauthserv_id = mx.example.net\n"
	    "unbound_config = /etc/unbound/ptr.conf\ntrust_anchor_file = none\n"
	    "forwarders = 192.0.2.53,2001:db8::53\ndns_timeout = 60\n"
	    "max_ptr_names = 32\nscore.no_ptr = -0.125\n"
	    "score.ptr_generic = 100\n"
	    "score.dnssec_secure = -1\ntempfail_score = 0.001\n"
	    "reject_score = 1000\non_dns_error = tempfail\n"
	    "reply_text = 5%% of %{ip}: %{reason} (%{ptr}, %{helo}) "
	    "%{hint}; see https://example.net/#x\n"
	    "exempt_networks = 192.0.2.0/24, 2001:db8::/32 10.1.2.3 "
	    "::ffff:198.51.100.0/120\n"
	    "exempt_authenticated = no\nexempt_recipients = none\n"
	    "generic_allow = Example.net\n"
	    "generic_patterns = /etc/ptrmilter/patterns\n"
	    "tempfail_limit = 86399\nscore_header = none\nauth_results = no\n"
	    "auth_results_property = smtp.remote-ip\n"
	    "log_facility = local3\nlog_format = json\n"
	    "metrics_listen = [::1]:9357\n", &e);
	if (p == NULL)
		fail_msg("load failed: %s", e.count > 0 ? e.lines[0] : "");
	assert_false(policy_equal(d, p));
	assert_round_trip(p);
	policy_free(p);
	policy_free(d);
}

/* Every key once, in table order, as "key = value". */
static void
test_dump_lists_every_key_in_table_order(void **state)
{
	const char *const *names = policy_key_names();
	struct policy *d = policy_defaults();
	char *text = dump_text(d), *line, *save = NULL;
	size_t i = 0;

	(void)state;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), i++) {
		size_t n;

		assert_non_null(names[i]);
		n = strlen(names[i]);
		assert_memory_equal(line, names[i], n);
		assert_memory_equal(line + n, " = ", 3);
	}
	assert_null(names[i]);
	free(text);
	policy_free(d);
}

/*
 * The key table against the tags and the shipped file.
 */

static void
test_key_names_cover_every_tag_and_have_docs(void **state)
{
	const char *const *names = policy_key_names();
	char want[64];
	size_t count = 0;

	(void)state;
	for (; names[count] != NULL; count++) {
		assert_non_null(policy_key_doc(names[count]));
		for (size_t j = 0; j < count; j++)
			assert_string_not_equal(names[j], names[count]);
	}
	/* 24 plain keys of the DESIGN.md contract, generic_data,
	 * reply_text, log_facility, log_format, exempt_ptr_domains,
	 * state_store, state_timeout, the six greylist_ keys, and one per
	 * tag */
	assert_int_equal(count, 37 + TAG_COUNT);
	for (int t = 0; t < TAG_COUNT; t++) {
		bool found = false;

		snprintf(want, sizeof(want), "score.%s", tag_name(t));
		for (size_t i = 0; names[i] != NULL; i++)
			found = found || strcmp(names[i], want) == 0;
		if (!found)
			fail_msg("no key %s", want);
	}
	assert_null(policy_key_doc("no_such_key"));
	assert_ptr_equal(policy_key_names(), names);
}

static void
test_shipped_conf_shows_every_key(void **state)
{
	const char *const *names = policy_key_names();
	char *conf = read_file(TOP_SRCDIR "/conf/ptrmilter.conf");
	char want[80];

	(void)state;
	/* Each key once: shown at its default ("#key = "), or set ("key = ",
	 * as "mode = dry-run"). */
	for (size_t i = 0; names[i] != NULL; i++) {
		size_t hits = 0;

		for (int set = 0; set <= 1; set++) {
			const char *at = conf;

			snprintf(want, sizeof(want), set ? "\n%s = " :
			    "\n#%s = ", names[i]);
			while ((at = strstr(at, want)) != NULL) {
				hits++;
				at++;
			}
		}
		if (hits != 1)
			fail_msg("conf/ptrmilter.conf has '%s = ' %zu times",
			    names[i], hits);
	}
	free(conf);
}

/* Remove the '#' of every "#key" line: the result must be the defaults,
 * but for the one key the file sets on purpose: a first install runs in
 * dry run until the operator says otherwise. */
static void
test_shipped_conf_defaults_equal_the_built_in_ones(void **state)
{
	char *conf = read_file(TOP_SRCDIR "/conf/ptrmilter.conf");
	size_t n = strlen(conf), o = 0;
	char *text = malloc(n + 1);
	struct errors e = { .count = 0 };
	struct policy *d = policy_defaults(), *p;
	char *dd, *pd;

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < n; i++) {
		bool line_start = i == 0 || conf[i - 1] == '\n';

		if (line_start && conf[i] == '#' && conf[i + 1] >= 'a' &&
		    conf[i + 1] <= 'z')
			continue;
		text[o++] = conf[i];
	}
	text[o] = '\0';
	p = load_text(text, &e);
	if (p == NULL)
		fail_msg("uncommented conf: %s", e.count > 0 ? e.lines[0] : "");
	/* The data directory is the build's (--prefix); the file shows the
	 * Debian package's. */
	assert_int_equal(p->mode, POLICY_MODE_DRY_RUN);
	assert_int_equal(d->mode, POLICY_MODE_ENFORCE);
	p->mode = d->mode;
	assert_string_equal(p->generic_data,
	    "/usr/share/ptrmilter/generic-providers");
	free(p->generic_data);
	p->generic_data = strdup(d->generic_data);
	assert_non_null(p->generic_data);
	/* So is the state directory (--localstatedir). */
	assert_string_equal(p->state_store, "lmdb:/var/lib/ptrmilter/state");
	free(p->state_store);
	p->state_store = strdup(d->state_store);
	assert_non_null(p->state_store);
	dd = dump_text(d);
	pd = dump_text(p);
	assert_string_equal(pd, dd);
	assert_true(policy_equal(d, p));
	free(dd);
	free(pd);
	policy_free(p);
	policy_free(d);
	free(text);
	free(conf);
}

static void
test_parse_buffer_matches_load(void **state)
{
	static const char text[] = "mode = dry-run\nbogus = 1\n";
	struct errors e = { .count = 0 };
	struct policy *p;

	(void)state;
	assert_null(policy_parse_buffer("inline", text, sizeof(text) - 1,
	    collect, &e));
	assert_int_equal(e.count, 1);
	assert_string_equal(e.lines[0], "inline:2: unknown key 'bogus'");
	errors_clear(&e);
	/* not NUL-terminated: the length decides */
	p = policy_parse_buffer("inline", "mode = dry-runXXX", 14, collect, &e);
	assert_non_null(p);
	assert_int_equal(p->mode, POLICY_MODE_DRY_RUN);
	policy_free(p);
	/* a NULL reporter only counts */
	assert_null(policy_parse_buffer("inline", "x", 1, NULL, NULL));
}

static void
test_free_accepts_null(void **state)
{
	(void)state;
	policy_free(NULL);
}

int
main(void)
{
#define T(test) cmocka_unit_test_teardown(test, teardown)
	const struct CMUnitTest tests[] = {
		T(test_defaults_hold_the_documented_values),
		T(test_missing_file_with_missing_ok_gives_defaults),
		T(test_missing_file_without_missing_ok_is_an_error),
		T(test_directory_is_an_error_even_with_missing_ok),
		T(test_unsafe_mode_is_group_or_other_write),
		T(test_only_roots_and_our_own_policy_file_is_trusted),
		T(test_load_owned_gives_the_owner_of_the_file_read),
		T(test_load_mode_gives_the_mode_of_the_file_read),
		T(test_load_mode_is_set_when_the_text_has_errors),
		T(test_load_mode_is_zero_when_no_file_was_read),
		T(test_empty_and_comment_only_files_give_defaults),
		T(test_good_values_load_and_dump_canonically),
		T(test_values_land_in_the_right_fields_and_units),
		T(test_each_score_key_sets_its_own_tag),
		T(test_bad_values_are_reported_exactly),
		T(test_bad_value_is_shown_sanitised_and_cut),
		T(test_duplicate_key_names_the_first_line),
		T(test_every_error_is_reported_in_one_pass),
		T(test_comments_whitespace_and_line_ends),
		T(test_hash_right_after_equals_is_a_comment),
		T(test_crlf_file_loads),
		T(test_line_longer_than_4096_bytes_is_an_error),
		T(test_nul_byte_is_an_error),
		T(test_reject_score_below_tempfail_score_is_an_error),
		T(test_greylist_score_must_stay_below_tempfail_score),
		T(test_resolv_conf_and_forwarders_exclude_each_other),
		T(test_dump_parses_back_to_an_equal_policy),
		T(test_dump_lists_every_key_in_table_order),
		T(test_key_names_cover_every_tag_and_have_docs),
		T(test_shipped_conf_shows_every_key),
		T(test_shipped_conf_defaults_equal_the_built_in_ones),
		T(test_parse_buffer_matches_load),
		T(test_free_accepts_null),
	};
#undef T

	return cmocka_run_group_tests(tests, unit_regdom_setup,
	    unit_regdom_teardown);
}
