/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_lmdb_batch.c - a batch (state_batch()) on the LMDB engine: every
 * op answered from one pooled read transaction in the caller's thread,
 * every write queued to the engine's writer thread without waiting for
 * it, so that a session waits neither for LMDB's writer lock nor for the
 * disk.  An add whose record the read does not find answers STATE_OK and
 * queues an insert-if-absent: a record another process inserts meanwhile
 * wins, and both may have deferred a new greylisting triplet once.  A
 * full queue drops the write and the batch is STATE_DOWN; a queued write
 * that fails later is the next call's STATE_DOWN, and batches then wait
 * for their writes until one succeeds (state_lmdb.c).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "state_lmdb_impl.h"
#include "state_writer.h"

static int earlier(const struct state_op *ops, size_t i,
    struct lmdb_record *rec);
static enum state_result post(struct lmdb_engine *e,
    struct state_request *req, enum lmdb_write_kind kind,
    const struct state_op *op);
static enum state_result batch_op(struct lmdb_engine *e,
    struct state_request *req, MDB_txn *txn, struct state_op *ops,
    size_t i);

/* What the batch's ops before i left of op i's key: 1 and the value when
 * one wrote it, 0 when one deleted it, -1 when none changed it (the read
 * transaction knows).  A batch's writes are queued, in no transaction
 * yet, so its later ops learn of them here. */
static int
earlier(const struct state_op *ops, size_t i, struct lmdb_record *rec)
{
	const char *key = ops[i].key;
	const struct state_op *o;

	while (i-- > 0) {
		o = &ops[i];
		if (strcmp(o->key, key) != 0 || o->result == STATE_MISSING)
			continue;
		switch (o->kind) {
		case STATE_OP_SET:
			rec->value = o->value;
			rec->len = o->len;
			return 1;
		case STATE_OP_ADD:
			rec->value = o->found;
			rec->len = o->found_len;
			return 1;
		case STATE_OP_DELETE:
			return 0;
		case STATE_OP_GET:
		case STATE_OP_TOUCH:
			break;
		}
	}
	return -1;
}

/* Queues op's write for the writer thread, not waiting for it (but
 * while queued writes fail). */
static enum state_result
post(struct lmdb_engine *e, struct state_request *req,
    enum lmdb_write_kind kind, const struct state_op *op)
{
	struct lmdb_job job;

	memset(&job, 0, sizeof(job));
	job.kind = kind;
	job.ttl_s = op->ttl_s;
	lmdb_job_fill(&job, op->key, strlen(op->key), op->value, op->len,
	    req->now_s);
	/* Queued writes have been failing: wait for this one, so that the
	 * store is up again only when the writer works. */
	if (atomic_load(&e->faulted))
		return lmdb_hand_over(e, req, &job) == STATE_DOWN ?
		    STATE_DOWN : STATE_OK;
	job.posted = true;
	if (state_writer_post(e->writer, &job, sizeof(job)) ==
	    STATE_WRITER_DONE)
		return STATE_OK;
	lmdb_refuse(req, "too many writes waiting (one dropped: LMDB's writer lock "
	    "held elsewhere, or a slow disk)");
	return STATE_DOWN;
}

/* One op of a batch, answered from txn and what the ops before it did;
 * its write, if any, queued. */
static enum state_result
batch_op(struct lmdb_engine *e, struct state_request *req, MDB_txn *txn,
    struct state_op *ops, size_t i)
{
	struct state_op *op = &ops[i];
	MDB_val k = { strlen(op->key), (void *)(uintptr_t)op->key };
	struct lmdb_record rec;
	int have, rc;

	if ((have = earlier(ops, i, &rec)) < 0) {
		rc = lmdb_lookup(e, txn, &k, req->now_s, &rec);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return lmdb_down(e, req, "read", rc);
		have = rc == 0;
	}
	op->result = have ? STATE_OK : STATE_MISSING;
	switch (op->kind) {
	case STATE_OP_GET:
		if (have) {
			memcpy(op->found, rec.value, rec.len);
			op->found_len = rec.len;
		}
		return STATE_OK;
	case STATE_OP_SET:
		op->result = STATE_OK;
		return post(e, req, W_SET, op);
	case STATE_OP_ADD:
		if (have) {
			memmove(op->found, rec.value, rec.len);
			op->found_len = rec.len;
			op->result = STATE_EXISTS;
			return STATE_OK;
		}
		memcpy(op->found, op->value, op->len);
		op->found_len = op->len;
		op->result = STATE_OK;
		return post(e, req, W_ADD, op);
	case STATE_OP_TOUCH:
		return have ? post(e, req, W_TOUCH, op) : STATE_OK;
	case STATE_OP_DELETE:
		return have ? post(e, req, W_DEL, op) : STATE_OK;
	}
	lmdb_refuse(req, "unknown operation");
	return STATE_DOWN;
}

/* Every read of the batch in one read transaction, every write queued:
 * the session waits for neither LMDB's writer lock nor the disk. */
enum state_result
lmdb_batch(void *handle, struct state_request *req, struct state_op *ops,
    size_t n)
{
	struct lmdb_engine *e = handle;
	enum state_result r = STATE_OK;
	MDB_txn *txn;
	size_t i;
	int rc;

	if (lmdb_pending_fault(e, req) || lmdb_enter_for_read(e, req) != 0)
		return STATE_DOWN;
	if ((rc = lmdb_reader_begin(e, &txn)) != 0) {
		r = lmdb_down(e, req, "read", rc);
		lmdb_leave(e);
		return r;
	}
	for (i = 0; i < n && r == STATE_OK; i++)
		r = batch_op(e, req, txn, ops, i);
	lmdb_reader_end(e, txn);
	lmdb_leave(e);
	return r;
}
