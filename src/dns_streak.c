/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_streak.c - tempfail_limit streaks in the state store, the process's
 * table as the fallback; see dns_streak.h.
 *
 * At most two store calls per DNS-error verdict (add, then touch when the
 * streak was there already) and one per clean verdict (delete), each
 * bounded by state_timeout and by the caller's cap (the session sets its
 * dns_timeout deadline: state_deadline_cap()); a store that is down
 * answers at once.
 */
#include "config.h"

#include <stdio.h>

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
 * there is none; false when the store cannot say. */
static bool
store_first_error(struct state_store *st, const char *key, int64_t now_s,
    unsigned ttl_s, int64_t *first_s)
{
	unsigned char now[STATE_TIME_SIZE], found[STATE_VALUE_MAX];
	enum state_result r;
	size_t len = 0;

	state_time_put(now_s, now);
	r = state_add(st, key, now, sizeof(now), ttl_s, found, sizeof(found),
	    &len);
	if (r == STATE_OK) {
		*first_s = now_s;
		return true;
	}
	if (r != STATE_EXISTS)
		return false;
	if (state_time_get(found, len, first_s) != 0) {
		/* Not ours to read (another version wrote it): start over. */
		*first_s = now_s;
		return state_set(st, key, now, sizeof(now), ttl_s) == STATE_OK;
	}
	/* Another error: the quiet time starts again.  If this fails, the
	 * store is down and the time read still stands. */
	(void)state_touch(st, key, ttl_s);
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

	if (ip == NULL)
		return;
	dns_grace_clear(g, ip);
	if (st != NULL && dns_streak_key(ip, key, sizeof(key)) == 0)
		(void)state_delete(st, key);
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
