/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_streak.c - tempfail_limit streaks in the state store, the process's
 * table as the fallback; see dns_streak.h.
 *
 * One store call per verdict, bounded by state_timeout and by the
 * caller's cap (the session sets its dns_timeout deadline:
 * state_deadline_cap()): a DNS error is a batch (state_batch()) of an
 * add of its first error and a touch that restarts the quiet time (one
 * round trip with Redis; with LMDB a read and writes queued, not waited
 * for), a clean verdict a batch of one delete.  A store that is down
 * answers at once.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dns_streak.h"

static unsigned quiet_of(unsigned limit_s);
static bool store_first_error(struct state_store *st, const char *key,
    int64_t now_s, unsigned ttl_s, int64_t *first_s);

/* How long a streak outlives its last error (dns_grace.h). */
static unsigned
quiet_of(unsigned limit_s)
{
	return limit_s > DNS_GRACE_QUIET_S ? limit_s : DNS_GRACE_QUIET_S;
}

/* The first error of the streak in the store, starting one at now_s if
 * there is none, and the quiet time started again (the touch after an
 * add that wrote is a no-op for the record's life); false when the store
 * cannot say. */
static bool
store_first_error(struct state_store *st, const char *key, int64_t now_s,
    unsigned ttl_s, int64_t *first_s)
{
	unsigned char now[STATE_TIME_SIZE];
	struct state_op ops[2];

	state_time_put(now_s, now);
	memset(ops, 0, sizeof(ops));
	ops[0].kind = STATE_OP_ADD;
	ops[0].key = key;
	ops[0].value = now;
	ops[0].len = sizeof(now);
	ops[0].ttl_s = ttl_s;
	ops[1].kind = STATE_OP_TOUCH;
	ops[1].key = key;
	ops[1].ttl_s = ttl_s;
	if (state_batch(st, ops, 2) != STATE_OK)
		return false;
	if (ops[0].result == STATE_OK) {
		*first_s = now_s;
		return true;
	}
	if (ops[0].result != STATE_EXISTS)
		return false;
	if (state_time_get(ops[0].found, ops[0].found_len, first_s) != 0) {
		/* Not ours to read (another version wrote it): start over. */
		*first_s = now_s;
		return state_set(st, key, now, sizeof(now), ttl_s) == STATE_OK;
	}
	return true;
}

bool
dns_streak_expired(struct state_store *st, struct dns_grace *g,
    const struct addr *ip, struct dns_streak_now now, unsigned limit_s)
{
	char key[DNS_STREAK_KEY_MAX];
	bool local;
	int64_t first_s;

	if (ip == NULL || limit_s == 0)
		return false;
	/* Always, so that it is current when the store goes down. */
	local = dns_grace_expired(g, ip, now.mono_s, limit_s);
	if (st == NULL || dns_streak_key(ip, key, sizeof(key)) != 0 ||
	    !store_first_error(st, key, now.wall_s, quiet_of(limit_s),
	    &first_s))
		return local;
	/* A first error in the future is a clock of the fleet ahead of
	 * ours: no time has passed yet. */
	return local || (now.wall_s > first_s &&
	    (uint64_t)now.wall_s - (uint64_t)first_s > limit_s);
}

void
dns_streak_clear(struct state_store *st, struct dns_grace *g,
    const struct addr *ip)
{
	char key[DNS_STREAK_KEY_MAX];
	struct state_op op;

	if (ip == NULL)
		return;
	dns_grace_clear(g, ip);
	if (st == NULL || dns_streak_key(ip, key, sizeof(key)) != 0)
		return;
	/* A batch of one: with LMDB the delete is queued, not waited for. */
	memset(&op, 0, sizeof(op));
	op.kind = STATE_OP_DELETE;
	op.key = key;
	(void)state_batch(st, &op, 1);
}

int
dns_streak_key(const struct addr *ip, char *buf, size_t size)
{
	char text[ADDR_TEXT_MAX];
	int n;

	if (addr_format(ip, text, sizeof(text)) != 0)
		return -1;
	n = snprintf(buf, size, "streak:%s", text);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}
