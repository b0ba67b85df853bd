/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic_eval.c - accuracy of the generic-PTR detector on a labelled
 * file (tests/eval/data/README.md): columns ip, ptr, label, kind, source, a
 * header line, label "generic" or "specific".
 *
 *   generic_eval [-d DATAFILE | -n] [-p tune | held-out] FILE
 *
 * Judges every row with the shipped provider data (-d to name another
 * file, -n for the built-in rules alone), prints each false positive and
 * false negative with the detector's reason, and ends with one line
 * "precision=P recall=R f1=F n=N" for the generic class.  Exit 0 when
 * the file was read, 1 on a bad row, 2 on a usage or data error.
 *
 * -p judges one part of the file only, split by provider rather than by
 * name so that the held-out part measures providers the rules were not
 * tuned on: a provider is the registered domain of its PTR name (Public
 * Suffix List), and it is held out when the FNV-1a hash of that domain
 * is a multiple of HELD_OUT_MODULUS.  The split depends on nothing but
 * the name, so it is the same on every machine and every run.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "generic.h"
#include "generic_db.h"
#include "regdom.h"

#ifndef GENERIC_EVAL_DATA
#define GENERIC_EVAL_DATA GENERIC_DB_DEFAULT_PATH
#endif

#define LINE_MAX_BYTES 2048
/* One provider in this many is held out. */
#define HELD_OUT_MODULUS 3

/* The rows judged: all, or one part of the provider split. */
enum part { PART_ALL, PART_TUNE, PART_HELD_OUT };

struct counts {
	unsigned tp, fp, fn, tn;
};

static void report(void *arg, const char *message);
static int judge_file(FILE *f, const char *path,
    const struct generic_db *db, enum part part, struct counts *c);
static bool in_part(const char *ptr, enum part part);
static double ratio(unsigned num, unsigned den);

static void
report(void *arg, const char *message)
{
	(void)arg;
	fprintf(stderr, "generic_eval: %s\n", message);
}

/*
 * True if the row of this PTR name belongs to part: the provider is the
 * registered domain of the name lower-cased without its trailing dot
 * (the whole name when it has none).
 */
static bool
in_part(const char *ptr, enum part part)
{
	char name[LINE_MAX_BYTES];
	const char *provider;
	uint32_t hash = 2166136261u;
	size_t i, n;

	if (part == PART_ALL)
		return true;
	n = strnlen(ptr, sizeof(name) - 1);
	for (i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)ptr[i]);
	if (n > 0 && name[n - 1] == '.')
		n--;
	name[n] = '\0';
	provider = regdom_provider_domain(name);
	for (provider = provider != NULL ? provider : name; *provider != '\0';
	    provider++)
		hash = (hash ^ (unsigned char)*provider) * 16777619u;
	return (hash % HELD_OUT_MODULUS == 0) == (part == PART_HELD_OUT);
}

/* Judges each row of part; returns 0, or -1 after reporting a malformed
 * row. */
static int
judge_file(FILE *f, const char *path, const struct generic_db *db,
    enum part part, struct counts *c)
{
	char line[LINE_MAX_BYTES], reason[GENERIC_REASON_MAX];
	char *ip, *ptr, *label, *kind, *save;
	unsigned long lineno = 0;
	struct addr client;
	bool want, got;

	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (lineno == 1 || line[0] == '\0' || line[0] == '#')
			continue;
		ip = strtok_r(line, "\t", &save);
		ptr = strtok_r(NULL, "\t", &save);
		label = strtok_r(NULL, "\t", &save);
		kind = strtok_r(NULL, "\t", &save);
		if (ip == NULL || ptr == NULL || label == NULL ||
		    addr_parse(ip, &client) != 0 ||
		    (strcmp(label, "generic") != 0 &&
		    strcmp(label, "specific") != 0)) {
			fprintf(stderr, "%s:%lu: malformed row\n", path,
			    lineno);
			return -1;
		}
		if (!in_part(ptr, part))
			continue;
		want = strcmp(label, "generic") == 0;
		got = generic_check(db, &client, ptr, NULL, reason,
		    sizeof(reason));
		if (got && want)
			c->tp++;
		else if (got)
			c->fp++;
		else if (want)
			c->fn++;
		else
			c->tn++;
		if (got != want)
			printf("%s %s %s kind=%s reason=%s\n",
			    got ? "FP" : "FN", ip, ptr,
			    kind != NULL ? kind : "-",
			    reason[0] != '\0' ? reason : "-");
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", path);
		return -1;
	}
	return 0;
}

static double
ratio(unsigned num, unsigned den)
{
	return den == 0 ? 0.0 : (double)num / (double)den;
}

int
main(int argc, char **argv)
{
	const char *data = GENERIC_EVAL_DATA;
	struct generic_db *db = NULL;
	struct counts c = { 0, 0, 0, 0 };
	enum part part = PART_ALL;
	double p, r;
	FILE *f;
	int ch, ret = 2;

	while ((ch = getopt(argc, argv, "d:np:")) != -1) {
		switch (ch) {
		case 'd':
			data = optarg;
			break;
		case 'n':
			data = NULL;
			break;
		case 'p':
			if (strcmp(optarg, "tune") == 0)
				part = PART_TUNE;
			else if (strcmp(optarg, "held-out") == 0)
				part = PART_HELD_OUT;
			else
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 1)
		goto usage;
	if (data != NULL && (db = generic_db_load(&data, 1, report,
	    NULL)) == NULL)
		return 2;
	if (regdom_init() == -1)
		fprintf(stderr, "generic_eval: no Public Suffix List: "
		    "providers are the last two labels\n");
	if ((f = fopen(argv[optind], "r")) == NULL) {
		perror(argv[optind]);
		goto end;
	}
	ret = judge_file(f, argv[optind], db, part, &c) == 0 ? 0 : 1;
	fclose(f);
	p = ratio(c.tp, c.tp + c.fp);
	r = ratio(c.tp, c.tp + c.fn);
	printf("data=%s tp=%u fp=%u fn=%u tn=%u\n", data != NULL ? data : "-",
	    c.tp, c.fp, c.fn, c.tn);
	printf("precision=%.4f recall=%.4f f1=%.4f n=%u\n", p, r,
	    p + r > 0 ? 2 * p * r / (p + r) : 0.0, c.tp + c.fp + c.fn + c.tn);
end:
	generic_db_thread_done();
	generic_db_free(db);
	regdom_exit();
	return ret;
usage:
	fprintf(stderr, "usage: generic_eval [-d DATAFILE | -n] "
	    "[-p tune | held-out] FILE\n");
	return 2;
}
