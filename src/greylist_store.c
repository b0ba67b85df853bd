/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * greylist_store.c - a greylisting check over the state store; see
 * greylist_store.h.
 */
#include "config.h"

#include <string.h>

#include "greylist_store.h"

static enum state_result network_passed(struct state_store *st,
    const char *pass_key, unsigned ttl_s);
static enum state_result first_attempt(struct state_store *st,
    const char *key, int64_t now_s, unsigned ttl_s,
    struct greylist_seen *seen);
static void conclude(struct state_store *st, const struct policy *p,
    const char *pass_key, const char *triplet_key, int64_t now_s,
    const struct greylist_seen *seen, struct greylist_outcome *out);

void
greylist_check(struct state_store *st, const struct policy *p,
    const struct addr *client, const char *sender, const char *rcpt,
    int64_t now_s, struct greylist_outcome *out)
{
	char pass_key[GREYLIST_KEY_MAX], triplet_key[GREYLIST_KEY_MAX];
	struct greylist_seen seen = { .have_first = false };
	struct cidr net;
	enum state_result r;

	memset(out, 0, sizeof(*out));
	out->result = GREYLIST_FAILOPEN;
	if (st == NULL ||
	    greylist_network(client, p->greylist_ipv4_prefix,
	    p->greylist_ipv6_prefix, &net) != 0 ||
	    greylist_pass_key(&net, pass_key, sizeof(pass_key)) != 0 ||
	    greylist_triplet_key(&net, sender, rcpt, triplet_key,
	    sizeof(triplet_key)) != 0)
		return;
	r = network_passed(st, pass_key, p->greylist_pass_ttl_s);
	if (r == STATE_DOWN)
		return;
	seen.passed = r == STATE_OK;
	if (!seen.passed && first_attempt(st, triplet_key, now_s,
	    p->greylist_window_s, &seen) == STATE_DOWN)
		return;
	conclude(st, p, pass_key, triplet_key, now_s, &seen, out);
}

/* A network in use keeps its pass, as postgrey's auto-whitelist does:
 * greylist_pass_ttl counts from its last mail, not from its first. */
static enum state_result
network_passed(struct state_store *st, const char *pass_key, unsigned ttl_s)
{
	unsigned char value[STATE_VALUE_MAX];
	size_t len = 0;
	enum state_result r;

	r = state_get(st, pass_key, value, sizeof(value), &len);
	if (r == STATE_OK)
		(void)state_touch(st, pass_key, ttl_s);
	return r;
}

/* Records now as the triplet's first attempt unless one is recorded
 * already, in one atomic step: seen->have_first says whether there was
 * one, and its time. */
static enum state_result
first_attempt(struct state_store *st, const char *key, int64_t now_s,
    unsigned ttl_s, struct greylist_seen *seen)
{
	unsigned char now[STATE_TIME_SIZE], found[STATE_VALUE_MAX];
	size_t len = 0;
	enum state_result r;

	state_time_put(now_s, now);
	r = state_add(st, key, now, sizeof(now), ttl_s, found, sizeof(found),
	    &len);
	if (r == STATE_EXISTS) {
		if (state_time_get(found, len, &seen->first_s) == 0) {
			seen->have_first = true;
			return r;
		}
		/* Not ours to read (another version wrote it): start over. */
		r = state_set(st, key, now, sizeof(now), ttl_s);
	}
	return r;
}

static void
conclude(struct state_store *st, const struct policy *p,
    const char *pass_key, const char *triplet_key, int64_t now_s,
    const struct greylist_seen *seen, struct greylist_outcome *out)
{
	unsigned char now[STATE_TIME_SIZE];
	struct greylist_seen fresh = { .have_first = true, .first_s = now_s };

	out->decision = greylist_decide(now_s, seen, p->greylist_delay_s,
	    p->greylist_window_s);
	state_time_put(now_s, now);
	switch (out->decision) {
	case GREYLIST_PASS_KNOWN:
		out->result = GREYLIST_KNOWN;
		return;
	case GREYLIST_PASS:
		/* Should this fail, the triplet still passes this time; its
		 * network is greylisted again next time. */
		(void)state_set(st, pass_key, now, sizeof(now),
		    p->greylist_pass_ttl_s);
		out->result = GREYLIST_PASSED;
		return;
	case GREYLIST_EXPIRED:
		/* Too late to count: this attempt is the first again. */
		(void)state_set(st, triplet_key, now, sizeof(now),
		    p->greylist_window_s);
		seen = &fresh;
		break;
	case GREYLIST_DEFER_NEW:
	case GREYLIST_DEFER_EARLY:
		break;
	}
	out->result = GREYLIST_DEFERRED;
	out->retry_in_s = greylist_retry_in(now_s,
	    seen->have_first ? seen : &fresh, p->greylist_delay_s);
}

const char *
greylist_result_name(enum greylist_result r)
{
	switch (r) {
	case GREYLIST_DEFERRED:
		return "deferred";
	case GREYLIST_PASSED:
		return "passed";
	case GREYLIST_KNOWN:
		return "known";
	case GREYLIST_FAILOPEN:
		break;
	}
	return "failopen";
}
