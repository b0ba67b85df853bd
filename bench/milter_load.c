/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_load - a milter protocol (version 6) load generator: it plays
 * the MTA, as Postfix does, against a milter socket and reports
 * throughput and per-step latency.  See bench/README.md.
 *
 * One thread, one epoll loop, one small state machine per session: tens
 * of thousands of open sessions cost a struct and a buffer each.  Every
 * timer has a fixed length (the reply timeout, the hold, the connect
 * retry), so each timer list stays sorted by simply appending to it.
 *
 * This file owns the run: main (setup and the report), the event loop,
 * the timer lists and when sessions start and stop (closed loop: keep N
 * open; open loop: arrivals on a fixed schedule).  The sessions are in
 * milter_load_session.c, the options in milter_load_opts.c.
 */

#include "config.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "milter_load.h"

struct ml_run ml_g;

static volatile sig_atomic_t interrupted;

static void	on_signal(int sig);
static void	check_stop(int64_t t);
static void	launch(int64_t now);
static void	expire(int64_t now);
static int	next_timeout(int64_t now);
static void	run(void);

int64_t
ml_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * ML_NS + ts.tv_nsec;
}

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

void
ml_list_put(struct ml_slist *l, struct ml_session *s, int64_t deadline)
{
	ml_list_del(s);
	s->deadline = deadline;
	s->list = l;
	s->prev = l->tail;
	s->next = NULL;
	if (l->tail)
		l->tail->next = s;
	else
		l->head = s;
	l->tail = s;
}

void
ml_list_del(struct ml_session *s)
{
	struct ml_slist *l = s->list;

	if (l == NULL)
		return;
	if (s->prev)
		s->prev->next = s->next;
	else
		l->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		l->tail = s->prev;
	s->prev = s->next = NULL;
	s->list = NULL;
}

/* Stops starting sessions once the length of the run is reached. */
static void
check_stop(int64_t t)
{
	if (interrupted ||
	    (ml_g.nsessions > 0 && ml_g.started_counted >= ml_g.nsessions) ||
	    (ml_g.duration > 0 &&
	    t >= ml_g.measure_start + (int64_t)(ml_g.duration * ML_NS)))
		ml_g.stopping = 1;
}

static void
launch(int64_t now)
{
	int64_t t;

	if (ml_g.rate <= 0) {
		while (!ml_g.stopping && ml_g.nfree > 0) {
			ml_session_start(now, now);
			check_stop(now);
		}
		return;
	}
	/* Arrival k is due at t0 + k/rate whatever happened to the others;
	 * latency runs from that moment, not from when we got round to it. */
	for (;;) {
		t = ml_g.t0 +
		    (int64_t)((double)ml_g.arrivals * ML_NS / ml_g.rate);
		check_stop(t);
		if (ml_g.stopping || t > now)
			return;
		ml_g.arrivals++;
		if (ml_g.nfree > 0)
			ml_session_start(t, now);
		else if (t >= ml_g.measure_start) {
			ml_g.rep.dropped++;
			ml_g.started_counted++;
		}
	}
}

static void
expire(int64_t now)
{
	struct ml_session *s;

	while ((s = ml_g.hold.head) != NULL && s->deadline <= now)
		(void)ml_session_hold_or_quit(s, now);
	while ((s = ml_g.retry.head) != NULL && ml_g.retry_at <= now) {
		ml_list_del(s);
		if (ml_session_connect(s, now) == 0 && s->state == ML_SS_RETRY)
			break;
	}
	while ((s = ml_g.wait.head) != NULL && s->deadline <= now)
		ml_session_timeout(s);
}

/* Milliseconds until the next timer or arrival, rounded up. */
static int
next_timeout(int64_t now)
{
	int64_t next = now + ML_NS, t;
	struct ml_slist *l[] = { &ml_g.hold, &ml_g.wait };
	size_t i;

	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		if (l[i]->head != NULL && l[i]->head->deadline < next)
			next = l[i]->head->deadline;
	if (ml_g.retry.head != NULL && ml_g.retry_at < next)
		next = ml_g.retry_at;
	if (!ml_g.stopping && ml_g.rate > 0) {
		t = ml_g.t0 +
		    (int64_t)((double)ml_g.arrivals * ML_NS / ml_g.rate);
		if (t < next)
			next = t;
	}
	if (next <= now)
		return 0;
	return (int)((next - now + 999999) / 1000000);
}

static void
run(void)
{
	struct epoll_event ev[512];
	int64_t now;
	int i, n;

	ml_g.t0 = ml_mono_ns();
	ml_g.measure_start = ml_g.t0 + (int64_t)(ml_g.warmup * ML_NS);
	ml_g.t_end = ml_g.measure_start;
	for (;;) {
		now = ml_mono_ns();
		launch(now);
		expire(now);
		if (ml_g.stopping && ml_g.inflight == 0)
			break;
		n = epoll_wait(ml_g.ep, ev, (int)(sizeof(ev) / sizeof(ev[0])),
		    next_timeout(now));
		if (n == -1 && errno != EINTR) {
			perror("milter_load: epoll_wait");
			exit(2);
		}
		now = ml_mono_ns();
		for (i = 0; i < n; i++)
			ml_session_event(ev[i].data.ptr, ev[i].events, now);
	}
}

int
main(int argc, char **argv)
{
	struct ml_clients cl = { NULL, 0, 0 };
	struct sigaction sa;
	struct rlimit rl;
	char err[256];
	unsigned i;
	int quiet, ret = 2;

	quiet = ml_opts_parse(argc, argv, &cl);
	if (cl.n == 0 && ml_clients_add(&cl, "192.0.2.1", ',', err,
	    sizeof(err)) == -1)
		goto end;
	if (ml_target_parse(ml_g.spec, &ml_g.target, err, sizeof(err)) == -1) {
		fprintf(stderr, "milter_load: %s\n", err);
		goto end;
	}
	if (ml_packets_build(&ml_g.pk, &cl, ml_g.nrcpt) == -1) {
		fprintf(stderr, "milter_load: out of memory\n");
		goto end;
	}
	ml_g.nslots = ml_g.rate > 0 ? ml_g.max_inflight : ml_g.concurrency;
	/* Thousands of sessions need thousands of descriptors. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)ml_g.nslots + 16 > rl.rlim_cur && ml_g.rate > 0 &&
	    rl.rlim_cur > 64) {
		/* The open loop's cap is a safety net: fit it to the limit. */
		ml_g.nslots = ml_g.max_inflight = (unsigned)rl.rlim_cur - 16;
		if (!quiet)
			fprintf(stderr, "milter_load: --max-inflight lowered "
			    "to %u (ulimit -n)\n", ml_g.nslots);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)ml_g.nslots + 16 > rl.rlim_cur) {
		fprintf(stderr, "milter_load: %u sessions need more than the "
		    "%llu descriptors allowed (ulimit -n)\n", ml_g.nslots,
		    (unsigned long long)rl.rlim_cur);
		goto end;
	}
	ml_g.rep.target = ml_g.spec;
	ml_g.rep.open_loop = ml_g.rate > 0;
	ml_g.rep.concurrency = ml_g.concurrency;
	ml_g.rep.rate = ml_g.rate;
	/* Only TCP has ACKs to hurry. */
	ml_g.quickack = ml_g.quickack && ml_g.target.family != AF_UNIX;
	if (ml_probe(&ml_g.target, ml_g.timeout, &ml_g.pk,
	    &ml_g.rep.milter_version, &ml_g.rep.milter_actions,
	    &ml_g.rep.milter_protocol, err, sizeof(err)) == -1) {
		fprintf(stderr, "milter_load: milter at %s unusable: %s\n",
		    ml_g.spec, err);
		goto end;
	}
	ml_g.slots = calloc(ml_g.nslots, sizeof(*ml_g.slots));
	ml_g.freev = calloc(ml_g.nslots, sizeof(*ml_g.freev));
	if (ml_g.slots == NULL || ml_g.freev == NULL) {
		fprintf(stderr, "milter_load: out of memory\n");
		goto end;
	}
	for (i = 0; i < ml_g.nslots; i++) {
		ml_g.slots[i].fd = -1;
		ml_g.freev[ml_g.nfree++] = ml_g.nslots - 1 - i;
	}
	if ((ml_g.ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("milter_load: epoll_create1");
		goto end;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;	/* a second ^C ends it for good */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	run();

	ml_g.rep.seconds = (double)(ml_g.t_end - ml_g.measure_start) / ML_NS;
	if (quiet == 0) {
		ml_report_text(stdout, &ml_g.rep);
		fputc('\n', stdout);
	}
	ml_report_json(stdout, &ml_g.rep);
	ret = ml_report_errors(&ml_g.rep) ? 1 : 0;
	close(ml_g.ep);
end:
	if (ml_g.slots != NULL)
		for (i = 0; i < ml_g.nslots; i++)
			free(ml_g.slots[i].out);
	free(ml_g.slots);
	free(ml_g.freev);
	ml_packets_free(&ml_g.pk);
	ml_clients_free(&cl);
	return ret;
}
