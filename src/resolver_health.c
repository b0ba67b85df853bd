/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver_health.c - what the resolver's first answer says about its
 * set-up; see resolver.h.
 *
 * A trust anchor that does not match, or a forwarder that drops DNSSEC
 * records, makes every answer bogus and every verdict temperror; servers
 * that cannot be reached do the same with timeouts.  Either would pass
 * unnoticed until someone reads the headers, so the answer that primes
 * the resolver at start-up is judged once and the verdict logged.
 */
#include "config.h"

#include <stdio.h>
#include <syslog.h>

#include "resolver.h"
#include "safe_text.h"

int
resolver_health(const struct dns_answer *a, bool validating, char *msg,
    size_t size)
{
	char why[256];

	switch (a->status) {
	case DNS_BOGUS:
		(void)safe_text(why, sizeof(why),
		    a->why_bogus != NULL ? a->why_bogus : "validation failed",
		    SAFE_TEXT_ALL, SAFE_TEXT_REPLY);
		snprintf(msg, size, "resolver: DNSSEC validation fails at the "
		    "root zone (%s): every verdict is iprev=temperror until "
		    "this is fixed; check trust_anchor_file, and that the "
		    "forwarders pass DNSSEC records through", why);
		return LOG_ERR;
	case DNS_OK:
		break;
	default:
		(void)safe_text(why, sizeof(why), a->error != NULL ? a->error :
		    dns_status_name(a->status, a->rcode), SAFE_TEXT_ALL,
		    SAFE_TEXT_REPLY);
		snprintf(msg, size, "resolver: no answer for the root zone "
		    "(%s): verdicts are iprev=temperror while the DNS servers "
		    "cannot be reached; check forwarders, unbound_config and "
		    "the network", why);
		return LOG_WARNING;
	}
	if (a->dnssec == DNSSEC_SECURE) {
		snprintf(msg, size, "resolver: ready, the root zone validates "
		    "(DNSSEC secure)");
		return LOG_DEBUG;
	}
	if (validating) {
		snprintf(msg, size, "resolver: the root zone's answer is not "
		    "DNSSEC-secure although trust_anchor_file is set: no "
		    "answer is validated; check the trust anchor");
		return LOG_WARNING;
	}
	snprintf(msg, size, "resolver: ready, DNSSEC validation is off "
	    "(trust_anchor_file = none): every answer is insecure");
	return LOG_INFO;
}
