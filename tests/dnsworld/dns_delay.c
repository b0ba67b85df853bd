/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_delay.c - a DNS forwarder that adds a fixed delay, for the DNS test
 * world (this kernel has no netem, so the delay is made in user space).
 *
 * Usage: dns_delay [--strip-dnssec] LISTEN_ADDR PORT UPSTREAM_ADDR DELAY_MS
 *
 * Binds UDP and TCP on LISTEN_ADDR:PORT (numeric, IPv4 or IPv6) and
 * forwards every query to UPSTREAM_ADDR:PORT DELAY_MS milliseconds after
 * it arrived; the answer goes back to the client as soon as it comes, so
 * each query's round trip grows by DELAY_MS, once.
 *
 * --strip-dnssec plays a forwarder that knows nothing of DNSSEC: it clears
 * the DO bit of every query it forwards, so the answers come back without
 * RRSIG, NSEC and NSEC3 records (DNSKEY and DS sets asked for by type
 * still come, unsigned), and a validator behind it finds every signed
 * zone bogus.
 *
 * UDP: one poll loop.  A query waits in a FIFO (every delay is the same,
 * so arrival order is deadline order), then goes upstream from a single
 * socket under an id of our own (slot number and generation), which finds
 * the client again when the answer comes; the answer's question must also
 * match the query's.  At most NSLOTS queries are in flight; past that a
 * query is dropped (the client will retry).  A query upstream leaves
 * unanswered for UPSTREAM_WAIT is forgotten.
 *
 * TCP (rare: truncated answers): a thread per connection, at most MAX_TCP
 * at once, reading 2-byte-length-framed queries, each slept on for
 * DELAY_MS, then sent over one upstream TCP connection per client
 * connection, and the answer relayed.  Idle connections close after
 * TCP_IDLE.
 *
 * Buffers are bounded; a query that is short, too long or a response is
 * dropped; nothing from the network is trusted beyond its length.
 * Exits 0 on SIGTERM or SIGINT (after one summary line on stderr), 1 on
 * a start-up error (with a message on stderr).  Writes nothing to stdout.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netdb.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns_tool.h"

#define SLOT_BITS	14
#define NSLOTS		(1u << SLOT_BITS)	/* UDP queries in flight */
#define QUERY_MAX	1232		/* longest UDP query forwarded */
#define DNS_HDR		12
#define UPSTREAM_WAIT	(3 * NS_PER_S)	/* then a query upstream is lost */
#define RECV_BATCH	256		/* datagrams per socket per turn */
#define SOCK_BUF	(4 << 20)	/* asked for, not insisted on */
#define MAX_TCP		128		/* TCP client connections at once */
#define TCP_IDLE	10		/* seconds */
#define LISTEN_BACKLOG	64
#define DELAY_MAX	60000		/* ms */
#define NS_PER_S	1000000000LL
#define NS_PER_MS	1000000LL
#define NIL		(-1)

enum slot_state { SLOT_FREE, SLOT_DELAYED, SLOT_SENT };

/* One UDP query: where it came from, its bytes, its place in a queue. */
struct slot {
	enum slot_state		state;
	uint16_t		gen;	/* bumped at each reuse */
	uint16_t		client_id;
	int32_t			prev, next;
	int64_t			when;	/* deadline (DELAYED), expiry (SENT) */
	struct sockaddr_storage	client;
	socklen_t		clientlen;
	size_t			len;
	size_t			qlen;	/* question bytes after the header */
	unsigned char		buf[QUERY_MAX];
};

/* A doubly linked FIFO of slot numbers. */
struct queue {
	int32_t	head, tail;
};

struct delay {
	int		udp;		/* clients */
	int		tcp;		/* clients, listening */
	int		up;		/* upstream, connected */
	int64_t		delay_ns;
	struct queue	free, delayed, sent;
	uint32_t	fresh;		/* slots never used yet (pages untouched) */
	unsigned long	queries, answered, dropped, lost, tcp_conns;
	struct slot	slots[NSLOTS];
};

static void	on_signal(int);
static void	catch_signals(sigset_t *);
static int64_t	now_ns(void);
static int	set_nonblock(int);
static void	grow_buffers(int);
static struct addrinfo *resolve(const char *, const char *, int, int);
static int	open_listener(const char *, const char *, int);
static int	open_upstream_udp(const struct addrinfo *);
static size_t	question_len(const unsigned char *, size_t);
static size_t	skip_name(const unsigned char *, size_t, size_t);
static void	clear_do(unsigned char *, size_t);
static void	q_push(struct delay *, struct queue *, int32_t);
static void	q_remove(struct delay *, struct queue *, int32_t);
static int32_t	slot_take(struct delay *);
static void	slot_release(struct delay *, int32_t);
static void	udp_from_clients(struct delay *);
static void	udp_from_upstream(struct delay *);
static void	send_due(struct delay *, int64_t);
static void	expire_sent(struct delay *, int64_t);
static struct timespec *next_wakeup(struct delay *, int64_t,
		    struct timespec *);
static int	move_full(int, unsigned char *, size_t, bool);
static void	sleep_ns(int64_t);
static void	*tcp_serve(void *);
static void	tcp_accept(struct delay *);
static void	serve(struct delay *, const sigset_t *);

/* Set by the handler of SIGTERM and SIGINT, seen after ppoll returns. */
static volatile sig_atomic_t stopping;

/* For the TCP threads: read-only once they start. */
static struct addrinfo *upstream_tcp;
static int64_t tcp_delay_ns;
static bool strip_dnssec;
static atomic_int tcp_active;

/* Datagrams land here first (an answer may be up to 64 KiB). */
static unsigned char dgram[65536];

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * SIGTERM and SIGINT are blocked everywhere (threads inherit the mask)
 * and let through only inside the main loop's ppoll, whose mask is
 * returned in *waitmask.
 */
static void
catch_signals(sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		die("sigaction: %s", strerror(errno));
	ignore_sigpipe();
	(void)sigemptyset(&block);
	(void)sigaddset(&block, SIGTERM);
	(void)sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, waitmask) == -1)
		die("sigprocmask: %s", strerror(errno));
	(void)sigdelset(waitmask, SIGTERM);
	(void)sigdelset(waitmask, SIGINT);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static int
set_nonblock(int fd)
{
	int flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Room for bursts of thousands of datagrams; the kernel may give less. */
static void
grow_buffers(int fd)
{
	int size = SOCK_BUF;

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

static struct addrinfo *
resolve(const char *addr, const char *port, int type, int passive)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = type;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV |
	    (passive ? AI_PASSIVE : 0);
	if ((rc = getaddrinfo(addr, port, &hints, &res)) != 0)
		die("%s port %s: %s", addr, port, gai_strerror(rc));
	return res;
}

/* A bound, non-blocking socket of the given type; listening if TCP. */
static int
open_listener(const char *addr, const char *port, int type)
{
	struct addrinfo *res;
	const char *what = type == SOCK_STREAM ? "tcp" : "udp";
	int fd, on = 1;

	res = resolve(addr, port, type, 1);
	fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	if (fd == -1)
		die("socket %s: %s", what, strerror(errno));
	if (type == SOCK_STREAM &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		die("setsockopt %s: %s", what, strerror(errno));
	if (type == SOCK_DGRAM)
		grow_buffers(fd);
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1)
		die("bind %s %s port %s: %s", what, addr, port,
		    strerror(errno));
	if (type == SOCK_STREAM && listen(fd, LISTEN_BACKLOG) == -1)
		die("listen %s port %s: %s", addr, port, strerror(errno));
	if (set_nonblock(fd) == -1)
		die("fcntl %s: %s", what, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

/* The one UDP socket queries leave by; connected, so only upstream talks. */
static int
open_upstream_udp(const struct addrinfo *ai)
{
	int fd;

	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd == -1)
		die("socket udp: %s", strerror(errno));
	grow_buffers(fd);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1)
		die("connect udp upstream: %s", strerror(errno));
	if (set_nonblock(fd) == -1)
		die("fcntl udp: %s", strerror(errno));
	return fd;
}

/*
 * Length of the first question (name, type, class) of message m, or 0 if
 * there is none or it does not fit in len.  Compressed names are not
 * expected in a question and count as none.
 */
static size_t
question_len(const unsigned char *m, size_t len)
{
	size_t off = DNS_HDR;

	if (len < DNS_HDR || (m[4] == 0 && m[5] == 0))
		return 0;
	while (off < len && m[off] != 0) {
		if ((m[off] & 0xc0) != 0)
			return 0;
		off += 1 + m[off];
	}
	if (off >= len || off + 1 + 4 > len)
		return 0;
	return off + 1 + 4 - DNS_HDR;
}

/* Offset just past the (possibly compressed) name at off, or 0. */
static size_t
skip_name(const unsigned char *m, size_t len, size_t off)
{
	while (off < len) {
		if (m[off] == 0)
			return off + 1;
		if ((m[off] & 0xc0) == 0xc0)
			return off + 2 <= len ? off + 2 : 0;
		if ((m[off] & 0xc0) != 0)
			return 0;
		off += 1 + m[off];
	}
	return 0;
}

/*
 * Clear the DO bit of the OPT record in query m, if it has one; a query
 * that does not parse is left as it is.
 */
static void
clear_do(unsigned char *m, size_t len)
{
	size_t off, rdlen;
	unsigned int i, nrr;

	if (len < DNS_HDR)
		return;
	off = DNS_HDR + question_len(m, len);
	if (off == DNS_HDR)
		return;
	nrr = (unsigned int)(m[6] << 8 | m[7]) + (unsigned int)(m[8] << 8 |
	    m[9]) + (unsigned int)(m[10] << 8 | m[11]);
	for (i = 0; i < nrr; i++) {
		/* name, type 2, class 2, TTL 4, RDLENGTH 2 */
		if ((off = skip_name(m, len, off)) == 0 || off + 10 > len)
			return;
		rdlen = (size_t)m[off + 8] << 8 | m[off + 9];
		/* OPT's TTL: extended rcode, version, then DO in the top
		 * bit of the flags. */
		if (m[off] == 0 && m[off + 1] == 41)
			m[off + 6] &= 0x7f;
		off += 10 + rdlen;
	}
}

static void
q_push(struct delay *d, struct queue *q, int32_t i)
{
	struct slot *s = &d->slots[i];

	s->next = NIL;
	s->prev = q->tail;
	if (q->tail == NIL)
		q->head = i;
	else
		d->slots[q->tail].next = i;
	q->tail = i;
}

static void
q_remove(struct delay *d, struct queue *q, int32_t i)
{
	struct slot *s = &d->slots[i];

	if (s->prev == NIL)
		q->head = s->next;
	else
		d->slots[s->prev].next = s->next;
	if (s->next == NIL)
		q->tail = s->prev;
	else
		d->slots[s->next].prev = s->prev;
	s->prev = s->next = NIL;
}

/* A free slot, taken off the free list, or NIL if every one is in use. */
static int32_t
slot_take(struct delay *d)
{
	int32_t i;

	if ((i = d->free.head) != NIL) {
		q_remove(d, &d->free, i);
		return i;
	}
	if (d->fresh < NSLOTS)
		return (int32_t)d->fresh++;
	return NIL;
}

/* Take slot i off its queue and make it free; a late answer won't match. */
static void
slot_release(struct delay *d, int32_t i)
{
	struct slot *s = &d->slots[i];

	q_remove(d, s->state == SLOT_DELAYED ? &d->delayed : &d->sent, i);
	s->state = SLOT_FREE;
	s->gen++;
	q_push(d, &d->free, i);
}

/* Queue what clients sent, each with its deadline. */
static void
udp_from_clients(struct delay *d)
{
	struct slot *s;
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t n;
	int32_t i;
	int k;

	for (k = 0; k < RECV_BATCH; k++) {
		fromlen = sizeof(from);
		n = recvfrom(d->udp, dgram, sizeof(dgram), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1)
			return;
		/* Too short, too long, or a response: not a query. */
		if (n < DNS_HDR || n > QUERY_MAX || (dgram[2] & 0x80) != 0)
			continue;
		d->queries++;
		if ((i = slot_take(d)) == NIL) {
			d->dropped++;
			continue;
		}
		s = &d->slots[i];
		s->state = SLOT_DELAYED;
		s->when = now_ns() + d->delay_ns;
		memcpy(&s->client, &from, fromlen);
		s->clientlen = fromlen;
		s->len = (size_t)n;
		memcpy(s->buf, dgram, s->len);
		s->client_id = (uint16_t)(s->buf[0] << 8 | s->buf[1]);
		s->qlen = question_len(s->buf, s->len);
		if (strip_dnssec)
			clear_do(s->buf, s->len);
		q_push(d, &d->delayed, i);
	}
}

/* Hand each answer to the client whose query it answers. */
static void
udp_from_upstream(struct delay *d)
{
	struct slot *s;
	ssize_t n;
	unsigned int id;
	int32_t i;
	int k;

	for (k = 0; k < RECV_BATCH; k++) {
		n = recv(d->up, dgram, sizeof(dgram), 0);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			continue;	/* e.g. ECONNREFUSED: upstream down */
		}
		if (n < DNS_HDR)
			continue;
		id = (unsigned int)dgram[0] << 8 | dgram[1];
		i = (int32_t)(id & (NSLOTS - 1));
		s = &d->slots[i];
		if (s->state != SLOT_SENT ||
		    (uint16_t)(s->gen & ((1u << (16 - SLOT_BITS)) - 1)) !=
		    id >> SLOT_BITS)
			continue;
		/* An answer that carries a question must carry ours. */
		if (s->qlen > 0 && (dgram[4] != 0 || dgram[5] != 0) &&
		    ((size_t)n < DNS_HDR + s->qlen ||
		    memcmp(dgram + DNS_HDR, s->buf + DNS_HDR, s->qlen) != 0))
			continue;
		dgram[0] = (unsigned char)(s->client_id >> 8);
		dgram[1] = (unsigned char)(s->client_id & 0xff);
		(void)sendto(d->udp, dgram, (size_t)n, 0,
		    (struct sockaddr *)&s->client, s->clientlen);
		d->answered++;
		slot_release(d, i);
	}
}

/* Send upstream every query whose delay is over. */
static void
send_due(struct delay *d, int64_t now)
{
	struct slot *s;
	unsigned int id;
	int32_t i;

	while ((i = d->delayed.head) != NIL) {
		s = &d->slots[i];
		if (s->when > now)
			return;
		id = (unsigned int)i |
		    (unsigned int)(s->gen & ((1u << (16 - SLOT_BITS)) - 1))
		    << SLOT_BITS;
		s->buf[0] = (unsigned char)(id >> 8);
		s->buf[1] = (unsigned char)(id & 0xff);
		if (send(d->up, s->buf, s->len, 0) == -1) {
			d->dropped++;
			slot_release(d, i);
			continue;
		}
		q_remove(d, &d->delayed, i);
		s->state = SLOT_SENT;
		s->when = now + UPSTREAM_WAIT;
		q_push(d, &d->sent, i);
	}
}

/* Forget queries upstream never answered. */
static void
expire_sent(struct delay *d, int64_t now)
{
	int32_t i;

	while ((i = d->sent.head) != NIL && d->slots[i].when <= now) {
		d->lost++;
		slot_release(d, i);
	}
}

/* Time until the next deadline or expiry, or NULL: nothing waits. */
static struct timespec *
next_wakeup(struct delay *d, int64_t now, struct timespec *ts)
{
	int64_t when = INT64_MAX, wait;

	if (d->delayed.head != NIL)
		when = d->slots[d->delayed.head].when;
	if (d->sent.head != NIL && d->slots[d->sent.head].when < when)
		when = d->slots[d->sent.head].when;
	if (when == INT64_MAX)
		return NULL;
	wait = when > now ? when - now : 0;
	ts->tv_sec = (time_t)(wait / NS_PER_S);
	ts->tv_nsec = (long)(wait % NS_PER_S);
	return ts;
}

/* 0 once len bytes have moved (written if out, else read); -1 on end of
 * file, error or timeout. */
static int
move_full(int fd, unsigned char *buf, size_t len, bool out)
{
	ssize_t n;

	while (len > 0) {
		n = out ? write(fd, buf, len) : read(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
sleep_ns(int64_t ns)
{
	struct timespec ts;

	if (ns <= 0)
		return;
	ts.tv_sec = (time_t)(ns / NS_PER_S);
	ts.tv_nsec = (long)(ns % NS_PER_S);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/*
 * One TCP client connection: each framed query waits out the delay from
 * its arrival, goes upstream, and its answer comes back.  Any failure or
 * TCP_IDLE of silence ends the connection.
 */
static void *
tcp_serve(void *arg)
{
	struct timeval tv = { TCP_IDLE, 0 };
	unsigned char *msg;
	size_t len;
	int64_t arrived;
	int fd = (int)(intptr_t)arg, up = -1;

	/* Two length bytes and up to 65535 of message. */
	if ((msg = malloc(2 + 65535)) == NULL)
		goto end;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	for (;;) {
		if (move_full(fd, msg, 2, false) == -1)
			goto end;
		arrived = now_ns();
		len = (size_t)msg[0] << 8 | msg[1];
		if (len < DNS_HDR || move_full(fd, msg + 2, len, false) == -1)
			goto end;
		sleep_ns(arrived + tcp_delay_ns - now_ns());
		if (strip_dnssec)
			clear_do(msg + 2, len);
		if (up == -1) {
			up = socket(upstream_tcp->ai_family, SOCK_STREAM, 0);
			if (up == -1)
				goto end;
			(void)setsockopt(up, SOL_SOCKET, SO_RCVTIMEO, &tv,
			    sizeof(tv));
			(void)setsockopt(up, SOL_SOCKET, SO_SNDTIMEO, &tv,
			    sizeof(tv));
			if (connect(up, upstream_tcp->ai_addr,
			    upstream_tcp->ai_addrlen) == -1)
				goto end;
		}
		if (move_full(up, msg, 2 + len, true) == -1 ||
		    move_full(up, msg, 2, false) == -1)
			goto end;
		len = (size_t)msg[0] << 8 | msg[1];
		if (move_full(up, msg + 2, len, false) == -1 ||
		    move_full(fd, msg, 2 + len, true) == -1)
			goto end;
	}
end:
	if (up != -1)
		(void)close(up);
	(void)close(fd);
	free(msg);
	atomic_fetch_sub(&tcp_active, 1);
	return NULL;
}

/* A thread for each new connection, or a close past MAX_TCP. */
static void
tcp_accept(struct delay *d)
{
	pthread_attr_t attr;
	pthread_t tid;
	int fd;

	if (pthread_attr_init(&attr) != 0)
		return;
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	(void)pthread_attr_setstacksize(&attr, 128 * 1024);
	while ((fd = accept(d->tcp, NULL, NULL)) != -1) {
		/* accept(2) on Linux does not pass O_NONBLOCK on. */
		if (atomic_load(&tcp_active) >= MAX_TCP) {
			(void)close(fd);
			continue;
		}
		atomic_fetch_add(&tcp_active, 1);
		d->tcp_conns++;
		if (pthread_create(&tid, &attr, tcp_serve,
		    (void *)(intptr_t)fd) != 0) {
			atomic_fetch_sub(&tcp_active, 1);
			(void)close(fd);
		}
	}
	(void)pthread_attr_destroy(&attr);
}

static void
serve(struct delay *d, const sigset_t *waitmask)
{
	struct pollfd pfd[3];
	struct timespec ts, *tsp;
	int64_t now;
	int i;

	pfd[0].fd = d->up;
	pfd[1].fd = d->udp;
	pfd[2].fd = d->tcp;
	while (!stopping) {
		now = now_ns();
		send_due(d, now);
		expire_sent(d, now);
		tsp = next_wakeup(d, now, &ts);
		for (i = 0; i < 3; i++) {
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (ppoll(pfd, 3, tsp, waitmask) == -1) {
			if (errno == EINTR)
				continue;
			die("ppoll: %s", strerror(errno));
		}
		/* Answers first: they free slots for new queries. */
		if (pfd[0].revents != 0)
			udp_from_upstream(d);
		if (pfd[1].revents != 0)
			udp_from_clients(d);
		if (pfd[2].revents != 0)
			tcp_accept(d);
	}
}

int
main(int argc, char *argv[])
{
	static struct delay d;
	struct addrinfo *up_udp;
	sigset_t waitmask;
	char *end;
	long ms;

	if (argc > 1 && strcmp(argv[1], "--strip-dnssec") == 0) {
		strip_dnssec = true;
		argc--;
		argv++;
	}
	if (argc != 5) {
		(void)fputs("usage: dns_delay [--strip-dnssec] LISTEN_ADDR PORT "
		    "UPSTREAM_ADDR DELAY_MS\n", stderr);
		return 2;
	}
	errno = 0;
	ms = strtol(argv[4], &end, 10);
	if (errno != 0 || end == argv[4] || *end != '\0' || ms < 0 ||
	    ms > DELAY_MAX)
		die("delay %s: not a number of milliseconds from 0 to %d",
		    argv[4], DELAY_MAX);
	d.delay_ns = ms * NS_PER_MS;
	tcp_delay_ns = d.delay_ns;

	catch_signals(&waitmask);
	up_udp = resolve(argv[3], argv[2], SOCK_DGRAM, 0);
	upstream_tcp = resolve(argv[3], argv[2], SOCK_STREAM, 0);
	d.up = open_upstream_udp(up_udp);
	freeaddrinfo(up_udp);
	d.udp = open_listener(argv[1], argv[2], SOCK_DGRAM);
	d.tcp = open_listener(argv[1], argv[2], SOCK_STREAM);

	/* Slots are zero (SLOT_FREE) and handed out fresh until reused. */
	d.free.head = d.free.tail = NIL;
	d.delayed.head = d.delayed.tail = NIL;
	d.sent.head = d.sent.tail = NIL;
	d.fresh = 0;

	serve(&d, &waitmask);
	(void)fprintf(stderr, "dns_delay: stopping: delay_ms=%ld "
	    "udp_queries=%lu answered=%lu dropped=%lu lost=%lu "
	    "tcp_connections=%lu\n", ms, d.queries, d.answered, d.dropped,
	    d.lost, d.tcp_conns);
	freeaddrinfo(upstream_tcp);
	return 0;
}
