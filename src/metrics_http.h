/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_http.h - serving the counters of metrics.h at GET /metrics,
 * with libmicrohttpd; the only file that knows that library.
 *
 * Opening the socket and serving it are two steps because of the
 * daemon's start-up order: the socket is bound while still privileged
 * (metrics_listen may name a port below 1024) and before going into the
 * background, so that a port in use stops the start with a message on
 * the terminal; the thread that serves it can only start after fork().
 *
 * Threading: libmicrohttpd's one internal thread serves every request;
 * it reads the atomic counters and nothing else of the daemon's, so no
 * scrape, however slow, can hold up a milter callback.
 */
#ifndef PTRMILTER_METRICS_HTTP_H
#define PTRMILTER_METRICS_HTTP_H

#include <stddef.h>

/* At most this many scrapers at once; further connections are closed. */
#define METRICS_HTTP_CONNECTIONS 16
/* Seconds an idle or slow connection is kept. */
#define METRICS_HTTP_TIMEOUT 5

struct metrics_http;

/* Opens the listening socket for a metrics_listen value ("127.0.0.1:9357",
 * "[::1]:9357", as the policy parser accepts them), bound to exactly that
 * address (an IPv6 one for IPv6 only).  Returns the descriptor, or -1 with
 * a one-line message in err that names the value and the fix. */
int metrics_http_listen(const char *listen, char *err, size_t size);

/* Starts serving fd (from metrics_http_listen(), which is the server's
 * from now on) in libmicrohttpd's own thread: GET or HEAD /metrics gets
 * the Prometheus text, another path 404, another method 405.  Call it
 * with the signals blocked that only the signal thread may take.
 * Returns the server, or NULL with err set. */
struct metrics_http *metrics_http_start(int fd, char *err, size_t size);

/* Stops the thread, waiting for a request being served, and closes the
 * socket.  NULL is a no-op. */
void metrics_http_stop(struct metrics_http *m);

#endif
