/*
 * policy.c - ptrmilter.conf: the key table, the loader, the dump; see
 * policy.h.
 *
 * One table, keys[], says for every key its name, type, default (as config
 * text), range and a line of documentation.  The defaults are made by
 * parsing those default texts, the loader parses a file over them, the
 * dump prints every key back in the same syntax, and policy_equal()
 * compares key by key, so a key added to the table is parsed, defaulted,
 * dumped and compared without another line elsewhere.  The syntaxes of
 * single values live in policy_values.c.
 *
 * A load reports every error of the file in one pass, each as
 * "FILE:LINE: message", and then fails as a whole.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "policy.h"
#include "policy_values.h"
#include "tags.h"

#define POLICY_LINE_MAX 4096		/* bytes a line, without its end */
#define POLICY_FILE_MAX (1024 * 1024)	/* no config file is this large */

enum key_type {
	KEY_SOCKET,		/* char *, libmilter socket spec */
	KEY_USER,		/* char *, one word */
	KEY_OCTAL,		/* unsigned, 0000..0777 */
	KEY_ENUM,		/* an enum, one of choices[] (index = value) */
	KEY_TOKEN,		/* char *, RFC 2045 token */
	KEY_PATH,		/* char *, absolute path */
	KEY_BOOL,		/* bool */
	KEY_ADDRESSES,		/* char *, IP addresses joined by one space */
	KEY_DURATION_MS,	/* unsigned, milliseconds; min/max in seconds */
	KEY_DURATION_S,		/* unsigned, seconds; 0 is "off" */
	KEY_UNSIGNED,		/* unsigned */
	KEY_WEIGHT,		/* double, thousandths exact */
	KEY_THRESHOLD,		/* double, INFINITY is "off" */
	KEY_NETWORKS,		/* struct cidr_list */
	KEY_LOCAL_PARTS,	/* char **, lower case */
	KEY_DOMAINS,		/* char **, lower case, no outer dots */
	KEY_HEADER,		/* char *, header field name */
	KEY_HOSTPORT,		/* char *, ADDRESS:PORT */
};

#define KEY_NONE 0x1		/* "none" unsets: NULL, or an empty list */
#define KEY_OFF 0x2		/* "off" allowed: 0 or INFINITY */

struct policy_key {
	const char *name;
	enum key_type type;
	unsigned flags;
	size_t offset;		/* of the field in struct policy */
	const char *def;	/* the default, as it would be written */
	double min, max;	/* numbers; durations in seconds */
	const char *const *choices;	/* KEY_ENUM, NULL-terminated */
	const char *doc;
};

static const char *const mode_choices[] = { "enforce", "dry-run", NULL };
static const char *const dns_error_choices[] = { "accept", "tempfail", NULL };
static const char *const ar_property_choices[] = {
	"policy.iprev", "smtp.remote-ip", NULL
};

/* Enum fields are written as int; the choices are indexed by value. */
_Static_assert(sizeof(enum policy_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum policy_dns_error_action) == sizeof(int),
    "enum size");
_Static_assert(sizeof(enum policy_ar_property) == sizeof(int), "enum size");
_Static_assert(POLICY_MODE_DRY_RUN == 1 && POLICY_DNS_ERROR_TEMPFAIL == 1 &&
    POLICY_AR_SMTP_REMOTE_IP == 1, "choices follow the enums");

#define F(field) offsetof(struct policy, field)
#define SCORE(tag, TAG, def, doc) \
	{ "score." #tag, KEY_WEIGHT, 0, F(score[TAG_##TAG]), def, -100, 100, \
	  NULL, doc }

static const struct policy_key keys[] = {
	{ "socket", KEY_SOCKET, 0, F(socket),
	  "unix:/run/ptrmilter/ptrmilter.sock", 0, 0, NULL,
	  "libmilter socket to listen on" },
	{ "user", KEY_USER, KEY_NONE, F(user), "none", 0, 0, NULL,
	  "user to switch to after opening the socket" },
	{ "socket_mode", KEY_OCTAL, 0, F(socket_mode), "0660", 0, 0777, NULL,
	  "permissions of a unix socket" },
	{ "mode", KEY_ENUM, 0, F(mode), "enforce", 0, 0, mode_choices,
	  "enforce, or dry-run: headers and logs only" },
	{ "authserv_id", KEY_TOKEN, KEY_NONE, F(authserv_id), "none", 0, 0,
	  NULL, "authserv-id in Authentication-Results; none: the MTA's {j}" },
	{ "unbound_config", KEY_PATH, KEY_NONE, F(unbound_config), "none",
	  0, 0, NULL, "unbound.conf read by libunbound" },
	{ "trust_anchor_file", KEY_PATH, KEY_NONE, F(trust_anchor_file),
	  "/usr/share/dns/root.key", 0, 0, NULL,
	  "DNSSEC trust anchor; none disables validation" },
	{ "resolv_conf", KEY_BOOL, 0, F(resolv_conf), "no", 0, 0, NULL,
	  "forward queries to the servers of /etc/resolv.conf" },
	{ "forwarders", KEY_ADDRESSES, KEY_NONE, F(forwarders), "none",
	  0, 0, NULL, "resolvers to forward queries to" },
	{ "dns_timeout", KEY_DURATION_MS, 0, F(dns_timeout_ms), "5s", 1, 60,
	  NULL, "time for all lookups of one verdict, from connect" },
	{ "max_ptr_names", KEY_UNSIGNED, 0, F(max_ptr_names), "10", 1, 32,
	  NULL, "PTR names followed per client address" },
	SCORE(no_ptr, NO_PTR, "5", "weight: no PTR record"),
	SCORE(ptr_not_confirmed, PTR_NOT_CONFIRMED, "4",
	    "weight: no PTR name resolves back to the client"),
	SCORE(ptr_forward_nxdomain, PTR_FORWARD_NXDOMAIN, "1",
	    "weight: a PTR name does not exist"),
	SCORE(dns_temperror, DNS_TEMPERROR, "0",
	    "weight: a lookup failed temporarily"),
	SCORE(dnssec_bogus, DNSSEC_BOGUS, "0",
	    "weight: an answer failed DNSSEC validation"),
	SCORE(ptr_multiple, PTR_MULTIPLE, "0.5",
	    "weight: more than one PTR record"),
	SCORE(ptr_generic, PTR_GENERIC, "2",
	    "weight: the PTR name looks generic"),
	SCORE(helo_generic, HELO_GENERIC, "0.5",
	    "weight: the HELO name looks generic"),
	SCORE(helo_invalid, HELO_INVALID, "1.5",
	    "weight: HELO is not a host name or address literal"),
	SCORE(helo_not_fqdn, HELO_NOT_FQDN, "1",
	    "weight: HELO is a single label"),
	SCORE(helo_bare_ip, HELO_BARE_IP, "1",
	    "weight: HELO is an address without brackets"),
	SCORE(helo_literal_mismatch, HELO_LITERAL_MISMATCH, "1",
	    "weight: HELO literal is not the client address"),
	SCORE(helo_ptr_mismatch, HELO_PTR_MISMATCH, "0.5",
	    "weight: HELO differs from every confirmed PTR name"),
	SCORE(helo_ptr_same_domain, HELO_PTR_SAME_DOMAIN, "0.2",
	    "weight: HELO differs, same registered domain"),
	SCORE(helo_no_forward, HELO_NO_FORWARD, "0.5",
	    "weight: HELO name does not resolve"),
	SCORE(helo_forward_mismatch, HELO_FORWARD_MISMATCH, "0.3",
	    "weight: HELO resolves, not to the client"),
	SCORE(helo_is_ours, HELO_IS_OURS, "1.5",
	    "weight: HELO claims to be this MTA"),
	SCORE(dnssec_secure, DNSSEC_SECURE, "0",
	    "weight: the whole chain validated as secure"),
	{ "tempfail_score", KEY_THRESHOLD, KEY_OFF, F(tempfail_score), "5",
	  0.001, 1000, NULL, "score at or above which to tempfail" },
	{ "reject_score", KEY_THRESHOLD, KEY_OFF, F(reject_score), "off",
	  0.001, 1000, NULL, "score at or above which to reject" },
	{ "on_dns_error", KEY_ENUM, 0, F(on_dns_error), "accept", 0, 0,
	  dns_error_choices, "what a temperror verdict gets" },
	{ "exempt_networks", KEY_NETWORKS, KEY_NONE, F(exempt_networks),
	  "127.0.0.0/8 ::1/128", 0, 0, NULL, "client networks never judged" },
	{ "exempt_authenticated", KEY_BOOL, 0, F(exempt_authenticated), "yes",
	  0, 0, NULL, "never judge clients that authenticated" },
	{ "exempt_recipients", KEY_LOCAL_PARTS, KEY_NONE, F(exempt_recipients),
	  "postmaster abuse", 0, 0, NULL, "local parts never refused" },
	{ "generic_allow", KEY_DOMAINS, KEY_NONE, F(generic_allow), "none",
	  0, 0, NULL, "domains whose names are never generic" },
	{ "generic_patterns", KEY_PATH, KEY_NONE, F(generic_patterns), "none",
	  0, 0, NULL, "file of extra generic-name patterns" },
	{ "tempfail_limit", KEY_DURATION_S, KEY_OFF, F(tempfail_limit_s), "off",
	  1, 30 * 86400, NULL, "how long DNS errors may defer an address" },
	{ "score_header", KEY_HEADER, KEY_NONE, F(score_header), "X-PTR-Score",
	  0, 0, NULL, "name of the score header" },
	{ "auth_results", KEY_BOOL, 0, F(auth_results), "yes", 0, 0, NULL,
	  "add Authentication-Results with the iprev result" },
	{ "auth_results_property", KEY_ENUM, 0, F(auth_results_property),
	  "policy.iprev", 0, 0, ar_property_choices,
	  "property of the iprev result" },
	{ "metrics_listen", KEY_HOSTPORT, KEY_NONE, F(metrics_listen), "none",
	  0, 0, NULL, "address and port of the Prometheus metrics" },
};

#undef SCORE
#undef F

#define KEY_COUNT (sizeof(keys) / sizeof(keys[0]))

/* How each type is held in struct policy. */
enum storage {
	STORE_STRING,		/* char *, NULL for "none" */
	STORE_BOOL,		/* bool */
	STORE_UNSIGNED,		/* unsigned */
	STORE_ENUM,		/* an enum, written as int */
	STORE_DOUBLE,		/* double */
	STORE_CIDRS,		/* struct cidr_list */
	STORE_WORDS,		/* char **, NULL-terminated, never NULL */
};

/* A parsed value before it is stored; which member depends on the type. */
struct value {
	char *str;
	bool b;
	unsigned u;
	double d;
	struct cidr_list cidrs;
	char **words;
};

/* One load in progress. */
struct parser {
	const char *file;
	policy_reporter *report;
	void *arg;
	unsigned errors;
	struct policy *p;
	char *line;			/* POLICY_LINE_MAX + 1 bytes */
	unsigned line_of[KEY_COUNT];	/* where each key was set; 0: default */
	bool bad[KEY_COUNT];		/* its value did not parse */
};

static void *field(const struct policy *p, const struct policy_key *k);
static long long to_milli(double d);
static const struct policy_key *key_find(const char *name);
static void key_expected(const struct policy_key *k, char *buf, size_t size);
static enum policy_value_result networks_parse(const char *text,
    struct value *v, const char **bad);
static enum policy_value_result value_parse(const struct policy_key *k,
    const char *text, struct value *v, const char **bad);
static void value_store(struct policy *p, const struct policy_key *k,
    struct value *v);
static enum storage storage_of(enum key_type type);
static void value_free(struct value *v);
static bool value_equal(const struct policy *a, const struct policy *b,
    const struct policy_key *k);
static void value_print(const struct policy *p, const struct policy_key *k,
    FILE *out);
static void report_at(struct parser *ps, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static char *trim(char *s);
static void parse_line(struct parser *ps, unsigned line);
static void check_cross(struct parser *ps);
static void key_names_init(void);

static void *
field(const struct policy *p, const struct policy_key *k)
{
	return (char *)(uintptr_t)p + k->offset;
}

/* Thousandths of a finite score, rounded (llround() without libm). */
static long long
to_milli(double d)
{
	return (long long)(d * 1000 + (d < 0 ? -0.5 : 0.5));
}

static const struct policy_key *
key_find(const char *name)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* What the key accepts, for error messages. */
static void
key_expected(const struct policy_key *k, char *buf, size_t size)
{
	char lo[POLICY_VALUE_NUMBER_MAX], hi[POLICY_VALUE_NUMBER_MAX];
	const char *what = "";
	size_t n;

	switch (k->type) {
	case KEY_SOCKET:
		what = "unix:/PATH, local:/PATH, inet:PORT[@HOST] or "
		    "inet6:PORT[@HOST] (libmilter puts the port first)";
		break;
	case KEY_USER:
		what = "a user name";
		break;
	case KEY_OCTAL:
		what = "an octal mode from 0000 to 0777";
		break;
	case KEY_TOKEN:
		what = "a name without spaces or any of ()<>@,;:\\\"/[]?= "
		    "(e.g. mx.example.net)";
		break;
	case KEY_PATH:
		what = "an absolute path without spaces";
		break;
	case KEY_BOOL:
		what = "yes, no, true or false";
		break;
	case KEY_ADDRESSES:
		what = "IP addresses separated by spaces or commas";
		break;
	case KEY_NETWORKS:
		what = "networks (192.0.2.0/24, 2001:db8::/32, no host bits "
		    "set) or addresses, separated by spaces or commas";
		break;
	case KEY_LOCAL_PARTS:
		what = "local parts without @domain, separated by spaces or "
		    "commas";
		break;
	case KEY_DOMAINS:
		what = "domain names separated by spaces or commas";
		break;
	case KEY_HEADER:
		what = "a header field name (printable, no spaces or colons, "
		    "at most 64 bytes)";
		break;
	case KEY_HOSTPORT:
		what = "ADDRESS:PORT, e.g. 127.0.0.1:9100 or [::1]:9100";
		break;
	case KEY_ENUM:
		buf[0] = '\0';
		for (size_t i = 0; k->choices[i] != NULL; i++) {
			n = strlen(buf);
			snprintf(buf + n, size - n, "%s%s", i == 0 ? "" :
			    k->choices[i + 1] == NULL ? " or " : ", ",
			    k->choices[i]);
		}
		return;
	case KEY_DURATION_MS:
	case KEY_DURATION_S:
		policy_value_format_duration((unsigned long long)k->min, lo,
		    sizeof(lo));
		policy_value_format_duration((unsigned long long)k->max, hi,
		    sizeof(hi));
		snprintf(buf, size, "%sa duration from %s to %s (seconds, or a "
		    "number with suffix s, m, h or d)",
		    k->flags & KEY_OFF ? "off, or " : "", lo, hi);
		return;
	case KEY_UNSIGNED:
		snprintf(buf, size, "a whole number from %.0f to %.0f", k->min,
		    k->max);
		return;
	case KEY_WEIGHT:
	case KEY_THRESHOLD:
		policy_value_format_decimal(to_milli(k->min), lo, sizeof(lo));
		policy_value_format_decimal(to_milli(k->max), hi, sizeof(hi));
		snprintf(buf, size, "%sa number from %s to %s with at most 3 "
		    "decimals", k->flags & KEY_OFF ? "off, or " : "", lo, hi);
		return;
	}
	snprintf(buf, size, "%s%s", what,
	    k->flags & KEY_NONE ? ", or none" : "");
}

static enum policy_value_result
networks_parse(const char *text, struct value *v, const char **bad)
{
	if (cidr_list_parse(&v->cidrs, text, bad) != 0)
		return *bad != NULL ? POLICY_VALUE_BAD : POLICY_VALUE_NOMEM;
	return v->cidrs.count == 0 ? POLICY_VALUE_BAD : POLICY_VALUE_OK;
}

/* Parses text (trimmed, non-empty) for key k into v.  On
 * POLICY_VALUE_BAD, *bad points at the offending list entry, or is NULL
 * when the whole value is wrong.  v is zeroed first; value_free() it on
 * failure. */
static enum policy_value_result
value_parse(const struct policy_key *k, const char *text, struct value *v,
    const char **bad)
{
	unsigned long long secs;
	unsigned long ul;
	long long milli;
	bool ok = false;

	memset(v, 0, sizeof(*v));
	cidr_list_init(&v->cidrs);
	*bad = NULL;

	if (k->flags & KEY_NONE && policy_value_is(text, "none")) {
		/* NULL, or an empty list: an array holding only NULL */
		if (storage_of(k->type) != STORE_WORDS)
			return POLICY_VALUE_OK;
		v->words = calloc(1, sizeof(*v->words));
		return v->words != NULL ? POLICY_VALUE_OK : POLICY_VALUE_NOMEM;
	}
	if (k->flags & KEY_OFF && policy_value_is(text, "off")) {
		v->u = 0;
		v->d = INFINITY;
		return POLICY_VALUE_OK;
	}
	switch (k->type) {
	case KEY_SOCKET:
		ok = policy_value_is_socket(text);
		break;
	case KEY_USER:
		ok = policy_value_is_word(text);
		break;
	case KEY_TOKEN:
		ok = policy_value_is_token(text);
		break;
	case KEY_PATH:
		ok = policy_value_is_path(text);
		break;
	case KEY_HEADER:
		ok = policy_value_is_field_name(text);
		break;
	case KEY_HOSTPORT:
		ok = policy_value_is_hostport(text);
		break;
	case KEY_ADDRESSES:
		return policy_value_addresses(text, &v->str, bad);
	case KEY_NETWORKS:
		return networks_parse(text, v, bad);
	case KEY_LOCAL_PARTS:
	case KEY_DOMAINS:
		return policy_value_words(text, k->type == KEY_DOMAINS,
		    &v->words, bad);
	case KEY_BOOL:
		return policy_value_bool(text, &v->b) == 0 ? POLICY_VALUE_OK :
		    POLICY_VALUE_BAD;
	case KEY_OCTAL:
		return policy_value_octal(text, &v->u) == 0 ? POLICY_VALUE_OK :
		    POLICY_VALUE_BAD;
	case KEY_ENUM:
		for (unsigned i = 0; k->choices[i] != NULL; i++) {
			if (policy_value_is(text, k->choices[i])) {
				v->u = i;
				return POLICY_VALUE_OK;
			}
		}
		return POLICY_VALUE_BAD;
	case KEY_UNSIGNED:
		if (policy_value_unsigned(text, &ul) != 0 || ul < k->min ||
		    ul > k->max)
			return POLICY_VALUE_BAD;
		v->u = (unsigned)ul;
		return POLICY_VALUE_OK;
	case KEY_DURATION_MS:
	case KEY_DURATION_S:
		if (policy_value_duration(text, &secs) != 0 || secs < k->min ||
		    secs > k->max)
			return POLICY_VALUE_BAD;
		if (k->type == KEY_DURATION_MS)
			secs *= 1000;
		v->u = (unsigned)secs;
		return POLICY_VALUE_OK;
	case KEY_WEIGHT:
	case KEY_THRESHOLD:
		if (policy_value_decimal(text, &milli) != 0 ||
		    milli < to_milli(k->min) || milli > to_milli(k->max))
			return POLICY_VALUE_BAD;
		v->d = (double)milli / 1000.0;
		return POLICY_VALUE_OK;
	}
	if (!ok)
		return POLICY_VALUE_BAD;
	v->str = strdup(text);
	return v->str != NULL ? POLICY_VALUE_OK : POLICY_VALUE_NOMEM;
}

/* How a type is held in struct policy. */
static enum storage
storage_of(enum key_type type)
{
	switch (type) {
	case KEY_BOOL:
		return STORE_BOOL;
	case KEY_OCTAL:
	case KEY_UNSIGNED:
	case KEY_DURATION_MS:
	case KEY_DURATION_S:
		return STORE_UNSIGNED;
	case KEY_ENUM:
		return STORE_ENUM;
	case KEY_WEIGHT:
	case KEY_THRESHOLD:
		return STORE_DOUBLE;
	case KEY_NETWORKS:
		return STORE_CIDRS;
	case KEY_LOCAL_PARTS:
	case KEY_DOMAINS:
		return STORE_WORDS;
	case KEY_SOCKET:
	case KEY_USER:
	case KEY_TOKEN:
	case KEY_PATH:
	case KEY_ADDRESSES:
	case KEY_HEADER:
	case KEY_HOSTPORT:
		break;
	}
	return STORE_STRING;
}

/* Moves v into the policy, freeing what it replaces. */
static void
value_store(struct policy *p, const struct policy_key *k, struct value *v)
{
	void *f = field(p, k);
	int e;

	switch (storage_of(k->type)) {
	case STORE_STRING:
		free(*(char **)f);
		*(char **)f = v->str;
		v->str = NULL;
		break;
	case STORE_BOOL:
		*(bool *)f = v->b;
		break;
	case STORE_UNSIGNED:
		*(unsigned *)f = v->u;
		break;
	case STORE_ENUM:
		e = (int)v->u;
		memcpy(f, &e, sizeof(e));
		break;
	case STORE_DOUBLE:
		*(double *)f = v->d;
		break;
	case STORE_CIDRS:
		cidr_list_free(f);
		*(struct cidr_list *)f = v->cidrs;
		cidr_list_init(&v->cidrs);
		break;
	case STORE_WORDS:
		policy_value_words_free(*(char ***)f);
		*(char ***)f = v->words;
		v->words = NULL;
		break;
	}
}

/* Frees what a parse left in v (after value_store(): nothing). */
static void
value_free(struct value *v)
{
	free(v->str);
	cidr_list_free(&v->cidrs);
	policy_value_words_free(v->words);
	memset(v, 0, sizeof(*v));
}

static bool
value_equal(const struct policy *a, const struct policy *b,
    const struct policy_key *k)
{
	const void *fa = field(a, k), *fb = field(b, k);
	const struct cidr_list *ca = fa, *cb = fb;
	char *const *wa, *const *wb;
	const char *sa, *sb;
	size_t i;

	switch (storage_of(k->type)) {
	case STORE_STRING:
		sa = *(char *const *)fa;
		sb = *(char *const *)fb;
		return sa == sb ||
		    (sa != NULL && sb != NULL && strcmp(sa, sb) == 0);
	case STORE_BOOL:
		return *(const bool *)fa == *(const bool *)fb;
	case STORE_UNSIGNED:
		return *(const unsigned *)fa == *(const unsigned *)fb;
	case STORE_ENUM:
		return memcmp(fa, fb, sizeof(int)) == 0;
	case STORE_DOUBLE:
		return *(const double *)fa == *(const double *)fb;
	case STORE_CIDRS:
		if (ca->count != cb->count)
			return false;
		for (i = 0; i < ca->count; i++)
			if (ca->items[i].prefix != cb->items[i].prefix ||
			    !addr_equal(&ca->items[i].net, &cb->items[i].net))
				return false;
		return true;
	case STORE_WORDS:
		wa = *(char **const *)fa;
		wb = *(char **const *)fb;
		for (i = 0; wa[i] != NULL && wb[i] != NULL; i++)
			if (strcmp(wa[i], wb[i]) != 0)
				return false;
		return wa[i] == NULL && wb[i] == NULL;
	}
	return false;
}

/* Writes the value of k in config syntax. */
static void
value_print(const struct policy *p, const struct policy_key *k, FILE *out)
{
	char buf[POLICY_VALUE_NUMBER_MAX], text[CIDR_TEXT_MAX];
	const void *f = field(p, k);
	const struct cidr_list *cl = f;
	char *const *words;
	const char *s;
	unsigned u;
	double d;
	int e;

	switch (k->type) {
	case KEY_BOOL:
		fputs(*(const bool *)f ? "yes" : "no", out);
		return;
	case KEY_OCTAL:
		fprintf(out, "%04o", *(const unsigned *)f);
		return;
	case KEY_UNSIGNED:
		fprintf(out, "%u", *(const unsigned *)f);
		return;
	case KEY_DURATION_MS:
	case KEY_DURATION_S:
		u = *(const unsigned *)f;
		if (k->type == KEY_DURATION_MS)
			u /= 1000;
		if (u == 0 && k->flags & KEY_OFF) {
			fputs("off", out);
			return;
		}
		policy_value_format_duration(u, buf, sizeof(buf));
		fputs(buf, out);
		return;
	case KEY_ENUM:
		memcpy(&e, f, sizeof(e));
		fputs(k->choices[e], out);
		return;
	case KEY_WEIGHT:
	case KEY_THRESHOLD:
		d = *(const double *)f;
		if (isinf(d)) {
			fputs("off", out);
			return;
		}
		policy_value_format_decimal(to_milli(d), buf, sizeof(buf));
		fputs(buf, out);
		return;
	case KEY_NETWORKS:
		if (cl->count == 0)
			fputs("none", out);
		for (size_t i = 0; i < cl->count; i++) {
			if (cidr_format(&cl->items[i], text, sizeof(text)) != 0)
				text[0] = '\0';
			fprintf(out, "%s%s", i > 0 ? " " : "", text);
		}
		return;
	case KEY_LOCAL_PARTS:
	case KEY_DOMAINS:
		words = *(char **const *)f;
		if (words[0] == NULL)
			fputs("none", out);
		for (size_t i = 0; words[i] != NULL; i++)
			fprintf(out, "%s%s", i > 0 ? " " : "", words[i]);
		return;
	default:
		s = *(char *const *)f;
		fputs(s != NULL ? s : "none", out);
		return;
	}
}

static void
report_at(struct parser *ps, unsigned line, const char *fmt, ...)
{
	char msg[1024], *full;
	size_t size;
	va_list ap;

	ps->errors++;
	if (ps->report == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	size = strlen(ps->file) + strlen(msg) + 16;
	full = malloc(size);
	if (full == NULL) {
		ps->report(ps->arg, msg);
		return;
	}
	if (line > 0)
		snprintf(full, size, "%s:%u: %s", ps->file, line, msg);
	else
		snprintf(full, size, "%s: %s", ps->file, msg);
	ps->report(ps->arg, full);
	free(full);
}

/* Strips spaces and tabs from both ends, in place. */
static char *
trim(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	for (n = strlen(s); n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'); n--)
		;
	s[n] = '\0';
	return s;
}

/* Handles ps->line, one line without its line end. */
static void
parse_line(struct parser *ps, unsigned line)
{
	char shown[POLICY_VALUE_SHOWN_MAX], expected[256];
	const struct policy_key *k, *best = NULL;
	unsigned dist, best_dist = 3;
	char *s = ps->line, *eq = NULL, *key, *text;
	const char *bad;
	struct value v;
	enum policy_value_result r;
	size_t i;

	/* '#' starts a comment at the line start, after a space or tab, or
	 * right after the '=' of the key: never inside a token. */
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' ||
		    s[i - 1] == '\t' || &s[i - 1] == eq)) {
			s[i] = '\0';
			break;
		}
		if (s[i] == '=' && eq == NULL)
			eq = &s[i];
	}
	s = trim(s);
	if (*s == '\0')
		return;
	if (eq == NULL) {
		policy_value_show(s, strlen(s), shown, sizeof(shown));
		report_at(ps, line, "expected 'key = value', found '%s'",
		    shown);
		return;
	}
	*eq = '\0';
	key = trim(s);
	text = trim(eq + 1);
	policy_value_show(key, strlen(key), shown, sizeof(shown));
	if (*key == '\0') {
		report_at(ps, line, "missing key before '='");
		return;
	}
	k = key_find(key);
	if (k == NULL) {
		for (i = 0; i < KEY_COUNT; i++) {
			size_t kn = strlen(key), n = strlen(keys[i].name);

			/* Lengths further apart than 2 are further apart. */
			if (kn > n + 2 || n > kn + 2)
				continue;
			dist = policy_value_distance(key, keys[i].name);
			if (dist < best_dist) {
				best_dist = dist;
				best = &keys[i];
			}
		}
		if (best != NULL)
			report_at(ps, line, "unknown key '%s' (did you mean "
			    "'%s'?)", shown, best->name);
		else
			report_at(ps, line, "unknown key '%s'", shown);
		return;
	}
	i = (size_t)(k - keys);
	if (ps->line_of[i] != 0) {
		report_at(ps, line, "duplicate key '%s' (first set at line %u)",
		    k->name, ps->line_of[i]);
		return;
	}
	ps->line_of[i] = line;
	key_expected(k, expected, sizeof(expected));
	if (*text == '\0') {
		ps->bad[i] = true;
		report_at(ps, line, "missing value for %s: expected %s",
		    k->name, expected);
		return;
	}
	policy_value_show(text, strlen(text), shown, sizeof(shown));
	r = value_parse(k, text, &v, &bad);
	if (r == POLICY_VALUE_OK) {
		value_store(ps->p, k, &v);
	} else if (r == POLICY_VALUE_NOMEM) {
		report_at(ps, line, "out of memory");
	} else if (bad != NULL) {
		ps->bad[i] = true;
		policy_value_show(bad, strcspn(bad, POLICY_VALUE_SEPARATORS),
		    shown, sizeof(shown));
		report_at(ps, line, "bad entry '%s' in %s: expected %s", shown,
		    k->name, expected);
	} else {
		ps->bad[i] = true;
		report_at(ps, line, "bad value '%s' for %s: expected %s", shown,
		    k->name, expected);
	}
	value_free(&v);
}

/* Checks between keys, at the line of the later key of a pair. */
static void
check_cross(struct parser *ps)
{
	const struct policy_key *kt = key_find("tempfail_score"),
	    *kr = key_find("reject_score"), *kc = key_find("resolv_conf"),
	    *kf = key_find("forwarders");
	size_t t = (size_t)(kt - keys), r = (size_t)(kr - keys),
	    c = (size_t)(kc - keys), f = (size_t)(kf - keys);
	char ts[POLICY_VALUE_NUMBER_MAX], rs[POLICY_VALUE_NUMBER_MAX];
	const struct policy *p = ps->p;
	unsigned later;

	if (!ps->bad[t] && !ps->bad[r] && isfinite(p->tempfail_score) &&
	    isfinite(p->reject_score) && p->reject_score < p->tempfail_score) {
		later = ps->line_of[t] > ps->line_of[r] ? ps->line_of[t] :
		    ps->line_of[r];
		policy_value_format_decimal(to_milli(p->tempfail_score),
		    ts, sizeof(ts));
		policy_value_format_decimal(to_milli(p->reject_score),
		    rs, sizeof(rs));
		report_at(ps, later, "reject_score %s is below tempfail_score "
		    "%s: it must be at least as high", rs, ts);
	}
	if (!ps->bad[c] && !ps->bad[f] && p->resolv_conf &&
	    p->forwarders != NULL) {
		later = ps->line_of[c] > ps->line_of[f] ? ps->line_of[c] :
		    ps->line_of[f];
		report_at(ps, later, "resolv_conf = yes and forwarders exclude "
		    "each other (lines %u and %u): use one of them",
		    ps->line_of[c], ps->line_of[f]);
	}
}

struct policy *
policy_defaults(void)
{
	struct policy *p = calloc(1, sizeof(*p));
	const char *bad;
	struct value v;

	if (p == NULL)
		return NULL;
	cidr_list_init(&p->exempt_networks);
	for (size_t i = 0; i < KEY_COUNT; i++) {
		/* Fails only for want of memory: the test proves every
		 * default parses. */
		if (value_parse(&keys[i], keys[i].def, &v, &bad) !=
		    POLICY_VALUE_OK) {
			value_free(&v);
			policy_free(p);
			return NULL;
		}
		value_store(p, &keys[i], &v);
		value_free(&v);
	}
	return p;
}

struct policy *
policy_parse_buffer(const char *name, const char *text, size_t len,
    policy_reporter *report, void *arg)
{
	struct parser ps = { .file = name, .report = report, .arg = arg };
	unsigned line = 0;
	size_t pos = 0;

	ps.p = policy_defaults();
	ps.line = malloc(POLICY_LINE_MAX + 1);
	if (ps.p == NULL || ps.line == NULL) {
		report_at(&ps, 0, "out of memory");
		goto end;
	}
	/* A UTF-8 byte order mark, as some editors write, is no key. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - start) : len - pos;

		pos += n + (nl != NULL);
		line++;
		if (n > 0 && start[n - 1] == '\r')
			n--;		/* CRLF */
		if (n > POLICY_LINE_MAX) {
			report_at(&ps, line, "line longer than %d bytes",
			    POLICY_LINE_MAX);
			continue;
		}
		if (memchr(start, '\0', n) != NULL) {
			report_at(&ps, line, "NUL byte in line");
			continue;
		}
		memcpy(ps.line, start, n);
		ps.line[n] = '\0';
		parse_line(&ps, line);
	}
	check_cross(&ps);
end:
	free(ps.line);
	if (ps.errors > 0) {
		policy_free(ps.p);
		return NULL;
	}
	return ps.p;
}

struct policy *
policy_load(const char *path, bool missing_ok, policy_reporter *report,
    void *arg)
{
	struct parser ps = { .file = path, .report = report, .arg = arg };
	struct policy *p = NULL;
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	ssize_t got;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok)
			return policy_defaults();
		report_at(&ps, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		report_at(&ps, 0, "cannot stat: %s", strerror(errno));
		goto end;
	}
	if (S_ISDIR(st.st_mode)) {
		report_at(&ps, 0, "is a directory, not a configuration file");
		goto end;
	}
	buf = malloc(POLICY_FILE_MAX + 1);
	if (buf == NULL) {
		report_at(&ps, 0, "out of memory");
		goto end;
	}
	/* Read one byte past the limit to tell "full" from "too large". */
	while (len <= POLICY_FILE_MAX) {
		got = read(fd, buf + len, POLICY_FILE_MAX + 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			report_at(&ps, 0, "cannot read: %s", strerror(errno));
			goto end;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	if (len > POLICY_FILE_MAX) {
		report_at(&ps, 0, "larger than %d bytes", POLICY_FILE_MAX);
		goto end;
	}
	p = policy_parse_buffer(path, buf, len, report, arg);
end:
	free(buf);
	close(fd);
	return p;
}

bool
policy_equal(const struct policy *a, const struct policy *b)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (!value_equal(a, b, &keys[i]))
			return false;
	return true;
}

void
policy_dump(const struct policy *p, FILE *out)
{
	for (size_t i = 0; i < KEY_COUNT; i++) {
		fprintf(out, "%s = ", keys[i].name);
		value_print(p, &keys[i], out);
		fputc('\n', out);
	}
}

static const char *key_names[KEY_COUNT + 1];
static pthread_once_t key_names_once = PTHREAD_ONCE_INIT;

static void
key_names_init(void)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		key_names[i] = keys[i].name;
	key_names[KEY_COUNT] = NULL;
}

const char *const *
policy_key_names(void)
{
	(void)pthread_once(&key_names_once, key_names_init);
	return key_names;
}

const char *
policy_key_doc(const char *name)
{
	const struct policy_key *k = key_find(name);

	return k != NULL ? k->doc : NULL;
}

void
policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < KEY_COUNT; i++) {
		void *f = field(p, &keys[i]);

		switch (storage_of(keys[i].type)) {
		case STORE_STRING:
			free(*(char **)f);
			break;
		case STORE_CIDRS:
			cidr_list_free(f);
			break;
		case STORE_WORDS:
			policy_value_words_free(*(char ***)f);
			break;
		default:
			break;
		}
	}
	free(p);
}
