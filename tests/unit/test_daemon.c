/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_daemon.c - unit tests for daemon_socket_access(): the milter
 * socket's mode and owner are set on the socket just made and on nothing
 * a link points at.
 *
 * The daemon sets them as root in a directory its user may write, so
 * that user can swap the socket for a link between bind() and the
 * change.  The swap is made here before the call, which is the same
 * thing without the race: each replacement must be refused and its
 * target left exactly as it was.  Rows that change owners run as root
 * only (they are skipped otherwise); the rest run as anyone.
 * And daemon_socket_preflight()'s word on a missing socket directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
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

#include "daemon.h"

/* What daemon_socket_access() is asked for, and a mode nobody asks for:
 * a target that ends up with the first was changed through a link. */
#define WANT_MODE 0666
#define TARGET_MODE 0600
/* A group no account has, for the set-group-ID directory. */
#define DIR_GID 4242

/* What stands at the socket's path when daemon_socket_access() runs. */
enum entry {
	ENTRY_SYMLINK_TO_FILE,		/* the swap of the issue */
	ENTRY_SYMLINK_TO_SOCKET,	/* to a socket root made elsewhere */
	ENTRY_HARDLINK_TO_FILE,		/* a second name of root's file */
	ENTRY_HARDLINK_TO_SOCKET,	/* a second name of root's socket */
	ENTRY_OTHER_USERS_SOCKET,	/* the user's own socket (root only) */
	ENTRY_FILE			/* a plain file in its place */
};

struct scratch {
	char dir[64];
	char path[128];		/* where the socket belongs */
	char target[128];	/* what a link points at */
	int fds[2];		/* sockets kept open */
};

static void scratch_open(struct scratch *s);
static void scratch_close(struct scratch *s);
static int bind_socket(const char *path, mode_t mask);
static void make_file(const char *path);
static void make_entry(struct scratch *s, enum entry e);
static const char *test_user(void);
static bool is_root(void);

static bool
is_root(void)
{
	return geteuid() == 0;
}

/* The user the socket is handed to: one other than root when root, so
 * that a change shows; else ourselves, which needs no privilege. */
static const char *
test_user(void)
{
	static char name[256];
	struct passwd *pw = is_root() ? getpwnam("nobody") :
	    getpwuid(geteuid());

	if (pw == NULL)
		fail_msg("no user to hand the socket to");
	/* A copy: getpwnam(test_user()) would read the buffer it fills. */
	snprintf(name, sizeof(name), "%s", pw->pw_name);
	return name;
}

static void
scratch_open(struct scratch *s)
{
	memset(s, 0, sizeof(*s));
	s->fds[0] = s->fds[1] = -1;
	snprintf(s->dir, sizeof(s->dir), "/tmp/test_daemon.XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(s->path, sizeof(s->path), "%s/ptrmilter.sock", s->dir);
	snprintf(s->target, sizeof(s->target), "%s/shadow", s->dir);
}

static void
scratch_close(struct scratch *s)
{
	for (int i = 0; i < 2; i++)
		if (s->fds[i] != -1)
			close(s->fds[i]);
	(void)unlink(s->path);
	(void)unlink(s->target);
	(void)rmdir(s->dir);
}

/* A listening unix socket at path, born under mask; returns its fd. */
static int
bind_socket(const char *path, mode_t mask)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_not_equal(fd, -1);
	old = umask(mask);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1 || listen(fd, 1) == -1)
		fail_msg("bind %s: %s", path, strerror(errno));
	return fd;
}

/* A root-only file of TARGET_MODE at path. */
static void
make_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, TARGET_MODE);

	assert_int_not_equal(fd, -1);
	assert_int_equal(write(fd, "root:x:0:\n", 10), 10);
	close(fd);
	assert_int_equal(chmod(path, TARGET_MODE), 0);
}

static void
make_entry(struct scratch *s, enum entry e)
{
	struct passwd *pw;

	switch (e) {
	case ENTRY_SYMLINK_TO_FILE:
		make_file(s->target);
		assert_int_equal(symlink(s->target, s->path), 0);
		break;
	case ENTRY_SYMLINK_TO_SOCKET:
		s->fds[1] = bind_socket(s->target, 0177);
		assert_int_equal(symlink(s->target, s->path), 0);
		break;
	case ENTRY_HARDLINK_TO_FILE:
		make_file(s->target);
		assert_int_equal(link(s->target, s->path), 0);
		break;
	case ENTRY_HARDLINK_TO_SOCKET:
		s->fds[1] = bind_socket(s->target, 0177);
		assert_int_equal(link(s->target, s->path), 0);
		break;
	case ENTRY_OTHER_USERS_SOCKET:
		pw = getpwnam(test_user());
		s->fds[0] = bind_socket(s->path, 0177);
		assert_int_equal(lchown(s->path, pw->pw_uid, pw->pw_gid), 0);
		break;
	case ENTRY_FILE:
		make_file(s->path);
		break;
	}
}

static void
test_a_replaced_socket_is_refused_and_left_alone(void **state)
{
	static const struct {
		const char *name;
		enum entry entry;
		bool root_only;
	} rows[] = {
		{ "symlink to a file", ENTRY_SYMLINK_TO_FILE, false },
		{ "symlink to a socket", ENTRY_SYMLINK_TO_SOCKET, false },
		{ "hard link to a file", ENTRY_HARDLINK_TO_FILE, false },
		{ "hard link to a socket", ENTRY_HARDLINK_TO_SOCKET, false },
		{ "another user's socket", ENTRY_OTHER_USERS_SOCKET, true },
		{ "a plain file", ENTRY_FILE, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct scratch s;
		struct stat before, after;
		const char *watched;
		char err[512] = "";
		int rc;

		if (rows[i].root_only && !is_root())
			continue;
		scratch_open(&s);
		make_entry(&s, rows[i].entry);
		watched = rows[i].entry == ENTRY_OTHER_USERS_SOCKET ||
		    rows[i].entry == ENTRY_FILE ? s.path : s.target;
		assert_int_equal(lstat(watched, &before), 0);
		rc = daemon_socket_access(s.path, WANT_MODE, test_user(), err,
		    sizeof(err));
		assert_int_equal(lstat(watched, &after), 0);
		if (rc != -1 || err[0] == '\0')
			fail_msg("%s: accepted (%d, \"%s\")", rows[i].name, rc,
			    err);
		if (after.st_mode != before.st_mode ||
		    after.st_uid != before.st_uid ||
		    after.st_gid != before.st_gid)
			fail_msg("%s: changed from %o %d:%d to %o %d:%d",
			    rows[i].name, (unsigned)before.st_mode,
			    (int)before.st_uid, (int)before.st_gid,
			    (unsigned)after.st_mode, (int)after.st_uid,
			    (int)after.st_gid);
		if (strstr(err, "ptrmilter.sock") == NULL)
			fail_msg("%s: the message does not name the path: %s",
			    rows[i].name, err);
		scratch_close(&s);
	}
}

static void
test_the_socket_gets_the_mode_the_umask_did_not_give(void **state)
{
	struct scratch s;
	struct stat st;
	char err[512] = "";

	(void)state;
	scratch_open(&s);
	s.fds[0] = bind_socket(s.path, 0);
	assert_int_equal(daemon_socket_access(s.path, 0660, NULL, err,
	    sizeof(err)), 0);
	assert_int_equal(lstat(s.path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	scratch_close(&s);
}

/* The socket goes to the user; its group is the user's, unless the
 * directory is set-group-ID: the Postfix socket directory is, group
 * postfix, and the group it gives the socket is what lets Postfix in. */
static void
test_the_socket_goes_to_the_user(void **state)
{
	static const struct {
		const char *name;
		bool setgid_dir;
	} rows[] = {
		{ "plain directory: the user's group", false },
		{ "set-group-ID directory: its group", true },
	};

	(void)state;
	if (!is_root())
		skip();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct passwd *pw = getpwnam(test_user());
		struct scratch s;
		struct stat st;
		char err[512] = "";

		scratch_open(&s);
		if (rows[i].setgid_dir) {
			assert_int_equal(chown(s.dir, 0, DIR_GID), 0);
			assert_int_equal(chmod(s.dir, 02755), 0);
		}
		s.fds[0] = bind_socket(s.path, 0117);
		if (daemon_socket_access(s.path, 0660, pw->pw_name, err,
		    sizeof(err)) != 0)
			fail_msg("%s: %s", rows[i].name, err);
		assert_int_equal(lstat(s.path, &st), 0);
		if (st.st_uid != pw->pw_uid || (st.st_mode & 07777) != 0660 ||
		    st.st_gid != (rows[i].setgid_dir ? DIR_GID : pw->pw_gid))
			fail_msg("%s: %o %d:%d", rows[i].name,
			    (unsigned)st.st_mode, (int)st.st_uid,
			    (int)st.st_gid);
		scratch_close(&s);
	}
}

/* A socket directory that does not exist: the error names it, and the
 * fix fits the directory.  The Postfix one is missing on a host without
 * Postfix (its group does not exist), where "create it" would mislead. */
static void
test_a_missing_socket_directory_is_named_with_its_fix(void **state)
{
	static const struct {
		const char *spec;
		const char *want_dir, *want_fix;
	} rows[] = {
		{ "unix:/var/spool/postfix/ptrmilter-no-such-dir/ptrmilter.sock",
		  "directory /var/spool/postfix/ptrmilter-no-such-dir: ",
		  "once Postfix is installed" },
		{ "unix:/nonexistent-ptrmilter-test/ptrmilter.sock",
		  "directory /nonexistent-ptrmilter-test: ",
		  "; create it (the systemd unit and tmpfiles.d entry do)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char err[512] = "";

		assert_int_equal(daemon_socket_preflight(rows[i].spec, err,
		    sizeof(err)), -1);
		if (strstr(err, rows[i].want_dir) == NULL ||
		    strstr(err, rows[i].want_fix) == NULL)
			fail_msg("%s: %s", rows[i].spec, err);
		/* Not cut: the fix is the point of the line. */
		assert_true(strlen(err) < sizeof(err) - 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_a_replaced_socket_is_refused_and_left_alone),
		cmocka_unit_test(
		    test_the_socket_gets_the_mode_the_umask_did_not_give),
		cmocka_unit_test(test_the_socket_goes_to_the_user),
		cmocka_unit_test(
		    test_a_missing_socket_directory_is_named_with_its_fix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
