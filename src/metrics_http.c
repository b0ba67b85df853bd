/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_http.c - GET /metrics over libmicrohttpd; see metrics_http.h.
 *
 * libmicrohttpd does the HTTP: request parsing, keep-alive, HEAD, limits
 * and timeouts.  We only bind the socket (so that the error is ours to
 * word, and so that it can happen before privileges are dropped) and
 * answer one path.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "log.h"
#include "metrics.h"
#include "metrics_http.h"

/* enum MHD_Result replaced int in the callbacks' return type in 0.9.71. */
#if MHD_VERSION < 0x00097002
typedef int mhd_result;
#else
typedef enum MHD_Result mhd_result;
#endif

#define METRICS_PATH "/metrics"
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define LISTEN_BACKLOG 16

struct metrics_http {
	struct MHD_Daemon *daemon;
};

static int split_listen(const char *listen, char *host, size_t hsize,
    const char **port);
static const char *bind_hint(int error);
static mhd_result on_request(void *arg, struct MHD_Connection *c,
    const char *url, const char *method, const char *version,
    const char *upload_data, size_t *upload_size, void **state);
static mhd_result reply_text(struct MHD_Connection *c, unsigned status,
    const char *text, const char *allow);
static mhd_result reply_metrics(struct MHD_Connection *c);
static void log_mhd(void *arg, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* "[v6]:port" or "v4:port" into host and port; the policy parser has
 * checked the form already. */
static int
split_listen(const char *listen, char *host, size_t hsize, const char **port)
{
	const char *begin = listen, *end;

	if (listen[0] == '[') {
		begin = listen + 1;
		end = strchr(begin, ']');
		if (end == NULL || end[1] != ':')
			return -1;
		*port = end + 2;
	} else {
		end = strrchr(listen, ':');
		if (end == NULL)
			return -1;
		*port = end + 1;
	}
	if ((size_t)(end - begin) >= hsize)
		return -1;
	memcpy(host, begin, (size_t)(end - begin));
	host[end - begin] = '\0';
	return 0;
}

static const char *
bind_hint(int error)
{
	switch (error) {
	case EADDRINUSE:
		return "choose another port or set metrics_listen = none";
	case EADDRNOTAVAIL:
		return "use an address of this host or set metrics_listen = "
		    "none";
	case EACCES:
		return "start as root, use a port from 1024 up, or set "
		    "metrics_listen = none";
	default:
		break;
	}
	return "fix metrics_listen or set it to none";
}

int
metrics_http_listen(const char *listen_text, char *err, size_t size)
{
	struct addrinfo hints, *ai = NULL;
	char host[128];
	const char *port;
	int fd = -1, on = 1, rc, saved;

	if (split_listen(listen_text, host, sizeof(host), &port) == -1) {
		snprintf(err, size, "metrics_listen %s: not ADDRESS:PORT; fix "
		    "it or set metrics_listen = none", listen_text);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0) {
		snprintf(err, size, "metrics_listen %s: %s; fix it or set "
		    "metrics_listen = none", listen_text, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd == -1)
		goto fail;
	/* A restart must not wait out the last run's TIME_WAIT; Linux still
	 * refuses a port someone else listens on. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* Exactly the address given: [::1] is not also 127.0.0.1.  A mapped
	 * address can only be bound by a dual-stack socket. */
	if (ai->ai_family == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(
	    &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr))
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
		    sizeof(on));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, LISTEN_BACKLOG) == -1)
		goto fail;
	freeaddrinfo(ai);
	return fd;

fail:
	saved = errno;
	snprintf(err, size, "metrics_listen %s: %s; %s", listen_text,
	    strerror(saved), bind_hint(saved));
	if (fd != -1)
		close(fd);
	freeaddrinfo(ai);
	return -1;
}

struct metrics_http *
metrics_http_start(int fd, char *err, size_t size)
{
	struct metrics_http *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		snprintf(err, size, "metrics: out of memory");
		return NULL;
	}
	/* The logger comes first, so that it hears about the options too. */
	m->daemon = MHD_start_daemon(MHD_USE_POLL_INTERNAL_THREAD |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_HTTP_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_HTTP_TIMEOUT,
	    MHD_OPTION_END);
	if (m->daemon == NULL) {
		snprintf(err, size, "metrics: libmicrohttpd did not start "
		    "(run with -v for its reason)");
		free(m);
		return NULL;
	}
	return m;
}

void
metrics_http_stop(struct metrics_http *m)
{
	if (m == NULL)
		return;
	/* Joins the thread and closes the listening socket too. */
	MHD_stop_daemon(m->daemon);
	free(m);
}

/* Any path but ours is 404, whatever the method; ours takes GET and HEAD
 * (libmicrohttpd leaves out the body of a HEAD reply).  A request body is
 * never read: the reply is queued at once and libmicrohttpd closes the
 * connection after it. */
static mhd_result
on_request(void *arg, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **state)
{
	(void)arg;
	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)state;
	if (strcmp(url, METRICS_PATH) != 0)
		return reply_text(c, MHD_HTTP_NOT_FOUND, "Not Found: metrics "
		    "are at " METRICS_PATH "\n", NULL);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "Method Not Allowed\n", "GET, HEAD");
	return reply_metrics(c);
}

static mhd_result
reply_text(struct MHD_Connection *c, unsigned status, const char *text,
    const char *allow)
{
	struct MHD_Response *r;
	mhd_result rc;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	if (allow != NULL)
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* The text is made per request from a copy of the counters: nothing is
 * shared with the milter threads but the atomics themselves. */
static mhd_result
reply_metrics(struct MHD_Connection *c)
{
	struct metrics_values v;
	struct MHD_Response *r;
	mhd_result rc;
	char *text;

	text = malloc(METRICS_TEXT_MAX);
	if (text == NULL)
		return MHD_NO;
	metrics_read(&v);
	if (metrics_format(&v, text, METRICS_TEXT_MAX) == -1) {
		free(text);
		log_err("metrics: the exposition did not fit in %d bytes",
		    METRICS_TEXT_MAX);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Internal Server Error\n", NULL);
	}
	r = MHD_create_response_from_buffer(strlen(text), text,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		return MHD_NO;
	}
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    CONTENT_TYPE);
	rc = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

/* Its complaints are about scrapers (too many, too slow, malformed):
 * worth a look when debugging, not a line each in the mail log. */
static void
log_mhd(void *arg, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)arg;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_debug("metrics: %s", msg);
}
