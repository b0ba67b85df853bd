/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_lmdb_impl.h - private to the LMDB engine (state_lmdb.c, and
 * state_lmdb_batch.c for batches): the engine, its records and the jobs
 * of its writer thread, and the helpers both files use.
 *
 * Threading: as state_lmdb.c says.  An engine's fields are guarded as
 * noted; the helpers below take the locks they need themselves, except
 * that lmdb_lookup(), lmdb_reader_begin() and lmdb_reader_end() want the
 * caller inside the environment (between lmdb_enter_for_read() and
 * lmdb_leave()).
 */
#ifndef PTRMILTER_STATE_LMDB_IMPL_H
#define PTRMILTER_STATE_LMDB_IMPL_H

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state_store.h"
#include "state_store_impl.h"

/* Reset read transactions kept, each holding a reader slot (LMDB's
 * default is 126 per environment, for every process on it). */
#define READER_POOL 16

struct lmdb_engine {
	pthread_rwlock_t env_lock;	/* read: use env; write: reopen */
	MDB_env *env;			/* NULL while closed */
	MDB_dbi dbi;
	atomic_bool broken;		/* reopen before next use */
	char path[STATE_SPEC_PATH_MAX];
	size_t map_bytes;
	atomic_uint writes;		/* since the last sweep */
	pthread_mutex_t sweep_lock;	/* one sweep at a time; sweep_from */
	char sweep_from[STATE_KEY_MAX];	/* where the next sweep starts */
	size_t sweep_from_len;		/* 0: at the beginning */
	struct state_writer *writer;	/* runs every write transaction */
	pthread_mutex_t reader_lock;	/* readers, nreaders */
	MDB_txn *readers[READER_POOL];	/* reset, holding their slots */
	size_t nreaders;
	pthread_mutex_t fault_lock;	/* fault_why */
	atomic_bool faulted;		/* a queued write failed, and no
					 * write has succeeded since */
	atomic_bool fault_unreported;	/* not yet told to the front end */
	char fault_why[STATE_WHY_MAX];
	bool fault_cannot_write;	/* fault_why's write: no room, or EROFS */
};

/* One read or write of a record, decoded. */
struct lmdb_record {
	int64_t expires_s;
	const unsigned char *value;
	size_t len;
};

/* Writes share one path; what each does with the live record it found
 * (or did not) is in how. */
enum lmdb_write_kind { W_SET, W_ADD, W_TOUCH, W_DEL, W_REOPEN };

/* A write as the writer thread gets it: a copy, no pointer into the
 * caller's memory, which may be gone when the write runs. */
struct lmdb_job {
	enum lmdb_write_kind kind;
	char key[STATE_KEY_MAX];
	size_t keylen;
	unsigned char value[STATE_VALUE_MAX];
	size_t len;
	unsigned ttl_s;
	int64_t now_s;
	unsigned char current[STATE_VALUE_MAX];	/* add: the value in force */
	size_t current_len;
	bool posted;			/* nobody waits: failures noted */
	enum state_result res;
	char why[STATE_WHY_MAX];
	bool cannot_write;	/* state_request's, from the writer */
};

/* A reason in req->why; -1. */
int lmdb_refuse(struct state_request *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* An LMDB error: the reason for the front end, the environment marked
 * for a reopen when it cannot go on; STATE_DOWN. */
enum state_result lmdb_down(struct lmdb_engine *e, struct state_request *req,
    const char *what, int rc);

/* Shared use of the environment for a read in the caller's thread (a
 * broken one reopened by the writer thread, within req's bound): 0, or
 * -1 with the reason.  lmdb_leave() ends it. */
int lmdb_enter_for_read(struct lmdb_engine *e, struct state_request *req);
void lmdb_leave(struct lmdb_engine *e);

/* 0 and *out for a live record of key; MDB_NOTFOUND for none or an
 * expired one; else the LMDB error. */
int lmdb_lookup(struct lmdb_engine *e, MDB_txn *txn, MDB_val *key,
    int64_t now_s, struct lmdb_record *out);

/* A read transaction from the pool (or a new one), and back to it. */
int lmdb_reader_begin(struct lmdb_engine *e, MDB_txn **txn);
void lmdb_reader_end(struct lmdb_engine *e, MDB_txn *txn);

/* true, with its reason in req->why, when a queued write has failed
 * since the last call: that call is then STATE_DOWN. */
bool lmdb_pending_fault(struct lmdb_engine *e, struct state_request *req);

/* A write done by the writer thread, waited for until req's deadline;
 * a success ends a fault of queued writes. */
enum state_result lmdb_hand_over(struct lmdb_engine *e,
    struct state_request *req, struct lmdb_job *job);

/* A job's key and value, copied in, and its time. */
void lmdb_job_fill(struct lmdb_job *job, const char *key, size_t keylen,
    const unsigned char *value, size_t len, int64_t now_s);

/* state_lmdb_batch.c: the engine's batch op (state_engine_ops.batch). */
enum state_result lmdb_batch(void *handle, struct state_request *req,
    struct state_op *ops, size_t n);

#endif
