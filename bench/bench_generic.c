/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_generic.c - throughput of the generic-PTR detector, one thread:
 * names judged per second per core, with the shipped provider data loaded
 * and with the built-in rules alone.
 *
 *   bench_generic [-d DATAFILE] [-f DEVFILE] [-s SECONDS]
 *
 * Two sets of names: the labelled dev file's (real names, each with its
 * own client address) and synthetic ones (provider defaults, ESP outbound
 * hosts, chosen names, long names, IPv6), each judged in a loop for
 * SECONDS.  Prints a table and one JSON line.  A figure, not a test.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "generic.h"
#include "generic_db.h"
#include "monotime.h"
#include "regdom.h"

#ifndef BENCH_DATA
#define BENCH_DATA GENERIC_DB_DEFAULT_PATH
#endif
#ifndef BENCH_DEV
#define BENCH_DEV "tests/eval/data/generic-ptr-dev.tsv"
#endif

#define NAMES_MAX 4096
#define NAME_LEN 256
#define SYNTHETIC 1024

struct sample {
	struct addr client;
	char name[NAME_LEN];
};

struct set {
	struct sample *items;
	size_t count;
};

static void report(void *arg, const char *message);
static void set_add(struct set *s, const char *ip, const char *name);
static void load_dev(struct set *s, const char *path);
static void make_synthetic(struct set *s);
static double run(const struct generic_db *db, const struct set *s,
    double seconds, size_t *generic);

static void
report(void *arg, const char *message)
{
	(void)arg;
	fprintf(stderr, "bench_generic: %s\n", message);
}

static void
set_add(struct set *s, const char *ip, const char *name)
{
	struct sample *x;

	if (s->count == NAMES_MAX)
		return;
	x = &s->items[s->count];
	if (addr_parse(ip, &x->client) != 0 ||
	    (size_t)snprintf(x->name, sizeof(x->name), "%s", name) >=
	    sizeof(x->name))
		return;
	s->count++;
}

/* Reads the ip and ptr columns of a dev-format file. */
static void
load_dev(struct set *s, const char *path)
{
	char line[2048], *ip, *ptr, *save;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((ip = strtok_r(line, "\t", &save)) == NULL ||
		    (ptr = strtok_r(NULL, "\t", &save)) == NULL ||
		    strcmp(ip, "ip") == 0)
			continue;
		set_add(s, ip, ptr);
	}
	fclose(f);
}

/* Names of every kind the detector meets, for varied addresses. */
static void
make_synthetic(struct set *s)
{
	char ip[64], name[NAME_LEN];
	unsigned i, a, b, c, d;

	srand(42);
	for (i = 0; i < SYNTHETIC; i++) {
		a = 1 + (unsigned)rand() % 223;
		b = (unsigned)rand() % 256;
		c = (unsigned)rand() % 256;
		d = 1 + (unsigned)rand() % 254;
		snprintf(ip, sizeof(ip), "%u.%u.%u.%u", a, b, c, d);
		switch (i % 10) {
		case 0:
			snprintf(name, sizeof(name),
			    "%u-%u-%u-%u.pool.example-isp.net", a, b, c, d);
			break;
		case 1:
			snprintf(name, sizeof(name), "mail%u.example.com", d);
			break;
		case 2:
			snprintf(name, sizeof(name),
			    "ip%02x%02x%02x%02x.dynamic.example.de", a, b, c, d);
			break;
		case 3:
			snprintf(name, sizeof(name),
			    "o%u.ptr%u.example-grid.net", d, c * 10);
			break;
		case 4:
			snprintf(name, sizeof(name),
			    "mail%u-%u.atl%u.example-esp.com", c, d, b % 100);
			break;
		case 5:
			snprintf(name, sizeof(name), "smtp.example.org");
			break;
		case 6:
			snprintf(name, sizeof(name),
			    "ec2-%u-%u-%u-%u.eu-west-1.compute.amazonaws.com",
			    a, b, c, d);
			break;
		case 7:
			snprintf(name, sizeof(name), "abc%u.neoplus.adsl.example"
			    ".pl", d);
			break;
		case 8:
			/* A long name of many labels, no address in it. */
			snprintf(name, sizeof(name), "%s%s%s.example.net",
			    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.",
			    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.",
			    "c1.d2.e3.f4.g5.h6.i7.j8.k9.l10.m11.n12.o13");
			break;
		default:
			snprintf(ip, sizeof(ip), "2001:db8:%x::%x:%x", b, c, d);
			snprintf(name, sizeof(name),
			    "2001-db8-%x-0-0-0-%x-%x.v6.example.net", b, c, d);
			break;
		}
		set_add(s, ip, name);
	}
}

/* Judges the set over and over for about seconds; names per second. */
static double
run(const struct generic_db *db, const struct set *s, double seconds,
    size_t *generic)
{
	struct timespec t0 = monotime_now();
	char reason[GENERIC_REASON_MAX];
	size_t done = 0, i, found = 0;
	int64_t us = 0;

	while (us < (int64_t)(seconds * 1e6)) {
		for (i = 0; i < s->count; i++)
			found += generic_check(db, &s->items[i].client,
			    s->items[i].name, NULL, reason, sizeof(reason));
		done += s->count;
		us = monotime_diff_us(t0, monotime_now());
	}
	*generic = found * s->count / (done > 0 ? done : 1);
	return us > 0 ? (double)done * 1e6 / (double)us : 0.0;
}

int
main(int argc, char **argv)
{
	const char *data = BENCH_DATA, *dev = BENCH_DEV;
	struct set sets[2];
	static const char *const set_names[2] = { "dev", "synthetic" };
	struct generic_db *db;
	double seconds = 1.0, rate[2][2];
	size_t generic, i;
	int ch;

	while ((ch = getopt(argc, argv, "d:f:s:")) != -1) {
		switch (ch) {
		case 'd':
			data = optarg;
			break;
		case 'f':
			dev = optarg;
			break;
		case 's':
			seconds = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench_generic [-d DATAFILE] "
			    "[-f DEVFILE] [-s SECONDS]\n");
			return 2;
		}
	}
	for (i = 0; i < 2; i++) {
		sets[i].count = 0;
		if ((sets[i].items = calloc(NAMES_MAX,
		    sizeof(*sets[i].items))) == NULL)
			abort();
	}
	load_dev(&sets[0], dev);
	make_synthetic(&sets[1]);
	if ((db = generic_db_load(&data, 1, report, NULL)) == NULL)
		return 2;
	/* As the daemon does at start-up: the registered domain of every
	 * name judged comes from the list. */
	if (regdom_init() == -1)
		fprintf(stderr, "bench_generic: no Public Suffix List\n");
	printf("%-10s %6s %8s %16s %16s\n", "set", "names", "generic",
	    "names/s (data)", "names/s (rules)");
	for (i = 0; i < 2; i++) {
		rate[i][1] = run(NULL, &sets[i], seconds, &generic);
		rate[i][0] = run(db, &sets[i], seconds, &generic);
		printf("%-10s %6zu %8zu %16.0f %16.0f\n", set_names[i],
		    sets[i].count, generic, rate[i][0], rate[i][1]);
	}
	printf("{\"bench\":\"generic\",\"data\":\"%s\",\"dev_per_s\":%.0f,"
	    "\"dev_rules_per_s\":%.0f,\"synthetic_per_s\":%.0f,"
	    "\"synthetic_rules_per_s\":%.0f}\n", data, rate[0][0], rate[0][1],
	    rate[1][0], rate[1][1]);
	generic_db_thread_done();
	generic_db_free(db);
	regdom_exit();
	for (i = 0; i < 2; i++)
		free(sets[i].items);
	return 0;
}
