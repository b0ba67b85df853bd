/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_verdict.c - from findings and policy to a decision and its words:
 * the score, the action rules (temperror above all), the SMTP reply, the
 * Authentication-Results and score header values, the log line, and what
 * a hostile HELO or PTR name can and cannot do to any of them.
 *
 * Each case builds a policy from config text (policy_parse_buffer() over
 * the defaults), an fcrdns result by hand and findings from a short
 * "tag[reason] tag" string, so a table row reads like the situation it
 * tests.
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
#include <unistd.h>

#include <cmocka.h>

#include "authres.h"
#include "dname.h"
#include "generic_db.h"
#include "policy.h"
#include "tags.h"
#include "verdict.h"
#include "verdict_text.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define CLIENT4 "198.51.100.20"
#define AR_FIELD "Authentication-Results"
#define SCORE_FIELD "X-PTR-Score"
#define HOSTILE_HELO_LEN 2000

/* The situation of one case; zero values are the plain ones. */
struct situation {
	const char *conf;		/* config text over the defaults */
	const char *ip;			/* NULL: CLIENT4 */
	enum iprev iprev;
	enum dnssec_state dnssec;
	const char *ptr[2];		/* PTR names; confirmed is ptr[0] when
					   iprev is pass, none otherwise */
	const char *tags;		/* "tag[reason] tag ..." */
	const char *helo;
	bool grace;
	const char *mta_resolve;
	const char *mta_ptr;
	unsigned ms;
	const struct generic_db *generic;	/* for the reply's %{hint} */
};

/* Everything one case owns. */
struct world {
	struct policy *policy;
	struct fcrdns_name names[2];
	struct fcrdns_result res;
	struct findings findings;
	struct verdict_input in;
	struct verdict v;
};

/* One row of the action tables. */
struct decide_case {
	const char *name;
	struct situation in;
	enum verdict_action action;
	enum verdict_cause cause;
	bool enforced;
	const char *rcode, *xcode;
};

/* One row of the reply tables. */
struct reply_case {
	const char *name;
	struct situation in;
	const char *want;	/* the reply text */
};

static void report_fail(void *arg, const char *message);
static void set_tags(struct findings *f, const char *spec);
static void world_make(struct world *w, const struct situation *s);
static void world_free(struct world *w);
static void assert_header_sane(const char *field, const char *value);
static void assert_line_sane(const char *line);
static char *hostile_helo(void);
static struct generic_db *provider_data(void);
static void run_decide_cases(const struct decide_case *cases, size_t n);
static void run_reply_cases(const struct reply_case *cases, size_t n);

static void
report_fail(void *arg, const char *message)
{
	(void)arg;
	fail_msg("policy: %s", message);
}

/* "ptr_generic[ip-in-name:198-51-100-40] helo_ptr_mismatch" */
static void
set_tags(struct findings *f, const char *spec)
{
	char word[256], *open;
	const char *p = spec;
	enum tag t;
	size_t n;

	memset(f, 0, sizeof(*f));
	while (p != NULL && *p != '\0') {
		n = strcspn(p, " ");
		assert_true(n < sizeof(word));
		memcpy(word, p, n);
		word[n] = '\0';
		p += n + (p[n] == ' ');
		open = strchr(word, '[');
		if (open != NULL) {
			*open++ = '\0';
			assert_int_equal(open[strlen(open) - 1], ']');
			open[strlen(open) - 1] = '\0';
		}
		if (tag_lookup(word, &t) == -1)
			fail_msg("unknown tag in test: %s", word);
		findings_add(f, t, open);
	}
}

static void
world_make(struct world *w, const struct situation *s)
{
	const char *conf = s->conf != NULL ? s->conf : "";

	memset(w, 0, sizeof(*w));
	w->policy = policy_parse_buffer("test", conf, strlen(conf),
	    report_fail, NULL);
	assert_non_null(w->policy);
	assert_int_equal(addr_parse(s->ip != NULL ? s->ip : CLIENT4,
	    &w->res.client), 0);
	w->res.iprev = s->iprev;
	w->res.dnssec = s->dnssec;
	w->res.confirmed = -1;
	w->res.ms = s->ms;
	w->res.names = w->names;
	for (size_t i = 0; i < NELEM(s->ptr) && s->ptr[i] != NULL; i++) {
		/* The names are only read; fcrdns owns them for real. */
		w->names[i].name = (char *)(uintptr_t)s->ptr[i];
		w->res.nnames++;
	}
	if (s->iprev == IPREV_PASS && w->res.nnames > 0) {
		w->res.confirmed = 0;
		w->names[0].confirmed = true;
	}
	w->res.ptr.status = w->res.nnames > 0 ? DNS_OK : DNS_NXDOMAIN;
	w->res.ptr_count = w->res.nnames;
	set_tags(&w->findings, s->tags);
	w->res.tags = w->findings.tags;
	w->in = (struct verdict_input){
		.policy = w->policy, .fcrdns = &w->res,
		.findings = &w->findings, .helo = s->helo,
		.dns_grace = s->grace, .mta_resolve = s->mta_resolve,
		.mta_ptr = s->mta_ptr, .generic = s->generic,
	};
	verdict_decide(&w->in, &w->v);
}

static void
world_free(struct world *w)
{
	policy_free(w->policy);
	w->policy = NULL;
}

/* What RFC 5322 and the milter need of a header value: visible ASCII and
 * spaces, folded only as "\n\t", no line over 998 (the first counting
 * "field: "), and a line over 78 only when it is one unbreakable token. */
static void
assert_header_sane(const char *field, const char *value)
{
	size_t col = strlen(field) + 2, tokens = 1;
	const char *p;

	assert_true(value[0] != '\0');
	assert_true(value[0] != ' ' && value[0] != '\n');
	for (p = value; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\n') {
			assert_int_equal(p[1], '\t');
			assert_true(p[2] != '\0' && p[2] != ' ' &&
			    p[2] != '\n');
			assert_true(col <= VERDICT_LINE_MAX);
			if (col > VERDICT_FOLD_WIDTH)
				assert_int_equal(tokens, 1);
			col = 1;
			tokens = 1;
			p++;
			continue;
		}
		assert_true(c == ' ' || (c >= 0x21 && c <= 0x7e));
		if (c == ' ') {
			assert_true(p[1] != ' ' && p[1] != '\0');
			tokens++;
		}
		col++;
	}
	assert_true(col <= VERDICT_LINE_MAX);
	if (col > VERDICT_FOLD_WIDTH)
		assert_int_equal(tokens, 1);
}

/* A log line: one line of visible ASCII and single spaces. */
static void
assert_line_sane(const char *line)
{
	assert_true(line[0] != '\0');
	for (const char *p = line; *p != '\0'; p++)
		assert_true(*p == ' ' || (*p >= 0x21 && *p <= 0x7e));
}

/* 2000 bytes running through 0x01..0xff, then CR LF and printf
 * directives: what a hostile client can put in a HELO. */
static char *
hostile_helo(void)
{
	static const char tail[] = "\r\n%s%n%x";
	char *h = malloc(HOSTILE_HELO_LEN + sizeof(tail));

	assert_non_null(h);
	for (size_t i = 0; i < HOSTILE_HELO_LEN; i++)
		h[i] = (char)(1 + i % 255);
	memcpy(h + HOSTILE_HELO_LEN, tail, sizeof(tail));
	return h;
}

/* Provider data as data/generic-providers writes it: one provider with
 * a default-name pattern, a network and a hint, one without a hint. */
static struct generic_db *
provider_data(void)
{
	static const char text[] = "format 1\n"
	    "provider example-broadband Example Broadband\n"
	    "hint example-broadband Example portal -> Static IP -> Reverse DNS "
	    "(100% self-service)\n"
	    "generic example-broadband "
	    "^\\d+-\\d+-\\d+-\\d+\\.example-broadband\\.com$\n"
	    "network example-broadband 198.51.100.0/24\n"
	    "provider quiet Quiet Hosting\n"
	    "network quiet 2001:db8:1::/64\n";
	char path[] = "/tmp/test_verdict.XXXXXX";
	const char *paths[1] = { path };
	struct generic_db *db;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
	    (ssize_t)(sizeof(text) - 1));
	assert_int_equal(close(fd), 0);
	db = generic_db_load(paths, 1, report_fail, NULL);
	unlink(path);
	assert_non_null(db);
	return db;
}

/*
 * The score.
 */

static void
test_score_is_the_sum_of_tag_weights(void **state)
{
	static const struct {
		const char *name;
		struct situation in;
		double want;
	} cases[] = {
		{ "no tags", { .iprev = IPREV_PASS }, 0 },
		{ "no_ptr alone", { .iprev = IPREV_PERMERROR,
		    .tags = "no_ptr" }, 5 },
		{ "not confirmed and nxdomain", { .iprev = IPREV_FAIL,
		    .ptr = { "x.example" },
		    .tags = "ptr_not_confirmed ptr_forward_nxdomain" }, 5 },
		{ "zero weight tag", { .iprev = IPREV_PASS,
		    .tags = "dnssec_secure" }, 0 },
		{ "configured weights", { .conf = "score.ptr_generic = 2.25\n"
		    "score.helo_generic = 0.125\n", .iprev = IPREV_PASS,
		    .tags = "ptr_generic helo_generic" }, 2.375 },
		{ "negative weight", { .conf = "score.dnssec_secure = -1.5\n",
		    .iprev = IPREV_PASS,
		    .tags = "dnssec_secure helo_ptr_mismatch" }, -1 },
		{ "thousandths add up exactly", { .conf =
		    "score.ptr_generic = 4.7\nscore.helo_forward_mismatch = 0.3\n",
		    .iprev = IPREV_PASS,
		    .tags = "ptr_generic helo_forward_mismatch" }, 5 },
	};
	struct world w;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		world_make(&w, &cases[i].in);
		if (w.v.score != cases[i].want)
			fail_msg("%s: score %g, want %g", cases[i].name,
			    w.v.score, cases[i].want);
		assert_int_equal(w.v.tags, w.findings.tags);
		assert_int_equal(w.v.iprev, cases[i].in.iprev);
		world_free(&w);
	}
}

/*
 * The action.
 */

static void
run_decide_cases(const struct decide_case *cases, size_t n)
{
	struct world w;

	for (size_t i = 0; i < n; i++) {
		const struct decide_case *c = &cases[i];

		world_make(&w, &c->in);
		if (w.v.action != c->action || w.v.cause != c->cause ||
		    w.v.enforced != c->enforced)
			fail_msg("%s: action %s cause %d enforced %d, want "
			    "%s %d %d", c->name,
			    verdict_action_name(w.v.action), w.v.cause,
			    w.v.enforced, verdict_action_name(c->action),
			    c->cause, c->enforced);
		assert_string_equal(w.v.rcode, c->rcode);
		assert_string_equal(w.v.xcode, c->xcode);
		if (c->action == VERDICT_ACCEPT)
			assert_string_equal(w.v.reply, "");
		else
			assert_true(strncmp(w.v.reply,
			    "Client host rejected: ", 22) == 0);
		world_free(&w);
	}
}

static void
test_score_thresholds_decide_the_action(void **state)
{
	static const struct decide_case cases[] = {
		{ "clean client is accepted", { .iprev = IPREV_PASS,
		    .ptr = { "mail.example.com" } },
		    VERDICT_ACCEPT, VERDICT_CAUSE_NONE, false, "", "" },
		{ "no_ptr alone reaches tempfail_score by default",
		    { .iprev = IPREV_PERMERROR, .tags = "no_ptr" },
		    VERDICT_TEMPFAIL, VERDICT_CAUSE_SCORE, true,
		    "450", "4.7.25" },
		{ "just below tempfail_score is accepted",
		    { .iprev = IPREV_FAIL, .ptr = { "x.example" },
		    .tags = "ptr_not_confirmed helo_ptr_mismatch" },
		    VERDICT_ACCEPT, VERDICT_CAUSE_NONE, false, "", "" },
		{ "score equal to reject_score rejects",
		    { .conf = "reject_score = 6\n", .iprev = IPREV_FAIL,
		    .ptr = { "x.example" },
		    .tags = "ptr_not_confirmed ptr_generic" },
		    VERDICT_REJECT, VERDICT_CAUSE_SCORE, true,
		    "550", "5.7.25" },
		{ "between the thresholds tempfails",
		    { .conf = "reject_score = 7\n", .iprev = IPREV_FAIL,
		    .ptr = { "x.example" },
		    .tags = "ptr_not_confirmed ptr_generic" },
		    VERDICT_TEMPFAIL, VERDICT_CAUSE_SCORE, true,
		    "450", "4.7.25" },
		{ "sum of thousandths meets the threshold exactly",
		    { .conf = "score.ptr_generic = 4.7\n"
		    "score.helo_forward_mismatch = 0.3\n",
		    .iprev = IPREV_PASS, .ptr = { "x.example" },
		    .tags = "ptr_generic helo_forward_mismatch" },
		    VERDICT_TEMPFAIL, VERDICT_CAUSE_SCORE, true,
		    "450", "4.7.25" },
		{ "thresholds off accept any score",
		    { .conf = "tempfail_score = off\n", .iprev = IPREV_PERMERROR,
		    .tags = "no_ptr helo_invalid helo_is_ours" },
		    VERDICT_ACCEPT, VERDICT_CAUSE_NONE, false, "", "" },
		{ "reject_score works with tempfail_score off",
		    { .conf = "tempfail_score = off\nreject_score = 5\n",
		    .iprev = IPREV_PERMERROR, .tags = "no_ptr" },
		    VERDICT_REJECT, VERDICT_CAUSE_SCORE, true,
		    "550", "5.7.25" },
		{ "a reward can keep a client below the threshold",
		    { .conf = "score.dnssec_secure = -2\n",
		    .iprev = IPREV_PASS, .ptr = { "x.example" },
		    .tags = "ptr_generic helo_invalid helo_is_ours "
		    "dnssec_secure" },
		    VERDICT_ACCEPT, VERDICT_CAUSE_NONE, false, "", "" },
	};

	(void)state;
	run_decide_cases(cases, NELEM(cases));
}

static void
test_temperror_never_rejects(void **state)
{
	/* A reject_score every score reaches, and still no 5xx. */
#define LOW "tempfail_score = 0.001\nreject_score = 0.001\n"
	static const struct decide_case cases[] = {
		{ "iprev temperror, on_dns_error accept",
		    { .conf = LOW, .iprev = IPREV_TEMPERROR,
		    .tags = "dns_temperror helo_invalid" },
		    VERDICT_TEMPFAIL, VERDICT_CAUSE_SCORE, true,
		    "450", "4.7.25" },
		{ "iprev temperror, on_dns_error tempfail",
		    { .conf = LOW "on_dns_error = tempfail\n",
		    .iprev = IPREV_TEMPERROR,
		    .tags = "dns_temperror helo_invalid" },
		    VERDICT_TEMPFAIL, VERDICT_CAUSE_DNS_ERROR, true,
		    "450", "4.7.25" },
		{ "bogus, on_dns_error accept",
		    { .conf = LOW "score.dnssec_bogus = 3\n",
		    .iprev = IPREV_TEMPERROR, .dnssec = DNSSEC_BOGUS,
		    .tags = "dnssec_bogus" },
		    VERDICT_TEMPFAIL, VERDICT_CAUSE_SCORE, true,
		    "450", "4.7.25" },
		{ "temperror with grace",
		    { .conf = LOW "on_dns_error = tempfail\n",
		    .iprev = IPREV_TEMPERROR, .tags = "dns_temperror no_ptr",
		    .grace = true },
		    VERDICT_ACCEPT, VERDICT_CAUSE_DNS_GRACE, false, "", "" },
		{ "dns_temperror finding without iprev temperror",
		    { .conf = LOW, .iprev = IPREV_FAIL,
		    .ptr = { "x.example" },
		    .tags = "ptr_not_confirmed dns_temperror" },
		    VERDICT_TEMPFAIL, VERDICT_CAUSE_SCORE, true,
		    "450", "4.7.25" },
		{ "high score in dry-run",
		    { .conf = LOW "mode = dry-run\n",
		    .iprev = IPREV_TEMPERROR,
		    .tags = "dns_temperror helo_invalid" },
		    VERDICT_TEMPFAIL, VERDICT_CAUSE_SCORE, false,
		    "450", "4.7.25" },
	};
#undef LOW

	(void)state;
	run_decide_cases(cases, NELEM(cases));
}

static void
test_temperror_follows_on_dns_error(void **state)
{
	static const struct decide_case cases[] = {
		{ "on_dns_error tempfail defers with score 0",
		    { .conf = "on_dns_error = tempfail\n",
		    .iprev = IPREV_TEMPERROR, .tags = "dns_temperror" },
		    VERDICT_TEMPFAIL, VERDICT_CAUSE_DNS_ERROR, true,
		    "450", "4.7.25" },
		{ "on_dns_error tempfail past tempfail_limit accepts",
		    { .conf = "on_dns_error = tempfail\n"
		    "tempfail_limit = 4h\n", .iprev = IPREV_TEMPERROR,
		    .tags = "dns_temperror", .grace = true },
		    VERDICT_ACCEPT, VERDICT_CAUSE_DNS_GRACE, false, "", "" },
		{ "on_dns_error accept with a low score accepts",
		    { .iprev = IPREV_TEMPERROR,
		    .tags = "dns_temperror helo_not_fqdn" },
		    VERDICT_ACCEPT, VERDICT_CAUSE_NONE, false, "", "" },
		{ "on_dns_error accept lets a high score tempfail",
		    { .conf = "score.dns_temperror = 5\n",
		    .iprev = IPREV_TEMPERROR, .tags = "dns_temperror" },
		    VERDICT_TEMPFAIL, VERDICT_CAUSE_SCORE, true,
		    "450", "4.7.25" },
		{ "grace means nothing without on_dns_error tempfail",
		    { .iprev = IPREV_TEMPERROR, .tags = "dns_temperror",
		    .grace = true },
		    VERDICT_ACCEPT, VERDICT_CAUSE_NONE, false, "", "" },
		{ "grace means nothing without a DNS error",
		    { .conf = "on_dns_error = tempfail\n",
		    .iprev = IPREV_PERMERROR, .tags = "no_ptr",
		    .grace = true },
		    VERDICT_TEMPFAIL, VERDICT_CAUSE_SCORE, true,
		    "450", "4.7.25" },
	};

	(void)state;
	run_decide_cases(cases, NELEM(cases));
}

static void
test_dry_run_decides_but_never_enforces(void **state)
{
	static const struct decide_case cases[] = {
		{ "dry-run tempfail", { .conf = "mode = dry-run\n",
		    .iprev = IPREV_PERMERROR, .tags = "no_ptr" },
		    VERDICT_TEMPFAIL, VERDICT_CAUSE_SCORE, false,
		    "450", "4.7.25" },
		{ "dry-run reject", { .conf = "mode = dry-run\n"
		    "reject_score = 5\n", .iprev = IPREV_PERMERROR,
		    .tags = "no_ptr" },
		    VERDICT_REJECT, VERDICT_CAUSE_SCORE, false,
		    "550", "5.7.25" },
		{ "dry-run dns error", { .conf = "mode = dry-run\n"
		    "on_dns_error = tempfail\n", .iprev = IPREV_TEMPERROR,
		    .tags = "dns_temperror" },
		    VERDICT_TEMPFAIL, VERDICT_CAUSE_DNS_ERROR, false,
		    "450", "4.7.25" },
		{ "dry-run accept", { .conf = "mode = dry-run\n",
		    .iprev = IPREV_PASS, .ptr = { "mail.example.com" } },
		    VERDICT_ACCEPT, VERDICT_CAUSE_NONE, false, "", "" },
	};

	(void)state;
	run_decide_cases(cases, NELEM(cases));
}

/* RFC 5321 4.1.4: a HELO finding alone must never refuse mail.  The
 * helo_* tags cannot all fire at once - a HELO is of one kind (invalid,
 * bare IP, literal, single label, host name), helo_ptr_same_domain
 * replaces helo_ptr_mismatch, helo_no_forward and helo_forward_mismatch
 * exclude each other - so each row is the heaviest set one kind of HELO
 * can collect (helo_is_ours included wherever it could). */
static void
test_helo_only_findings_stay_below_tempfail_score(void **state)
{
	static const struct {
		const char *name;
		const char *tags;
	} cases[] = {
		{ "invalid", "helo_invalid helo_ptr_mismatch helo_is_ours" },
		{ "bare ip", "helo_bare_ip helo_ptr_mismatch helo_is_ours" },
		{ "literal", "helo_literal_mismatch helo_ptr_mismatch "
		    "helo_is_ours" },
		{ "single label", "helo_not_fqdn helo_generic "
		    "helo_ptr_mismatch helo_no_forward helo_is_ours" },
		{ "host name, no forward", "helo_generic helo_ptr_mismatch "
		    "helo_no_forward helo_is_ours" },
		{ "host name, same domain", "helo_generic "
		    "helo_ptr_same_domain helo_forward_mismatch "
		    "helo_is_ours" },
	};
	struct situation s = { .iprev = IPREV_PASS,
	    .ptr = { "mail.example.com" }, .helo = "x" };
	struct world w;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		s.tags = cases[i].tags;
		world_make(&w, &s);
		if (w.v.action != VERDICT_ACCEPT ||
		    !(w.v.score < w.policy->tempfail_score))
			fail_msg("%s: score %g reaches tempfail_score %g",
			    cases[i].name, w.v.score,
			    w.policy->tempfail_score);
		world_free(&w);
	}
}

/*
 * The reply.
 */

static void
run_reply_cases(const struct reply_case *cases, size_t n)
{
	struct world w;

	for (size_t i = 0; i < n; i++) {
		world_make(&w, &cases[i].in);
		assert_int_not_equal(w.v.action, VERDICT_ACCEPT);
		if (strcmp(w.v.reply, cases[i].want) != 0)
			fail_msg("%s:\n got  %s\n want %s", cases[i].name,
			    w.v.reply, cases[i].want);
		world_free(&w);
	}
}

static void
test_reply_names_the_most_serious_finding(void **state)
{
	static const struct reply_case cases[] = {
		{ "bogus beats everything", { .conf = "on_dns_error = tempfail\n",
		    .iprev = IPREV_TEMPERROR, .dnssec = DNSSEC_BOGUS,
		    .tags = "dns_temperror dnssec_bogus" },
		    "Client host rejected: reverse DNS answer failed DNSSEC "
		    "validation, [198.51.100.20]" },
		{ "dns temperror", { .conf = "on_dns_error = tempfail\n",
		    .iprev = IPREV_TEMPERROR, .tags = "dns_temperror" },
		    "Client host rejected: cannot verify your reverse "
		    "hostname: DNS lookup failed temporarily, "
		    "[198.51.100.20]" },
		{ "iprev temperror without the tag",
		    { .conf = "on_dns_error = tempfail\n",
		    .iprev = IPREV_TEMPERROR },
		    "Client host rejected: cannot verify your reverse "
		    "hostname: DNS lookup failed temporarily, "
		    "[198.51.100.20]" },
		{ "no ptr", { .iprev = IPREV_PERMERROR,
		    .tags = "no_ptr helo_invalid" },
		    "Client host rejected: cannot find your reverse hostname, "
		    "[198.51.100.20]" },
		{ "not confirmed", { .conf = "score.ptr_not_confirmed = 5\n",
		    .iprev = IPREV_FAIL, .ptr = { "mx.example.com" },
		    .tags = "ptr_not_confirmed ptr_generic" },
		    "Client host rejected: your reverse hostname does not "
		    "resolve back to your address, [198.51.100.20]" },
		{ "forward nxdomain", { .iprev = IPREV_FAIL,
		    .ptr = { "gone.example.com" },
		    .tags = "ptr_not_confirmed ptr_forward_nxdomain" },
		    "Client host rejected: your reverse hostname does not "
		    "exist in forward DNS, [198.51.100.20]" },
		{ "generic", { .conf = "score.ptr_generic = 5\n",
		    .iprev = IPREV_PASS,
		    .ptr = { "198-51-100-20.example-broadband.com" },
		    .tags = "ptr_generic[ip-in-name:198-51-100-20]" },
		    "Client host rejected: your reverse hostname looks "
		    "generic, [198.51.100.20]" },
		{ "score only", { .conf = "score.helo_is_ours = 5\n"
		    "score.helo_invalid = 1.5\n", .iprev = IPREV_PASS,
		    .ptr = { "mail.example.com" },
		    .tags = "helo_invalid helo_is_ours" },
		    "Client host rejected: reverse DNS checks scored 6.5, "
		    "[198.51.100.20]" },
		{ "ipv6 client", { .ip = "2001:db8::25",
		    .iprev = IPREV_PERMERROR, .tags = "no_ptr" },
		    "Client host rejected: cannot find your reverse hostname, "
		    "[2001:db8::25]" },
		{ "mapped ipv4 client shows as ipv4",
		    { .ip = "::ffff:198.51.100.20",
		    .iprev = IPREV_PERMERROR, .tags = "no_ptr" },
		    "Client host rejected: cannot find your reverse hostname, "
		    "[198.51.100.20]" },
	};

	(void)state;
	run_reply_cases(cases, NELEM(cases));
}

static void
test_reply_never_holds_untrusted_text(void **state)
{
	char *helo = hostile_helo();
	const char *names[] = { "mx%s%n.example.com", "evil\\013\\010x" };
	struct situation s = {
	    .conf = "tempfail_score = 0.001\non_dns_error = tempfail\n",
	    .helo = helo, .mta_resolve = "%n", .mta_ptr = "%s\r\n" };
	static const struct {
		enum iprev iprev;
		const char *tags;
	} cases[] = {
		{ IPREV_PASS, "ptr_generic[%n%s] helo_invalid" },
		{ IPREV_FAIL, "ptr_not_confirmed" },
		{ IPREV_PERMERROR, "no_ptr" },
		{ IPREV_TEMPERROR, "dns_temperror" },
		{ IPREV_PASS, "helo_is_ours" },
	};
	struct world w;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		for (size_t j = 0; j < NELEM(names); j++) {
			s.iprev = cases[i].iprev;
			s.tags = cases[i].tags;
			s.ptr[0] = names[j];
			world_make(&w, &s);
			assert_int_not_equal(w.v.action, VERDICT_ACCEPT);
			assert_null(strpbrk(w.v.reply, "%\r\n"));
			assert_null(strstr(w.v.reply, "mx"));
			assert_null(strstr(w.v.reply, "evil"));
			assert_line_sane(w.v.reply);
			world_free(&w);
		}
	}
	free(helo);
}

#define TOKENS_CONF "reply_text = %{reason}; ptr %{ptr}, helo %{helo}, " \
	"[%{ip}]; %{hint}\n"
#define HINT "Example Broadband: Example portal -> Static IP -> Reverse " \
	"DNS (100% self-service)"

/* reply_text's tokens from the verdict's own values, %{hint} from the
 * provider data for a generic or missing PTR only. */
static void
test_reply_text_tokens_come_from_the_verdict(void **state)
{
	struct generic_db *db = provider_data();
	const struct reply_case cases[] = {
		{ "no PTR in the provider's network", { .conf = TOKENS_CONF,
		    .ip = "198.51.100.21", .iprev = IPREV_PERMERROR,
		    .tags = "no_ptr", .helo = "pc01", .generic = db },
		  "cannot find your reverse hostname; ptr unknown, helo pc01, "
		  "[198.51.100.21]; " HINT },
		{ "the provider's default name", { .conf = TOKENS_CONF
		    "score.ptr_generic = 5\n", .ip = "192.0.2.40",
		    .iprev = IPREV_PASS,
		    .ptr = { "192-0-2-40.example-broadband.com" },
		    .tags = "ptr_generic[provider:example-broadband]",
		    .generic = db },
		  "your reverse hostname looks generic; ptr "
		  "192-0-2-40.example-broadband.com, helo unknown, "
		  "[192.0.2.40]; " HINT },
		{ "not confirmed: no hint, the first name", {
		    .conf = TOKENS_CONF "tempfail_score = 4\n", .iprev = IPREV_FAIL,
		    .ptr = { "a.example.com", "b.example.com" },
		    .tags = "ptr_not_confirmed", .helo = "a.example.com",
		    .generic = db },
		  "your reverse hostname does not resolve back to your "
		  "address; ptr a.example.com, helo a.example.com, "
		  "[198.51.100.20]; " },
		{ "a provider without a hint line", { .conf = TOKENS_CONF,
		    .ip = "2001:db8:1::26", .iprev = IPREV_PERMERROR,
		    .tags = "no_ptr", .generic = db },
		  "cannot find your reverse hostname; ptr unknown, helo "
		  "unknown, [2001:db8:1::26]; " },
		{ "no provider data", { .conf = TOKENS_CONF,
		    .ip = "198.51.100.21", .iprev = IPREV_PERMERROR,
		    .tags = "no_ptr" },
		  "cannot find your reverse hostname; ptr unknown, helo "
		  "unknown, [198.51.100.21]; " },
		{ "a literal percent", { .conf = "reply_text = 100%% sure: "
		    "%{reason}\n", .iprev = IPREV_PERMERROR, .tags = "no_ptr" },
		  "100% sure: cannot find your reverse hostname" },
	};

	(void)state;
	run_reply_cases(cases, NELEM(cases));
	generic_db_free(db);
}

/* reply_text_check() reserves REPLY_TEXT_REASON_MAX for %{reason}: every
 * reason fits, the score's at the highest and lowest sums too. */
static void
test_every_reason_fits_its_reserved_room(void **state)
{
	static const struct situation cases[] = {
		{ .conf = "on_dns_error = tempfail\nreply_text = %{reason}\n",
		  .iprev = IPREV_TEMPERROR, .dnssec = DNSSEC_BOGUS,
		  .tags = "dns_temperror dnssec_bogus" },
		{ .conf = "on_dns_error = tempfail\nreply_text = %{reason}\n",
		  .iprev = IPREV_TEMPERROR, .tags = "dns_temperror" },
		{ .conf = "reply_text = %{reason}\n", .iprev = IPREV_FAIL,
		  .ptr = { "x.example" }, .tags = "ptr_not_confirmed "
		  "ptr_forward_nxdomain" },
		{ .conf = "reply_text = %{reason}\nscore.ptr_not_confirmed = 5\n",
		  .iprev = IPREV_FAIL, .ptr = { "x.example" },
		  .tags = "ptr_not_confirmed" },
		{ .conf = "reply_text = %{reason}\nscore.helo_invalid = 100\n"
		  "score.helo_is_ours = 100\nscore.helo_not_fqdn = 100\n"
		  "score.helo_bare_ip = 100\nscore.ptr_multiple = 100\n"
		  "score.dnssec_secure = 100\n", .iprev = IPREV_PASS,
		  .ptr = { "x.example" }, .tags = "helo_invalid helo_is_ours "
		  "helo_not_fqdn helo_bare_ip ptr_multiple dnssec_secure" },
	};
	struct world w;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		world_make(&w, &cases[i]);
		assert_int_not_equal(w.v.action, VERDICT_ACCEPT);
		assert_true(strlen(w.v.reply) <= REPLY_TEXT_REASON_MAX);
		world_free(&w);
	}
}

/* The client's names in a reply_text: one printable line within 512
 * octets, cut with "...", the words after them kept. */
static void
test_reply_text_with_hostile_names_keeps_the_line(void **state)
{
	char *helo = hostile_helo();
	char ptr[DNAME_HOSTNAME_MAX + 1];
	struct situation s = { .conf = "reply_text = %{reason} [%{ip}] "
	    "helo=%{helo} ptr=%{ptr}; see https://mx.example.net/\n"
	    "tempfail_score = 4\n",
	    .iprev = IPREV_FAIL, .tags = "ptr_not_confirmed", .helo = helo,
	    .ptr = { ptr } };
	struct world w;

	(void)state;
	memset(ptr, 'p', sizeof(ptr) - 1);
	ptr[sizeof(ptr) - 1] = '\0';
	ptr[60] = ptr[120] = ptr[180] = '.';
	world_make(&w, &s);
	assert_line_sane(w.v.reply);
	assert_true(strlen("450 4.7.25 ") + strlen(w.v.reply) + 2 <= 512);
	assert_non_null(strstr(w.v.reply, "...; see https://mx.example.net/"));
	assert_non_null(strstr(w.v.reply, "... ptr=pppp"));
	assert_null(strpbrk(w.v.reply, "\r\n"));
	world_free(&w);
	free(helo);
}

/*
 * Headers.
 */

static void
test_score_header_lists_tags_in_order_with_reasons(void **state)
{
	static const struct {
		const char *name;
		struct situation in;
		const char *want;
	} cases[] = {
		{ "design example, folded", { .iprev = IPREV_PASS,
		    .ptr = { "198-51-100-40.example-broadband.com" },
		    .tags = "helo_ptr_mismatch "
		    "ptr_generic[ip-in-name:198-51-100-40]",
		    .helo = "gw.example.com" },
		    "2.5 (ptr_generic[ip-in-name:198-51-100-40] "
		    "helo_ptr_mismatch)\n\thelo=gw.example.com "
		    "ptr=198-51-100-40.example-broadband.com" },
		{ "one tag", { .iprev = IPREV_PASS,
		    .ptr = { "mail.example.com" },
		    .tags = "helo_ptr_mismatch", .helo = "gw.example.com" },
		    "0.5 (helo_ptr_mismatch) helo=gw.example.com "
		    "ptr=mail.example.com" },
		{ "zero weight tags are listed", { .iprev = IPREV_PASS,
		    .dnssec = DNSSEC_SECURE, .ptr = { "mail.example.com" },
		    .tags = "dnssec_secure", .helo = "mail.example.com" },
		    "0.0 (dnssec_secure) helo=mail.example.com "
		    "ptr=mail.example.com" },
		{ "no tags", { .iprev = IPREV_PASS,
		    .ptr = { "mail.example.com" },
		    .helo = "mail.example.com" },
		    "0.0 () helo=mail.example.com ptr=mail.example.com" },
		{ "no helo, no ptr", { .iprev = IPREV_PERMERROR,
		    .tags = "no_ptr" },
		    "5.0 (no_ptr) helo=<none> ptr=-" },
		{ "unconfirmed shows the first name", { .iprev = IPREV_FAIL,
		    .ptr = { "a.example", "b.example" },
		    .tags = "ptr_not_confirmed ptr_multiple",
		    .helo = "[198.51.100.20]" },
		    "4.5 (ptr_not_confirmed ptr_multiple) "
		    "helo=[198.51.100.20]\n\tptr=a.example" },
		{ "negative score", { .conf = "score.dnssec_secure = -0.04\n",
		    .iprev = IPREV_PASS, .ptr = { "mail.example.com" },
		    .tags = "dnssec_secure", .helo = "mail.example.com" },
		    "0.0 (dnssec_secure) helo=mail.example.com "
		    "ptr=mail.example.com" },
		{ "helo made printable", { .iprev = IPREV_PASS,
		    .ptr = { "mail.example.com" },
		    .helo = "a b(c);d\\e\"f<g>h\ti\xe9" },
		    "0.0 () helo=a?b?c??d?e?f?g?h?i? ptr=mail.example.com" },
		{ "escaped ptr name kept", { .iprev = IPREV_PASS,
		    .ptr = { "a\\032b\\.c<d>.example" }, .helo = "" },
		    "0.0 () helo= ptr=a\\032b\\.c<d>.example" },
		{ "raw text passed as a name is still shown printable",
		    { .iprev = IPREV_PASS, .ptr = { "a b(c);\"\r\n.example" },
		    .helo = "h" },
		    "0.0 () helo=h ptr=a?b?c?????.example" },
	};
	char buf[VERDICT_HEADER_MAX];
	struct world w;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		world_make(&w, &cases[i].in);
		assert_int_equal(verdict_score_header(&w.in, &w.v,
		    SCORE_FIELD, buf, sizeof(buf)), 0);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%s:\n got  %s\n want %s", cases[i].name,
			    buf, cases[i].want);
		assert_header_sane(SCORE_FIELD, buf);
		world_free(&w);
	}
}

/* findings_add() filters reasons; a struct findings filled by hand, with
 * brackets and no NUL, must not break the header either. */
static void
test_hand_made_reason_is_filtered_and_bounded(void **state)
{
	struct situation s = { .iprev = IPREV_PASS,
	    .ptr = { "mail.example.com" }, .helo = "h" };
	char buf[VERDICT_HEADER_MAX];
	const char *open, *close;
	struct world w;

	(void)state;
	world_make(&w, &s);
	w.findings.tags = TAG_BIT(TAG_PTR_GENERIC);
	memset(w.findings.reason[TAG_PTR_GENERIC], ']', TAG_REASON_MAX);
	memcpy(w.findings.reason[TAG_PTR_GENERIC], "a[b] c\n", 7);
	/* the next reason, read past the end if unbounded */
	memcpy(w.findings.reason[TAG_PTR_GENERIC + 1], "LEAK", 5);
	verdict_decide(&w.in, &w.v);
	assert_int_equal(verdict_score_header(&w.in, &w.v, SCORE_FIELD, buf,
	    sizeof(buf)), 0);
	assert_header_sane(SCORE_FIELD, buf);
	assert_null(strstr(buf, "LEAK"));
	open = strchr(buf, '[');
	close = strchr(buf, ']');
	assert_non_null(open);
	assert_non_null(close);
	assert_true(strncmp(open, "[a?b??c?", 8) == 0);
	assert_int_equal(close - open, (ptrdiff_t)TAG_REASON_MAX);
	assert_null(strchr(close + 1, ']'));
	assert_null(strchr(open + 1, '['));
	world_free(&w);
}

static void
test_auth_results_reports_iprev_with_name_and_dnssec(void **state)
{
	static const struct {
		const char *name;
		struct situation in;
		const char *id;
		const char *want;
	} cases[] = {
		{ "design example, folded", { .iprev = IPREV_PASS,
		    .dnssec = DNSSEC_SECURE, .ptr = { "mail.example.com" } },
		    "mx.example.net",
		    "mx.example.net; iprev=pass policy.iprev=198.51.100.20\n"
		    "\t(mail.example.com; dnssec=secure)" },
		{ "smtp.remote-ip", { .conf = "auth_results_property = "
		    "smtp.remote-ip\n", .iprev = IPREV_PASS,
		    .ptr = { "mail.example.com" } }, "mx",
		    "mx; iprev=pass smtp.remote-ip=198.51.100.20\n"
		    "\t(mail.example.com; dnssec=insecure)" },
		{ "no ptr name", { .iprev = IPREV_PERMERROR,
		    .dnssec = DNSSEC_SECURE, .tags = "no_ptr" }, "mx",
		    "mx; iprev=permerror policy.iprev=198.51.100.20\n"
		    "\t(dnssec=secure)" },
		{ "fail shows the first name", { .iprev = IPREV_FAIL,
		    .ptr = { "a.example", "b.example" } }, "mx",
		    "mx; iprev=fail policy.iprev=198.51.100.20 (a.example;\n"
		    "\tdnssec=insecure)" },
		{ "temperror", { .iprev = IPREV_TEMPERROR,
		    .dnssec = DNSSEC_BOGUS, .tags = "dnssec_bogus" }, "mx",
		    "mx; iprev=temperror policy.iprev=198.51.100.20\n"
		    "\t(dnssec=bogus)" },
		{ "ipv6 is a quoted-string: ':' is a tspecial", { .ip =
		    "2001:db8::1", .iprev = IPREV_PERMERROR }, "mx",
		    "mx; iprev=permerror policy.iprev=\"2001:db8::1\"\n"
		    "\t(dnssec=insecure)" },
		{ "ipv6 smtp.remote-ip quoted too", { .conf =
		    "auth_results_property = smtp.remote-ip\n", .ip =
		    "2001:db8:1::25", .iprev = IPREV_PASS,
		    .ptr = { "mail6.example.com" } }, "mx",
		    "mx; iprev=pass smtp.remote-ip=\"2001:db8:1::25\"\n"
		    "\t(mail6.example.com; dnssec=insecure)" },
		{ "authserv-id written unchanged", { .iprev =
		    IPREV_PERMERROR }, "mx+in.example",
		    "mx+in.example; iprev=permerror\n"
		    "\tpolicy.iprev=198.51.100.20 (dnssec=insecure)" },
	};
	char buf[VERDICT_HEADER_MAX];
	struct world w;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		world_make(&w, &cases[i].in);
		assert_int_equal(verdict_auth_results(&w.in, &w.v,
		    cases[i].id, buf, sizeof(buf)), 0);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%s:\n got  %s\n want %s", cases[i].name,
			    buf, cases[i].want);
		assert_header_sane(AR_FIELD, buf);
		world_free(&w);
	}
}

/* An id that is not a token would have to be mended or would break the
 * header; either way forgeries of what is written would not be found. */
static void
test_auth_results_without_a_valid_authserv_id_fails(void **state)
{
	static const char *const bad[] = { "", "mx example", "mx;net",
	    "mx.example.net\r\n(x)", "\"mx.example.net\"", "m\xc3\xa4il" };
	struct situation s = { .iprev = IPREV_PASS,
	    .ptr = { "mail.example.com" } };
	char buf[VERDICT_HEADER_MAX];
	struct world w;

	(void)state;
	world_make(&w, &s);
	assert_int_equal(verdict_auth_results(&w.in, &w.v, NULL, buf,
	    sizeof(buf)), -1);
	assert_string_equal(buf, "");
	for (size_t i = 0; i < NELEM(bad); i++) {
		memset(buf, 'x', sizeof(buf));
		if (verdict_auth_results(&w.in, &w.v, bad[i], buf,
		    sizeof(buf)) != -1 || buf[0] != '\0')
			fail_msg("written with authserv-id \"%s\"", bad[i]);
	}
	world_free(&w);
}

static void
test_hostile_helo_cannot_break_a_header_or_the_log(void **state)
{
	char *helo = hostile_helo();
	char buf[VERDICT_HEADER_MAX], log[VERDICT_LOG_MAX];
	char *longname = malloc(DNAME_TEXT_MAX);
	struct situation s = { .iprev = IPREV_PASS, .helo = helo,
	    .mta_resolve = "\x01OK\r\n%s", .mta_ptr = helo,
	    .tags = "ptr_generic[\r\n%s%n()] helo_invalid" };
	struct world w;

	(void)state;
	assert_non_null(longname);
	/* The longest presentation name: every octet escaped. */
	for (size_t i = 0; i + 1 < DNAME_TEXT_MAX; i++)
		longname[i] = (i % 4 == 0) ? '\\' : '0';
	longname[DNAME_TEXT_MAX - 1] = '\0';
	s.ptr[0] = longname;
	world_make(&w, &s);

	assert_int_equal(verdict_score_header(&w.in, &w.v, SCORE_FIELD, buf,
	    sizeof(buf)), 0);
	assert_header_sane(SCORE_FIELD, buf);
	/* helo=, the cut HELO, and the next token after a fold or space */
	assert_true(strcspn(strstr(buf, "helo="), " \n") ==
	    strlen("helo=") + VERDICT_NAME_SHOWN);
	assert_non_null(strstr(buf, "...\n\tptr=\\000"));

	assert_int_equal(verdict_auth_results(&w.in, &w.v, "mx.example.net",
	    buf, sizeof(buf)), 0);
	assert_header_sane(AR_FIELD, buf);

	assert_int_equal(verdict_log_line(&w.in, &w.v, log, sizeof(log)), 0);
	assert_line_sane(log);
	assert_non_null(strstr(log, " mta_resolve=?OK??%s mta_ptr=<"));
	assert_null(strpbrk(w.v.reply, "%\r\n"));

	world_free(&w);
	free(longname);
	free(helo);
}

/* Every tag with the longest reason, a 2000-byte HELO, the longest
 * presentation name, 2000-byte MTA macros and authserv-id: everything
 * still fits the documented buffers, folded and printable. */
static void
test_longest_inputs_fit_the_documented_buffers(void **state)
{
	char tags[4096], reason[TAG_REASON_MAX], id[AUTHRES_ID_MAX + 1];
	char buf[VERDICT_HEADER_MAX], log[VERDICT_LOG_MAX];
	char *helo = hostile_helo(), *name = malloc(DNAME_TEXT_MAX);
	struct situation s = { .conf = "mode = dry-run\n"
	    "tempfail_score = 0.001\n", .iprev = IPREV_FAIL, .helo = helo,
	    .mta_resolve = helo, .mta_ptr = helo, .ms = 4294967295u };
	const char *p;
	size_t pos = 0;
	struct world w;

	(void)state;
	assert_non_null(name);
	for (size_t i = 0; i + 1 < DNAME_TEXT_MAX; i++)
		name[i] = (i % 4 == 0) ? '\\' : '9';
	name[DNAME_TEXT_MAX - 1] = '\0';
	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	for (unsigned t = 0; t < TAG_COUNT; t++) {
		int n = snprintf(tags + pos, sizeof(tags) - pos, "%s%s[%s]",
		    pos == 0 ? "" : " ", tag_name(t), reason);

		assert_true(n > 0 && (size_t)n < sizeof(tags) - pos);
		pos += (size_t)n;
	}
	s.tags = tags;
	s.ptr[0] = name;
	s.ptr[1] = name;
	world_make(&w, &s);

	assert_int_equal(verdict_score_header(&w.in, &w.v, SCORE_FIELD, buf,
	    sizeof(buf)), 0);
	assert_header_sane(SCORE_FIELD, buf);
	/* every tag is there, in enum order, with its reason */
	p = buf;
	for (unsigned t = 0; t < TAG_COUNT; t++) {
		p = strstr(p, tag_name(t));
		assert_non_null(p);
		p += strlen(tag_name(t));
		assert_int_equal(*p, '[');
	}
	/* the longest authserv-id there is */
	memset(id, 'i', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	assert_int_equal(verdict_auth_results(&w.in, &w.v, id, buf,
	    sizeof(buf)), 0);
	assert_header_sane(AR_FIELD, buf);
	assert_int_equal(verdict_log_line(&w.in, &w.v, log, sizeof(log)), 0);
	assert_line_sane(log);
	assert_non_null(strstr(log, " mode=dry-run mta_resolve="));

	world_free(&w);
	free(name);
	free(helo);
}

static void
test_fold_breaks_only_between_tokens(void **state)
{
	static const struct {
		const char *name;
		size_t col;
		const char *tokens[6];
		const char *want;	/* NULL: error */
	} cases[] = {
		{ "one line", 10, { "a", "b", "c" }, "a b c" },
		{ "fold at 78", 70, { "abcd", "efgh" }, "abcd\n\tefgh" },
		{ "exactly 78 stays", 70, { "abc", "efgh" }, "abc efgh" },
		{ "first token never folds", 77, { "abcd" }, "abcd" },
		{ "nothing is an error", 0, { NULL }, NULL },
		{ "space in a token is an error", 0, { "a b" }, NULL },
		{ "newline in a token is an error", 0, { "a", "b\n" }, NULL },
		{ "empty token is an error", 0, { "" }, NULL },
		{ "first line over 998 is an error", 996, { "abc" }, NULL },
	};
	char buf[256];
	struct verdict_fold f;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		verdict_fold_init(&f, buf, sizeof(buf), cases[i].col);
		for (size_t j = 0; cases[i].tokens[j] != NULL; j++)
			verdict_fold_add(&f, "%s", cases[i].tokens[j]);
		if (cases[i].want == NULL) {
			if (verdict_fold_end(&f) != -1)
				fail_msg("%s: no error", cases[i].name);
			assert_string_equal(buf, "");
			continue;
		}
		assert_int_equal(verdict_fold_end(&f), 0);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%s: got %s", cases[i].name, buf);
	}
}

/*
 * The log line.
 */

static void
test_log_line_says_everything_on_one_line(void **state)
{
	static const struct {
		const char *name;
		struct situation in;
		const char *want;
	} cases[] = {
		{ "style example", { .ip = "198.51.100.21",
		    .iprev = IPREV_PERMERROR, .dnssec = DNSSEC_SECURE,
		    .tags = "helo_not_fqdn no_ptr", .helo = "pc01", .ms = 12 },
		    "action=tempfail ip=198.51.100.21 helo=<pc01> ptr=- "
		    "iprev=permerror dnssec=secure score=6.0 "
		    "tags=no_ptr,helo_not_fqdn ms=12" },
		{ "clean accept", { .iprev = IPREV_PASS,
		    .ptr = { "mail.example.com" },
		    .helo = "mail.example.com", .ms = 3 },
		    "action=accept ip=198.51.100.20 helo=<mail.example.com> "
		    "ptr=mail.example.com iprev=pass dnssec=insecure "
		    "score=0.0 tags=- ms=3" },
		{ "reasons in the log", { .iprev = IPREV_PASS,
		    .ptr = { "198-51-100-20.example.net" },
		    .tags = "ptr_generic[ip-in-name:198-51-100-20]",
		    .helo = "x.example" },
		    "action=accept ip=198.51.100.20 helo=<x.example> "
		    "ptr=198-51-100-20.example.net iprev=pass "
		    "dnssec=insecure score=2.0 "
		    "tags=ptr_generic[ip-in-name:198-51-100-20] ms=0" },
		{ "no helo", { .iprev = IPREV_PASS,
		    .ptr = { "a.example" } },
		    "action=accept ip=198.51.100.20 helo=- ptr=a.example "
		    "iprev=pass dnssec=insecure score=0.0 tags=- ms=0" },
		{ "empty helo", { .iprev = IPREV_PASS, .ptr = { "a.example" },
		    .helo = "" },
		    "action=accept ip=198.51.100.20 helo=<> ptr=a.example "
		    "iprev=pass dnssec=insecure score=0.0 tags=- ms=0" },
		{ "helo of a dash", { .iprev = IPREV_PASS,
		    .ptr = { "a.example" }, .helo = "-" },
		    "action=accept ip=198.51.100.20 helo=<-> ptr=a.example "
		    "iprev=pass dnssec=insecure score=0.0 tags=- ms=0" },
		{ "dry-run refusal says so", { .conf = "mode = dry-run\n",
		    .iprev = IPREV_PERMERROR, .tags = "no_ptr",
		    .helo = "h" },
		    "action=tempfail ip=198.51.100.20 helo=<h> ptr=- "
		    "iprev=permerror dnssec=insecure score=5.0 tags=no_ptr "
		    "ms=0 mode=dry-run" },
		{ "dry-run accept says nothing", { .conf = "mode = dry-run\n",
		    .iprev = IPREV_PASS, .ptr = { "a.example" },
		    .helo = "h" },
		    "action=accept ip=198.51.100.20 helo=<h> ptr=a.example "
		    "iprev=pass dnssec=insecure score=0.0 tags=- ms=0" },
		{ "mta agrees", { .iprev = IPREV_PASS, .ptr = { "a.example" },
		    .helo = "h", .mta_resolve = "OK",
		    .mta_ptr = "a.example" },
		    "action=accept ip=198.51.100.20 helo=<h> ptr=a.example "
		    "iprev=pass dnssec=insecure score=0.0 tags=- ms=0" },
		{ "mta disagrees", { .iprev = IPREV_FAIL,
		    .ptr = { "a.example" }, .tags = "ptr_not_confirmed",
		    .helo = "h", .mta_resolve = "OK",
		    .mta_ptr = "a.example" },
		    "action=accept ip=198.51.100.20 helo=<h> ptr=a.example "
		    "iprev=fail dnssec=insecure score=4.0 "
		    "tags=ptr_not_confirmed ms=0 mta_resolve=OK "
		    "mta_ptr=<a.example>" },
		{ "mta unknown word, no ptr", { .iprev = IPREV_PERMERROR,
		    .tags = "no_ptr", .helo = "h", .mta_resolve = "MAYBE",
		    .ms = 5000 },
		    "action=tempfail ip=198.51.100.20 helo=<h> ptr=- "
		    "iprev=permerror dnssec=insecure score=5.0 tags=no_ptr "
		    "ms=5000 mta_resolve=MAYBE mta_ptr=-" },
		{ "dry-run and mta", { .iprev = IPREV_TEMPERROR, .tags = "dns_temperror",
		    .conf = "mode = dry-run\non_dns_error = tempfail\n",
		    .helo = "h", .mta_resolve = "FAIL", .mta_ptr = "x y" },
		    "action=tempfail ip=198.51.100.20 helo=<h> ptr=- "
		    "iprev=temperror dnssec=insecure score=0.0 "
		    "tags=dns_temperror ms=0 mode=dry-run mta_resolve=FAIL "
		    "mta_ptr=<x?y>" },
		{ "ipv6 reject", { .ip = "2001:db8::1", .conf =
		    "reject_score = 5\n", .iprev = IPREV_PERMERROR,
		    .tags = "no_ptr", .helo = "h" },
		    "action=reject ip=2001:db8::1 helo=<h> ptr=- "
		    "iprev=permerror dnssec=insecure score=5.0 tags=no_ptr "
		    "ms=0" },
	};
	char buf[VERDICT_LOG_MAX];
	struct world w;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		world_make(&w, &cases[i].in);
		assert_int_equal(verdict_log_line(&w.in, &w.v, buf,
		    sizeof(buf)), 0);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%s:\n got  %s\n want %s", cases[i].name,
			    buf, cases[i].want);
		assert_line_sane(buf);
		world_free(&w);
	}
}

static void
test_mta_resolve_is_logged_only_when_it_disagrees(void **state)
{
	static const struct {
		const char *mta;
		enum iprev iprev;
		bool logged;
	} cases[] = {
		{ "OK", IPREV_PASS, false },
		{ "FORGED", IPREV_FAIL, false },
		{ "FAIL", IPREV_PERMERROR, false },
		{ "TEMP", IPREV_TEMPERROR, false },
		{ "OK", IPREV_FAIL, true },
		{ "FORGED", IPREV_PASS, true },
		{ "FAIL", IPREV_TEMPERROR, true },
		{ "TEMP", IPREV_PERMERROR, true },
		{ "ok", IPREV_PASS, true },
		{ "OK ", IPREV_PASS, true },
		{ "", IPREV_PASS, false },
		{ NULL, IPREV_FAIL, false },
	};
	char buf[VERDICT_LOG_MAX];
	struct world w;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct situation s = { .iprev = cases[i].iprev,
		    .mta_resolve = cases[i].mta };

		world_make(&w, &s);
		assert_int_equal(verdict_log_line(&w.in, &w.v, buf,
		    sizeof(buf)), 0);
		if ((strstr(buf, " mta_resolve=") != NULL) != cases[i].logged)
			fail_msg("%s vs iprev %d: %s", cases[i].mta ?
			    cases[i].mta : "NULL", cases[i].iprev, buf);
		world_free(&w);
	}
}

/*
 * Limits.
 */

static void
test_writers_fail_cleanly_when_the_buffer_is_small(void **state)
{
	struct situation s = { .iprev = IPREV_PASS,
	    .ptr = { "mail.example.com" }, .helo = "mail.example.com",
	    .tags = "helo_ptr_mismatch" };
	char buf[VERDICT_HEADER_MAX];
	size_t full, size;
	struct world w;

	(void)state;
	world_make(&w, &s);

	assert_int_equal(verdict_score_header(&w.in, &w.v, SCORE_FIELD, buf,
	    sizeof(buf)), 0);
	full = strlen(buf);
	for (size = 0; size <= full; size++) {
		memset(buf, 'x', sizeof(buf));
		assert_int_equal(verdict_score_header(&w.in, &w.v,
		    SCORE_FIELD, buf, size), -1);
		if (size > 0)
			assert_string_equal(buf, "");
	}
	assert_int_equal(verdict_score_header(&w.in, &w.v, SCORE_FIELD, buf,
	    full + 1), 0);

	assert_int_equal(verdict_auth_results(&w.in, &w.v, "mx", buf,
	    sizeof(buf)), 0);
	full = strlen(buf);
	for (size = 0; size <= full; size++) {
		memset(buf, 'x', sizeof(buf));
		assert_int_equal(verdict_auth_results(&w.in, &w.v, "mx",
		    buf, size), -1);
		if (size > 0)
			assert_string_equal(buf, "");
	}

	assert_int_equal(verdict_log_line(&w.in, &w.v, buf, sizeof(buf)), 0);
	full = strlen(buf);
	for (size = 0; size <= full; size++) {
		memset(buf, 'x', sizeof(buf));
		assert_int_equal(verdict_log_line(&w.in, &w.v, buf, size), -1);
		if (size > 0)
			assert_string_equal(buf, "");
	}
	assert_int_equal(verdict_log_line(&w.in, &w.v, buf, full + 1), 0);
	world_free(&w);
}

static void
test_a_huge_header_name_is_refused_not_overlong(void **state)
{
	struct situation s = { .iprev = IPREV_PASS,
	    .ptr = { "mail.example.com" } };
	char name[1200], buf[VERDICT_HEADER_MAX];
	struct world w;

	(void)state;
	memset(name, 'X', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	world_make(&w, &s);
	assert_int_equal(verdict_score_header(&w.in, &w.v, name, buf,
	    sizeof(buf)), -1);
	world_free(&w);
}

static void
test_action_names(void **state)
{
	(void)state;
	assert_string_equal(verdict_action_name(VERDICT_ACCEPT), "accept");
	assert_string_equal(verdict_action_name(VERDICT_TEMPFAIL),
	    "tempfail");
	assert_string_equal(verdict_action_name(VERDICT_REJECT), "reject");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score_is_the_sum_of_tag_weights),
		cmocka_unit_test(test_score_thresholds_decide_the_action),
		cmocka_unit_test(test_temperror_never_rejects),
		cmocka_unit_test(test_temperror_follows_on_dns_error),
		cmocka_unit_test(test_dry_run_decides_but_never_enforces),
		cmocka_unit_test(
		    test_helo_only_findings_stay_below_tempfail_score),
		cmocka_unit_test(test_reply_names_the_most_serious_finding),
		cmocka_unit_test(test_reply_never_holds_untrusted_text),
		cmocka_unit_test(test_reply_text_tokens_come_from_the_verdict),
		cmocka_unit_test(test_every_reason_fits_its_reserved_room),
		cmocka_unit_test(
		    test_reply_text_with_hostile_names_keeps_the_line),
		cmocka_unit_test(
		    test_score_header_lists_tags_in_order_with_reasons),
		cmocka_unit_test(test_hand_made_reason_is_filtered_and_bounded),
		cmocka_unit_test(
		    test_auth_results_reports_iprev_with_name_and_dnssec),
		cmocka_unit_test(
		    test_auth_results_without_a_valid_authserv_id_fails),
		cmocka_unit_test(
		    test_hostile_helo_cannot_break_a_header_or_the_log),
		cmocka_unit_test(
		    test_longest_inputs_fit_the_documented_buffers),
		cmocka_unit_test(test_fold_breaks_only_between_tokens),
		cmocka_unit_test(test_log_line_says_everything_on_one_line),
		cmocka_unit_test(
		    test_mta_resolve_is_logged_only_when_it_disagrees),
		cmocka_unit_test(
		    test_writers_fail_cleanly_when_the_buffer_is_small),
		cmocka_unit_test(test_a_huge_header_name_is_refused_not_overlong),
		cmocka_unit_test(test_action_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
