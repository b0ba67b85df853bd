/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_resolver_restart.c - the real resolver over libunbound, when
 * libunbound's answer pipe breaks: the break is logged at error and
 * counted, a query the old context owed is called back once with
 * DNS_TEMPFAIL, and lookups answer again from a new context.  And the
 * DNS outage breaker wired into it: silence opens it, the queries still
 * waiting end at once, every session lookup is refused while it is open
 * (none is let through to wait), and the probe's answer closes it - also
 * when the zone that went silent stays dead and only a name refused since
 * then answers.
 *
 * Hermetic: libunbound answers ok.test from local data; hole.example is a
 * stub zone whose server is a UDP socket of this test, which replies only
 * when the test says so.  The break is made by resolver_test_break(),
 * compiled in for tests only.
 */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "metrics.h"
#include "resolver.h"

/* Generous: each wait ends as soon as its event happens. */
#define WAIT_MS 10000

/* One lookup's outcome, filled by its callback. */
struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int calls;
	enum dns_status status;
	uint8_t addr[4];
};

static char dir[] = "/tmp/ptrmilter-restart.XXXXXX";
static char conf_path[256];
static char log_path[256];
static int hole = -1;		/* the silent server's socket */
static int saved_stderr = -1;

static void
on_answer(void *arg, const struct dns_answer *a)
{
	struct waiter *w = arg;

	pthread_mutex_lock(&w->lock);
	w->calls++;
	w->status = a->status;
	if (a->status == DNS_OK && a->count > 0 && a->rr[0].len == 4)
		memcpy(w->addr, a->rr[0].data, 4);
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

static void
waiter_init(struct waiter *w)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
}

static void
waiter_destroy(struct waiter *w)
{
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
}

/* Waits up to ms for the callback; returns how often it ran. */
static int
waiter_wait(struct waiter *w, unsigned ms)
{
	struct timespec until;
	int calls;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	while (w->calls == 0 &&
	    pthread_cond_timedwait(&w->changed, &w->lock, &until) == 0)
		;
	calls = w->calls;
	pthread_mutex_unlock(&w->lock);
	return calls;
}

/* One lookup of ok.test, waited for; true if it answered 192.0.2.1. */
static bool
lookup_ok(struct resolver *r)
{
	struct waiter w;
	struct dns_query *q;
	bool ok;

	waiter_init(&w);
	q = resolver_query(r, "ok.test", DNS_TYPE_A, on_answer, &w);
	ok = q != NULL && waiter_wait(&w, WAIT_MS) == 1 &&
	    w.status == DNS_OK &&
	    memcmp(w.addr, (const uint8_t[]){ 192, 0, 2, 1 }, 4) == 0;
	resolver_release(q);
	waiter_destroy(&w);
	return ok;
}

static void
nap_ms(unsigned ms)
{
	nanosleep(&(struct timespec){ ms / 1000, (long)(ms % 1000) * 1000000L },
	    NULL);
}

static bool
log_has(const char *text)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(log_path, "r");

	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

/* The silent server, and a libunbound configuration that answers
 * ok.test itself and sends hole.example to that server. */
static int
setup(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	FILE *f;
	int fd;

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	hole = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (hole == -1 || bind(hole, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(hole, (struct sockaddr *)&sin, &len) == -1)
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/unbound.conf", dir);
	snprintf(log_path, sizeof(log_path), "%s/log", dir);
	f = fopen(conf_path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "server:\n"
	    "\tdo-not-query-localhost: no\n"
	    "\tdo-ip6: no\n"
	    "\tlocal-zone: \".\" static\n"
	    "\tlocal-data: \". 300 IN NS ns.test.\"\n"
	    "\tlocal-data: \"ok.test. 300 IN A 192.0.2.1\"\n"
	    "\tlocal-zone: \"hole.example.\" transparent\n"
	    "stub-zone:\n"
	    "\tname: \"hole.example.\"\n"
	    "\tstub-addr: 127.0.0.1@%u\n", (unsigned)ntohs(sin.sin_port));
	fclose(f);
	/* The log goes to stderr; stderr goes to a file the test reads. */
	fflush(stderr);
	saved_stderr = dup(2);
	fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || saved_stderr == -1 || dup2(fd, 2) == -1)
		return -1;
	close(fd);
	log_open("test_resolver_restart", true, false);
	return 0;
}

/* stderr back, with what went to the file meanwhile (the log and
 * cmocka's own messages) copied to it for the test's log. */
static int
teardown(void **state)
{
	char buf[4096];
	size_t n;
	FILE *f;

	(void)state;
	fflush(stderr);
	if (saved_stderr != -1)
		dup2(saved_stderr, 2);
	f = fopen(log_path, "r");
	while (f != NULL && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	if (f != NULL)
		fclose(f);
	if (hole != -1)
		close(hole);
	unlink(conf_path);
	unlink(log_path);
	rmdir(dir);
	return 0;
}

static void
test_broken_pipe_is_logged_counted_and_mended(void **state)
{
	struct resolver_config cfg;
	struct metrics_values before, after;
	struct resolver *r;
	struct waiter owed;
	struct dns_query *q;
	char err[512];
	bool again = false;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.unbound_config = conf_path;
	r = resolver_create(&cfg, err, sizeof(err));
	if (r == NULL)
		fail_msg("resolver_create: %s", err);
	assert_true(lookup_ok(r));

	/* A query the old context will owe when it breaks. */
	waiter_init(&owed);
	q = resolver_query(r, "x.hole.example", DNS_TYPE_A, on_answer, &owed);
	assert_non_null(q);
	assert_int_equal(waiter_wait(&owed, 100), 0);

	metrics_read(&before);
	assert_int_equal(resolver_test_break(r), 0);

	/* Called back once, as a resolver failure, by the resolver. */
	assert_int_equal(waiter_wait(&owed, WAIT_MS), 1);
	assert_int_equal(owed.status, DNS_TEMPFAIL);

	/* Lookups answer again: not temperror until a restart. */
	for (int i = 0; i < WAIT_MS / 50 && !again; i++) {
		again = lookup_ok(r);
		if (!again)
			nap_ms(50);
	}
	assert_true(again);
	assert_true(lookup_ok(r));

	resolver_release(q);
	assert_int_equal(waiter_wait(&owed, 50), 1);
	waiter_destroy(&owed);

	metrics_read(&after);
	assert_int_equal(after.resolver_restarts - before.resolver_restarts, 1);
	resolver_destroy(r);
	fflush(stderr);
	assert_true(log_has("libunbound stopped answering"));
	assert_true(log_has("a new libunbound context is in place"));
}

/* Answers every query waiting at the silent server with NXDOMAIN, for up
 * to ms or until the breaker closes; returns how many it answered. */
static int
answer_hole(struct resolver *r, unsigned ms)
{
	uint8_t buf[1500];
	struct sockaddr_in from;
	socklen_t len;
	struct pollfd pfd = { .fd = hole, .events = POLLIN };
	int answered = 0;

	for (unsigned t = 0; t < ms && resolver_breaker_open(r); t += 10) {
		if (poll(&pfd, 1, 10) != 1)
			continue;
		len = sizeof(from);
		ssize_t n = recvfrom(hole, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &len);
		if (n < 12)
			continue;
		buf[2] = (uint8_t)((buf[2] & 0x79) | 0x84);	/* QR, AA */
		buf[3] = (uint8_t)((buf[3] & 0x70) | 3);	/* NXDOMAIN */
		if (sendto(hole, buf, (size_t)n, 0, (struct sockaddr *)&from,
		    len) == n)
			answered++;
	}
	return answered;
}

/* A resolver with the breaker, opened by a dozen lookups that hole.example
 * leaves unanswered; each of them ends with DNS_TEMPFAIL as it opens,
 * before its owner gives up on it. */
static struct resolver *
breaker_opened(void)
{
	struct resolver_config cfg;
	struct resolver *r;
	struct waiter w[12];
	struct dns_query *q[12];
	char name[64], err[512];

	memset(&cfg, 0, sizeof(cfg));
	cfg.unbound_config = conf_path;
	cfg.breaker = true;
	r = resolver_create(&cfg, err, sizeof(err));
	if (r == NULL)
		fail_msg("resolver_create: %s", err);
	assert_false(resolver_breaker_open(r));
	for (size_t i = 0; i < 12; i++) {
		waiter_init(&w[i]);
		snprintf(name, sizeof(name), "q%zu.hole.example", i);
		q[i] = resolver_query(r, name, DNS_TYPE_A, on_answer, &w[i]);
		assert_non_null(q[i]);
	}
	for (size_t i = 0; i < 12; i++) {
		assert_int_equal(waiter_wait(&w[i], WAIT_MS), 1);
		assert_int_equal(w[i].status, DNS_TEMPFAIL);
	}
	assert_true(resolver_breaker_open(r));
	for (size_t i = 0; i < 12; i++) {
		resolver_release(q[i]);
		assert_int_equal(waiter_wait(&w[i], 0), 1);
		waiter_destroy(&w[i]);
	}
	return r;
}

/* Asks name every 50 ms for ms while the breaker stays open; fails if
 * one lookup is let through (it would wait on the dead DNS). */
static void
all_refused(struct resolver *r, const char *name, unsigned ms)
{
	struct waiter w;

	waiter_init(&w);
	for (unsigned t = 0; t < ms && resolver_breaker_open(r); t += 50) {
		assert_null(resolver_query(r, name, DNS_TYPE_A, on_answer,
		    &w));
		nap_ms(50);
	}
	assert_int_equal(w.calls, 0);
	waiter_destroy(&w);
}

static void
test_breaker_opens_on_silence_and_closes_on_answer(void **state)
{
	struct metrics_values before, after;
	struct resolver *r;

	(void)state;
	metrics_read(&before);
	r = breaker_opened();
	/* Several probe intervals: no session lookup goes through, not
	 * even one a second. */
	all_refused(r, "r.hole.example", 2500);
	assert_true(resolver_breaker_open(r));

	/* The server answers the probe: closed, and lookups go through. */
	assert_true(answer_hole(r, WAIT_MS) >= 1);
	assert_false(resolver_breaker_open(r));
	assert_true(lookup_ok(r));

	metrics_read(&after);
	assert_int_equal(after.breaker_opened - before.breaker_opened, 1);
	assert_true(after.breaker_refused - before.breaker_refused >= 40);
	assert_int_equal(after.breaker_open, 0);
	resolver_destroy(r);
	fflush(stderr);
	assert_true(log_has("DNS outage breaker open"));
	assert_true(log_has("DNS outage breaker closed"));
}

/* hole.example stays silent for good; the last name that went unanswered
 * is in it.  A session's lookup of ok.test, which would answer, is
 * refused at once, and the probe asks it in its turn: that answer closes
 * the breaker. */
static void
test_a_refused_name_closes_it_while_a_zone_stays_dead(void **state)
{
	struct resolver *r;
	struct waiter w;
	bool open = true;

	(void)state;
	r = breaker_opened();
	waiter_init(&w);
	assert_null(resolver_query(r, "ok.test", DNS_TYPE_A, on_answer, &w));
	/* Probes alternate: within two intervals, with room to spare. */
	for (unsigned t = 0; t < 4000 && open; t += 20) {
		nap_ms(20);
		open = resolver_breaker_open(r);
	}
	assert_false(open);
	assert_int_equal(w.calls, 0);	/* the probe answers no session */
	waiter_destroy(&w);
	assert_true(lookup_ok(r));
	resolver_destroy(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_broken_pipe_is_logged_counted_and_mended),
		cmocka_unit_test(
		    test_breaker_opens_on_silence_and_closes_on_answer),
		cmocka_unit_test(
		    test_a_refused_name_closes_it_while_a_zone_stays_dead),
	};

	/* As in the daemon: libunbound's worker may write to the pipe whose
	 * reading end the test took away. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
