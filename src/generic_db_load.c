/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic_db_load.c - reading and checking the provider data files; see
 * generic_db.h and docs/generic-providers.md.  Every error is reported
 * with its file and line, all of them in one pass.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "generic_db.h"
#include "generic_db_impl.h"

#define LINE_MAX_BYTES 4096
#define MESSAGE_MAX 1200

/* One file being read. */
struct load {
	struct generic_db *db;
	const char *path;
	unsigned line;
	bool seen_format;
	unsigned errors;
	policy_reporter *report;
	void *arg;
};

static void error(struct load *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int grow(void **items, size_t n, size_t size);
static char *next_field(char **p);
static char *rest_of(char *p);
static bool valid_id(const char *id);
static void parse_line(struct load *ld, char *line);
static void add_provider(struct load *ld, char *id, char *rest);
static void add_text(struct load *ld, char *id, char *rest);
static void add_networks(struct load *ld, size_t provider, char *rest);
static void add_pattern(struct load *ld, size_t provider, char *rest);
static void add_senders(struct load *ld, size_t provider, char *rest);
static void literal_key(const char *re, char *key, size_t size);
static int cmp_pattern(const void *a, const void *b);
static void load_file(struct load *ld);
static int index_sender_keys(struct generic_db *db);

static void
error(struct load *ld, const char *fmt, ...)
{
	char msg[MESSAGE_MAX], full[MESSAGE_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ld->line > 0)
		snprintf(full, sizeof(full), "%s:%u: %s", ld->path, ld->line,
		    msg);
	else
		snprintf(full, sizeof(full), "%s: %s", ld->path, msg);
	ld->errors++;
	if (ld->report != NULL)
		ld->report(ld->arg, full);
}

/* Room for one more item in an array of n items.  Capacities are 8, 16,
 * 32...: the array is full exactly when n is 0 or a power of two of at
 * least 8, so no capacity needs to be stored. */
static int
grow(void **items, size_t n, size_t size)
{
	void *p;
	size_t cap;

	if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
		return 0;
	cap = n == 0 ? 8 : n * 2;
	p = realloc(*items, cap * size);
	if (p == NULL)
		return -1;
	*items = p;
	return 0;
}

static char *
next_field(char **p)
{
	char *s = *p, *start;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0') {
		*p = s;
		return NULL;
	}
	start = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return start;
}

/* The rest of the line, without leading and trailing blanks. */
static char *
rest_of(char *p)
{
	char *end;

	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return p;
}

static bool
valid_id(const char *id)
{
	if (*id == '\0' || strlen(id) > 64)
		return false;
	for (const char *c = id; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		    *c == '-'))
			return false;
	return true;
}

long
generic_db_find_provider(const struct generic_db *db, const char *id)
{
	for (size_t i = 0; i < db->nproviders; i++)
		if (strcmp(db->providers[i].id, id) == 0)
			return (long)i;
	return -1;
}

static void
add_provider(struct load *ld, char *id, char *rest)
{
	struct generic_db *db = ld->db;
	struct provider *p;

	if (generic_db_find_provider(db, id) >= 0) {
		error(ld, "provider %s is declared twice", id);
		return;
	}
	if (*rest == '\0') {
		error(ld, "provider %s: missing display name", id);
		return;
	}
	if (grow((void **)&db->providers, db->nproviders,
	    sizeof(*db->providers)) == -1) {
		error(ld, "out of memory");
		return;
	}
	p = &db->providers[db->nproviders];
	p->id = strdup(id);
	p->name = strdup(rest);
	p->hint = NULL;
	if (p->id == NULL || p->name == NULL) {
		free(p->id);
		free(p->name);
		error(ld, "out of memory");
		return;
	}
	db->nproviders++;
}

static void
add_text(struct load *ld, char *id, char *rest)
{
	struct provider *p = &ld->db->providers[generic_db_find_provider(ld->db, id)];

	if (*rest == '\0') {
		error(ld, "hint %s: missing text", id);
		return;
	}
	if (p->hint != NULL) {
		error(ld, "hint %s: given twice", id);
		return;
	}
	if ((p->hint = strdup(rest)) == NULL)
		error(ld, "out of memory");
}

static void
add_networks(struct load *ld, size_t provider, char *rest)
{
	struct generic_db *db = ld->db;
	char *tok;
	unsigned n = 0;

	while ((tok = next_field(&rest)) != NULL) {
		struct cidr c;

		n++;
		if (cidr_parse(tok, &c) == -1) {
			error(ld, "network: '%.64s' is not an address or "
			    "network (host bits must be zero)", tok);
			continue;
		}
		if (grow((void **)&db->networks, db->nnetworks,
		    sizeof(*db->networks)) == -1) {
			error(ld, "out of memory");
			return;
		}
		db->networks[db->nnetworks].provider = provider;
		db->networks[db->nnetworks].net = c;
		db->nnetworks++;
	}
	if (n == 0)
		error(ld, "network: no network given");
}

/*
 * The fixed domain a pattern ends in, read backwards from its "$": as
 * long as the characters are letters, digits, '-' or an escaped dot, they
 * are literal.  The index key is the last two labels of that text (one if
 * it holds only one whole label), the same way a name's keys are taken,
 * so both meet in one bucket.  A pattern with no whole literal label at
 * its end gets "" and is tried on every name.
 */
static void
literal_key(const char *re, char *key, size_t size)
{
	char tail[KEY_MAX];
	size_t len = strlen(re), n = 0;
	size_t i;

	key[0] = '\0';
	if (len == 0 || re[len - 1] != '$')
		return;
	i = len - 1;
	while (i > 0 && n + 1 < sizeof(tail)) {
		char c = re[i - 1];

		if (i >= 2 && c == '.' && re[i - 2] == '\\') {
			tail[n++] = '.';
			i -= 2;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-') {
			/* An escaped letter is a class (\d, \w): not literal. */
			if (i >= 2 && re[i - 2] == '\\')
				break;
			tail[n++] = c;
			i--;
		} else {
			break;
		}
	}
	/* tail is reversed; a partial first label (the literal text began
	 * inside a label) must not count, so cut at the first dot. */
	char fwd[KEY_MAX];
	for (size_t k = 0; k < n; k++)
		fwd[k] = tail[n - 1 - k];
	fwd[n] = '\0';
	const char *start = strchr(fwd, '.');
	if (start == NULL || start[1] == '\0')
		return;
	generic_db_last_labels(start + 1, 2, key, size);
}

/* The last `labels` labels of name (all of it if it has fewer). */
void
generic_db_last_labels(const char *name, size_t labels, char *key, size_t size)
{
	size_t len = strlen(name), seen = 0, i = len;

	while (i > 0) {
		if (name[i - 1] == '.' && ++seen == labels)
			break;
		i--;
	}
	snprintf(key, size, "%s", name + i);
}

static void
add_pattern(struct load *ld, size_t provider, char *rest)
{
	struct generic_db *db = ld->db;
	struct pattern *p;
	pcre2_code *re;
	int code;
	PCRE2_SIZE offset;
	char key[KEY_MAX];

	if (*rest == '\0') {
		error(ld, "generic: missing pattern");
		return;
	}
	re = pcre2_compile((PCRE2_SPTR)rest, PCRE2_ZERO_TERMINATED,
	    PCRE2_CASELESS | PCRE2_NO_UTF_CHECK, &code, &offset, NULL);
	if (re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(code, msg, sizeof(msg));
		error(ld, "generic: bad pattern at offset %zu: %s",
		    (size_t)offset, (char *)msg);
		return;
	}
	/* JIT where the platform has it; the interpreter otherwise. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	literal_key(rest, key, sizeof(key));
	if (grow((void **)&db->patterns, db->npatterns,
	    sizeof(*db->patterns)) == -1) {
		pcre2_code_free(re);
		error(ld, "out of memory");
		return;
	}
	p = &db->patterns[db->npatterns];
	p->provider = provider;
	p->order = db->npatterns;
	p->re = re;
	p->key = strdup(key);
	if (p->key == NULL) {
		pcre2_code_free(re);
		error(ld, "out of memory");
		return;
	}
	db->npatterns++;
}

static void
add_senders(struct load *ld, size_t provider, char *rest)
{
	struct generic_db *db = ld->db;
	char *tok;
	unsigned n = 0;

	while ((tok = next_field(&rest)) != NULL) {
		size_t len = strlen(tok);

		n++;
		for (size_t i = 0; i < len; i++)
			if (tok[i] >= 'A' && tok[i] <= 'Z')
				tok[i] = (char)(tok[i] - 'A' + 'a');
		if (len > 1 && tok[len - 1] == '.')
			tok[--len] = '\0';
		if (len == 0 || tok[0] == '.' || strchr(tok, '.') == NULL ||
		    strspn(tok, "abcdefghijklmnopqrstuvwxyz0123456789-.") !=
		    len) {
			error(ld, "sender: '%.64s' is not a domain", tok);
			continue;
		}
		if (grow((void **)&db->senders, db->nsenders,
		    sizeof(*db->senders)) == -1 ||
		    (db->senders[db->nsenders].domain = strdup(tok)) == NULL) {
			error(ld, "out of memory");
			return;
		}
		db->senders[db->nsenders].provider = provider;
		db->nsenders++;
	}
	if (n == 0)
		error(ld, "sender: no domain given");
}

static void
parse_line(struct load *ld, char *line)
{
	char *p = line, *word, *id, *rest;
	long provider;

	word = next_field(&p);
	if (word == NULL || word[0] == '#')
		return;
	if (!ld->seen_format) {
		char *v = next_field(&p);

		if (strcmp(word, "format") != 0 || v == NULL) {
			error(ld, "the first statement must be \"format 1\"");
			ld->seen_format = true;
			return;
		}
		if (strcmp(v, "1") != 0)
			error(ld, "format %.16s is not supported (this "
			    "version reads format 1)", v);
		ld->seen_format = true;
		return;
	}
	if (strcmp(word, "version") == 0) {
		rest = rest_of(p);
		if (*rest == '\0')
			error(ld, "version: missing text");
		else if (ld->db->version == NULL &&
		    (ld->db->version = strdup(rest)) == NULL)
			error(ld, "out of memory");
		return;
	}
	id = next_field(&p);
	rest = rest_of(p);
	if (strcmp(word, "provider") != 0 && strcmp(word, "hint") != 0 &&
	    strcmp(word, "network") != 0 && strcmp(word, "generic") != 0 &&
	    strcmp(word, "sender") != 0) {
		error(ld, "unknown statement '%.32s' (expected format, "
		    "version, provider, hint, network, generic or sender)",
		    word);
		return;
	}
	if (id == NULL || !valid_id(id)) {
		error(ld, "%s: missing or bad provider id (letters a-z, "
		    "digits and '-')", word);
		return;
	}
	if (strcmp(word, "provider") == 0) {
		add_provider(ld, id, rest);
		return;
	}
	provider = generic_db_find_provider(ld->db, id);
	if (provider < 0) {
		error(ld, "%s: provider %s is not declared (a \"provider\" "
		    "line must come first)", word, id);
		return;
	}
	if (strcmp(word, "hint") == 0)
		add_text(ld, id, rest);
	else if (strcmp(word, "network") == 0)
		add_networks(ld, (size_t)provider, rest);
	else if (strcmp(word, "generic") == 0)
		add_pattern(ld, (size_t)provider, rest);
	else
		add_senders(ld, (size_t)provider, rest);
}

static void
load_file(struct load *ld)
{
	char buf[LINE_MAX_BYTES + 2];
	FILE *f = fopen(ld->path, "r");

	if (f == NULL) {
		error(ld, "cannot read: %s", strerror(errno));
		return;
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		size_t len = strlen(buf);

		ld->line++;
		if (len > 0 && buf[len - 1] != '\n' && !feof(f)) {
			int c;

			error(ld, "line longer than %d bytes", LINE_MAX_BYTES);
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (memchr(buf, '\0', len) != NULL || strlen(buf) != len) {
			error(ld, "NUL byte in line");
			continue;
		}
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		parse_line(ld, buf);
	}
	if (ferror(f))
		error(ld, "read error: %s", strerror(errno));
	fclose(f);
	if (!ld->seen_format) {
		ld->line = 0;
		error(ld, "empty: the first statement must be \"format 1\"");
	}
}

static int
cmp_pattern(const void *a, const void *b)
{
	const struct pattern *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

int
generic_db_cmp_sender(const void *a, const void *b)
{
	return strcmp(((const struct sender *)a)->domain,
	    ((const struct sender *)b)->domain);
}

struct generic_db *
generic_db_load(const char *const *paths, size_t npaths,
    policy_reporter *report, void *arg)
{
	struct generic_db *db = calloc(1, sizeof(*db));
	unsigned errors = 0;

	if (db == NULL) {
		if (report != NULL)
			report(arg, "generic data: out of memory");
		return NULL;
	}
	for (size_t i = 0; i < npaths; i++) {
		struct load ld = { .db = db, .path = paths[i],
		    .report = report, .arg = arg };

		if (paths[i] == NULL)
			continue;
		load_file(&ld);
		errors += ld.errors;
	}
	if (errors > 0) {
		generic_db_free(db);
		return NULL;
	}
	/* Within a key, patterns keep their file order: the first pattern
	 * of a domain is tried first. */
	if (db->npatterns > 1)
		qsort(db->patterns, db->npatterns, sizeof(*db->patterns),
		    cmp_pattern);
	if (db->nsenders > 1)
		qsort(db->senders, db->nsenders, sizeof(*db->senders),
		    generic_db_cmp_sender);
	if (index_sender_keys(db) == -1) {
		if (report != NULL)
			report(arg, "generic data: out of memory");
		generic_db_free(db);
		return NULL;
	}
	return db;
}

int
generic_db_cmp_key(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Most names share no domain with any sender: one search for the name's
 * last two labels rules them out before a search per label. */
static int
index_sender_keys(struct generic_db *db)
{
	size_t n = 0;

	if (db->nsenders == 0)
		return 0;
	db->sender_keys = calloc(db->nsenders, sizeof(*db->sender_keys));
	if (db->sender_keys == NULL)
		return -1;
	for (size_t i = 0; i < db->nsenders; i++)
		generic_db_last_labels(db->senders[i].domain, 2,
		    db->sender_keys[i], KEY_MAX);
	qsort(db->sender_keys, db->nsenders, sizeof(*db->sender_keys),
	    generic_db_cmp_key);
	for (size_t i = 0; i < db->nsenders; i++)
		if (n == 0 || strcmp(db->sender_keys[n - 1],
		    db->sender_keys[i]) != 0)
			memmove(db->sender_keys[n++], db->sender_keys[i],
			    KEY_MAX);
	db->nsender_keys = n;
	return 0;
}

struct generic_db *
generic_db_for_policy(const struct policy *p, policy_reporter *report,
    void *arg, bool *ok, bool *no_default)
{
	const char *paths[2] = { p->generic_data, p->generic_patterns };
	struct generic_db *db;

	*ok = true;
	*no_default = false;
	if (paths[0] != NULL && strcmp(paths[0], GENERIC_DB_DEFAULT_PATH) == 0 &&
	    access(paths[0], F_OK) == -1 && errno == ENOENT) {
		paths[0] = NULL;
		*no_default = true;
	}
	if (paths[0] == NULL && paths[1] == NULL)
		return NULL;
	db = generic_db_load(paths, 2, report, arg);
	*ok = db != NULL;
	return db;
}

void
generic_db_free(struct generic_db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->nproviders; i++) {
		free(db->providers[i].id);
		free(db->providers[i].name);
		free(db->providers[i].hint);
	}
	for (size_t i = 0; i < db->npatterns; i++) {
		pcre2_code_free(db->patterns[i].re);
		free(db->patterns[i].key);
	}
	for (size_t i = 0; i < db->nsenders; i++)
		free(db->senders[i].domain);
	free(db->providers);
	free(db->patterns);
	free(db->senders);
	free(db->sender_keys);
	free(db->networks);
	free(db->version);
	free(db);
}













