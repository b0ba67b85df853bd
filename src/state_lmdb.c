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
 * on the engine's writer thread (state_writer.h), and the caller waits
 * for it only until its deadline: LMDB's writer lock, which another
 * process may hold as long as it likes, and the flush of a commit to a
 * slow disk are the writer's waits, never a session's.  Every write
 * transaction is one lookup and at most one write, or one sweep batch;
 * nothing slow happens while one is open.  Commits flush the data pages but not the
 * meta page (MDB_NOMETASYNC): a power loss may undo the last write, never
 * corrupt the file.  Writers of all processes take turns on LMDB's robust
 * mutex in lock.mdb; readers never wait.
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

#include "state_store.h"
#include "state_store_impl.h"
#include "state_writer.h"

/* Room for the state of tens of thousands of clients: a streak is about
 * 100 bytes with LMDB's overhead, a greylisting triplet about 200. */
#define LMDB_MAP_DEFAULT (64u * 1024 * 1024)
#define SWEEP_EVERY 64
#define SWEEP_BATCH 256
/* Writes that may wait for the writer thread: with the front end's
 * backoff, more wait only when a burst arrives as the writer stalls. */
#define WRITER_QUEUE 256

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
	enum state_result res;
	char why[STATE_WHY_MAX];
	bool cannot_write;	/* state_request's, from the writer */
};

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
static int refuse(struct state_request *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool rc_breaks_env(int rc);
static bool rc_cannot_write(int rc);
static int dir_ready(const char *path, struct state_request *req);
static int env_open(struct lmdb_engine *e, struct state_request *req);
static void env_close(struct lmdb_engine *e);
static int enter_shared(struct lmdb_engine *e);
static int enter(struct lmdb_engine *e, struct state_request *req);
static void leave(struct lmdb_engine *e);
static enum state_result down(struct lmdb_engine *e,
    struct state_request *req, const char *what, int rc);
static bool record_decode(const MDB_val *data, struct lmdb_record *out);
static int record_put(struct lmdb_engine *e, MDB_txn *txn, MDB_val *key,
    const unsigned char *value, size_t len, int64_t expires_s);
static int lookup(struct lmdb_engine *e, MDB_txn *txn, MDB_val *key,
    int64_t now_s, struct lmdb_record *out);
static int sweep(struct lmdb_engine *e, int64_t now_s, unsigned *dropped);
static int sweep_batch(struct lmdb_engine *e, MDB_txn *txn, int64_t now_s,
    unsigned *dropped);
static void after_write(struct lmdb_engine *e, int64_t now_s);
static int write_txn(struct lmdb_engine *e, struct state_request *req,
    struct lmdb_write *w, enum state_result *res);
static enum state_result read_op(struct lmdb_engine *e,
    struct state_request *req, MDB_val *key, unsigned char *value,
    size_t *len);
static void lmdb_close(void *handle);
static void run_job(void *ctx, void *data);
static enum state_result hand_over(struct lmdb_engine *e,
    struct state_request *req, struct lmdb_job *job);
static int enter_for_read(struct lmdb_engine *e, struct state_request *req);
static enum state_result lmdb_write(struct lmdb_engine *e,
    struct state_request *req, struct lmdb_job *job, const char *key,
    size_t keylen, const unsigned char *value, size_t len);
static enum state_result write_op(struct lmdb_engine *e,
    struct state_request *req, struct lmdb_write *w);

static int
fail(struct state_request *req, const char *what, int rc)
{
	snprintf(req->why, sizeof(req->why), "%s: %s", what,
	    mdb_strerror(rc));
	return -1;
}

static int
refuse(struct state_request *req, const char *fmt, ...)
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
 * must be ours (or root's) and writable by nobody else, and so must be
 * the directory that holds it unless that one is sticky.  Created 0700
 * when missing. */
static int
dir_ready(const char *path, struct state_request *req)
{
	char parent[STATE_SPEC_PATH_MAX];
	struct stat st;
	char *slash;

	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return refuse(req, "mkdir: %s", strerror(errno));
	if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode))
		return refuse(req, "not a directory");
	if ((st.st_uid != geteuid() && st.st_uid != 0) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return refuse(req, "the directory is writable by group or "
		    "others, or not owned by this user: refused");
	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	if (stat(parent, &st) == -1 || ((st.st_mode & S_IWOTH) != 0 &&
	    (st.st_mode & S_ISVTX) == 0))
		return refuse(req, "its parent %s is writable by others: "
		    "refused", parent);
	return 0;
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

static void
leave(struct lmdb_engine *e)
{
	pthread_rwlock_unlock(&e->env_lock);
}

/* An LMDB error: the reason for the front end, the environment marked
 * for a reopen when it cannot go on. */
static enum state_result
down(struct lmdb_engine *e, struct state_request *req, const char *what,
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
static int
lookup(struct lmdb_engine *e, MDB_txn *txn, MDB_val *key, int64_t now_s,
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

/* Every SWEEP_EVERY writes, a sweep, after the write's own commit. */
static void
after_write(struct lmdb_engine *e, int64_t now_s)
{
	unsigned dropped;

	if (atomic_fetch_add(&e->writes, 1) + 1 < SWEEP_EVERY)
		return;
	atomic_store(&e->writes, 0);
	(void)sweep(e, now_s, &dropped);
}

/* The write transaction of one operation: look the key up, decide,
 * write, commit.  Nothing else happens while it is open. */
static int
write_txn(struct lmdb_engine *e, struct state_request *req,
    struct lmdb_write *w, enum state_result *res)
{
	struct lmdb_record rec;
	MDB_txn *txn;
	int rc, found;

	if ((rc = mdb_txn_begin(e->env, NULL, 0, &txn)) != 0)
		return rc;
	found = lookup(e, txn, &w->key, req->now_s, &rec);
	if (found != 0 && found != MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return found;
	}
	*res = STATE_OK;
	if (w->kind == W_ADD && found == 0) {
		memcpy(w->current, rec.value, rec.len);
		*w->current_len = rec.len;
		*res = STATE_EXISTS;
	} else if (w->kind == W_SET || w->kind == W_ADD)
		rc = record_put(e, txn, &w->key, w->value, w->len,
		    req->now_s + (int64_t)w->ttl_s);
	else if (found != 0)
		*res = STATE_MISSING;
	else if (w->kind == W_TOUCH)
		rc = record_put(e, txn, &w->key, rec.value, rec.len,
		    req->now_s + (int64_t)w->ttl_s);
	else
		rc = mdb_del(txn, e->dbi, &w->key, NULL);
	if (rc != 0 || *res == STATE_EXISTS || *res == STATE_MISSING) {
		mdb_txn_abort(txn);
		return rc;
	}
	if (w->kind == W_ADD) {
		memcpy(w->current, w->value, w->len);
		*w->current_len = w->len;
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
	int rc;

	if (enter(e, req) != 0)
		return STATE_DOWN;
	if (w->kind == W_REOPEN) {
		leave(e);
		return STATE_OK;
	}
	rc = write_txn(e, req, w, &res);
	if (rc == MDB_MAP_FULL && sweep(e, req->now_s, &dropped) == 0 &&
	    dropped > 0)
		rc = write_txn(e, req, w, &res);
	if (rc != 0) {
		res = down(e, req, rc == MDB_MAP_FULL ? "write (map full of "
		    "live records)" : "write", rc);
		req->cannot_write = rc_cannot_write(rc);
	} else
		after_write(e, req->now_s);
	leave(e);
	return res;
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

	rc = mdb_txn_begin(e->env, NULL, MDB_RDONLY, &txn);
	if (rc == 0) {
		rc = lookup(e, txn, key, req->now_s, &rec);
		if (rc == 0 && value != NULL) {
			memcpy(value, rec.value, rec.len);
			*len = rec.len;
		}
		if (rc == 0)
			r = STATE_OK;
		mdb_txn_abort(txn);
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		r = down(e, req, "read", rc);
	return r;
}

/* Runs one job in the writer thread (state_writer_fn). */
static void
run_job(void *ctx, void *data)
{
	struct lmdb_engine *e = ctx;
	struct lmdb_job *job = data;
	struct state_request req = { .now_s = job->now_s };
	struct lmdb_write w = { .kind = job->kind, .value = job->value,
	    .len = job->len, .ttl_s = job->ttl_s,
	    .key = { job->keylen, job->key },
	    .current = job->current, .current_len = &job->current_len };

	job->res = write_op(e, &req, &w);
	memcpy(job->why, req.why, sizeof(job->why));
	job->cannot_write = req.cannot_write;
}

/* A write done by the writer thread, waited for until the deadline. */
static enum state_result
hand_over(struct lmdb_engine *e, struct state_request *req,
    struct lmdb_job *job)
{
	job->now_s = req->now_s;
	switch (state_writer_call(e->writer, job, sizeof(*job),
	    req->deadline)) {
	case STATE_WRITER_DONE:
		if (job->res == STATE_DOWN) {
			memcpy(req->why, job->why, sizeof(req->why));
			req->cannot_write = job->cannot_write;
		}
		return job->res;
	case STATE_WRITER_LATE:
		refuse(req, "write not done in time (LMDB's writer lock held "
		    "elsewhere, or a slow disk)");
		return STATE_DOWN;
	case STATE_WRITER_FULL:
		break;
	}
	refuse(req, "too many writes waiting");
	return STATE_DOWN;
}

/* Shared use for a read in the caller's thread; a broken environment is
 * reopened by the writer thread, within the caller's bound. */
static int
enter_for_read(struct lmdb_engine *e, struct state_request *req)
{
	struct lmdb_job job = { .kind = W_REOPEN };

	if (enter_shared(e) == 0)
		return 0;
	if (hand_over(e, req, &job) != STATE_OK)
		return -1;
	if (enter_shared(e) == 0)
		return 0;
	return refuse(req, "environment closed meanwhile");
}

static enum state_result
lmdb_get(void *handle, struct state_request *req, const char *key,
    size_t keylen, unsigned char *value, size_t *len)
{
	struct lmdb_engine *e = handle;
	MDB_val k = { keylen, (void *)(uintptr_t)key };
	enum state_result r;

	if (enter_for_read(e, req) != 0)
		return STATE_DOWN;
	r = read_op(e, req, &k, value, len);
	leave(e);
	return r;
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

	memcpy(job->key, key, keylen);
	job->keylen = keylen;
	if (len > 0)
		memcpy(job->value, value, len);
	job->len = len;
	if (job->kind == W_TOUCH || job->kind == W_DEL) {
		if (enter_for_read(e, req) != 0)
			return STATE_DOWN;
		r = read_op(e, req, &k, NULL, NULL);
		leave(e);
		if (r != STATE_OK)
			return r;
	}
	return hand_over(e, req, job);
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

int
state_lmdb_open_mapsize(const struct state_spec *spec, size_t map_bytes,
    struct state_request *req, void **handle)
{
	struct lmdb_engine *e;

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return refuse(req, "out of memory");
	snprintf(e->path, sizeof(e->path), "%s", spec->path);
	e->map_bytes = map_bytes;
	atomic_init(&e->writes, 0);
	atomic_init(&e->broken, false);
	if (pthread_rwlock_init(&e->env_lock, NULL) != 0) {
		free(e);
		return refuse(req, "out of memory");
	}
	if (pthread_mutex_init(&e->sweep_lock, NULL) != 0) {
		pthread_rwlock_destroy(&e->env_lock);
		free(e);
		return refuse(req, "out of memory");
	}
	if (env_open(e, req) != 0) {
		pthread_mutex_destroy(&e->sweep_lock);
		pthread_rwlock_destroy(&e->env_lock);
		free(e);
		return -1;
	}
	e->writer = state_writer_start(run_job, e, WRITER_QUEUE);
	if (e->writer == NULL) {
		lmdb_close(e);
		return refuse(req, "cannot start the writer thread");
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

static void
lmdb_close(void *handle)
{
	struct lmdb_engine *e = handle;

	/* The writer first: it may be using the environment. */
	state_writer_stop(e->writer);
	env_close(e);
	pthread_mutex_destroy(&e->sweep_lock);
	pthread_rwlock_destroy(&e->env_lock);
	free(e);
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
};
