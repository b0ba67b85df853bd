/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver_config.h - the settings a resolver is built with.
 *
 * The policy (policy.h) writes them and resolver_create() (resolver.h)
 * reads them; kept apart so that the pure policy code needs nothing of
 * the resolver but this shape.
 */
#ifndef PTRMILTER_RESOLVER_CONFIG_H
#define PTRMILTER_RESOLVER_CONFIG_H

#include <stdbool.h>

struct resolver_config {
	const char *unbound_config;	/* NULL: none */
	const char *trust_anchor_file;	/* NULL: no validation */
	bool resolv_conf;		/* forward to /etc/resolv.conf's servers */
	const char *forwarders;		/* NULL or space-separated addresses */
	bool breaker;			/* the DNS outage breaker: on for the
					   daemon, off for a one-shot audit */
};

#endif
