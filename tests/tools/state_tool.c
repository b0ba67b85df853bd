/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_tool.c - drives the state store through its front end
 * (state_store.h), for tests/integration/state_redis.test.
 *
 *   state_tool [-t TIMEOUT_MS] [-s SYNC_DIR] SPEC COMMAND...
 *
 * Two stores, "a" and "b", are opened on SPEC, as two hosts of a fleet
 * would.  Commands run in order, each printing one line:
 *
 *   H.set KEY VALUE TTL   H.add KEY VALUE TTL   H.get KEY
 *   H.touch KEY TTL       H.del KEY
 *       "H.op KEY: RESULT [VALUE] ms=M"; a VALUE "hex:..." is bytes
 *   H.batch N OP ARGS... (N ops, each as above without "H.")
 *       one state_batch(): "H.batch: RESULT ms=M", then for each op
 *       "H.batch.op KEY: RESULT [VALUE]"
 *   H.bench N      N rounds of set then get: p50, p99 and the worst of
 *                  each, in microseconds
 *   H.worst N      N gets 20 ms apart (the store's bound apart from the
 *                  sleeps): how many were down, and the slowest, ms
 *   H.until-up MS  a get every 20 ms until one is not down, or MS pass
 *   H.threads N M  N threads at once, each M rounds of add, set, get and
 *                  delete on keys of its own and one add on a key they
 *                  all race for: how many were down or wrong, and how
 *                  many adds of the shared key won (exactly one must)
 *   H.stats        the store's counters
 *   sleep MS
 *   signal NAME    creates SYNC_DIR/NAME (the test waits for it)
 *   await NAME     waits (up to 60 s) until SYNC_DIR/NAME exists
 *
 * The store's reports (one per change of state) go to standard output as
 * "report H: LINE".  Exit status: 0, or 2 on a usage error.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monotime.h"
#include "state_spec.h"
#include "state_store.h"

#define BENCH_MAX 100000
#define THREADS_MAX 64

/* One worker of H.threads. */
struct worker {
	struct state_store *st;
	unsigned id, rounds;
	unsigned bad;		/* down, or not what was written */
	bool won;		/* its add of the shared key was the one */
	atomic_int *go;		/* all start at once */
};

struct tool {
	struct state_store *store[2];
	const char *sync_dir;
};

static void usage(void);
static void on_report(void *arg, bool up, const char *message);
static int parse_value(const char *text, unsigned char *out, size_t *len);
static void print_value(const unsigned char *v, size_t len);
static unsigned number(const char *text);
static int op_run(struct state_store *st, const char *op, char **argv,
    char *tag);
static int measured(struct tool *t, const char *cmd, char **argv);
static int cmp_i64(const void *a, const void *b);
static void print_spread(const char *name, int64_t *us, unsigned n);
static void bench(struct state_store *st, const char *tag, unsigned n);
static void worst(struct state_store *st, const char *tag, unsigned n);
static void until_up(struct state_store *st, const char *tag, unsigned ms);
static void stats(struct state_store *st, const char *tag);
static unsigned worker_round(struct worker *w, unsigned round);
static void *worker_run(void *arg);
static void threads(struct state_store *st, const char *tag, unsigned n,
    unsigned rounds);
static void sync_file(const char *dir, const char *name, bool wait);
static int args_of(const char *op);
static int batch_run(struct state_store *st, const char *tag, char **argv);
static int batch_op_parse(char **argv, struct state_op *op,
    unsigned char *value);

static void
usage(void)
{
	fprintf(stderr, "usage: state_tool [-t TIMEOUT_MS] [-s SYNC_DIR] "
	    "SPEC COMMAND...\n");
	exit(2);
}

static void
on_report(void *arg, bool up, const char *message)
{
	(void)up;
	printf("report %s: %s\n", (const char *)arg, message);
	fflush(stdout);
}

/* "hex:00ff..." or plain text. */
static int
parse_value(const char *text, unsigned char *out, size_t *len)
{
	size_t n;
	unsigned byte;

	if (strncmp(text, "hex:", 4) != 0) {
		n = strlen(text);
		if (n > STATE_VALUE_MAX)
			return -1;
		memcpy(out, text, n);
		*len = n;
		return 0;
	}
	text += 4;
	for (n = 0; text[0] != '\0' && text[1] != '\0'; n++, text += 2) {
		if (n == STATE_VALUE_MAX || sscanf(text, "%2x", &byte) != 1)
			return -1;
		out[n] = (unsigned char)byte;
	}
	*len = n;
	return text[0] == '\0' ? 0 : -1;
}

static void
print_value(const unsigned char *v, size_t len)
{
	size_t i;
	bool text = len > 0;

	for (i = 0; i < len; i++)
		text = text && v[i] > 0x20 && v[i] < 0x7f;
	if (text) {
		printf(" %.*s", (int)len, (const char *)v);
		return;
	}
	printf(" hex:");
	for (i = 0; i < len; i++)
		printf("%02x", v[i]);
}

static unsigned
number(const char *text)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || end == text || n > 100000000UL)
		usage();
	return (unsigned)n;
}

/* How many arguments an operation takes after its name. */
static int
args_of(const char *op)
{
	static const struct { const char *op; int n; } ops[] = {
		{ "set", 3 }, { "add", 3 }, { "get", 1 }, { "touch", 2 },
		{ "del", 1 }, { "bench", 1 }, { "worst", 1 },
		{ "until-up", 1 }, { "stats", 0 }, { "threads", 2 },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(op, ops[i].op) == 0)
			return ops[i].n;
	}
	return -1;
}

/* One store operation; its result and value printed. */
static int
op_run(struct state_store *st, const char *op, char **argv, char *tag)
{
	unsigned char value[STATE_VALUE_MAX], out[STATE_VALUE_MAX];
	size_t len = 0, out_len = 0;
	enum state_result r;

	if ((strcmp(op, "set") == 0 || strcmp(op, "add") == 0) &&
	    parse_value(argv[1], value, &len) == -1)
		usage();
	if (strcmp(op, "get") == 0)
		r = state_get(st, argv[0], out, sizeof(out), &out_len);
	else if (strcmp(op, "set") == 0)
		r = state_set(st, argv[0], value, len, number(argv[2]));
	else if (strcmp(op, "add") == 0)
		r = state_add(st, argv[0], value, len, number(argv[2]), out,
		    sizeof(out), &out_len);
	else if (strcmp(op, "touch") == 0)
		r = state_touch(st, argv[0], number(argv[1]));
	else
		r = state_delete(st, argv[0]);
	printf("%s.%s %s: %s", tag, op, argv[0], state_result_name(r));
	if ((r == STATE_OK || r == STATE_EXISTS) &&
	    (strcmp(op, "get") == 0 || strcmp(op, "add") == 0))
		print_value(out, out_len);
	return 0;
}

/* "H.op ARGS...": the operation, timed; returns the arguments used. */
static int
measured(struct tool *t, const char *cmd, char **argv)
{
	struct state_store *st;
	const char *op = cmd + 2;
	char tag[2] = { cmd[0], '\0' };
	struct timespec start;
	int n = args_of(op);

	if ((cmd[0] == 'a' || cmd[0] == 'b') && cmd[1] == '.' &&
	    strcmp(op, "batch") == 0)
		return batch_run(t->store[cmd[0] - 'a'], tag, argv);
	if ((cmd[0] != 'a' && cmd[0] != 'b') || cmd[1] != '.' || n < 0)
		usage();
	for (int i = 0; i < n; i++) {
		if (argv[i] == NULL)
			usage();
	}
	st = t->store[cmd[0] - 'a'];
	if (strcmp(op, "bench") == 0)
		bench(st, tag, number(argv[0]));
	else if (strcmp(op, "worst") == 0)
		worst(st, tag, number(argv[0]));
	else if (strcmp(op, "until-up") == 0)
		until_up(st, tag, number(argv[0]));
	else if (strcmp(op, "stats") == 0)
		stats(st, tag);
	else if (strcmp(op, "threads") == 0)
		threads(st, tag, number(argv[0]), number(argv[1]));
	else {
		start = monotime_now();
		op_run(st, op, argv, tag);
		printf(" ms=%.3f\n", (double)monotime_diff_us(start,
		    monotime_now()) / 1000.0);
	}
	fflush(stdout);
	return n;
}

/* The names of the batch ops, in the order of enum state_op_kind. */
static const char *const names[] = { "get", "set", "add", "touch", "del" };

/* One op of "H.batch" from argv: the arguments it used. */
static int
batch_op_parse(char **argv, struct state_op *op, unsigned char *value)
{
	static const enum state_op_kind kinds[] = { STATE_OP_GET,
	    STATE_OP_SET, STATE_OP_ADD, STATE_OP_TOUCH, STATE_OP_DELETE };
	size_t k;
	int i, n;

	if (argv[0] == NULL)
		usage();
	for (k = 0; k < 5 && strcmp(argv[0], names[k]) != 0; k++)
		;
	if (k == 5)
		usage();
	n = args_of(argv[0]);
	for (i = 1; i <= n; i++) {
		if (argv[i] == NULL)
			usage();
	}
	memset(op, 0, sizeof(*op));
	op->kind = kinds[k];
	op->key = argv[1];
	if (op->kind == STATE_OP_SET || op->kind == STATE_OP_ADD) {
		if (parse_value(argv[2], value, &op->len) == -1)
			usage();
		op->value = value;
		op->ttl_s = number(argv[3]);
	} else if (op->kind == STATE_OP_TOUCH)
		op->ttl_s = number(argv[2]);
	return n + 1;
}

/* "H.batch N OP ARGS...": one batch, timed; the arguments used. */
static int
batch_run(struct state_store *st, const char *tag, char **argv)
{
	unsigned char values[STATE_BATCH_MAX][STATE_VALUE_MAX];
	struct state_op ops[STATE_BATCH_MAX];
	struct timespec start;
	enum state_result r;
	unsigned n, i;
	int used = 1;

	if (argv[0] == NULL)
		usage();
	n = number(argv[0]);
	if (n == 0 || n > STATE_BATCH_MAX)
		usage();
	for (i = 0; i < n; i++)
		used += batch_op_parse(argv + used, &ops[i], values[i]);
	start = monotime_now();
	r = state_batch(st, ops, n);
	printf("%s.batch: %s ms=%.3f\n", tag, state_result_name(r),
	    (double)monotime_diff_us(start, monotime_now()) / 1000.0);
	for (i = 0; i < n; i++) {
		printf("%s.batch.%s %s: %s", tag, names[ops[i].kind],
		    ops[i].key, state_result_name(ops[i].result));
		if ((ops[i].result == STATE_OK || ops[i].result ==
		    STATE_EXISTS) && (ops[i].kind == STATE_OP_GET ||
		    ops[i].kind == STATE_OP_ADD))
			print_value(ops[i].found, ops[i].found_len);
		printf("\n");
	}
	fflush(stdout);
	return used;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The median, 99th percentile and worst of n times, sorted in place. */
static void
print_spread(const char *name, int64_t *us, unsigned n)
{
	qsort(us, n, sizeof(us[0]), cmp_i64);
	printf(" %s_p50_us=%lld %s_p99_us=%lld %s_max_us=%lld", name,
	    (long long)us[n / 2], name, (long long)us[(size_t)n * 99 / 100],
	    name, (long long)us[n - 1]);
}

/* Round trips of a set, then a get, on one key: each timed. */
static void
bench(struct state_store *st, const char *tag, unsigned n)
{
	static int64_t set_us[BENCH_MAX], get_us[BENCH_MAX];
	unsigned char v[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, out[STATE_VALUE_MAX];
	struct timespec t0, t1;
	unsigned i, down = 0;
	size_t len;

	if (n == 0 || n > BENCH_MAX)
		usage();
	for (i = 0; i < n; i++) {
		t0 = monotime_now();
		down += state_set(st, "bench:key", v, sizeof(v), 60) !=
		    STATE_OK;
		t1 = monotime_now();
		down += state_get(st, "bench:key", out, sizeof(out), &len) !=
		    STATE_OK;
		set_us[i] = monotime_diff_us(t0, t1);
		get_us[i] = monotime_diff_us(t1, monotime_now());
	}
	printf("bench %s: n=%u down=%u", tag, n, down);
	print_spread("set", set_us, n);
	print_spread("get", get_us, n);
	printf("\n");
}

static void
worst(struct state_store *st, const char *tag, unsigned n)
{
	unsigned char out[STATE_VALUE_MAX];
	struct timespec t0;
	int64_t us, max_us = 0;
	unsigned i, down = 0;
	size_t len;

	for (i = 0; i < n; i++) {
		t0 = monotime_now();
		if (state_get(st, "worst:key", out, sizeof(out), &len) ==
		    STATE_DOWN)
			down++;
		us = monotime_diff_us(t0, monotime_now());
		if (us > max_us)
			max_us = us;
		usleep(20000);
	}
	printf("worst %s: n=%u down=%u max_ms=%.3f\n", tag, n, down,
	    (double)max_us / 1000.0);
}

static void
until_up(struct state_store *st, const char *tag, unsigned ms)
{
	unsigned char out[STATE_VALUE_MAX];
	struct timespec t0 = monotime_now();
	size_t len;

	while (state_get(st, "until:key", out, sizeof(out), &len) ==
	    STATE_DOWN) {
		if (monotime_diff_ms(t0, monotime_now()) > (int64_t)ms) {
			printf("until-up %s: still down after %u ms\n", tag,
			    ms);
			return;
		}
		usleep(20000);
	}
	printf("until-up %s: up after %lld ms\n", tag,
	    (long long)monotime_diff_ms(t0, monotime_now()));
}

static void
stats(struct state_store *st, const char *tag)
{
	struct state_stats s;

	state_store_stats(st, &s);
	printf("stats %s: up=%d calls=%llu failures=%llu skipped=%llu "
	    "slow=%llu downs=%llu\n", tag, s.up, (unsigned long long)s.calls,
	    (unsigned long long)s.failures, (unsigned long long)s.skipped,
	    (unsigned long long)s.slow, (unsigned long long)s.downs);
}

/* One round: a key of this worker's, added, overwritten, read back and
 * deleted; what comes back must be what this worker wrote. */
static unsigned
worker_round(struct worker *w, unsigned round)
{
	char key[64];
	unsigned char v[8], out[STATE_VALUE_MAX];
	size_t len = 0;
	unsigned bad = 0;

	snprintf(key, sizeof(key), "thread:%u:%u", w->id, round % 16);
	memcpy(v, &w->id, sizeof(w->id));
	memcpy(v + 4, &round, sizeof(round));
	bad += state_add(w->st, key, v, 4, 60, out, sizeof(out), &len) ==
	    STATE_DOWN;
	bad += state_set(w->st, key, v, sizeof(v), 60) != STATE_OK;
	bad += state_get(w->st, key, out, sizeof(out), &len) != STATE_OK ||
	    len != sizeof(v) || memcmp(out, v, len) != 0;
	bad += state_delete(w->st, key) != STATE_OK;
	return bad;
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	unsigned char v[4], out[STATE_VALUE_MAX];
	size_t len;
	unsigned i;

	memcpy(v, &w->id, sizeof(v));
	while (atomic_load(w->go) == 0)
		continue;
	w->won = state_add(w->st, "thread:race", v, sizeof(v), 60, out,
	    sizeof(out), &len) == STATE_OK;
	for (i = 0; i < w->rounds; i++)
		w->bad += worker_round(w, i);
	return NULL;
}

static void
threads(struct state_store *st, const char *tag, unsigned n, unsigned rounds)
{
	static struct worker w[THREADS_MAX];
	pthread_t th[THREADS_MAX];
	atomic_int go = 0;
	unsigned i, bad = 0, won = 0;

	if (n == 0 || n > THREADS_MAX)
		usage();
	(void)state_delete(st, "thread:race");
	for (i = 0; i < n; i++) {
		w[i] = (struct worker){ .st = st, .id = i, .rounds = rounds,
		    .go = &go };
		if (pthread_create(&th[i], NULL, worker_run, &w[i]) != 0)
			usage();
	}
	atomic_store(&go, 1);
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		bad += w[i].bad;
		won += w[i].won;
	}
	printf("threads %s: n=%u rounds=%u bad=%u race_won=%u\n", tag, n,
	    rounds, bad, won);
}

static void
sync_file(const char *dir, const char *name, bool wait)
{
	char path[1024];
	struct stat sb;
	FILE *f;
	int i;

	if (dir == NULL || strchr(name, '/') != NULL)
		usage();
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!wait) {
		if ((f = fopen(path, "w")) != NULL)
			fclose(f);
		return;
	}
	for (i = 0; i < 6000 && stat(path, &sb) == -1; i++)
		usleep(10000);
	printf("await %s: %s\n", name, i < 6000 ? "done" : "timed out");
}

int
main(int argc, char **argv)
{
	struct state_spec spec;
	struct tool t = { .sync_dir = NULL };
	char err[256];
	unsigned timeout_ms = 50;
	int opt, i;

	while ((opt = getopt(argc, argv, "t:s:")) != -1) {
		if (opt == 't')
			timeout_ms = number(optarg);
		else if (opt == 's')
			t.sync_dir = optarg;
		else
			usage();
	}
	if (optind >= argc)
		usage();
	if (state_spec_parse(argv[optind], &spec, err, sizeof(err)) == -1) {
		fprintf(stderr, "state_tool: %s\n", err);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	t.store[0] = state_store_open(&spec, timeout_ms, on_report, "a");
	t.store[1] = state_store_open(&spec, timeout_ms, on_report, "b");
	if (t.store[0] == NULL || t.store[1] == NULL)
		return 1;
	for (i = optind + 1; i < argc; i++) {
		if (strcmp(argv[i], "sleep") == 0 && i + 1 < argc)
			usleep(number(argv[++i]) * 1000);
		else if (strcmp(argv[i], "signal") == 0 && i + 1 < argc)
			sync_file(t.sync_dir, argv[++i], false);
		else if (strcmp(argv[i], "await") == 0 && i + 1 < argc)
			sync_file(t.sync_dir, argv[++i], true);
		else
			i += measured(&t, argv[i], argv + i + 1);
	}
	state_store_close(t.store[0]);
	state_store_close(t.store[1]);
	return 0;
}
