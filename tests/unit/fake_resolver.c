/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fake_resolver.c - see fake_resolver.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake_resolver.h"

#define MAX_RULES 64
#define MAX_QUERIES 256

struct dns_query {
	char name[1100];
	int rrtype;
	resolver_callback *cb;
	void *arg;
	bool answered;
	bool released;
	const struct fake_rule *rule;	/* threaded: what to answer */
	pthread_t thread;		/* threaded: the one answering */
	bool has_thread;
};

static struct fake_rule rules[MAX_RULES];
static size_t nrules;
static struct dns_query *queries[MAX_QUERIES];
static size_t nqueries;
static bool threaded;

static void answer(struct dns_query *q, const struct fake_rule *rule);

void
fake_resolver_threaded(bool on)
{
	threaded = on;
}

void
fake_resolver_script(const struct fake_rule *script, size_t n)
{
	fake_resolver_reset();
	for (size_t i = 0; i < n; i++)
		fake_resolver_add(&script[i]);
	fake_resolver_threaded(true);
}

/* Joining is the real resolver's wait for a running callback. */
static void
join_answerer(struct dns_query *q)
{
	if (q->has_thread) {
		pthread_join(q->thread, NULL);
		q->has_thread = false;
	}
}

void
fake_resolver_reset(void)
{
	for (size_t i = 0; i < nqueries; i++) {
		join_answerer(queries[i]);
		free(queries[i]);
	}
	nqueries = 0;
	nrules = 0;
	threaded = false;
}

void
fake_resolver_add(const struct fake_rule *rule)
{
	if (nrules == MAX_RULES) {
		/* A rule dropped silently would make a test lie. */
		fprintf(stderr, "fake_resolver: more than %d rules\n",
		    MAX_RULES);
		abort();
	}
	rules[nrules++] = *rule;
}

static const struct fake_rule *
find_rule(const char *name, int rrtype)
{
	for (size_t i = 0; i < nrules; i++)
		if (rules[i].rrtype == rrtype &&
		    strcasecmp(rules[i].name, name) == 0)
			return &rules[i];
	return NULL;
}

struct resolver *
resolver_create(const struct resolver_config *cfg, char *err, size_t size)
{
	(void)cfg;
	(void)err;
	(void)size;
	return (struct resolver *)&rules;
}

void
resolver_destroy(struct resolver *r)
{
	(void)r;
}

/* Every query is answered or left unanswered by the script: there is
 * no outage for the breaker to see. */
bool
resolver_breaker_open(struct resolver *r)
{
	(void)r;
	return false;
}

static void *
answer_thread(void *arg)
{
	struct dns_query *q = arg;

	answer(q, q->rule);
	return NULL;
}

struct dns_query *
resolver_query(struct resolver *r, const char *name, int rrtype,
    resolver_callback *cb, void *arg)
{
	const struct fake_rule *rule = find_rule(name, rrtype);
	struct dns_query *q;

	(void)r;
	if ((rule != NULL && rule->refuse) || nqueries == MAX_QUERIES)
		return NULL;
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return NULL;
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->rrtype = rrtype;
	q->cb = cb;
	q->arg = arg;
	queries[nqueries++] = q;
	if (threaded && !(rule != NULL && (rule->never || rule->on_release))) {
		q->rule = rule;
		if (pthread_create(&q->thread, NULL, answer_thread, q) != 0)
			abort();
		q->has_thread = true;
	}
	return q;
}

void
resolver_release(struct dns_query *q)
{
	const struct fake_rule *rule;

	if (q == NULL)
		return;
	join_answerer(q);
	rule = find_rule(q->name, q->rrtype);
	if (!q->answered && rule != NULL && rule->on_release)
		answer(q, rule);
	q->released = true;
}

/* "a.b.c" to wire format; no escapes (tests use wire for odd names). */
static size_t
to_wire(const char *name, uint8_t *out, size_t size)
{
	size_t n = 0;
	const char *p = name;

	while (*p != '\0') {
		size_t len = strcspn(p, ".");
		if (n + 1 + len >= size)
			return 0;
		out[n++] = (uint8_t)len;
		memcpy(out + n, p, len);
		n += len;
		p += len;
		if (*p == '.')
			p++;
	}
	out[n++] = 0;
	return n;
}

/* TXT: character-strings of at most 255 bytes; FAKE_TXT_BREAK in the
 * datum starts a new one where the test wants it. */
static size_t
to_txt(const char *datum, uint8_t *out, size_t size)
{
	size_t n = 0;

	for (const char *p = datum; ; ) {
		size_t len = strcspn(p, FAKE_TXT_BREAK);

		if (len > 255)
			len = 255;
		if (n + 1 + len > size)
			return 0;
		out[n++] = (uint8_t)len;
		memcpy(out + n, p, len);
		n += len;
		p += len;
		if (*p == FAKE_TXT_BREAK[0])
			p++;
		else if (*p == '\0')
			break;
	}
	return n;
}

/* MX: "10 mx.example.com", preference then name. */
static size_t
to_mx(const char *datum, uint8_t *out, size_t size)
{
	char *end;
	unsigned long pref = strtoul(datum, &end, 10);
	size_t len;

	if (*end != ' ' || size < 3)
		return 0;
	out[0] = (uint8_t)(pref >> 8);
	out[1] = (uint8_t)pref;
	len = to_wire(end + 1, out + 2, size - 2);
	return len == 0 ? 0 : len + 2;
}

/* One datum as rdata of q's type into buf (at least 300 bytes): an
 * address for A and AAAA, strings for TXT, preference and name for MX,
 * else a name.  Not an address for A: sent as odd-length rdata.
 * Returns its length. */
static size_t
to_rdata(const struct dns_query *q, const char *datum, uint8_t *buf,
    size_t size)
{
	size_t len = 0;

	if (q->rrtype == DNS_TYPE_A)
		len = inet_pton(AF_INET, datum, buf) == 1 ? 4 : 0;
	else if (q->rrtype == DNS_TYPE_AAAA)
		len = inet_pton(AF_INET6, datum, buf) == 1 ? 16 : 0;
	else if (q->rrtype == DNS_TYPE_TXT)
		len = to_txt(datum, buf, size);
	else if (q->rrtype == DNS_TYPE_MX)
		len = to_mx(datum, buf, size);
	else
		len = to_wire(datum, buf, size);
	if (len == 0 && q->rrtype == DNS_TYPE_A) {
		len = strlen(datum) % size;
		memcpy(buf, datum, len);
	}
	return len;
}

static void
answer(struct dns_query *q, const struct fake_rule *rule)
{
	enum { SLOT = 1100 };
	uint8_t *buf = NULL;
	struct dns_rdata *rr = NULL;
	struct dns_answer a;
	size_t n = 0, max = 0, ndata = 0;

	memset(&a, 0, sizeof(a));
	if (rule == NULL) {
		a.status = DNS_NXDOMAIN;
		a.rcode = DNS_RCODE_NXDOMAIN;
	} else {
		a.status = rule->status;
		a.rcode = rule->rcode;
		a.dnssec = rule->dnssec;
		a.ttl = rule->ttl;
		a.why_bogus = rule->why_bogus;
		a.canonname = rule->canonname;
		while (ndata < FAKE_MAX_DATA && rule->data[ndata] != NULL)
			ndata++;
		max = 1 + ndata + rule->nmore;
		buf = calloc(max, SLOT);
		rr = calloc(max, sizeof(*rr));
		if (buf == NULL || rr == NULL)
			abort();
		if (rule->wire_len > 0) {
			rr[n].data = rule->wire;
			rr[n++].len = rule->wire_len;
		}
		for (size_t i = 0; i < ndata + rule->nmore; i++) {
			const char *datum = i < ndata ? rule->data[i] :
			    rule->more[i - ndata];
			uint8_t *slot = buf + n * SLOT;

			rr[n].data = slot;
			rr[n++].len = to_rdata(q, datum, slot, SLOT);
		}
	}
	a.count = n;
	a.rr = n > 0 ? rr : NULL;
	q->answered = true;
	q->cb(q->arg, &a);
	free(buf);
	free(rr);
}

size_t
fake_resolver_deliver(void)
{
	size_t delivered = 0;
	bool again = true;

	while (again) {
		again = false;
		for (size_t i = 0; i < nqueries; i++) {
			struct dns_query *q = queries[i];
			const struct fake_rule *rule;

			if (q->answered || q->released)
				continue;
			rule = find_rule(q->name, q->rrtype);
			if (rule != NULL && (rule->never || rule->on_release))
				continue;
			answer(q, rule);
			delivered++;
			again = true;
		}
	}
	return delivered;
}

size_t
fake_resolver_live(void)
{
	size_t live = 0;

	for (size_t i = 0; i < nqueries; i++)
		if (!queries[i]->answered && !queries[i]->released)
			live++;
	return live;
}

size_t
fake_resolver_sent(const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < nqueries; i++)
		if (strcasecmp(queries[i]->name, name) == 0)
			n++;
	return n;
}
