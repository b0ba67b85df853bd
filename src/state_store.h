/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_store.h - the state that outlives a connection, a process and,
 * with Redis, a host: small records under text keys, each expiring by
 * itself.  The tempfail_limit streaks and the greylisting records live
 * here; the engine behind it is chosen by the state_store key
 * (state_spec.h): memory, LMDB or Redis.
 *
 * Data model.
 * - A key is 1..STATE_KEY_MAX bytes of visible ASCII (0x21..0x7e: no
 *   space, no control byte, no byte above 0x7e); any other key is refused
 *   with STATE_DOWN before an engine sees it, and counted as a misuse.
 *   Callers build keys as "KIND:..." ("streak:192.0.2.1"); a part taken
 *   from the network (an address of the envelope) is hashed or reduced to
 *   that charset by the caller.  Engines store the key verbatim, so hosts
 *   of a fleet that build the same key meet on the same record.
 * - A value is 0..STATE_VALUE_MAX bytes, opaque to the store.
 * - Every record has a time to live in seconds, 1..STATE_TTL_MAX, set
 *   when it is written (state_set, state_add) or renewed (state_touch).
 *   An expired record is never returned: to a caller it does not exist.
 * - TIMES STORED IN VALUES ARE WALL-CLOCK SECONDS (time(NULL), UTC epoch),
 *   written with state_time_put() and read with state_time_get(): the
 *   hosts of a fleet and a restarted process share them, and a monotonic
 *   clock means nothing to either.  Hosts need NTP; a clock that goes back
 *   is the caller's case to handle (treat a future time as "now").
 *
 * Results.  Each call returns STATE_OK, STATE_MISSING (get, touch,
 * delete: no such record), STATE_EXISTS (add: the record was there and
 * is left as it was) or STATE_DOWN (the store could not answer within its
 * bound: down, slow, full, corrupt, refused, or a bad key).  STATE_DOWN
 * means "go on without the store": the caller falls back to what it does
 * with state_store = none (streaks in the process's own memory; no
 * greylisting).  Nothing is retried by the caller.
 *
 * Failing open.  The front end (state_store.c) owns, whatever the engine:
 * - the time bound: every call returns within the store's timeout_ms
 *   (state_timeout) plus a few milliseconds, or by the calling thread's
 *   cap (state_deadline_cap()) if that comes first; the engine gets an
 *   absolute CLOCK_MONOTONIC deadline.  A call that succeeds but overruns it
 *   counts as a failure for what follows (a slow store is a down store).
 * - the backoff: after a failure the store is down for 1 s, doubling at
 *   each failure in a row up to 30 s.  Meanwhile every call returns
 *   STATE_DOWN at once without touching the engine.  When the backoff
 *   ends, the next call tries the engine (reopening it if opening had
 *   failed); its success brings the store up again and resets the
 *   backoff.  Except when the engine said it could read but not write
 *   (a full or read-only filesystem): then only a write that wrote
 *   brings it up; a read, or a touch, delete or add that wrote nothing,
 *   is answered and leaves it down, and the next call tries again.
 * - the reports: one line per change of state, never one per call:
 *   "state store lmdb:/var/lib/ptrmilter/state: down (REASON); sessions
 *   go on without it" and "state store ...: up again".
 * - the counters (state_store_stats()) and the up/down gauge.
 *
 * Threading contract (in the manner of unbound.h).
 * - state_store_open() and state_store_close() are called by one thread,
 *   once each per store, with no other call on that store in progress or
 *   to come: open before the worker threads start, close after they
 *   have all stopped.
 * - state_get, state_set, state_add, state_touch, state_delete,
 *   state_batch, state_store_up, state_store_stats, state_store_name and
 *   state_store_kind may be called from any number of threads at once on
 *   one store.  They never call back into the caller, hold no lock of the
 *   caller's, and block at most for the store's bound.
 * - The report callback is called from whichever thread saw the change,
 *   inside that thread's store call (or inside state_store_open()), with
 *   only the store's report lock held: other calls go on meanwhile, but
 *   the next change of state waits for it.  It must be thread-safe and
 *   must not call the store.  Two reports are never delivered at the same
 *   time and arrive in the order of the changes.  It is never called
 *   after state_store_close() returns.
 * - Within one store, a write that returned STATE_OK is seen by every
 *   later call on any thread.  Across processes and hosts, add is atomic:
 *   of several concurrent state_add() of one key exactly one gets
 *   STATE_OK.  Nothing else is ordered across processes.
 * - state_batch() is in order within the batch, and for memory and Redis
 *   as strong as its single calls.  With LMDB its writes are handed to
 *   the engine's writer thread without waiting: a later call on any
 *   thread of this process sees them once the writer has committed them
 *   (usually within a millisecond; the writer groups what is queued into
 *   one transaction), a later read in the same batch sees them at once,
 *   and a write that fails there reaches the front end as the STATE_DOWN
 *   of the next call (one report, the backoff, the gauge); batches then
 *   wait for their writes, until their deadline, until one succeeds.  The queue is
 *   bounded: a batch that finds it full is STATE_DOWN, its write dropped,
 *   never waited for.  A kill -9 loses the writes still queued; a clean
 *   close gives the writer about a second to commit them.
 */
#ifndef PTRMILTER_STATE_STORE_H
#define PTRMILTER_STATE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "state_spec.h"

/* Longest key, in bytes, without a NUL. */
#define STATE_KEY_MAX 255
/* Longest value, in bytes. */
#define STATE_VALUE_MAX 64
/* Longest time to live: a little over a year (greylist_pass_ttl is 35 days
 * by default, and an administrator may want a season). */
#define STATE_TTL_MAX (400u * 86400u)
/* The most operations in one state_batch(). */
#define STATE_BATCH_MAX 8
/* Bytes state_time_put() writes. */
#define STATE_TIME_SIZE 8
/* Backoff after a failure: the first, and the ceiling of its doubling. */
#define STATE_BACKOFF_FIRST_MS 1000
#define STATE_BACKOFF_MAX_MS 30000

struct state_store;

enum state_result {
	STATE_OK,	/* done; for get, the value was copied out */
	STATE_MISSING,	/* no such record (or it has expired) */
	STATE_EXISTS,	/* add: a record was there, left unchanged */
	STATE_DOWN	/* no answer within the bound: go on without */
};

/* One operation of a state_batch(): the arguments of the single call of
 * the same name, and its result.  key must stay valid for the call. */
enum state_op_kind {
	STATE_OP_GET,
	STATE_OP_SET,
	STATE_OP_ADD,
	STATE_OP_TOUCH,
	STATE_OP_DELETE
};

struct state_op {
	enum state_op_kind kind;
	const char *key;
	const void *value;	/* set, add */
	size_t len;		/* set, add: bytes at value */
	unsigned ttl_s;		/* set, add, touch */
	/* Set by state_batch(): the result of this operation, and for get
	 * (STATE_OK) the value, for add (STATE_OK, STATE_EXISTS) the value
	 * in force after it. */
	enum state_result result;
	unsigned char found[STATE_VALUE_MAX];
	size_t found_len;
};

/* A change of the store's state.  up is true for "up again"; message is
 * the whole line, printable, without a trailing newline. */
typedef void state_report_fn(void *arg, bool up, const char *message);

/* What a store has done since it was opened; a copy, read without a lock
 * (each counter is exact, the set is not a snapshot). */
struct state_stats {
	bool up;		/* the gauge: false while in backoff */
	uint64_t calls;		/* every get/set/add/touch/delete */
	uint64_t failures;	/* engine errors and overruns */
	uint64_t skipped;	/* STATE_DOWN at once: during backoff, or
				   the caller's cap had passed */
	uint64_t slow;		/* engine calls that overran the bound */
	uint64_t bad_keys;	/* keys or values refused by the front end */
	uint64_t downs;		/* changes from up to down */
};

/* Opens the store spec names, with calls bounded by timeout_ms (>= 1).
 * NULL only when out of memory.  An engine that cannot be opened now
 * (an LMDB directory not writable, a Redis server not listening) is NOT
 * an error: the store starts down, report says so once, and it is opened
 * again after the backoff.  report may be NULL.  Does not block longer
 * than timeout_ms. */
struct state_store *state_store_open(const struct state_spec *spec,
    unsigned timeout_ms, state_report_fn *report, void *report_arg);

/* Closes the engine and frees the store; NULL is a no-op. */
void state_store_close(struct state_store *st);

/* Copies the value of key into value (room for cap bytes; STATE_VALUE_MAX
 * always suffices) and its length into *len.  STATE_MISSING when there is
 * no live record; STATE_DOWN also when the value is longer than cap. */
enum state_result state_get(struct state_store *st, const char *key,
    void *value, size_t cap, size_t *len);

/* Writes key = value for ttl_s seconds, whether or not it existed. */
enum state_result state_set(struct state_store *st, const char *key,
    const void *value, size_t len, unsigned ttl_s);

/* Writes key = value for ttl_s seconds only if there is no live record
 * of key: STATE_OK, it was written; STATE_EXISTS, it was there and is
 * left as it was - value AND expiry.  Atomic across threads, processes
 * and (Redis) hosts.  When current is not NULL, the value in force after
 * the call (the one written, or the one found) is copied to current (room
 * for cap bytes) and its length to *current_len, in the same atomic step,
 * so that "since when" needs no second round trip that could race. */
enum state_result state_add(struct state_store *st, const char *key,
    const void *value, size_t len, unsigned ttl_s, void *current,
    size_t cap, size_t *current_len);

/* Sets the time to live of a live record to ttl_s from now, value
 * unchanged: STATE_MISSING when there is none. */
enum state_result state_touch(struct state_store *st, const char *key,
    unsigned ttl_s);

/* Removes key: STATE_OK, or STATE_MISSING when there was no live record
 * (engines that cannot tell may say STATE_OK). */
enum state_result state_delete(struct state_store *st, const char *key);

/* Caps the deadline of the store calls the calling thread makes from now
 * on at until (CLOCK_MONOTONIC, absolute), or lifts the cap (NULL).  For
 * a caller whose own time is shorter than state_timeout: a session whose
 * dns_timeout is nearly spent.  A capped call whose cap has passed
 * returns STATE_DOWN at once without touching the engine; one that fails
 * or overruns only because its cap came first returns STATE_DOWN but does
 * not take the store down (the store was not slow: the caller was late).
 * The cap is the thread's own (thread-local): set it around the calls it
 * is meant for, and lift it after. */
void state_deadline_cap(const struct timespec *until);
/* Runs n (1..STATE_BATCH_MAX) operations in order, as one call: one
 * deadline (the store's timeout) for all of them, one count in the
 * stats, one probe, and with Redis one round trip.  Each op's result is
 * what its single call would have answered after the ops before it.
 * Returns STATE_OK when every op has its result; STATE_DOWN when any op
 * was refused (bad key, value or ttl: nothing is run) or the engine
 * failed or overran: then every op's result is STATE_DOWN, even though
 * some may have taken effect.
 *
 * Weaker than the single calls, for speed (see the threading contract):
 * with LMDB, reads and the answers of add come from one read transaction
 * and the writes (set, touch, delete, an add's insert) are queued to the
 * writer thread and NOT waited for.  An add of a key that another process
 * inserts at the same moment may then answer STATE_OK to both (the first
 * insert stays; the other is dropped); a queued write that fails makes a
 * later call STATE_DOWN; a kill -9 loses the writes still queued (a few
 * milliseconds' worth).  Callers that need add's atomicity across
 * processes use state_add(). */
enum state_result state_batch(struct state_store *st, struct state_op *ops,
    size_t n);

/* false while the store is in backoff (and for a NULL store). */
bool state_store_up(const struct state_store *st);

/* Copies the counters; all zero and up false for a NULL store. */
void state_store_stats(const struct state_store *st, struct state_stats *out);

/* The spec as configured, for log lines ("lmdb:/var/lib/ptrmilter/state"),
 * and the engine's kind ("none", "lmdb", "redis"). */
const char *state_store_name(const struct state_store *st);
const char *state_store_kind(const struct state_store *st);

/* Is key acceptable (charset and length above)?  For callers that build
 * keys from untrusted parts and want to know before they call. */
bool state_key_valid(const char *key);

/* A wall-clock time as STATE_TIME_SIZE bytes (big-endian, two's
 * complement), and back: state_time_get() returns -1 unless len is
 * STATE_TIME_SIZE. */
void state_time_put(int64_t seconds, unsigned char out[STATE_TIME_SIZE]);
int state_time_get(const void *value, size_t len, int64_t *seconds);

/* The name of a result: "ok", "missing", "exists", "down". */
const char *state_result_name(enum state_result r);

#endif
