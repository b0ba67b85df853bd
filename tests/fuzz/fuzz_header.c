/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_header.c - the header values and the log line made from hostile
 * input: a fuzz-chosen iprev, DNSSEC state, client, PTR names, HELO,
 * authserv-id, MTA macros and tag reasons, through verdict_decide() and
 * the three formatters.
 *
 * Header values: printable ASCII and single spaces, folded only as
 * "\n\t" between tokens, no CR, no line over 998 characters (the first
 * counting "Field: "), a line over 78 only when it is one token.  The log
 * line: one line of printable ASCII and single spaces, and so is the
 * decision or message line of verdict_record.c, whose JSON form is one
 * well-formed object of printable ASCII.  The SMTP reply:
 * printable, no '%'.  What Authentication-Results writes is read back as
 * ours by authres_is_ours() - writer and reader agree on the id - and the
 * reader, given the hostile HELO as a header value, stays in bounds.
 *
 * Input: 6 control bytes, 4 or 16 address bytes, then length-prefixed
 * strings (HELO, PTR 1, PTR 2, authserv-id, mta_resolve, mta_ptr, then
 * one reason per tag); missing bytes make empty strings.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fcrdns.h"
#include "policy.h"
#include "tags.h"
#include "authres.h"
#include "verdict.h"
#include "verdict_record.h"
#include "verdict_text.h"

static const char *const confs[] = {
	"",
	"auth_results_property = smtp.remote-ip\nmode = dry-run\n",
	"reject_score = 3\ntempfail_score = 1\non_dns_error = tempfail\n"
	    "score_header = X-Fuzz-PTR-Check-Result-Score\n",
	"score.no_ptr = 99.999\nscore.helo_invalid = 0.001\n"
	    "tempfail_score = off\nscore_header = none\n",
};
#define NCONFS (sizeof(confs) / sizeof(confs[0]))
static struct policy *policies[NCONFS];

struct cursor {
	const uint8_t *p;
	size_t left;
};

static void
report(void *arg, const char *message)
{
	(void)arg;
	fprintf(stderr, "fuzz_header: %s\n", message);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < NCONFS; i++) {
		policies[i] = policy_parse_buffer("fuzz", confs[i],
		    strlen(confs[i]), report, NULL);
		if (policies[i] == NULL)
			abort();
	}
	return 0;
}

static uint8_t
take_byte(struct cursor *c)
{
	if (c->left == 0)
		return 0;
	c->left--;
	return *c->p++;
}

/* A length-prefixed string, NUL-terminated in dst (a NUL inside ends it
 * early, as it would in a C string from the MTA). */
static void
take_string(struct cursor *c, char *dst, size_t size)
{
	size_t n = take_byte(c);

	n = (n & 0x80) ? (n & 0x7f) * 8 : n;	/* up to 1016 */
	if (n > c->left)
		n = c->left;
	if (n >= size)
		n = size - 1;
	memcpy(dst, c->p, n);
	dst[n] = '\0';
	c->p += n;
	c->left -= n;
}

static void
check_header(const char *field, const char *value)
{
	size_t col = strlen(field) + 2, tokens = 1;
	const char *p;

	if (value[0] == '\0' || value[0] == ' ' || value[0] == '\n')
		__builtin_trap();
	for (p = value; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\n') {
			if (p[1] != '\t' || p[2] == '\0' || p[2] == ' ' ||
			    p[2] == '\n')
				__builtin_trap();
			if (col > VERDICT_LINE_MAX)
				__builtin_trap();
			if (col > VERDICT_FOLD_WIDTH && tokens != 1)
				__builtin_trap();
			col = 1;
			tokens = 1;
			p++;
			continue;
		}
		if (c != ' ' && (c < 0x21 || c > 0x7e))
			__builtin_trap();	/* CR, other controls, 8-bit */
		if (c == ' ') {
			if (p[1] == ' ' || p[1] == '\0')
				__builtin_trap();
			tokens++;
		}
		col++;
	}
	if (col > VERDICT_LINE_MAX)
		__builtin_trap();
	if (col > VERDICT_FOLD_WIDTH && tokens != 1)
		__builtin_trap();
}

static void
check_line(const char *line, size_t size, bool allow_percent)
{
	size_t len = strnlen(line, size);

	if (len == size)
		__builtin_trap();
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c != ' ' && (c < 0x21 || c > 0x7e))
			__builtin_trap();
		if (c == ' ' && (i == 0 || line[i + 1] == ' ' ||
		    line[i + 1] == '\0'))
			__builtin_trap();
		if (c == '%' && !allow_percent)
			__builtin_trap();
	}
}

/* One JSON value on one line of printable ASCII: strings closed, their
 * escapes \" \\ or \u00XX, brackets and braces balanced. */
static void
check_json(const char *line, size_t size)
{
	size_t len = strnlen(line, size), depth = 0;
	bool in_string = false;

	if (len == size || len < 2 || line[0] != '{' || line[len - 1] != '}')
		__builtin_trap();
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c > 0x7e)
			__builtin_trap();
		if (in_string) {
			if (c == '"')
				in_string = false;
			else if (c == '\\' && (line[i + 1] == '"' ||
			    line[i + 1] == '\\'))
				i++;
			else if (c == '\\' && strncmp(line + i + 1, "u00", 3) == 0 &&
			    strchr("0123456789abcdef", line[i + 4]) != NULL &&
			    strchr("0123456789abcdef", line[i + 5]) != NULL &&
			    line[i + 4] != '\0' && line[i + 5] != '\0')
				i += 5;
			else if (c == '\\')
				__builtin_trap();
			continue;
		}
		if (c == '"')
			in_string = true;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && depth-- == 0)
			__builtin_trap();
		else if (strchr("}]:,-.0123456789truefalsn", c) == NULL)
			__builtin_trap();
	}
	if (in_string || depth != 0)
		__builtin_trap();
}

/* Both forms of the decision and the message line, the MTA's queue ID
 * taken from hostile bytes too. */
static void
check_records(const struct verdict_input *in, const struct verdict *v,
    const char *queue_id, uint8_t how)
{
	static char line[VERDICT_RECORD_MAX];
	struct verdict_record r = {
		.event = (how & 1) ? VERDICT_EVENT_MESSAGE :
		    VERDICT_EVENT_DECISION,
		.conn = 12, .msg = how >> 4, .queue_id = queue_id,
		.ip = "198.51.100.20",
		.in = (how & 2) ? NULL : in, .v = (how & 2) ? NULL : v,
		.mode = in->policy->mode,
		.exempt = (how & 4) ? "network" : NULL,
		.forged_removed = how, .headers_added = (how & 8) != 0,
	};

	if (verdict_record_text(&r, line, sizeof(line)) == 0)
		check_line(line, sizeof(line), true);
	else if (line[0] != '\0')
		__builtin_trap();
	if (verdict_record_json(&r, line, sizeof(line)) == 0)
		check_json(line, sizeof(line));
	else if (line[0] != '\0')
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char helo[1100], ptr[2][1100], authserv[1100], resolve[1100],
	    mtaptr[1100], reason[1100];
	static char buf[VERDICT_HEADER_MAX], log[VERDICT_LOG_MAX];
	struct cursor c = { data, size };
	struct fcrdns_name names[2];
	struct fcrdns_result res;
	struct findings f;
	struct verdict_input in;
	struct verdict v;
	const struct policy *pol;
	const char *field;
	uint8_t b0, b1;
	uint32_t tags;
	size_t nnames;

	b0 = take_byte(&c);
	b1 = take_byte(&c);
	tags = (uint32_t)take_byte(&c) | (uint32_t)take_byte(&c) << 8 |
	    (uint32_t)take_byte(&c) << 16;
	tags &= TAG_BIT(TAG_COUNT) - 1;
	take_byte(&c);		/* reserved */

	memset(&res, 0, sizeof(res));
	memset(names, 0, sizeof(names));
	res.client.family = (b0 & 1) ? AF_INET6 : AF_INET;
	for (size_t i = 0; i < ((b0 & 1) ? 16u : 4u); i++)
		res.client.bytes[i] = take_byte(&c);
	res.iprev = (enum iprev)((b0 >> 1) & 3);
	res.dnssec = (enum dnssec_state)(((b0 >> 3) & 3) % 3);
	nnames = ((b0 >> 5) & 3) % 3;
	pol = policies[b1 & 3];

	take_string(&c, helo, sizeof(helo));
	take_string(&c, ptr[0], sizeof(ptr[0]));
	take_string(&c, ptr[1], sizeof(ptr[1]));
	take_string(&c, authserv, sizeof(authserv));
	take_string(&c, resolve, sizeof(resolve));
	take_string(&c, mtaptr, sizeof(mtaptr));

	res.confirmed = -1;
	res.names = names;
	res.nnames = nnames;
	for (size_t i = 0; i < nnames; i++)
		names[i].name = ptr[i];
	if (res.iprev == IPREV_PASS && nnames > 0) {
		res.confirmed = (b1 & 0x40) && nnames > 1 ? 1 : 0;
		names[res.confirmed].confirmed = true;
	}
	res.ptr.status = nnames > 0 ? DNS_OK : DNS_NXDOMAIN;
	res.ptr_count = nnames;
	res.ms = (unsigned)take_byte(&c) * 1000u;

	memset(&f, 0, sizeof(f));
	for (int t = 0; t < TAG_COUNT; t++) {
		if (!(tags & TAG_BIT(t)))
			continue;
		take_string(&c, reason, sizeof(reason));
		findings_add(&f, (enum tag)t, reason);
	}
	res.tags = f.tags;

	in = (struct verdict_input){
		.policy = pol, .fcrdns = &res, .findings = &f,
		.helo = (b1 & 0x04) ? NULL : helo,
		.dns_grace = (b1 & 0x08) != 0,
		.mta_resolve = (b1 & 0x10) ? resolve : NULL,
		.mta_ptr = (b1 & 0x20) ? mtaptr : NULL,
	};
	verdict_decide(&in, &v);
	check_line(v.reply, sizeof(v.reply), false);
	if (strchr(v.reply, '\n') != NULL || strchr(v.reply, '\r') != NULL)
		__builtin_trap();

	memset(buf, 'x', sizeof(buf));
	if (verdict_auth_results(&in, &v, authserv, buf, sizeof(buf)) == 0) {
		check_header("Authentication-Results", buf);
		if (!authres_is_ours(buf, authserv))
			__builtin_trap();
	} else if (buf[0] != '\0' || authres_id_valid(authserv)) {
		__builtin_trap();	/* room enough; only a bad id fails */
	}
	(void)authres_is_ours(helo, authserv);
	(void)authres_is_ours(helo, "mx.example.net");

	field = pol->score_header != NULL ? pol->score_header : "X-PTR-Score";
	memset(buf, 'x', sizeof(buf));
	if (verdict_score_header(&in, &v, field, buf, sizeof(buf)) != 0)
		__builtin_trap();
	check_header(field, buf);

	if (verdict_log_line(&in, &v, log, sizeof(log)) != 0)
		__builtin_trap();
	check_line(log, sizeof(log), true);
	check_records(&in, &v, mtaptr, b0 ^ b1);
	return 0;
}
