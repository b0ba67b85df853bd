/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_state_lmdb.c - unit tests for the LMDB engine (state_lmdb.c) in a
 * temporary directory: the operations and expiry behind the real front
 * end, the sweep, two processes on one directory (LMDB forbids two
 * environments on one file in one process, so the second "daemon" is a
 * child process, as it would be in life), directories refused or not
 * writable (fail open, then recovery), and a tiny map filled up; a batch
 * answered from one read with its writes queued (seen once the writer
 * ran, kept across a restart), its queue filled while another process
 * holds the writer lock, a close that does not wait long for a stuck
 * writer, reader slots all taken elsewhere, and a queued write that
 * fails: down at the next call, and until a write works again.
 *
 * The wall clock is a fake the tests move; expiry is decided by it.
 */
#include "config.h"

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "monotime.h"
#include "state_store.h"
#include "state_store_impl.h"

/* Processes racing for one key, and the adds each makes. */
#define RACERS 4
#define RACE_KEYS 200

static int64_t fake_wall_s;
static char dir[256];		/* the test's temporary directory */
static char state_dir[300];	/* dir/state: the LMDB environment */

static int64_t
fake_wall(void)
{
	return fake_wall_s;
}

static const struct state_clocks wall_only = { NULL, fake_wall };

static int
make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ptrmilter-lmdb-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
	fake_wall_s = 1700000000;
	return 0;
}

static int
remove_dir(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct state_spec
lmdb_spec(const char *path)
{
	char text[400], err[128];
	struct state_spec s;

	snprintf(text, sizeof(text), "lmdb:%s", path);
	if (state_spec_parse(text, &s, err, sizeof(err)) != 0)
		fail_msg("%s: %s", text, err);
	return s;
}

/* What the store reported last. */
static char last_report[512];

static void
keep_report(void *arg, bool up, const char *message)
{
	(void)arg;
	(void)up;
	snprintf(last_report, sizeof(last_report), "%s", message);
}

static struct state_store *
open_store_bounded(const char *path, unsigned timeout_ms)
{
	struct state_spec spec = lmdb_spec(path);
	struct state_store *st;

	st = state_store_open_engine(&spec, &state_lmdb_ops, &wall_only,
	    timeout_ms, keep_report, NULL);
	assert_non_null(st);
	return st;
}

static struct state_store *
open_store(const char *path)
{
	return open_store_bounded(path, 1000);
}

/* Records in the environment at path, expired or not; the store on it
 * must be closed (one environment per file per process). */
static size_t
records_in(const char *path)
{
	MDB_env *env;
	MDB_stat ms;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_open(env, path, MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_env_stat(env, &ms), 0);
	mdb_env_close(env);
	return ms.ms_entries;
}

static void
test_operations_and_expiry(void **state)
{
	struct state_store *st = open_store(state_dir);
	unsigned char v[STATE_VALUE_MAX];
	struct stat sb;
	char file[400];
	size_t len;

	(void)state;
	assert_true(state_store_up(st));
	assert_int_equal(state_get(st, "a", v, sizeof(v), &len),
	    STATE_MISSING);
	assert_int_equal(state_set(st, "a", "one", 3, 10), STATE_OK);
	assert_int_equal(state_get(st, "a", v, sizeof(v), &len), STATE_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(v, "one", 3);
	assert_int_equal(state_add(st, "a", "two", 3, 10, v, sizeof(v), &len),
	    STATE_EXISTS);
	assert_memory_equal(v, "one", 3);
	assert_int_equal(state_add(st, "b", "two", 3, 10, v, sizeof(v), &len),
	    STATE_OK);
	assert_memory_equal(v, "two", 3);
	fake_wall_s += 9;
	assert_int_equal(state_touch(st, "b", 10), STATE_OK);
	fake_wall_s += 1;
	/* a has expired: gone for get, touch, delete; add starts afresh. */
	assert_int_equal(state_get(st, "a", v, sizeof(v), &len),
	    STATE_MISSING);
	assert_int_equal(state_touch(st, "a", 10), STATE_MISSING);
	assert_int_equal(state_delete(st, "a"), STATE_MISSING);
	assert_int_equal(state_add(st, "a", "new", 3, 10, NULL, 0, NULL),
	    STATE_OK);
	assert_int_equal(state_get(st, "b", v, sizeof(v), &len), STATE_OK);
	assert_int_equal(state_delete(st, "b"), STATE_OK);
	assert_int_equal(state_get(st, "b", v, sizeof(v), &len),
	    STATE_MISSING);
	state_store_close(st);
	/* Modes: the directory and the files are the daemon's alone. */
	assert_int_equal(stat(state_dir, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	snprintf(file, sizeof(file), "%s/data.mdb", state_dir);
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0);
	/* And the records outlive the store: a restart finds a. */
	st = open_store(state_dir);
	assert_int_equal(state_get(st, "a", v, sizeof(v), &len), STATE_OK);
	assert_memory_equal(v, "new", 3);
	state_store_close(st);
}

static void
test_sweep_deletes_expired_records_in_the_background(void **state)
{
	struct state_store *st = open_store(state_dir);
	char key[32];
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "old%d", i);
		assert_int_equal(state_set(st, key, "v", 1, 5), STATE_OK);
	}
	state_store_close(st);
	assert_int_equal(records_in(state_dir), 100);
	fake_wall_s += 60;
	st = open_store(state_dir);
	/* Writes of other keys trigger the sweep within SWEEP_EVERY. */
	for (i = 0; i < 64; i++) {
		snprintf(key, sizeof(key), "new%d", i);
		assert_int_equal(state_set(st, key, "v", 1, 3600), STATE_OK);
	}
	state_store_close(st);
	assert_int_equal(records_in(state_dir), 64);
}

/* A child process adds every race key once; its exit status is the
 * number of adds that won (got STATE_OK), or 255 on a failure. */
static int
race_child(int go_fd)
{
	struct state_store *st;
	char key[32], b;
	int i, won = 0;

	if (read(go_fd, &b, 1) != 1)
		return 255;
	st = open_store(state_dir);
	for (i = 0; i < RACE_KEYS; i++) {
		enum state_result r;

		snprintf(key, sizeof(key), "race:%d", i);
		r = state_add(st, key, "x", 1, 3600, NULL, 0, NULL);
		if (r == STATE_OK)
			won++;
		else if (r != STATE_EXISTS)
			return 255;
	}
	state_store_close(st);
	return won;
}

static void
test_two_processes_share_one_directory(void **state)
{
	unsigned char v[STATE_VALUE_MAX];
	int go[2], i, status, total = 0;
	struct state_store *st;
	pid_t pids[RACERS];
	size_t len;

	(void)state;
	/* One process writes, another reads it after a "restart". */
	st = open_store(state_dir);
	assert_int_equal(state_set(st, "shared", "from-a", 6, 60), STATE_OK);
	state_store_close(st);
	/* Processes racing to add the same keys: each key won once. */
	assert_int_equal(pipe(go), 0);
	for (i = 0; i < RACERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(race_child(go[0]));
	}
	for (i = 0; i < RACERS; i++)
		assert_int_equal(write(go[1], "g", 1), 1);
	for (i = 0; i < RACERS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_not_equal(WEXITSTATUS(status), 255);
		total += WEXITSTATUS(status);
	}
	close(go[0]);
	close(go[1]);
	assert_int_equal(total, RACE_KEYS);
	st = open_store(state_dir);
	assert_int_equal(state_get(st, "shared", v, sizeof(v), &len), STATE_OK);
	assert_memory_equal(v, "from-a", 6);
	assert_int_equal(state_add(st, "race:7", "y", 1, 60, v, sizeof(v),
	    &len), STATE_EXISTS);
	assert_memory_equal(v, "x", 1);
	state_store_close(st);
}

static void
test_directory_writable_by_others_is_refused(void **state)
{
	struct state_request req = { .now_s = 0 };
	struct state_spec spec = lmdb_spec(state_dir);
	void *h;

	(void)state;
	assert_int_equal(mkdir(state_dir, 0700), 0);
	assert_int_equal(chmod(state_dir, 0770), 0);
	assert_int_equal(state_lmdb_ops.open(&spec, &req, &h), -1);
	assert_non_null(strstr(req.why, "writable by group or others"));
	/* Its parent, writable by all and not sticky, is refused too, and
	 * named. */
	assert_int_equal(chmod(state_dir, 0700), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(state_lmdb_ops.open(&spec, &req, &h), -1);
	if (strstr(req.why, "is writable by") == NULL ||
	    strstr(req.why, dir) == NULL)
		fail_msg("reason: %s", req.why);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(state_lmdb_ops.open(&spec, &req, &h), 0);
	assert_int_equal(state_lmdb_ops.close(h, &req), 0);
	assert_int_equal(chmod(dir, 0700), 0);
}

/* Not only the parent: any directory on the way that another user may
 * change is refused, for they could put a directory of theirs in the
 * store's place. */
static void
test_directory_behind_an_unsafe_ancestor_is_refused(void **state)
{
	struct state_request req = { .now_s = 0 };
	char middle[sizeof(state_dir)], deep[sizeof(state_dir) + 8];
	struct state_spec spec;
	void *h;

	(void)state;
	snprintf(middle, sizeof(middle), "%s/m", dir);
	assert_int_equal(mkdir(middle, 0755), 0);
	snprintf(deep, sizeof(deep), "%s/state", middle);
	spec = lmdb_spec(deep);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(state_lmdb_ops.open(&spec, &req, &h), -1);
	if (strstr(req.why, "is writable by") == NULL ||
	    strstr(req.why, dir) == NULL)
		fail_msg("reason: %s", req.why);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(state_lmdb_ops.open(&spec, &req, &h), 0);
	assert_int_equal(state_lmdb_ops.close(h, &req), 0);
}

/* In a child that cannot write the directory (root drops to nobody,
 * since root writes anything): the store opens down, says why, fails
 * open, and comes up once the directory is made writable. */
static int
unwritable_child(void)
{
	struct state_spec spec = lmdb_spec(state_dir);
	struct state_store *st;
	struct state_stats stats;

	if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
		return 1;
	st = state_store_open(&spec, 50, NULL, NULL);
	if (st == NULL || state_store_up(st))
		return 2;
	if (state_set(st, "k", "v", 1, 60) != STATE_DOWN)
		return 3;
	state_store_stats(st, &stats);
	if (stats.skipped != 1 || stats.downs != 1)
		return 4;
	state_store_close(st);
	return 0;
}

static void
test_unwritable_directory_fails_open(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	/* Owned by root (or by the non-root tester), and read-only. */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(mkdir(state_dir, 0555), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(unwritable_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(chmod(state_dir, 0700), 0);
}

/* What the last engine_set() said of a failure: reads still work. */
static bool last_cannot_write;

static enum state_result
engine_set(void *h, const char *key, int64_t now_s, unsigned ttl_s,
    char *why, size_t whylen)
{
	struct state_request req = { .now_s = now_s };
	unsigned char value[STATE_VALUE_MAX];
	enum state_result r;

	req.deadline = monotime_add_ms(monotime_now(), 5000);
	memset(value, 'v', sizeof(value));
	r = state_lmdb_ops.set(h, &req, key, strlen(key), value,
	    sizeof(value), ttl_s);
	snprintf(why, whylen, "%s", req.why);
	last_cannot_write = req.cannot_write;
	return r;
}

/* The engine alone on a map of 64 KiB, soon full. */
static void *
open_tiny_map(void)
{
	struct state_request req = { .now_s = 0 };
	struct state_spec spec = lmdb_spec(state_dir);
	void *h;

	assert_int_equal(state_lmdb_open_mapsize(&spec, 64 * 1024, &req, &h),
	    0);
	return h;
}

static void
test_full_map_is_down_then_recovers_by_expiry(void **state)
{
	struct state_request req = { .now_s = 0 };
	char key[32], why[STATE_WHY_MAX];
	enum state_result r = STATE_OK;
	void *h = open_tiny_map();
	int i;

	(void)state;
	for (i = 0; i < 10000 && r == STATE_OK; i++) {
		snprintf(key, sizeof(key), "fill:%05d", i);
		r = engine_set(h, key, 1000, 60, why, sizeof(why));
	}
	assert_int_equal(r, STATE_DOWN);
	assert_true(i > 50);
	assert_non_null(strstr(why, "map full"));
	/* The front end must wait for a write to call it mended. */
	assert_true(last_cannot_write);
	/* Still full of live records a little later. */
	assert_int_equal(engine_set(h, "late", 1030, 60, why, sizeof(why)),
	    STATE_DOWN);
	/* Once they have expired, a write sweeps room for itself. */
	assert_int_equal(engine_set(h, "late", 1061, 60, why, sizeof(why)),
	    STATE_OK);
	for (i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "again:%05d", i);
		assert_int_equal(engine_set(h, key, 1062, 60, why,
		    sizeof(why)), STATE_OK);
	}
	assert_int_equal(state_lmdb_ops.close(h, &req), 0);
}

/* Threads of one daemon at one environment: one add of each key wins,
 * every read sees a record, nothing is down. */
#define THREADS 4
#define THREAD_KEYS 200

struct thread_race {
	struct state_store *st;
	atomic_int won, bad;
};

static void *
thread_worker(void *arg)
{
	struct thread_race *r = arg;
	unsigned char v[STATE_VALUE_MAX];
	char key[32];
	size_t len;
	int i;

	for (i = 0; i < THREAD_KEYS; i++) {
		enum state_result res;

		snprintf(key, sizeof(key), "thread:%d", i);
		res = state_add(r->st, key, "t", 1, 3600, v, sizeof(v), &len);
		if (res == STATE_OK)
			atomic_fetch_add(&r->won, 1);
		else if (res != STATE_EXISTS)
			atomic_fetch_add(&r->bad, 1);
		if (state_get(r->st, key, v, sizeof(v), &len) != STATE_OK ||
		    len != 1 || v[0] != 't')
			atomic_fetch_add(&r->bad, 1);
	}
	return NULL;
}

static void
test_threads_share_one_environment(void **state)
{
	struct thread_race r = { .st = open_store(state_dir) };
	pthread_t t[THREADS];
	int i;

	(void)state;
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_worker, &r),
		    0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&r.won), THREAD_KEYS);
	assert_int_equal(atomic_load(&r.bad), 0);
	assert_true(state_store_up(r.st));
	state_store_close(r.st);
}

/* Until key is readable, or about 2 s. */
static enum state_result
get_soon(struct state_store *st, const char *key, unsigned char *v,
    size_t *len)
{
	enum state_result r = STATE_MISSING;
	int i;

	for (i = 0; i < 200 && r == STATE_MISSING; i++) {
		r = state_get(st, key, v, STATE_VALUE_MAX, len);
		if (r == STATE_MISSING)
			usleep(10 * 1000);
	}
	return r;
}

static void
op_set(struct state_op *op, enum state_op_kind kind, const char *key,
    const char *value, unsigned ttl_s)
{
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->key = key;
	op->value = value;
	op->len = value != NULL ? strlen(value) : 0;
	op->ttl_s = ttl_s;
}

static void
test_batch_reads_at_once_and_writes_behind(void **state)
{
	struct state_store *st = open_store(state_dir);
	unsigned char v[STATE_VALUE_MAX];
	struct state_op ops[7];
	size_t len;

	(void)state;
	assert_int_equal(state_set(st, "pass", "p", 1, 60), STATE_OK);
	op_set(&ops[0], STATE_OP_GET, "pass", NULL, 0);
	op_set(&ops[1], STATE_OP_TOUCH, "pass", NULL, 600);
	op_set(&ops[2], STATE_OP_ADD, "trip", "t1", 60);
	op_set(&ops[3], STATE_OP_DELETE, "nokey", NULL, 0);
	op_set(&ops[4], STATE_OP_SET, "s", "sv", 600);
	op_set(&ops[5], STATE_OP_GET, "s", NULL, 0);
	op_set(&ops[6], STATE_OP_ADD, "trip", "t2", 60);
	assert_int_equal(state_batch(st, ops, 7), STATE_OK);
	assert_int_equal(ops[0].result, STATE_OK);
	assert_memory_equal(ops[0].found, "p", 1);
	assert_int_equal(ops[1].result, STATE_OK);
	assert_int_equal(ops[2].result, STATE_OK);
	assert_memory_equal(ops[2].found, "t1", 2);
	assert_int_equal(ops[3].result, STATE_MISSING);
	/* Later ops of the batch see its queued writes. */
	assert_int_equal(ops[5].result, STATE_OK);
	assert_memory_equal(ops[5].found, "sv", 2);
	assert_int_equal(ops[6].result, STATE_EXISTS);
	assert_memory_equal(ops[6].found, "t1", 2);
	/* Once the writer has run, every call sees the writes. */
	assert_int_equal(get_soon(st, "trip", v, &len), STATE_OK);
	assert_int_equal(len, 2);
	assert_memory_equal(v, "t1", 2);
	assert_int_equal(get_soon(st, "s", v, &len), STATE_OK);
	/* The touch: alive past the 60 s pass was written with. */
	fake_wall_s += 120;
	assert_int_equal(state_get(st, "pass", v, sizeof(v), &len),
	    STATE_OK);
	assert_int_equal(state_get(st, "trip", v, sizeof(v), &len),
	    STATE_MISSING);
	op_set(&ops[0], STATE_OP_DELETE, "pass", NULL, 0);
	assert_int_equal(state_batch(st, ops, 1), STATE_OK);
	assert_int_equal(ops[0].result, STATE_OK);
	op_set(&ops[0], STATE_OP_SET, "last", "l", 600);
	assert_int_equal(state_batch(st, ops, 1), STATE_OK);
	/* Close commits what is queued; a restart finds it. */
	state_store_close(st);
	st = open_store(state_dir);
	assert_int_equal(state_get(st, "last", v, sizeof(v), &len), STATE_OK);
	assert_int_equal(state_get(st, "pass", v, sizeof(v), &len),
	    STATE_MISSING);
	assert_int_equal(state_get(st, "s", v, sizeof(v), &len), STATE_OK);
	state_store_close(st);
}

/* A batch of one set of key straight to the engine, value 64 bytes. */
static enum state_result
engine_batch_set(void *h, const char *key, int64_t now_s, char *why,
    size_t whylen)
{
	struct state_request req = { .now_s = now_s };
	unsigned char value[STATE_VALUE_MAX];
	struct state_op op;
	enum state_result r;

	req.deadline = monotime_add_ms(monotime_now(), 5000);
	memset(value, 'v', sizeof(value));
	op_set(&op, STATE_OP_SET, key, NULL, 60);
	op.value = value;
	op.len = sizeof(value);
	r = state_lmdb_ops.batch(h, &req, &op, 1);
	snprintf(why, whylen, "%s", req.why);
	return r;
}

static void
test_queued_write_failing_is_down_until_writes_work(void **state)
{
	struct state_request req = { .now_s = 0 };
	char key[32], why[STATE_WHY_MAX];
	enum state_result r = STATE_OK;
	void *h = open_tiny_map();
	int i;

	(void)state;
	/* Queued sets of live records, until one fails in the writer: the
	 * next call says so. */
	for (i = 0; i < 5000 && r == STATE_OK; i++) {
		snprintf(key, sizeof(key), "fill:%05d", i);
		r = engine_batch_set(h, key, 1000, why, sizeof(why));
		usleep(1000);
	}
	assert_int_equal(r, STATE_DOWN);
	assert_non_null(strstr(why, "a queued write failed"));
	assert_non_null(strstr(why, "MDB_MAP_FULL"));
	/* The next (the front end's probe) waits for its write, which
	 * fails as long as the map is full of live records. */
	assert_int_equal(engine_batch_set(h, "probe", 1001, why, sizeof(why)),
	    STATE_DOWN);
	assert_non_null(strstr(why, "map full of live records"));
	/* Once they have expired, the writes sweep room (the pages a sweep
	 * frees are LMDB's to reuse a commit later: a probe or two). */
	r = STATE_DOWN;
	for (i = 0; i < 5 && r == STATE_DOWN; i++)
		r = engine_batch_set(h, "probe", 1100, why, sizeof(why));
	if (r != STATE_OK)
		fail_msg("%s", why);
	/* Writes work: queued again, not waited for. */
	for (i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "after:%02d", i);
		assert_int_equal(engine_batch_set(h, key, 1100, why,
		    sizeof(why)), STATE_OK);
	}
	assert_int_equal(state_lmdb_ops.close(h, &req), 0);
}

/* Another process on state_dir that holds something of LMDB's (its
 * writer lock, reader slots) while the test looks: forked before this
 * process opens the environment (one per file per process).  Its child
 * says "made" once the environment exists, when asked to, then takes
 * its hold on "go", says "held", and lets go on "release". */
struct holder {
	pid_t pid;
	int made[2], go[2], held[2], release[2];
};

typedef int holder_fn(struct holder *h, MDB_env *env);

/* Takes LMDB's writer lock. */
static int
hold_writer_lock(struct holder *h, MDB_env *env)
{
	MDB_txn *txn;
	char b;

	if (mdb_txn_begin(env, NULL, 0, &txn) != 0)
		return 4;
	if (write(h->held[1], "h", 1) != 1 || read(h->release[0], &b, 1) != 1)
		return 5;
	mdb_txn_abort(txn);
	return 0;
}

/* Takes both reader slots of an environment made with two. */
static int
hold_reader_slots(struct holder *h, MDB_env *env)
{
	MDB_txn *t1, *t2;
	char b;

	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &t1) != 0 ||
	    mdb_txn_begin(env, NULL, MDB_RDONLY, &t2) != 0)
		return 4;
	if (write(h->held[1], "h", 1) != 1 || read(h->release[0], &b, 1) != 1)
		return 5;
	mdb_txn_abort(t2);
	mdb_txn_abort(t1);
	return 0;
}

static int
holder_child(struct holder *h, holder_fn *hold, unsigned readers)
{
	MDB_env *env;
	char b;
	int rc;

	if (read(h->go[0], &b, 1) != 1)
		return 1;
	if (mdb_env_create(&env) != 0 || (readers > 0 &&
	    mdb_env_set_maxreaders(env, readers) != 0) ||
	    mdb_env_open(env, state_dir, MDB_NOTLS, 0600) != 0)
		return 2;
	if (write(h->made[1], "m", 1) != 1 || read(h->go[0], &b, 1) != 1)
		return 3;
	rc = hold(h, env);
	mdb_env_close(env);
	return rc;
}

/* The child forked; with readers > 0 it makes the environment (with
 * that many reader slots) before this returns. */
static void
holder_start(struct holder *h, holder_fn *hold, unsigned readers)
{
	char b;

	assert_int_equal(mkdir(state_dir, 0700), 0);
	assert_int_equal(pipe(h->made) | pipe(h->go) | pipe(h->held) |
	    pipe(h->release), 0);
	h->pid = fork();
	assert_true(h->pid >= 0);
	if (h->pid == 0)
		_exit(holder_child(h, hold, readers));
	if (readers > 0) {
		assert_int_equal(write(h->go[1], "g", 1), 1);
		assert_int_equal(read(h->made[0], &b, 1), 1);
	}
}

/* The child takes its hold (making the environment first if it has not
 * yet). */
static void
holder_take(struct holder *h, bool made)
{
	char b;

	if (!made) {
		assert_int_equal(write(h->go[1], "g", 1), 1);
		assert_int_equal(read(h->made[0], &b, 1), 1);
	}
	assert_int_equal(write(h->go[1], "g", 1), 1);
	assert_int_equal(read(h->held[0], &b, 1), 1);
}

static void
holder_end(struct holder *h)
{
	int status, i;

	assert_int_equal(write(h->release[1], "r", 1), 1);
	assert_int_equal(waitpid(h->pid, &status, 0), h->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	for (i = 0; i < 2; i++) {
		close(h->made[i]), close(h->go[i]);
		close(h->held[i]), close(h->release[i]);
	}
}

static void
test_writer_lock_held_elsewhere_is_down_within_the_bound(void **state)
{
	unsigned char v[STATE_VALUE_MAX];
	struct state_store *st;
	struct timespec t0;
	struct holder h;
	size_t len;

	(void)state;
	holder_start(&h, hold_writer_lock, 0);
	st = open_store_bounded(state_dir, 100);
	assert_int_equal(state_set(st, "a", "1", 1, 60), STATE_OK);
	holder_take(&h, false);
	/* The writer waits for the lock; the session does not. */
	t0 = monotime_now();
	assert_int_equal(state_set(st, "b", "2", 1, 60), STATE_DOWN);
	assert_true(monotime_diff_ms(t0, monotime_now()) < 1000);
	assert_non_null(strstr(last_report, "write not done in time"));
	/* Down now: nothing is tried during the backoff. */
	assert_false(state_store_up(st));
	holder_end(&h);
	/* After the backoff the store is up again; the late write landed. */
	usleep(1100 * 1000);
	assert_int_equal(state_set(st, "c", "3", 1, 60), STATE_OK);
	assert_true(state_store_up(st));
	assert_non_null(strstr(last_report, "up again"));
	assert_int_equal(state_get(st, "b", v, sizeof(v), &len), STATE_OK);
	state_store_close(st);
}

static void
test_batch_queue_full_drops_and_is_down(void **state)
{
	struct state_op op;
	struct state_store *st;
	struct holder h;
	struct timespec t0;
	char key[32];
	int64_t slowest = 0, us;
	unsigned i, queued = 0;
	enum state_result r = STATE_OK;

	(void)state;
	holder_start(&h, hold_writer_lock, 0);
	st = open_store_bounded(state_dir, 100);
	holder_take(&h, false);
	for (i = 0; i < 10000 && r == STATE_OK; i++) {
		snprintf(key, sizeof(key), "q%05u", i);
		op_set(&op, STATE_OP_SET, key, "v", 600);
		t0 = monotime_now();
		r = state_batch(st, &op, 1);
		us = monotime_diff_us(t0, monotime_now());
		slowest = us > slowest ? us : slowest;
		queued += r == STATE_OK;
	}
	/* The queue (and the group the writer took) filled; the write that
	 * found it full was dropped, said so, and nobody waited. */
	assert_int_equal(r, STATE_DOWN);
	assert_true(queued >= 4096 && queued < 10000);
	assert_true(slowest < 100 * 1000);
	assert_non_null(strstr(last_report, "too many writes waiting"));
	assert_false(state_store_up(st));
	holder_end(&h);
	/* The lock let go: close commits the queued writes in groups. */
	t0 = monotime_now();
	state_store_close(st);
	assert_true(monotime_diff_ms(t0, monotime_now()) < 1000);
	assert_int_equal(records_in(state_dir), queued);
}

static void
test_close_does_not_wait_long_for_a_stuck_writer(void **state)
{
	unsigned char v[STATE_VALUE_MAX];
	struct state_op op;
	struct state_store *st;
	struct holder h;
	struct timespec t0;
	size_t len;

	(void)state;
	holder_start(&h, hold_writer_lock, 0);
	st = open_store_bounded(state_dir, 100);
	holder_take(&h, false);
	op_set(&op, STATE_OP_SET, "late", "v", 600);
	assert_int_equal(state_batch(st, &op, 1), STATE_OK);
	last_report[0] = '\0';
	t0 = monotime_now();
	state_store_close(st);
	assert_true(monotime_diff_ms(t0, monotime_now()) < 1500);
	assert_non_null(strstr(last_report, "closed without waiting"));
	/* The writer commits once the lock is free, then frees the engine
	 * by itself. */
	holder_end(&h);
	usleep(1000 * 1000);
	st = open_store(state_dir);
	assert_int_equal(state_get(st, "late", v, sizeof(v), &len), STATE_OK);
	state_store_close(st);
}

static void
test_reader_slots_all_taken_is_down_at_once(void **state)
{
	unsigned char v[STATE_VALUE_MAX];
	struct state_store *st;
	struct timespec t0;
	struct holder h;
	size_t len;

	(void)state;
	holder_start(&h, hold_reader_slots, 2);
	st = open_store_bounded(state_dir, 1000);
	assert_true(state_store_up(st));
	holder_take(&h, true);
	/* No slot: down at once, not after the 1 s bound. */
	t0 = monotime_now();
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len), STATE_DOWN);
	assert_true(monotime_diff_ms(t0, monotime_now()) < 100);
	assert_non_null(strstr(last_report, "MDB_READERS_FULL"));
	holder_end(&h);
	/* After the backoff, reopened by the writer thread: up again. */
	usleep(1100 * 1000);
	assert_int_equal(state_get(st, "k", v, sizeof(v), &len),
	    STATE_MISSING);
	assert_true(state_store_up(st));
	state_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_operations_and_expiry,
		    make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(
		    test_sweep_deletes_expired_records_in_the_background,
		    make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(
		    test_two_processes_share_one_directory, make_dir,
		    remove_dir),
		cmocka_unit_test_setup_teardown(
		    test_directory_writable_by_others_is_refused, make_dir,
		    remove_dir),
		cmocka_unit_test_setup_teardown(
		    test_directory_behind_an_unsafe_ancestor_is_refused,
		    make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(
		    test_unwritable_directory_fails_open, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(
		    test_full_map_is_down_then_recovers_by_expiry, make_dir,
		    remove_dir),
		cmocka_unit_test_setup_teardown(
		    test_threads_share_one_environment, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(
		    test_writer_lock_held_elsewhere_is_down_within_the_bound,
		    make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(
		    test_batch_reads_at_once_and_writes_behind, make_dir,
		    remove_dir),
		cmocka_unit_test_setup_teardown(
		    test_batch_queue_full_drops_and_is_down, make_dir,
		    remove_dir),
		cmocka_unit_test_setup_teardown(
		    test_close_does_not_wait_long_for_a_stuck_writer, make_dir,
		    remove_dir),
		cmocka_unit_test_setup_teardown(
		    test_reader_slots_all_taken_is_down_at_once, make_dir,
		    remove_dir),
		cmocka_unit_test_setup_teardown(
		    test_queued_write_failing_is_down_until_writes_work,
		    make_dir, remove_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
