/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_state_redis_target.c - a Redis known by name is looked up again
 * after a fault (state_redis_target.c): the address a failover moved is
 * found without a restart, at most one lookup per second, a slow or
 * failing lookup never delays a call and leaves the address as it was;
 * and, through the engine, a GET that finds the old address refused
 * reaches the new one after the lookup.
 *
 * Names are resolved by a fake (redis_target_use_resolver()), so nothing
 * here depends on /etc/hosts or a DNS server; the "Redis" servers are
 * threads of this test listening on two loopback addresses.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "monotime.h"
#include "state_redis_impl.h"

#define NAME "redis.fleet.test"

/* The fake resolver: NAME is fake_addr (empty: no such name), after
 * fake_sleep_ms; every call counted. */
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static char fake_addr[REDIS_ADDR_MAX];
static unsigned fake_sleep_ms;
static atomic_uint fake_calls;

static int
fake_resolve(const char *host, char *addr, size_t addrlen, char *why,
    size_t whylen)
{
	char now[REDIS_ADDR_MAX];
	unsigned sleep_ms;

	atomic_fetch_add(&fake_calls, 1);
	pthread_mutex_lock(&fake_lock);
	memcpy(now, fake_addr, sizeof(now));
	sleep_ms = fake_sleep_ms;
	pthread_mutex_unlock(&fake_lock);
	if (sleep_ms > 0)
		usleep(sleep_ms * 1000);
	if (strcmp(host, NAME) != 0 || now[0] == '\0') {
		snprintf(why, whylen, "resolve %s: Name or service not known",
		    host);
		return -1;
	}
	snprintf(addr, addrlen, "%s", now);
	return 0;
}

static void
fake_set(const char *addr, unsigned sleep_ms)
{
	pthread_mutex_lock(&fake_lock);
	snprintf(fake_addr, sizeof(fake_addr), "%s", addr);
	fake_sleep_ms = sleep_ms;
	pthread_mutex_unlock(&fake_lock);
}

static int
setup(void **state)
{
	(void)state;
	redis_target_use_resolver(fake_resolve);
	atomic_store(&fake_calls, 0);
	fake_set("192.0.2.1", 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	redis_target_use_resolver(NULL);
	return 0;
}

static struct state_spec
spec_for(const char *host, unsigned port)
{
	struct state_spec spec;

	memset(&spec, 0, sizeof(spec));
	spec.kind = STATE_KIND_REDIS;
	spec.port = port;
	snprintf(spec.host, sizeof(spec.host), "%s", host);
	return spec;
}

/* t set to spec, which must resolve within 2 s. */
static void
target_set(struct redis_target *t, const struct state_spec *spec)
{
	char why[STATE_WHY_MAX];

	memset(t, 0, sizeof(*t));
	if (redis_target_set(t, spec, monotime_add_ms(monotime_now(), 2000),
	    why, sizeof(why)) != 0)
		fail_msg("%s", why);
}

static void
current_is(struct redis_target *t, const char *want)
{
	struct redis_target now;

	redis_target_current(t, &now);
	assert_string_equal(now.addr, want);
	assert_null(now.names);
}

/* Until the lookup after a fault has brought want addresses, 2 s at
 * most. */
static void
await_lookups(struct redis_target *t, unsigned want)
{
	int i;

	for (i = 0; i < 200 && redis_target_lookups(t) < want; i++)
		usleep(10 * 1000);
	assert_int_equal(redis_target_lookups(t), want);
}

static void
test_name_is_looked_up_again_after_a_fault_once_a_second(void **state)
{
	struct state_spec spec = spec_for(NAME, 6379);
	struct redis_target t;

	(void)state;
	target_set(&t, &spec);
	assert_string_equal(t.addr, "192.0.2.1");
	assert_int_equal(atomic_load(&fake_calls), 1);
	/* The failover: no fault seen yet, no lookup. */
	fake_set("192.0.2.2", 0);
	current_is(&t, "192.0.2.1");
	assert_int_equal(atomic_load(&fake_calls), 1);
	/* A fault: looked up again, and the next connection goes there. */
	redis_target_stale(&t);
	await_lookups(&t, 1);
	current_is(&t, "192.0.2.2");
	assert_int_equal(atomic_load(&fake_calls), 2);
	/* More faults within the second: no more lookups. */
	redis_target_stale(&t);
	redis_target_stale(&t);
	usleep(50 * 1000);
	assert_int_equal(atomic_load(&fake_calls), 2);
	/* A second later, a fault looks it up again. */
	fake_set("192.0.2.3", 0);
	usleep(STATE_BACKOFF_FIRST_MS * 1000);
	redis_target_stale(&t);
	await_lookups(&t, 2);
	current_is(&t, "192.0.2.3");
	redis_target_clear(&t);
	assert_null(t.names);
}

/* A slow lookup delays no connection (the last address known is used
 * meanwhile); a failed one leaves the address as it was. */
static void
test_slow_or_failed_lookup_keeps_the_address(void **state)
{
	struct state_spec spec = spec_for(NAME, 6379);
	struct redis_target t;
	struct timespec start;

	(void)state;
	target_set(&t, &spec);
	fake_set("", 300);
	start = monotime_now();
	redis_target_stale(&t);
	current_is(&t, "192.0.2.1");
	assert_true(monotime_diff_ms(start, monotime_now()) < 100);
	while (atomic_load(&fake_calls) < 2)
		usleep(10 * 1000);
	usleep(400 * 1000);
	assert_int_equal(redis_target_lookups(&t), 0);
	current_is(&t, "192.0.2.1");
	/* Cleared while a lookup runs: the lookup frees itself. */
	usleep(STATE_BACKOFF_FIRST_MS * 1000);
	redis_target_stale(&t);
	redis_target_clear(&t);
	usleep(400 * 1000);
}

/* An address or a socket is never looked up. */
static void
test_addresses_and_sockets_are_never_looked_up(void **state)
{
	struct state_spec spec = spec_for("192.0.2.9", 6379);
	struct redis_target t;

	(void)state;
	target_set(&t, &spec);
	assert_null(t.names);
	redis_target_stale(&t);
	current_is(&t, "192.0.2.9");
	spec.kind = STATE_KIND_REDIS_UNIX;
	snprintf(spec.path, sizeof(spec.path), "/run/redis/redis.sock");
	target_set(&t, &spec);
	redis_target_stale(&t);
	assert_null(t.names);
	usleep(50 * 1000);
	assert_int_equal(atomic_load(&fake_calls), 0);
	redis_target_clear(&t);
}

/* A Redis of this test on addr:port that answers PING with +PONG and
 * anything else with nil, one connection at a time, until stopped. */
struct mini_redis {
	int listener;
	atomic_int conn;
	atomic_bool stop;
	atomic_uint answered;
	pthread_t thread;
};

static void
mini_serve_one(struct mini_redis *m, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[2048];
	const char *reply;
	ssize_t n;

	atomic_store(&m->conn, fd);
	while (!atomic_load(&m->stop)) {
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		if (n <= 0)
			break;
		buf[n] = '\0';
		reply = strstr(buf, "PING") != NULL ? "+PONG\r\n" : "$-1\r\n";
		/* Counted before the client can see the reply. */
		atomic_fetch_add(&m->answered, 1);
		if (write(fd, reply, strlen(reply)) < 0)
			break;
	}
	atomic_store(&m->conn, -1);
	close(fd);
}

static void *
mini_run(void *arg)
{
	struct mini_redis *m = arg;
	struct pollfd pfd = { .fd = m->listener, .events = POLLIN };
	int fd;

	while (!atomic_load(&m->stop)) {
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		fd = accept(m->listener, NULL, NULL);
		if (fd >= 0)
			mini_serve_one(m, fd);
	}
	return NULL;
}

/* Listens on addr:*port (0: any port, set on return). */
static void
mini_start(struct mini_redis *m, const char *addr, unsigned *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int one = 1;

	memset(m, 0, sizeof(*m));
	atomic_store(&m->conn, -1);
	sin.sin_port = htons((uint16_t)*port);
	assert_int_equal(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	m->listener = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(m->listener >= 0);
	(void)setsockopt(m->listener, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one));
	if (bind(m->listener, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		skip();		/* no second loopback address here */
	assert_int_equal(listen(m->listener, 8), 0);
	assert_int_equal(getsockname(m->listener, (struct sockaddr *)&sin,
	    &len), 0);
	*port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&m->thread, NULL, mini_run, m), 0);
}

static void
mini_stop(struct mini_redis *m)
{
	atomic_store(&m->stop, true);
	pthread_join(m->thread, NULL);
	close(m->listener);
}

static enum state_result
engine_get(void *handle)
{
	struct state_request req;
	unsigned char value[STATE_VALUE_MAX];
	size_t len = 0;

	memset(&req, 0, sizeof(req));
	req.deadline = monotime_add_ms(monotime_now(), 200);
	return state_redis_ops.get(handle, &req, "k", 1, value, &len);
}

/* Through the engine: Redis moves from 127.0.0.1 to 127.0.0.2 (same
 * port) and its name with it.  The GET after the move finds the old
 * address refused (STATE_DOWN, a fault); a lookup starts then, and a GET
 * after it reaches the new address. */
static void
test_engine_follows_a_name_to_its_new_address(void **state)
{
	struct state_spec spec;
	struct state_request req;
	struct mini_redis a, b;
	unsigned port = 0;
	void *handle = NULL;
	int i;

	(void)state;
	mini_start(&a, "127.0.0.1", &port);
	fake_set("127.0.0.1", 0);
	spec = spec_for(NAME, port);
	memset(&req, 0, sizeof(req));
	req.deadline = monotime_add_ms(monotime_now(), 1000);
	assert_int_equal(state_redis_ops.open(&spec, &req, &handle), 0);
	assert_int_equal(engine_get(handle), STATE_MISSING);
	assert_int_equal(atomic_load(&a.answered), 2);	/* PING, GET */
	mini_stop(&a);
	fake_set("127.0.0.2", 0);
	mini_start(&b, "127.0.0.2", &port);
	assert_int_equal(engine_get(handle), STATE_DOWN);
	for (i = 0; i < 100 && engine_get(handle) != STATE_MISSING; i++)
		usleep(10 * 1000);
	assert_true(i < 100);
	assert_int_equal(atomic_load(&b.answered), 1);
	assert_int_equal(atomic_load(&fake_calls), 2);
	assert_int_equal(state_redis_ops.close(handle, &req), 0);
	mini_stop(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_name_is_looked_up_again_after_a_fault_once_a_second,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_slow_or_failed_lookup_keeps_the_address, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_addresses_and_sockets_are_never_looked_up, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_engine_follows_a_name_to_its_new_address, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
