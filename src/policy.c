/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.c - ptrmilter.conf: the key table, the loader, the dump; see
 * policy.h.
 *
 * One table, keys[], says for every key its name, type, default (as config
 * text), range and a line of documentation.  The defaults are made by
 * parsing those default texts, the loader parses a file over them, the
 * dump prints every key back in the same syntax, and policy_equal()
 * compares key by key, so a key added to the table is parsed, defaulted,
 * dumped and compared without another line elsewhere.  What a key of each
 * type does with its value (parse, store, compare, print, free) lives in
 * policy_keys.c, the syntaxes of single values in policy_values.c.
 *
 * A load reports every error of the file in one pass, each as
 * "FILE:LINE: message", and then fails as a whole.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "policy.h"
#include "policy_keys.h"
#include "policy_values.h"
#include "reply_text.h"
#include "safe_file.h"
#include "safe_text.h"
#include "tags.h"

#define POLICY_LINE_MAX 4096		/* bytes a line, without its end */
#define POLICY_FILE_MAX (1024 * 1024)	/* no config file is this large */

static const char *const mode_choices[] = { "enforce", "dry-run", NULL };
static const char *const dns_error_choices[] = { "accept", "tempfail", NULL };
static const char *const ar_property_choices[] = {
	"policy.iprev", "smtp.remote-ip", NULL
};
static const char *const facility_choices[] = {
	"mail", "daemon", "user", "local0", "local1", "local2", "local3",
	"local4", "local5", "local6", "local7", NULL
};
static const char *const log_format_choices[] = { "text", "json", NULL };

/* Enum fields are written as int (policy_keys.c); the choices are indexed
 * by value. */
_Static_assert(sizeof(enum policy_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum policy_dns_error_action) == sizeof(int),
    "enum size");
_Static_assert(sizeof(enum policy_ar_property) == sizeof(int), "enum size");
_Static_assert(sizeof(enum policy_log_facility) == sizeof(int), "enum size");
_Static_assert(sizeof(enum policy_log_format) == sizeof(int), "enum size");
_Static_assert(POLICY_MODE_DRY_RUN == 1 && POLICY_DNS_ERROR_TEMPFAIL == 1 &&
    POLICY_AR_SMTP_REMOTE_IP == 1 && POLICY_LOG_JSON == 1 &&
    POLICY_FACILITY_USER == 2 && POLICY_FACILITY_LOCAL7 == 10,
    "choices follow the enums");

#define F(field) offsetof(struct policy, field)
#define SCORE(tag, TAG, def, doc) \
	{ "score." #tag, KEY_WEIGHT, 0, F(score[TAG_##TAG]), def, -100, 100, \
	  NULL, doc }

static const struct policy_key keys[] = {
	{ "socket", KEY_SOCKET, 0, F(socket),
	  "unix:/run/ptrmilter/ptrmilter.sock", 0, 0, NULL,
	  "libmilter socket to listen on" },
	{ "user", KEY_USER, KEY_NONE, F(user), "none", 0, 0, NULL,
	  "user to switch to after opening the socket" },
	{ "socket_mode", KEY_OCTAL, 0, F(socket_mode), "0660", 0, 0777, NULL,
	  "permissions of a unix socket" },
	{ "mode", KEY_ENUM, 0, F(mode), "enforce", 0, 0, mode_choices,
	  "enforce, or dry-run: headers and logs only" },
	{ "authserv_id", KEY_TOKEN, KEY_NONE, F(authserv_id), "none", 0, 0,
	  NULL, "authserv-id in Authentication-Results; none: the MTA's {j}" },
	{ "unbound_config", KEY_PATH, KEY_NONE, F(unbound_config), "none",
	  0, 0, NULL, "unbound.conf read by libunbound" },
	{ "trust_anchor_file", KEY_PATH, KEY_NONE, F(trust_anchor_file),
	  "/usr/share/dns/root.key", 0, 0, NULL,
	  "DNSSEC trust anchor; none disables validation" },
	{ "resolv_conf", KEY_BOOL, 0, F(resolv_conf), "no", 0, 0, NULL,
	  "forward queries to the servers of /etc/resolv.conf" },
	{ "forwarders", KEY_ADDRESSES, KEY_NONE, F(forwarders), "none",
	  0, 0, NULL, "resolvers to forward queries to" },
	{ "dns_timeout", KEY_DURATION_MS, 0, F(dns_timeout_ms), "5s", 1, 60,
	  NULL, "time for all lookups of one verdict, from negotiation" },
	{ "max_ptr_names", KEY_UNSIGNED, 0, F(max_ptr_names), "10", 1, 32,
	  NULL, "PTR names followed per client address" },
	SCORE(no_ptr, NO_PTR, "5", "weight: no PTR record"),
	SCORE(ptr_not_confirmed, PTR_NOT_CONFIRMED, "4",
	    "weight: no PTR name resolves back to the client"),
	SCORE(ptr_forward_nxdomain, PTR_FORWARD_NXDOMAIN, "1",
	    "weight: a PTR name does not exist"),
	SCORE(dns_temperror, DNS_TEMPERROR, "0",
	    "weight: a lookup failed temporarily"),
	SCORE(dnssec_bogus, DNSSEC_BOGUS, "0",
	    "weight: an answer failed DNSSEC validation"),
	SCORE(ptr_multiple, PTR_MULTIPLE, "0.5",
	    "weight: more than one PTR record"),
	SCORE(ptr_generic, PTR_GENERIC, "2",
	    "weight: the PTR name looks generic"),
	SCORE(helo_generic, HELO_GENERIC, "0.5",
	    "weight: the HELO name looks generic"),
	SCORE(helo_invalid, HELO_INVALID, "1.5",
	    "weight: HELO is not a host name or address literal"),
	SCORE(helo_not_fqdn, HELO_NOT_FQDN, "1",
	    "weight: HELO is a single label"),
	SCORE(helo_bare_ip, HELO_BARE_IP, "1",
	    "weight: HELO is an address without brackets"),
	SCORE(helo_literal_mismatch, HELO_LITERAL_MISMATCH, "1",
	    "weight: HELO literal is not the client address"),
	SCORE(helo_ptr_mismatch, HELO_PTR_MISMATCH, "0.5",
	    "weight: HELO differs from every confirmed PTR name"),
	SCORE(helo_ptr_same_domain, HELO_PTR_SAME_DOMAIN, "0.2",
	    "weight: HELO differs, same registered domain"),
	SCORE(helo_no_forward, HELO_NO_FORWARD, "0.5",
	    "weight: HELO name does not resolve"),
	SCORE(helo_forward_mismatch, HELO_FORWARD_MISMATCH, "0.3",
	    "weight: HELO resolves, not to the client"),
	SCORE(helo_is_ours, HELO_IS_OURS, "1.5",
	    "weight: HELO claims to be this MTA"),
	SCORE(dnssec_secure, DNSSEC_SECURE, "0",
	    "weight: the whole chain validated as secure"),
	{ "tempfail_score", KEY_THRESHOLD, KEY_OFF, F(tempfail_score), "5",
	  0.001, 1000, NULL, "score at or above which to tempfail" },
	{ "reject_score", KEY_THRESHOLD, KEY_OFF, F(reject_score), "off",
	  0.001, 1000, NULL, "score at or above which to reject" },
	{ "greylist_score", KEY_THRESHOLD, KEY_OFF, F(greylist_score), "off",
	  0.001, 1000, NULL,
	  "score from which to greylist, below tempfail_score" },
	{ "greylist_delay", KEY_DURATION_S, 0, F(greylist_delay_s), "5m",
	  1, 86400, NULL, "how long a greylisted triplet must wait to retry" },
	{ "greylist_window", KEY_DURATION_S, 0, F(greylist_window_s), "1d",
	  60, 30 * 86400, NULL,
	  "how long after its first attempt a retry is still counted" },
	{ "greylist_pass_ttl", KEY_DURATION_S, 0, F(greylist_pass_ttl_s),
	  "35d", 3600, 400 * 86400, NULL,
	  "how long a network that retried is no longer greylisted" },
	{ "greylist_ipv4_prefix", KEY_UNSIGNED, 0, F(greylist_ipv4_prefix),
	  "24", 8, 32, NULL, "IPv4 prefix length of a greylisted network" },
	{ "greylist_ipv6_prefix", KEY_UNSIGNED, 0, F(greylist_ipv6_prefix),
	  "64", 16, 128, NULL, "IPv6 prefix length of a greylisted network" },
	{ "reply_text", KEY_REPLY, 0, F(reply_text), REPLY_TEXT_DEFAULT,
	  0, 0, NULL, "text of our 4xx/5xx replies, with %{tokens}" },
	{ "on_dns_error", KEY_ENUM, 0, F(on_dns_error), "accept", 0, 0,
	  dns_error_choices, "what a temperror verdict gets" },
	{ "exempt_networks", KEY_NETWORKS, KEY_NONE, F(exempt_networks),
	  "127.0.0.0/8 ::1/128", 0, 0, NULL,
	  "client networks never judged; file:/PATH reads a list" },
	{ "exempt_ptr_domains", KEY_PTR_DOMAINS, KEY_NONE,
	  F(exempt_ptr_domains), "none", 0, 0, NULL,
	  "clients whose confirmed PTR name is in these domains are "
	  "accepted" },
	{ "exempt_authenticated", KEY_BOOL, 0, F(exempt_authenticated), "yes",
	  0, 0, NULL, "never judge clients that authenticated" },
	{ "exempt_recipients", KEY_RECIPIENTS, KEY_NONE, F(exempt_recipients),
	  "postmaster abuse", 0, 0, NULL,
	  "recipients never refused: local parts, addresses, @domains" },
	{ "generic_allow", KEY_DOMAINS, KEY_NONE, F(generic_allow), "none",
	  0, 0, NULL, "domains whose names are never generic" },
	{ "generic_data", KEY_PATH, KEY_NONE, F(generic_data),
	  PTRMILTER_DATADIR "/generic-providers", 0, 0, NULL,
	  "the shipped provider data for the generic-name detector" },
	{ "generic_patterns", KEY_PATH, KEY_NONE, F(generic_patterns), "none",
	  0, 0, NULL, "file of extra generic-name patterns" },
	{ "tempfail_limit", KEY_DURATION_S, KEY_OFF, F(tempfail_limit_s), "off",
	  1, 30 * 86400, NULL, "how long DNS errors may defer an address" },
	{ "state_store", KEY_STATE_STORE, 0, F(state_store),
	  "lmdb:" PTRMILTER_STATEDIR "/state", 0, 0, NULL,
	  "where state that outlives a connection is kept (streaks)" },
	{ "state_timeout", KEY_MILLISECONDS, 0, F(state_timeout_ms), "50ms",
	  1, 5000, NULL, "the longest a session waits for the state store" },
	{ "score_header", KEY_HEADER, KEY_NONE, F(score_header), "X-PTR-Score",
	  0, 0, NULL, "name of the score header" },
	{ "auth_results", KEY_BOOL, 0, F(auth_results), "yes", 0, 0, NULL,
	  "add Authentication-Results with the iprev result" },
	{ "auth_results_property", KEY_ENUM, 0, F(auth_results_property),
	  "policy.iprev", 0, 0, ar_property_choices,
	  "property of the iprev result" },
	{ "log_facility", KEY_ENUM, 0, F(log_facility), "mail", 0, 0,
	  facility_choices, "syslog facility of the daemon's messages" },
	{ "log_format", KEY_ENUM, 0, F(log_format), "text", 0, 0,
	  log_format_choices, "decision and message lines as text or JSON" },
	{ "metrics_listen", KEY_HOSTPORT, KEY_NONE, F(metrics_listen), "none",
	  0, 0, NULL, "address and port of the Prometheus metrics" },
};

#undef SCORE
#undef F

#define KEY_COUNT (sizeof(keys) / sizeof(keys[0]))

/* One load in progress. */
struct parser {
	const char *file;
	policy_reporter *report;
	void *arg;
	unsigned errors;
	long trusted_uid;		/* list files' owner besides root */
	struct policy *p;
	char *line;			/* POLICY_LINE_MAX + 1 bytes */
	unsigned line_of[KEY_COUNT];	/* where each key was set; 0: default */
	bool bad[KEY_COUNT];		/* its value did not parse */
};

static const struct policy_key *key_find(const char *name);
static void check_greylist_band(struct parser *ps);
static void report_at(struct parser *ps, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report_in(struct parser *ps, const char *file, unsigned line,
    const char *msg);
static void report_list(void *arg, const char *file, unsigned line,
    const char *msg);
static struct policy *parse_text(struct parser *ps, const char *text,
    size_t len);
static char *trim(char *s);
static void parse_line(struct parser *ps, unsigned line);
static void check_cross(struct parser *ps);
static void key_names_init(void);

static const struct policy_key *
key_find(const char *name)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static void
report_at(struct parser *ps, unsigned line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report_in(ps, ps->file, line, msg);
}

/* "FILE:LINE: msg", or "FILE: msg" for line 0: the policy's own lines
 * and those of its list files. */
static void
report_in(struct parser *ps, const char *file, unsigned line, const char *msg)
{
	char *full;
	size_t size;

	ps->errors++;
	if (ps->report == NULL)
		return;
	size = strlen(file) + strlen(msg) + 16;
	full = malloc(size);
	if (full == NULL) {
		ps->report(ps->arg, msg);
		return;
	}
	if (line > 0)
		snprintf(full, size, "%s:%u: %s", file, line, msg);
	else
		snprintf(full, size, "%s: %s", file, msg);
	ps->report(ps->arg, full);
	free(full);
}

static void
report_list(void *arg, const char *file, unsigned line, const char *msg)
{
	report_in(arg, file, line, msg);
}

/* Strips spaces and tabs from both ends, in place. */
static char *
trim(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	for (n = strlen(s); n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'); n--)
		;
	s[n] = '\0';
	return s;
}

/* Handles ps->line, one line without its line end. */
static void
parse_line(struct parser *ps, unsigned line)
{
	char shown[POLICY_VALUE_SHOWN_MAX], expected[256];
	const struct policy_key *k, *best = NULL;
	unsigned dist, best_dist = 3;
	char *s = ps->line, *eq = NULL, *key, *text;
	const char *bad;
	struct policy_key_value v;
	struct allow_context ctx = { .file = ps->file, .line = line,
	    .trusted_uid = ps->trusted_uid, .report = report_list, .arg = ps };
	enum policy_value_result r;
	size_t i;

	/* '#' starts a comment at the line start, after a space or tab, or
	 * right after the '=' of the key: never inside a token. */
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' ||
		    s[i - 1] == '\t' || &s[i - 1] == eq)) {
			s[i] = '\0';
			break;
		}
		if (s[i] == '=' && eq == NULL)
			eq = &s[i];
	}
	s = trim(s);
	if (*s == '\0')
		return;
	if (eq == NULL) {
		(void)safe_text(shown, sizeof(shown), s, SAFE_TEXT_ALL,
		    SAFE_TEXT_CONFIG);
		report_at(ps, line, "expected 'key = value', found '%s'",
		    shown);
		return;
	}
	*eq = '\0';
	key = trim(s);
	text = trim(eq + 1);
	(void)safe_text(shown, sizeof(shown), key, SAFE_TEXT_ALL,
	    SAFE_TEXT_CONFIG);
	if (*key == '\0') {
		report_at(ps, line, "missing key before '='");
		return;
	}
	k = key_find(key);
	if (k == NULL) {
		for (i = 0; i < KEY_COUNT; i++) {
			size_t kn = strlen(key), n = strlen(keys[i].name);

			/* Lengths further apart than 2 are further apart. */
			if (kn > n + 2 || n > kn + 2)
				continue;
			dist = policy_value_distance(key, keys[i].name);
			if (dist < best_dist) {
				best_dist = dist;
				best = &keys[i];
			}
		}
		if (best != NULL)
			report_at(ps, line, "unknown key '%s' (did you mean "
			    "'%s'?)", shown, best->name);
		else
			report_at(ps, line, "unknown key '%s'", shown);
		return;
	}
	i = (size_t)(k - keys);
	if (ps->line_of[i] != 0) {
		report_at(ps, line, "duplicate key '%s' (first set at line %u)",
		    k->name, ps->line_of[i]);
		return;
	}
	ps->line_of[i] = line;
	ctx.key = k->name;
	policy_key_expected(k, expected, sizeof(expected));
	if (*text == '\0') {
		ps->bad[i] = true;
		report_at(ps, line, "missing value for %s: expected %s",
		    k->name, expected);
		return;
	}
	(void)safe_text(shown, sizeof(shown), text, SAFE_TEXT_ALL,
	    SAFE_TEXT_CONFIG);
	r = policy_key_parse(k, text, &ctx, &v, &bad);
	if (r == POLICY_VALUE_OK) {
		policy_key_store(ps->p, k, &v);
	} else if (r == POLICY_VALUE_REPORTED) {
		ps->bad[i] = true;
	} else if (r == POLICY_VALUE_NOMEM) {
		report_at(ps, line, "out of memory");
	} else if (v.why[0] != '\0') {
		ps->bad[i] = true;
		report_at(ps, line, "bad value for %s: %s", k->name, v.why);
	} else if (bad != NULL) {
		ps->bad[i] = true;
		(void)safe_text(shown, sizeof(shown), bad,
		    strcspn(bad, POLICY_VALUE_SEPARATORS), SAFE_TEXT_CONFIG);
		report_at(ps, line, "bad entry '%s' in %s: expected %s", shown,
		    k->name, expected);
	} else {
		ps->bad[i] = true;
		report_at(ps, line, "bad value '%s' for %s: expected %s", shown,
		    k->name, expected);
	}
	policy_key_value_free(&v);
}

/* The greylisting band is [greylist_score, tempfail_score): a greylist_score
 * at or above tempfail_score would greylist nobody, which is a mistake the
 * administrator wants to hear about, not a silent no-op. */
static void
check_greylist_band(struct parser *ps)
{
	size_t t = (size_t)(key_find("tempfail_score") - keys),
	    g = (size_t)(key_find("greylist_score") - keys),
	    d = (size_t)(key_find("greylist_delay") - keys),
	    w = (size_t)(key_find("greylist_window") - keys);
	char ts[POLICY_VALUE_NUMBER_MAX], gs[POLICY_VALUE_NUMBER_MAX];
	const struct policy *p = ps->p;

	/* A retry must be able to come after the delay and within the
	 * window, or nothing greylisted ever gets through. */
	if (!ps->bad[d] && !ps->bad[w] &&
	    p->greylist_delay_s >= p->greylist_window_s)
		report_at(ps, ps->line_of[d] > ps->line_of[w] ?
		    ps->line_of[d] : ps->line_of[w], "greylist_delay is not "
		    "shorter than greylist_window: no retry could pass");
	if (ps->bad[t] || ps->bad[g] || !isfinite(p->greylist_score) ||
	    !isfinite(p->tempfail_score) ||
	    p->greylist_score < p->tempfail_score)
		return;
	policy_value_format_decimal(policy_milli(p->tempfail_score), ts,
	    sizeof(ts));
	policy_value_format_decimal(policy_milli(p->greylist_score), gs,
	    sizeof(gs));
	report_at(ps, ps->line_of[t] > ps->line_of[g] ? ps->line_of[t] :
	    ps->line_of[g], "greylist_score %s is not below tempfail_score %s: "
	    "nothing would be greylisted", gs, ts);
}

/* Checks between keys, at the line of the later key of a pair. */
static void
check_cross(struct parser *ps)
{
	const struct policy_key *kt = key_find("tempfail_score"),
	    *kr = key_find("reject_score"), *kc = key_find("resolv_conf"),
	    *kf = key_find("forwarders");
	size_t t = (size_t)(kt - keys), r = (size_t)(kr - keys),
	    c = (size_t)(kc - keys), f = (size_t)(kf - keys);
	char ts[POLICY_VALUE_NUMBER_MAX], rs[POLICY_VALUE_NUMBER_MAX];
	const struct policy *p = ps->p;
	unsigned later;

	check_greylist_band(ps);

	if (!ps->bad[t] && !ps->bad[r] && isfinite(p->tempfail_score) &&
	    isfinite(p->reject_score) && p->reject_score < p->tempfail_score) {
		later = ps->line_of[t] > ps->line_of[r] ? ps->line_of[t] :
		    ps->line_of[r];
		policy_value_format_decimal(policy_milli(p->tempfail_score),
		    ts, sizeof(ts));
		policy_value_format_decimal(policy_milli(p->reject_score),
		    rs, sizeof(rs));
		report_at(ps, later, "reject_score %s is below tempfail_score "
		    "%s: it must be at least as high", rs, ts);
	}
	if (!ps->bad[c] && !ps->bad[f] && p->resolv_conf &&
	    p->forwarders != NULL) {
		later = ps->line_of[c] > ps->line_of[f] ? ps->line_of[c] :
		    ps->line_of[f];
		report_at(ps, later, "resolv_conf = yes and forwarders exclude "
		    "each other (lines %u and %u): use one of them",
		    ps->line_of[c], ps->line_of[f]);
	}
}

struct policy *
policy_defaults(void)
{
	struct policy *p = calloc(1, sizeof(*p));
	const char *bad;
	struct policy_key_value v;

	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < KEY_COUNT; i++) {
		/* Fails only for want of memory: the test proves every
		 * default parses. */
		if (policy_key_parse(&keys[i], keys[i].def, NULL, &v, &bad) !=
		    POLICY_VALUE_OK) {
			policy_key_value_free(&v);
			policy_free(p);
			return NULL;
		}
		policy_key_store(p, &keys[i], &v);
		policy_key_value_free(&v);
	}
	return p;
}

struct policy *
policy_parse_buffer(const char *name, const char *text, size_t len,
    policy_reporter *report, void *arg)
{
	struct parser ps = { .file = name, .report = report, .arg = arg,
	    .trusted_uid = (long)geteuid() };

	return parse_text(&ps, text, len);
}

/* Parses len bytes of text over the defaults for ps. */
static struct policy *
parse_text(struct parser *ps_in, const char *text, size_t len)
{
	struct parser ps = *ps_in;
	unsigned line = 0;
	size_t pos = 0;

	ps.p = policy_defaults();
	ps.line = malloc(POLICY_LINE_MAX + 1);
	if (ps.p == NULL || ps.line == NULL) {
		report_at(&ps, 0, "out of memory");
		goto end;
	}
	/* A UTF-8 byte order mark, as some editors write, is no key. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - start) : len - pos;

		pos += n + (nl != NULL);
		line++;
		if (n > 0 && start[n - 1] == '\r')
			n--;		/* CRLF */
		if (n > POLICY_LINE_MAX) {
			report_at(&ps, line, "line longer than %d bytes",
			    POLICY_LINE_MAX);
			continue;
		}
		if (memchr(start, '\0', n) != NULL) {
			report_at(&ps, line, "NUL byte in line");
			continue;
		}
		memcpy(ps.line, start, n);
		ps.line[n] = '\0';
		parse_line(&ps, line);
	}
	check_cross(&ps);
end:
	free(ps.line);
	if (ps.errors > 0) {
		policy_free(ps.p);
		return NULL;
	}
	return ps.p;
}

struct policy *
policy_load(const char *path, bool missing_ok, policy_reporter *report,
    void *arg)
{
	unsigned mode;

	return policy_load_mode(path, missing_ok, report, arg, &mode);
}

struct policy *
policy_load_mode(const char *path, bool missing_ok, policy_reporter *report,
    void *arg, unsigned *mode)
{
	long owner;

	return policy_load_owned(path, missing_ok, report, arg, mode, &owner);
}

struct policy *
policy_load_owned(const char *path, bool missing_ok, policy_reporter *report,
    void *arg, unsigned *mode, long *owner)
{
	return policy_load_trusting(path, missing_ok, report, arg,
	    (long)geteuid(), mode, owner);
}

struct policy *
policy_load_trusting(const char *path, bool missing_ok,
    policy_reporter *report, void *arg, long trusted_uid, unsigned *mode,
    long *owner)
{
	struct parser ps = { .file = path, .report = report, .arg = arg,
	    .trusted_uid = trusted_uid };
	struct policy *p = NULL;
	struct safe_file sf;
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	ssize_t got;
	int fd;

	*mode = 0;
	*owner = -1;
	/* Through trusted directories only: the errors below quote lines
	 * of the file, which must not be one only root may read. */
	if (safe_file_open(path, trusted_uid, O_RDONLY, &sf) != 0) {
		if (sf.error == ENOENT && missing_ok)
			return policy_defaults();
		if (sf.error != 0)
			report_at(&ps, 0, "cannot open: %s", sf.why);
		else
			report_at(&ps, 0, "%s", sf.why);
		return NULL;
	}
	fd = sf.fd;
	if (fstat(fd, &st) != 0) {
		report_at(&ps, 0, "cannot stat: %s", strerror(errno));
		goto end;
	}
	if (S_ISDIR(st.st_mode)) {
		report_at(&ps, 0, "is a directory, not a configuration file");
		goto end;
	}
	/* From the descriptor the text is read from: no window for a swap. */
	*mode = (unsigned)st.st_mode & 07777;
	*owner = (long)st.st_uid;
	buf = malloc(POLICY_FILE_MAX + 1);
	if (buf == NULL) {
		report_at(&ps, 0, "out of memory");
		goto end;
	}
	/* Read one byte past the limit to tell "full" from "too large". */
	while (len <= POLICY_FILE_MAX) {
		got = read(fd, buf + len, POLICY_FILE_MAX + 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			report_at(&ps, 0, "cannot read: %s", strerror(errno));
			goto end;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	if (len > POLICY_FILE_MAX) {
		report_at(&ps, 0, "larger than %d bytes", POLICY_FILE_MAX);
		goto end;
	}
	p = parse_text(&ps, buf, len);
end:
	free(buf);
	close(fd);
	return p;
}

bool
policy_mode_unsafe(unsigned mode)
{
	return (mode & (S_IWGRP | S_IWOTH)) != 0;
}

bool
policy_owner_unsafe(long owner, long euid)
{
	return owner > 0 && owner != euid;
}

bool
policy_equal(const struct policy *a, const struct policy *b)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (!policy_key_equal(a, b, &keys[i]))
			return false;
	return true;
}

void
policy_dump(const struct policy *p, FILE *out)
{
	for (size_t i = 0; i < KEY_COUNT; i++) {
		fprintf(out, "%s = ", keys[i].name);
		policy_key_print(p, &keys[i], out);
		fputc('\n', out);
	}
}

static const char *key_names[KEY_COUNT + 1];
static pthread_once_t key_names_once = PTHREAD_ONCE_INIT;

static void
key_names_init(void)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		key_names[i] = keys[i].name;
	key_names[KEY_COUNT] = NULL;
}

const char *const *
policy_key_names(void)
{
	(void)pthread_once(&key_names_once, key_names_init);
	return key_names;
}

const char *
policy_key_doc(const char *name)
{
	const struct policy_key *k = key_find(name);

	return k != NULL ? k->doc : NULL;
}

void
policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < KEY_COUNT; i++)
		policy_key_free_field(p, &keys[i]);
	free(p);
}

void
policy_resolver_config(const struct policy *p, struct resolver_config *out)
{
	memset(out, 0, sizeof(*out));
	out->unbound_config = p->unbound_config;
	out->trust_anchor_file = p->trust_anchor_file;
	out->resolv_conf = p->resolv_conf;
	out->forwarders = p->forwarders;
}
