/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_store_impl.h - private to the state store: how an engine (memory,
 * LMDB, Redis) plugs into the front end (state_store.c), and the seam the
 * unit tests use to put a fake engine and fake clocks behind it.
 *
 * What the front end has done before an engine op is called:
 * - the key is valid (state_key_valid()), the value at most
 *   STATE_VALUE_MAX bytes, ttl_s within 1..STATE_TTL_MAX, and the store
 *   is not in backoff;
 * - req->now_s is the wall clock and req->deadline the CLOCK_MONOTONIC
 *   time the op must return by (it should leave itself a margin of a
 *   millisecond or two: the front end counts an overrun as a failure).
 *
 * What an engine promises:
 * - every op is thread-safe on one handle (the engine brings its own
 *   locks, connections per thread or pool);
 * - an op returns STATE_OK / STATE_MISSING / STATE_EXISTS as the public
 *   API describes, or STATE_DOWN with a short printable reason in
 *   req->why ("mdb_put: MDB_MAP_FULL", "connect 127.0.0.1:6379: timed
 *   out") that the front end puts in its one "down" report;
 * - after a STATE_DOWN the front end calls the handle again only when the
 *   backoff has ended; the engine repairs itself then, in that call
 *   (reconnect a broken Redis connection, reopen an LMDB environment
 *   that said MDB_PANIC), still within the deadline;
 * - close() is called once, with no op in progress, from the thread that
 *   opened the store (or retried the open); it returns within about a
 *   second whatever the engine's state.
 * - an engine never logs: it has no logger of its own; its reasons reach
 *   the log through the front end's report.
 */
#ifndef PTRMILTER_STATE_STORE_IMPL_H
#define PTRMILTER_STATE_STORE_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "state_store.h"

/* Room for an engine's reason and its NUL. */
#define STATE_WHY_MAX 160

/* One engine call: its bound, its clock and where it explains a failure. */
struct state_request {
	struct timespec deadline;	/* CLOCK_MONOTONIC, absolute */
	int64_t now_s;			/* wall clock, for expiry arithmetic */
	char why[STATE_WHY_MAX];	/* set on STATE_DOWN */
	/* Set with STATE_DOWN when the engine can still read but not write
	 * (a full or read-only filesystem): until a write succeeds, a read
	 * does not bring the store up (state_store.c). */
	bool cannot_write;
};

struct state_engine_ops {
	const char *kind;	/* "none", "lmdb", "redis" */
	/* Opens the engine spec names: a handle in *handle and 0, or -1 with
	 * the reason in req->why.  Must not block past req->deadline. */
	int (*open)(const struct state_spec *spec, struct state_request *req,
	    void **handle);
	/* Closes the handle and frees it: 0, or -1 with the reason in
	 * req->why when it could not finish within its own bound (the LMDB
	 * writer thread, stuck, left to end by itself). */
	int (*close)(void *handle, struct state_request *req);
	/* As state_get(): value has room for STATE_VALUE_MAX bytes. */
	enum state_result (*get)(void *handle, struct state_request *req,
	    const char *key, size_t keylen, unsigned char *value, size_t *len);
	enum state_result (*set)(void *handle, struct state_request *req,
	    const char *key, size_t keylen, const unsigned char *value,
	    size_t len, unsigned ttl_s);
	/* As state_add(); current (room for STATE_VALUE_MAX) always receives
	 * the value in force after the call, on STATE_OK and STATE_EXISTS. */
	enum state_result (*add)(void *handle, struct state_request *req,
	    const char *key, size_t keylen, const unsigned char *value,
	    size_t len, unsigned ttl_s, unsigned char *current,
	    size_t *current_len);
	enum state_result (*touch)(void *handle, struct state_request *req,
	    const char *key, size_t keylen, unsigned ttl_s);
	enum state_result (*del)(void *handle, struct state_request *req,
	    const char *key, size_t keylen);
	/* As state_batch(), over ops the front end has checked (n within
	 * 1..STATE_BATCH_MAX, every key, value and ttl valid): each op's
	 * result and found set, and STATE_OK; or STATE_DOWN with the reason
	 * in req->why, the ops' results then unspecified.  NULL: the front
	 * end runs the single ops in order under the one deadline. */
	enum state_result (*batch)(void *handle, struct state_request *req,
	    struct state_op *ops, size_t n);
};

/* The engines.  Every build has all three (configure requires LMDB and
 * hiredis), so every spec state_spec_parse() accepts has its engine: a
 * kind without one could only be a store that is silently down. */
extern const struct state_engine_ops state_memory_ops;
extern const struct state_engine_ops state_lmdb_ops;
extern const struct state_engine_ops state_redis_ops;

/* The memory engine's capacity in records when state_store = none: each
 * record takes about 400 bytes, so this is a few megabytes at most. */
#define STATE_MEMORY_CAPACITY 16384

/* The clocks a store reads; tests replace them. */
struct state_clocks {
	struct timespec (*monotonic)(void);
	int64_t (*wall)(void);
};

/* state_store_open() with a given engine and clocks (NULL clocks: the
 * real ones).  For the unit tests and for state_store_open() itself. */
struct state_store *state_store_open_engine(const struct state_spec *spec,
    const struct state_engine_ops *ops, const struct state_clocks *clocks,
    unsigned timeout_ms, state_report_fn *report, void *report_arg);

/* A memory engine of the given capacity (tests: a small one). */
int state_memory_open_capacity(size_t capacity, void **handle);

/* An LMDB engine with a map of map_bytes (tests: a tiny one to fill). */
int state_lmdb_open_mapsize(const struct state_spec *spec, size_t map_bytes,
    struct state_request *req, void **handle);

#endif
