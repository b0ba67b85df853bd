/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session_exempt.c - the allow-lists a connection meets: an exempt
 * network at CONNECT, an authenticated client at MAIL, an exempt
 * recipient at RCPT.  Each counts in the metrics and logs one info line
 * naming the entry that applied, so that an administrator can tell from
 * the log why a client was let through and which line to change.
 * (exempt_ptr_domains is decided with the verdict: assess.c.)
 *
 * The entries come from the policy; the recipient comes from the network
 * and is shown only through safe_text(), bounded.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "allow_list.h"
#include "log.h"
#include "metrics.h"
#include "recipient.h"
#include "safe_text.h"
#include "session_state.h"

/* Longest recipient shown in a log line. */
#define RCPT_SHOWN 128
/* "FILE:LINE" of a list entry; a longer path is cut. */
#define LIST_SOURCE_MAX 1024

static void log_exemption(const struct session *s, const char *exempt,
    const char *source);

bool
session_exempt_network(const struct session *s)
{
	const struct allow_list *l = &s->snap->policy->exempt_networks;
	const struct allow_entry *e = allow_list_network(l, &s->client);
	char net[CIDR_TEXT_MAX], exempt[sizeof("network:") + CIDR_TEXT_MAX];
	char source[LIST_SOURCE_MAX];
	const char *file;

	if (e == NULL)
		return false;
	metrics_count_exempt(METRICS_EXEMPT_NETWORK);
	if (allow_entry_format(e, ALLOW_NETWORKS, net, sizeof(net)) != 0)
		net[0] = '\0';
	(void)snprintf(exempt, sizeof(exempt), "network:%s", net);
	file = allow_list_file_of(l, e);
	if (file != NULL)
		(void)snprintf(source, sizeof(source), "%s:%u", file, e->line);
	log_exemption(s, exempt, file != NULL ? source : NULL);
	return true;
}

void
session_exempt_authenticated(const struct session *s)
{
	metrics_count_exempt(METRICS_EXEMPT_AUTHENTICATED);
	log_exemption(s, "authenticated", NULL);
}

/* The decision line of a client that is not judged, in log_format. */
static void
log_exemption(const struct session *s, const char *exempt,
    const char *source)
{
	struct verdict_record r;

	session_record(s, VERDICT_EVENT_DECISION, &r);
	r.exempt = exempt;
	r.exempt_source = source;
	session_log_record(s, &r);
}

const char *
session_exempt_entry(const struct session *s, const char *rcpt,
    struct recipient *r)
{
	if (recipient_parse(rcpt, r) != 0)
		return NULL;
	return recipient_match(s->snap->policy->exempt_recipients, r);
}

bool
session_exempt_recipient(const struct session *s, const char *rcpt,
    const struct verdict *waived)
{
	struct recipient r;
	char mailbox[sizeof(r.local) + sizeof(r.domain) + 1];
	char shown[RCPT_SHOWN + 1];
	const char *entry;

	entry = session_exempt_entry(s, rcpt, &r);
	if (entry == NULL)
		return false;
	metrics_count_exempt(METRICS_EXEMPT_RECIPIENT);
	/* As parsed (no brackets, route or quotes), then made a token. */
	(void)snprintf(mailbox, sizeof(mailbox), "%s%s%s", r.local,
	    r.domain[0] != '\0' ? "@" : "", r.domain);
	(void)safe_text(shown, sizeof(shown), mailbox, SAFE_TEXT_ALL,
	    SAFE_TEXT_HEADER);
	log_info("conn=%lu ip=%s exempt=recipient:%s rcpt=<%s> waived=%s",
	    s->id, s->client_text, entry, shown,
	    verdict_action_name(waived->action));
	return true;
}
