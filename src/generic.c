/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic.c - judges whether a PTR name is a provider's default name for
 * an address rather than a name chosen for a mail host; see generic.h.
 *
 * Order: the policy's allow list; the provider data (sender domains,
 * then default-name patterns); then the built-in rules, applied only to
 * the labels left of the registered domain (the provider's own name
 * proves nothing):
 * - the client's whole address written in the name (generic_ip.c);
 * - a host-type word where providers put one: an access word ("dsl",
 *   "pool", "dynamic") in a label with digits, or as a label of its own
 *   under a numbered host ("abvb70.neoplus.adsl"); a weaker word ("host",
 *   "ip", "static") only beside many digits;
 * - part of the address (the last three octets; the last two beside a
 *   host-type word, alone, or when the last is 32 or more).
 * - the shape of an access name that holds no address (generic_shape.c):
 *   a hardware id, a tunnel endpoint, a customer or circuit number.
 * Words, shapes and partial addresses give way when the name shows a mail host
 * ("smtp-out", "mta", "mail136-12", "o1"): that is how big senders name
 * their outbound hosts, digits and all.  A whole address gives way only
 * to a mail host's word with no access word beside it.
 *
 * The registered domain comes from the Public Suffix List (regdom.h,
 * loaded once at start-up and only read after); otherwise this file is
 * pure: no I/O, no allocation, no locale, no shared state.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "generic.h"
#include "generic_ip.h"
#include "generic_shape.h"
#include "regdom.h"

/* Longest name judged: a 253-character host name and a trailing dot.
 * Anything longer must hold escapes, is no host name, and is not judged. */
#define NAME_MAX_LEN 254
/* Digits a label needs before a weak word in it counts ("ip-10-1-2-3"). */
#define WEAK_MIN_DIGITS 4
/* The shortest access word recognised glued behind other letters. */
#define GLUED_MIN_LEN 3
/* The longest word of the table. */
#define WORD_MAX_LEN 11

/* What a word in a name says about it. */
enum word_class {
	WORD_NONE,
	WORD_ACCESS,	/* access or dynamic pools: strong */
	WORD_WEAK,	/* also in chosen names ("host", "static") */
	WORD_CONTEXT,	/* backs a partial address only ("cm", "pc") */
	WORD_MAIL	/* a mail host's name */
};

struct word {
	const char *text;
	unsigned char len;
	unsigned char cls;
};

#define W(s, c) { s, sizeof(s) - 1, c }
/* Words matched whole: a run of letters between digits, dots, dashes.
 * Sorted by strcmp() order: word_lookup() searches by halves. */
static const struct word words[] = {
	W("adsl", WORD_ACCESS), W("bb", WORD_WEAK), W("bounce", WORD_MAIL),
	W("bounces", WORD_MAIL), W("broadband", WORD_ACCESS),
	W("cable", WORD_ACCESS), W("catv", WORD_ACCESS),
	W("client", WORD_ACCESS), W("cm", WORD_CONTEXT),
	W("cpe", WORD_ACCESS), W("cust", WORD_ACCESS),
	W("customer", WORD_ACCESS), W("dedicated", WORD_WEAK),
	W("delivery", WORD_MAIL), W("dhcp", WORD_ACCESS),
	W("dial", WORD_ACCESS), W("dialin", WORD_ACCESS),
	W("dialup", WORD_ACCESS), W("dsl", WORD_ACCESS),
	W("dyn", WORD_ACCESS), W("dynamic", WORD_ACCESS),
	W("dynip", WORD_ACCESS), W("esmtp", WORD_MAIL), W("exim", WORD_MAIL),
	W("forward", WORD_MAIL), W("fttb", WORD_ACCESS),
	W("fttc", WORD_ACCESS), W("ftth", WORD_ACCESS),
	W("fttx", WORD_ACCESS), W("gateway", WORD_MAIL),
	W("hfc", WORD_CONTEXT), W("host", WORD_WEAK), W("hsd", WORD_CONTEXT),
	W("ip", WORD_WEAK), W("mail", WORD_MAIL), W("mailer", WORD_MAIL),
	W("mailgate", WORD_MAIL), W("mailgw", WORD_MAIL),
	W("mailhost", WORD_MAIL), W("mailout", WORD_MAIL),
	W("mailrelay", WORD_MAIL), W("mobile", WORD_ACCESS),
	W("mout", WORD_MAIL), W("mta", WORD_MAIL), W("mx", WORD_MAIL),
	W("mxout", WORD_MAIL), W("nat", WORD_CONTEXT), W("node", WORD_WEAK),
	W("out", WORD_MAIL), W("outbound", WORD_MAIL),
	W("outgoing", WORD_MAIL), W("pc", WORD_CONTEXT),
	W("pool", WORD_ACCESS), W("postfix", WORD_MAIL),
	W("ppp", WORD_ACCESS), W("pppoe", WORD_ACCESS),
	W("pptp", WORD_ACCESS), W("relay", WORD_MAIL), W("res", WORD_WEAK),
	W("residential", WORD_ACCESS), W("sdsl", WORD_ACCESS),
	W("sender", WORD_MAIL), W("smtp", WORD_MAIL),
	W("smtpout", WORD_MAIL), W("static", WORD_WEAK),
	W("subscriber", WORD_ACCESS), W("unassigned", WORD_WEAK),
	W("user", WORD_WEAK), W("vdsl", WORD_ACCESS), W("vps", WORD_WEAK),
	W("wifi", WORD_ACCESS), W("wireless", WORD_ACCESS),
	W("xdsl", WORD_ACCESS),
};
#undef W

/* A name lower-cased once, and the part of it that is judged. */
struct name_view {
	char name[NAME_MAX_LEN + 1];	/* without a trailing dot */
	size_t len;
	size_t host_len;		/* name[0..host_len): the labels left
					   of the registered domain */
	bool escaped;			/* holds a presentation escape */
};

/* What the words of the host part say. */
struct word_scan {
	const char *access;		/* beside digits in its label */
	const char *access_label;	/* a label of its own */
	const char *weak;		/* beside WEAK_MIN_DIGITS digits */
	const char *context;		/* any host-type word at all */
	bool mail;			/* a mail host's name */
	bool first_has_digit;		/* the left-most label holds one */
};

static int view_load(struct name_view *v, const char *name);
static size_t host_part_len(const char *s);
static bool allow_match(const struct name_view *v, const char *const *allow,
    const char **hit);
static enum word_class word_lookup(const char *s, size_t len,
    const char **text);
static bool has_glued_access_word(const char *h, size_t len);
static void scan_label(const char *h, size_t start, size_t end,
    bool first, struct word_scan *ws);
static void scan_words(const char *h, size_t len, struct word_scan *ws);
static bool is_other_text(const char *h, size_t len, size_t at, size_t end);
static void set_reason(char *reason, size_t size, const char *kind,
    const char *text, size_t len);
static bool shape_check(const struct addr *client, const char *h,
    size_t len, const struct word_scan *ws, char *reason, size_t size);
static bool rules_check(const struct addr *client,
    const struct name_view *v, char *reason, size_t size);

/*
 * Copies name lower-cased (ASCII only: no locale), drops one trailing
 * dot from an unescaped name and finds the part to judge.  Returns -1
 * for a name too long to be a host name.
 */
static int
view_load(struct name_view *v, const char *name)
{
	size_t n = strnlen(name, NAME_MAX_LEN + 1), i;

	if (n > NAME_MAX_LEN)
		return -1;
	v->escaped = false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		v->name[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		if (c == '\\')
			v->escaped = true;
	}
	/* In an escaped name a final "." may be "\.", part of a label. */
	if (n > 0 && v->name[n - 1] == '.' && !v->escaped)
		n--;
	v->name[n] = '\0';
	v->len = n;
	v->host_len = host_part_len(v->name);
	return 0;
}

/*
 * Length of the labels left of the registered domain, which the Public
 * Suffix List knows ("example.co.uk", "example.com.tr", but "xyz.ru"):
 * a guess from label lengths took "xyz.ru" for a second level like
 * "co.uk" and left nothing to judge.  0 when nothing is left.
 */
static size_t
host_part_len(const char *s)
{
	const char *registered = regdom_provider_domain(s);

	if (registered == NULL || registered == s)
		return 0;
	return (size_t)(registered - s) - 1;
}

/* True if the name is an allow-list suffix or ends in "." and one. */
static bool
allow_match(const struct name_view *v, const char *const *allow,
    const char **hit)
{
	size_t i, n;

	for (i = 0; allow != NULL && allow[i] != NULL; i++) {
		n = strnlen(allow[i], NAME_MAX_LEN + 1);
		if (n == 0 || n > v->len)
			continue;
		if (memcmp(v->name + v->len - n, allow[i], n) != 0)
			continue;
		if (n == v->len || v->name[v->len - n - 1] == '.') {
			*hit = allow[i];
			return true;
		}
	}
	return false;
}

/* The class of the word s[0..len), and its table text. */
static enum word_class
word_lookup(const char *s, size_t len, const char **text)
{
	size_t lo = 0, hi = sizeof(words) / sizeof(words[0]), mid, n;
	int cmp;

	*text = NULL;
	if (len > WORD_MAX_LEN)
		return WORD_NONE;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		n = words[mid].len < len ? words[mid].len : len;
		/* The first letter settles most steps without a call. */
		cmp = (unsigned char)s[0] - (unsigned char)words[mid].text[0];
		if (cmp == 0 && (cmp = memcmp(s, words[mid].text, n)) == 0)
			cmp = (len > words[mid].len) - (len < words[mid].len);
		if (cmp == 0) {
			*text = words[mid].text;
			return (enum word_class)words[mid].cls;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return WORD_NONE;
}

/*
 * True if a run of letters in h[0..len) ends in an access word of
 * GLUED_MIN_LEN letters or more after other letters: a place glued to a
 * line type ("athedsl").  A host-type word to the shape rules, never on
 * its own; asked only of names the other rules let pass.
 */
static bool
has_glued_access_word(const char *h, size_t len)
{
	size_t i = 0, start, k, n;

	while (i < len) {
		for (start = i; i < len && h[i] >= 'a' && h[i] <= 'z'; i++)
			;
		for (k = 0; i - start > GLUED_MIN_LEN &&
		    k < sizeof(words) / sizeof(words[0]); k++) {
			n = words[k].len;
			if (words[k].cls == WORD_ACCESS && n >= GLUED_MIN_LEN &&
			    i - start > n && h[i - 1] == words[k].text[n - 1] &&
			    memcmp(h + i - n, words[k].text, n) == 0)
				return true;
		}
		if (i == start)
			i++;
	}
	return false;
}

/* Reads the words of the label h[start..end). */
static void
scan_label(const char *h, size_t start, size_t end, bool first,
    struct word_scan *ws)
{
	size_t i, j, digits = 0, nwords = 0;
	const char *text, *weak = NULL, *access = NULL;
	enum word_class cls;

	for (i = start; i < end; i++)
		digits += h[i] >= '0' && h[i] <= '9';
	if (first)
		ws->first_has_digit = digits > 0;
	for (i = start; i < end; i = j) {
		for (j = i; j < end && h[j] >= 'a' && h[j] <= 'z';)
			j++;
		if (j == i) {
			j++;
			continue;
		}
		nwords++;
		cls = word_lookup(h + i, j - i, &text);
		/* "o1", "o128": an ESP's numbered outbound host. */
		if (cls == WORD_NONE && first && i == start && j - i == 1 &&
		    h[i] == 'o' && j < end && h[j] >= '0' && h[j] <= '9')
			cls = WORD_MAIL;
		if (cls == WORD_MAIL)
			ws->mail = true;
		else if (cls == WORD_ACCESS && access == NULL)
			access = text;
		else if (cls == WORD_WEAK && weak == NULL)
			weak = text;
		if (cls != WORD_NONE && cls != WORD_MAIL && ws->context == NULL)
			ws->context = text;
	}
	if (access != NULL && digits > 0 && ws->access == NULL)
		ws->access = access;
	if (access != NULL && digits == 0 && nwords == 1 && !first &&
	    ws->access_label == NULL)
		ws->access_label = access;
	if (weak != NULL && digits >= WEAK_MIN_DIGITS && ws->weak == NULL)
		ws->weak = weak;
}

/* Reads every label of the host part h[0..len). */
static void
scan_words(const char *h, size_t len, struct word_scan *ws)
{
	size_t start, end;

	memset(ws, 0, sizeof(*ws));
	for (start = 0; start < len; start = end + 1) {
		for (end = start; end < len && h[end] != '.'; end++)
			;
		scan_label(h, start, end, start == 0, ws);
	}
}

/* True if a letter or digit of h[0..len) lies outside [at, end). */
static bool
is_other_text(const char *h, size_t len, size_t at, size_t end)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((i < at || i >= end) && ((h[i] >= 'a' && h[i] <= 'z') ||
		    (h[i] >= '0' && h[i] <= '9')))
			return true;
	return false;
}

/* Writes kind and len bytes of text as the reason, cut to fit: it is
 * only shown, never parsed. */
static void
set_reason(char *reason, size_t size, const char *kind, const char *text,
    size_t len)
{
	size_t k, pos = 0;

	if (reason == NULL || size == 0)
		return;
	for (k = 0; kind[k] != '\0' && pos + 1 < size; k++)
		reason[pos++] = kind[k];
	/* A scattered address or a shape spans what lies between its
	 * numbers, which may be any byte of the name: shown as '?'. */
	for (k = 0; k < len && pos + 1 < size; k++)
		reason[pos++] = text[k] > ' ' && text[k] <= '~' ? text[k] :
		    '?';
	reason[pos] = '\0';
}

/* The last rules: the shape of an access name without an address
 * (generic_shape.h), "structure:RULE:TEXT". */
static bool
shape_check(const struct addr *client, const char *h, size_t len,
    const struct word_scan *ws, char *reason, size_t size)
{
	struct generic_shape_hit shape;
	char kind[GENERIC_REASON_MAX];
	size_t n;

	if (!generic_shape_find(client, h, len, ws->context != NULL ||
	    has_glued_access_word(h, len), &shape))
		return false;
	n = strnlen(shape.rule, sizeof(kind) - sizeof("structure::"));
	memcpy(kind, "structure:", sizeof("structure:") - 1);
	memcpy(kind + sizeof("structure:") - 1, shape.rule, n);
	memcpy(kind + sizeof("structure:") - 1 + n, ":", 2);
	set_reason(reason, size, kind, h + shape.at, shape.end - shape.at);
	return true;
}

/*
 * The built-in rules, strongest first.  A whole address gives way only
 * to a mail host's word with no access word beside it: big senders
 * write their addresses into outbound names too
 * ("mail-oln040092002095.outbound.protection.outlook.com"), providers'
 * default names say "dynamic" when they say "mx" ("mx-ll-223.204.155-98.
 * dynamic.example.co.th").
 */
static bool
rules_check(const struct addr *client, const struct name_view *v,
    char *reason, size_t size)
{
	const char *h = v->name, *hit;
	struct generic_ip_hit ip;
	struct word_scan ws;

	generic_ip_find(client, h, v->host_len, &ip);
	/* Escapes make the label boundaries untrustworthy: no words. */
	memset(&ws, 0, sizeof(ws));
	if (!v->escaped)
		scan_words(h, v->host_len, &ws);
	if (ip.kind == GENERIC_IP_FULL || ip.kind == GENERIC_IP_EUI64) {
		if (ws.mail && ws.access == NULL && ws.access_label == NULL)
			return false;
		set_reason(reason, size, ip.kind == GENERIC_IP_FULL ?
		    "ip-in-name:" : "eui64:", h + ip.at, ip.end - ip.at);
		return true;
	}
	if (v->escaped || ws.mail)
		return false;
	/* Three octets are never chance; two are when a chosen name
	 * numbers its hosts with small numbers ("srv2-20"), unless a
	 * host-type word stands beside them, they are all there is
	 * ("126-44") or the last is too big for a host index ("bab72-140").
	 * An ESP that numbers its hosts by address the same way is told
	 * apart by the provider data's sender domains, not here. */
	if (ip.kind == GENERIC_IP_PARTIAL3 ||
	    (ip.kind == GENERIC_IP_PARTIAL2 && (ws.context != NULL ||
	    client->bytes[3] >= GENERIC_HOST_INDEX_MAX ||
	    !is_other_text(h, v->host_len, ip.at, ip.end)))) {
		set_reason(reason, size, "ip-in-name:", h + ip.at,
		    ip.end - ip.at);
		return true;
	}
	hit = ws.access != NULL ? ws.access :
	    ws.access_label != NULL && ws.first_has_digit ? ws.access_label :
	    ws.weak;
	if (hit != NULL) {
		set_reason(reason, size, "token:", hit, strlen(hit));
		return true;
	}
	return shape_check(client, h, v->host_len, &ws, reason, size);
}

bool
generic_check(const struct generic_db *db, const struct addr *client,
    const char *name, const char *const *allow, char *reason, size_t size)
{
	struct name_view v;
	const char *hit = NULL;

	set_reason(reason, size, "", "", 0);
	if (name == NULL || view_load(&v, name) != 0)
		return false;
	if (allow_match(&v, allow, &hit)) {
		set_reason(reason, size, "allow:", hit, strlen(hit));
		return false;
	}
	if (db != NULL && v.len > 0) {
		switch (generic_db_match(db, v.name, &hit)) {
		case GENERIC_DB_SENDER:
			set_reason(reason, size, "allow:", hit, strlen(hit));
			return false;
		case GENERIC_DB_GENERIC:
			set_reason(reason, size, "provider:", hit, strlen(hit));
			return true;
		case GENERIC_DB_NONE:
			break;
		}
	}
	return rules_check(client, &v, reason, size);
}
