/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_load_session.c - one session of bench/milter_load, played as
 * Postfix plays it: connect, negotiate, send each command and read its
 * reply, pause at the hold point, count the outcome and say QUIT.  A
 * session is a small state machine driven by its socket's events and its
 * timers; it holds one output buffer and no read buffer (replies are split
 * into packets as they arrive, keeping only the bytes the replies need).
 * Whatever the milter sends, a session ends by being counted, or failed
 * with one error of one kind; nothing here exits except on out of memory
 * or an internal inconsistency.
 */

#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfdef.h>

#include "milter_load.h"

#define RETRY_NS	1000000LL	/* unix socket backlog full: retry */
#define ML_DONE		(ML_EOM + 1)	/* step after the message */

enum act { A_CONTINUE, A_ACCEPT, A_REJECT, A_TEMPFAIL, A_DISCARD, A_SKIP };

static const uint32_t no_flag[ML_DONE] = {
	0, SMFIP_NOCONNECT, SMFIP_NOHELO, SMFIP_NOMAIL, SMFIP_NORCPT,
	SMFIP_NODATA, SMFIP_NOHDRS, SMFIP_NOEOH, SMFIP_NOBODY, 0
};
static const uint32_t nr_flag[ML_DONE] = {
	0, SMFIP_NR_CONN, SMFIP_NR_HELO, SMFIP_NR_MAIL, SMFIP_NR_RCPT,
	SMFIP_NR_DATA, SMFIP_NR_HDR, SMFIP_NR_EOH, SMFIP_NR_BODY, 0
};

static void	record(struct ml_session *s, int step, int64_t ns);
static void	release(struct ml_session *s);
static int	fail(struct ml_session *s, enum ml_err kind, const char *why);
static int	connected(struct ml_session *s, int64_t now);
static int	want_out(struct ml_session *s, int on);
static int	flush(struct ml_session *s);
static void	append(struct ml_session *s, const struct ml_bytes *b);
static int	send_steps(struct ml_session *s, int64_t now);
static int	quit(struct ml_session *s, int64_t now);
static void	verdict_at(struct ml_session *s, int64_t now);
static int	on_final(struct ml_session *s, enum act a, int64_t now);
static int	on_packet(struct ml_session *s, int64_t now);
static int	feed(struct ml_session *s, const unsigned char *p, size_t n,
		    int64_t now);

static void
record(struct ml_session *s, int step, int64_t ns)
{
	if (s->counted)
		ml_hist_add(&ml_g.rep.hist[step],
		    ns > 0 ? (uint64_t)ns / 1000 : 0);
}

/* Closes the socket and gives the slot back. */
static void
release(struct ml_session *s)
{
	ml_list_del(s);
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	s->state = ML_SS_FREE;
	ml_g.freev[ml_g.nfree++] = (unsigned)(s - ml_g.slots);
	ml_g.inflight--;
}

/* Counts an error and ends the session; always -1 (the session is gone). */
static int
fail(struct ml_session *s, enum ml_err kind, const char *why)
{
	const char *at = s->step < ML_DONE ? ml_step_names[s->step] : "quit";

	if (s->counted) {
		ml_g.rep.err[kind]++;
		ml_g.t_end = ml_mono_ns();
	}
	if (ml_g.verbose || !ml_g.said[kind]) {
		fprintf(stderr, "milter_load: session %llu: %s error at %s: "
		    "%s%s\n", (unsigned long long)s->id, ml_err_names[kind], at,
		    why, ml_g.verbose ? "" : " (first of its kind)");
		ml_g.said[kind] = 1;
	}
	release(s);
	return -1;
}

void
ml_session_start(int64_t t_sched, int64_t now)
{
	struct ml_session *s = &ml_g.slots[ml_g.freev[--ml_g.nfree]];
	unsigned char *out = s->out;

	memset(s, 0, sizeof(*s));
	s->out = out;
	if (s->out == NULL && (s->out = malloc(ml_g.pk.max_session)) == NULL) {
		fprintf(stderr, "milter_load: out of memory\n");
		exit(2);
	}
	s->fd = -1;
	s->id = ml_g.seq++;
	s->client = (unsigned)(s->id % ml_g.pk.nclients);
	s->t_start = t_sched;
	s->t_step = now;	/* optneg counts the connect and its retries */
	s->step = ML_OPTNEG;
	s->counted = t_sched >= ml_g.measure_start;
	if (s->counted)
		ml_g.started_counted++;
	s->outcome = ML_OUT_CONTINUE;
	ml_g.inflight++;
	if (ml_g.retry.head != NULL) {
		s->state = ML_SS_RETRY;
		ml_list_put(&ml_g.retry, s, 0);
		return;
	}
	(void)ml_session_connect(s, now);
}

int
ml_session_connect(struct ml_session *s, int64_t now)
{
	static const int one = 1;
	struct epoll_event ev;

	s->fd = socket(ml_g.target.family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (s->fd == -1)
		return fail(s, ML_ERR_CONNECT, strerror(errno));
	if (ml_g.target.family != AF_UNIX)
		(void)setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	if (connect(s->fd, (struct sockaddr *)&ml_g.target.addr,
	    ml_g.target.addrlen) == 0)
		return connected(s, now);
	if (errno == EINPROGRESS) {
		s->state = ML_SS_CONNECTING;
		s->evmask = EPOLLOUT;
		ev.events = s->evmask;
		ev.data.ptr = s;
		if (epoll_ctl(ml_g.ep, EPOLL_CTL_ADD, s->fd, &ev) == -1)
			return fail(s, ML_ERR_IO, strerror(errno));
		ml_list_put(&ml_g.wait, s, now + ml_g.timeout_ns);
		return 0;
	}
	/* A unix socket whose listen queue is full says EAGAIN instead of
	 * making us wait.  Queue up and try again shortly (within the reply
	 * timeout), first come first served; trying every queued session
	 * at once would only spin. */
	if (errno == EAGAIN && now - s->t_start < ml_g.timeout_ns) {
		close(s->fd);
		s->fd = -1;
		s->state = ML_SS_RETRY;
		ml_list_put(&ml_g.retry, s, 0);
		if (s->prev != NULL) {	/* back to the front of the queue */
			s->prev->next = NULL;
			ml_g.retry.tail = s->prev;
			s->prev = NULL;
			s->next = ml_g.retry.head;
			ml_g.retry.head->prev = s;
			ml_g.retry.head = s;
		}
		ml_g.retry_at = now + RETRY_NS;
		return 0;
	}
	return fail(s, errno == EAGAIN ? ML_ERR_TIMEOUT : ML_ERR_CONNECT,
	    strerror(errno));
}

static int
connected(struct ml_session *s, int64_t now)
{
	struct epoll_event ev;

	ev.events = EPOLLIN;
	ev.data.ptr = s;
	if (epoll_ctl(ml_g.ep, s->state == ML_SS_CONNECTING ? EPOLL_CTL_MOD :
	    EPOLL_CTL_ADD, s->fd, &ev) == -1)
		return fail(s, ML_ERR_IO, strerror(errno));
	s->evmask = EPOLLIN;
	s->state = ML_SS_WAIT;
	append(s, &ml_g.pk.optneg);
	ml_list_put(&ml_g.wait, s, now + ml_g.timeout_ns);
	return flush(s);
}

static int
want_out(struct ml_session *s, int on)
{
	struct epoll_event ev;

	ev.events = EPOLLIN | (on ? EPOLLOUT : 0);
	ev.data.ptr = s;
	if (epoll_ctl(ml_g.ep, EPOLL_CTL_MOD, s->fd, &ev) == -1)
		return fail(s, ML_ERR_IO, strerror(errno));
	s->evmask = ev.events;
	return 0;
}

/* Writes what is pending; 0, or -1 when the session is gone. */
static int
flush(struct ml_session *s)
{
	ssize_t n;

	while (s->out_off < s->out_len) {
		n = send(s->fd, s->out + s->out_off, s->out_len - s->out_off,
		    MSG_NOSIGNAL);
		if (n >= 0) {
			s->out_off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return (s->evmask & EPOLLOUT) ? 0 : want_out(s, 1);
		if (s->state == ML_SS_QUIT) {
			release(s);
			return -1;
		}
		return fail(s, errno == EPIPE || errno == ECONNRESET ?
		    ML_ERR_CLOSED : ML_ERR_IO, strerror(errno));
	}
	s->out_off = s->out_len = 0;
	return (s->evmask & EPOLLOUT) ? want_out(s, 0) : 0;
}

static void
append(struct ml_session *s, const struct ml_bytes *b)
{
	/* max_session bounds all of a session's bytes, so this cannot
	 * happen unless the packet plan and the state machine disagree. */
	if (s->out_len + b->len > ml_g.pk.max_session) {
		fprintf(stderr,
		    "milter_load: internal error: output overflow\n");
		abort();
	}
	memcpy(s->out + s->out_len, b->p, b->len);
	s->out_len += b->len;
}

/* Sends from s->step on until a command needs its reply, or the message
 * is done. */
static int
send_steps(struct ml_session *s, int64_t now)
{
	const struct ml_bytes *b;
	int st;

	for (;;) {
		if ((st = s->step) == ML_DONE)
			return ml_session_hold_or_quit(s, now);
		if (s->proto & no_flag[st]) {
			if (st == ML_RCPT)
				s->rcpt_ok = ml_g.nrcpt;
			goto next;
		}
		switch (st) {
		case ML_CONNECT:
			b = &ml_g.pk.connect[s->client];
			break;
		case ML_HELO:
			b = &ml_g.pk.helo[s->client];
			break;
		case ML_MAIL:
			b = &ml_g.pk.mail;
			break;
		case ML_RCPT:
			b = &ml_g.pk.rcpt[s->sub];
			break;
		case ML_DATA:
			b = &ml_g.pk.data;
			break;
		case ML_HEADER:
			if (s->sub == 0)
				s->t_hdr = now;
			b = &ml_g.pk.header[(s->proto & SMFIP_HDR_LEADSPC) != 0]
			    [s->sub];
			break;
		case ML_EOH:
			b = &ml_g.pk.eoh;
			break;
		case ML_BODY:
			b = &ml_g.pk.body;
			break;
		default:
			b = &ml_g.pk.eom;
			break;
		}
		append(s, b);
		if (st == ML_CONNECT) {
			size_t at = s->out_len - b->len +
			    ml_g.pk.connect_port_off[s->client];
			unsigned port = 25000 + (unsigned)(s->id % 30000);

			s->out[at] = (unsigned char)(port >> 8);
			s->out[at + 1] = (unsigned char)port;
		}
		if (!(s->proto & nr_flag[st])) {
			s->t_step = now;
			s->state = ML_SS_WAIT;
			ml_list_put(&ml_g.wait, s, now + ml_g.timeout_ns);
			return flush(s);
		}
		if (st == ML_RCPT)
			s->rcpt_ok++;
		if ((st == ML_RCPT && s->sub + 1 < ml_g.nrcpt) ||
		    (st == ML_HEADER && s->sub + 1 < ML_NHEADERS)) {
			s->sub++;
			continue;
		}
next:
		if (st == ML_MAIL)
			verdict_at(s, now);
		s->step++;
		s->sub = 0;
		if (st == ML_MAIL && ml_g.hold_at_mail && ml_g.hold_ns > 0)
			return ml_session_hold_or_quit(s, now);
	}
}

/* At the hold point, pause; after it (or without one) say goodbye. */
int
ml_session_hold_or_quit(struct ml_session *s, int64_t now)
{
	if (ml_g.hold_ns > 0 && s->state != ML_SS_HOLD &&
	    (s->step == ML_DONE) != ml_g.hold_at_mail) {
		if (flush(s) == -1)
			return -1;
		s->state = ML_SS_HOLD;
		ml_list_put(&ml_g.hold, s, now + ml_g.hold_ns);
		return 0;
	}
	if (s->state == ML_SS_HOLD && s->step != ML_DONE) {
		s->state = ML_SS_WAIT;
		return send_steps(s, now);
	}
	return quit(s, now);
}

static int
quit(struct ml_session *s, int64_t now)
{
	if (s->counted) {
		ml_g.rep.sessions++;
		ml_g.rep.outcome[s->outcome]++;
		record(s, ML_SESSION, now - s->t_start);
		ml_g.t_end = now;
	}
	append(s, &ml_g.pk.quit);
	s->state = ML_SS_QUIT;
	s->step = ML_DONE;
	/* Wait for the milter to hang up first, so that the TIME_WAIT
	 * sockets pile up on its side and not in our port range. */
	ml_list_put(&ml_g.wait, s, now + ml_g.timeout_ns);
	return flush(s);
}

static void
verdict_at(struct ml_session *s, int64_t now)
{
	int64_t ns = now - s->t_verdict;

	if (s->verdict_done)
		return;
	s->verdict_done = 1;
	record(s, ML_VERDICT, ns);
	if (s->counted && ml_g.rep.have_deadline &&
	    (double)ns <= ml_g.rep.deadline_ms * 1e6)
		ml_g.rep.deadline_hits++;
}

/* A final reply to the command of s->step. */
static int
on_final(struct ml_session *s, enum act a, int64_t now)
{
	static const enum ml_outcome out[] = {
		ML_OUT_CONTINUE, ML_OUT_ACCEPT, ML_OUT_REJECT, ML_OUT_TEMPFAIL,
		ML_OUT_DISCARD, ML_OUT_CONTINUE
	};
	int st = s->step, ends = a != A_CONTINUE && a != A_SKIP;

	if (st == ML_HEADER) {
		if (!ends && s->sub + 1 < ML_NHEADERS) {
			s->sub++;
			return send_steps(s, now);
		}
		record(s, ML_HEADER, now - s->t_hdr);
	} else
		record(s, st, now - s->t_step);
	if (st == ML_RCPT && (a == A_REJECT || a == A_TEMPFAIL)) {
		/* One recipient refused; the message goes on without it. */
		if (s->counted)
			ml_g.rep.rcpt_refused++;
		s->refused_tf |= a == A_TEMPFAIL;
		ends = 0;
	} else if (st == ML_RCPT && !ends)
		s->rcpt_ok++;
	if (st <= ML_MAIL && (ends || st == ML_MAIL))
		verdict_at(s, now);
	if (ends || st == ML_EOM) {
		s->outcome = out[a];
		s->step = ML_DONE;
		return ends ? quit(s, now) : ml_session_hold_or_quit(s, now);
	}
	if (st == ML_RCPT && ++s->sub < ml_g.nrcpt)
		return send_steps(s, now);
	if (st == ML_RCPT && s->rcpt_ok == 0) {
		s->outcome = s->refused_tf ? ML_OUT_TEMPFAIL : ML_OUT_REJECT;
		return quit(s, now);
	}
	s->step++;
	s->sub = 0;
	if (st == ML_MAIL && ml_g.hold_at_mail && ml_g.hold_ns > 0)
		return ml_session_hold_or_quit(s, now);
	return send_steps(s, now);
}

/* A whole packet is in; 0 if more replies are due, 1 if the next command
 * went out (or the session paused), -1 if the session is gone. */
static int
on_packet(struct ml_session *s, int64_t now)
{
	unsigned char cmd = s->rhdr[4];
	char why[80];
	enum act a;
	int rc;

	if (s->step == ML_OPTNEG) {
		unsigned v = ml_get32(s->rpay);

		if (cmd != SMFIC_OPTNEG || s->rlen < 12 || v < 2 || v > 6)
			return fail(s, ML_ERR_PROTOCOL, "bad OPTNEG reply");
		s->proto = ml_get32(s->rpay + 8);
		record(s, ML_OPTNEG, now - s->t_step);
		s->step = ML_CONNECT;
		s->t_verdict = now;
		return send_steps(s, now) == -1 ? -1 : 1;
	}
	switch (cmd) {
	case SMFIR_CONTINUE:	a = A_CONTINUE; break;
	case SMFIR_ACCEPT:	a = A_ACCEPT; break;
	case SMFIR_REJECT:	a = A_REJECT; break;
	case SMFIR_DISCARD:	a = A_DISCARD; break;
	case SMFIR_SKIP:	a = A_SKIP; break;
	/* Connection failure and shutdown: Postfix defers. */
	case SMFIR_TEMPFAIL: case SMFIR_CONN_FAIL: case SMFIR_SHUTDOWN:
		a = A_TEMPFAIL;
		break;
	case SMFIR_REPLYCODE:
		if (s->rlen < 4 || s->rlast != '\0' ||
		    (s->rpay[0] != '4' && s->rpay[0] != '5'))
			return fail(s, ML_ERR_PROTOCOL, "bad reply code");
		a = s->rpay[0] == '4' ? A_TEMPFAIL : A_REJECT;
		goto final;
	case SMFIR_ADDHEADER: case SMFIR_INSHEADER: case SMFIR_CHGHEADER:
	case SMFIR_ADDRCPT: case SMFIR_DELRCPT: case SMFIR_ADDRCPT_PAR:
	case SMFIR_REPLBODY: case SMFIR_CHGFROM: case SMFIR_QUARANTINE:
	case SMFIR_PROGRESS:
		if (s->step != ML_EOM)
			return fail(s, ML_ERR_PROTOCOL,
			    "modification before end of message");
		if (s->counted)
			ml_g.rep.mod[cmd == SMFIR_ADDHEADER ? ML_MOD_ADDHEADER :
			    cmd == SMFIR_INSHEADER ? ML_MOD_INSHEADER :
			    cmd == SMFIR_CHGHEADER ? ML_MOD_CHGHEADER :
			    cmd == SMFIR_PROGRESS ? ML_MOD_PROGRESS :
			    ML_MOD_OTHER]++;
		/* Progress is the milter asking for more time. */
		ml_list_put(&ml_g.wait, s, now + ml_g.timeout_ns);
		return 0;
	default:
		snprintf(why, sizeof(why), "unknown reply 0x%02x", cmd);
		return fail(s, ML_ERR_PROTOCOL, why);
	}
	if (s->rlen != 0)
		return fail(s, ML_ERR_PROTOCOL, "payload on a bare reply");
final:
	rc = on_final(s, a, now);
	return rc == -1 ? -1 : 1;
}

/* Bytes from the milter: split into packets, keeping only the first
 * bytes of each payload (all the replies need), so that a session holds
 * no read buffer of its own. */
static int
feed(struct ml_session *s, const unsigned char *p, size_t n, int64_t now)
{
	size_t take, pos;
	uint32_t len;
	int rc;

	while (n > 0) {
		if (s->state == ML_SS_QUIT)
			return 0;
		if (s->state != ML_SS_WAIT)
			return fail(s, ML_ERR_PROTOCOL, "unsolicited data");
		if (s->rhave < sizeof(s->rhdr)) {
			take = sizeof(s->rhdr) - s->rhave;
			take = take < n ? take : n;
			memcpy(s->rhdr + s->rhave, p, take);
			s->rhave += (unsigned)take;
			p += take;
			n -= take;
			if (s->rhave < sizeof(s->rhdr))
				return 0;
			len = ml_get32(s->rhdr);
			if (len < 1 || len > ML_MAX_PACKET - 4)
				return fail(s, ML_ERR_PROTOCOL,
				    "bad packet length");
			s->rlen = s->rleft = len - 1;
		}
		take = s->rleft < n ? s->rleft : n;
		pos = s->rlen - s->rleft;
		if (pos < sizeof(s->rpay))
			memcpy(s->rpay + pos, p, take < sizeof(s->rpay) - pos ?
			    take : sizeof(s->rpay) - pos);
		if (take > 0)
			s->rlast = p[take - 1];
		s->rleft -= (uint32_t)take;
		p += take;
		n -= take;
		if (s->rleft > 0)
			return 0;
		s->rhave = 0;
		if ((rc = on_packet(s, now)) == -1)
			return -1;
		/* The milter cannot have seen our next command yet. */
		if (rc == 1 && n > 0 && s->state != ML_SS_QUIT)
			return fail(s, ML_ERR_PROTOCOL,
			    "extra data after a reply");
	}
	return 0;
}

void
ml_session_event(struct ml_session *s, uint32_t ev, int64_t now)
{
	static const int one = 1;
	ssize_t n;
	int err = 0;
	socklen_t elen = sizeof(err);

	if (s->state == ML_SS_FREE)
		return;
	if (s->state == ML_SS_CONNECTING) {
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1)
			err = errno;
		if (err != 0)
			(void)fail(s, ML_ERR_CONNECT, strerror(err));
		else
			(void)connected(s, now);
		return;
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		n = read(s->fd, ml_g.scratch, sizeof(ml_g.scratch));
		/* libmilter writes a modification and the final reply in
		 * two writes without TCP_NODELAY: Nagle holds the second
		 * until we ACK the first, 40 ms later if ACKs are delayed. */
		if (n > 0 && ml_g.quickack)
			(void)setsockopt(s->fd, IPPROTO_TCP, TCP_QUICKACK,
			    &one, sizeof(one));
		if (n > 0) {
			if (feed(s, ml_g.scratch, (size_t)n, now) == -1)
				return;
		} else if (n == 0 || errno == ECONNRESET) {
			if (s->state == ML_SS_QUIT)
				release(s);
			else
				(void)fail(s, ML_ERR_CLOSED,
				    "connection closed by the milter");
			return;
		} else if (errno != EAGAIN && errno != EINTR) {
			(void)fail(s, ML_ERR_IO, strerror(errno));
			return;
		}
	}
	if ((ev & EPOLLOUT) && s->state != ML_SS_FREE)
		(void)flush(s);
}

void
ml_session_timeout(struct ml_session *s)
{
	if (s->state == ML_SS_QUIT)
		release(s);	/* it never hung up; no harm done */
	else
		(void)fail(s, ML_ERR_TIMEOUT, "no reply in time");
}
