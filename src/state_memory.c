/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state_memory.c - the engine of state_store = none: records in this
 * process's memory, lost at exit, private to it.
 *
 * A fixed array of records, a hash of chains over it and a list in the
 * order of the last write, all under one mutex.  It never grows: when it
 * is full, expired records go first (one sweep per second of the wall
 * clock at most, so a table full of live records costs one pass per
 * second, not one per write), then the record written longest ago.  At
 * worst that restarts a streak or a greylisting triplet, which costs a
 * client a little delay, never a refusal.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_store.h"
#include "state_store_impl.h"

#define NIL UINT32_MAX

struct mem_record {
	char key[STATE_KEY_MAX];
	unsigned char value[STATE_VALUE_MAX];
	uint8_t keylen;		/* 0: free */
	uint8_t len;
	int64_t expires_s;	/* wall clock */
	uint32_t chain;		/* next in its hash bucket */
	uint32_t older, newer;	/* the write-order list */
};

struct mem_engine {
	pthread_mutex_t lock;
	struct mem_record *records;
	uint32_t *buckets;
	uint32_t capacity, nbuckets, used;
	uint32_t oldest, newest;	/* ends of the write-order list */
	uint32_t free_head;		/* free records, chained by chain */
	int64_t swept_s;		/* last sweep, wall clock */
};

static uint32_t key_hash(const char *key, size_t keylen);
static uint32_t *slot_of(struct mem_engine *m, const char *key,
    size_t keylen);
static void list_unlink(struct mem_engine *m, uint32_t i);
static void list_append(struct mem_engine *m, uint32_t i);
static void record_drop(struct mem_engine *m, uint32_t i);
static uint32_t record_find(struct mem_engine *m, const char *key,
    size_t keylen, int64_t now_s);
static uint32_t record_new(struct mem_engine *m, const char *key,
    size_t keylen, int64_t now_s);
static void record_write(struct mem_engine *m, uint32_t i,
    const unsigned char *value, size_t len, unsigned ttl_s, int64_t now_s);
static void sweep(struct mem_engine *m, int64_t now_s);

/* FNV-1a: keys are ours (not chosen by a client in full), and a chain
 * is at worst a scan of a table we bounded. */
static uint32_t
key_hash(const char *key, size_t keylen)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < keylen; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	return h;
}

/* The link that points at key's record (or holds NIL at the chain's
 * end): what a removal rewrites. */
static uint32_t *
slot_of(struct mem_engine *m, const char *key, size_t keylen)
{
	uint32_t *link = &m->buckets[key_hash(key, keylen) % m->nbuckets];

	while (*link != NIL) {
		struct mem_record *r = &m->records[*link];

		if (r->keylen == keylen && memcmp(r->key, key, keylen) == 0)
			break;
		link = &r->chain;
	}
	return link;
}

static void
list_unlink(struct mem_engine *m, uint32_t i)
{
	struct mem_record *r = &m->records[i];

	if (r->older != NIL)
		m->records[r->older].newer = r->newer;
	else
		m->oldest = r->newer;
	if (r->newer != NIL)
		m->records[r->newer].older = r->older;
	else
		m->newest = r->older;
	r->older = r->newer = NIL;
}

static void
list_append(struct mem_engine *m, uint32_t i)
{
	struct mem_record *r = &m->records[i];

	r->older = m->newest;
	r->newer = NIL;
	if (m->newest != NIL)
		m->records[m->newest].newer = i;
	else
		m->oldest = i;
	m->newest = i;
}

static void
record_drop(struct mem_engine *m, uint32_t i)
{
	struct mem_record *r = &m->records[i];
	uint32_t *link = slot_of(m, r->key, r->keylen);

	*link = r->chain;
	list_unlink(m, i);
	r->keylen = 0;
	r->chain = m->free_head;
	m->free_head = i;
	m->used--;
}

/* The live record of key, or NIL; an expired one is dropped on sight. */
static uint32_t
record_find(struct mem_engine *m, const char *key, size_t keylen,
    int64_t now_s)
{
	uint32_t i = *slot_of(m, key, keylen);

	if (i != NIL && m->records[i].expires_s <= now_s) {
		record_drop(m, i);
		i = NIL;
	}
	return i;
}

/* A fresh record for key (not present), making room if full. */
static uint32_t
record_new(struct mem_engine *m, const char *key, size_t keylen,
    int64_t now_s)
{
	struct mem_record *r;
	uint32_t i, *link;

	if (m->used == m->capacity)
		sweep(m, now_s);
	if (m->used == m->capacity)
		record_drop(m, m->oldest);
	i = m->free_head;
	r = &m->records[i];
	m->free_head = r->chain;
	memcpy(r->key, key, keylen);
	r->keylen = (uint8_t)keylen;
	link = &m->buckets[key_hash(key, keylen) % m->nbuckets];
	r->chain = *link;
	*link = i;
	list_append(m, i);
	m->used++;
	return i;
}

static void
record_write(struct mem_engine *m, uint32_t i, const unsigned char *value,
    size_t len, unsigned ttl_s, int64_t now_s)
{
	struct mem_record *r = &m->records[i];

	if (len > 0)
		memmove(r->value, value, len);
	r->len = (uint8_t)len;
	r->expires_s = now_s + (int64_t)ttl_s;
	list_unlink(m, i);
	list_append(m, i);
}

/* Drops every expired record, at most once per wall-clock second. */
static void
sweep(struct mem_engine *m, int64_t now_s)
{
	uint32_t i, next;

	if (m->swept_s == now_s)
		return;
	m->swept_s = now_s;
	for (i = m->oldest; i != NIL; i = next) {
		next = m->records[i].newer;
		if (m->records[i].expires_s <= now_s)
			record_drop(m, i);
	}
}

int
state_memory_open_capacity(size_t capacity, void **handle)
{
	struct mem_engine *m;
	uint32_t i;

	if (capacity == 0 || capacity >= NIL / 2)
		return -1;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -1;
	m->capacity = (uint32_t)capacity;
	m->nbuckets = m->capacity * 2 + 1;
	m->records = calloc(m->capacity, sizeof(*m->records));
	m->buckets = malloc(m->nbuckets * sizeof(*m->buckets));
	if (m->records == NULL || m->buckets == NULL ||
	    pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m->records);
		free(m->buckets);
		free(m);
		return -1;
	}
	for (i = 0; i < m->nbuckets; i++)
		m->buckets[i] = NIL;
	for (i = 0; i < m->capacity; i++)
		m->records[i].chain = i + 1 < m->capacity ? i + 1 : NIL;
	m->oldest = m->newest = NIL;
	m->swept_s = INT64_MIN;
	*handle = m;
	return 0;
}

static int
mem_open(const struct state_spec *spec, struct state_request *req,
    void **handle)
{
	(void)spec;
	if (state_memory_open_capacity(STATE_MEMORY_CAPACITY, handle) != 0) {
		snprintf(req->why, sizeof(req->why), "out of memory");
		return -1;
	}
	return 0;
}

static int
mem_close(void *handle, struct state_request *req)
{
	struct mem_engine *m = handle;

	(void)req;
	pthread_mutex_destroy(&m->lock);
	free(m->records);
	free(m->buckets);
	free(m);
	return 0;
}

/* The operations, with the lock held: the single calls take it for one,
 * a batch for all of its ops, so that a batch is one step to the other
 * threads. */
static enum state_result
get_locked(struct mem_engine *m, int64_t now_s, const char *key,
    size_t keylen, unsigned char *value, size_t *len)
{
	uint32_t i = record_find(m, key, keylen, now_s);

	if (i == NIL)
		return STATE_MISSING;
	memcpy(value, m->records[i].value, m->records[i].len);
	*len = m->records[i].len;
	return STATE_OK;
}

static enum state_result
set_locked(struct mem_engine *m, int64_t now_s, const char *key,
    size_t keylen, const unsigned char *value, size_t len, unsigned ttl_s)
{
	uint32_t i = record_find(m, key, keylen, now_s);

	if (i == NIL)
		i = record_new(m, key, keylen, now_s);
	record_write(m, i, value, len, ttl_s, now_s);
	return STATE_OK;
}

static enum state_result
add_locked(struct mem_engine *m, int64_t now_s, const char *key,
    size_t keylen, const unsigned char *value, size_t len, unsigned ttl_s,
    unsigned char *current, size_t *current_len)
{
	enum state_result r = STATE_EXISTS;
	uint32_t i = record_find(m, key, keylen, now_s);

	if (i == NIL) {
		i = record_new(m, key, keylen, now_s);
		record_write(m, i, value, len, ttl_s, now_s);
		r = STATE_OK;
	}
	memcpy(current, m->records[i].value, m->records[i].len);
	*current_len = m->records[i].len;
	return r;
}

static enum state_result
touch_locked(struct mem_engine *m, int64_t now_s, const char *key,
    size_t keylen, unsigned ttl_s)
{
	uint32_t i = record_find(m, key, keylen, now_s);

	if (i == NIL)
		return STATE_MISSING;
	record_write(m, i, m->records[i].value, m->records[i].len, ttl_s,
	    now_s);
	return STATE_OK;
}

static enum state_result
del_locked(struct mem_engine *m, int64_t now_s, const char *key,
    size_t keylen)
{
	uint32_t i = record_find(m, key, keylen, now_s);

	if (i == NIL)
		return STATE_MISSING;
	record_drop(m, i);
	return STATE_OK;
}

static enum state_result
mem_get(void *handle, struct state_request *req, const char *key,
    size_t keylen, unsigned char *value, size_t *len)
{
	struct mem_engine *m = handle;
	enum state_result r;

	pthread_mutex_lock(&m->lock);
	r = get_locked(m, req->now_s, key, keylen, value, len);
	pthread_mutex_unlock(&m->lock);
	return r;
}

static enum state_result
mem_set(void *handle, struct state_request *req, const char *key,
    size_t keylen, const unsigned char *value, size_t len, unsigned ttl_s)
{
	struct mem_engine *m = handle;
	enum state_result r;

	pthread_mutex_lock(&m->lock);
	r = set_locked(m, req->now_s, key, keylen, value, len, ttl_s);
	pthread_mutex_unlock(&m->lock);
	return r;
}

static enum state_result
mem_add(void *handle, struct state_request *req, const char *key,
    size_t keylen, const unsigned char *value, size_t len, unsigned ttl_s,
    unsigned char *current, size_t *current_len)
{
	struct mem_engine *m = handle;
	enum state_result r;

	pthread_mutex_lock(&m->lock);
	r = add_locked(m, req->now_s, key, keylen, value, len, ttl_s, current,
	    current_len);
	pthread_mutex_unlock(&m->lock);
	return r;
}

static enum state_result
mem_touch(void *handle, struct state_request *req, const char *key,
    size_t keylen, unsigned ttl_s)
{
	struct mem_engine *m = handle;
	enum state_result r;

	pthread_mutex_lock(&m->lock);
	r = touch_locked(m, req->now_s, key, keylen, ttl_s);
	pthread_mutex_unlock(&m->lock);
	return r;
}

static enum state_result
mem_del(void *handle, struct state_request *req, const char *key,
    size_t keylen)
{
	struct mem_engine *m = handle;
	enum state_result r;

	pthread_mutex_lock(&m->lock);
	r = del_locked(m, req->now_s, key, keylen);
	pthread_mutex_unlock(&m->lock);
	return r;
}

/* The ops in order under one hold of the lock. */
static enum state_result
mem_batch(void *handle, struct state_request *req, struct state_op *ops,
    size_t n)
{
	struct mem_engine *m = handle;
	struct state_op *op;
	size_t i, kl;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < n; i++) {
		op = &ops[i];
		kl = strlen(op->key);
		switch (op->kind) {
		case STATE_OP_GET:
			op->result = get_locked(m, req->now_s, op->key, kl,
			    op->found, &op->found_len);
			break;
		case STATE_OP_SET:
			op->result = set_locked(m, req->now_s, op->key, kl,
			    op->value, op->len, op->ttl_s);
			break;
		case STATE_OP_ADD:
			op->result = add_locked(m, req->now_s, op->key, kl,
			    op->value, op->len, op->ttl_s, op->found,
			    &op->found_len);
			break;
		case STATE_OP_TOUCH:
			op->result = touch_locked(m, req->now_s, op->key, kl,
			    op->ttl_s);
			break;
		case STATE_OP_DELETE:
			op->result = del_locked(m, req->now_s, op->key, kl);
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return STATE_OK;
}

const struct state_engine_ops state_memory_ops = {
	.kind = "none",
	.open = mem_open,
	.close = mem_close,
	.get = mem_get,
	.set = mem_set,
	.add = mem_add,
	.touch = mem_touch,
	.del = mem_del,
	.batch = mem_batch,
};
