/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_script.c - a name server that misbehaves to order, for the DNS test
 * world.
 *
 * Usage: dns_script ADDR PORT RULE...
 *
 * Binds UDP on ADDR:PORT (numeric, IPv4 or IPv6) and answers each query
 * as told by the RULE (SUFFIX=ACTION) whose SUFFIX, a domain name with
 * the trailing dot optional ("." is the root), the query name equals or
 * ends in, label by label and regardless of case.  Where several match,
 * the one with the most labels wins; a name none matches is REFUSED.  At
 * most 64 RULEs, no SUFFIX twice.  The ACTIONs:
 *
 *   refused         REFUSED, no records
 *   servfail        SERVFAIL, no records
 *   truncated       NOERROR, AA and TC, no records: "ask over TCP"
 *   short           NOERROR, AA, ANCOUNT 1, but the datagram ends after
 *                   the question: a record promised and missing
 *   pointer-loop    AA, one answer whose owner is a compression pointer
 *                   to itself; type the query's, class IN, TTL 300,
 *                   RDLENGTH 0
 *   bad-rdlength    AA, one answer (owner a pointer to the question, type
 *                   the query's, class IN, TTL 300) with RDLENGTH 200
 *                   and the datagram ending 4 octets of rdata later
 *   wrong-question  a well-formed NOERROR AA answer to another question:
 *                   other.invalid. A IN, 192.0.2.1 TTL 300; a resolver
 *                   must drop it and wait, and never gets a good answer
 *
 * Every reply copies the query's id, opcode and RD, sets QR, and (but
 * for wrong-question) echoes the question as it came; none has an OPT
 * record.  A query must be one question with an uncompressed name and
 * no QR bit; anything else gets no reply at all.  Records after the
 * question (an OPT, say) are ignored.
 *
 * There is no TCP listener on purpose: a resolver that falls back to TCP
 * after a truncated answer finds the port closed (connection refused),
 * unless something else listens there.
 *
 * Each datagram is answered in place, in one static buffer; nothing is
 * kept from one query to the next.  Exits 0 on SIGTERM or SIGINT, 1 on a
 * bad PORT or RULE or a start-up error (with a message on stderr), 2 on
 * a usage error.  Writes nothing to stdout.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netdb.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns_tool.h"

#define MAX_RULES	64
#define DNS_HDR		12
#define NAME_WIRE_MAX	255	/* octets of a name, root label included */
#define LABEL_MAX	63
#define TTL		300

/* Header bits: third octet, then fourth. */
#define HDR_QR		0x80
#define HDR_OPCODE	0x78
#define HDR_AA		0x04
#define HDR_TC		0x02
#define HDR_RD		0x01
#define RCODE_NOERROR	0
#define RCODE_SERVFAIL	2
#define RCODE_REFUSED	5

#define TYPE_A		1
#define CLASS_IN	1

enum action {
	ACT_REFUSED,
	ACT_SERVFAIL,
	ACT_TRUNCATED,
	ACT_SHORT,
	ACT_POINTER_LOOP,
	ACT_BAD_RDLENGTH,
	ACT_WRONG_QUESTION
};

static const struct {
	const char	*name;
	enum action	 act;
} actions[] = {
	{ "refused",		ACT_REFUSED },
	{ "servfail",		ACT_SERVFAIL },
	{ "truncated",		ACT_TRUNCATED },
	{ "short",		ACT_SHORT },
	{ "pointer-loop",	ACT_POINTER_LOOP },
	{ "bad-rdlength",	ACT_BAD_RDLENGTH },
	{ "wrong-question",	ACT_WRONG_QUESTION },
};

/* A SUFFIX kept in wire form and lower case, so matching is a compare. */
struct rule {
	unsigned char	name[NAME_WIRE_MAX];
	size_t		len;
	int		nlabels;
	enum action	act;
};

static void	usage(void) __attribute__((noreturn));
static int	open_socket(const char *, const char *);
static unsigned char lower(unsigned char);
static bool	name_eq(const unsigned char *, const unsigned char *, size_t);
static void	parse_rule(const char *);
static size_t	question(const unsigned char *, size_t, int *);
static const struct rule *find_rule(const unsigned char *, size_t, int);
static size_t	put16(unsigned char *, unsigned int);
static size_t	put_rr_tail(unsigned char *, const unsigned char *,
		    unsigned int);
static size_t	put_a(unsigned char *);
static size_t	reply(unsigned char *, size_t);
static void	serve(int);

static struct rule rules[MAX_RULES];
static size_t nrules;

/* The query arrives here and the reply is written over it. */
static unsigned char dgram[65536];

/* The question wrong-question answers instead of the one asked. */
static const unsigned char other_name[] = "\5other\7invalid";

static void
usage(void)
{
	(void)fputs("usage: dns_script ADDR PORT SUFFIX=ACTION...\n"
	    "actions: refused servfail truncated short pointer-loop "
	    "bad-rdlength wrong-question\n", stderr);
	exit(2);
}

/* A bound UDP socket; blocking, as there is nothing else to wait for. */
static int
open_socket(const char *addr, const char *port)
{
	struct addrinfo hints, *res = NULL;
	int fd, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(addr, port, &hints, &res)) != 0)
		die("%s port %s: %s", addr, port, gai_strerror(rc));
	fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	if (fd == -1)
		die("socket udp: %s", strerror(errno));
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1)
		die("bind udp %s port %s: %s", addr, port, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

/* DNS case is ASCII case, whatever the locale says. */
static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * Both names in wire form from a label boundary: equal length octets
 * keep the labels in step, and no length octet (at most 63) is a letter.
 */
static bool
name_eq(const unsigned char *a, const unsigned char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

static void
parse_rule(const char *arg)
{
	struct rule *r;
	const char *eq, *p, *dot;
	size_t i, llen;

	if (nrules == MAX_RULES)
		die("rule %s: more than %d rules", arg, MAX_RULES);
	r = &rules[nrules];
	if ((eq = strrchr(arg, '=')) == NULL || eq == arg)
		die("rule %s: not SUFFIX=ACTION", arg);
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(eq + 1, actions[i].name) == 0)
			break;
	if (i == sizeof(actions) / sizeof(actions[0]))
		die("rule %s: unknown action \"%s\"", arg, eq + 1);
	r->act = actions[i].act;

	r->len = 0;
	r->nlabels = 0;
	/* "." alone is the root: no labels, so every name ends in it. */
	p = eq - arg == 1 && arg[0] == '.' ? eq : arg;
	while (p < eq) {
		if ((dot = memchr(p, '.', (size_t)(eq - p))) == NULL)
			dot = eq;
		llen = (size_t)(dot - p);
		if (llen == 0 || llen > LABEL_MAX)
			die("rule %s: suffix has an empty label or one "
			    "longer than %d octets", arg, LABEL_MAX);
		if (r->len + 1 + llen + 1 > NAME_WIRE_MAX)
			die("rule %s: suffix longer than %d octets", arg,
			    NAME_WIRE_MAX);
		r->name[r->len++] = (unsigned char)llen;
		for (i = 0; i < llen; i++) {
			/* No escapes: a backslash is surely a mistake. */
			if (p[i] == '\\')
				die("rule %s: no escapes in a suffix", arg);
			r->name[r->len++] = lower((unsigned char)p[i]);
		}
		r->nlabels++;
		p = dot == eq ? eq : dot + 1;
	}
	r->name[r->len++] = 0;

	/* Two actions for one name: which was meant? */
	for (i = 0; i < nrules; i++)
		if (rules[i].len == r->len &&
		    memcmp(rules[i].name, r->name, r->len) == 0)
			die("rule %s: suffix given twice", arg);
	nrules++;
}

/*
 * The length of the query's name in wire form, with its label count in
 * *nlabels, if m of len octets is a query of one question whose name is
 * uncompressed and whose type and class are there; else 0.
 */
static size_t
question(const unsigned char *m, size_t len, int *nlabels)
{
	size_t off = DNS_HDR;

	if (len < DNS_HDR || (m[2] & HDR_QR) != 0 || m[4] != 0 || m[5] != 1)
		return 0;
	*nlabels = 0;
	for (;;) {
		if (off >= len)
			return 0;
		if (m[off] == 0)
			break;
		/* A pointer or an extended label type. */
		if (m[off] > LABEL_MAX)
			return 0;
		off += 1 + m[off];
		if (off - DNS_HDR + 1 > NAME_WIRE_MAX)
			return 0;
		(*nlabels)++;
	}
	off++;
	if (len - off < 4)
		return 0;
	return off - DNS_HDR;
}

/* The rule with the longest suffix of the name, or NULL. */
static const struct rule *
find_rule(const unsigned char *name, size_t len, int nlabels)
{
	const struct rule *r, *best = NULL;
	size_t i, off;
	int skip;

	for (i = 0; i < nrules; i++) {
		r = &rules[i];
		if (r->nlabels > nlabels ||
		    (best != NULL && r->nlabels <= best->nlabels))
			continue;
		off = 0;
		for (skip = nlabels - r->nlabels; skip > 0; skip--)
			off += 1 + name[off];
		if (len - off == r->len &&
		    name_eq(name + off, r->name, r->len))
			best = r;
	}
	return best;
}

static size_t
put16(unsigned char *p, unsigned int v)
{
	p[0] = (unsigned char)((v >> 8) & 0xff);
	p[1] = (unsigned char)(v & 0xff);
	return 2;
}

/* A record's fixed part after its owner: the type given, IN, TTL, RDLENGTH. */
static size_t
put_rr_tail(unsigned char *p, const unsigned char *type,
    unsigned int rdlength)
{
	p[0] = type[0];
	p[1] = type[1];
	(void)put16(p + 2, CLASS_IN);
	(void)put16(p + 4, TTL >> 16);
	(void)put16(p + 6, TTL & 0xffff);
	(void)put16(p + 8, rdlength);
	return 10;
}

/* 192.0.2.1, from the documentation block: reaches nothing. */
static size_t
put_a(unsigned char *p)
{
	p[0] = 192;
	p[1] = 0;
	p[2] = 2;
	p[3] = 1;
	return 4;
}

/*
 * Turn the query in m (n octets) into its reply, in place; the reply's
 * length, or 0 for no reply.  A reply is at most the header, a question
 * (255 + 4) and a record of 16 octets: far inside the buffer and inside
 * the 512 octets any client takes over UDP.
 */
static size_t
reply(unsigned char *m, size_t n)
{
	static const unsigned char type_a[2] = { 0, TYPE_A };
	const struct rule *r;
	unsigned char qtype[2];
	size_t qlen, off;
	int nlabels;

	if ((qlen = question(m, n, &nlabels)) == 0)
		return 0;
	off = DNS_HDR + qlen;
	qtype[0] = m[off];
	qtype[1] = m[off + 1];
	off += 4;
	r = find_rule(m + DNS_HDR, qlen, nlabels);

	m[2] = HDR_QR | (m[2] & (HDR_OPCODE | HDR_RD));
	m[3] = RCODE_NOERROR;
	(void)put16(m + 4, 1);
	(void)put16(m + 6, 0);
	(void)put16(m + 8, 0);
	(void)put16(m + 10, 0);
	switch (r == NULL ? ACT_REFUSED : r->act) {
	case ACT_REFUSED:
		m[3] = RCODE_REFUSED;
		break;
	case ACT_SERVFAIL:
		m[3] = RCODE_SERVFAIL;
		break;
	case ACT_TRUNCATED:
		m[2] |= HDR_AA | HDR_TC;
		break;
	case ACT_SHORT:
		m[2] |= HDR_AA;
		(void)put16(m + 6, 1);
		break;
	case ACT_POINTER_LOOP:
		m[2] |= HDR_AA;
		(void)put16(m + 6, 1);
		off += put16(m + off, 0xc000 | (unsigned int)off);
		off += put_rr_tail(m + off, qtype, 0);
		break;
	case ACT_BAD_RDLENGTH:
		m[2] |= HDR_AA;
		(void)put16(m + 6, 1);
		off += put16(m + off, 0xc000 | DNS_HDR);
		off += put_rr_tail(m + off, qtype, 200);
		off += put_a(m + off);
		break;
	case ACT_WRONG_QUESTION:
		m[2] |= HDR_AA;
		(void)put16(m + 6, 1);
		/* sizeof takes the root label in. */
		memcpy(m + DNS_HDR, other_name, sizeof(other_name));
		off = DNS_HDR + sizeof(other_name);
		off += put16(m + off, TYPE_A);
		off += put16(m + off, CLASS_IN);
		off += put16(m + off, 0xc000 | DNS_HDR);
		off += put_rr_tail(m + off, type_a, 4);
		off += put_a(m + off);
		break;
	}
	return off;
}

static void
serve(int fd)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t n;
	size_t len;

	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(fd, dgram, sizeof(dgram), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			die("recvfrom: %s", strerror(errno));
		}
		/* A reply that fails to go is as good as a lost one. */
		if ((len = reply(dgram, (size_t)n)) > 0)
			(void)sendto(fd, dgram, len, 0,
			    (struct sockaddr *)&from, fromlen);
	}
}

int
main(int argc, char *argv[])
{
	char *end;
	long port;
	int i;

	if (argc < 4)
		usage();
	/* getaddrinfo(3) would take 99999 for port 34463. */
	errno = 0;
	port = strtol(argv[2], &end, 10);
	if (errno != 0 || end == argv[2] || *end != '\0' || port < 1 ||
	    port > 65535)
		die("port %s: not a number from 1 to 65535", argv[2]);
	/* Every rule is checked before the port is taken. */
	for (i = 3; i < argc; i++)
		parse_rule(argv[i]);
	exit_on_signals();
	serve(open_socket(argv[1], argv[2]));
	return 0;
}
