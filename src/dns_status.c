/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_status.c - names of DNS outcomes for output and logs; see dns_status.h.
 *
 * Kept apart from resolver.c so that the fake resolver of the unit tests
 * prints the same words as the real one.
 */
#include "config.h"

#include "dns_status.h"

const char *
dns_status_name(enum dns_status s, int rcode)
{
	switch (s) {
	case DNS_OK:
		return "NOERROR";
	case DNS_NXDOMAIN:
		return "NXDOMAIN";
	case DNS_NODATA:
		return "NODATA";
	case DNS_TEMPFAIL:
		if (rcode == DNS_RCODE_REFUSED)
			return "REFUSED";
		if (rcode < 0)
			return "ERROR";
		return "SERVFAIL";
	case DNS_TIMEOUT:
		return "TIMEOUT";
	case DNS_BOGUS:
		return "BOGUS";
	}
	return "UNKNOWN";
}

const char *
dnssec_state_name(enum dnssec_state s)
{
	switch (s) {
	case DNSSEC_SECURE:
		return "secure";
	case DNSSEC_BOGUS:
		return "bogus";
	case DNSSEC_INSECURE:
		break;
	}
	return "insecure";
}
