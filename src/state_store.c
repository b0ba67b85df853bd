/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_store.c - the state store's front end: checks what callers pass,
 * bounds and counts every engine call, and fails open; see state_store.h
 * for the contract and state_store_impl.h for the engines' side.
 *
 * Health is a small state machine under one mutex: up, or down until
 * retry_at.  When the backoff has ended, exactly one call (the probe)
 * goes to the engine, reopening it if it was never opened; the others
 * keep getting STATE_DOWN at once until the probe has told.  So a dead
 * Redis costs one timeout per backoff period, not one per session.
 *
 * A store whose engine said it reads but cannot write (a full or
 * read-only filesystem: req.cannot_write) is not mended by a probe that
 * did not write: a get, a touch or delete that found nothing, an add
 * that found the record.  Such a probe's answer is returned, the store
 * stays down and the next call probes again; only a write that wrote
 * brings it up.  Otherwise a full disk would flap up and down, two
 * lines per backoff period, with the backoff reset each time.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monotime.h"
#include "state_store.h"
#include "state_store_impl.h"

/* An engine gives up this far ahead of its deadline at most (Redis: a
 * millisecond; state_store_impl.h). */
#define CAP_MARGIN_US 2000

/* The single calls share the batch's numbering, so that a batch op
 * becomes a single call by its kind. */
enum call_op {
	OP_GET = STATE_OP_GET,
	OP_SET = STATE_OP_SET,
	OP_ADD = STATE_OP_ADD,
	OP_TOUCH = STATE_OP_TOUCH,
	OP_DELETE = STATE_OP_DELETE,
	OP_BATCH
};

/* One call's arguments, checked, on their way to the engine. */
struct state_call {
	enum call_op op;
	const char *key;
	size_t keylen;
	const unsigned char *value;
	size_t len;
	unsigned ttl_s;
	unsigned char out[STATE_VALUE_MAX];	/* get, add: value found */
	size_t out_len;
	struct state_op *batch;			/* OP_BATCH: the ops */
	size_t n;
};

struct state_store {
	struct state_spec spec;
	const struct state_engine_ops *ops;
	struct state_clocks clocks;
	unsigned timeout_ms;
	state_report_fn *report;
	void *report_arg;

	pthread_mutex_t lock;		/* guards handle to backoff_ms */
	void *handle;			/* NULL until an open succeeds */
	bool down;
	bool probing;			/* the probe is at the engine */
	bool cannot_write;		/* the last failure: reads, no writes */
	struct timespec retry_at;
	unsigned backoff_ms;
	/* Taken under lock, released after the report: one report at a
	 * time, in the order of the changes.  Lock order: lock, then it. */
	pthread_mutex_t report_lock;

	atomic_bool up;
	atomic_ulong calls, failures, skipped, slow, bad_keys, downs;
};

static struct timespec real_monotonic(void);
static int64_t real_wall(void);
static const struct state_engine_ops *engine_for(enum state_kind kind);
static struct timespec call_deadline(const struct state_store *st,
    struct timespec start, bool *capped);
static bool cut_short(struct state_store *st, bool capped, bool probe,
    const struct state_request *req);
static bool admit(struct state_store *st, bool *probe, void **handle);
static int engine_open(struct state_store *st, struct state_request *req,
    void **handle);
static enum state_result engine_call(struct state_store *st, void *handle,
    struct state_request *req, struct state_call *c);
static enum state_result run(struct state_store *st, struct state_call *c);
static bool proves_up(struct state_store *st, const struct state_call *c,
    enum state_result r);
static bool wrote(const struct state_call *c, enum state_result r);
static void went_wrong(struct state_store *st, bool probe,
    const struct state_request *req);
static void went_right(struct state_store *st);
static void probe_inconclusive(struct state_store *st);
static void report_change(struct state_store *st, bool up, const char *why);
static bool args_valid(struct state_store *st, const char *key,
    size_t len, unsigned ttl_s, bool has_ttl, struct state_call *c);
static bool op_valid(const struct state_op *op);
static enum state_result batch_singly(struct state_store *st, void *handle,
    struct state_request *req, struct state_op *ops, size_t n);
static bool oversized(const struct state_call *c);

static struct timespec
real_monotonic(void)
{
	return monotime_now();
}

static int64_t
real_wall(void)
{
	return (int64_t)time(NULL);
}

static const struct state_engine_ops *
engine_for(enum state_kind kind)
{
	switch (kind) {
	case STATE_KIND_NONE:
		return &state_memory_ops;
	case STATE_KIND_LMDB:
		return &state_lmdb_ops;
	case STATE_KIND_REDIS:
	case STATE_KIND_REDIS_UNIX:
		return &state_redis_ops;
	}
	return &state_memory_ops;
}

/* May this call go to the engine?  Sets *probe when it is the one call
 * that tests the engine after a backoff, and *handle to use. */
static bool
admit(struct state_store *st, bool *probe, void **handle)
{
	bool go = true;

	*probe = false;
	pthread_mutex_lock(&st->lock);
	if (st->down) {
		if (st->probing || monotime_diff_ms(st->clocks.monotonic(),
		    st->retry_at) > 0)
			go = false;
		else
			st->probing = *probe = true;
	}
	*handle = st->handle;
	pthread_mutex_unlock(&st->lock);
	if (!go)
		atomic_fetch_add_explicit(&st->skipped, 1,
		    memory_order_relaxed);
	return go;
}

/* Opens the engine for the probe; the handle is published under the
 * lock, and never changes again until close. */
static int
engine_open(struct state_store *st, struct state_request *req,
    void **handle)
{
	if (st->ops->open(&st->spec, req, handle) != 0)
		return -1;
	pthread_mutex_lock(&st->lock);
	st->handle = *handle;
	pthread_mutex_unlock(&st->lock);
	return 0;
}

static enum state_result
engine_call(struct state_store *st, void *handle, struct state_request *req,
    struct state_call *c)
{
	const struct state_engine_ops *o = st->ops;

	switch (c->op) {
	case OP_GET:
		return o->get(handle, req, c->key, c->keylen, c->out,
		    &c->out_len);
	case OP_SET:
		return o->set(handle, req, c->key, c->keylen, c->value,
		    c->len, c->ttl_s);
	case OP_ADD:
		return o->add(handle, req, c->key, c->keylen, c->value,
		    c->len, c->ttl_s, c->out, &c->out_len);
	case OP_TOUCH:
		return o->touch(handle, req, c->key, c->keylen, c->ttl_s);
	case OP_DELETE:
		return o->del(handle, req, c->key, c->keylen);
	case OP_BATCH:
		if (o->batch != NULL)
			return o->batch(handle, req, c->batch, c->n);
		return batch_singly(st, handle, req, c->batch, c->n);
	}
	snprintf(req->why, sizeof(req->why), "unknown operation");
	return STATE_DOWN;
}

/* The calling thread's cap on its deadlines (state_deadline_cap()). */
static _Thread_local bool caller_capped;
static _Thread_local struct timespec caller_cap;

void
state_deadline_cap(const struct timespec *until)
{
	caller_capped = until != NULL;
	if (until != NULL)
		caller_cap = *until;
}

/* The deadline of a call starting at start: state_timeout, or the
 * caller's cap when it comes first (*capped then). */
static struct timespec
call_deadline(const struct state_store *st, struct timespec start,
    bool *capped)
{
	struct timespec d = monotime_add_ms(start, st->timeout_ms);

	*capped = caller_capped && monotime_diff_us(caller_cap, d) > 0;
	return *capped ? caller_cap : d;
}

/* A capped call that failed at its cap (within the margin an engine
 * leaves itself before its deadline): the caller ran out of time, which
 * says nothing of the store.  The probe, if it was one, is given back for
 * the next call; the backoff is left as it was. */
static bool
cut_short(struct state_store *st, bool capped, bool probe,
    const struct state_request *req)
{
	if (!capped || monotime_diff_us(st->clocks.monotonic(),
	    req->deadline) > CAP_MARGIN_US)
		return false;
	if (probe) {
		pthread_mutex_lock(&st->lock);
		st->probing = false;
		pthread_mutex_unlock(&st->lock);
	}
	return true;
}

/* A batch for an engine without its own: the single ops in order, the
 * first fault ending it. */
static enum state_result
batch_singly(struct state_store *st, void *handle, struct state_request *req,
    struct state_op *ops, size_t n)
{
	struct state_call one;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&one, 0, sizeof(one));
		one.op = (enum call_op)ops[i].kind;
		one.key = ops[i].key;
		one.keylen = strlen(ops[i].key);
		one.value = ops[i].value;
		one.len = ops[i].len;
		one.ttl_s = ops[i].ttl_s;
		ops[i].result = engine_call(st, handle, req, &one);
		if (ops[i].result == STATE_DOWN)
			return STATE_DOWN;
		if (one.out_len > STATE_VALUE_MAX)
			one.out_len = STATE_VALUE_MAX + 1;	/* refused below */
		else
			memcpy(ops[i].found, one.out, one.out_len);
		ops[i].found_len = one.out_len;
	}
	return STATE_OK;
}

/* An engine's value never goes past the room it was given; one that
 * says otherwise is broken, and nothing of it is used. */
static bool
oversized(const struct state_call *c)
{
	size_t i;

	if (c->out_len > STATE_VALUE_MAX)
		return true;
	for (i = 0; c->op == OP_BATCH && i < c->n; i++)
		if (c->batch[i].found_len > STATE_VALUE_MAX)
			return true;
	return false;
}

/* The bound, the counts and the health around one engine call. */
static enum state_result
run(struct state_store *st, struct state_call *c)
{
	struct state_request req;
	struct timespec start;
	enum state_result r = STATE_DOWN;
	void *handle;
	bool probe, overran, capped;

	atomic_fetch_add_explicit(&st->calls, 1, memory_order_relaxed);
	memset(&req, 0, sizeof(req));
	start = st->clocks.monotonic();
	req.deadline = call_deadline(st, start, &capped);
	if (capped && monotime_diff_us(start, req.deadline) <= 0) {
		atomic_fetch_add_explicit(&st->skipped, 1,
		    memory_order_relaxed);
		return STATE_DOWN;
	}
	if (!admit(st, &probe, &handle))
		return STATE_DOWN;
	req.now_s = st->clocks.wall();
	if (handle == NULL && engine_open(st, &req, &handle) != 0)
		goto failed;
	r = engine_call(st, handle, &req, c);
	if (oversized(c)) {
		c->out_len = 0;
		r = STATE_DOWN;
		snprintf(req.why, sizeof(req.why), "the engine returned an "
		    "oversized value");
	}
	overran = monotime_diff_ms(req.deadline, st->clocks.monotonic()) > 0;
	if (overran && !capped) {
		atomic_fetch_add_explicit(&st->slow, 1, memory_order_relaxed);
		if (r != STATE_DOWN)
			snprintf(req.why, sizeof(req.why), "answered after "
			    "more than %u ms", st->timeout_ms);
	}
	if (r != STATE_DOWN && !overran) {
		if (probe && proves_up(st, c, r))
			went_right(st);
		else if (probe)
			probe_inconclusive(st);
		return r;
	}
failed:
	if (cut_short(st, capped, probe, &req))
		return STATE_DOWN;
	atomic_fetch_add_explicit(&st->failures, 1, memory_order_relaxed);
	went_wrong(st, probe, &req);
	return r;
}

/* Does this probe's success show that the store works again?  When it
 * could not write, only a write that wrote does (see above). */
static bool
proves_up(struct state_store *st, const struct state_call *c,
    enum state_result r)
{
	bool cannot_write;

	pthread_mutex_lock(&st->lock);
	cannot_write = st->cannot_write;
	pthread_mutex_unlock(&st->lock);
	return !cannot_write || wrote(c, r);
}

/* Did this call write?  A single write answered STATE_OK did; a batch
 * did when one of its writes did. */
static bool
wrote(const struct state_call *c, enum state_result r)
{
	size_t i;

	if (c->op != OP_BATCH)
		return c->op != OP_GET && r == STATE_OK;
	for (i = 0; r == STATE_OK && i < c->n; i++)
		if (c->batch[i].kind != STATE_OP_GET &&
		    c->batch[i].result == STATE_OK)
			return true;
	return false;
}

/* The probe slot is free again; the store stays down and the backoff,
 * over already, lets the next call probe. */
static void
probe_inconclusive(struct state_store *st)
{
	pthread_mutex_lock(&st->lock);
	st->probing = false;
	pthread_mutex_unlock(&st->lock);
}

/* A failure: down now if it was up; a failed probe doubles the wait.
 * Failures of calls that were already at the engine when another one
 * failed belong to the same episode and do not stretch it. */
static void
went_wrong(struct state_store *st, bool probe,
    const struct state_request *req)
{
	const char *why = req->why[0] != '\0' ? req->why : "failed";
	bool changed = false;

	pthread_mutex_lock(&st->lock);
	if (!st->down || probe)
		st->cannot_write = req->cannot_write;
	if (!st->down) {
		st->down = changed = true;
		st->backoff_ms = STATE_BACKOFF_FIRST_MS;
	} else if (probe) {
		st->backoff_ms = st->backoff_ms >= STATE_BACKOFF_MAX_MS / 2 ?
		    STATE_BACKOFF_MAX_MS : st->backoff_ms * 2;
	}
	if (changed || probe)
		st->retry_at = monotime_add_ms(st->clocks.monotonic(),
		    st->backoff_ms);
	if (probe)
		st->probing = false;
	if (!changed) {
		pthread_mutex_unlock(&st->lock);
		return;
	}
	atomic_store(&st->up, false);
	atomic_fetch_add_explicit(&st->downs, 1, memory_order_relaxed);
	pthread_mutex_lock(&st->report_lock);
	pthread_mutex_unlock(&st->lock);
	report_change(st, false, why);
	pthread_mutex_unlock(&st->report_lock);
}

static void
went_right(struct state_store *st)
{
	pthread_mutex_lock(&st->lock);
	st->down = st->probing = st->cannot_write = false;
	st->backoff_ms = 0;
	atomic_store(&st->up, true);
	pthread_mutex_lock(&st->report_lock);
	pthread_mutex_unlock(&st->lock);
	report_change(st, true, NULL);
	pthread_mutex_unlock(&st->report_lock);
}

/* The one line per change.  The engine's reason is its own text, but
 * it may quote a server's error: only printable ASCII goes through. */
static void
report_change(struct state_store *st, bool up, const char *why)
{
	char line[STATE_SPEC_TEXT_MAX + STATE_WHY_MAX + 64];
	char clean[STATE_WHY_MAX];
	size_t i;

	if (st->report == NULL)
		return;
	if (up) {
		snprintf(line, sizeof(line), "state store %s: up again",
		    st->spec.text);
	} else {
		for (i = 0; why[i] != '\0' && i + 1 < sizeof(clean); i++)
			clean[i] = (why[i] >= 0x20 && why[i] <= 0x7e) ?
			    why[i] : '?';
		clean[i] = '\0';
		snprintf(line, sizeof(line), "state store %s: down (%s); "
		    "sessions go on without it", st->spec.text, clean);
	}
	st->report(st->report_arg, up, line);
}

/* The caller's part of the contract; a breach is counted, not logged:
 * it is a bug of ours, and the session goes on as if the store were
 * down. */
static bool
args_valid(struct state_store *st, const char *key, size_t len,
    unsigned ttl_s, bool has_ttl, struct state_call *c)
{
	if (!state_key_valid(key) || len > STATE_VALUE_MAX ||
	    (has_ttl && (ttl_s == 0 || ttl_s > STATE_TTL_MAX))) {
		atomic_fetch_add_explicit(&st->calls, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&st->bad_keys, 1,
		    memory_order_relaxed);
		return false;
	}
	c->key = key;
	c->keylen = strlen(key);
	c->ttl_s = ttl_s;
	return true;
}

struct state_store *
state_store_open_engine(const struct state_spec *spec,
    const struct state_engine_ops *ops, const struct state_clocks *clocks,
    unsigned timeout_ms, state_report_fn *report, void *report_arg)
{
	struct state_store *st;
	struct state_request req;
	void *handle;

	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	if (pthread_mutex_init(&st->lock, NULL) != 0) {
		free(st);
		return NULL;
	}
	if (pthread_mutex_init(&st->report_lock, NULL) != 0) {
		pthread_mutex_destroy(&st->lock);
		free(st);
		return NULL;
	}
	st->spec = *spec;
	st->ops = ops;
	st->clocks.monotonic = clocks != NULL && clocks->monotonic != NULL ?
	    clocks->monotonic : real_monotonic;
	st->clocks.wall = clocks != NULL && clocks->wall != NULL ?
	    clocks->wall : real_wall;
	st->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
	st->report = report;
	st->report_arg = report_arg;
	memset(&req, 0, sizeof(req));
	req.deadline = monotime_add_ms(st->clocks.monotonic(), st->timeout_ms);
	req.now_s = st->clocks.wall();
	if (engine_open(st, &req, &handle) == 0)
		atomic_store(&st->up, true);
	else {
		if (req.why[0] == '\0')
			snprintf(req.why, sizeof(req.why), "cannot open");
		went_wrong(st, false, &req);
	}
	return st;
}

struct state_store *
state_store_open(const struct state_spec *spec, unsigned timeout_ms,
    state_report_fn *report, void *report_arg)
{
	return state_store_open_engine(spec, engine_for(spec->kind), NULL,
	    timeout_ms, report, report_arg);
}

void
state_store_close(struct state_store *st)
{
	struct state_request req;
	char line[STATE_SPEC_TEXT_MAX + STATE_WHY_MAX + 32];

	if (st == NULL)
		return;
	memset(&req, 0, sizeof(req));
	if (st->handle != NULL && st->ops->close(st->handle, &req) != 0 &&
	    st->report != NULL) {
		snprintf(line, sizeof(line), "state store %s: %s",
		    st->spec.text, req.why);
		st->report(st->report_arg, false, line);
	}
	pthread_mutex_destroy(&st->report_lock);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

enum state_result
state_get(struct state_store *st, const char *key, void *value, size_t cap,
    size_t *len)
{
	struct state_call c = { .op = OP_GET };
	enum state_result r;

	if (st == NULL || value == NULL || len == NULL)
		return STATE_DOWN;
	if (!args_valid(st, key, 0, 0, false, &c))
		return STATE_DOWN;
	r = run(st, &c);
	if (r != STATE_OK)
		return r;
	if (c.out_len > cap)
		return STATE_DOWN;
	memcpy(value, c.out, c.out_len);
	*len = c.out_len;
	return STATE_OK;
}

enum state_result
state_set(struct state_store *st, const char *key, const void *value,
    size_t len, unsigned ttl_s)
{
	struct state_call c = { .op = OP_SET, .value = value, .len = len };

	if (st == NULL || (value == NULL && len > 0))
		return STATE_DOWN;
	if (!args_valid(st, key, len, ttl_s, true, &c))
		return STATE_DOWN;
	return run(st, &c);
}

enum state_result
state_add(struct state_store *st, const char *key, const void *value,
    size_t len, unsigned ttl_s, void *current, size_t cap,
    size_t *current_len)
{
	struct state_call c = { .op = OP_ADD, .value = value, .len = len };
	enum state_result r;

	if (st == NULL || (value == NULL && len > 0))
		return STATE_DOWN;
	if (!args_valid(st, key, len, ttl_s, true, &c))
		return STATE_DOWN;
	r = run(st, &c);
	if ((r != STATE_OK && r != STATE_EXISTS) || current == NULL)
		return r;
	if (c.out_len > cap || current_len == NULL)
		return STATE_DOWN;
	memcpy(current, c.out, c.out_len);
	*current_len = c.out_len;
	return r;
}

enum state_result
state_touch(struct state_store *st, const char *key, unsigned ttl_s)
{
	struct state_call c = { .op = OP_TOUCH };

	if (st == NULL || !args_valid(st, key, 0, ttl_s, true, &c))
		return STATE_DOWN;
	return run(st, &c);
}

enum state_result
state_delete(struct state_store *st, const char *key)
{
	struct state_call c = { .op = OP_DELETE };

	if (st == NULL || !args_valid(st, key, 0, 0, false, &c))
		return STATE_DOWN;
	return run(st, &c);
}

/* A batch op's part of the caller's contract, as args_valid(). */
static bool
op_valid(const struct state_op *op)
{
	bool has_ttl = op->kind == STATE_OP_SET || op->kind == STATE_OP_ADD ||
	    op->kind == STATE_OP_TOUCH;
	bool has_value = op->kind == STATE_OP_SET || op->kind == STATE_OP_ADD;

	if (op->kind > STATE_OP_DELETE || !state_key_valid(op->key))
		return false;
	if (has_value && (op->len > STATE_VALUE_MAX ||
	    (op->value == NULL && op->len > 0)))
		return false;
	return !has_ttl || (op->ttl_s > 0 && op->ttl_s <= STATE_TTL_MAX);
}

enum state_result
state_batch(struct state_store *st, struct state_op *ops, size_t n)
{
	struct state_call c = { .op = OP_BATCH, .batch = ops, .n = n };
	enum state_result r = STATE_DOWN;
	size_t i;

	if (ops == NULL || n == 0 || n > STATE_BATCH_MAX)
		return STATE_DOWN;
	for (i = 0; i < n; i++) {
		ops[i].result = STATE_DOWN;
		ops[i].found_len = 0;
	}
	if (st == NULL)
		return STATE_DOWN;
	for (i = 0; i < n; i++) {
		if (!op_valid(&ops[i])) {
			atomic_fetch_add_explicit(&st->calls, 1,
			    memory_order_relaxed);
			atomic_fetch_add_explicit(&st->bad_keys, 1,
			    memory_order_relaxed);
			return STATE_DOWN;
		}
	}
	r = run(st, &c);
	if (r == STATE_DOWN)
		for (i = 0; i < n; i++) {
			ops[i].result = STATE_DOWN;
			ops[i].found_len = 0;
		}
	return r;
}

bool
state_store_up(const struct state_store *st)
{
	return st != NULL && atomic_load(&st->up);
}

void
state_store_stats(const struct state_store *st, struct state_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return;
	out->up = atomic_load(&st->up);
	out->calls = atomic_load_explicit(&st->calls, memory_order_relaxed);
	out->failures = atomic_load_explicit(&st->failures,
	    memory_order_relaxed);
	out->skipped = atomic_load_explicit(&st->skipped,
	    memory_order_relaxed);
	out->slow = atomic_load_explicit(&st->slow, memory_order_relaxed);
	out->bad_keys = atomic_load_explicit(&st->bad_keys,
	    memory_order_relaxed);
	out->downs = atomic_load_explicit(&st->downs, memory_order_relaxed);
}

const char *
state_store_name(const struct state_store *st)
{
	return st != NULL ? st->spec.text : "none";
}

const char *
state_store_kind(const struct state_store *st)
{
	return state_kind_name(st != NULL ? st->spec.kind : STATE_KIND_NONE);
}

bool
state_key_valid(const char *key)
{
	size_t i;

	if (key == NULL || key[0] == '\0')
		return false;
	for (i = 0; key[i] != '\0'; i++)
		if (i >= STATE_KEY_MAX || key[i] < 0x21 || key[i] > 0x7e)
			return false;
	return true;
}

void
state_time_put(int64_t seconds, unsigned char out[STATE_TIME_SIZE])
{
	uint64_t u = (uint64_t)seconds;
	int i;

	for (i = STATE_TIME_SIZE - 1; i >= 0; i--) {
		out[i] = (unsigned char)(u & 0xff);
		u >>= 8;
	}
}

int
state_time_get(const void *value, size_t len, int64_t *seconds)
{
	const unsigned char *p = value;
	uint64_t u = 0;
	size_t i;

	if (value == NULL || len != STATE_TIME_SIZE)
		return -1;
	for (i = 0; i < STATE_TIME_SIZE; i++)
		u = (u << 8) | p[i];
	*seconds = (int64_t)u;
	return 0;
}

const char *
state_result_name(enum state_result r)
{
	switch (r) {
	case STATE_OK:
		return "ok";
	case STATE_MISSING:
		return "missing";
	case STATE_EXISTS:
		return "exists";
	case STATE_DOWN:
		return "down";
	}
	return "down";
}
