/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fcrdns.c - PTR, then forward A/AAAA of every name, then the iprev verdict.
 *
 * The owner thread starts a job and later waits for it; everything in
 * between happens in resolver callbacks, under the lock of the job's
 * lookup batch (lookup_batch.h, which states the threading contract).
 * The PTR callback starts the forward lookups itself, so they run without
 * waiting for the owner.  fcrdns_finish() closes the batch; once it is
 * closed no callback can run, and the result is the owner's alone.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "fcrdns.h"
#include "lookup_batch.h"
#include "monotime.h"
#include "safe_text.h"
#include "ttl_cache.h"

/* A forward callback's argument: which name of which job. */
struct forward_ref {
	struct fcrdns *job;
	size_t index;
};

struct fcrdns {
	struct lookup_batch *batch;	/* the PTR query, then the forwards */
	struct resolver *resolver;
	unsigned max_names;
	bool finished;
	struct timespec ptr_sent;
	struct timespec *fwd_sent;	/* one per name */
	struct forward_ref *fwd_refs;
	struct fcrdns_result res;
};

static void on_ptr(void *arg, const struct dns_answer *a);
static void on_forward(void *arg, const struct dns_answer *a);
static void record(struct fcrdns_lookup *l, const struct dns_answer *a,
    struct timespec sent);
static void add_names(struct fcrdns *job, const struct dns_answer *a);
static void start_forwards(struct fcrdns *job);
static void set_error(struct fcrdns_lookup *l, const char *text);
static void mark_timeout(struct fcrdns_lookup *l, struct timespec sent,
    const struct lookup_batch *batch);
static void mark_reusable(struct fcrdns_result *res);
static struct fcrdns *new_job(unsigned max_names);

struct fcrdns *
fcrdns_start(struct resolver *r, const struct addr *client,
    unsigned max_names)
{
	struct fcrdns *job;

	if (max_names == 0)
		max_names = 1;
	if (max_names > FCRDNS_MAX_NAMES)
		max_names = FCRDNS_MAX_NAMES;
	job = new_job(max_names);
	if (job == NULL)
		return NULL;
	job->resolver = r;
	job->res.client = *client;
	job->res.confirmed = -1;
	if (addr_reverse_name(client, job->res.reverse,
	    sizeof(job->res.reverse)) == -1) {
		/* Cannot happen with ADDR_REVERSE_MAX; judged as temperror. */
		set_error(&job->res.ptr, "cannot build the reverse name");
		return job;
	}

	lookup_batch_lock(job->batch);
	job->res.ptr.started = true;
	job->ptr_sent = monotime_now();
	if (lookup_batch_send(job->batch, r, job->res.reverse, DNS_TYPE_PTR,
	    on_ptr, job) == -1)
		set_error(&job->res.ptr, "the resolver could not start the "
		    "lookup");
	lookup_batch_unlock(job->batch);
	return job;
}

struct fcrdns *
fcrdns_start_done(struct fcrdns_result *res)
{
	struct fcrdns *job = new_job(0);

	if (job == NULL)
		return NULL;
	job->res = *res;
	memset(res, 0, sizeof(*res));
	job->res.cached = true;
	job->res.ms = 0;
	job->finished = true;
	return job;
}

/* A job with its batch: room for the PTR query and max_names forward
 * queries, and slots for the names (none for a finished job). */
static struct fcrdns *
new_job(unsigned max_names)
{
	struct fcrdns *job;

	job = calloc(1, sizeof(*job));
	if (job == NULL)
		return NULL;
	job->batch = lookup_batch_create(max_names > 0 ? max_names + 1 : 0);
	if (job->batch == NULL)
		goto fail;
	if (max_names > 0) {
		job->res.names = calloc(max_names, sizeof(*job->res.names));
		job->fwd_sent = calloc(max_names, sizeof(*job->fwd_sent));
		job->fwd_refs = calloc(max_names, sizeof(*job->fwd_refs));
		if (job->res.names == NULL || job->fwd_sent == NULL ||
		    job->fwd_refs == NULL)
			goto fail;
	}
	job->max_names = max_names;
	return job;

fail:
	lookup_batch_free(job->batch);
	free(job->res.names);
	free(job->fwd_sent);
	free(job->fwd_refs);
	free(job);
	return NULL;
}

static void
set_error(struct fcrdns_lookup *l, const char *text)
{
	l->started = true;
	l->answered = true;
	l->arrived = false;
	l->status = DNS_TEMPFAIL;
	l->rcode = -1;
	snprintf(l->why, sizeof(l->why), "%s", text);
}

/* Keeps the CNAME target for display when it differs from the query
 * name.  canonname is lossy text from libunbound: it is shown, never
 * decided on, and only in escaped, printable form. */
static char *
canon_for_display(const char *canonname, const char *qname)
{
	char buf[DNAME_TEXT_MAX];

	if (canonname == NULL)
		return NULL;
	(void)safe_text(buf, sizeof(buf), canonname, SAFE_TEXT_ALL,
	    SAFE_TEXT_REPLY);
	size_t n = strlen(buf);
	if (n > 1 && buf[n - 1] == '.')
		buf[n - 1] = '\0';
	if (dname_equal(buf, qname))
		return NULL;
	return strdup(buf);
}

static void
record(struct fcrdns_lookup *l, const struct dns_answer *a,
    struct timespec sent)
{
	struct timespec now = monotime_now();
	int64_t ms = monotime_diff_ms(sent, now);

	l->answered = true;
	l->arrived = true;
	l->arrived_at = now;
	l->status = a->status;
	l->rcode = a->rcode;
	l->dnssec = a->dnssec;
	l->ms = ms < 0 ? 0 : (unsigned)ms;
	l->ttl = a->ttl;
	if (a->why_bogus != NULL)
		(void)safe_text(l->why, sizeof(l->why), a->why_bogus,
		    SAFE_TEXT_ALL, SAFE_TEXT_REPLY);
	else if (a->error != NULL)
		(void)safe_text(l->why, sizeof(l->why), a->error,
		    SAFE_TEXT_ALL, SAFE_TEXT_REPLY);
}

static void
on_ptr(void *arg, const struct dns_answer *a)
{
	struct fcrdns *job = arg;

	lookup_batch_lock(job->batch);
	record(&job->res.ptr, a, job->ptr_sent);
	job->res.ptr.canon = canon_for_display(a->canonname,
	    job->res.reverse);
	if (a->status == DNS_OK) {
		add_names(job, a);
		/* Closing: the owner is releasing the queries it knows of, so
		 * new ones would run on unowned.  The names stay recorded;
		 * their unstarted lookups make the verdict temperror. */
		if (!lookup_batch_closing(job->batch) &&
		    job->res.ptr.status == DNS_OK)
			start_forwards(job);
	}
	lookup_batch_answered(job->batch);
	lookup_batch_unlock(job->batch);
}

/* Decodes each PTR rdata ourselves: labels and lengths are checked and odd
 * bytes escaped, whatever the server sent.  Duplicates are followed once.
 * Out of memory is our failure, not the DNS's: the PTR lookup is then
 * recorded as failed (temperror, never reused) rather than a name being
 * dropped, which could turn a pass into a fail. */
static void
add_names(struct fcrdns *job, const struct dns_answer *a)
{
	struct fcrdns_result *res = &job->res;
	char text[DNAME_TEXT_MAX];

	res->ptr_count = a->count;
	for (size_t i = 0; i < a->count; i++) {
		if (dname_wire_to_text(a->rr[i].data, a->rr[i].len, text,
		    sizeof(text)) == -1) {
			res->ptr_invalid++;
			continue;
		}
		bool seen = false;
		for (size_t j = 0; j < res->nnames && !seen; j++)
			seen = dname_equal(res->names[j].name, text);
		if (seen || res->nnames >= job->max_names)
			continue;
		char *copy = strdup(text);
		if (copy == NULL) {
			set_error(&res->ptr, "out of memory");
			return;
		}
		res->names[res->nnames++].name = copy;
	}
}

static void
start_forwards(struct fcrdns *job)
{
	int rrtype = job->res.client.family == AF_INET ? DNS_TYPE_A :
	    DNS_TYPE_AAAA;

	for (size_t i = 0; i < job->res.nnames; i++) {
		struct fcrdns_name *n = &job->res.names[i];

		job->fwd_refs[i].job = job;
		job->fwd_refs[i].index = i;
		job->fwd_sent[i] = monotime_now();
		n->forward.started = true;
		if (lookup_batch_send(job->batch, job->resolver, n->name,
		    rrtype, on_forward, &job->fwd_refs[i]) == -1)
			set_error(&n->forward, "the resolver could not start "
			    "the lookup");
	}
}

static void
on_forward(void *arg, const struct dns_answer *a)
{
	struct forward_ref *ref = arg;
	struct fcrdns *job = ref->job;
	struct fcrdns_name *n;
	size_t want;

	lookup_batch_lock(job->batch);
	n = &job->res.names[ref->index];
	record(&n->forward, a, job->fwd_sent[ref->index]);
	n->forward.canon = canon_for_display(a->canonname, n->name);
	want = job->res.client.family == AF_INET ? 4 : 16;
	if (a->status == DNS_OK && a->count > 0) {
		n->addrs = calloc(a->count, sizeof(*n->addrs));
		if (n->addrs == NULL)
			set_error(&n->forward, "out of memory");
		for (size_t i = 0; n->addrs != NULL && i < a->count; i++) {
			struct addr *x = &n->addrs[n->naddrs];

			if (a->rr[i].len != want)
				continue;
			x->family = job->res.client.family;
			memcpy(x->bytes, a->rr[i].data, want);
			n->naddrs++;
		}
	}
	lookup_batch_answered(job->batch);
	lookup_batch_unlock(job->batch);
}

int
fcrdns_wait(struct fcrdns *job, struct timespec deadline)
{
	return lookup_batch_wait(job->batch, deadline);
}

bool
fcrdns_done(struct fcrdns *job)
{
	return lookup_batch_done(job->batch);
}

/* An unanswered lookup is a timeout for the verdict either way, and for
 * the metrics as lookup_batch_count_unanswered() says. */
static void
mark_timeout(struct fcrdns_lookup *l, struct timespec sent,
    const struct lookup_batch *batch)
{
	int64_t ms;

	if (!l->started || l->answered)
		return;
	ms = monotime_diff_ms(sent, monotime_now());
	l->answered = true;
	l->status = DNS_TIMEOUT;
	l->rcode = -1;
	l->ms = ms < 0 ? 0 : (unsigned)ms;
	lookup_batch_count_unanswered(batch);
}

const struct fcrdns_result *
fcrdns_finish(struct fcrdns *job)
{
	if (job->finished)
		return &job->res;
	lookup_batch_close(job->batch);

	/* No callback can run any more. */
	mark_timeout(&job->res.ptr, job->ptr_sent, job->batch);
	for (size_t i = 0; i < job->res.nnames; i++)
		mark_timeout(&job->res.names[i].forward, job->fwd_sent[i],
		    job->batch);
	fcrdns_conclude(&job->res);
	mark_reusable(&job->res);
	/* The verdict time is when the last answer came, not when the owner
	 * got round to asking: ptrcheck finishes jobs in input order. */
	job->res.ms = lookup_batch_ms(job->batch);
	job->finished = true;
	return &job->res;
}

void
fcrdns_free(struct fcrdns *job)
{
	if (job == NULL)
		return;
	(void)fcrdns_finish(job);
	fcrdns_result_clear(&job->res);
	lookup_batch_free(job->batch);
	free(job->fwd_sent);
	free(job->fwd_refs);
	free(job);
}

/* Only an answer that came from the DNS and says what it holds is worth
 * keeping, and only until its TTL runs out counted from its arrival: a
 * failure, a timeout, a cancel or a bogus answer is asked again next
 * time.  Moves *until back to the answer's expiry when that is earlier. */
static bool
lookup_reusable(const struct fcrdns_lookup *l, struct timespec *until)
{
	if (!l->arrived || !ttl_cache_answer_reusable(l->status, l->dnssec))
		return false;
	*until = ttl_cache_expiry(*until, l->arrived_at, l->ttl);
	return true;
}

/* The verdict rests on the PTR answer and, when it held names, on the
 * forward answer of every name followed; the result may be reused only if
 * each of them is.  No lookup is passed over: a name whose forward lookup
 * never started (the PTR answer came while the job was closing) makes the
 * verdict temperror, and so the result is not reusable. */
static void
mark_reusable(struct fcrdns_result *res)
{
	struct timespec until = res->ptr.arrived_at;

	until.tv_sec += (time_t)res->ptr.ttl;	/* lowered by each answer */
	res->reusable = false;
	if (!lookup_reusable(&res->ptr, &until))
		return;
	for (size_t i = 0; res->ptr.status == DNS_OK && i < res->nnames; i++)
		if (!lookup_reusable(&res->names[i].forward, &until))
			return;
	res->expires = until;
	res->reusable = true;
}
