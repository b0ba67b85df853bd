/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_spec.h - the value of the state_store key: which store holds the
 * state that outlives a connection, and where.
 *
 *   none                               memory only, private to the process
 *   lmdb:/PATH                         an LMDB environment: PATH is a
 *                                      DIRECTORY holding data.mdb and
 *                                      lock.mdb (created 0700 if missing;
 *                                      its parent must exist)
 *   redis://HOST[:PORT][/DB][?OPTS]    Redis over TCP; HOST a name, an
 *                                      IPv4 address or [IPv6]; PORT
 *                                      defaults to 6379, DB to 0
 *   redis+unix:/PATH[?OPTS]            Redis over a local socket
 *
 * OPTS are '&'-separated: db=N (redis+unix: only; for TCP the DB is the
 * path part) and password_file=/ABSOLUTE/PATH (the first line of that
 * file is the password, or "USER PASSWORD" for a Redis 6 ACL user).  No
 * password is ever written in the spec itself, so the spec can be logged
 * and printed by ptrmilter -n as it is.
 *
 * Pure: parsing checks the syntax only; nothing is opened or read.  The
 * config loader calls state_spec_parse() so that a bad value is a
 * FILE:LINE error at start-up and at reload.
 */
#ifndef PTRMILTER_STATE_SPEC_H
#define PTRMILTER_STATE_SPEC_H

#include <stddef.h>

/* Room for a path and its NUL: sun_path is shorter still for sockets. */
#define STATE_SPEC_PATH_MAX 1024
/* Room for a host name (DNAME presentation form) and its NUL. */
#define STATE_SPEC_HOST_MAX 256
/* Room for the whole spec text and its NUL. */
#define STATE_SPEC_TEXT_MAX 2400
/* Highest Redis database number accepted. */
#define STATE_SPEC_DB_MAX 65535

enum state_kind {
	STATE_KIND_NONE,	/* memory only */
	STATE_KIND_LMDB,	/* path */
	STATE_KIND_REDIS,	/* host, port, db, password_file */
	STATE_KIND_REDIS_UNIX	/* path, db, password_file */
};

struct state_spec {
	enum state_kind kind;
	char path[STATE_SPEC_PATH_MAX];		/* lmdb dir, unix socket */
	char host[STATE_SPEC_HOST_MAX];		/* redis: without brackets */
	unsigned port;				/* redis: 1..65535 */
	unsigned db;				/* redis: 0..STATE_SPEC_DB_MAX */
	char password_file[STATE_SPEC_PATH_MAX];	/* "" when none */
	char text[STATE_SPEC_TEXT_MAX];		/* as given, for logs */
};

/* Parses text into *out.  0 on success; -1 with a reason that names the
 * fault (never the caller's FILE:LINE, which the policy loader adds) in
 * err, of errlen bytes.  Paths must be absolute and free of control
 * characters; "lmdb:" needs a path other than "/". */
int state_spec_parse(const char *text, struct state_spec *out, char *err,
    size_t errlen);

/* "none", "lmdb", "redis" (both Redis kinds): the kind for log lines. */
const char *state_kind_name(enum state_kind kind);

#endif
