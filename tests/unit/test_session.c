/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_session.c - whole SMTP connections replayed through the session
 * core (session.c), as libmilter would report them, over the scripted
 * resolver: no MTA, no DNS server, no root.  Each test is one sequence
 * of events and checks the answers - go on, tempfail or reject, the
 * reply text, the header edits in the order they are applied - and the
 * log lines that matter.
 *
 * Linked with -Wl,--wrap=realloc and realloc_fail.c, so that a test can
 * make the list of a message's forgeries fail to grow.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_resolver.h"
#include "greylist.h"
#include "log.h"
#include "monotime.h"
#include "policy.h"
#include "realloc_fail.h"
#include "regdom.h"
#include "session.h"
#include "snapshot.h"
#include "state_store.h"
#include "state_store_impl.h"
#include "unit.h"

#define RESOLVER ((struct resolver *)1)
#define ID "mx.example.net"
#define CLEAN "198.51.100.20"		/* PTR mail.example.com, confirmed */
#define NO_PTR "198.51.100.21"		/* NXDOMAIN, signed */
#define UNCONFIRMED "198.51.100.22"	/* PTR to a name of another
					   address: score 4, in the band of
					   greylist_score = 3 */
#define AR "Authentication-Results"
#define SCORE "X-PTR-Score"
#define FORGED ID "; iprev=pass (forged)"
#define GENUINE "other.example.org; spf=pass"
#define USER "<user@example.net>"
#define NO_PTR_REPLY "Client host rejected: cannot find your reverse " \
	"hostname, [" NO_PTR "]"
#define EDITS_MAX 16384
#define LOG_MAX 65536

/* Not const: the greylisting tests give it a state store. */
static struct session_shared shared = {
	.resolver = RESOLVER,
	.hostname = "host.example.org",
};
static const struct session_macros macros = { .mta_name = ID };

/* The connection under test: its session, the last answer, and every
 * log line its events wrote. */
static struct session *s;
static struct session_answer ans;
/* The MTA's {i} at MAIL and at end of message; NULL: not sent. */
static const char *queue_at_mail;
static const char *queue_at_eom;
/* MAIL FROM's argument; NULL: not sent. */
static const char *sender_at_mail;
static FILE *log_file;
static int saved_stderr = -1;

static void
report_fail(void *arg, const char *message)
{
	(void)arg;
	fail_msg("policy: %s", message);
}

/* The policy of the next connection: the defaults, dns_timeout short
 * (nothing here waits for it unless a test breaks), and conf. */
static void
use_policy(const char *conf)
{
	char text[1024];
	struct policy *p;
	int n;

	n = snprintf(text, sizeof(text), "dns_timeout = 1s\n%s\n", conf);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	p = policy_parse_buffer("test", text, strlen(text), report_fail,
	    NULL);
	assert_non_null(p);
	assert_int_equal(snapshot_install(p, NULL), 0);
}

static void
add_rule(const char *name, int rrtype, enum dns_status status,
    const char *datum)
{
	struct fake_rule r = { .name = name, .rrtype = rrtype,
	    .status = status, .dnssec = DNSSEC_SECURE, .ttl = 300,
	    .data = { datum } };

	if (status == DNS_NXDOMAIN)
		r.rcode = DNS_RCODE_NXDOMAIN;
	fake_resolver_add(&r);
}

static int
group_setup(void **state)
{
	log_open("ptrmilter", true, true);
	return unit_regdom_setup(state);
}

static int
setup(void **state)
{
	(void)state;
	fake_resolver_reset();
	add_rule("20.100.51.198.in-addr.arpa", DNS_TYPE_PTR, DNS_OK,
	    "mail.example.com");
	add_rule("mail.example.com", DNS_TYPE_A, DNS_OK, CLEAN);
	add_rule("mail.example.com", DNS_TYPE_AAAA, DNS_NODATA, NULL);
	add_rule("21.100.51.198.in-addr.arpa", DNS_TYPE_PTR, DNS_NXDOMAIN,
	    NULL);
	add_rule("22.100.51.198.in-addr.arpa", DNS_TYPE_PTR, DNS_OK,
	    "elsewhere.example.com");
	add_rule("elsewhere.example.com", DNS_TYPE_A, DNS_OK, "192.0.2.99");
	add_rule("elsewhere.example.com", DNS_TYPE_AAAA, DNS_NODATA, NULL);
	use_policy("");
	sender_at_mail = NULL;
	log_file = tmpfile();
	assert_non_null(log_file);
	s = NULL;
	queue_at_mail = NULL;
	queue_at_eom = NULL;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	session_close(s);
	s = NULL;
	state_store_close(shared.state);
	shared.state = NULL;
	assert_int_equal(session_live(), 0);
	assert_int_equal(fake_resolver_live(), 0);
	fake_resolver_reset();
	snapshot_clear();
	fclose(log_file);
	realloc_fails_after = -1;
	return 0;
}

/* Log lines go to the test's file while an event runs, and only then:
 * cmocka's own messages stay on stderr. */
static void
capture(bool on)
{
	fflush(stderr);
	if (on) {
		saved_stderr = dup(STDERR_FILENO);
		assert_true(saved_stderr >= 0);
		assert_true(dup2(fileno(log_file), STDERR_FILENO) >= 0);
	} else {
		assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

/* Everything logged so far. */
static const char *
logged(void)
{
	static char text[LOG_MAX];
	ssize_t n = pread(fileno(log_file), text, sizeof(text) - 1, 0);

	assert_true(n >= 0);
	text[n] = '\0';
	return text;
}

/* How many logged lines contain needle. */
static unsigned
log_count(const char *needle)
{
	unsigned n = 0;

	for (const char *p = logged(); (p = strstr(p, needle)) != NULL;
	    p += strlen(needle))
		n++;
	return n;
}

/* "conn=ID text" for the session under test. */
static const char *
this_conn(const char *text)
{
	static char line[512];
	int n = snprintf(line, sizeof(line), "conn=%lu %s", session_id(s),
	    text);

	assert_true(n > 0 && (size_t)n < sizeof(line));
	return line;
}

/* The MTA opens the milter connection and reports the client: ip, or
 * "unix" for a local socket, or NULL for no address at all. */
static void
ev_connect(const char *ip)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_un *un = (struct sockaddr_un *)&ss;
	const struct sockaddr *sa = (const struct sockaddr *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (ip == NULL)
		sa = NULL;
	else if (strcmp(ip, "unix") == 0)
		un->sun_family = AF_UNIX;
	else if (inet_pton(AF_INET, ip, &in4->sin_addr) == 1)
		in4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1)
		in6->sin6_family = AF_INET6;
	else
		fail_msg("not an address: %s", ip);
	capture(true);
	session_negotiate(&s, &shared);
	session_connect(&s, &shared, sa, &macros, &ans);
	capture(false);
	assert_non_null(s);
	assert_int_equal(ans.action, SESSION_CONTINUE);
}

static void
ev_helo(const char *name)
{
	capture(true);
	session_helo(s, name, &ans);
	capture(false);
	assert_int_equal(ans.action, SESSION_CONTINUE);
}

/* MAIL, after the DNS answered everything it was asked. */
static void
ev_mail(const char *auth)
{
	struct session_macros m = macros;

	m.queue_id = queue_at_mail;
	m.sender = sender_at_mail;
	fake_resolver_deliver();
	capture(true);
	session_mail(&s, &shared, &m, auth, &ans);
	capture(false);
	assert_int_equal(ans.action, SESSION_CONTINUE);
}

static enum session_action
ev_rcpt(const char *rcpt)
{
	capture(true);
	session_rcpt(s, rcpt, &ans);
	capture(false);
	assert_int_equal(ans.nedits, 0);
	return ans.action;
}

static enum session_action
ev_header(const char *name, const char *value)
{
	capture(true);
	session_header(s, name, value, &ans);
	capture(false);
	assert_int_equal(ans.nedits, 0);
	return ans.action;
}

static void
ev_abort(void)
{
	capture(true);
	session_abort(s, &ans);
	capture(false);
	assert_int_equal(ans.action, SESSION_CONTINUE);
}

/* End of message: its edits, one line each, in the order they are to be
 * applied: "-Name N" deletes, "+Name N: value" inserts. */
static const char *
ev_eom(void)
{
	static char text[EDITS_MAX];
	struct session_macros m = { .queue_id = queue_at_eom };
	struct session_edit e;
	size_t len = 0;
	int n;

	capture(true);
	session_eom(s, &m, &ans);
	capture(false);
	assert_int_equal(ans.action, SESSION_CONTINUE);
	assert_null(ans.reply.rcode);
	text[0] = '\0';
	for (size_t i = 0; i < ans.nedits; i++) {
		session_edit(s, i, &e);
		if (e.kind == SESSION_EDIT_DELETE) {
			assert_null(e.value);
			n = snprintf(text + len, sizeof(text) - len, "-%s %d\n",
			    e.name, e.index);
		} else {
			n = snprintf(text + len, sizeof(text) - len,
			    "+%s %d: %s\n", e.name, e.index, e.value);
		}
		assert_true(n > 0 && (size_t)n < sizeof(text) - len);
		len += (size_t)n;
	}
	return text;
}

/* The edits of a message from a client that is not judged: the
 * forgeries go, nothing is added. */
static void
expect_cleaned_not_marked(void)
{
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	assert_int_equal(ev_header(AR, GENUINE), SESSION_CONTINUE);
	assert_int_equal(ev_header(AR, FORGED), SESSION_CONTINUE);
	assert_int_equal(ev_header(SCORE, "-10"), SESSION_CONTINUE);
	assert_string_equal(ev_eom(), "-" AR " 2\n-" SCORE " 1\n");
}

static void
expect_reply(enum session_action want, const char *rcode,
    const char *xcode, const char *text)
{
	assert_int_equal(ans.action, want);
	assert_non_null(ans.reply.rcode);
	assert_string_equal(ans.reply.rcode, rcode);
	assert_string_equal(ans.reply.xcode, xcode);
	assert_string_equal(ans.reply.text, text);
}

/* Decision lines of a verdict ("conn=N action=... iprev=..."): one per
 * verdict reached.  An exemption that spares the lookups (network,
 * authenticated) has an action but no iprev. */
static unsigned
decisions(void)
{
	unsigned n = 0;
	const char *p = logged();

	while ((p = strstr(p, "conn=")) != NULL) {
		const char *eol;

		p += strlen("conn=");
		p += strspn(p, "0123456789");
		eol = p + strcspn(p, "\n");
		if (strncmp(p, " action=", strlen(" action=")) == 0 &&
		    memmem(p, (size_t)(eol - p), " iprev=",
		    strlen(" iprev=")) != NULL)
			n++;
	}
	return n;
}

static void
test_clean_client_is_accepted_and_marked(void **state)
{
	(void)state;
	ev_connect(CLEAN);
	ev_helo("mail.example.com");
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	assert_null(ans.reply.rcode);
	assert_int_equal(ev_header("Subject", "hi"), SESSION_CONTINUE);
	assert_string_equal(ev_eom(),
	    "+" SCORE " 0: 0.0 (dnssec_secure) helo=mail.example.com "
	    "ptr=mail.example.com\n"
	    "+" AR " 0: " ID "; iprev=pass policy.iprev=" CLEAN
	    "\n\t(mail.example.com; dnssec=secure)\n");
	assert_int_equal(log_count(this_conn("action=accept ip=" CLEAN
	    " helo=<mail.example.com> ptr=mail.example.com iprev=pass "
	    "dnssec=secure score=0.0 tags=dnssec_secure ms=")), 1);
}

/* HELO, HELO, MAIL: the last HELO is judged, alone; the first one's
 * lookups are let go. */
static void
test_second_helo_replaces_the_first(void **state)
{
	(void)state;
	ev_connect(CLEAN);
	ev_helo("elsewhere.example.org");
	ev_helo("mail.example.com");
	ev_mail(NULL);
	assert_int_equal(decisions(), 1);
	assert_int_equal(log_count(" helo=<mail.example.com> "), 1);
	assert_int_equal(log_count("elsewhere"), 0);
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	assert_non_null(strstr(ev_eom(), "helo=mail.example.com ptr="));
}

/* Each HELO after MAIL asks for a verdict of its own at the next MAIL;
 * a MAIL without a new HELO reuses the one it has. */
static void
test_verdict_is_reached_once_per_helo(void **state)
{
	(void)state;
	ev_connect(CLEAN);
	ev_helo("mail.example.com");
	ev_mail(NULL);
	ev_mail(NULL);
	assert_int_equal(decisions(), 1);
	ev_helo("mail.example.com");
	ev_mail(NULL);
	assert_int_equal(decisions(), 2);
}

static void
test_postmaster_still_gets_mail_user_does_not(void **state)
{
	(void)state;
	ev_connect(NO_PTR);
	ev_helo("mail.example.com");
	ev_mail(NULL);
	assert_int_equal(ev_rcpt("<PostMaster@example.net>"),
	    SESSION_CONTINUE);
	assert_null(ans.reply.rcode);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	expect_reply(SESSION_TEMPFAIL, "450", "4.7.25", NO_PTR_REPLY);
	assert_int_equal(ev_rcpt("abuse"), SESSION_CONTINUE);
	assert_int_equal(ev_rcpt("<abuse@other.example.org>"),
	    SESSION_CONTINUE);
	/* Only the local part counts, and all of it. */
	assert_int_equal(ev_rcpt("<postmaster.x@example.net>"),
	    SESSION_TEMPFAIL);
	assert_int_equal(ev_rcpt("<user@postmaster>"), SESSION_TEMPFAIL);
	assert_int_equal(ev_rcpt(NULL), SESSION_TEMPFAIL);
	assert_int_equal(decisions(), 1);
}

static void
test_reject_score_rejects_with_5_7_25(void **state)
{
	(void)state;
	use_policy("reject_score = 5\nexempt_recipients = none");
	ev_connect(NO_PTR);
	ev_mail(NULL);
	assert_int_equal(ev_rcpt("<postmaster@example.net>"),
	    SESSION_REJECT);
	expect_reply(SESSION_REJECT, "550", "5.7.25", NO_PTR_REPLY);
}

/* reply_text reaches RCPT with every '%' doubled for smfi_setreply():
 * the policy's literal one and the HELO's, which is the client's. */
static void
test_reply_text_goes_out_with_percent_doubled(void **state)
{
	(void)state;
	use_policy("reply_text = 100%% sure: %{reason} [%{ip}], "
	    "HELO %{helo}; see https://mx.example.net/rdns?ip=%{ip}");
	ev_connect(NO_PTR);
	ev_helo("pc%s\r\n%n");
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	expect_reply(SESSION_TEMPFAIL, "450", "4.7.25", "100%% sure: cannot "
	    "find your reverse hostname [" NO_PTR "], HELO pc%%s??%%n; see "
	    "https://mx.example.net/rdns?ip=" NO_PTR);
	/* The next event's answer has no reply of its own. */
	ev_helo("mail.example.com");
	assert_null(ans.reply.rcode);
	assert_string_equal(ans.reply.text, "");
}

static void
test_dry_run_refuses_nobody(void **state)
{
	(void)state;
	use_policy("mode = dry-run");
	ev_connect(NO_PTR);
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	assert_null(ans.reply.rcode);
	assert_non_null(strstr(ev_eom(), "+" AR " 0: " ID
	    "; iprev=permerror"));
}

/* An authenticated MAIL is not judged and waits for nothing, but its
 * forgeries go; the next MAIL of the connection is judged again. */
static void
test_authenticated_mail_is_cleaned_not_judged(void **state)
{
	(void)state;
	ev_connect(NO_PTR);
	ev_helo("mail.example.com");
	ev_mail("alice");
	assert_int_equal(decisions(), 0);
	assert_int_equal(log_count(this_conn("action=accept ip=" NO_PTR
	    " msg=1 exempt=authenticated\n")), 1);
	expect_cleaned_not_marked();

	ev_mail("");
	assert_int_equal(decisions(), 1);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
}

/* The verdict a connection already has is neither enforced on nor
 * written into an authenticated message, and holds again after it. */
static void
test_authenticated_mail_after_a_verdict_goes_unmarked(void **state)
{
	(void)state;
	ev_connect(NO_PTR);
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	ev_abort();
	ev_mail("alice");
	expect_cleaned_not_marked();
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	assert_non_null(strstr(ev_eom(), "+" AR " 0: " ID
	    "; iprev=permerror"));
	assert_int_equal(decisions(), 1);
}

static void
test_authenticated_mail_is_judged_when_not_exempt(void **state)
{
	(void)state;
	use_policy("exempt_authenticated = no");
	ev_connect(NO_PTR);
	ev_mail("alice");
	assert_int_equal(decisions(), 1);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
}

struct forged_row {
	const char *name;
	/* The message's headers in order: F a forgery (our authserv-id),
	 * G a genuine one of another host, S the score header, O another
	 * header. */
	const char *headers;
	const char *want;		/* the deletions, in order */
};

/* Sends the headers that spec names. */
static void
send_headers(const char *spec)
{
	for (const char *c = spec; *c != '\0'; c++) {
		switch (*c) {
		case 'F':
			assert_int_equal(ev_header(AR, FORGED),
			    SESSION_CONTINUE);
			break;
		case 'G':
			assert_int_equal(ev_header(AR, GENUINE),
			    SESSION_CONTINUE);
			break;
		case 'S':
			assert_int_equal(ev_header(SCORE, "-10"),
			    SESSION_CONTINUE);
			break;
		case 'O':
			assert_int_equal(ev_header("Received", "from x"),
			    SESSION_CONTINUE);
			break;
		default:
			fail_msg("unknown header kind %c", *c);
		}
	}
}

/* The deletions among the edits: the lines before the first insertion. */
static const char *
deletions(const char *edits)
{
	static char text[EDITS_MAX];
	const char *ins = strchr(edits, '+');
	size_t n = ins != NULL ? (size_t)(ins - edits) : strlen(edits);

	memcpy(text, edits, n);
	text[n] = '\0';
	return text;
}

static void
test_forgeries_go_wherever_they_are(void **state)
{
	static const struct forged_row rows[] = {
		{ "none", "GOG", "" },
		{ "first", "FGG", "-" AR " 1\n" },
		{ "middle", "GFG", "-" AR " 2\n" },
		{ "last", "GGF", "-" AR " 3\n" },
		{ "all, highest first", "FFF",
		    "-" AR " 3\n-" AR " 2\n-" AR " 1\n" },
		{ "among other headers", "OFOGSOF",
		    "-" AR " 3\n-" AR " 1\n-" SCORE " 1\n" },
		{ "score headers, highest first", "SGSS",
		    "-" SCORE " 3\n-" SCORE " 2\n-" SCORE " 1\n" },
	};

	(void)state;
	ev_connect(CLEAN);
	ev_helo("mail.example.com");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *edits;

		ev_mail(NULL);
		send_headers(rows[i].headers);
		edits = ev_eom();
		if (strcmp(deletions(edits), rows[i].want) != 0)
			fail_msg("row \"%s\": edits\n%swant deletions\n%s",
			    rows[i].name, edits, rows[i].want);
		/* Ours come after the deletions, score header first. */
		if (strstr(edits, "+" SCORE " 0: ") == NULL ||
		    strstr(edits, "+" AR " 0: ") <
		    strstr(edits, "+" SCORE " 0: "))
			fail_msg("row \"%s\": our headers\n%s", rows[i].name,
			    edits);
	}
}

/* 65 forgeries, each after a genuine header (one more than any fixed
 * table of 64 would hold): all 65 go, from index 130 down to 2. */
static void
test_sixty_five_forgeries_all_go_highest_first(void **state)
{
	char want[EDITS_MAX];
	size_t len = 0;
	int n;

	(void)state;
	ev_connect(CLEAN);
	ev_mail(NULL);
	for (unsigned i = 0; i < 65; i++)
		send_headers("GF");
	for (unsigned i = 65; i > 0; i--) {
		n = snprintf(want + len, sizeof(want) - len, "-" AR " %u\n",
		    2 * i);
		assert_true(n > 0 && (size_t)n < sizeof(want) - len);
		len += (size_t)n;
	}
	assert_string_equal(deletions(ev_eom()), want);
	assert_int_equal(log_count("removed 65 forged " AR " and 0 " SCORE
	    " header(s)"), 1);
}

/* Ours by its authserv-id however it is written; another host's stays. */
static void
test_forgery_is_told_by_the_authserv_id(void **state)
{
	(void)state;
	ev_connect(CLEAN);
	ev_mail(NULL);
	assert_int_equal(ev_header("authentication-results",
	    "(c) MX.example.net; dkim=pass"), SESSION_CONTINUE);
	assert_int_equal(ev_header(AR, "mx.example.net.evil; none"),
	    SESSION_CONTINUE);
	assert_int_equal(ev_header(AR, "\"" ID "\" ; none"),
	    SESSION_CONTINUE);
	assert_string_equal(deletions(ev_eom()),
	    "-" AR " 3\n-" AR " 1\n");
}

/* An aborted message is forgotten - its forgeries are not the next
 * message's - but the connection keeps its verdict. */
static void
test_abort_forgets_the_message_not_the_verdict(void **state)
{
	(void)state;
	ev_connect(NO_PTR);
	ev_helo("mail.example.com");
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	send_headers("FFS");
	ev_abort();

	ev_mail(NULL);
	assert_int_equal(decisions(), 1);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	expect_reply(SESSION_TEMPFAIL, "450", "4.7.25", NO_PTR_REPLY);
	send_headers("GF");
	assert_string_equal(deletions(ev_eom()), "-" AR " 2\n");

	/* And a message that ended is forgotten too. */
	ev_mail(NULL);
	send_headers("G");
	assert_string_equal(deletions(ev_eom()), "");
	assert_int_equal(decisions(), 1);
}

/* A libmilter connection reused after close: connect without a new
 * negotiation makes a clean session, judged afresh. */
static void
test_reused_connection_starts_clean(void **state)
{
	unsigned long first;

	(void)state;
	ev_connect(NO_PTR);
	ev_mail(NULL);
	send_headers("F");
	first = session_id(s);
	capture(true);
	session_connect(&s, &shared, NULL, &macros, &ans);
	capture(false);
	assert_int_not_equal(session_id(s), first);
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	assert_string_equal(ev_eom(), "");
	assert_int_equal(session_live(), 1);
}

struct helo_row {
	const char *name;
	const char *helos[3];		/* in order, each followed by MAIL */
	enum session_action want[3];	/* RCPT after each */
};

/* For a client whose PTR is fine, with tempfail_score 1, reject_score
 * 2 and helo_not_fqdn weighing 2: pc01 scores 2 (reject),
 * elsewhere.example.org 1 (tempfail), mail.example.com 0 (accept).  A refusal is never undone by a later
 * HELO, only made worse. */
static void
test_later_helo_never_undoes_a_refusal(void **state)
{
	static const struct helo_row rows[] = {
		{ "tempfail, then accept",
		    { "elsewhere.example.org", "mail.example.com" },
		    { SESSION_TEMPFAIL, SESSION_TEMPFAIL } },
		{ "reject, then tempfail, then accept",
		    { "pc01", "elsewhere.example.org", "mail.example.com" },
		    { SESSION_REJECT, SESSION_REJECT, SESSION_REJECT } },
		{ "tempfail, then reject",
		    { "elsewhere.example.org", "pc01" },
		    { SESSION_TEMPFAIL, SESSION_REJECT } },
		{ "accept, then tempfail",
		    { "mail.example.com", "elsewhere.example.org" },
		    { SESSION_CONTINUE, SESSION_TEMPFAIL } },
	};

	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		use_policy("tempfail_score = 1\nreject_score = 2\n"
		    "score.helo_not_fqdn = 2");
		ev_connect(CLEAN);
		for (size_t i = 0; i < 3 && rows[r].helos[i] != NULL; i++) {
			ev_helo(rows[r].helos[i]);
			ev_mail(NULL);
			if (ev_rcpt(USER) != rows[r].want[i])
				fail_msg("row \"%s\": HELO %zu (%s): action "
				    "%d, want %d; log:\n%s", rows[r].name,
				    i + 1, rows[r].helos[i], ans.action,
				    rows[r].want[i], logged());
		}
		session_close(s);
		s = NULL;
		fake_resolver_deliver();
	}
}

/* The headers carry the verdict of the last HELO, RCPT the refusal kept
 * from an earlier one, with its reply; the log says so. */
static void
test_kept_refusal_and_last_verdict_go_separate_ways(void **state)
{
	char reply[512];

	(void)state;
	use_policy("tempfail_score = 1");
	ev_connect(CLEAN);
	ev_helo("pc01");
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	snprintf(reply, sizeof(reply), "%s", ans.reply.text);
	ev_helo("mail.example.com");
	ev_mail(NULL);
	assert_int_equal(log_count(this_conn("ip=" CLEAN " keeps "
	    "action=tempfail from an earlier HELO")), 1);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	expect_reply(SESSION_TEMPFAIL, "450", "4.7.25", reply);
	assert_non_null(strstr(ev_eom(), "+" SCORE " 0: 0.0 (dnssec_secure) "
	    "helo=mail.example.com"));
}

/* The message line: one per message that reaches its end, with the
 * queue ID Postfix sends at end of message (not at MAIL: it opens the
 * queue file at the first accepted recipient). */
static void
test_message_line_names_the_queue_id_sent_at_its_end(void **state)
{
	(void)state;
	queue_at_eom = "4dQz2B0kXzz2";
	ev_connect(CLEAN);
	ev_helo("mail.example.com");
	ev_mail(NULL);
	assert_int_equal(log_count("queue_id="), 0);
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	(void)ev_eom();
	assert_int_equal(log_count(this_conn("msg=1 queue_id=4dQz2B0kXzz2 "
	    "action=accept ip=" CLEAN " helo=<mail.example.com> "
	    "ptr=mail.example.com iprev=pass dnssec=secure score=0.0 "
	    "tags=dnssec_secure ms=")), 1);
	assert_int_equal(log_count(" forged_removed=0 headers=added\n"), 1);
	assert_int_equal(log_count("queue_id="), 1);
}

/* Sendmail sends {i} with MAIL: the decision line has it at its end,
 * and the message line keeps it when end of message sends none. */
static void
test_queue_id_sent_with_mail_reaches_both_lines(void **state)
{
	(void)state;
	queue_at_mail = "0B7KTi2T012345";
	ev_connect(NO_PTR);
	ev_helo("mail.example.com");
	ev_mail(NULL);
	assert_int_equal(log_count(" ms=0 msg=1 queue_id=0B7KTi2T012345\n"),
	    1);
	assert_int_equal(ev_rcpt("<postmaster@example.net>"),
	    SESSION_CONTINUE);
	(void)ev_eom();
	/* Refused, and the message went through for postmaster only. */
	assert_int_equal(log_count(this_conn("msg=1 queue_id=0B7KTi2T012345 "
	    "action=tempfail ip=" NO_PTR)), 1);
	assert_int_equal(log_count(" exempt=recipient forged_removed=0 "
	    "headers=added\n"), 1);
}

/* exempt=recipient says that one passed a refusal, not that the client
 * was refused: with none (an MTA that sends end of message anyway, or
 * dry run), the line does not say it. */
static void
test_message_line_says_recipient_only_when_one_passed(void **state)
{
	(void)state;
	ev_connect(NO_PTR);
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	(void)ev_eom();
	assert_int_equal(log_count(" exempt="), 0);
	ev_mail(NULL);
	assert_int_equal(ev_rcpt("<abuse@example.net>"), SESSION_CONTINUE);
	(void)ev_eom();
	assert_int_equal(log_count(this_conn("msg=2 ")), 1);
	assert_int_equal(log_count(" exempt=recipient "), 1);

	session_close(s);
	s = NULL;
	use_policy("mode = dry-run");
	ev_connect(NO_PTR);
	ev_mail(NULL);
	assert_int_equal(ev_rcpt("<abuse@example.net>"), SESSION_CONTINUE);
	(void)ev_eom();
	assert_int_equal(log_count(this_conn("msg=1 queue_id=- "
	    "action=tempfail ")), 1);
	assert_int_equal(log_count(" exempt=recipient "), 1);
	assert_int_equal(log_count(" mode=dry-run forged_removed=0 "
	    "headers=added\n"), 1);
}

/* Judged or not, every message has its line, numbered in the
 * connection; an aborted message has none, and a message's queue ID is
 * not the next one's. */
static void
test_every_message_has_its_line_judged_or_not(void **state)
{
	(void)state;
	use_policy("exempt_networks = 198.51.100.0/24");
	queue_at_eom = "AAA111";
	ev_connect(NO_PTR);
	ev_mail(NULL);
	expect_cleaned_not_marked();
	assert_int_equal(log_count(this_conn("msg=1 queue_id=AAA111 "
	    "action=accept ip=" NO_PTR " exempt=network forged_removed=2 "
	    "headers=none\n")), 1);
	ev_mail(NULL);
	ev_abort();
	queue_at_eom = NULL;
	ev_mail(NULL);
	(void)ev_eom();
	assert_int_equal(log_count("msg=2 "), 0);
	assert_int_equal(log_count(this_conn("msg=3 queue_id=- "
	    "action=accept ip=" NO_PTR " exempt=network forged_removed=0 "
	    "headers=none\n")), 1);

	session_close(s);
	s = NULL;
	use_policy("");
	ev_connect(NO_PTR);
	ev_mail("alice");
	(void)ev_eom();
	assert_int_equal(log_count(this_conn("msg=1 queue_id=- "
	    "action=accept ip=" NO_PTR " exempt=authenticated "
	    "forged_removed=0 headers=none\n")), 1);

	session_close(s);
	s = NULL;
	ev_connect(NULL);
	ev_mail(NULL);
	(void)ev_eom();
	assert_int_equal(log_count(this_conn("msg=1 queue_id=- "
	    "action=accept ip=- exempt=no_address forged_removed=0 "
	    "headers=none\n")), 1);
}

/* {i} is taken as hostile: bounded when kept, tamed when shown, in the
 * text line and in JSON alike. */
static void
test_hostile_queue_id_is_bounded_and_tamed(void **state)
{
	char long_id[2001];

	(void)state;
	memset(long_id, 'Q', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	queue_at_eom = "A B\r\n\"x\\=";
	ev_connect(CLEAN);
	ev_mail(NULL);
	(void)ev_eom();
	assert_int_equal(log_count(" queue_id=A?B???x?? action=accept "), 1);

	queue_at_eom = long_id;
	ev_mail(NULL);
	(void)ev_eom();
	assert_int_equal(log_count(" queue_id="
	    "QQQQQQQQQQQQQQQQQQQQQQQQQQQQQ... action=accept "), 1);

	use_policy("log_format = json");
	session_close(s);
	s = NULL;
	queue_at_eom = "A B\r\n\"x\\=";
	ev_connect(CLEAN);
	ev_mail(NULL);
	(void)ev_eom();
	assert_int_equal(log_count("\"queue_id\":\"A?B???x??\","), 1);
}

/* log_format = json: the decision and the message line are one JSON
 * object each; the other lines stay text. */
static void
test_json_format_writes_both_lines_as_objects(void **state)
{
	char want[256];

	(void)state;
	use_policy("log_format = json");
	queue_at_eom = "4dQz2B0kXzz2";
	ev_connect(NO_PTR);
	ev_helo("pc\"01");
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	assert_int_equal(ev_rcpt("<postmaster@example.net>"),
	    SESSION_CONTINUE);
	assert_int_equal(ev_header(AR, FORGED), SESSION_CONTINUE);
	(void)ev_eom();
	snprintf(want, sizeof(want), "ptrmilter: info: {\"event\":\"decision\","
	    "\"conn\":%lu,\"msg\":1,\"queue_id\":null,\"ip\":\"" NO_PTR "\","
	    "\"helo\":\"pc\\\"01\",\"ptr\":null,\"iprev\":\"permerror\",",
	    session_id(s));
	assert_int_equal(log_count(want), 1);
	snprintf(want, sizeof(want), "ptrmilter: info: {\"event\":\"message\","
	    "\"conn\":%lu,\"msg\":1,\"queue_id\":\"4dQz2B0kXzz2\",",
	    session_id(s));
	assert_int_equal(log_count(want), 1);
	assert_int_equal(log_count("\"action\":\"tempfail\",\"mode\":"
	    "\"enforce\",\"enforced\":true,\"exemption\":\"recipient\","), 1);
	assert_int_equal(log_count("\"forged_removed\":1,"
	    "\"headers_added\":true}\n"), 1);
	assert_int_equal(log_count("removed 1 forged " AR), 1);
	assert_int_equal(log_count(" action="), 0);
}

static void
test_exempt_network_is_cleaned_not_judged(void **state)
{
	(void)state;
	use_policy("exempt_networks = 198.51.100.0/24");
	ev_connect(NO_PTR);
	assert_int_equal(log_count(this_conn("action=accept ip=" NO_PTR
	    " exempt=network:198.51.100.0/24\n")), 1);
	ev_helo("pc01");
	ev_mail(NULL);
	assert_int_equal(fake_resolver_sent("21.100.51.198.in-addr.arpa"), 0);
	assert_int_equal(decisions(), 0);
	expect_cleaned_not_marked();
}

/* An entry from a list file names the file and line it came from. */
static void
test_exempt_network_from_a_list_names_file_and_line(void **state)
{
	char path[] = "/tmp/test_session_list.XXXXXX", conf[128], want[256];
	static const char list[] = "# partners\n198.51.100.0/24\n";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, list, sizeof(list) - 1),
	    (ssize_t)sizeof(list) - 1);
	assert_int_equal(fchmod(fd, 0644), 0);
	close(fd);
	snprintf(conf, sizeof(conf), "exempt_networks = ::1 file:%s", path);
	use_policy(conf);
	unlink(path);
	ev_connect(NO_PTR);
	snprintf(want, sizeof(want), "action=accept ip=" NO_PTR
	    " exempt=network:198.51.100.0/24 list=%s:2\n", path);
	assert_int_equal(log_count(this_conn(want)), 1);
	ev_mail(NULL);
	assert_int_equal(decisions(), 0);
	expect_cleaned_not_marked();
}

/* A confirmed PTR name in exempt_ptr_domains: accepted whatever the
 * score, the headers tell the truth, the decision line names the entry. */
static void
test_confirmed_ptr_in_exempt_domain_is_accepted(void **state)
{
	(void)state;
	use_policy("exempt_ptr_domains = Example.COM.\ntempfail_score = 0.5");
	ev_connect(CLEAN);
	ev_helo("pc01");
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	assert_null(ans.reply.rcode);
	assert_int_equal(log_count(this_conn("action=accept ip=" CLEAN
	    " helo=<pc01> ptr=mail.example.com iprev=pass")), 1);
	assert_int_equal(log_count(" exempt=ptr_domain:example.com\n"), 1);
	assert_string_equal(ev_eom(), "+" SCORE " 0: 1.0 (helo_not_fqdn "
	    "dnssec_secure) helo=pc01 ptr=mail.example.com\n"
	    "+" AR " 0: " ID "; iprev=pass policy.iprev=" CLEAN
	    "\n\t(mail.example.com; dnssec=secure)\n");
}

/* Only the name that forward-confirms counts: an unconfirmed PTR in the
 * domain, a confirmed one elsewhere next to it, a bogus forward answer,
 * a DNS failure - none exempts. */
static void
test_only_a_confirmed_ptr_name_exempts(void **state)
{
	static const struct {
		const char *ip;
		const char *policy;
	} rows[] = {
		{ "198.51.100.22", "" },		/* iprev=fail */
		{ "198.51.100.24", "" },		/* pass, as mx.example.net */
		{ "198.51.100.25", "on_dns_error = tempfail" },	/* bogus */
		{ "198.51.100.26", "on_dns_error = tempfail" },	/* SERVFAIL */
	};
	char conf[256];

	(void)state;
	add_rule("22.100.51.198.in-addr.arpa", DNS_TYPE_PTR, DNS_OK,
	    "mail.example.com");
	fake_resolver_add(&(struct fake_rule){ .name =
	    "24.100.51.198.in-addr.arpa", .rrtype = DNS_TYPE_PTR,
	    .status = DNS_OK, .dnssec = DNSSEC_SECURE, .ttl = 300,
	    .data = { "mail.example.com", "mx.example.net" } });
	add_rule("mx.example.net", DNS_TYPE_A, DNS_OK, "198.51.100.24");
	add_rule("25.100.51.198.in-addr.arpa", DNS_TYPE_PTR, DNS_OK,
	    "mx.bogus.example.com");
	fake_resolver_add(&(struct fake_rule){ .name = "mx.bogus.example.com",
	    .rrtype = DNS_TYPE_A, .status = DNS_BOGUS,
	    .dnssec = DNSSEC_BOGUS, .why_bogus = "signature expired" });
	add_rule("26.100.51.198.in-addr.arpa", DNS_TYPE_PTR, DNS_TEMPFAIL,
	    NULL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(conf, sizeof(conf), "exempt_ptr_domains = example.com"
		    "\ntempfail_score = 0.5\n%s", rows[i].policy);
		use_policy(conf);
		ev_connect(rows[i].ip);
		ev_helo("pc01");
		ev_mail(NULL);
		if (ev_rcpt(USER) != SESSION_TEMPFAIL)
			fail_msg("%s: not refused", rows[i].ip);
		session_close(s);
		s = NULL;
	}
	assert_int_equal(decisions(), 4);
	assert_int_equal(log_count("exempt="), 0);
	/* The confirmed name's domain exempts it. */
	use_policy("exempt_ptr_domains = example.net\ntempfail_score = 0.5");
	ev_connect("198.51.100.24");
	ev_helo("pc01");
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	assert_int_equal(log_count(" exempt=ptr_domain:example.net\n"), 1);
}

/* Local parts, whole addresses and domains; each waiver logged with the
 * entry and the refusal; hostile forms never waive. */
static void
test_exempt_recipient_forms_waive_and_say_so(void **state)
{
	static const struct {
		const char *rcpt;
		enum session_action want;
	} rows[] = {
		{ "<Postmaster@anywhere.example>", SESSION_CONTINUE },
		{ "<abuse@example.net>", SESSION_CONTINUE },
		{ "<abuse@example.com>", SESSION_TEMPFAIL },
		{ "<Anyone@Example.ORG>", SESSION_CONTINUE },
		{ "<@relay.example:x@example.org>", SESSION_CONTINUE },
		{ "<anyone@sub.example.org>", SESSION_TEMPFAIL },
		{ "<x@example.org\r\nX-Forged: yes>", SESSION_TEMPFAIL },
		{ "<\"x\"@example.org", SESSION_CONTINUE },
		{ "<>", SESSION_TEMPFAIL },
		{ USER, SESSION_TEMPFAIL },
	};
	char huge[4096];

	(void)state;
	use_policy("exempt_recipients = postmaster abuse@example.net "
	    "@example.org");
	ev_connect(NO_PTR);
	ev_mail(NULL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (ev_rcpt(rows[i].rcpt) != rows[i].want)
			fail_msg("%s: answer %d", rows[i].rcpt, (int)ans.action);
	memset(huge, 'a', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	memcpy(huge + sizeof(huge) - 14, "@example.org>", 13);
	assert_int_equal(ev_rcpt(huge), SESSION_TEMPFAIL);
	assert_int_equal(log_count(this_conn("ip=" NO_PTR
	    " exempt=recipient:postmaster rcpt=<postmaster@anywhere.example> "
	    "waived=tempfail\n")), 1);
	assert_int_equal(log_count(this_conn("ip=" NO_PTR
	    " exempt=recipient:abuse@example.net rcpt=<abuse@example.net> "
	    "waived=tempfail\n")), 1);
	assert_int_equal(log_count(" exempt=recipient:@example.org "
	    "rcpt=<anyone@example.org> waived=tempfail\n"), 1);
	assert_int_equal(log_count(" exempt=recipient:@example.org "
	    "rcpt=<x@example.org> waived=tempfail\n"), 2);
	assert_int_equal(log_count("exempt=recipient:"), 5);
}

/* No address (non_smtpd_milters, a local socket): not judged, but the
 * forgeries go; the log shows the client as "-". */
static void
test_addressless_client_is_cleaned_not_judged(void **state)
{
	static const char *const clients[] = { NULL, "unix" };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		ev_connect(clients[i]);
		ev_helo("mail.example.com");
		ev_mail(NULL);
		assert_int_equal(decisions(), 0);
		expect_cleaned_not_marked();
		session_close(s);
		s = NULL;
	}
	assert_int_equal(log_count("client without an IP address: not "
	    "judged"), 2);
	assert_int_equal(log_count(" ip=- removed 1 forged " AR " and 1 "
	    SCORE " header(s)"), 2);
}

/* A connection that has no session at MAIL (none could be made at
 * connect) gets one there, unjudged, so its forgeries still go. */
static void
test_session_made_at_mail_still_cleans(void **state)
{
	(void)state;
	ev_mail(NULL);
	assert_non_null(s);
	expect_cleaned_not_marked();
}

/* Without a session there is no way to count the forgeries: the message
 * is deferred rather than passed with them. */
static void
test_no_session_defers_the_message(void **state)
{
	(void)state;
	capture(true);
	session_header(NULL, AR, FORGED, &ans);
	capture(false);
	assert_int_equal(ans.action, SESSION_TEMPFAIL);
	capture(true);
	session_eom(NULL, &macros, &ans);
	capture(false);
	assert_int_equal(ans.action, SESSION_TEMPFAIL);
	assert_int_equal(ans.nedits, 0);
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
}

/* A forgery that cannot be remembered defers the message; the next one
 * starts clean. */
static void
test_forgery_not_remembered_defers_the_message(void **state)
{
	static const unsigned before[] = { 0, 8 };

	(void)state;
	ev_connect(CLEAN);
	for (size_t i = 0; i < 2; i++) {
		ev_mail(NULL);
		for (unsigned k = 0; k < before[i]; k++)
			send_headers("F");
		realloc_fails_after = 0;
		assert_int_equal(ev_header(AR, FORGED), SESSION_TEMPFAIL);
		realloc_fails_after = -1;
		assert_null(ans.reply.rcode);
	}
	assert_int_equal(log_count(this_conn("ip=" CLEAN " out of memory "
	    "counting the message's " AR " headers: message deferred")), 2);
	ev_mail(NULL);
	send_headers("GF");
	assert_string_equal(deletions(ev_eom()), "-" AR " 2\n");
}

/* Without authserv_id the MTA's {j} is ours; with neither a usable {j}
 * nor a usable host name, no Authentication-Results is written. */
static void
test_authserv_id_comes_from_the_mta(void **state)
{
	static const struct session_shared nameless = {
		.resolver = RESOLVER, .hostname = "bad name",
	};
	static const struct session_macros bad_j = { .mta_name = "a b" };
	const char *edits;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	(void)state;
	ev_connect(CLEAN);
	ev_mail(NULL);
	assert_non_null(strstr(ev_eom(), "+" AR " 0: " ID "; "));
	session_close(s);
	s = NULL;

	assert_int_equal(inet_pton(AF_INET, CLEAN, &sin.sin_addr), 1);
	capture(true);
	session_negotiate(&s, &nameless);
	session_connect(&s, &nameless, (struct sockaddr *)&sin, &bad_j,
	    &ans);
	capture(false);
	assert_int_equal(log_count("the MTA's name {j} <a b> cannot be an "
	    "authserv-id"), 1);
	assert_int_equal(log_count("the host name <bad name> cannot be an "
	    "authserv-id either"), 1);
	ev_mail(NULL);
	send_headers("F");
	edits = ev_eom();
	assert_non_null(strstr(edits, "+" SCORE " 0: "));
	assert_null(strstr(edits, AR));
}

/* Greylisting over the memory engine, which keeps records as LMDB and
 * Redis do: the clock cannot be set, so a retry "after the delay" is a
 * first attempt written into the store as made 400 s ago. */
/* The connection under test ends; the next ev_connect() makes one. */
static void
next_connection(void)
{
	session_close(s);
	s = NULL;
}

static void
use_memory_store(void)
{
	struct state_spec spec;
	char err[64];

	assert_int_equal(state_spec_parse("none", &spec, err, sizeof(err)), 0);
	shared.state = state_store_open(&spec, 1000, NULL, NULL);
	assert_non_null(shared.state);
}

static void
first_attempt_ago(const char *ip, const char *from, const char *to,
    unsigned seconds)
{
	struct addr a;
	struct cidr net;
	char key[GREYLIST_KEY_MAX];
	unsigned char then[STATE_TIME_SIZE];

	assert_int_equal(addr_parse(ip, &a), 0);
	assert_int_equal(greylist_network(&a, 24, 64, &net), 0);
	assert_int_equal(greylist_triplet_key(&net, from, to, key,
	    sizeof(key)), 0);
	state_time_put((int64_t)time(NULL) - seconds, then);
	assert_int_equal(state_set(shared.state, key, then, sizeof(then),
	    86400), STATE_OK);
}

static void
band_client_mail(const char *policy, const char *from)
{
	use_policy(policy);
	sender_at_mail = from;
	ev_connect(UNCONFIRMED);
	ev_helo("elsewhere.example.com");
	ev_mail(NULL);
}

static void
test_greylist_defers_first_attempt_then_passes_network(void **state)
{
	(void)state;
	use_memory_store();
	band_client_mail("greylist_score = 3", "<a@Example.org>");
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	expect_reply(SESSION_TEMPFAIL, "451", "4.7.1", "Greylisted: your "
	    "first attempt from this network, please try again in 300 "
	    "seconds");
	assert_true(strlen(ans.reply.text) + 12 <= 512);
	assert_int_equal(log_count("action=greylist ip=" UNCONFIRMED
	    " greylist=new retry_in=300s"), 1);
	/* at once again: too early */
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	assert_int_equal(log_count("greylist=early"), 1);
	/* postmaster is never greylisted */
	assert_int_equal(ev_rcpt("<postmaster@example.net>"),
	    SESSION_CONTINUE);
	assert_int_equal(log_count("exempt=recipient:postmaster "
	    "greylist=skipped"), 1);
	/* the retry after the delay, from a neighbour of the same /24 */
	next_connection();
	first_attempt_ago("198.51.100.99", "<a@example.ORG>", USER, 400);
	band_client_mail("greylist_score = 3", "<a@Example.org>");
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	assert_null(ans.reply.rcode);
	assert_int_equal(log_count("greylist=passed"), 1);
	/* now any triplet of the network passes */
	assert_int_equal(ev_rcpt("<other@example.net>"), SESSION_CONTINUE);
	assert_int_equal(log_count("greylist=known"), 1);
}

static void
test_greylist_retry_after_the_window_starts_over(void **state)
{
	(void)state;
	use_memory_store();
	first_attempt_ago(UNCONFIRMED, "<a@example.org>", USER, 7200);
	band_client_mail("greylist_score = 3\ngreylist_window = 1h",
	    "<a@example.org>");
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	assert_int_equal(log_count("greylist=expired retry_in=300s"), 1);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	assert_int_equal(log_count("greylist=early"), 1);
}

static void
test_greylist_dry_run_defers_nothing(void **state)
{
	(void)state;
	use_memory_store();
	band_client_mail("greylist_score = 3\nmode = dry-run",
	    "<a@example.org>");
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	assert_null(ans.reply.rcode);
	assert_int_equal(log_count("action=greylist ip=" UNCONFIRMED
	    " greylist=new retry_in=300s mode=dry-run"), 1);
}

static void
test_greylist_spares_what_is_outside_the_band(void **state)
{
	(void)state;
	use_memory_store();
	/* off by default */
	band_client_mail("", "<a@example.org>");
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	next_connection();
	/* score 4 below greylist_score 4.5 */
	band_client_mail("greylist_score = 4.5", "<a@example.org>");
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	next_connection();
	/* authenticated */
	use_policy("greylist_score = 3");
	ev_connect(UNCONFIRMED);
	ev_mail("alice");
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	next_connection();
	/* an exempt network, and a tempfail left to its own reply */
	use_policy("greylist_score = 3\nexempt_networks = 198.51.100.0/24");
	ev_connect(UNCONFIRMED);
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	next_connection();
	use_policy("greylist_score = 3");
	ev_connect(NO_PTR);
	ev_mail(NULL);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
	expect_reply(SESSION_TEMPFAIL, "450", "4.7.25", NO_PTR_REPLY);
	assert_int_equal(log_count("greylist="), 0);
}

static void
test_greylist_fails_open_without_a_store(void **state)
{
	(void)state;
	band_client_mail("greylist_score = 3", "<a@example.org>");
	assert_int_equal(ev_rcpt(USER), SESSION_CONTINUE);
	assert_int_equal(log_count("action=accept ip=" UNCONFIRMED
	    " greylist=failopen"), 1);
}

/* A state store that takes slow_ms per call, as a distant or loaded
 * Redis would, but never past its deadline: what it has not done by then
 * it has not done (STATE_DOWN).  Its streak for every address began ten
 * minutes ago, so the session's second call (touch) is made. */
static unsigned slow_ms;
static int slow_calls, slow_done;

static enum state_result
slow_call(struct state_request *req)
{
	struct timespec until = monotime_add_ms(monotime_now(), slow_ms);
	bool late = monotime_diff_us(until, req->deadline) < 0;

	slow_calls++;
	if (late)
		until = req->deadline;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until,
	    NULL) != 0)
		continue;
	if (late)
		return STATE_DOWN;
	slow_done++;
	return STATE_OK;
}

static int
slow_open(const struct state_spec *spec, struct state_request *req,
    void **handle)
{
	(void)spec, (void)req;
	*handle = &slow_ms;
	return 0;
}

static int
slow_close(void *handle, struct state_request *req)
{
	(void)handle, (void)req;
	return 0;
}

static enum state_result
slow_get(void *h, struct state_request *req, const char *key, size_t keylen,
    unsigned char *value, size_t *len)
{
	(void)h, (void)key, (void)keylen, (void)value, (void)len;
	return slow_call(req) == STATE_OK ? STATE_MISSING : STATE_DOWN;
}

static enum state_result
slow_set(void *h, struct state_request *req, const char *key, size_t keylen,
    const unsigned char *value, size_t len, unsigned ttl_s)
{
	(void)h, (void)key, (void)keylen, (void)value, (void)len, (void)ttl_s;
	return slow_call(req);
}

static enum state_result
slow_add(void *h, struct state_request *req, const char *key, size_t keylen,
    const unsigned char *value, size_t len, unsigned ttl_s,
    unsigned char *current, size_t *current_len)
{
	(void)h, (void)key, (void)keylen, (void)value, (void)len, (void)ttl_s;
	if (slow_call(req) != STATE_OK)
		return STATE_DOWN;
	state_time_put((int64_t)time(NULL) - 600, current);
	*current_len = STATE_TIME_SIZE;
	return STATE_EXISTS;
}

static enum state_result
slow_touch(void *h, struct state_request *req, const char *key,
    size_t keylen, unsigned ttl_s)
{
	(void)h, (void)key, (void)keylen, (void)ttl_s;
	return slow_call(req);
}

static enum state_result
slow_del(void *h, struct state_request *req, const char *key, size_t keylen)
{
	(void)h, (void)key, (void)keylen;
	return slow_call(req);
}

static const struct state_engine_ops slow_ops = {
	"slow", slow_open, slow_close, slow_get, slow_set, slow_add,
	slow_touch, slow_del, NULL,	/* a batch runs the single ops */
};

/* dns_timeout is the whole session's bound, the store's time included:
 * a client whose PTR lookup never answers, with tempfail_limit and a
 * store whose calls take 150 ms of a 200 ms state_timeout, has its
 * verdict within dns_timeout (1 s), not 1 s + the store's batch.  The
 * lookups leave the store its share (one state_timeout, at most a fifth
 * of dns_timeout): the streak's batch (add, touch: run one by one by an
 * engine without batches) has its add made in full and its touch cut at
 * dns_timeout - and, cut by the session's bound rather than by the
 * store's, does not take the store down. */
static void
test_store_time_counts_within_dns_timeout(void **state)
{
	static const struct fake_rule silent_ptr = {
		.name = "23.100.51.198.in-addr.arpa", .rrtype = DNS_TYPE_PTR,
		.never = true };
	struct state_spec spec;
	struct timespec start;
	char err[64];
	int64_t ms;

	(void)state;
	fake_resolver_add(&silent_ptr);
	assert_int_equal(state_spec_parse("redis://192.0.2.40", &spec, err,
	    sizeof(err)), 0);
	shared.state = state_store_open_engine(&spec, &slow_ops, NULL, 200,
	    NULL, NULL);
	assert_non_null(shared.state);
	slow_ms = 150;
	slow_calls = slow_done = 0;
	use_policy("on_dns_error = tempfail\ntempfail_limit = 1h\n"
	    "state_timeout = 200ms");
	start = monotime_now();
	ev_connect("198.51.100.23");
	ev_helo("client.example.org");
	ev_mail(NULL);
	ms = monotime_diff_ms(start, monotime_now());
	assert_true(ms >= 990);
	if (ms > 1100)
		fail_msg("the session took %lld ms, dns_timeout is 1000",
		    (long long)ms);
	assert_int_equal(slow_calls, 2);
	assert_int_equal(slow_done, 1);
	assert_true(state_store_up(shared.state));
	assert_int_equal(log_count("iprev=temperror"), 1);
	assert_int_equal(ev_rcpt(USER), SESSION_TEMPFAIL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_clean_client_is_accepted_and_marked),
		T(test_second_helo_replaces_the_first),
		T(test_verdict_is_reached_once_per_helo),
		T(test_postmaster_still_gets_mail_user_does_not),
		T(test_greylist_defers_first_attempt_then_passes_network),
		T(test_greylist_retry_after_the_window_starts_over),
		T(test_greylist_dry_run_defers_nothing),
		T(test_greylist_spares_what_is_outside_the_band),
		T(test_greylist_fails_open_without_a_store),
		T(test_store_time_counts_within_dns_timeout),
		T(test_reject_score_rejects_with_5_7_25),
		T(test_reply_text_goes_out_with_percent_doubled),
	T(test_dry_run_refuses_nobody),
		T(test_authenticated_mail_is_cleaned_not_judged),
		T(test_authenticated_mail_after_a_verdict_goes_unmarked),
		T(test_authenticated_mail_is_judged_when_not_exempt),
		T(test_forgeries_go_wherever_they_are),
		T(test_sixty_five_forgeries_all_go_highest_first),
		T(test_forgery_is_told_by_the_authserv_id),
		T(test_abort_forgets_the_message_not_the_verdict),
		T(test_reused_connection_starts_clean),
		T(test_later_helo_never_undoes_a_refusal),
		T(test_kept_refusal_and_last_verdict_go_separate_ways),
		T(test_message_line_names_the_queue_id_sent_at_its_end),
		T(test_queue_id_sent_with_mail_reaches_both_lines),
		T(test_message_line_says_recipient_only_when_one_passed),
		T(test_every_message_has_its_line_judged_or_not),
		T(test_hostile_queue_id_is_bounded_and_tamed),
		T(test_json_format_writes_both_lines_as_objects),
		T(test_exempt_network_is_cleaned_not_judged),
		T(test_exempt_network_from_a_list_names_file_and_line),
		T(test_confirmed_ptr_in_exempt_domain_is_accepted),
		T(test_only_a_confirmed_ptr_name_exempts),
		T(test_exempt_recipient_forms_waive_and_say_so),
		T(test_addressless_client_is_cleaned_not_judged),
		T(test_session_made_at_mail_still_cleans),
		T(test_no_session_defers_the_message),
		T(test_forgery_not_remembered_defers_the_message),
		T(test_authserv_id_comes_from_the_mta),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, unit_regdom_teardown);
}
