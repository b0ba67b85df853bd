/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helo.c - classifying the HELO/EHLO argument and judging it against what
 * DNS says about the client; see helo.h.
 *
 * Pure code: no I/O, no allocation, no locale (character classes are
 * spelled out in ASCII).  The HELO text is untrusted and may hold any
 * byte, NUL included: it is read only within its length, copied only
 * after its length is checked, and never copied into a reason.  Reasons
 * are built from our own words and from addresses we formatted.
 */
#include "config.h"

#include <string.h>

#include "ascii.h"
#include "dname.h"
#include "helo.h"
#include "regdom.h"

/* "[IPv6:" is matched without regard to case (RFC 5234 strings are). */
#define HELO_IPV6_TAG "ipv6:"
#define HELO_IPV6_TAG_LEN (sizeof(HELO_IPV6_TAG) - 1)

/* parse_name() copies what dname_is_hostname() passes into name[]. */
_Static_assert(HELO_NAME_MAX == DNAME_HOSTNAME_MAX,
    "a HELO name holds any hostname");

static int parse_address(const char *s, size_t len, bool want_colon,
    struct addr *out);
static int parse_literal(const char *s, size_t len, struct addr *out);
static enum helo_kind parse_name(const char *s, size_t len, char *name);
static bool is_temporary(enum dns_status s);
static bool is_absent(enum dns_status s);
static void check_address(const struct addr *a, bool bare,
    const struct helo_context *ctx, struct findings *f);
static void check_ptr(const char *name, const struct fcrdns_result *res,
    struct findings *f);
static void check_forward(const struct helo_forward *fw,
    const struct addr *client, struct findings *f);

/*
 * Parses len bytes as one address.  want_colon says which family the
 * syntax promised: an IPv6 literal must be written as IPv6 (a mapped
 * address folds to IPv4 afterwards, which is fine), a plain literal must
 * be a dotted quad.  A NUL inside the span is an error, not an end.
 */
static int
parse_address(const char *s, size_t len, bool want_colon, struct addr *out)
{
	char buf[ADDR_TEXT_MAX];

	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len) != NULL)
		return -1;
	if ((memchr(s, ':', len) != NULL) != want_colon)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return addr_parse(buf, out);
}

/*
 * An RFC 5321 address literal, brackets included: "[198.51.100.20]" or
 * "[IPv6:2001:db8::1]".  Other standardized tags are not registered, and
 * "[2001:db8::1]" without the tag is not a literal at all.
 */
static int
parse_literal(const char *s, size_t len, struct addr *out)
{
	size_t i;

	if (len < 2 || s[0] != '[' || s[len - 1] != ']')
		return -1;
	s++;
	len -= 2;
	if (len > HELO_IPV6_TAG_LEN) {
		for (i = 0; i < HELO_IPV6_TAG_LEN; i++) {
			if (ascii_fold((unsigned char)s[i]) != HELO_IPV6_TAG[i])
				break;
		}
		if (i == HELO_IPV6_TAG_LEN)
			return parse_address(s + i, len - i, true, out);
	}
	return parse_address(s, len, false, out);
}

/*
 * Host name syntax (see helo.h); writes the name in lower case without
 * the trailing dot into name (HELO_NAME_MAX + 1 bytes).  Returns
 * HELO_SINGLE_LABEL, HELO_HOSTNAME or HELO_INVALID.
 */
static enum helo_kind
parse_name(const char *s, size_t len, char *name)
{
	if (!dname_is_hostname(s, len, DNAME_HOST_UNDERSCORE |
	    DNAME_HOST_NOT_NUMERIC))
		return HELO_INVALID;
	if (s[len - 1] == '.')
		len--;
	for (size_t i = 0; i < len; i++)
		name[i] = (char)ascii_fold((unsigned char)s[i]);
	name[len] = '\0';
	return memchr(name, '.', len) == NULL ? HELO_SINGLE_LABEL :
	    HELO_HOSTNAME;
}

void
helo_parse(const char *helo, size_t len, struct helo_parsed *out)
{
	memset(out, 0, sizeof(*out));
	if (helo == NULL) {
		out->kind = HELO_NONE;
		return;
	}
	out->kind = HELO_INVALID;
	if (len == 0)
		return;
	if (helo[0] == '[') {
		if (parse_literal(helo, len, &out->literal) == 0)
			out->kind = HELO_LITERAL;
		else	/* a failed parse may leave part of an address */
			memset(&out->literal, 0, sizeof(out->literal));
		return;
	}
	/* Before the name syntax: "198.51.100.20" would pass it as far as
	 * the digits-only rule, and "2001:db8::1" not at all. */
	if (parse_address(helo, len, memchr(helo, ':', len) != NULL,
	    &out->literal) == 0) {
		out->kind = HELO_BARE_IP;
		return;
	}
	memset(&out->literal, 0, sizeof(out->literal));
	out->kind = parse_name(helo, len, out->name);
	if (out->kind == HELO_INVALID)
		memset(out->name, 0, sizeof(out->name));
}

bool
helo_wants_lookup(const struct helo_parsed *h)
{
	/* A single label would be looked up under the resolver's search
	 * list, if at all: its answer says nothing about the client. */
	return h != NULL && h->kind == HELO_HOSTNAME;
}

/* A failure that may go away: it must not turn into a finding. */
static bool
is_temporary(enum dns_status s)
{
	return s == DNS_TEMPFAIL || s == DNS_TIMEOUT || s == DNS_BOGUS;
}

/* The name has no address of this type, for certain. */
static bool
is_absent(enum dns_status s)
{
	return s == DNS_NXDOMAIN || s == DNS_NODATA;
}

/*
 * A HELO that is an address, bare or as "[ip]": one fact, one tag.  A bare
 * address is helo_bare_ip whoever it names; a literal is a finding,
 * helo_literal_mismatch, only when it names another host.  Either way the
 * reason is the address when it is not the client's, so a bare address
 * of another host is not counted a second time as a literal mismatch.
 * helo_is_ours is a different fact and stands beside either.
 */
static void
check_address(const struct addr *a, bool bare,
    const struct helo_context *ctx, struct findings *f)
{
	char text[ADDR_TEXT_MAX] = "";
	bool other = ctx->client != NULL && !addr_equal(a, ctx->client);

	if (other && addr_format(a, text, sizeof(text)) == -1)
		text[0] = '\0';
	if (bare)
		findings_add(f, TAG_HELO_BARE_IP, text);
	else if (other)
		findings_add(f, TAG_HELO_LITERAL_MISMATCH, text);
	if (ctx->our_addr != NULL && addr_equal(a, ctx->our_addr))
		findings_add(f, TAG_HELO_IS_OURS, "addr");
}

/*
 * helo_ptr_mismatch or helo_ptr_same_domain, judged against the confirmed
 * PTR names only: an unconfirmed PTR name proves nothing, so a HELO that
 * differs from it is no evidence either way.
 */
static void
check_ptr(const char *name, const struct fcrdns_result *res,
    struct findings *f)
{
	char ptr[HELO_NAME_MAX + 1];
	bool any = false, same = false;
	size_t i, j, len;

	if (res == NULL || res->iprev != IPREV_PASS)
		return;
	for (i = 0; i < res->nnames; i++) {
		const char *p = res->names[i].name;

		if (!res->names[i].confirmed || p == NULL)
			continue;
		if (dname_equal(name, p))
			return;
		any = true;
		/* The PSL wants a plain lower-case name; a PTR name with
		 * escapes or over length cannot share our HELO's domain. */
		len = strlen(p);
		if (len > 0 && p[len - 1] == '.')
			len--;
		if (same || len == 0 || len > HELO_NAME_MAX ||
		    memchr(p, '\\', len) != NULL)
			continue;
		for (j = 0; j < len; j++)
			ptr[j] = (char)ascii_fold((unsigned char)p[j]);
		ptr[len] = '\0';
		same = regdom_same(name, ptr);
	}
	if (same)
		findings_add(f, TAG_HELO_PTR_SAME_DOMAIN, "");
	else if (any)
		findings_add(f, TAG_HELO_PTR_MISMATCH, "");
}

/* helo_no_forward or helo_forward_mismatch. */
static void
check_forward(const struct helo_forward *fw, const struct addr *client,
    struct findings *f)
{
	char text[ADDR_TEXT_MAX];
	size_t i;

	for (i = 0; i < fw->naddrs; i++) {
		if (client != NULL && addr_equal(&fw->addrs[i], client))
			return;
	}
	/* The answer still missing might have held the client. */
	if (is_temporary(fw->a) || is_temporary(fw->aaaa))
		return;
	if (fw->naddrs > 0) {
		if (client == NULL)
			return;
		if (addr_format(&fw->addrs[0], text, sizeof(text)) == -1)
			text[0] = '\0';
		findings_add(f, TAG_HELO_FORWARD_MISMATCH, text);
	} else if (is_absent(fw->a) && is_absent(fw->aaaa)) {
		findings_add(f, TAG_HELO_NO_FORWARD,
		    fw->a == DNS_NXDOMAIN || fw->aaaa == DNS_NXDOMAIN ?
		    "nxdomain" : "nodata");
	}
}

void
helo_collect(const struct helo_parsed *h, const struct helo_context *ctx,
    struct findings *f)
{
	switch (h->kind) {
	case HELO_NONE:
		break;
	case HELO_INVALID:
		findings_add(f, TAG_HELO_INVALID, "");
		break;
	case HELO_BARE_IP:
		check_address(&h->literal, true, ctx, f);
		break;
	case HELO_LITERAL:
		check_address(&h->literal, false, ctx, f);
		break;
	case HELO_SINGLE_LABEL:
		findings_add(f, TAG_HELO_NOT_FQDN, "");
		if (dname_equal(h->name, ctx->our_name))
			findings_add(f, TAG_HELO_IS_OURS, "name");
		break;
	case HELO_HOSTNAME:
		check_ptr(h->name, ctx->fcrdns, f);
		if (ctx->forward != NULL)
			check_forward(ctx->forward, ctx->client, f);
		if (dname_equal(h->name, ctx->our_name))
			findings_add(f, TAG_HELO_IS_OURS, "name");
		break;
	}
}
