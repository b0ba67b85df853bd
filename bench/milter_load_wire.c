/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_load_wire.c - what bench/milter_load puts on the wire: the milter
 * socket address, the list of SMTP clients it pretends to be, and every
 * packet of a session, built once so that the event loop only copies
 * bytes.  Packets follow libmilter's format: a 32-bit big-endian length
 * (command byte plus payload), the command byte, the payload.
 */

#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfdef.h>

#include "milter_load.h"

/* What we offer: every action and every protocol step (libmilter's
 * SMFI_CURR_PROT without the MDS size bits, as Postfix does). */
#define ML_ACTIONS	0x1ffU
#define ML_PROTOCOL	0x1fffffU

struct bytebuf {
	unsigned char	*p;
	size_t		 len;
	size_t		 cap;
	int		 failed;
};

static void	bb_put(struct bytebuf *b, const void *data, size_t len);
static void	bb_str(struct bytebuf *b, const char *s);
static size_t	bb_begin(struct bytebuf *b, char cmd);
static void	bb_end(struct bytebuf *b, size_t start);
static void	bb_macros(struct bytebuf *b, char stage, const char *const *nv);
static int	bb_take(struct bytebuf *b, struct ml_bytes *out);
static int	trim_line(char *line);
static void	put32(unsigned char *p, uint32_t v);
static int	read_full(int fd, unsigned char *p, size_t n);

uint32_t
ml_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

int
ml_target_parse(const char *spec, struct ml_target *t, char *err,
    size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	const char *rest, *at;
	char port[16], host[256];
	size_t plen;
	int rc;

	memset(t, 0, sizeof(*t));
	if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0 ||
	    spec[0] == '/') {
		struct sockaddr_un *sun = (struct sockaddr_un *)&t->addr;

		rest = spec[0] == '/' ? spec : strchr(spec, ':') + 1;
		if (*rest == '\0' || strlen(rest) >= sizeof(sun->sun_path)) {
			snprintf(err, errlen, "%s: bad or too long socket path",
			    spec);
			return -1;
		}
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, rest, strlen(rest) + 1);
		t->addrlen = sizeof(*sun);
		t->family = AF_UNIX;
		return 0;
	}
	if (strncmp(spec, "inet:", 5) == 0)
		t->family = AF_INET;
	else if (strncmp(spec, "inet6:", 6) == 0)
		t->family = AF_INET6;
	else {
		snprintf(err, errlen, "%s: not unix:PATH, local:PATH, "
		    "inet:PORT@HOST or inet6:PORT@HOST", spec);
		return -1;
	}
	rest = strchr(spec, ':') + 1;
	at = strchr(rest, '@');
	plen = at ? (size_t)(at - rest) : 0;
	if (at == NULL || plen == 0 || plen >= sizeof(port) ||
	    strlen(at + 1) >= sizeof(host)) {
		snprintf(err, errlen, "%s: expected PORT@HOST", spec);
		return -1;
	}
	memcpy(port, rest, plen);
	port[plen] = '\0';
	at++;
	/* libmilter accepts inet6:PORT@[::1] as well as inet6:PORT@::1. */
	if (*at == '[' && at[strlen(at) - 1] == ']') {
		memcpy(host, at + 1, strlen(at) - 2);
		host[strlen(at) - 2] = '\0';
	} else
		snprintf(host, sizeof(host), "%s", at);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = t->family;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", spec, gai_strerror(rc));
		return -1;
	}
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	t->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int
ml_clients_add(struct ml_clients *c, const char *text, int sep, char *err,
    size_t errlen)
{
	struct ml_client *cl;
	unsigned char bin[16];
	const char *helo;
	size_t alen;

	helo = strchr(text, sep);
	alen = helo ? (size_t)(helo - text) : strlen(text);
	if (helo != NULL)
		while (*helo == sep || *helo == ' ' || *helo == '\t')
			helo++;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 16;
		struct ml_client *nv = realloc(c->v, ncap * sizeof(*nv));

		if (nv == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		c->v = nv;
		c->cap = ncap;
	}
	cl = &c->v[c->n];
	memset(cl, 0, sizeof(*cl));
	if (alen == 0 || alen >= sizeof(cl->addr)) {
		snprintf(err, errlen, "bad client address");
		return -1;
	}
	memcpy(cl->addr, text, alen);
	cl->addr[alen] = '\0';
	if (inet_pton(AF_INET, cl->addr, bin) == 1)
		cl->inet6 = 0;
	else if (inet_pton(AF_INET6, cl->addr, bin) == 1)
		cl->inet6 = 1;
	else {
		snprintf(err, errlen, "%.46s: not an IPv4 or IPv6 address",
		    cl->addr);
		return -1;
	}
	if (helo == NULL || *helo == '\0')
		snprintf(cl->helo, sizeof(cl->helo), "[%s]", cl->addr);
	else {
		const char *p;

		if (strlen(helo) >= sizeof(cl->helo)) {
			snprintf(err, errlen, "HELO name too long");
			return -1;
		}
		/* The name goes into NUL-terminated packet fields, and the
		 * client list splits on blanks; 8-bit bytes are fair game. */
		for (p = helo; *p != '\0'; p++)
			if ((unsigned char)*p <= ' ' || *p == 0x7f) {
				snprintf(err, errlen, "HELO name with a blank "
				    "or control character");
				return -1;
			}
		snprintf(cl->helo, sizeof(cl->helo), "%s", helo);
	}
	c->n++;
	return 0;
}

/* Strips comments and surrounding blanks; returns 0 for an empty line. */
static int
trim_line(char *line)
{
	char *p = strchr(line, '#');
	size_t n;

	if (p != NULL)
		*p = '\0';
	n = strlen(line);
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	p = line;
	while (isspace((unsigned char)*p))
		p++;
	memmove(line, p, strlen(p) + 1);
	for (p = line; *p != '\0'; p++)
		if (*p == '\t')
			*p = ' ';
	return line[0] != '\0';
}

int
ml_clients_load(struct ml_clients *c, const char *path)
{
	char line[2200], err[128];
	unsigned lineno = 0, bad = 0;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "milter_load: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			fprintf(stderr, "%s:%u: line too long\n", path, lineno);
			bad++;
			while (fgets(line, sizeof(line), fp) != NULL &&
			    strchr(line, '\n') == NULL)
				continue;
			continue;
		}
		if (!trim_line(line))
			continue;
		if (ml_clients_add(c, line, ' ', err, sizeof(err)) == -1) {
			fprintf(stderr, "%s:%u: %s\n", path, lineno, err);
			bad++;
		}
	}
	fclose(fp);
	if (bad == 0 && c->n == 0) {
		fprintf(stderr, "%s: no clients\n", path);
		return -1;
	}
	return bad ? -1 : 0;
}

void
ml_clients_free(struct ml_clients *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static void
bb_put(struct bytebuf *b, const void *data, size_t len)
{
	if (b->failed)
		return;
	if (b->len + len > b->cap) {
		size_t ncap = b->cap ? b->cap : 256;
		unsigned char *np;

		while (ncap < b->len + len)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void
bb_str(struct bytebuf *b, const char *s)
{
	bb_put(b, s, strlen(s) + 1);
}

/* Starts a packet; returns where its length word goes. */
static size_t
bb_begin(struct bytebuf *b, char cmd)
{
	size_t start = b->len;

	bb_put(b, "\0\0\0\0", 4);
	bb_put(b, &cmd, 1);
	return start;
}

static void
bb_end(struct bytebuf *b, size_t start)
{
	if (!b->failed)
		put32(b->p + start, (uint32_t)(b->len - start - 4));
}

/* One SMFIC_MACRO packet; nv is name, value, ..., NULL. */
static void
bb_macros(struct bytebuf *b, char stage, const char *const *nv)
{
	size_t start = bb_begin(b, SMFIC_MACRO);

	bb_put(b, &stage, 1);
	for (; *nv != NULL; nv++)
		bb_str(b, *nv);
	bb_end(b, start);
}

/* Moves the buffer into out and resets it; -1 if any step failed. */
static int
bb_take(struct bytebuf *b, struct ml_bytes *out)
{
	if (b->failed) {
		free(b->p);
		memset(b, 0, sizeof(*b));
		return -1;
	}
	out->p = b->p;
	out->len = b->len;
	memset(b, 0, sizeof(*b));
	return 0;
}

static const char body_text[] =
    "This is a message from milter_load, the milter benchmark.\r\n"
    "It is about three hundred bytes long, which is what a short\r\n"
    "notification looks like once its headers are gone: a few lines\r\n"
    "of text, no attachment, nothing a milter would need to parse.\r\n"
    "\r\n"
    "-- \r\n"
    "bench\r\n";

int
ml_packets_build(struct ml_packets *pk, const struct ml_clients *c,
    unsigned nrcpt)
{
	static const char *const hname[ML_NHEADERS] = {
		"From", "To", "Subject", "Message-ID", "Date"
	};
	static const char *const hvalue[ML_NHEADERS] = {
		"Bench <bench@example.org>", "<user1@bench.test>",
		"milter_load test message", "<milter-load@bench.test>",
		"Mon, 1 Jan 2024 00:00:00 +0000"
	};
	struct bytebuf b = { NULL, 0, 0, 0 };
	char text[320], ctext[64];
	size_t i, start, maxc = 0, maxh = 0, maxr = 0, hdrs = 0;
	unsigned char opt[12];
	int k;

	memset(pk, 0, sizeof(*pk));
	pk->nclients = c->n;
	pk->nrcpt = nrcpt;
	pk->connect = calloc(c->n, sizeof(*pk->connect));
	pk->connect_port_off = calloc(c->n, sizeof(*pk->connect_port_off));
	pk->helo = calloc(c->n, sizeof(*pk->helo));
	pk->rcpt = calloc(nrcpt, sizeof(*pk->rcpt));
	if (pk->connect == NULL || pk->connect_port_off == NULL ||
	    pk->helo == NULL || pk->rcpt == NULL)
		return -1;

	start = bb_begin(&b, SMFIC_OPTNEG);
	put32(opt, SMFI_PROT_VERSION);
	put32(opt + 4, ML_ACTIONS);
	put32(opt + 8, ML_PROTOCOL);
	bb_put(&b, opt, sizeof(opt));
	bb_end(&b, start);
	if (bb_take(&b, &pk->optneg) == -1)
		return -1;

	for (i = 0; i < c->n; i++) {
		const struct ml_client *cl = &c->v[i];
		const char *cm[] = { "j", "mx.bench.test", "{daemon_name}",
		    "bench", "{daemon_addr}", "127.0.0.1", "_", ctext, NULL };
		char fam = cl->inet6 ? SMFIA_INET6 : SMFIA_INET;

		snprintf(text, sizeof(text), "[%s]", cl->addr);
		/* Postfix's "_": the client name, "unknown" without a PTR. */
		snprintf(ctext, sizeof(ctext), "unknown [%s]", cl->addr);
		bb_macros(&b, SMFIC_CONNECT, cm);
		start = bb_begin(&b, SMFIC_CONNECT);
		bb_str(&b, text);
		bb_put(&b, &fam, 1);
		pk->connect_port_off[i] = b.len;
		bb_put(&b, "\0\0", 2);
		bb_str(&b, cl->addr);
		bb_end(&b, start);
		if (bb_take(&b, &pk->connect[i]) == -1)
			return -1;
		start = bb_begin(&b, SMFIC_HELO);
		bb_str(&b, cl->helo);
		bb_end(&b, start);
		if (bb_take(&b, &pk->helo[i]) == -1)
			return -1;
		if (pk->connect[i].len > maxc)
			maxc = pk->connect[i].len;
		if (pk->helo[i].len > maxh)
			maxh = pk->helo[i].len;
	}

	{
		const char *mm[] = { "i", "4BENCH0001", "{mail_addr}",
		    "bench@example.org", NULL };

		bb_macros(&b, SMFIC_MAIL, mm);
		start = bb_begin(&b, SMFIC_MAIL);
		bb_str(&b, "<bench@example.org>");
		bb_end(&b, start);
		if (bb_take(&b, &pk->mail) == -1)
			return -1;
	}
	for (i = 0; i < nrcpt; i++) {
		const char *rm[] = { "{rcpt_addr}", ctext, NULL };

		snprintf(ctext, sizeof(ctext), "user%zu@bench.test", i + 1);
		bb_macros(&b, SMFIC_RCPT, rm);
		snprintf(text, sizeof(text), "<%s>", ctext);
		start = bb_begin(&b, SMFIC_RCPT);
		bb_str(&b, text);
		bb_end(&b, start);
		if (bb_take(&b, &pk->rcpt[i]) == -1)
			return -1;
		maxr += pk->rcpt[i].len;
	}

	bb_end(&b, bb_begin(&b, SMFIC_DATA));
	if (bb_take(&b, &pk->data) == -1)
		return -1;
	for (k = 0; k < 2; k++)
		for (i = 0; i < ML_NHEADERS; i++) {
			start = bb_begin(&b, SMFIC_HEADER);
			bb_str(&b, hname[i]);
			/* Postfix drops the blank after the colon unless the
			 * milter asked for it with SMFIP_HDR_LEADSPC. */
			if (k)
				bb_put(&b, " ", 1);
			bb_str(&b, hvalue[i]);
			bb_end(&b, start);
			if (bb_take(&b, &pk->header[k][i]) == -1)
				return -1;
			hdrs += pk->header[k][i].len;
		}
	bb_end(&b, bb_begin(&b, SMFIC_EOH));
	if (bb_take(&b, &pk->eoh) == -1)
		return -1;
	start = bb_begin(&b, SMFIC_BODY);
	bb_put(&b, body_text, sizeof(body_text) - 1);
	bb_end(&b, start);
	if (bb_take(&b, &pk->body) == -1)
		return -1;
	bb_end(&b, bb_begin(&b, SMFIC_BODYEOB));
	if (bb_take(&b, &pk->eom) == -1)
		return -1;
	bb_end(&b, bb_begin(&b, SMFIC_QUIT));
	if (bb_take(&b, &pk->quit) == -1)
		return -1;
	pk->max_session = pk->optneg.len + maxc + maxh + hdrs + pk->mail.len +
	    maxr +
	    pk->data.len + pk->eoh.len + pk->body.len + pk->eom.len +
	    pk->quit.len;
	return 0;
}

void
ml_packets_free(struct ml_packets *pk)
{
	size_t i;
	int k;

	free(pk->optneg.p);
	for (i = 0; i < pk->nclients; i++) {
		if (pk->connect)
			free(pk->connect[i].p);
		if (pk->helo)
			free(pk->helo[i].p);
	}
	free(pk->connect);
	free(pk->connect_port_off);
	free(pk->helo);
	free(pk->mail.p);
	for (i = 0; i < pk->nrcpt && pk->rcpt != NULL; i++)
		free(pk->rcpt[i].p);
	free(pk->rcpt);
	free(pk->data.p);
	for (k = 0; k < 2; k++)
		for (i = 0; i < ML_NHEADERS; i++)
			free(pk->header[k][i].p);
	free(pk->eoh.p);
	free(pk->body.p);
	free(pk->eom.p);
	free(pk->quit.p);
	memset(pk, 0, sizeof(*pk));
}

/* Reads exactly n bytes; -1 with errno (0 for end of file). */
static int
read_full(int fd, unsigned char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if ((r = read(fd, p, n)) <= 0) {
			if (r == 0)
				errno = 0;
			else if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
ml_probe(const struct ml_target *t, double timeout_s,
    const struct ml_packets *pk, unsigned *version, uint32_t *actions,
    uint32_t *protocol, char *err, size_t errlen)
{
	struct timeval tv;
	unsigned char hdr[5], pay[12];
	uint32_t len;
	int fd, ret = -1;

	if ((fd = socket(t->family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	tv.tv_sec = (time_t)timeout_s;
	tv.tv_usec = (suseconds_t)((timeout_s - (double)tv.tv_sec) * 1e6);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)&t->addr, t->addrlen) == -1) {
		snprintf(err, errlen, "cannot connect: %s", strerror(errno));
		goto end;
	}
	if (write(fd, pk->optneg.p, pk->optneg.len) != (ssize_t)pk->optneg.len) {
		snprintf(err, errlen, "cannot send OPTNEG: %s", strerror(errno));
		goto end;
	}
	if (read_full(fd, hdr, sizeof(hdr)) == -1) {
		snprintf(err, errlen, "no OPTNEG reply: %s",
		    errno ? strerror(errno) : "connection closed");
		goto end;
	}
	len = ml_get32(hdr);
	if (hdr[4] != SMFIC_OPTNEG || len < 13 || len > ML_MAX_PACKET) {
		snprintf(err, errlen, "bad OPTNEG reply (command 0x%02x, "
		    "length %u)", hdr[4], (unsigned)len);
		goto end;
	}
	if (read_full(fd, pay, sizeof(pay)) == -1) {
		snprintf(err, errlen, "short OPTNEG reply");
		goto end;
	}
	*version = ml_get32(pay);
	*actions = ml_get32(pay + 4);
	*protocol = ml_get32(pay + 8);
	if (*version < 2 || *version > SMFI_PROT_VERSION) {
		snprintf(err, errlen, "milter speaks protocol version %u",
		    *version);
		goto end;
	}
	/* A polite goodbye; the symbol lists, if any, are not needed. */
	(void)!write(fd, pk->quit.p, pk->quit.len);
	ret = 0;
end:
	close(fd);
	return ret;
}
