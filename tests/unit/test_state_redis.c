/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_state_redis.c - unit tests for the Redis engine's parts that need
 * no Redis: what each reply means (table-driven over hand-made replies),
 * the password file's checks, where a spec points, and a connection
 * against a hostile server on a local socket (a thread of this test) that
 * answers garbage, too much, nothing at all, or hangs up.
 *
 * The engine against a real redis-server: tests/integration/
 * state_redis.test.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "monotime.h"
#include "state_redis_impl.h"

/* A reply made by hand: type, text or integer, and up to two elements. */
struct fake_reply {
	int type;
	const char *str;
	long long integer;
};

static redisReply *make_reply(const struct fake_reply *f, redisReply *r);

static redisReply *
make_reply(const struct fake_reply *f, redisReply *r)
{
	memset(r, 0, sizeof(*r));
	r->type = f->type;
	r->integer = f->integer;
	if (f->str != NULL) {
		r->str = (char *)(uintptr_t)f->str;
		r->len = strlen(f->str);
	}
	return r;
}

#define S(t) { REDIS_REPLY_STRING, (t), 0 }
#define ST(t) { REDIS_REPLY_STATUS, (t), 0 }
#define E(t) { REDIS_REPLY_ERROR, (t), 0 }
#define I(n) { REDIS_REPLY_INTEGER, NULL, (n) }
#define NIL { REDIS_REPLY_NIL, NULL, 0 }
#define ARR { REDIS_REPLY_ARRAY, NULL, 0 }

static const char value_64[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char value_65[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefX";

struct get_row {
	const char *name;
	struct fake_reply reply;
	enum state_result want;
	const char *why_has;	/* in the reason, for STATE_DOWN */
};

static const struct get_row get_rows[] = {
	{ "a string is the value", S("v1"), STATE_OK, NULL },
	{ "an empty string is an empty value", S(""), STATE_OK, NULL },
	{ "64 bytes fit", S(value_64), STATE_OK, NULL },
	{ "65 bytes are down, not cut", S(value_65), STATE_DOWN, "65 bytes" },
	{ "nil is missing", NIL, STATE_MISSING, NULL },
	{ "an integer is down", I(7), STATE_DOWN, "got an integer" },
	{ "a status is down", ST("OK"), STATE_DOWN, "got a status" },
	{ "an array is down", ARR, STATE_DOWN, "got an array" },
	{ "LOADING is down", E("LOADING Redis is loading the dataset"),
	    STATE_DOWN, "LOADING Redis" },
	{ "an error's control bytes are not passed on",
	    E("ERR evil\r\nforged line"), STATE_DOWN, "ERR evil??forged" },
};

static void
test_get_replies(void **state)
{
	unsigned char value[STATE_VALUE_MAX];
	char why[STATE_WHY_MAX];
	redisReply r;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(get_rows) / sizeof(get_rows[0]); i++) {
		const struct get_row *row = &get_rows[i];
		enum state_result got;

		why[0] = '\0';
		len = 999;
		got = redis_reply_get(make_reply(&row->reply, &r), value,
		    &len, why, sizeof(why));
		if (got != row->want)
			fail_msg("%s: got %d, want %d", row->name, got,
			    row->want);
		if (got == STATE_OK && (len != strlen(row->reply.str) ||
		    memcmp(value, row->reply.str, len) != 0))
			fail_msg("%s: value not copied", row->name);
		if (row->why_has != NULL && strstr(why, row->why_has) == NULL)
			fail_msg("%s: reason \"%s\" lacks \"%s\"", row->name,
			    why, row->why_has);
	}
	assert_int_equal(redis_reply_get(NULL, value, &len, why, sizeof(why)),
	    STATE_DOWN);
}

struct refuse_row {
	const char *name;
	struct fake_reply reply;
	bool want;
};

static const struct refuse_row refuse_rows[] = {
	{ "a replica", E("READONLY You can't write against a read only "
	    "replica."), true },
	{ "out of maxmemory", E("OOM command not allowed when used memory > "
	    "'maxmemory'."), true },
	{ "no snapshot", E("MISCONF Redis is configured to save RDB "
	    "snapshots"), true },
	{ "the code alone", E("OOM"), true },
	{ "a code is a whole word", E("OOMPH not a code"), false },
	{ "another error", E("ERR unknown command"), false },
	{ "LOADING reads nothing either", E("LOADING"), false },
	{ "a string that says it", S("READONLY value"), false },
	{ "a status", ST("OK"), false },
};

/* Which replies say the server reads but will not write: the front end
 * then waits for a write that works before it calls the store up. */
static void
test_replies_that_refuse_writes(void **state)
{
	struct redis_request req;
	redisReply r, inner[2], *elements[2];
	struct fake_reply ok = ST("QUEUED");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refuse_rows) / sizeof(refuse_rows[0]); i++) {
		const struct refuse_row *row = &refuse_rows[i];

		memset(&req, 0, sizeof(req));
		req.commands = 1;
		req.replies[0] = make_reply(&row->reply, &r);
		if (redis_replies_refuse_writes(&req) != row->want)
			fail_msg("%s: got %d", row->name, !row->want);
	}
	/* Inside EXEC's array, after a reply that says nothing. */
	memset(&req, 0, sizeof(req));
	memset(&r, 0, sizeof(r));
	r.type = REDIS_REPLY_ARRAY;
	r.elements = 2;
	r.element = elements;
	elements[0] = make_reply(&ok, &inner[0]);
	elements[1] = make_reply(&refuse_rows[0].reply, &inner[1]);
	req.commands = 1;
	req.replies[0] = &r;
	assert_true(redis_replies_refuse_writes(&req));
	elements[1] = make_reply(&ok, &inner[1]);
	assert_false(redis_replies_refuse_writes(&req));
	req.replies[0] = NULL;
	assert_false(redis_replies_refuse_writes(&req));
}

struct count_row {
	const char *name;
	struct fake_reply reply;
	enum state_result want;
};

static const struct count_row count_rows[] = {
	{ "1 is done", I(1), STATE_OK },
	{ "0 is missing", I(0), STATE_MISSING },
	{ "2 is not a count of one key", I(2), STATE_DOWN },
	{ "-1 is down", I(-1), STATE_DOWN },
	{ "a string is down", S("1"), STATE_DOWN },
	{ "READONLY is down", E("READONLY You can't write against a read "
	    "only replica."), STATE_DOWN },
	{ "OOM is down", E("OOM command not allowed"), STATE_DOWN },
};

static void
test_count_replies(void **state)
{
	char why[STATE_WHY_MAX];
	redisReply r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(count_rows) / sizeof(count_rows[0]); i++) {
		enum state_result got = redis_reply_count(
		    make_reply(&count_rows[i].reply, &r), "DEL", why,
		    sizeof(why));

		if (got != count_rows[i].want)
			fail_msg("%s: got %d, want %d", count_rows[i].name,
			    got, count_rows[i].want);
	}
}

struct add_row {
	const char *name;
	int elements;		/* of the EXEC array; -1: not an array */
	struct fake_reply set, get;
	enum state_result want;
	const char *value;	/* the value in force, when not down */
};

static const struct add_row add_rows[] = {
	{ "set: written, value back", 2, ST("OK"), S("new"), STATE_OK, "new" },
	{ "nil: it was there, its value back", 2, NIL, S("old"),
	    STATE_EXISTS, "old" },
	{ "no value after the set is down", 2, ST("OK"), NIL, STATE_DOWN,
	    NULL },
	{ "a value too long is down", 2, NIL, S(value_65), STATE_DOWN, NULL },
	{ "WRONGTYPE inside EXEC is down", 2, NIL,
	    E("WRONGTYPE Operation against a key"), STATE_DOWN, NULL },
	{ "a status other than OK is down", 2, ST("QUEUED"), S("x"),
	    STATE_DOWN, NULL },
	{ "one element is down", 1, ST("OK"), S("x"), STATE_DOWN, NULL },
	{ "not an array is down", -1, ST("OK"), S("x"), STATE_DOWN, NULL },
};

static void
test_add_replies(void **state)
{
	unsigned char value[STATE_VALUE_MAX];
	char why[STATE_WHY_MAX];
	redisReply exec, set, get, *elements[2];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(add_rows) / sizeof(add_rows[0]); i++) {
		const struct add_row *row = &add_rows[i];
		enum state_result got;

		elements[0] = make_reply(&row->set, &set);
		elements[1] = make_reply(&row->get, &get);
		memset(&exec, 0, sizeof(exec));
		exec.type = row->elements < 0 ? REDIS_REPLY_STATUS :
		    REDIS_REPLY_ARRAY;
		exec.elements = row->elements < 0 ? 0 : (size_t)row->elements;
		exec.element = elements;
		len = 0;
		got = redis_reply_add(&exec, value, &len, why, sizeof(why));
		if (got != row->want)
			fail_msg("%s: got %d, want %d (%s)", row->name, got,
			    row->want, why);
		if (row->value != NULL && (len != strlen(row->value) ||
		    memcmp(value, row->value, len) != 0))
			fail_msg("%s: value in force not copied", row->name);
	}
}

static void
test_expected_status_is_exact(void **state)
{
	const struct fake_reply ok = ST("OK"), okay = ST("OKAY"),
	    queued = ST("QUEUED"), noauth = E("NOAUTH Authentication required.");
	char why[STATE_WHY_MAX];
	redisReply r;

	(void)state;
	assert_true(redis_reply_expected(make_reply(&ok, &r), REDIS_EXPECT_OK,
	    "SET", why, sizeof(why)));
	assert_false(redis_reply_expected(make_reply(&okay, &r),
	    REDIS_EXPECT_OK, "SET", why, sizeof(why)));
	assert_true(redis_reply_expected(make_reply(&queued, &r),
	    REDIS_EXPECT_QUEUED, "SET", why, sizeof(why)));
	assert_false(redis_reply_expected(make_reply(&noauth, &r),
	    REDIS_EXPECT_ANY, "GET", why, sizeof(why)));
	assert_string_equal(why,
	    "GET: server said \"NOAUTH Authentication required.\"");
	assert_false(redis_reply_expected(NULL, REDIS_EXPECT_ANY, "GET", why,
	    sizeof(why)));
}

static void
test_request_refuses_what_does_not_fit(void **state)
{
	struct redis_request req;
	static char big[REDIS_REQUEST_MAX + 64];
	const char *argv[2] = { "SET", big };
	size_t argvlen[2] = { 3, sizeof(big) };
	int i;

	(void)state;
	memset(&req, 0, sizeof(req));
	memset(big, 'x', sizeof(big));
	assert_int_equal(redis_request_add(&req, REDIS_EXPECT_OK, 2, argv,
	    argvlen), -1);
	assert_int_equal(req.commands, 0);
	argvlen[1] = 10;
	for (i = 0; i < REDIS_REPLIES_MAX; i++)
		assert_int_equal(redis_request_add(&req, REDIS_EXPECT_OK, 2,
		    argv, argvlen), 0);
	assert_int_equal(redis_request_add(&req, REDIS_EXPECT_OK, 2, argv,
	    argvlen), -1);
	/* Binary-safe: the length, not a NUL, ends an argument. */
	assert_non_null(memmem(req.out, req.out_len, "$10\r\nxxxxxxxxxx\r\n",
	    17));
	redis_request_clear(&req);
}

/* Password files. */

static char tmpdir[] = "/tmp/test_state_redis.XXXXXX";

static const char *
write_file(const char *name, const char *content, size_t len, mode_t mode)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

struct secret_row {
	const char *name;
	const char *content;
	mode_t mode;
	int want;
	const char *user, *password;
	const char *why_has;
};

static const struct secret_row secret_rows[] = {
	{ "a password line", "hunter2\n", 0600, 0, "", "hunter2", NULL },
	{ "no final newline", "hunter2", 0400, 0, "", "hunter2", NULL },
	{ "CRLF", "hunter2\r\n", 0600, 0, "", "hunter2", NULL },
	{ "an ACL user", "milter hunter2\nignored\n", 0600, 0, "milter",
	    "hunter2", NULL },
	{ "group-readable is refused", "hunter2\n", 0640, -1, NULL, NULL,
	    "mode 640" },
	{ "world-readable is refused", "hunter2\n", 0604, -1, NULL, NULL,
	    "mode 604" },
	{ "empty is refused", "", 0600, -1, NULL, NULL, "first line" },
	{ "an empty line is refused", "\ns3cret\n", 0600, -1, NULL, NULL,
	    "first line" },
	{ "no user before the space", " s3cret\n", 0600, -1, NULL, NULL,
	    "first line" },
	{ "a control byte is refused", "s3\tcret\n", 0600, -1, NULL, NULL,
	    "control byte" },
};

static void
test_password_files(void **state)
{
	struct redis_secret s;
	char why[STATE_WHY_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(secret_rows) / sizeof(secret_rows[0]); i++) {
		const struct secret_row *row = &secret_rows[i];
		const char *path = write_file("pw", row->content,
		    strlen(row->content), row->mode);
		int got;

		why[0] = '\0';
		got = redis_secret_read(path, &s, why, sizeof(why));
		if (got != row->want)
			fail_msg("%s: got %d, want %d (%s)", row->name, got,
			    row->want, why);
		if (got == 0 && (strcmp(s.user, row->user) != 0 ||
		    strcmp(s.password, row->password) != 0 || !s.set))
			fail_msg("%s: read user \"%s\"", row->name, s.user);
		if (got != 0 && (strstr(why, row->why_has) == NULL ||
		    strstr(why, "hunter2") != NULL))
			fail_msg("%s: reason \"%s\"", row->name, why);
		redis_secret_clear(&s);
	}
}

static void
test_password_file_long_link_missing(void **state)
{
	char long_line[REDIS_SECRET_MAX + 8], link_path[300];
	struct redis_secret s;
	char why[STATE_WHY_MAX];
	const char *path;

	(void)state;
	memset(long_line, 'p', sizeof(long_line));
	path = write_file("long", long_line, sizeof(long_line), 0600);
	assert_int_equal(redis_secret_read(path, &s, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "longer than"));
	/* The longest that fits is taken whole. */
	path = write_file("edge", long_line, REDIS_SECRET_MAX - 1, 0600);
	assert_int_equal(redis_secret_read(path, &s, why, sizeof(why)), 0);
	assert_int_equal(strlen(s.password), REDIS_SECRET_MAX - 1);
	/* A link in a directory nobody else may change is the admin's own
	 * (safe_file.h), and is followed. */
	path = write_file("target", "hunter2\n", 7, 0600);
	snprintf(link_path, sizeof(link_path), "%s/link", tmpdir);
	assert_int_equal(symlink(path, link_path), 0);
	assert_int_equal(redis_secret_read(link_path, &s, why, sizeof(why)),
	    0);
	assert_string_equal(s.password, "hunter2");
	snprintf(link_path, sizeof(link_path), "%s/none", tmpdir);
	assert_int_equal(redis_secret_read(link_path, &s, why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, "No such file"));
	if (geteuid() == 0) {
		path = write_file("theirs", "hunter2\n", 7, 0600);
		assert_int_equal(chown(path, 4242, 4242), 0);
		assert_int_equal(redis_secret_read(path, &s, why,
		    sizeof(why)), -1);
		assert_non_null(strstr(why, "uid 4242"));
	}
	redis_secret_clear(&s);
}

/* A password file behind a directory others may write is refused, and
 * the reason names the directory, never the secret: whoever writes there
 * could put a link to a root-only file in its place. */
static void
test_password_file_behind_unsafe_directory(void **state)
{
	char dir[300], path[340];
	struct redis_secret s;
	char why[STATE_WHY_MAX];
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/open", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	snprintf(path, sizeof(path), "%s/pw", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("hunter2\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
	why[0] = '\0';
	assert_int_equal(redis_secret_read(path, &s, why, sizeof(why)), -1);
	if (strstr(why, "is writable by") == NULL ||
	    strstr(why, "hunter2") != NULL)
		fail_msg("reason \"%s\"", why);
	assert_false(s.set);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(redis_secret_read(path, &s, why, sizeof(why)), 0);
	redis_secret_clear(&s);
	unlink(path);
	rmdir(dir);
}

/* A file root may read and we may not: -2, so that the engine falls back
 * on the secret remembered from start. */
static void
test_password_file_unreadable_after_root_left(void **state)
{
	struct redis_secret s, got;
	char why[STATE_WHY_MAX];
	const char *path;

	(void)state;
	if (geteuid() != 0)
		skip();
	path = write_file("root-only", "hunter2\n", 8, 0600);
	assert_int_equal(redis_secret_read(path, &s, why, sizeof(why)), 0);
	redis_secret_remember(path, &s);
	assert_int_equal(seteuid(65534), 0);
	assert_int_equal(redis_secret_read(path, &got, why, sizeof(why)), -2);
	assert_int_equal(seteuid(0), 0);
	assert_null(strstr(why, "hunter2"));
	assert_true(redis_secret_recall(path, &got));
	assert_string_equal(got.password, "hunter2");
	assert_false(redis_secret_recall("/nowhere/else", &got));
	redis_secret_clear(&s);
	redis_secret_clear(&got);
}

/* A new value for a path replaces the old; a full table keeps what it has. */
static void
test_remembered_secrets(void **state)
{
	struct redis_secret s, got;
	char path[32];
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.set = true;
	for (i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "/etc/pw%d", i);
		snprintf(s.password, sizeof(s.password), "first%d", i);
		redis_secret_remember(path, &s);
	}
	snprintf(s.password, sizeof(s.password), "second");
	redis_secret_remember("/etc/pw0", &s);
	assert_true(redis_secret_recall("/etc/pw0", &got));
	assert_string_equal(got.password, "second");
	assert_false(redis_secret_recall("/etc/pw7", &got));
}

/* Targets. */

static void
test_targets(void **state)
{
	struct state_spec spec;
	struct redis_target t;
	char why[STATE_WHY_MAX];
	struct timespec deadline = monotime_add_ms(monotime_now(), 2000);

	(void)state;
	memset(&spec, 0, sizeof(spec));
	spec.kind = STATE_KIND_REDIS;
	snprintf(spec.host, sizeof(spec.host), "2001:db8::6");
	spec.port = 6380;
	assert_int_equal(redis_target_set(&t, &spec, deadline, why,
	    sizeof(why)), 0);
	assert_string_equal(t.addr, "2001:db8::6");
	assert_string_equal(t.where, "[2001:db8::6]:6380");
	snprintf(spec.host, sizeof(spec.host), "localhost");
	assert_int_equal(redis_target_set(&t, &spec, deadline, why,
	    sizeof(why)), 0);
	assert_true(strcmp(t.addr, "127.0.0.1") == 0 ||
	    strcmp(t.addr, "::1") == 0);
	assert_string_equal(t.where, "localhost:6380");
	assert_non_null(t.names);	/* looked up again after a fault */
	redis_target_clear(&t);
	spec.kind = STATE_KIND_REDIS_UNIX;
	snprintf(spec.path, sizeof(spec.path), "/run/redis/redis.sock");
	spec.db = 3;
	assert_int_equal(redis_target_set(&t, &spec, deadline, why,
	    sizeof(why)), 0);
	assert_true(t.unix_socket);
	assert_int_equal(t.db, 3);
	spec.kind = STATE_KIND_LMDB;
	assert_int_equal(redis_target_set(&t, &spec, deadline, why,
	    sizeof(why)), -1);
}

/* A name lookup never outlasts its deadline: with none left it fails at
 * once. */
static void
test_name_lookup_is_bounded(void **state)
{
	struct state_spec spec;
	struct redis_target t;
	char why[STATE_WHY_MAX];
	struct timespec start = monotime_now();

	(void)state;
	memset(&spec, 0, sizeof(spec));
	spec.kind = STATE_KIND_REDIS;
	spec.port = 6379;
	snprintf(spec.host, sizeof(spec.host), "localhost");
	assert_int_equal(redis_target_set(&t, &spec, start, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "resolve localhost: timed out");
	assert_true(monotime_diff_ms(start, monotime_now()) < 50);
}

/* A hostile server: one connection, whose request is read and answered
 * with answer (len bytes; then held open for hold_ms, or closed). */
struct hostile {
	char path[108];
	int listener;
	const char *answer;
	size_t len;
	unsigned hold_ms;
	pthread_t thread;
};

static void *
hostile_serve(void *arg)
{
	struct hostile *h = arg;
	char buf[4096];
	int fd = accept(h->listener, NULL, NULL);

	if (fd == -1)
		return NULL;
	/* Short reads and writes only make the client's wait longer, which
	 * is what the test bounds. */
	if (read(fd, buf, sizeof(buf)) > 0 && h->len > 0 &&
	    write(fd, h->answer, h->len) < 0)
		h->len = 0;
	if (h->hold_ms > 0)
		usleep(h->hold_ms * 1000);
	close(fd);
	return NULL;
}

static void
hostile_start(struct hostile *h, const char *answer, size_t len,
    unsigned hold_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(h->path, sizeof(h->path), "%s/hostile.sock", tmpdir);
	unlink(h->path);
	memcpy(sun.sun_path, h->path, strlen(h->path) + 1);
	h->listener = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(h->listener >= 0);
	assert_int_equal(bind(h->listener, (struct sockaddr *)&sun,
	    sizeof(sun)), 0);
	assert_int_equal(listen(h->listener, 4), 0);
	h->answer = answer;
	h->len = len;
	h->hold_ms = hold_ms;
	assert_int_equal(pthread_create(&h->thread, NULL, hostile_serve, h),
	    0);
}

/* One GET against the hostile server with a 40 ms bound: the result and
 * the reason, and the time it took in *ms. */
static int
hostile_get(struct hostile *h, char *why, size_t whylen, int64_t *ms)
{
	struct redis_target t;
	struct redis_request req;
	struct redis_conn *c;
	const char *argv[2] = { "GET", "ptrmilter:k" };
	size_t argvlen[2] = { 3, 11 };
	struct timespec start = monotime_now();
	struct timespec deadline = monotime_add_ms(start, 40);
	int rc = -1;

	memset(&t, 0, sizeof(t));
	t.unix_socket = true;
	snprintf(t.path, sizeof(t.path), "%s", h->path);
	snprintf(t.where, sizeof(t.where), "hostile");
	memset(&req, 0, sizeof(req));
	c = redis_conn_open(&t, deadline, why, whylen);
	if (c != NULL) {
		assert_int_equal(redis_request_add(&req, REDIS_EXPECT_ANY, 2,
		    argv, argvlen), 0);
		rc = redis_conn_run(c, &t, &req, deadline, why, whylen);
		redis_request_clear(&req);
		redis_conn_close(c);
	}
	*ms = monotime_diff_ms(start, monotime_now());
	pthread_join(h->thread, NULL);
	close(h->listener);
	return rc;
}

struct hostile_row {
	const char *name;
	const char *answer;
	size_t len;		/* 0: strlen(answer) */
	unsigned hold_ms;
	const char *why_has;
};

static char flood[REDIS_READ_MAX + 2048];

static const struct hostile_row hostile_rows[] = {
	{ "silence", "", 0, 300, "no answer in time" },
	{ "hang-up", "", 0, 0, "closed the connection" },
	{ "half a reply, then silence", "$5\r\nab", 0, 300,
	    "no answer in time" },
	{ "a bad type byte", "?garbage\r\n", 0, 0, "Protocol error" },
	{ "an array count that would take gigabytes",
	    "*2147483647\r\n", 0, 300, "an array of 2147483647 elements" },
	{ "nine elements, more than any reply of ours", "*9\r\n", 0, 0,
	    "an array of 9 elements (at most 8)" },
	{ "a reply more than asked for", "$1\r\na\r\n+OK\r\n", 0, 0,
	    "bytes after the last reply" },
	{ "a bulk string bigger than we read", flood, sizeof(flood), 300,
	    "a reply over 4096 bytes" },
};

static void
test_hostile_servers(void **state)
{
	char why[STATE_WHY_MAX];
	struct hostile h;
	int64_t ms;
	size_t i;

	(void)state;
	memset(flood, 'a', sizeof(flood));
	memcpy(flood, "$100000000\r\n", 12);
	for (i = 0; i < sizeof(hostile_rows) / sizeof(hostile_rows[0]); i++) {
		const struct hostile_row *row = &hostile_rows[i];

		hostile_start(&h, row->answer,
		    row->len != 0 ? row->len : strlen(row->answer),
		    row->hold_ms);
		why[0] = '\0';
		if (hostile_get(&h, why, sizeof(why), &ms) != -1)
			fail_msg("%s: a reply was accepted", row->name);
		if (strstr(why, row->why_has) == NULL)
			fail_msg("%s: reason \"%s\"", row->name, why);
		/* The bound is 40 ms; a loaded machine gets some slack. */
		if (ms > 40 + 60)
			fail_msg("%s: took %lld ms", row->name, (long long)ms);
	}
}

static int
setup_tmpdir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
remove_tmpdir(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_replies),
		cmocka_unit_test(test_count_replies),
		cmocka_unit_test(test_replies_that_refuse_writes),
		cmocka_unit_test(test_add_replies),
		cmocka_unit_test(test_expected_status_is_exact),
		cmocka_unit_test(test_request_refuses_what_does_not_fit),
		cmocka_unit_test(test_password_files),
		cmocka_unit_test(test_password_file_long_link_missing),
		cmocka_unit_test(test_password_file_behind_unsafe_directory),
		cmocka_unit_test(test_password_file_unreadable_after_root_left),
		cmocka_unit_test(test_remembered_secrets),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_name_lookup_is_bounded),
		cmocka_unit_test(test_hostile_servers),
	};

	return cmocka_run_group_tests(tests, setup_tmpdir, remove_tmpdir);
}
