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

bool
session_exempt_network(const struct session *s)
{
	const struct allow_list *l = &s->snap->policy->exempt_networks;
	const struct allow_entry *e = allow_list_network(l, &s->client);
	char net[CIDR_TEXT_MAX];
	const char *file;

	if (e == NULL)
		return false;
	metrics_count_exempt(METRICS_EXEMPT_NETWORK);
	if (allow_entry_format(e, ALLOW_NETWORKS, net, sizeof(net)) != 0)
		net[0] = '\0';
	file = allow_list_file_of(l, e);
	if (file != NULL)
		log_info("conn=%lu action=accept ip=%s exempt=network:%s "
		    "list=%s:%u", s->id, s->client_text, net, file, e->line);
	else
		log_info("conn=%lu action=accept ip=%s exempt=network:%s",
		    s->id, s->client_text, net);
	return true;
}

void
session_exempt_authenticated(const struct session *s)
{
	metrics_count_exempt(METRICS_EXEMPT_AUTHENTICATED);
	log_info("conn=%lu action=accept ip=%s exempt=authenticated", s->id,
	    s->client_text);
}

bool
session_exempt_recipient(const struct session *s, const char *rcpt,
    const struct verdict *waived)
{
	struct recipient r;
	char mailbox[sizeof(r.local) + sizeof(r.domain) + 1];
	char shown[RCPT_SHOWN + 1];
	const char *entry;

	if (recipient_parse(rcpt, &r) != 0)
		return false;
	entry = recipient_match(s->snap->policy->exempt_recipients, &r);
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
