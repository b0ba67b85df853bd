/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reply_text.c - reply_text checked and expanded; see reply_text.h.
 *
 * The text is read piece by piece (words, %%, a token) by one scanner,
 * so that what the check accepts is exactly what the expansion knows.
 * Room is counted in octets as the MTA will send them back, each '%'
 * twice: the text travels to the MTA with '%' doubled, and whichever
 * form is measured stays within the line.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dname.h"
#include "reply_text.h"
#include "safe_text.h"

#define ELLIPSIS "..."
#define ELLIPSIS_LEN (sizeof(ELLIPSIS) - 1)

enum piece {
	PIECE_WORDS,		/* printable ASCII without '%' */
	PIECE_PERCENT,		/* %% */
	PIECE_REASON,
	PIECE_IP,
	PIECE_PTR,		/* the client's values, from here on */
	PIECE_HELO,
	PIECE_HINT,
	PIECE_BAD_BYTE,		/* errors, from here on */
	PIECE_LONE_PERCENT,
	PIECE_UNTERMINATED,
	PIECE_UNKNOWN
};

#define THEIRS_FIRST PIECE_PTR
#define THEIRS_COUNT 3

static const struct {
	const char *name;
	enum piece piece;
} tokens[] = {
	{ "reason", PIECE_REASON },
	{ "ip", PIECE_IP },
	{ "ptr", PIECE_PTR },
	{ "helo", PIECE_HELO },
	{ "hint", PIECE_HINT },
};

/* How put() writes a piece. */
#define PUT_MARK 0x1		/* a cut ends in "..." */
#define PUT_NAME 0x2		/* a DNS name: a cut keeps escapes whole */

/* An expansion in progress: octets written, and their cost. */
struct out {
	char *buf;
	size_t size;
	size_t pos;
	size_t cost;
	size_t max_cost;
};

static bool is_printable(unsigned char c);
static enum piece token_at(const char *s, size_t *len);
static enum piece next_piece(const char *s, size_t *len);
static int explain(enum piece p, const char *s, size_t len, char *why,
    size_t size);
static size_t cost_of(const char *s, size_t n, size_t cap);
static const char *value_of(enum piece p, const struct reply_values *v);
static void share_room(const size_t count[THEIRS_COUNT],
    const size_t need[THEIRS_COUNT], size_t room,
    size_t give[THEIRS_COUNT]);
static void measure(const char *text, const struct reply_values *v,
    size_t max_cost, size_t give[THEIRS_COUNT]);
static size_t whole_prefix(const char *s, size_t n, size_t room,
    unsigned how);
static void put(struct out *o, const char *s, size_t n, size_t room,
    unsigned how);

static bool
is_printable(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* "%{name}" at s: a known token, or why not. */
static enum piece
token_at(const char *s, size_t *len)
{
	size_t n = 2;

	while (is_printable((unsigned char)s[n]) && s[n] != '}' &&
	    s[n] != '%' && s[n] != '{' && s[n] != ' ')
		n++;
	if (s[n] != '}') {
		*len = n;
		return PIECE_UNTERMINATED;
	}
	*len = n + 1;
	for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
		if (strlen(tokens[i].name) == n - 2 &&
		    memcmp(tokens[i].name, s + 2, n - 2) == 0)
			return tokens[i].piece;
	return PIECE_UNKNOWN;
}

/* The piece that starts at s (not at its NUL) and its length. */
static enum piece
next_piece(const char *s, size_t *len)
{
	size_t n = 0;

	if (s[0] == '%') {
		*len = 2;
		if (s[1] == '%')
			return PIECE_PERCENT;
		if (s[1] == '{')
			return token_at(s, len);
		*len = 1;
		return PIECE_LONE_PERCENT;
	}
	if (!is_printable((unsigned char)s[0])) {
		*len = 1;
		return PIECE_BAD_BYTE;
	}
	while (s[n] != '\0' && s[n] != '%' && is_printable((unsigned char)s[n]))
		n++;
	*len = n;
	return PIECE_WORDS;
}

/* Says in why what is wrong with piece p of len bytes at s; returns -1
 * for the check to pass on. */
static int
explain(enum piece p, const char *s, size_t len, char *why, size_t size)
{
	char shown[SAFE_TEXT_CONFIG_SHOWN * 4 + 8];

	(void)safe_text(shown, sizeof(shown), s, len, SAFE_TEXT_CONFIG);
	switch (p) {
	case PIECE_BAD_BYTE:
		snprintf(why, size, "byte 0x%02x is not printable ASCII "
		    "(a reply is one line of 0x20 to 0x7e)", (unsigned char)*s);
		break;
	case PIECE_LONE_PERCENT:
		snprintf(why, size, "a '%%' that starts no token: write %%%% "
		    "for a percent sign");
		break;
	case PIECE_UNTERMINATED:
		snprintf(why, size, "unterminated token '%s': a token is "
		    "%%{name}", shown);
		break;
	default:
		snprintf(why, size, "unknown token '%s': the tokens are "
		    "%%{reason}, %%{ip}, %%{ptr}, %%{helo}, %%{hint} and %%%%",
		    shown);
		break;
	}
	return -1;
}

int
reply_text_check(const char *text, char *why, size_t size)
{
	size_t len, fixed = 0, theirs = 0;
	bool says = false;
	enum piece p;

	for (const char *s = text; *s != '\0'; s += len) {
		p = next_piece(s, &len);
		if (p >= PIECE_BAD_BYTE)
			return explain(p, s, len, why, size);
		if (p >= THEIRS_FIRST) {
			theirs++;
			continue;
		}
		says = says || p != PIECE_WORDS ||
		    strspn(s, " ") < len;
		fixed += p == PIECE_WORDS ? len : p == PIECE_PERCENT ? 2 :
		    p == PIECE_REASON ? REPLY_TEXT_REASON_MAX :
		    REPLY_TEXT_IP_MAX;
	}
	if (!says) {
		snprintf(why, size, "says nothing of its own: %%{ptr}, "
		    "%%{helo} and %%{hint} may be empty; add words, "
		    "%%{reason} or %%{ip}");
		return -1;
	}
	if (fixed + theirs * ELLIPSIS_LEN > REPLY_TEXT_MAX) {
		snprintf(why, size, "too long: its fixed part takes %zu "
		    "octets, at most %d fit in a reply line (%%{reason} counts "
		    "%d, %%{ip} %d, '%%' 2, any other token 3)",
		    fixed + theirs * ELLIPSIS_LEN, REPLY_TEXT_MAX,
		    REPLY_TEXT_REASON_MAX, REPLY_TEXT_IP_MAX);
		return -1;
	}
	return 0;
}

/* Octets the first n bytes of s take as the reply carries them, '%'
 * twice; counting stops once past cap. */
static size_t
cost_of(const char *s, size_t n, size_t cap)
{
	size_t c = 0;

	for (size_t i = 0; i < n && s[i] != '\0' && c <= cap; i++)
		c += s[i] == '%' ? 2 : 1;
	return c;
}

static const char *
value_of(enum piece p, const struct reply_values *v)
{
	const char *s = NULL;

	switch (p) {
	case PIECE_REASON:
		s = v->reason;
		break;
	case PIECE_IP:
		s = v->ip;
		break;
	case PIECE_PTR:
		return v->ptr != NULL ? v->ptr : REPLY_TEXT_UNKNOWN;
	case PIECE_HELO:
		return v->helo != NULL ? v->helo : REPLY_TEXT_UNKNOWN;
	case PIECE_HINT:
		s = v->hint;
		break;
	default:
		break;
	}
	return s != NULL ? s : "";
}

/*
 * Max-min fair shares of room among the client's values, of which there
 * are count[k] each needing need[k]: a value that fits in an equal share
 * gets all it needs and leaves the rest to the others; those still too
 * long get equal shares.  So a long HELO cannot crowd out the hint.
 */
static void
share_room(const size_t count[THEIRS_COUNT], const size_t need[THEIRS_COUNT],
    size_t room, size_t give[THEIRS_COUNT])
{
	bool done[THEIRS_COUNT], progress = true;
	size_t left = room, open = 0, share;

	for (size_t k = 0; k < THEIRS_COUNT; k++) {
		done[k] = count[k] == 0;
		give[k] = 0;
		open += count[k];
	}
	while (progress && open > 0) {
		progress = false;
		share = left / open;
		for (size_t k = 0; k < THEIRS_COUNT; k++) {
			if (done[k] || need[k] > share)
				continue;
			give[k] = need[k];
			left -= need[k] * count[k];
			open -= count[k];
			done[k] = progress = true;
		}
	}
	for (size_t k = 0; k < THEIRS_COUNT && open > 0; k++)
		if (!done[k])
			give[k] = left / open;
}

/* The room each of the client's values gets: what the words, %%,
 * %{reason} and %{ip} leave of max_cost, shared. */
static void
measure(const char *text, const struct reply_values *v, size_t max_cost,
    size_t give[THEIRS_COUNT])
{
	size_t count[THEIRS_COUNT] = { 0 }, need[THEIRS_COUNT] = { 0 };
	size_t fixed = 0, len, k;
	enum piece p;

	for (const char *s = text; *s != '\0'; s += len) {
		p = next_piece(s, &len);
		if (p >= PIECE_BAD_BYTE)
			continue;
		if (p < THEIRS_FIRST) {
			fixed += p == PIECE_WORDS ? len : p == PIECE_PERCENT ?
			    2 : cost_of(value_of(p, v), SIZE_MAX, max_cost);
			continue;
		}
		k = (size_t)(p - THEIRS_FIRST);
		count[k]++;
		need[k] = cost_of(value_of(p, v), SIZE_MAX, max_cost);
	}
	share_room(count, need, fixed < max_cost ? max_cost - fixed : 0,
	    give);
}

/* How many of the first n bytes of s fit in room octets: a cut of a DNS
 * name backs off to the start of an escape it would split, so that "\0"
 * + "..." cannot read as another name. */
static size_t
whole_prefix(const char *s, size_t n, size_t room, unsigned how)
{
	size_t i = 0, c = 0, step, step_cost;

	while (i < n && s[i] != '\0') {
		step = 1;
		if ((how & PUT_NAME) && s[i] == '\\')
			step = dname_escape_length(s, i, i + strnlen(s + i,
			    n - i < 4 ? n - i : 4));
		step_cost = cost_of(s + i, step, SIZE_MAX);
		if (c + step_cost > room)
			break;
		c += step_cost;
		i += step;
	}
	return i;
}

/* Writes the first n bytes of s, made printable, in at most room octets
 * (and what is left); cut silently, or with "..." (PUT_MARK). */
static void
put(struct out *o, const char *s, size_t n, size_t room, unsigned how)
{
	size_t keep;
	bool cut;

	if (room > o->max_cost - o->cost)
		room = o->max_cost - o->cost;
	keep = whole_prefix(s, n, room, how);
	cut = keep < n && s[keep] != '\0';
	if (cut && (how & PUT_MARK))
		keep = room >= ELLIPSIS_LEN ?
		    whole_prefix(s, keep, room - ELLIPSIS_LEN, how) : 0;
	/* The reply class writes one byte for each byte; cost bounds the
	 * bytes, and max_cost is below the buffer's size. */
	keep = safe_text(o->buf + o->pos, keep + 1, s, keep, SAFE_TEXT_REPLY);
	o->cost += cost_of(s, keep, SIZE_MAX);
	o->pos += keep;
	if (cut && (how & PUT_MARK) && room >= ELLIPSIS_LEN) {
		memcpy(o->buf + o->pos, ELLIPSIS, ELLIPSIS_LEN + 1);
		o->pos += ELLIPSIS_LEN;
		o->cost += ELLIPSIS_LEN;
	}
}

void
reply_text_expand(const char *text, const struct reply_values *v,
    char *buf, size_t size)
{
	size_t give[THEIRS_COUNT], len;
	struct out o = { .buf = buf, .size = size };
	enum piece p;

	if (size == 0)
		return;
	buf[0] = '\0';
	o.max_cost = size - 1 < REPLY_TEXT_MAX ? size - 1 : REPLY_TEXT_MAX;
	measure(text, v, o.max_cost, give);
	for (const char *s = text; *s != '\0'; s += len) {
		p = next_piece(s, &len);
		if (p == PIECE_WORDS)
			put(&o, s, len, SIZE_MAX, 0);
		else if (p == PIECE_PERCENT)
			put(&o, "%", 1, SIZE_MAX, 0);
		else if (p < THEIRS_FIRST)
			put(&o, value_of(p, v), SIZE_MAX, SIZE_MAX, 0);
		else if (p < PIECE_BAD_BYTE)
			put(&o, value_of(p, v), SIZE_MAX,
			    give[p - THEIRS_FIRST], PUT_MARK |
			    (p == PIECE_PTR ? PUT_NAME : 0));
	}
}

int
reply_text_milter(const char *text, char *buf, size_t size)
{
	size_t o = 0;

	for (const char *s = text; *s != '\0'; s++) {
		if (o + (*s == '%' ? 2 : 1) >= size) {
			if (size > 0)
				buf[0] = '\0';
			return -1;
		}
		if (*s == '%')
			buf[o++] = '%';
		buf[o++] = *s;
	}
	if (size == 0)
		return -1;
	buf[o] = '\0';
	return 0;
}
