/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_redis_impl.h - private to the Redis engine (state_redis*.c) and
 * its unit test: one connection driven under a deadline, the password
 * file, and the judging of replies.
 *
 * Nothing a Redis server sends is trusted: a reply of an unexpected type,
 * size or shape is STATE_DOWN with a reason, never a crash and never a
 * value passed on.  Reasons are printable (safe_text) and never hold the
 * password.
 *
 * Threading: a struct redis_conn is used by one thread at a time (the
 * engine's pool hands it out under its lock and takes it back); the
 * functions here take no lock and keep no state of their own.
 */
#ifndef PTRMILTER_STATE_REDIS_IMPL_H
#define PTRMILTER_STATE_REDIS_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "state_store_impl.h"

/* Every key the engine writes starts with this, so that the operator can
 * share one Redis with rspamd or postgrey (and find ours with SCAN). */
#define REDIS_KEY_PREFIX "ptrmilter:"
/* Bytes the server may have sent us but we have not yet parsed: our
 * replies are a few hundred bytes; more is a hostile or confused server. */
#define REDIS_READ_MAX 4096
/* Commands of one state operation at most: an add is MULTI, SET NX, GET,
 * EXEC. */
#define REDIS_OP_COMMANDS 4
/* The most replies one request waits for: AUTH and SELECT, then a
 * batch's commands (state_batch(): STATE_BATCH_MAX ops, all in one
 * write). */
#define REDIS_REPLIES_MAX (2 + REDIS_OP_COMMANDS * STATE_BATCH_MAX)
/* Room for one request's commands: AUTH's two lines of the password file
 * and a batch of adds with the longest keys and values. */
#define REDIS_REQUEST_MAX 8192
/* Room for the password file's one line: "PASSWORD" or "USER PASSWORD". */
#define REDIS_SECRET_MAX 512
/* Room for a numeric address and its NUL. */
#define REDIS_ADDR_MAX 64

/* The credentials of the password file; empty when there is none. */
struct redis_secret {
	char user[REDIS_SECRET_MAX];	/* "" for the default user */
	char password[REDIS_SECRET_MAX];
	bool set;
};

struct redis_names;

/* Where to connect and how to greet: filled at open, read-only after,
 * but for the address of a host given by name, which a lookup after a
 * fault may change: it is read through redis_target_current(). */
struct redis_target {
	bool unix_socket;
	char path[STATE_SPEC_PATH_MAX];	/* redis+unix: */
	char addr[REDIS_ADDR_MAX];	/* redis://: numeric, no brackets;
					   as resolved at open */
	unsigned port;
	unsigned db;
	char where[STATE_SPEC_PATH_MAX + 16];	/* for reasons */
	struct redis_names *names;	/* a host name: its later lookups;
					   NULL for an address or a socket */
};

/* Resolves host to one numeric address (text, no brackets) in addr: 0,
 * or -1 with a printable reason.  Runs on a thread of its own and may
 * take as long as it likes. */
typedef int redis_resolve_fn(const char *host, char *addr, size_t addrlen,
    char *why, size_t whylen);

/* What a request expects of each reply, in order. */
enum redis_expect {
	REDIS_EXPECT_OK,	/* +OK (AUTH, SELECT, MULTI, SET) */
	REDIS_EXPECT_QUEUED,	/* +QUEUED inside MULTI */
	REDIS_EXPECT_ANY	/* judged by the caller (GET, DEL, EXEC) */
};

/* A request: the commands (formatted RESP) and the replies they got. */
struct redis_request {
	char out[REDIS_REQUEST_MAX];
	size_t out_len;
	int commands;
	enum redis_expect expect[REDIS_REPLIES_MAX];
	const char *names[REDIS_REPLIES_MAX];	/* "AUTH", "GET", ... */
	redisReply *replies[REDIS_REPLIES_MAX];
};

/* One connection; its request lives with it, off the callback's stack. */
struct redis_conn {
	redisContext *ctx;
	bool greeted;		/* AUTH and SELECT went through */
	unsigned generation;	/* the pool's, when it was made */
	struct redis_conn *next;	/* in the pool's idle list */
	long long refused_elements;	/* an array too long, for the reason */
	struct redis_request req;
};

/* state_redis_target.c */

/* Where spec (a Redis kind) points: a socket path, or the host as a
 * numeric address, a name resolved by deadline.  0, or -1 with a
 * reason.  t is new (or cleared); redis_target_clear() frees what it
 * keeps. */
int redis_target_set(struct redis_target *t, const struct state_spec *spec,
    struct timespec deadline, char *why, size_t whylen);

/* A connection to t failed or could not be made: a host given by name is
 * looked up again, in the background, unless a lookup is still running
 * or one started less than a second ago.  Never waits. */
void redis_target_stale(struct redis_target *t);

/* A copy of t, for one new connection, with the latest address known
 * (that of a lookup after a fault, once it has finished).  Never waits
 * for a lookup; out needs no clearing. */
void redis_target_current(struct redis_target *t, struct redis_target *out);

/* How many lookups after a fault have brought an address (tests). */
unsigned redis_target_lookups(struct redis_target *t);

/* Frees what t keeps (a lookup still running frees itself when it
 * ends).  Once, with no other call on t in progress. */
void redis_target_clear(struct redis_target *t);

/* The resolver of host names (tests: a fake); NULL, getaddrinfo(). */
void redis_target_use_resolver(redis_resolve_fn *fn);

/* state_redis_secret.c */

/* Reads and checks the password file path: a regular file, owned by root
 * or by the effective user, not readable or writable by group or others,
 * not a symbolic link; its first line is "PASSWORD" or "USER PASSWORD".
 * 0; -2 when we may not open it (EACCES, EPERM: read as root before, and
 * we are root no longer); -1 on any other fault.  The reason goes in why,
 * never the file's content. */
int redis_secret_read(const char *path, struct redis_secret *out, char *why,
    size_t whylen);

/* The secret last read from path, kept for the life of the process (a
 * few paths), and recalled when path may no longer be read (-2 above):
 * true when there was one. */
void redis_secret_remember(const char *path, const struct redis_secret *s);
bool redis_secret_recall(const char *path, struct redis_secret *out);

/* Wipes the secret's memory. */
void redis_secret_clear(struct redis_secret *s);

/* state_redis_reply.c */

/* The reply to a plain OK/QUEUED step is as expected; otherwise 0 and a
 * reason naming the command and what came back. */
bool redis_reply_expected(const redisReply *r, enum redis_expect expect,
    const char *name, char *why, size_t whylen);

/* GET: the string's bytes copied into value (room for STATE_VALUE_MAX),
 * nil as STATE_MISSING, anything else STATE_DOWN. */
enum state_result redis_reply_get(const redisReply *r, unsigned char *value,
    size_t *len, char *why, size_t whylen);

/* DEL and EXPIRE: the integer 1 as STATE_OK, 0 as STATE_MISSING. */
enum state_result redis_reply_count(const redisReply *r, const char *name,
    char *why, size_t whylen);

/* EXEC of [SET NX, GET]: STATE_OK when the SET took place, STATE_EXISTS
 * when the key was there; the value in force copied into current. */
enum state_result redis_reply_add(const redisReply *r, unsigned char *current,
    size_t *current_len, char *why, size_t whylen);

/* Does any reply of req say that the server reads but will not write
 * (a replica: READONLY; out of its maxmemory: OOM; failing to save its
 * snapshot: MISCONF)?  Such a store is not mended by a read that works. */
bool redis_replies_refuse_writes(const struct redis_request *req);

/* A reason written into why (whylen bytes), cut to fit: reasons are
 * short by design, and a cut one still names the fault. */
void redis_why(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A short printable name of a reply's type, for reasons. */
const char *redis_reply_type_name(const redisReply *r);

/* state_redis_conn.c */

/* Appends one command (binary-safe arguments) to req, expecting expect of
 * its reply.  -1 when it does not fit. */
int redis_request_add(struct redis_request *req, enum redis_expect expect,
    int argc, const char **argv, const size_t *argvlen);

/* Frees the replies of req. */
void redis_request_clear(struct redis_request *req);

/* A new connection to t, established by deadline; NULL with a reason. */
struct redis_conn *redis_conn_open(const struct redis_target *t,
    struct timespec deadline, char *why, size_t whylen);

void redis_conn_close(struct redis_conn *c);

/* An idle connection is still fit to use: the server has neither closed
 * it (an idle timeout in redis.conf, a restart) nor sent anything
 * unasked.  Reads nothing, waits for nothing. */
bool redis_conn_idle_ok(const struct redis_conn *c);

/* Sends req and reads all its replies by deadline; every reply checked
 * against its expectation, and nothing may follow them.  0, or -1 with a reason (the connection is then
 * of no further use). */
int redis_conn_run(struct redis_conn *c, const struct redis_target *t,
    struct redis_request *req, struct timespec deadline, char *why,
    size_t whylen);

#endif
