/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon_tune.c - descriptor limit, thread stacks, TCP_NODELAY; see
 * daemon_tune.h.
 */
#include "config.h"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "daemon_tune.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static int listening_tcp(int fd);

long
daemon_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t want = rl.rlim_max;

		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1 &&
		    getrlimit(RLIMIT_NOFILE, &rl) == -1)
			return -1;
	}
	return rl.rlim_cur == RLIM_INFINITY ? -1 : (long)rl.rlim_cur;
}

int
daemon_thread_stack(size_t bytes)
{
#ifdef UNDER_ASAN
	(void)bytes;
	return 0;
#else
	pthread_attr_t attr;
	int rc;

	if (pthread_getattr_default_np(&attr) != 0)
		return -1;
	rc = pthread_attr_setstacksize(&attr, bytes) == 0 &&
	    pthread_setattr_default_np(&attr) == 0 ? 0 : -1;
	pthread_attr_destroy(&attr);
	return rc;
#endif
}

int
daemon_tcp_nodelay(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	int one = 1, n = 0;

	if (dir == NULL)
		return 0;
	while ((e = readdir(dir)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end != '\0' || fd < 0 || fd == dirfd(dir) ||
		    !listening_tcp((int)fd))
			continue;
		if (setsockopt((int)fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one)) == 0)
			n++;
	}
	closedir(dir);
	return n;
}

static int
listening_tcp(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int listening = 0, type = 0;
	socklen_t olen = sizeof(listening);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
	    &olen) == -1 || !listening)
		return 0;
	olen = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &olen) == -1 ||
	    type != SOCK_STREAM)
		return 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	return ss.ss_family == AF_INET || ss.ss_family == AF_INET6;
}
