/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon_preflight.c - why the milter socket cannot be opened, found
 * before libmilter tries; see daemon.h.
 *
 * libmilter reports only that opening its socket failed.  An operator
 * starting the daemon under systemd needs the cause and the fix in the
 * one line the journal shows: the directory that does not exist or that
 * the daemon's user cannot write, the port that is taken.  So the same
 * steps are tried here first, and undone.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

static int unix_preflight(const char *spec, const char *path, char *err,
    size_t size);
static int inet_preflight(const char *spec, const char *where, int family,
    char *err, size_t size);
static const char *user_name(void);
static const char *missing_dir_fix(const char *dir);

/* Postfix's queue directory, where the socket for a chrooted smtpd (the
 * Debian package's) lives, in a directory of group postfix. */
#define POSTFIX_QUEUE_DIR "/var/spool/postfix/"

int
daemon_socket_preflight(const char *spec, char *err, size_t size)
{
	const char *path = daemon_unix_path(spec);

	if (path != NULL)
		return unix_preflight(spec, path, err, size);
	if (strncmp(spec, "inet:", 5) == 0)
		return inet_preflight(spec, spec + 5, AF_INET, err, size);
	if (strncmp(spec, "inet6:", 6) == 0)
		return inet_preflight(spec, spec + 6, AF_INET6, err, size);
	return 0;
}

static const char *
user_name(void)
{
	struct passwd *pw = getpwuid(geteuid());

	return pw != NULL ? pw->pw_name : "this user";
}

static int
unix_preflight(const char *spec, const char *path, char *err, size_t size)
{
	struct sockaddr_un sun;
	char dir[sizeof(sun.sun_path)];
	const char *slash;
	struct stat st;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, size, "socket %s: the path is longer than the "
		    "%zu bytes a unix socket allows; choose a shorter one",
		    spec, sizeof(sun.sun_path) - 1);
		return -1;
	}
	slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &st) == -1) {
		const char *why = strerror(errno);

		snprintf(err, size, "socket %s: directory %s: %s; %s", spec,
		    dir, why, missing_dir_fix(dir));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, size, "socket %s: %s is not a directory; choose "
		    "another socket", spec, dir);
		return -1;
	}
	/* The real ids: the daemon opens its socket before it switches
	 * user, as whoever started it. */
	if (access(dir, W_OK | X_OK) == -1) {
		const char *why = strerror(errno);	/* before getpwuid() */

		snprintf(err, size, "socket %s: directory %s is not writable "
		    "by %s (%s); give that user the directory or choose "
		    "another socket", spec, dir, user_name(), why);
		return -1;
	}
	return 0;
}

/* The tmpfiles.d entry makes the Postfix socket directory in group
 * postfix, so it skips it on a host without Postfix: say that, and what a
 * Sendmail host listens on instead, rather than "create it". */
static const char *
missing_dir_fix(const char *dir)
{
	if (strncmp(dir, POSTFIX_QUEUE_DIR, strlen(POSTFIX_QUEUE_DIR)) == 0)
		return "it is made (group postfix) by the tmpfiles.d entry "
		    "once Postfix is installed: install Postfix, then run "
		    "systemd-tmpfiles --create ptrmilter.conf; without "
		    "Postfix choose another socket, such as "
		    "unix:/run/ptrmilter/ptrmilter.sock";
	return "create it (the systemd unit and tmpfiles.d entry do) or "
	    "choose another socket";
}

/* "PORT@HOST" (or "PORT" alone: any address), as libmilter reads it. */
static int
inet_preflight(const char *spec, const char *where, int family, char *err,
    size_t size)
{
	char port[16];
	const char *at = strchr(where, '@'), *host = NULL;
	struct addrinfo hints, *ai = NULL;
	int fd, rc, one = 1, saved;

	if (at != NULL)
		host = at + 1;
	else
		at = where + strlen(where);
	if ((size_t)(at - where) >= sizeof(port))
		return 0;	/* libmilter will say it is bad */
	snprintf(port, sizeof(port), "%.*s", (int)(at - where), where);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host != NULL && *host != '\0' ? host : NULL, port,
	    &hints, &ai);
	if (rc != 0) {
		snprintf(err, size, "socket %s: %s; give a port number and an "
		    "address of this host", spec, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd == -1) {
		freeaddrinfo(ai);
		return 0;	/* not the socket's fault: libmilter reports */
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rc = bind(fd, ai->ai_addr, ai->ai_addrlen);
	saved = errno;
	close(fd);
	freeaddrinfo(ai);
	if (rc == 0)
		return 0;
	switch (saved) {
	case EADDRINUSE:
		snprintf(err, size, "socket %s: port %s is in use (another "
		    "ptrmilter, or another service); stop it or choose "
		    "another port", spec, port);
		break;
	case EACCES:
		snprintf(err, size, "socket %s: port %s needs privileges %s "
		    "does not have; choose a port of 1024 or above", spec,
		    port, user_name());
		break;
	case EADDRNOTAVAIL:
		snprintf(err, size, "socket %s: %s is not an address of this "
		    "host; choose one that is", spec, host);
		break;
	default:
		snprintf(err, size, "socket %s: %s", spec, strerror(saved));
		break;
	}
	return -1;
}
