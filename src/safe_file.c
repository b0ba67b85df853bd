/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * safe_file.c - the directory walk of safe_file_open(); see safe_file.h.
 *
 * Why no rename or link swap can slip in: the walk holds a descriptor of
 * each directory it has checked and looks up the next component relative
 * to it (fstatat, readlinkat, openat with O_NOFOLLOW - never a whole path
 * from /), then checks what it opened on the new descriptor (fstat).  A
 * checked directory cannot be changed by anyone untrusted: it is writable
 * by others only when it is a root-owned sticky one, and there the entry
 * on the way must belong to a trusted user, which others may neither
 * rename nor remove.  So a name keeps meaning what was checked until the
 * next descriptor is open, and a link read from a checked directory says
 * what it said when it was checked.  The kernel's own resolution (open()
 * of the whole path, realpath()) is never trusted: it would follow a link
 * wherever it sits.
 *
 * Directories are opened with O_PATH where there is one, so that search
 * rights suffice, as for open() of the whole path.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safe_file.h"

#ifdef O_PATH
#define DIR_OPEN_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#else
#define DIR_OPEN_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#endif

#define UNTRUSTED_OWNER "neither root nor the user ptrmilter was started as"

/* One walk in progress. */
struct walk {
	long trusted_uid;
	int dirfd;		/* the checked directory we stand in */
	bool shared;		/* it is a root-owned sticky one that
				   group or others may write */
	unsigned links;		/* symbolic links followed so far */
	char where[PATH_MAX];	/* its path as walked, for messages */
	char rest[PATH_MAX];	/* the components still to walk */
	struct safe_file *out;
};

static bool trusted(const struct walk *w, uid_t uid);
static int refuse(struct walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int fail(struct walk *w, int error);
static int join(const char *dir, const char *name, char *buf, size_t size);
static int check_dir(struct walk *w, int fd);
static int enter_root(struct walk *w);
static int check_entry(struct walk *w, const char *name, uid_t owner);
static int check_links(struct walk *w, const char *name,
    const struct stat *st);
static int next_name(struct walk *w, char *name, size_t size, bool *last);
static int follow_link(struct walk *w, const char *name);
static int step_into(struct walk *w, const char *name);
static int step_up(struct walk *w);
static int open_last(struct walk *w, const char *name, int flags);
static int walk_step(struct walk *w, const char *name, bool last, int flags);
static int walk_start(struct walk *w, const char *path);

static bool
trusted(const struct walk *w, uid_t uid)
{
	return uid == 0 || (long)uid == w->trusted_uid;
}

static int
refuse(struct walk *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(w->out->why, sizeof(w->out->why), fmt, ap);
	va_end(ap);
	w->out->error = 0;
	return -1;
}

static int
fail(struct walk *w, int error)
{
	w->out->error = error != 0 ? error : EIO;
	(void)snprintf(w->out->why, sizeof(w->out->why), "%s",
	    strerror(w->out->error));
	return -1;
}

/* "/" and "etc" make "/etc"; "/etc" and "x" make "/etc/x".  Returns 0,
 * or -1 when it was cut to fit. */
static int
join(const char *dir, const char *name, char *buf, size_t size)
{
	size_t n = strlen(dir);
	int len = snprintf(buf, size, "%s%s%s", dir,
	    n > 0 && dir[n - 1] == '/' ? "" : "/", name);

	return len >= 0 && (size_t)len < size ? 0 : -1;
}

/* Checks the directory open as fd, whose path is w->where, and makes it
 * the one the walk stands in. */
static int
check_dir(struct walk *w, int fd)
{
	struct stat st;
	unsigned mode, writable;
	const char *who;

	if (fstat(fd, &st) != 0) {
		close(fd);
		return fail(w, errno);
	}
	if (w->dirfd >= 0)
		close(w->dirfd);
	w->dirfd = fd;
	mode = (unsigned)st.st_mode & 07777;
	if (!trusted(w, st.st_uid))
		return refuse(w, "directory %s is owned by user %ld, "
		    UNTRUSTED_OWNER ": refused; chown root %s", w->where,
		    (long)st.st_uid, w->where);
	writable = mode & (S_IWGRP | S_IWOTH);
	w->shared = writable != 0 && (mode & S_ISVTX) != 0 && st.st_uid == 0;
	if (writable != 0 && !w->shared) {
		who = writable == (S_IWGRP | S_IWOTH) ? "group and others" :
		    writable == S_IWGRP ? "group" : "others";
		return refuse(w, "directory %s is writable by %s (mode %04o): "
		    "refused; chmod go-w %s", w->where, who, mode, w->where);
	}
	return 0;
}

static int
enter_root(struct walk *w)
{
	int fd = open("/", DIR_OPEN_FLAGS);

	if (fd < 0)
		return fail(w, errno);
	(void)snprintf(w->where, sizeof(w->where), "/");
	return check_dir(w, fd);
}

/* In a shared directory anyone may create a name, so the entry on the
 * way must be a trusted user's: then only they may rename or remove it. */
static int
check_entry(struct walk *w, const char *name, uid_t owner)
{
	char path[PATH_MAX];

	if (!w->shared || trusted(w, owner))
		return 0;
	(void)join(w->where, name, path, sizeof(path));
	return refuse(w, "%s in sticky directory %s is owned by user %ld, "
	    UNTRUSTED_OWNER ": refused", path, w->where, (long)owner);
}

/* Takes the first component off w->rest into name; *last when no other
 * follows.  An empty name: nothing was left. */
static int
next_name(struct walk *w, char *name, size_t size, bool *last)
{
	char *s = w->rest, *end, *d;
	size_t n;

	while (*s == '/')
		s++;
	end = strchr(s, '/');
	n = end != NULL ? (size_t)(end - s) : strlen(s);
	if (n >= size)
		return fail(w, ENAMETOOLONG);
	memcpy(name, s, n);
	name[n] = '\0';
	s += n;
	while (*s == '/')
		s++;
	/* What is left moves to the front: a forward copy, the target
	 * before the source (valgrind 3.19 takes glibc's fortified memmove
	 * for a memcpy and reports the overlap). */
	for (d = w->rest; (*d = *s) != '\0'; d++, s++)
		;
	*last = w->rest[0] == '\0';
	return 0;
}

/* The link name sits in the checked directory: its target, then what
 * was left, is walked next, from / when the target is absolute. */
static int
follow_link(struct walk *w, const char *name)
{
	char target[PATH_MAX], joined[PATH_MAX];
	ssize_t n;

	if (++w->links > SAFE_FILE_LINKS_MAX)
		return refuse(w, "more than %d symbolic links under %s",
		    SAFE_FILE_LINKS_MAX, w->where);
	n = readlinkat(w->dirfd, name, target, sizeof(target));
	if (n < 0)
		return fail(w, errno);
	if ((size_t)n >= sizeof(target))
		return fail(w, ENAMETOOLONG);
	if (n == 0)
		return fail(w, ENOENT);
	target[n] = '\0';
	if ((size_t)snprintf(joined, sizeof(joined), "%s/%s", target,
	    w->rest) >= sizeof(joined))
		return fail(w, ENAMETOOLONG);
	memcpy(w->rest, joined, sizeof(w->rest));
	return target[0] == '/' ? enter_root(w) : 0;
}

static int
step_into(struct walk *w, const char *name)
{
	char path[PATH_MAX];
	int fd = openat(w->dirfd, name, DIR_OPEN_FLAGS);

	if (fd < 0)
		return fail(w, errno);
	if (join(w->where, name, path, sizeof(path)) != 0) {
		close(fd);
		return fail(w, ENAMETOOLONG);
	}
	memcpy(w->where, path, sizeof(w->where));
	return check_dir(w, fd);
}

/* "..": the parent the kernel finds, checked like any other. */
static int
step_up(struct walk *w)
{
	int fd = openat(w->dirfd, "..", DIR_OPEN_FLAGS);
	char *slash;

	if (fd < 0)
		return fail(w, errno);
	slash = strrchr(w->where, '/');
	if (slash != NULL && slash != w->where)
		*slash = '\0';
	else
		(void)snprintf(w->where, sizeof(w->where), "/");
	return check_dir(w, fd);
}

static int
open_last(struct walk *w, const char *name, int flags)
{
	struct stat st;
	int fd;

	fd = openat(w->dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY);
	if (fd < 0)
		return fail(w, errno);
	if (fstat(fd, &st) != 0 || check_entry(w, name, st.st_uid) != 0 ||
	    check_links(w, name, &st) != 0) {
		if (w->out->why[0] == '\0')
			(void)fail(w, errno);
		close(fd);
		return -1;
	}
	w->out->fd = fd;
	return 0;
}

/* Anyone may make a hard link in a shared directory to a file they may
 * not read (where the kernel does not forbid it: fs.protected_hardlinks),
 * and its owner is then the file's: one name only, as sendmail's
 * safefile() asks. */
static int
check_links(struct walk *w, const char *name, const struct stat *st)
{
	char path[PATH_MAX];

	if (!w->shared || S_ISDIR(st->st_mode) || st->st_nlink <= 1)
		return 0;
	(void)join(w->where, name, path, sizeof(path));
	return refuse(w, "%s in sticky directory %s has %lu hard links: "
	    "refused", path, w->where, (unsigned long)st->st_nlink);
}

static int
walk_step(struct walk *w, const char *name, bool last, int flags)
{
	struct stat st;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    name[0] == '\0') {
		if (strcmp(name, "..") == 0 && step_up(w) != 0)
			return -1;
		return last ? open_last(w, ".", flags) : 0;
	}
	if (fstatat(w->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return fail(w, errno);
	if (check_entry(w, name, st.st_uid) != 0)
		return -1;
	if (S_ISLNK(st.st_mode))
		return follow_link(w, name);
	return last ? open_last(w, name, flags) : step_into(w, name);
}

/* The path to walk, made absolute: the working directory's ancestors
 * are checked like any other. */
static int
walk_start(struct walk *w, const char *path)
{
	char cwd[PATH_MAX];
	int n;

	if (path[0] == '/')
		n = snprintf(w->rest, sizeof(w->rest), "%s", path);
	else if (getcwd(cwd, sizeof(cwd)) == NULL)
		return fail(w, errno);
	else
		n = snprintf(w->rest, sizeof(w->rest), "%s/%s", cwd, path);
	if (n < 0 || (size_t)n >= sizeof(w->rest))
		return fail(w, ENAMETOOLONG);
	return enter_root(w);
}

int
safe_file_open(const char *path, long trusted_uid, int flags,
    struct safe_file *out)
{
	struct walk *w = calloc(1, sizeof(*w));
	char name[NAME_MAX + 1];
	bool last = false;
	int ret = -1;

	out->fd = -1;
	out->error = 0;
	out->why[0] = '\0';
	if (w == NULL) {
		out->error = ENOMEM;
		(void)snprintf(out->why, sizeof(out->why), "%s",
		    strerror(ENOMEM));
		return -1;
	}
	w->trusted_uid = trusted_uid;
	w->dirfd = -1;
	w->out = out;
	if (walk_start(w, path) != 0)
		goto end;
	while (out->fd < 0) {
		if (next_name(w, name, sizeof(name), &last) != 0 ||
		    walk_step(w, name, last, flags) != 0)
			goto end;
	}
	ret = 0;
end:
	if (w->dirfd >= 0)
		close(w->dirfd);
	free(w);
	return ret;
}
