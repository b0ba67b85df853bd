/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * greylist_store.c - a greylisting check over the state store; see
 * greylist_store.h.
 */
#include "config.h"

#include <string.h>

#include "greylist_store.h"

/* The hot path's three ops, in one batch. */
enum { OP_PASS_GET, OP_PASS_TOUCH, OP_FIRST_ADD, OPS };

static bool read_seen(struct state_store *st, const struct state_op *ops,
    const char *triplet_key, int64_t now_s, unsigned window_s,
    struct greylist_seen *seen);
static void store_later(struct state_store *st, const char *key,
    int64_t now_s, unsigned ttl_s);
static void conclude(struct state_store *st, const struct policy *p,
    const char *pass_key, const char *triplet_key, int64_t now_s,
    const struct greylist_seen *seen, struct greylist_outcome *out);

void
greylist_check(struct state_store *st, const struct policy *p,
    const struct addr *client, const char *sender, const char *rcpt,
    int64_t now_s, struct greylist_outcome *out)
{
	char pass_key[GREYLIST_KEY_MAX], triplet_key[GREYLIST_KEY_MAX];
	unsigned char now[STATE_TIME_SIZE];
	struct greylist_seen seen = { .have_first = false };
	struct state_op ops[OPS];
	struct cidr net;

	memset(out, 0, sizeof(*out));
	out->result = GREYLIST_FAILOPEN;
	if (st == NULL ||
	    greylist_network(client, p->greylist_ipv4_prefix,
	    p->greylist_ipv6_prefix, &net) != 0 ||
	    greylist_pass_key(&net, pass_key, sizeof(pass_key)) != 0 ||
	    greylist_triplet_key(&net, sender, rcpt, triplet_key,
	    sizeof(triplet_key)) != 0)
		return;
	state_time_put(now_s, now);
	memset(ops, 0, sizeof(ops));
	ops[OP_PASS_GET].kind = STATE_OP_GET;
	ops[OP_PASS_GET].key = pass_key;
	/* A network in use keeps its pass, as postgrey's auto-whitelist
	 * does: greylist_pass_ttl counts from its last mail. */
	ops[OP_PASS_TOUCH].kind = STATE_OP_TOUCH;
	ops[OP_PASS_TOUCH].key = pass_key;
	ops[OP_PASS_TOUCH].ttl_s = p->greylist_pass_ttl_s;
	ops[OP_FIRST_ADD].kind = STATE_OP_ADD;
	ops[OP_FIRST_ADD].key = triplet_key;
	ops[OP_FIRST_ADD].value = now;
	ops[OP_FIRST_ADD].len = sizeof(now);
	ops[OP_FIRST_ADD].ttl_s = p->greylist_window_s;
	if (state_batch(st, ops, OPS) != STATE_OK ||
	    !read_seen(st, ops, triplet_key, now_s, p->greylist_window_s,
	    &seen))
		return;
	conclude(st, p, pass_key, triplet_key, now_s, &seen, out);
}

/* What the batch says: passed, or since when the triplet is seen;
 * false when it cannot say. */
static bool
read_seen(struct state_store *st, const struct state_op *ops,
    const char *triplet_key, int64_t now_s, unsigned window_s,
    struct greylist_seen *seen)
{
	const struct state_op *add = &ops[OP_FIRST_ADD];

	seen->passed = ops[OP_PASS_GET].result == STATE_OK;
	if (seen->passed || add->result == STATE_OK)
		return true;
	if (add->result != STATE_EXISTS)
		return false;
	if (state_time_get(add->found, add->found_len, &seen->first_s) == 0) {
		seen->have_first = true;
		return true;
	}
	/* Not ours to read (another version wrote it): start over. */
	store_later(st, triplet_key, now_s, window_s);
	return true;
}

/* key = now_s for ttl_s, as a batch of one: with LMDB queued for the
 * writer, not waited for.  Should it fail, the store says so at its
 * next call; this check goes on as if it had worked. */
static void
store_later(struct state_store *st, const char *key, int64_t now_s,
    unsigned ttl_s)
{
	unsigned char now[STATE_TIME_SIZE];
	struct state_op op;

	memset(&op, 0, sizeof(op));
	state_time_put(now_s, now);
	op.kind = STATE_OP_SET;
	op.key = key;
	op.value = now;
	op.len = sizeof(now);
	op.ttl_s = ttl_s;
	(void)state_batch(st, &op, 1);
}

static void
conclude(struct state_store *st, const struct policy *p,
    const char *pass_key, const char *triplet_key, int64_t now_s,
    const struct greylist_seen *seen, struct greylist_outcome *out)
{
	struct greylist_seen fresh = { .have_first = true, .first_s = now_s };

	out->decision = greylist_decide(now_s, seen, p->greylist_delay_s,
	    p->greylist_window_s);
	switch (out->decision) {
	case GREYLIST_PASS_KNOWN:
		out->result = GREYLIST_KNOWN;
		return;
	case GREYLIST_PASS:
		/* Should this fail, the triplet still passes this time; its
		 * network is greylisted again next time. */
		store_later(st, pass_key, now_s, p->greylist_pass_ttl_s);
		out->result = GREYLIST_PASSED;
		return;
	case GREYLIST_EXPIRED:
		/* Too late to count: this attempt is the first again. */
		store_later(st, triplet_key, now_s, p->greylist_window_s);
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
