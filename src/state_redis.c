/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_redis.c - the Redis engine of the state store (state_store =
 * redis://HOST:PORT/DB or redis+unix:/PATH), shared by the MX hosts of a
 * fleet.
 *
 * Keys are REDIS_KEY_PREFIX + the store's key; records expire by Redis's
 * own TTLs (SET ... EX, EXPIRE).  add is MULTI / SET NX EX / GET / EXEC,
 * sent in one write: one round trip, atomic on the server, and the value
 * in force comes back with the answer.  A batch (state_batch()) is a
 * pipeline: every op's commands in one write, then every reply, so that
 * a greylisting check is one round trip; a single call is a batch of
 * one.  A new connection's AUTH and SELECT go in the same write as its
 * first command.
 *
 * Connections: a pool, not one per thread.  libmilter runs a session's
 * callbacks on whichever worker is free, or on a thread per connection
 * that lives only as long as the SMTP session: a thread-local connection
 * would be made and torn down per session (a TCP handshake and AUTH each
 * time) and could not be closed by state_store_close().  The pool keeps
 * up to REDIS_IDLE_MAX idle connections; a call takes one (or makes one)
 * under the pool's lock, uses it alone with no lock held, and gives it
 * back.  No connection is ever used by two threads at once.
 *
 * Failure: any fault (refused, timed out, closed, an error reply such as
 * LOADING, READONLY or OOM, a reply of the wrong shape) is STATE_DOWN; the
 * connection is closed, and so is every idle one (the generation moves
 * on, so that one in use elsewhere is closed when it comes back): after a
 * restart of Redis they are all dead.  Nothing is retried here: the front
 * end's backoff decides when the next call tries, and that call connects
 * afresh within its own deadline - to the address a lookup started at the
 * fault found, for a Redis known by name (state_redis_target.c).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monotime.h"
#include "state_redis_impl.h"

/* Idle connections kept; more at a peak are closed after use. */
#define REDIS_IDLE_MAX 32
/* Room for a prefixed key. */
#define REDIS_KEY_ROOM (sizeof(REDIS_KEY_PREFIX) + STATE_KEY_MAX)
/* Left of the front end's deadline, so that we return within it. */
#define REDIS_MARGIN_US 1000

struct redis_engine {
	struct redis_target target;
	char password_file[STATE_SPEC_PATH_MAX];	/* "" when none */
	pthread_mutex_t lock;	/* idle, idle_count, generation, secret */
	struct redis_conn *idle;
	unsigned idle_count;
	unsigned generation;
	struct redis_secret secret;
};

static struct timespec engine_deadline(const struct state_request *sr);
static int load_secret(struct redis_engine *e, char *why, size_t whylen);
static void add_greeting(struct redis_engine *e, struct redis_conn *c);
static struct redis_conn *conn_take(struct redis_engine *e,
    struct timespec deadline, char *why, size_t whylen);
static void close_list(struct redis_conn *c);
static void conn_give(struct redis_engine *e, struct redis_conn *c,
    bool healthy);
static struct redis_conn *op_begin(struct redis_engine *e,
    struct state_request *sr, struct timespec *deadline);
static redisReply *op_run(struct redis_engine *e, struct redis_conn *c,
    struct state_request *sr, struct timespec deadline);
static enum state_result refused(struct redis_engine *e, struct redis_conn *c,
    struct state_request *sr);
static enum state_result op_end(struct redis_engine *e, struct redis_conn *c,
    enum state_result res);
static void prefixed(char out[REDIS_KEY_ROOM], const char *key,
    size_t keylen, size_t *outlen);

static int redis_open(const struct state_spec *spec, struct state_request *sr,
    void **handle);
static int redis_close(void *handle, struct state_request *sr);
static void engine_free(struct redis_engine *e);
static enum state_result redis_get(void *handle, struct state_request *sr,
    const char *key, size_t keylen, unsigned char *value, size_t *len);
static enum state_result redis_set(void *handle, struct state_request *sr,
    const char *key, size_t keylen, const unsigned char *value, size_t len,
    unsigned ttl_s);
static enum state_result redis_add(void *handle, struct state_request *sr,
    const char *key, size_t keylen, const unsigned char *value, size_t len,
    unsigned ttl_s, unsigned char *current, size_t *current_len);
static enum state_result redis_touch(void *handle, struct state_request *sr,
    const char *key, size_t keylen, unsigned ttl_s);
static enum state_result redis_del(void *handle, struct state_request *sr,
    const char *key, size_t keylen);
static enum state_result redis_batch(void *handle, struct state_request *sr,
    struct state_op *ops, size_t n);

const struct state_engine_ops state_redis_ops = {
	.kind = "redis",
	.open = redis_open,
	.close = redis_close,
	.get = redis_get,
	.set = redis_set,
	.add = redis_add,
	.touch = redis_touch,
	.del = redis_del,
	.batch = redis_batch,
};

/* The front end's deadline less a margin, so that we return within it: a
 * tenth of the time left, at most REDIS_MARGIN_US (a 1 ms state_timeout
 * still leaves Redis 0.9 ms). */
static struct timespec
engine_deadline(const struct state_request *sr)
{
	struct timespec d = sr->deadline;
	int64_t margin_ns = monotime_diff_us(monotime_now(), d) * 100;

	if (margin_ns > REDIS_MARGIN_US * 1000L)
		margin_ns = REDIS_MARGIN_US * 1000L;
	if (margin_ns <= 0)
		return d;
	d.tv_nsec -= (long)margin_ns;
	if (d.tv_nsec < 0) {
		d.tv_nsec += 1000000000L;
		d.tv_sec--;
	}
	return d;
}

/* The password file, read at open and before each new connection, so
 * that a rotated password needs no restart.  A file we may no longer
 * read (its owner changed, or we have left root since) leaves the
 * secret read last from it in force, maybe by another handle. */
static int
load_secret(struct redis_engine *e, char *why, size_t whylen)
{
	struct redis_secret fresh;
	int rc;

	if (e->password_file[0] == '\0')
		return 0;
	rc = redis_secret_read(e->password_file, &fresh, why, whylen);
	if (rc == 0)
		redis_secret_remember(e->password_file, &fresh);
	else if (rc == -2 && redis_secret_recall(e->password_file, &fresh))
		rc = 0;
	if (rc == 0) {
		pthread_mutex_lock(&e->lock);
		e->secret = fresh;
		pthread_mutex_unlock(&e->lock);
	}
	redis_secret_clear(&fresh);
	return rc == 0 ? 0 : -1;
}

/* AUTH and SELECT ahead of a new connection's first command. */
static void
add_greeting(struct redis_engine *e, struct redis_conn *c)
{
	const char *argv[3] = { "AUTH" };
	size_t argvlen[3] = { 4 };
	char db[16];
	int argc = 1;

	pthread_mutex_lock(&e->lock);
	if (e->secret.set) {
		if (e->secret.user[0] != '\0') {
			argv[argc] = e->secret.user;
			argvlen[argc++] = strlen(e->secret.user);
		}
		argv[argc] = e->secret.password;
		argvlen[argc++] = strlen(e->secret.password);
		(void)redis_request_add(&c->req, REDIS_EXPECT_OK, argc, argv,
		    argvlen);
	}
	pthread_mutex_unlock(&e->lock);
	if (e->target.db != 0) {
		snprintf(db, sizeof(db), "%u", e->target.db);
		argv[0] = "SELECT";
		argvlen[0] = 6;
		argv[1] = db;
		argvlen[1] = strlen(db);
		(void)redis_request_add(&c->req, REDIS_EXPECT_OK, 2, argv,
		    argvlen);
	}
}

/* An idle connection the server has not closed meanwhile, or a new one
 * to the target's latest address.  A closed one is not a fault: Redis's
 * idle timeout, or Redis restarted and answering again; it is dropped
 * and the next tried.  A connection that cannot be made is, and a host
 * given by name is looked up again (state_redis_target.c). */
static struct redis_conn *
conn_take(struct redis_engine *e, struct timespec deadline, char *why,
    size_t whylen)
{
	struct redis_target target;
	struct redis_conn *c;
	unsigned generation;

	for (;;) {
		pthread_mutex_lock(&e->lock);
		c = e->idle;
		if (c != NULL) {
			e->idle = c->next;
			e->idle_count--;
		}
		generation = e->generation;
		pthread_mutex_unlock(&e->lock);
		if (c == NULL || redis_conn_idle_ok(c))
			break;
		redis_conn_close(c);
	}
	if (c != NULL) {
		c->next = NULL;
		return c;
	}
	if (load_secret(e, why, whylen) == -1)
		return NULL;
	redis_target_current(&e->target, &target);
	c = redis_conn_open(&target, deadline, why, whylen);
	if (c == NULL) {
		redis_target_stale(&e->target);
		return NULL;
	}
	c->generation = generation;
	return c;
}

static void
close_list(struct redis_conn *c)
{
	struct redis_conn *next;

	for (; c != NULL; c = next) {
		next = c->next;
		redis_conn_close(c);
	}
}

/* A healthy connection goes back to the pool; a faulty one is closed with
 * every idle one, which are most likely as dead. */
static void
conn_give(struct redis_engine *e, struct redis_conn *c, bool healthy)
{
	struct redis_conn *doomed = NULL;

	redis_request_clear(&c->req);
	pthread_mutex_lock(&e->lock);
	if (healthy && c->generation == e->generation &&
	    e->idle_count < REDIS_IDLE_MAX) {
		c->next = e->idle;
		e->idle = c;
		e->idle_count++;
		c = NULL;
	} else if (!healthy) {
		e->generation++;
		doomed = e->idle;
		e->idle = NULL;
		e->idle_count = 0;
	}
	pthread_mutex_unlock(&e->lock);
	redis_conn_close(c);
	close_list(doomed);
	/* A failover may have moved a Redis known by name. */
	if (!healthy)
		redis_target_stale(&e->target);
}

/* A connection with its request begun (greeting included if new). */
static struct redis_conn *
op_begin(struct redis_engine *e, struct state_request *sr,
    struct timespec *deadline)
{
	struct redis_conn *c;

	*deadline = engine_deadline(sr);
	c = conn_take(e, *deadline, sr->why, sizeof(sr->why));
	if (c != NULL && !c->greeted)
		add_greeting(e, c);
	return c;
}

/* Sends the request; its last reply, or NULL (why set). */
static redisReply *
op_run(struct redis_engine *e, struct redis_conn *c, struct state_request *sr,
    struct timespec deadline)
{
	if (c->req.commands == 0 || redis_conn_run(c, &e->target, &c->req,
	    deadline, sr->why, sizeof(sr->why)) == -1) {
		if (c->req.commands == 0)
			redis_why(sr->why, sizeof(sr->why),
			    "%s: command too long", e->target.where);
		return NULL;
	}
	c->greeted = true;
	return c->req.replies[c->req.commands - 1];
}

static enum state_result
op_end(struct redis_engine *e, struct redis_conn *c, enum state_result res)
{
	conn_give(e, c, res != STATE_DOWN);
	return res;
}

static void
prefixed(char out[REDIS_KEY_ROOM], const char *key, size_t keylen,
    size_t *outlen)
{
	size_t plen = sizeof(REDIS_KEY_PREFIX) - 1;

	if (keylen > STATE_KEY_MAX)
		keylen = STATE_KEY_MAX;
	memcpy(out, REDIS_KEY_PREFIX, plen);
	memcpy(out + plen, key, keylen);
	*outlen = plen + keylen;
}

/* The ops that are one command: its name, its arguments (of argv in
 * append_op()) and the reply it must get. */
static const struct {
	const char *name;
	int argc;
	enum redis_expect expect;
} plain[] = {
	[STATE_OP_GET] = { "GET", 2, REDIS_EXPECT_ANY },
	[STATE_OP_SET] = { "SET", 5, REDIS_EXPECT_OK },
	[STATE_OP_ADD] = { "MULTI", 0, REDIS_EXPECT_OK },	/* below */
	[STATE_OP_TOUCH] = { "EXPIRE", 3, REDIS_EXPECT_ANY },
	[STATE_OP_DELETE] = { "DEL", 2, REDIS_EXPECT_ANY },
};

/* Appends the commands of op to req; -1 when they do not fit.  The
 * prefixed key and the ttl are formatted into the caller's buffers,
 * which hiredis copies at once. */
static int
append_op(struct redis_request *req, const struct state_op *op)
{
	char k[REDIS_KEY_ROOM], ttl[16];
	const char *argv[6] = { NULL, k, (const char *)op->value, "EX", ttl,
	    "NX" };
	size_t argvlen[6] = { 0, 0, op->len, 2, 0, 2 };
	const char *one[1];
	size_t onelen[1];
	int bad = 0;

	prefixed(k, op->key, strlen(op->key), &argvlen[1]);
	argvlen[4] = (size_t)snprintf(ttl, sizeof(ttl), "%u", op->ttl_s);
	if ((unsigned)op->kind >= sizeof(plain) / sizeof(plain[0]))
		return -1;
	if (op->kind != STATE_OP_ADD) {
		if (op->kind == STATE_OP_TOUCH) {
			/* EXPIRE key ttl: the ttl where SET has its value. */
			argv[2] = ttl;
			argvlen[2] = argvlen[4];
		}
		argv[0] = plain[op->kind].name;
		argvlen[0] = strlen(argv[0]);
		return redis_request_add(req, plain[op->kind].expect,
		    plain[op->kind].argc, argv, argvlen);
	}
	/* MULTI; SET key value EX ttl NX; GET key; EXEC: atomic on the
	 * server, the value in force in EXEC's answer.  (SET ... NX GET
	 * would be one command, but only from Redis 7.0 on.) */
	one[0] = "MULTI", onelen[0] = 5;
	bad |= redis_request_add(req, REDIS_EXPECT_OK, 1, one, onelen);
	argv[0] = "SET", argvlen[0] = 3;
	bad |= redis_request_add(req, REDIS_EXPECT_QUEUED, 6, argv, argvlen);
	argv[0] = "GET", argvlen[0] = 3;
	bad |= redis_request_add(req, REDIS_EXPECT_QUEUED, 2, argv, argvlen);
	one[0] = "EXEC", onelen[0] = 4;
	bad |= redis_request_add(req, REDIS_EXPECT_ANY, 1, one, onelen);
	return bad != 0 ? -1 : 0;
}

/* What the reply of op's last command says; SET's OK was checked with
 * the request. */
static enum state_result
judge_op(struct state_op *op, const redisReply *r, char *why, size_t whylen)
{
	switch (op->kind) {
	case STATE_OP_GET:
		return redis_reply_get(r, op->found, &op->found_len, why,
		    whylen);
	case STATE_OP_SET:
		return STATE_OK;
	case STATE_OP_ADD:
		return redis_reply_add(r, op->found, &op->found_len, why,
		    whylen);
	case STATE_OP_TOUCH:
		return redis_reply_count(r, "EXPIRE", why, whylen);
	case STATE_OP_DELETE:
		return redis_reply_count(r, "DEL", why, whylen);
	}
	redis_why(why, whylen, "unknown operation");
	return STATE_DOWN;
}

/* A request that failed: STATE_DOWN, and whether the server said it
 * reads but will not write, so that the front end waits for a write
 * that works before it calls the store up again (state_store.c). */
static enum state_result
refused(struct redis_engine *e, struct redis_conn *c,
    struct state_request *sr)
{
	sr->cannot_write = redis_replies_refuse_writes(&c->req);
	return op_end(e, c, STATE_DOWN);
}

/* Every op's commands in one write, every reply read after it: one
 * round trip for the whole batch (a pipeline; only an add is a
 * transaction, on its own). */
static enum state_result
redis_batch(void *handle, struct state_request *sr, struct state_op *ops,
    size_t n)
{
	struct redis_engine *e = handle;
	struct timespec deadline;
	struct redis_conn *c;
	int last[STATE_BATCH_MAX];
	size_t i;

	if (n > STATE_BATCH_MAX ||
	    (c = op_begin(e, sr, &deadline)) == NULL)
		return STATE_DOWN;
	for (i = 0; i < n; i++) {
		if (append_op(&c->req, &ops[i]) == -1) {
			redis_why(sr->why, sizeof(sr->why),
			    "%s: command too long", e->target.where);
			return op_end(e, c, STATE_DOWN);
		}
		last[i] = c->req.commands - 1;
	}
	if (op_run(e, c, sr, deadline) == NULL)
		return refused(e, c, sr);
	for (i = 0; i < n; i++) {
		ops[i].result = judge_op(&ops[i], c->req.replies[last[i]],
		    sr->why, sizeof(sr->why));
		if (ops[i].result == STATE_DOWN)
			return refused(e, c, sr);
	}
	return op_end(e, c, STATE_OK);
}

/* A single call: a batch of one.  The front end's key is NUL-terminated
 * (it has checked it), so the op can point at it. */
static enum state_result
single(void *handle, struct state_request *sr, struct state_op *op)
{
	if (redis_batch(handle, sr, op, 1) == STATE_DOWN)
		return STATE_DOWN;
	return op->result;
}

static enum state_result
redis_get(void *handle, struct state_request *sr, const char *key,
    size_t keylen, unsigned char *value, size_t *len)
{
	struct state_op op = { .kind = STATE_OP_GET, .key = key };
	enum state_result r;

	(void)keylen;
	r = single(handle, sr, &op);
	if (r == STATE_OK) {
		memcpy(value, op.found, op.found_len);
		*len = op.found_len;
	}
	return r;
}

static enum state_result
redis_set(void *handle, struct state_request *sr, const char *key,
    size_t keylen, const unsigned char *value, size_t len, unsigned ttl_s)
{
	struct state_op op = { .kind = STATE_OP_SET, .key = key,
	    .value = value, .len = len, .ttl_s = ttl_s };

	(void)keylen;
	return single(handle, sr, &op);
}

static enum state_result
redis_add(void *handle, struct state_request *sr, const char *key,
    size_t keylen, const unsigned char *value, size_t len, unsigned ttl_s,
    unsigned char *current, size_t *current_len)
{
	struct state_op op = { .kind = STATE_OP_ADD, .key = key,
	    .value = value, .len = len, .ttl_s = ttl_s };
	enum state_result r;

	(void)keylen;
	r = single(handle, sr, &op);
	if (r == STATE_OK || r == STATE_EXISTS) {
		memcpy(current, op.found, op.found_len);
		*current_len = op.found_len;
	}
	return r;
}

static enum state_result
redis_touch(void *handle, struct state_request *sr, const char *key,
    size_t keylen, unsigned ttl_s)
{
	struct state_op op = { .kind = STATE_OP_TOUCH, .key = key,
	    .ttl_s = ttl_s };

	(void)keylen;
	return single(handle, sr, &op);
}

static enum state_result
redis_del(void *handle, struct state_request *sr, const char *key,
    size_t keylen)
{
	struct state_op op = { .kind = STATE_OP_DELETE, .key = key };

	(void)keylen;
	return single(handle, sr, &op);
}

/* Where the spec points, the password file read, and one PING through a
 * first connection, so that a wrong address or password is reported at
 * start rather than at the first mail. */
static int
redis_open(const struct state_spec *spec, struct state_request *sr,
    void **handle)
{
	struct redis_engine *e;
	struct redis_conn *c;
	struct timespec deadline = engine_deadline(sr);
	const char *argv[1] = { "PING" };
	size_t argvlen[1] = { 4 };

	*handle = NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		redis_why(sr->why, sizeof(sr->why), "out of memory");
		return -1;
	}
	pthread_mutex_init(&e->lock, NULL);
	snprintf(e->password_file, sizeof(e->password_file), "%s",
	    spec->password_file);
	if (redis_target_set(&e->target, spec, deadline, sr->why,
	    sizeof(sr->why)) == -1 ||
	    load_secret(e, sr->why, sizeof(sr->why)) == -1 ||
	    (c = op_begin(e, sr, &deadline)) == NULL)
		goto fail;
	if (redis_request_add(&c->req, REDIS_EXPECT_ANY, 1, argv, argvlen) == -1 ||
	    op_run(e, c, sr, deadline) == NULL) {
		conn_give(e, c, false);
		goto fail;
	}
	conn_give(e, c, true);
	*handle = e;
	return 0;
fail:
	engine_free(e);
	return -1;
}

static int
redis_close(void *handle, struct state_request *sr)
{
	(void)sr;
	engine_free(handle);
	return 0;
}

static void
engine_free(struct redis_engine *e)
{
	if (e == NULL)
		return;
	close_list(e->idle);
	redis_target_clear(&e->target);
	redis_secret_clear(&e->secret);
	pthread_mutex_destroy(&e->lock);
	free(e);
}
