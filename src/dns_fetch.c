/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_fetch.c - lookups over one lookup_batch, answers copied; see
 * dns_fetch.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dns_fetch.h"
#include "lookup_batch.h"
#include "spf_record.h"

/* A callback's argument: the batch and the lookup it answers. */
struct slot {
	struct lookup_batch *batch;
	struct dns_fetch *fetch;
	bool sent;
};

/* Copies count records into one allocation: the array, then the data. */
static int
copy_records(struct dns_fetch *f, const struct dns_answer *a)
{
	size_t total = a->count * sizeof(struct dns_rdata);
	uint8_t *data;

	for (size_t i = 0; i < a->count; i++) {
		if (a->rr[i].len > SIZE_MAX - total)
			return -1;
		total += a->rr[i].len;
	}
	f->rr = malloc(total > 0 ? total : 1);
	if (f->rr == NULL)
		return -1;
	data = (uint8_t *)(f->rr + a->count);
	for (size_t i = 0; i < a->count; i++) {
		if (a->rr[i].len > 0)
			memcpy(data, a->rr[i].data, a->rr[i].len);
		f->rr[i].data = data;
		f->rr[i].len = a->rr[i].len;
		data += a->rr[i].len;
	}
	f->count = a->count;
	return 0;
}

static void
on_answer(void *arg, const struct dns_answer *a)
{
	struct slot *s = arg;
	struct dns_fetch *f = s->fetch;

	lookup_batch_lock(s->batch);
	f->answered = true;
	f->status = a->status;
	f->rcode = a->rcode;
	f->dnssec = a->dnssec;
	if (a->status == DNS_OK && a->count > 0 && a->rr != NULL &&
	    copy_records(f, a) == -1)
		f->status = DNS_TEMPFAIL;
	lookup_batch_answered(s->batch);
	lookup_batch_unlock(s->batch);
}

int
dns_fetch_run(struct resolver *r, struct dns_fetch *f, size_t n,
    struct timespec deadline)
{
	struct lookup_batch *b = lookup_batch_create(n);
	struct slot *slots = calloc(n > 0 ? n : 1, sizeof(*slots));
	bool timed_out;
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		dns_fetch_clear(&f[i], 1);
		f[i].status = DNS_TEMPFAIL;
		f[i].rcode = -1;
	}
	if (b == NULL || slots == NULL)
		goto end;
	lookup_batch_lock(b);
	for (size_t i = 0; i < n; i++) {
		slots[i].batch = b;
		slots[i].fetch = &f[i];
		slots[i].sent = lookup_batch_send(b, r, f[i].name,
		    f[i].rrtype, on_answer, &slots[i]) == 0;
	}
	lookup_batch_unlock(b);
	timed_out = lookup_batch_wait(b, deadline) == -1;
	lookup_batch_close(b);
	if (timed_out)
		lookup_batch_count_unanswered(b);
	for (size_t i = 0; i < n; i++)
		if (slots[i].sent && !f[i].answered)
			f[i].status = DNS_TIMEOUT;
	rc = 0;
end:
	lookup_batch_free(b);
	free(slots);
	return rc;
}

void
dns_fetch_clear(struct dns_fetch *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].rr);
		f[i].rr = NULL;
		f[i].count = 0;
		f[i].answered = false;
		f[i].status = DNS_OK;
		f[i].rcode = 0;
		f[i].dnssec = DNSSEC_INSECURE;
	}
}

int
dns_fetch_prefixes(const struct dns_fetch *f, unsigned cidr4,
    unsigned cidr6, struct cidr_list *list)
{
	bool v4 = f->rrtype == DNS_TYPE_A;
	size_t want = v4 ? 4 : 16;

	for (size_t i = 0; i < f->count; i++) {
		struct addr a = { .family = v4 ? AF_INET : AF_INET6 };
		struct cidr c;

		if (f->rr[i].len != want)
			continue;
		memcpy(a.bytes, f->rr[i].data, want);
		spf_network(&a, v4 ? cidr4 : cidr6, &c);
		if (cidr_list_add(list, &c) == -1)
			return -1;
	}
	return 0;
}
