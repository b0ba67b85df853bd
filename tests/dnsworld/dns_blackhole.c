/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_blackhole.c - a name server that never answers, for the DNS test world.
 *
 * Usage: dns_blackhole ADDR PORT
 *
 * Binds UDP and TCP on ADDR:PORT (numeric, IPv4 or IPv6).  Every datagram
 * is read and dropped; every TCP connection is accepted and held open
 * without a byte of reply, so a resolver asking here waits for its own
 * timeout.  Memory is bounded: at most MAX_HELD connections are held, the
 * oldest is closed when another arrives, and a connection the peer closes
 * is let go.  Exits 0 on SIGTERM or SIGINT, 1 on a start-up error (with a
 * message on stderr).  Writes nothing to stdout.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netdb.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns_tool.h"

#define MAX_HELD	256	/* TCP connections held open at once */
#define LISTEN_BACKLOG	64

/* The two listeners, the held connections (oldest first), the poll set. */
struct blackhole {
	int		udp;
	int		tcp;
	int		held[MAX_HELD];
	size_t		nheld;
	struct pollfd	pfd[2 + MAX_HELD];
};

static int	set_nonblock(int);
static int	open_socket(const char *, const char *, int);
static void	drain_udp(int);
static void	hold_close(struct blackhole *, size_t);
static void	hold_accept(struct blackhole *);
static void	hold_drain(struct blackhole *, size_t);
static void	serve(struct blackhole *);

/* Datagrams and held-connection bytes land here and are forgotten. */
static unsigned char sink[65536];

static int
set_nonblock(int fd)
{
	int flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* A bound, non-blocking socket of the given type; listening if TCP. */
static int
open_socket(const char *addr, const char *port, int type)
{
	struct addrinfo hints, *res = NULL;
	const char *what = type == SOCK_STREAM ? "tcp" : "udp";
	int fd, on = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = type;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(addr, port, &hints, &res)) != 0)
		die("%s port %s: %s", addr, port, gai_strerror(rc));
	fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	if (fd == -1)
		die("socket %s: %s", what, strerror(errno));
	if (type == SOCK_STREAM &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		die("setsockopt %s: %s", what, strerror(errno));
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

/* Read every queued datagram and drop it. */
static void
drain_udp(int fd)
{
	while (recv(fd, sink, sizeof(sink), 0) >= 0)
		continue;
}

/* Close held connection i, keeping the rest in arrival order. */
static void
hold_close(struct blackhole *bh, size_t i)
{
	(void)close(bh->held[i]);
	memmove(&bh->held[i], &bh->held[i + 1],
	    (bh->nheld - i - 1) * sizeof(bh->held[0]));
	bh->nheld--;
}

/* Accept what is pending; past MAX_HELD the oldest connection goes. */
static void
hold_accept(struct blackhole *bh)
{
	int fd;

	while ((fd = accept(bh->tcp, NULL, NULL)) != -1) {
		if (set_nonblock(fd) == -1) {
			(void)close(fd);
			continue;
		}
		if (bh->nheld == MAX_HELD)
			hold_close(bh, 0);
		bh->held[bh->nheld++] = fd;
	}
}

/* Swallow what the peer sent; let go once it has closed or failed. */
static void
hold_drain(struct blackhole *bh, size_t i)
{
	ssize_t n;

	while ((n = recv(bh->held[i], sink, sizeof(sink), 0)) > 0)
		continue;
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR))
		hold_close(bh, i);
}

static void
serve(struct blackhole *bh)
{
	struct pollfd *pfd = bh->pfd;
	size_t i, n;

	for (;;) {
		pfd[0].fd = bh->udp;
		pfd[1].fd = bh->tcp;
		for (i = 0; i < bh->nheld; i++)
			pfd[2 + i].fd = bh->held[i];
		n = 2 + bh->nheld;
		for (i = 0; i < n; i++) {
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)n, -1) == -1) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		/* Held connections first, newest down, so indexes hold. */
		for (i = bh->nheld; i-- > 0; )
			if (pfd[2 + i].revents != 0)
				hold_drain(bh, i);
		if (pfd[0].revents != 0)
			drain_udp(bh->udp);
		if (pfd[1].revents != 0)
			hold_accept(bh);
	}
}

int
main(int argc, char *argv[])
{
	static struct blackhole bh;

	if (argc != 3) {
		(void)fputs("usage: dns_blackhole ADDR PORT\n", stderr);
		return 2;
	}
	exit_on_signals();
	bh.udp = open_socket(argv[1], argv[2], SOCK_DGRAM);
	bh.tcp = open_socket(argv[1], argv[2], SOCK_STREAM);
	bh.nheld = 0;
	serve(&bh);
	return 0;
}
