/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_redis_secret.c - the Redis password file (password_file= of the
 * state_store spec).
 *
 * The file is read as root at start and again, as the daemon's user, each
 * time the engine makes a new connection, so that a rotated password
 * takes effect without a restart.  It is trusted only when nobody but its
 * owner can read or change it, that owner is root or the user we run
 * as, and no directory on its path lets anyone else put a link in its
 * place (safe_file.h): a password other users can read is no secret, one
 * they can write lets them point us at a server of theirs, and a link
 * would send the first line of a root-only file to the server.  Its content never
 * reaches a reason, a log line or a core of ours we can help: the buffer
 * is wiped after use.
 *
 * A file we could read once may become one we may not: its owner or mode
 * changed to root's, or the store is opened again (the front end does,
 * from a session thread, when it could not open it before: Redis was
 * down) after the daemon has left root.  A store that was working must
 * not go down for that alone, so the last secret read from each path is
 * remembered for the life of the process (a few paths, in static memory
 * under one mutex), and an open that may no longer read the file uses
 * it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safe_file.h"
#include "state_redis_impl.h"

/* Paths whose secret is remembered; a spec names one. */
#define REMEMBERED_MAX 4

static struct {
	char path[STATE_SPEC_PATH_MAX];
	struct redis_secret secret;
} remembered[REMEMBERED_MAX];
static pthread_mutex_t remembered_lock = PTHREAD_MUTEX_INITIALIZER;

static int check_owner_mode(int fd, char *why, size_t whylen);
static int split_line(const char *buf, size_t n, struct redis_secret *out,
    char *why, size_t whylen);

void
redis_secret_remember(const char *path, const struct redis_secret *s)
{
	size_t i, n = strnlen(path, STATE_SPEC_PATH_MAX);

	if (n == STATE_SPEC_PATH_MAX)
		return;
	pthread_mutex_lock(&remembered_lock);
	for (i = 0; i < REMEMBERED_MAX; i++) {
		if (remembered[i].path[0] == '\0' ||
		    strcmp(remembered[i].path, path) == 0)
			break;
	}
	if (i < REMEMBERED_MAX) {
		memcpy(remembered[i].path, path, n + 1);
		remembered[i].secret = *s;
	}
	pthread_mutex_unlock(&remembered_lock);
}

bool
redis_secret_recall(const char *path, struct redis_secret *out)
{
	size_t i;
	bool found = false;

	pthread_mutex_lock(&remembered_lock);
	for (i = 0; i < REMEMBERED_MAX && !found; i++) {
		if (remembered[i].path[0] != '\0' &&
		    strcmp(remembered[i].path, path) == 0) {
			*out = remembered[i].secret;
			found = true;
		}
	}
	pthread_mutex_unlock(&remembered_lock);
	return found;
}

void
redis_secret_clear(struct redis_secret *s)
{
	explicit_bzero(s, sizeof(*s));
}

static int
check_owner_mode(int fd, char *why, size_t whylen)
{
	struct stat sb;

	if (fstat(fd, &sb) == -1) {
		redis_why(why, whylen, "fstat: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		redis_why(why, whylen, "not a regular file");
		return -1;
	}
	if (sb.st_uid != 0 && sb.st_uid != geteuid()) {
		redis_why(why, whylen, "owned by uid %lu, neither root nor us",
		    (unsigned long)sb.st_uid);
		return -1;
	}
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		redis_why(why, whylen,
		    "mode %03o: group or others may use it (chmod 600)",
		    (unsigned)(sb.st_mode & 0777));
		return -1;
	}
	return 0;
}

/* The first line of buf: "PASSWORD" or "USER PASSWORD"; no control byte
 * but a final CR. */
static int
split_line(const char *buf, size_t n, struct redis_secret *out, char *why,
    size_t whylen)
{
	const char *end = memchr(buf, '\n', n), *space;
	size_t len = end != NULL ? (size_t)(end - buf) : n, i;

	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len >= REDIS_SECRET_MAX) {
		redis_why(why, whylen, "its first line is longer than %d bytes",
		    REDIS_SECRET_MAX - 1);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f) {
			redis_why(why, whylen, "a control byte in its first line");
			return -1;
		}
	}
	space = memchr(buf, ' ', len);
	if (space != NULL) {
		size_t ulen = (size_t)(space - buf);

		memcpy(out->user, buf, ulen);
		out->user[ulen] = '\0';
		buf = space + 1;
		len -= ulen + 1;
	}
	if (len == 0 || (space != NULL && out->user[0] == '\0')) {
		redis_why(why, whylen,
		    "its first line is not \"PASSWORD\" or \"USER PASSWORD\"");
		return -1;
	}
	memcpy(out->password, buf, len);
	out->password[len] = '\0';
	out->set = true;
	return 0;
}

int
redis_secret_read(const char *path, struct redis_secret *out, char *why,
    size_t whylen)
{
	char buf[REDIS_SECRET_MAX + 2];
	char reason[96];
	struct safe_file sf;
	ssize_t n;
	int fd, ret = -1;

	memset(out, 0, sizeof(*out));
	if (safe_file_open(path, (long)geteuid(), O_RDONLY | O_NONBLOCK,
	    &sf) != 0) {
		if (sf.error == 0) {
			redis_why(why, whylen, "password file %s refused: %s",
			    path, sf.why);
			return -1;
		}
		redis_why(why, whylen, "password file %s: %s", path,
		    strerror(sf.error));
		return sf.error == EACCES || sf.error == EPERM ? -2 : -1;
	}
	fd = sf.fd;
	if (check_owner_mode(fd, reason, sizeof(reason)) == -1)
		goto refused;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		snprintf(reason, sizeof(reason), "read: %s", strerror(errno));
		goto refused;
	}
	if (split_line(buf, (size_t)n, out, reason, sizeof(reason)) == -1)
		goto refused;
	ret = 0;
	goto end;
refused:
	redis_why(why, whylen, "password file %s refused: %s", path, reason);
	redis_secret_clear(out);
end:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return ret;
}
