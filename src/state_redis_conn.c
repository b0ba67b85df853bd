/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_redis_conn.c - one connection to Redis, every step bounded by the
 * caller's deadline.
 *
 * hiredis's blocking calls bound each read() on its own (SO_RCVTIMEO), so
 * a server that drips a byte at a time could hold a call for as long as
 * it likes; and its writes raise SIGPIPE on a closed socket.  So hiredis
 * only formats commands and parses replies here: the socket is
 * non-blocking, the connect, the writes (send() with MSG_NOSIGNAL) and the
 * reads all wait in ppoll() for what is left of one deadline, and the
 * bytes a reply may take before it is whole are capped.
 *
 * hiredis 0.14 allocates an array reply's element vector as soon as it
 * reads the count ("*2147483647" is 16 GB of calloc()) and frees it
 * element by element: seconds of one thread's time.  Its reader here
 * builds replies through our table, which refuses an array of more than
 * REDIS_ARRAY_MAX elements before anything is allocated.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "monotime.h"
#include "safe_text.h"
#include "state_redis_impl.h"

/* The most elements of an array reply: EXEC's has two. */
#define REDIS_ARRAY_MAX 8

/* hiredis 1.x counts array elements in a size_t. */
#if defined(HIREDIS_MAJOR) && HIREDIS_MAJOR >= 1
typedef size_t redis_count;
#else
typedef int redis_count;
#endif

static const redisReplyObjectFunctions *hiredis_builders;
static redisReplyObjectFunctions bounded_builders;
static pthread_once_t bounded_once = PTHREAD_ONCE_INIT;

static void *bounded_array(const redisReadTask *task, redis_count elements);
static void bounded_init(void);
static void why_ctx(char *why, size_t whylen, const struct redis_target *t,
    const redisContext *ctx);
static int wait_fd(int fd, short events, struct timespec deadline);
static int send_all(struct redis_conn *c, const struct redis_target *t,
    const struct redis_request *req, struct timespec deadline, char *why,
    size_t whylen);
static int read_replies(struct redis_conn *c, const struct redis_target *t,
    struct redis_request *req, struct timespec deadline, char *why,
    size_t whylen);

int
redis_request_add(struct redis_request *req, enum redis_expect expect,
    int argc, const char **argv, const size_t *argvlen)
{
	char *cmd = NULL;
	int len;

	if (req->commands >= REDIS_REPLIES_MAX)
		return -1;
	len = redisFormatCommandArgv(&cmd, argc, argv, argvlen);
	if (len < 0 || cmd == NULL)
		return -1;
	if ((size_t)len > sizeof(req->out) - req->out_len) {
		explicit_bzero(cmd, (size_t)len);
		redisFreeCommand(cmd);
		return -1;
	}
	memcpy(req->out + req->out_len, cmd, (size_t)len);
	req->out_len += (size_t)len;
	/* AUTH's password passes through here: leave no copy behind. */
	explicit_bzero(cmd, (size_t)len);
	redisFreeCommand(cmd);
	req->expect[req->commands] = expect;
	req->names[req->commands] = argv[0];
	req->commands++;
	return 0;
}

void
redis_request_clear(struct redis_request *req)
{
	int i;

	for (i = 0; i < req->commands; i++) {
		if (req->replies[i] != NULL)
			freeReplyObject(req->replies[i]);
	}
	explicit_bzero(req->out, req->out_len);
	memset(req, 0, sizeof(*req));
}

/* hiredis's array builder, unless the count is more than we ever ask
 * for: then NULL, which the reader takes as a failure, and the count
 * noted in the connection for the reason. */
static void *
bounded_array(const redisReadTask *task, redis_count elements)
{
	struct redis_conn *c = task->privdata;

	if (elements > REDIS_ARRAY_MAX) {
		if (c != NULL)
			c->refused_elements = (long long)elements;
		return NULL;
	}
	return hiredis_builders->createArray(task, elements);
}

/* hiredis's default builders, found through a reader it makes with
 * them, and ours: the same but for arrays. */
static void
bounded_init(void)
{
	redisReader *r = redisReaderCreate();

	if (r == NULL)
		return;
	hiredis_builders = r->fn;
	redisReaderFree(r);
	bounded_builders = *hiredis_builders;
	bounded_builders.createArray = bounded_array;
}

/* hiredis's own words for a failure: they may quote bytes the server
 * sent, so they are made printable. */
static void
why_ctx(char *why, size_t whylen, const struct redis_target *t,
    const redisContext *ctx)
{
	char text[sizeof(ctx->errstr)];

	safe_text(text, sizeof(text), ctx->errstr, sizeof(ctx->errstr),
	    SAFE_TEXT_REPLY);
	redis_why(why, whylen, "%s: %s", t->where, text);
}

/* 1 when fd is ready for events, 0 when the deadline passed first, -1 on
 * an error (errno set). */
static int
wait_fd(int fd, short events, struct timespec deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	struct timespec left;
	int64_t us;
	int n;

	for (;;) {
		us = monotime_diff_us(monotime_now(), deadline);
		if (us <= 0)
			return 0;
		left.tv_sec = (time_t)(us / 1000000);
		left.tv_nsec = (long)(us % 1000000) * 1000;
		n = ppoll(&pfd, 1, &left, NULL);
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

struct redis_conn *
redis_conn_open(const struct redis_target *t, struct timespec deadline,
    char *why, size_t whylen)
{
	struct redis_conn *c;
	socklen_t slen = sizeof(int);
	int soerr = 0, ready;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		redis_why(why, whylen, "connect %s: out of memory", t->where);
		return NULL;
	}
	c->ctx = t->unix_socket ? redisConnectUnixNonBlock(t->path) :
	    redisConnectNonBlock(t->addr, (int)t->port);
	if (c->ctx == NULL) {
		redis_why(why, whylen, "connect %s: out of memory", t->where);
		goto fail;
	}
	if (c->ctx->err) {
		why_ctx(why, whylen, t, c->ctx);
		goto fail;
	}
	pthread_once(&bounded_once, bounded_init);
	if (hiredis_builders == NULL) {
		redis_why(why, whylen, "connect %s: out of memory", t->where);
		goto fail;
	}
	c->ctx->reader->fn = &bounded_builders;
	c->ctx->reader->privdata = c;
	ready = wait_fd(c->ctx->fd, POLLOUT, deadline);
	if (ready <= 0) {
		redis_why(why, whylen, "connect %s: %s", t->where,
		    ready == 0 ? "timed out" : strerror(errno));
		goto fail;
	}
	if (getsockopt(c->ctx->fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) == -1)
		soerr = errno;
	if (soerr != 0) {
		redis_why(why, whylen, "connect %s: %s", t->where,
		    strerror(soerr));
		goto fail;
	}
	return c;
fail:
	redis_conn_close(c);
	return NULL;
}

void
redis_conn_close(struct redis_conn *c)
{
	if (c == NULL)
		return;
	if (c->ctx != NULL)
		redisFree(c->ctx);
	redis_request_clear(&c->req);
	free(c);
}

static int
send_all(struct redis_conn *c, const struct redis_target *t,
    const struct redis_request *req, struct timespec deadline, char *why,
    size_t whylen)
{
	size_t off = 0;
	ssize_t n;
	int ready;

	while (off < req->out_len) {
		n = send(c->ctx->fd, req->out + off, req->out_len - off,
		    MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			redis_why(why, whylen, "%s: send: %s", t->where,
			    strerror(errno));
			return -1;
		}
		ready = wait_fd(c->ctx->fd, POLLOUT, deadline);
		if (ready <= 0) {
			redis_why(why, whylen, "%s: send: %s", t->where,
			    ready == 0 ? "timed out" : strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Every reply req waits for, parsed as the bytes arrive. */
static int
read_replies(struct redis_conn *c, const struct redis_target *t,
    struct redis_request *req, struct timespec deadline, char *why,
    size_t whylen)
{
	redisReader *r = c->ctx->reader;
	void *reply;
	int got = 0, ready;

	while (got < req->commands) {
		reply = NULL;
		if (redisGetReplyFromReader(c->ctx, &reply) != REDIS_OK) {
			if (c->refused_elements > 0)
				redis_why(why, whylen, "%s: %s: an array of "
				    "%lld elements (at most %d)", t->where,
				    req->names[got], c->refused_elements,
				    REDIS_ARRAY_MAX);
			else
				why_ctx(why, whylen, t, c->ctx);
			return -1;
		}
		if (reply != NULL) {
			req->replies[got++] = reply;
			continue;
		}
		ready = wait_fd(c->ctx->fd, POLLIN, deadline);
		if (ready <= 0) {
			redis_why(why, whylen, "%s: %s: %s", t->where,
			    req->names[got], ready == 0 ?
			    "no answer in time" : strerror(errno));
			return -1;
		}
		if (redisBufferRead(c->ctx) != REDIS_OK) {
			why_ctx(why, whylen, t, c->ctx);
			return -1;
		}
		if (r->len - r->pos > REDIS_READ_MAX) {
			redis_why(why, whylen, "%s: %s: a reply over %d bytes",
			    t->where, req->names[got], REDIS_READ_MAX);
			return -1;
		}
	}
	return 0;
}

bool
redis_conn_idle_ok(const struct redis_conn *c)
{
	char byte;
	ssize_t n = recv(c->ctx->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

int
redis_conn_run(struct redis_conn *c, const struct redis_target *t,
    struct redis_request *req, struct timespec deadline, char *why,
    size_t whylen)
{
	int i;

	if (send_all(c, t, req, deadline, why, whylen) == -1 ||
	    read_replies(c, t, req, deadline, why, whylen) == -1)
		return -1;
	/* More than we asked for would answer the next request. */
	if (c->ctx->reader->pos < c->ctx->reader->len) {
		redis_why(why, whylen, "%s: bytes after the last reply",
		    t->where);
		return -1;
	}
	for (i = 0; i < req->commands; i++) {
		if (!redis_reply_expected(req->replies[i], req->expect[i],
		    req->names[i], why, whylen))
			return -1;
	}
	return 0;
}
