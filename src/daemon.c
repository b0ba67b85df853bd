/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon.c - socket, user and background chores; see daemon.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

static int ready_fd = -1;

static int user_ids(const char *user, uid_t *uid, gid_t *gid, char *err,
    size_t size);
static int fd_chmod(int fd, mode_t mode);

const char *
daemon_unix_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	if (spec[0] == '/')
		return spec;
	return NULL;
}

int
daemon_clear_stale_socket(const char *path, char *err, size_t size)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, size, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, size, "%s exists and is not a socket; not "
		    "removing it", path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, size, "%s: socket path too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd == -1) {
		snprintf(err, size, "socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		snprintf(err, size, "%s is in use by a running filter; not "
		    "taking it over", path);
		return -1;
	}
	if (errno != ECONNREFUSED) {
		snprintf(err, size, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Nobody listens: left behind by a filter that died. */
	if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(err, size, "cannot remove stale socket %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
user_ids(const char *user, uid_t *uid, gid_t *gid, char *err, size_t size)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		snprintf(err, size, "user %s: %s; create it (the sysusers.d "
		    "entry makes ptrmilter) or set user to one that exists",
		    user, errno != 0 ? strerror(errno) : "no such user");
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/*
 * The socket's directory may be writable by the user we hand the socket
 * to (both of the unit's directories are), so between bind() and here
 * that user may have put a symbolic link, or a hard link to a file of
 * root's, in the socket's place; root would then change the target.  So
 * nothing is done by path: the entry is opened without following a link,
 * taken only if it is the socket just made - a socket, ours, with no
 * other name - and changed through that descriptor, which stays on that
 * inode whatever happens to the name meanwhile.
 */
int
daemon_socket_access(const char *path, unsigned mode, const char *user,
    char *err, size_t size)
{
	struct stat st;
	uid_t uid;
	gid_t gid;
	int fd, ret = -1;

	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		snprintf(err, size, "socket %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, size, "socket %s: %s", path, strerror(errno));
		goto end;
	}
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_nlink != 1) {
		snprintf(err, size, "socket %s was replaced after it was made "
		    "(now %s); not changing it: keep the socket's directory "
		    "writable by the daemon's user alone", path,
		    !S_ISSOCK(st.st_mode) ? "not a socket" :
		    st.st_uid != geteuid() ? "another user's socket" :
		    "a socket with other names");
		goto end;
	}
	/* Born with the mode (main.c sets the umask); a default ACL on the
	 * directory overrides the umask, though, so it is checked. */
	if ((st.st_mode & 07777) != (mode_t)mode &&
	    fd_chmod(fd, (mode_t)mode) == -1) {
		snprintf(err, size, "chmod %s: %s", path, strerror(errno));
		goto end;
	}
	if (user == NULL) {
		ret = 0;
		goto end;
	}
	if (user_ids(user, &uid, &gid, err, size) == -1)
		goto end;
	/* A group the directory gave (set-group-ID) is the one the MTA is
	 * let in by: it is kept. */
	if (st.st_gid != getegid())
		gid = (gid_t)-1;
	if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) == -1) {
		snprintf(err, size, "chown %s: %s", path, strerror(errno));
		goto end;
	}
	ret = 0;
end:
	close(fd);
	return ret;
}

/* chmod of the inode fd (an O_PATH descriptor) stands for: fchmod()
 * refuses O_PATH descriptors, and /proc/self/fd names that inode and no
 * other. */
static int
fd_chmod(int fd, mode_t mode)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return chmod(proc, mode);
}

int
daemon_drop_privileges(const char *user, char *err, size_t size)
{
	uid_t uid;
	gid_t gid;

	if (user_ids(user, &uid, &gid, err, size) == -1)
		return -1;
	if (getuid() == uid && geteuid() == uid)
		return 0;
	if (initgroups(user, gid) == -1 || setgid(gid) == -1 ||
	    setuid(uid) == -1) {
		snprintf(err, size, "cannot switch to user %s: %s", user,
		    strerror(errno));
		return -1;
	}
	/* Make sure there is no way back. */
	if (uid != 0 && (setuid(0) == 0 || geteuid() != uid)) {
		snprintf(err, size, "switching to user %s did not stick",
		    user);
		return -1;
	}
	return 0;
}

/* Signals are blocked from the start, so a stop or reload sent to this
 * process while it started is still pending here - and a child never
 * inherits pending signals.  They are the daemon's: handed to it as a
 * byte of flags over the start-up socket, so that it acts on them before
 * it serves.  A signal forwarded with kill() would reach it at a random
 * point of libmilter's start, whose signal thread then stops a listener
 * that is still starting (a failure, and a destroyed mutex used). */
static unsigned char
pending_flags(void)
{
	sigset_t pending;
	unsigned char flags = 0;

	if (sigpending(&pending) == -1)
		return 0;
	if (sigismember(&pending, SIGTERM) == 1 ||
	    sigismember(&pending, SIGINT) == 1 ||
	    sigismember(&pending, SIGHUP) == 1)
		flags |= DAEMON_HANDED_STOP;
	if (sigismember(&pending, SIGUSR1) == 1)
		flags |= DAEMON_HANDED_RELOAD;
	return flags;
}

int
daemon_background(char *err, size_t size)
{
	int fds[2], null_fd;
	pid_t pid;

	/* Two-way: the child says how start-up ended, the parent answers
	 * with the signals it was sent meanwhile. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == -1) {
		snprintf(err, size, "socketpair: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == -1) {
		snprintf(err, size, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		char msg[1024];
		size_t got = 0;
		ssize_t n;

		close(fds[1]);
		/* The child shuts its writing side after its message. */
		while (got + 1 < sizeof(msg) &&
		    (n = read(fds[0], msg + got, sizeof(msg) - 1 - got)) != 0) {
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1)
				break;
			got += (size_t)n;
		}
		msg[got] = '\0';
		if (got == 2 && strcmp(msg, "OK") == 0) {
			unsigned char flags = pending_flags();

			(void)!write(fds[0], &flags, 1);
			_exit(0);
		}
		fprintf(stderr, "ptrmilter: %s\n", got > 0 ? msg :
		    "start-up failed; see the mail log");
		_exit(1);
	}
	close(fds[0]);
	ready_fd = fds[1];
	if (setsid() == -1) {
		snprintf(err, size, "setsid: %s", strerror(errno));
		return -1;
	}
	if (chdir("/") == -1) {
		snprintf(err, size, "chdir /: %s", strerror(errno));
		return -1;
	}
	null_fd = open("/dev/null", O_RDWR);
	if (null_fd != -1) {
		(void)dup2(null_fd, STDIN_FILENO);
		(void)dup2(null_fd, STDOUT_FILENO);
		(void)dup2(null_fd, STDERR_FILENO);
		if (null_fd > STDERR_FILENO)
			close(null_fd);
	}
	return 0;
}

unsigned
daemon_ready(const char *error)
{
	const char *msg = error != NULL ? error : "OK";
	unsigned char flags = 0;
	ssize_t n;

	if (ready_fd == -1)
		return 0;
	(void)!write(ready_fd, msg, strlen(msg));
	(void)shutdown(ready_fd, SHUT_WR);
	/* The parent answers at once; a parent that is gone answers none. */
	if (error == NULL)
		while ((n = read(ready_fd, &flags, 1)) == -1 && errno == EINTR)
			;
	close(ready_fd);
	ready_fd = -1;
	return flags & (DAEMON_HANDED_STOP | DAEMON_HANDED_RELOAD);
}
