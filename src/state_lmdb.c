/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_lmdb.c - the LMDB engine (state_store = lmdb:/DIR): records in
 * DIR/data.mdb, kept across restarts and shared by every ptrmilter on the
 * host through LMDB's lock file (DIR/lock.mdb).
 *
 * Layout: key = the key's bytes; data = expiry (8 bytes, big-endian wall
 * clock seconds, as state_time_put() writes it) then the value.  A record
 * whose expiry has passed is treated as absent by every operation and
 * deleted by the sweep: after every SWEEP_EVERY writes, and at once when
 * a write finds the map full, one bounded write transaction walks at most
 * SWEEP_BATCH records from where the last one stopped.
 *
 * Never in a session's way for long: reads run in the caller's thread in
 * a read transaction, which never waits for a writer.  Every write runs
 * on the engine's writer thread (state_writer.h): LMDB's writer lock,
 * which another process may hold as long as it likes, and the flush of a
 * commit to a slow disk are the writer's waits, never a session's.  A
 * single call waits for its write until its deadline; a batch
 * (state_batch(), state_lmdb_batch.c) answers from one read transaction
 * and queues its writes without waiting (an add absent from the read is
 * answered OK and queued as an insert-if-absent, so a record another
 * process inserted meanwhile wins: both may defer a new triplet once).  The writer takes
 * what is queued, up to STATE_WRITER_GROUP jobs, into ONE write
 * transaction and one commit; a job that fails in it sends the group
 * back one job per transaction, so each gets its own answer.  A queued
 * write that fails is reported as the STATE_DOWN of the next call
 * (lmdb_pending_fault()), and from then on batches wait for their writes
 * as single calls do, until one succeeds: the front end's probe after
 * its backoff is a real test of the writer, so a writer that keeps
 * failing keeps the store down (one report) instead of flapping.  A kill -9 loses the writes still queued.  Commits
 * flush the data pages but not the meta page (MDB_NOMETASYNC): a power
 * loss may undo the last commit, never corrupt the file.  Writers of all
 * processes take turns on LMDB's robust mutex in lock.mdb.
 *
 * Readers never wait: a read transaction takes a reader slot in
 * lock.mdb, and taking a NEW slot locks LMDB's reader-table mutex, which
 * another process holds for a moment while it takes its own (or longer,
 * if stopped right then).  So read transactions are kept reset in a pool
 * (mdb_txn_reset keeps the slot; mdb_txn_renew takes no lock) and only a
 * read that finds the pool empty takes a new slot.  No free slot
 * (MDB_READERS_FULL) is answered at once as STATE_DOWN; the environment
 * is then reopened by the writer thread, whose open clears the slots of
 * dead processes (mdb_reader_check).
 *
 * Repair: an error that means the environment itself is in trouble
 * (MDB_PANIC, MDB_CORRUPTED, MDB_MAP_RESIZED, EIO, EROFS...) marks it
 * broken; the next call after the front end's backoff has the writer
 * thread close and reopen it.  env_lock (a rwlock) lets calls share the
 * environment and the reopen have it alone.  A write refused for want
 * of room or of a writable filesystem says so (cannot_write), so that
 * the front end waits for a write, not a read, to call it mended.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safe_file.h"
#include "state_store.h"
#include "state_store_impl.h"
#include "state_lmdb_impl.h"
#include "state_writer.h"

/* Room for the state of tens of thousands of clients: a streak is about
 * 100 bytes with LMDB's overhead, a greylisting triplet about 200. */
#define LMDB_MAP_DEFAULT (64u * 1024 * 1024)
#define SWEEP_EVERY 64
#define SWEEP_BATCH 256
/* Writes that may wait for the writer thread (about 600 bytes each):
 * seconds of a busy MX's greylisting while the disk stalls; with the
 * front end's backoff, no more pile up once it is full. */
#define WRITER_QUEUE 4096
/* How long close waits for the writer to commit what is queued. */
#define WRITER_STOP_MS 1000

struct lmdb_write {
	enum lmdb_write_kind kind;
	MDB_val key;
	const unsigned char *value;
	size_t len;
	unsigned ttl_s;
	unsigned char *current;		/* add: the value in force */
	size_t *current_len;
};

static int fail(struct state_request *req, const char *what, int rc);
static bool rc_breaks_env(int rc);
static bool rc_cannot_write(int rc);
static int dir_ready(const char *path, struct state_request *req);
static int env_open(struct lmdb_engine *e, struct state_request *req);
static void env_close(struct lmdb_engine *e);
static int enter_shared(struct lmdb_engine *e);
static int enter(struct lmdb_engine *e, struct state_request *req);
static bool record_decode(const MDB_val *data, struct lmdb_record *out);
static int record_put(struct lmdb_engine *e, MDB_txn *txn, MDB_val *key,
    const unsigned char *value, size_t len, int64_t expires_s);
static int sweep(struct lmdb_engine *e, int64_t now_s, unsigned *dropped);
static int sweep_batch(struct lmdb_engine *e, MDB_txn *txn, int64_t now_s,
    unsigned *dropped);
static void after_write(struct lmdb_engine *e, int64_t now_s,
    unsigned count);
static int apply(struct lmdb_engine *e, MDB_txn *txn, int64_t now_s,
    struct lmdb_write *w, enum state_result *res);
static int write_txn(struct lmdb_engine *e, int64_t now_s,
    struct lmdb_write *w, enum state_result *res);
static enum state_result write_op(struct lmdb_engine *e,
    struct state_request *req, struct lmdb_write *w);
static void readers_drop(struct lmdb_engine *e);
static enum state_result read_op(struct lmdb_engine *e,
    struct state_request *req, MDB_val *key, unsigned char *value,
    size_t *len);
static void fault_note(struct lmdb_engine *e, const struct lmdb_job *job);
static struct lmdb_write write_of(struct lmdb_job *job);
static void run_job(struct lmdb_engine *e, struct lmdb_job *job);
static bool group_write(struct lmdb_engine *e, struct lmdb_job **jobs,
    size_t n);
static void run_group(void *ctx, void **data, size_t n);
static enum state_result lmdb_write(struct lmdb_engine *e,
    struct state_request *req, struct lmdb_job *job, const char *key,
    size_t keylen, const unsigned char *value, size_t len);
static void engine_free(void *ctx);
static int engine_locks(struct lmdb_engine *e);

static int
fail(struct state_request *req, const char *what, int rc)
{
	snprintf(req->why, sizeof(req->why), "%s: %s", what,
	    mdb_strerror(rc));
	return -1;
}

int
lmdb_refuse(struct state_request *req, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req->why, sizeof(req->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* Errors after which this environment must not be used again. */
static bool
rc_breaks_env(int rc)
{
	return rc == MDB_PANIC || rc == MDB_CORRUPTED ||
	    rc == MDB_MAP_RESIZED || rc == MDB_BAD_TXN || rc == MDB_INVALID ||
	    rc == MDB_VERSION_MISMATCH || rc == EIO || rc == MDB_READERS_FULL ||
	    rc == EROFS;
}

/* Errors of a write that leave reads working: the filesystem (or the
 * map) is full, or has turned read-only.  A read-only one is reopened
 * too (above): it is mended by mounting it again, which a process that
 * kept its old descriptors would never see. */
static bool
rc_cannot_write(int rc)
{
	return rc == MDB_MAP_FULL || rc == ENOSPC || rc == EDQUOT ||
	    rc == EROFS;
}

/* The directory holds state that decides whether mail is deferred: it
 * must be ours (or root's) and writable by nobody else, and so must every
 * directory on the way to it (safe_file.h: a sticky one such as /tmp
 * only with our own or root's entry), else another user could put a
 * directory of theirs, or a link, in its place.  Created 0700 when
 * missing. */
static int
dir_ready(const char *path, struct state_request *req)
{
	struct safe_file sf;
	struct stat st;
	int rc = 0;

	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return lmdb_refuse(req, "mkdir: %s", strerror(errno));
	if (safe_file_open(path, (long)geteuid(), O_RDONLY | O_DIRECTORY,
	    &sf) != 0)
		return sf.error != 0 ? lmdb_refuse(req, "%s", strerror(sf.error)) :
		    lmdb_refuse(req, "%.200s", sf.why);
	if (fstat(sf.fd, &st) == -1)
		rc = lmdb_refuse(req, "fstat: %s", strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		rc = lmdb_refuse(req, "not a directory");
	else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		rc = lmdb_refuse(req, "the directory is writable by group or "
		    "others (mode %04o): refused; chmod go-w %.100s",
		    (unsigned)(st.st_mode & 07777), path);
	close(sf.fd);
	return rc;
}

static int
env_open(struct lmdb_engine *e, struct state_request *req)
{
	MDB_txn *txn = NULL;
	int rc, dead;

	if (dir_ready(e->path, req) != 0)
		return -1;
	if ((rc = mdb_env_create(&e->env)) != 0)
		return e->env = NULL, fail(req, "mdb_env_create", rc);
	if ((rc = mdb_env_set_mapsize(e->env, e->map_bytes)) != 0 ||
	    (rc = mdb_env_open(e->env, e->path,
	    MDB_NOTLS | MDB_NOMETASYNC, 0600)) != 0) {
		fail(req, "mdb_env_open", rc);
		goto failed;
	}
	/* Reader slots left by a process that died holding them. */
	mdb_reader_check(e->env, &dead);
	/* The main database needs no write transaction to open, so opening
	 * never waits for another process's writer. */
	if ((rc = mdb_txn_begin(e->env, NULL, MDB_RDONLY, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &e->dbi)) != 0 ||
	    (rc = mdb_txn_commit(txn)) != 0) {
		if (txn != NULL && rc != 0)
			mdb_txn_abort(txn);
		fail(req, "mdb_dbi_open", rc);
		goto failed;
	}
	atomic_store(&e->broken, false);
	return 0;
failed:
	mdb_env_close(e->env);
	e->env = NULL;
	return -1;
}

static void
env_close(struct lmdb_engine *e)
{
	readers_drop(e);
	if (e->env != NULL)
		mdb_env_close(e->env);
	e->env = NULL;
}

/* Shared use of a working environment; -1 if it is broken or closed. */
static int
enter_shared(struct lmdb_engine *e)
{
	pthread_rwlock_rdlock(&e->env_lock);
	if (e->env != NULL && !atomic_load(&e->broken))
		return 0;
	pthread_rwlock_unlock(&e->env_lock);
	return -1;
}

/* Shared use of a working environment, reopened first if it broke.
 * Only the writer thread reopens: the reopen waits for every user of
 * the environment to leave, and one of them may be the writer itself,
 * waiting for another process's writer lock. */
static int
enter(struct lmdb_engine *e, struct state_request *req)
{
	if (enter_shared(e) == 0)
		return 0;
	pthread_rwlock_wrlock(&e->env_lock);
	if (e->env == NULL || atomic_load(&e->broken)) {
		env_close(e);
		if (env_open(e, req) != 0) {
			pthread_rwlock_unlock(&e->env_lock);
			return -1;
		}
	}
	pthread_rwlock_unlock(&e->env_lock);
	pthread_rwlock_rdlock(&e->env_lock);
	if (e->env != NULL && !atomic_load(&e->broken))
		return 0;
	pthread_rwlock_unlock(&e->env_lock);
	snprintf(req->why, sizeof(req->why), "environment closed meanwhile");
	return -1;
}

void
lmdb_leave(struct lmdb_engine *e)
{
	pthread_rwlock_unlock(&e->env_lock);
}

/* An LMDB error: the reason for the front end, the environment marked
 * for a reopen when it cannot go on. */
enum state_result
lmdb_down(struct lmdb_engine *e, struct state_request *req, const char *what,
    int rc)
{
	fail(req, what, rc);
	if (rc_breaks_env(rc))
		atomic_store(&e->broken, true);
	return STATE_DOWN;
}

static bool
record_decode(const MDB_val *data, struct lmdb_record *out)
{
	if (data->mv_size < STATE_TIME_SIZE ||
	    data->mv_size > STATE_TIME_SIZE + STATE_VALUE_MAX)
		return false;
	state_time_get(data->mv_data, STATE_TIME_SIZE, &out->expires_s);
	out->value = (const unsigned char *)data->mv_data + STATE_TIME_SIZE;
	out->len = data->mv_size - STATE_TIME_SIZE;
	return true;
}

static int
record_put(struct lmdb_engine *e, MDB_txn *txn, MDB_val *key,
    const unsigned char *value, size_t len, int64_t expires_s)
{
	unsigned char buf[STATE_TIME_SIZE + STATE_VALUE_MAX];
	MDB_val data = { STATE_TIME_SIZE + len, buf };

	state_time_put(expires_s, buf);
	if (len > 0)
		memmove(buf + STATE_TIME_SIZE, value, len);
	return mdb_put(txn, e->dbi, key, &data, 0);
}

/* 0 and *out for a live record; MDB_NOTFOUND for none or an expired
 * one (a record of a foreign shape counts as none: it is overwritten);
 * else the LMDB error. */
int
lmdb_lookup(struct lmdb_engine *e, MDB_txn *txn, MDB_val *key, int64_t now_s,
    struct lmdb_record *out)
{
	MDB_val data;
	int rc = mdb_get(txn, e->dbi, key, &data);

	if (rc != 0)
		return rc;
	if (!record_decode(&data, out) || out->expires_s <= now_s)
		return MDB_NOTFOUND;
	return 0;
}

/* One bounded pass; *dropped counts what it deleted. */
static int
sweep(struct lmdb_engine *e, int64_t now_s, unsigned *dropped)
{
	MDB_txn *txn;
	int rc;

	*dropped = 0;
	pthread_mutex_lock(&e->sweep_lock);
	rc = mdb_txn_begin(e->env, NULL, 0, &txn);
	if (rc == 0) {
		rc = sweep_batch(e, txn, now_s, dropped);
		if (rc == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	pthread_mutex_unlock(&e->sweep_lock);
	return rc;
}

static int
sweep_batch(struct lmdb_engine *e, MDB_txn *txn, int64_t now_s,
    unsigned *dropped)
{
	struct lmdb_record rec;
	MDB_cursor *cur;
	MDB_val key = { e->sweep_from_len, e->sweep_from }, data;
	unsigned seen;
	int rc;

	if ((rc = mdb_cursor_open(txn, e->dbi, &cur)) != 0)
		return rc;
	rc = mdb_cursor_get(cur, &key, &data,
	    e->sweep_from_len > 0 ? MDB_SET_RANGE : MDB_FIRST);
	for (seen = 0; rc == 0 && seen < SWEEP_BATCH; seen++) {
		if (!record_decode(&data, &rec) || rec.expires_s <= now_s) {
			if ((rc = mdb_cursor_del(cur, 0)) != 0)
				break;
			(*dropped)++;
		}
		/* After a delete, LMDB's MDB_NEXT gives the record that
		 * followed the deleted one. */
		rc = mdb_cursor_get(cur, &key, &data, MDB_NEXT);
	}
	e->sweep_from_len = 0;
	if (rc == 0 && key.mv_size <= sizeof(e->sweep_from)) {
		memcpy(e->sweep_from, key.mv_data, key.mv_size);
		e->sweep_from_len = key.mv_size;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Every SWEEP_EVERY writes, a sweep, after the writes' own commit. */
static void
after_write(struct lmdb_engine *e, int64_t now_s, unsigned count)
{
	unsigned dropped;

	if (atomic_fetch_add(&e->writes, count) + count < SWEEP_EVERY)
		return;
	atomic_store(&e->writes, 0);
	(void)sweep(e, now_s, &dropped);
}

/* One write inside an open write transaction: look the key up, decide,
 * write.  *res is its answer; the return is an LMDB error or 0. */
static int
apply(struct lmdb_engine *e, MDB_txn *txn, int64_t now_s,
    struct lmdb_write *w, enum state_result *res)
{
	struct lmdb_record rec;
	int rc, found;

	*res = STATE_OK;
	if (w->kind == W_REOPEN)
		return 0;
	found = lmdb_lookup(e, txn, &w->key, now_s, &rec);
	if (found != 0 && found != MDB_NOTFOUND)
		return found;
	if (w->kind == W_ADD && found == 0) {
		memcpy(w->current, rec.value, rec.len);
		*w->current_len = rec.len;
		*res = STATE_EXISTS;
		return 0;
	}
	if (w->kind == W_SET || w->kind == W_ADD) {
		rc = record_put(e, txn, &w->key, w->value, w->len,
		    now_s + (int64_t)w->ttl_s);
		if (rc == 0 && w->kind == W_ADD) {
			memcpy(w->current, w->value, w->len);
			*w->current_len = w->len;
		}
		return rc;
	}
	if (found != 0) {
		*res = STATE_MISSING;
		return 0;
	}
	if (w->kind == W_TOUCH)
		return record_put(e, txn, &w->key, rec.value, rec.len,
		    now_s + (int64_t)w->ttl_s);
	return mdb_del(txn, e->dbi, &w->key, NULL);
}

/* The write transaction of one operation; nothing else happens while it
 * is open, and one that changed nothing is not committed. */
static int
write_txn(struct lmdb_engine *e, int64_t now_s, struct lmdb_write *w,
    enum state_result *res)
{
	MDB_txn *txn;
	int rc;

	if ((rc = mdb_txn_begin(e->env, NULL, 0, &txn)) != 0)
		return rc;
	rc = apply(e, txn, now_s, w, res);
	if (rc != 0 || *res != STATE_OK || w->kind == W_REOPEN) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

/* A write, with one sweep and one retry when the map is full: a map
 * full of expired records is not a store that is down. */
static enum state_result
write_op(struct lmdb_engine *e, struct state_request *req,
    struct lmdb_write *w)
{
	enum state_result res = STATE_DOWN;
	unsigned dropped = 0;
	int rc, tries;

	if (enter(e, req) != 0)
		return STATE_DOWN;
	rc = write_txn(e, req->now_s, w, &res);
	/* A sweep that started near the end may find nothing there; the
	 * second starts over from the first key. */
	for (tries = 0; rc == MDB_MAP_FULL && dropped == 0 && tries < 2;
	    tries++) {
		if (sweep(e, req->now_s, &dropped) != 0)
			break;
	}
	if (rc == MDB_MAP_FULL && dropped > 0)
		rc = write_txn(e, req->now_s, w, &res);
	if (rc != 0) {
		res = lmdb_down(e, req, rc == MDB_MAP_FULL ? "write (map full of "
		    "live records)" : "write", rc);
		req->cannot_write = rc_cannot_write(rc);
	} else if (w->kind != W_REOPEN)
		after_write(e, req->now_s, 1);
	lmdb_leave(e);
	return res;
}

/* A read transaction: a reset one from the pool, renewed (no lock of
 * LMDB's taken), or a new one (a new reader slot) when there is none. */
int
lmdb_reader_begin(struct lmdb_engine *e, MDB_txn **txn)
{
	MDB_txn *t = NULL;
	int rc;

	pthread_mutex_lock(&e->reader_lock);
	if (e->nreaders > 0)
		t = e->readers[--e->nreaders];
	pthread_mutex_unlock(&e->reader_lock);
	if (t == NULL)
		return mdb_txn_begin(e->env, NULL, MDB_RDONLY, txn);
	if ((rc = mdb_txn_renew(t)) != 0) {
		mdb_txn_abort(t);
		return rc;
	}
	*txn = t;
	return 0;
}

/* Back to the pool, reset: it keeps its slot but pins no snapshot. */
void
lmdb_reader_end(struct lmdb_engine *e, MDB_txn *txn)
{
	mdb_txn_reset(txn);
	pthread_mutex_lock(&e->reader_lock);
	if (e->nreaders < READER_POOL) {
		e->readers[e->nreaders++] = txn;
		txn = NULL;
	}
	pthread_mutex_unlock(&e->reader_lock);
	if (txn != NULL)
		mdb_txn_abort(txn);
}

/* Before the environment closes, with nobody in it. */
static void
readers_drop(struct lmdb_engine *e)
{
	while (e->nreaders > 0)
		mdb_txn_abort(e->readers[--e->nreaders]);
}

/* A read of key's live record (value may be NULL), in a read
 * transaction: readers never wait for writers or take their lock. */
static enum state_result
read_op(struct lmdb_engine *e, struct state_request *req, MDB_val *key,
    unsigned char *value, size_t *len)
{
	struct lmdb_record rec;
	enum state_result r = STATE_MISSING;
	MDB_txn *txn;
	int rc;

	rc = lmdb_reader_begin(e, &txn);
	if (rc == 0) {
		rc = lmdb_lookup(e, txn, key, req->now_s, &rec);
		if (rc == 0 && value != NULL) {
			memcpy(value, rec.value, rec.len);
			*len = rec.len;
		}
		if (rc == 0)
			r = STATE_OK;
		lmdb_reader_end(e, txn);
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		r = lmdb_down(e, req, "read", rc);
	return r;
}

/* A queued write failed: the first reason is kept for the next call. */
static void
fault_note(struct lmdb_engine *e, const struct lmdb_job *job)
{
	pthread_mutex_lock(&e->fault_lock);
	if (!atomic_load(&e->faulted)) {
		snprintf(e->fault_why, sizeof(e->fault_why), "a queued write "
		    "failed: %.130s", job->why);
		e->fault_cannot_write = job->cannot_write;
		atomic_store(&e->fault_unreported, true);
	}
	atomic_store(&e->faulted, true);
	pthread_mutex_unlock(&e->fault_lock);
}

/* The next call after a queued write failed answers STATE_DOWN with its
 * reason, so that the front end reports it, backs off and sets the
 * gauge, as for a failure of its own. */
bool
lmdb_pending_fault(struct lmdb_engine *e, struct state_request *req)
{
	if (!atomic_load(&e->fault_unreported))
		return false;
	pthread_mutex_lock(&e->fault_lock);
	memcpy(req->why, e->fault_why, sizeof(req->why));
	req->cannot_write = e->fault_cannot_write;
	atomic_store(&e->fault_unreported, false);
	pthread_mutex_unlock(&e->fault_lock);
	return true;
}

static struct lmdb_write
write_of(struct lmdb_job *job)
{
	struct lmdb_write w = { .kind = job->kind, .value = job->value,
	    .len = job->len, .ttl_s = job->ttl_s,
	    .key = { job->keylen, job->key },
	    .current = job->current, .current_len = &job->current_len };

	return w;
}

/* Runs one job on its own (state_writer_fn's part for one). */
static void
run_job(struct lmdb_engine *e, struct lmdb_job *job)
{
	struct state_request req = { .now_s = job->now_s };
	struct lmdb_write w = write_of(job);

	job->res = write_op(e, &req, &w);
	memcpy(job->why, req.why, sizeof(job->why));
	job->cannot_write = req.cannot_write;
}

/* The jobs in one write transaction and one commit; false, with nothing
 * written, when any of them failed: they are then run one by one. */
static bool
group_write(struct lmdb_engine *e, struct lmdb_job **jobs, size_t n)
{
	struct state_request req = { .now_s = jobs[0]->now_s };
	struct lmdb_write w;
	MDB_txn *txn;
	size_t i;
	int rc;

	if (enter(e, &req) != 0)
		return false;
	if ((rc = mdb_txn_begin(e->env, NULL, 0, &txn)) != 0) {
		lmdb_leave(e);
		return false;
	}
	for (i = 0; rc == 0 && i < n; i++) {
		w = write_of(jobs[i]);
		rc = apply(e, txn, jobs[i]->now_s, &w, &jobs[i]->res);
	}
	/* Commit frees the transaction whatever it returns. */
	if (rc == 0)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	if (rc == 0)
		after_write(e, req.now_s, (unsigned)n);
	lmdb_leave(e);
	return rc == 0;
}

/* The writer thread's run (state_writer_fn): the group at once when it
 * can, and each posted job's failure noted for the next call. */
static void
run_group(void *ctx, void **data, size_t n)
{
	struct lmdb_engine *e = ctx;
	struct lmdb_job **jobs = (struct lmdb_job **)data;
	size_t i;

	if (n < 2 || !group_write(e, jobs, n))
		for (i = 0; i < n; i++)
			run_job(e, jobs[i]);
	for (i = 0; i < n; i++) {
		if (jobs[i]->posted && jobs[i]->res == STATE_DOWN)
			fault_note(e, jobs[i]);
	}
}

/* A write done by the writer thread, waited for until the deadline. */
enum state_result
lmdb_hand_over(struct lmdb_engine *e, struct state_request *req,
    struct lmdb_job *job)
{
	job->now_s = req->now_s;
	switch (state_writer_call(e->writer, job, sizeof(*job),
	    req->deadline)) {
	case STATE_WRITER_DONE:
		if (job->res == STATE_DOWN) {
			memcpy(req->why, job->why, sizeof(req->why));
			req->cannot_write = job->cannot_write;
		} else if (job->kind != W_REOPEN)
			atomic_store(&e->faulted, false);	/* writes work */
		return job->res;
	case STATE_WRITER_LATE:
		lmdb_refuse(req, "write not done in time (LMDB's writer lock held "
		    "elsewhere, or a slow disk)");
		return STATE_DOWN;
	case STATE_WRITER_FULL:
		break;
	}
	lmdb_refuse(req, "too many writes waiting");
	return STATE_DOWN;
}

/* Shared use for a read in the caller's thread; a broken environment is
 * reopened by the writer thread, within the caller's bound. */
int
lmdb_enter_for_read(struct lmdb_engine *e, struct state_request *req)
{
	struct lmdb_job job = { .kind = W_REOPEN };

	if (enter_shared(e) == 0)
		return 0;
	if (lmdb_hand_over(e, req, &job) != STATE_OK)
		return -1;
	if (enter_shared(e) == 0)
		return 0;
	return lmdb_refuse(req, "environment closed meanwhile");
}

static enum state_result
lmdb_get(void *handle, struct state_request *req, const char *key,
    size_t keylen, unsigned char *value, size_t *len)
{
	struct lmdb_engine *e = handle;
	MDB_val k = { keylen, (void *)(uintptr_t)key };
	enum state_result r;

	if (lmdb_pending_fault(e, req) || lmdb_enter_for_read(e, req) != 0)
		return STATE_DOWN;
	r = read_op(e, req, &k, value, len);
	lmdb_leave(e);
	return r;
}

/* A job for key and value, copied: the writer may run it after the
 * caller's memory is gone. */
void
lmdb_job_fill(struct lmdb_job *job, const char *key, size_t keylen,
    const unsigned char *value, size_t len, int64_t now_s)
{
	memcpy(job->key, key, keylen);
	job->keylen = keylen;
	if (len > 0)
		memcpy(job->value, value, len);
	job->len = len;
	job->now_s = now_s;
}

/* A write: the job filled in, and for touch and delete a look first -
 * those of a record that is not there (the delete after every clean
 * verdict, mostly) need no writer, no write lock and no flush. */
static enum state_result
lmdb_write(struct lmdb_engine *e, struct state_request *req,
    struct lmdb_job *job, const char *key, size_t keylen,
    const unsigned char *value, size_t len)
{
	MDB_val k = { keylen, (void *)(uintptr_t)key };
	enum state_result r;

	if (lmdb_pending_fault(e, req))
		return STATE_DOWN;
	lmdb_job_fill(job, key, keylen, value, len, req->now_s);
	if (job->kind == W_TOUCH || job->kind == W_DEL) {
		if (lmdb_enter_for_read(e, req) != 0)
			return STATE_DOWN;
		r = read_op(e, req, &k, NULL, NULL);
		lmdb_leave(e);
		if (r != STATE_OK)
			return r;
	}
	return lmdb_hand_over(e, req, job);
}

static enum state_result
lmdb_set(void *handle, struct state_request *req, const char *key,
    size_t keylen, const unsigned char *value, size_t len, unsigned ttl_s)
{
	struct lmdb_job job = { .kind = W_SET, .ttl_s = ttl_s };

	return lmdb_write(handle, req, &job, key, keylen, value, len);
}

static enum state_result
lmdb_add(void *handle, struct state_request *req, const char *key,
    size_t keylen, const unsigned char *value, size_t len, unsigned ttl_s,
    unsigned char *current, size_t *current_len)
{
	struct lmdb_job job = { .kind = W_ADD, .ttl_s = ttl_s };
	enum state_result r;

	r = lmdb_write(handle, req, &job, key, keylen, value, len);
	if (r == STATE_OK || r == STATE_EXISTS) {
		memcpy(current, job.current, job.current_len);
		*current_len = job.current_len;
	}
	return r;
}

static enum state_result
lmdb_touch(void *handle, struct state_request *req, const char *key,
    size_t keylen, unsigned ttl_s)
{
	struct lmdb_job job = { .kind = W_TOUCH, .ttl_s = ttl_s };

	return lmdb_write(handle, req, &job, key, keylen, NULL, 0);
}

static enum state_result
lmdb_del(void *handle, struct state_request *req, const char *key,
    size_t keylen)
{
	struct lmdb_job job = { .kind = W_DEL };

	return lmdb_write(handle, req, &job, key, keylen, NULL, 0);
}

/* Frees the engine once nothing runs in it any more: from close, or
 * from the writer thread itself when close could not wait for it. */
static void
engine_free(void *ctx)
{
	struct lmdb_engine *e = ctx;

	readers_drop(e);
	env_close(e);
	pthread_mutex_destroy(&e->fault_lock);
	pthread_mutex_destroy(&e->reader_lock);
	pthread_mutex_destroy(&e->sweep_lock);
	pthread_rwlock_destroy(&e->env_lock);
	free(e);
}

/* The engine's locks; -1 (nothing left to free) when one fails. */
static int
engine_locks(struct lmdb_engine *e)
{
	if (pthread_rwlock_init(&e->env_lock, NULL) != 0)
		return -1;
	if (pthread_mutex_init(&e->sweep_lock, NULL) != 0)
		goto no_sweep;
	if (pthread_mutex_init(&e->reader_lock, NULL) != 0)
		goto no_reader;
	if (pthread_mutex_init(&e->fault_lock, NULL) == 0)
		return 0;
	pthread_mutex_destroy(&e->reader_lock);
no_reader:
	pthread_mutex_destroy(&e->sweep_lock);
no_sweep:
	pthread_rwlock_destroy(&e->env_lock);
	return -1;
}

int
state_lmdb_open_mapsize(const struct state_spec *spec, size_t map_bytes,
    struct state_request *req, void **handle)
{
	struct lmdb_engine *e;

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return lmdb_refuse(req, "out of memory");
	snprintf(e->path, sizeof(e->path), "%s", spec->path);
	e->map_bytes = map_bytes;
	atomic_init(&e->writes, 0);
	atomic_init(&e->broken, false);
	atomic_init(&e->faulted, false);
	atomic_init(&e->fault_unreported, false);
	if (engine_locks(e) != 0) {
		free(e);
		return lmdb_refuse(req, "out of memory");
	}
	if (env_open(e, req) != 0) {
		engine_free(e);
		return -1;
	}
	e->writer = state_writer_start(run_group, e, WRITER_QUEUE);
	if (e->writer == NULL) {
		engine_free(e);
		return lmdb_refuse(req, "cannot start the writer thread");
	}
	*handle = e;
	return 0;
}

static int
lmdb_open(const struct state_spec *spec, struct state_request *req,
    void **handle)
{
	return state_lmdb_open_mapsize(spec, LMDB_MAP_DEFAULT, req, handle);
}

/* The writer first commits what is queued, for at most WRITER_STOP_MS:
 * a writer stuck on another process's writer lock or on the disk must
 * not hold the daemon's exit.  It then finishes and frees alone. */
static int
lmdb_close(void *handle, struct state_request *req)
{
	struct lmdb_engine *e = handle;

	if (state_writer_stop(e->writer, WRITER_STOP_MS, engine_free))
		return 0;
	return lmdb_refuse(req, "closed without waiting longer for the writer "
	    "thread (LMDB's writer lock held elsewhere, or a slow disk): "
	    "writes still queued may be lost");
}

const struct state_engine_ops state_lmdb_ops = {
	.kind = "lmdb",
	.open = lmdb_open,
	.close = lmdb_close,
	.get = lmdb_get,
	.set = lmdb_set,
	.add = lmdb_add,
	.touch = lmdb_touch,
	.del = lmdb_del,
	.batch = lmdb_batch,
};
