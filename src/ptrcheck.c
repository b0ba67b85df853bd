/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptrcheck.c - audit IP addresses the way ptrmilter judges SMTP clients.
 *
 * Same configuration file, same resolver settings, same lookups and
 * verdict as the daemon: FCrDNS and the HELO's A and AAAA under one
 * deadline, assessed by the daemon's own assess_run().  Addresses come
 * from the command line or, with none given, as "IP [HELO]" lines on
 * standard input, so a day of log can be replayed before enforcing.  Up to WINDOW
 * addresses are looked up at once; results are printed in input order.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "assess.h"
#include "fcrdns.h"
#include "helo.h"
#include "helo_lookup.h"
#include "log.h"
#include "monotime.h"
#include "policy.h"
#include "ptrcheck_report.h"
#include "regdom.h"
#include "resolver.h"
#include "safe_text.h"
#include "verdict.h"

#define EXIT_PASS 0
#define EXIT_FAIL 1
#define EXIT_TEMPERROR 2
#define EXIT_USAGE 64
#define EXIT_CONFIG 78

#define WINDOW 256
#define LINE_MAX_BYTES 4096

struct check {
	struct fcrdns *job;
	struct helo_lookup *helo_job;	/* NULL: nothing to look up */
	struct timespec deadline;
	char *helo;			/* NULL: none given */
	struct helo_parsed parsed;
};

struct run {
	struct resolver *resolver;
	const struct policy *policy;
	const struct generic_db *generic;	/* may be NULL */
	bool json;
	const char *helo;		/* --helo, for every address */
	struct check ring[WINDOW];
	size_t head, count;
	int status;
};

static void usage(FILE *out);
static void report_config_error(void *arg, const char *message);
static int check_arguments(int argc, char **argv);
static int start_check(struct run *run, const struct addr *a,
    const char *helo);
static void assess_and_report(struct run *run, struct check *c);
static void finish_oldest(struct run *run);
static int read_stdin(struct run *run);
static void raise_open_files(void);
static void could_not_assess(struct run *run);

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: ptrcheck [-c FILE] [--helo NAME] [--json] [IP ...]\n"
	    "       With no IP, reads \"IP [HELO]\" lines from standard input.\n"
	    "  -c, --config FILE  configuration (default " POLICY_DEFAULT_PATH
	    "; built-in\n"
	    "                     defaults if that file does not exist)\n"
	    "      --helo NAME    the HELO name to judge with each address\n"
	    "  -j, --json         one JSON object per address\n"
	    "  -h, --help         this text\n"
	    "  -V, --version      print the version\n"
	    "Exit status: the worst of all addresses: 0 pass, 1 fail or\n"
	    "permerror, 2 temperror; 64 for a usage error or an input line\n"
	    "that is not an address; 78 for a configuration error.\n");
}

static void
report_config_error(void *arg, const char *message)
{
	(void)arg;
	fprintf(stderr, "%s\n", message);
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "helo", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct resolver_config rc;
	struct policy *policy = NULL;
	struct generic_db *generic = NULL;
	bool generic_ok, no_default, missing_ok;
	struct run *run = NULL;
	const char *config = NULL, *helo = NULL;
	bool json = false;
	char err[512];
	unsigned mode;
	int c, status = EXIT_CONFIG;

	/* The resolver's start-up line goes to stderr under our own name. */
	log_open("ptrcheck", true, false);
	while ((c = getopt_long(argc, argv, "c:jhV", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'H':
			helo = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_PASS;
		case 'V':
			printf("ptrcheck %s\n", PACKAGE_VERSION);
			return EXIT_PASS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (check_arguments(argc - optind, argv + optind) == -1)
		return EXIT_USAGE;

	missing_ok = config == NULL;
	if (config == NULL)
		config = POLICY_DEFAULT_PATH;
	policy = policy_load_mode(config, missing_ok, report_config_error,
	    NULL, &mode);
	/* An audit: a file the daemon would refuse is still worth reading. */
	if (policy_mode_unsafe(mode))
		fprintf(stderr, "ptrcheck: warning: %s: writable by group or "
		    "others (mode %04o): ptrmilter refuses it; chmod go-w %s\n",
		    config, mode, config);
	if (policy == NULL)
		return EXIT_CONFIG;
	generic = generic_db_for_policy(policy, report_config_error, NULL,
	    &generic_ok, &no_default);
	if (no_default)
		fprintf(stderr, "ptrcheck: %s is not installed: generic names "
		    "are judged by the built-in rules only\n",
		    GENERIC_DB_DEFAULT_PATH);
	if (!generic_ok) {
		policy_free(policy);
		return EXIT_CONFIG;
	}
	if (regdom_init() == -1)
		fprintf(stderr, "ptrcheck: no Public Suffix List: "
		    "helo_ptr_same_domain compares the last two labels\n");

	run = calloc(1, sizeof(*run));
	if (run == NULL) {
		fprintf(stderr, "ptrcheck: out of memory\n");
		goto done;
	}
	raise_open_files();
	run->json = json;
	run->helo = helo;

	policy_resolver_config(policy, &rc);
	run->resolver = resolver_create(&rc, err, sizeof(err));
	if (run->resolver == NULL) {
		fprintf(stderr, "ptrcheck: %s\n", err);
		goto done;
	}
	run->policy = policy;
	run->generic = generic;

	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			struct addr a;

			(void)addr_parse(argv[i], &a);	/* checked above */
			if (start_check(run, &a, run->helo) == -1)
				break;
		}
	} else if (read_stdin(run) == -1) {
		run->status = EXIT_USAGE;
	}
	while (run->count > 0)
		finish_oldest(run);
	status = run->status;

done:
	if (run != NULL)
		resolver_destroy(run->resolver);
	free(run);
	policy_free(policy);
	generic_db_thread_done();
	generic_db_free(generic);
	regdom_exit();
	return status;
}

/* Every address is checked before the first lookup, so a typo costs no
 * DNS traffic and gets a clear message. */
static int
check_arguments(int argc, char **argv)
{
	char shown[65];
	struct addr a;
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		if (addr_parse(argv[i], &a) == -1) {
			(void)safe_text(shown, sizeof(shown), argv[i],
			    SAFE_TEXT_ALL, SAFE_TEXT_REPLY);
			fprintf(stderr, "ptrcheck: not an IP address: %s\n",
			    shown);
			rc = -1;
		}
	}
	return rc;
}

static int
start_check(struct run *run, const struct addr *a, const char *helo)
{
	struct check *c;

	if (run->count == WINDOW)
		finish_oldest(run);
	c = &run->ring[(run->head + run->count) % WINDOW];
	memset(c, 0, sizeof(*c));
	if (helo != NULL && (c->helo = strdup(helo)) == NULL) {
		fprintf(stderr, "ptrcheck: out of memory\n");
		could_not_assess(run);
		return -1;
	}
	c->parsed.kind = HELO_NONE;
	if (c->helo != NULL)
		helo_parse(c->helo, strlen(c->helo), &c->parsed);
	c->deadline = monotime_add_ms(monotime_now(),
	    run->policy->dns_timeout_ms);
	c->job = fcrdns_start(run->resolver, a, run->policy->max_ptr_names);
	if (c->job == NULL)
		goto oom;
	if (helo_wants_lookup(&c->parsed)) {
		c->helo_job = helo_lookup_start(run->resolver, c->parsed.name);
		if (c->helo_job == NULL)
			goto oom;
	}
	run->count++;
	return 0;
oom:
	fcrdns_free(c->job);
	free(c->helo);
	fprintf(stderr, "ptrcheck: out of memory\n");
	could_not_assess(run);
	return -1;
}

/* An address that could not be looked up is no pass: exit as for a
 * temporary failure, unless a worse status is already set. */
static void
could_not_assess(struct run *run)
{
	if (run->status < EXIT_TEMPERROR)
		run->status = EXIT_TEMPERROR;
}

static int
exit_status_of(enum iprev r)
{
	switch (r) {
	case IPREV_PASS:
		return EXIT_PASS;
	case IPREV_FAIL:
	case IPREV_PERMERROR:
		return EXIT_FAIL;
	case IPREV_TEMPERROR:
		break;
	}
	return EXIT_TEMPERROR;
}

/* The daemon's assessment at MAIL FROM, without the MTA's part: no {j}
 * or address of our own, no {client_resolve}, no tempfail_limit history.
 * Sets the exit status from iprev. */
static void
assess_and_report(struct run *run, struct check *c)
{
	struct assess_input in;
	struct assessment a;
	struct findings findings;
	struct verdict v;
	struct report r;
	int st;

	memset(&in, 0, sizeof(in));
	in.policy = run->policy;
	in.generic = run->generic;
	in.fcrdns = c->job;
	in.helo_lookup = c->helo_job;
	in.deadline = c->deadline;
	in.helo_parsed = &c->parsed;
	in.helo = c->helo;
	assess_run(&in, &findings, &v, &a);

	memset(&r, 0, sizeof(r));
	r.policy = run->policy;
	r.db = run->generic;
	r.fcrdns = a.fcrdns;
	r.helo = c->helo;
	r.parsed = &c->parsed;
	r.forward = a.forward;
	r.findings = &findings;
	r.verdict = &v;
	r.exemption = a.decided.exemption;
	if (run->json)
		report_json(stdout, &r);
	else
		report_text(stdout, &r);
	fflush(stdout);
	st = exit_status_of(a.fcrdns->iprev);
	if (st > run->status && run->status != EXIT_USAGE)
		run->status = st;
}

static void
finish_oldest(struct run *run)
{
	struct check *c = &run->ring[run->head];

	assess_and_report(run, c);
	helo_lookup_free(c->helo_job);
	fcrdns_free(c->job);
	free(c->helo);
	run->head = (run->head + 1) % WINDOW;
	run->count--;
}

/* Splits "IP [HELO]" in place.  Returns 0, 1 for a line to skip, or -1. */
static int
parse_line(char *line, char **ip, char **helo)
{
	char *p = line + strspn(line, " \t\r\n");

	if (*p == '\0' || *p == '#')
		return 1;
	*ip = p;
	p += strcspn(p, " \t\r\n");
	if (*p != '\0')
		*p++ = '\0';
	p += strspn(p, " \t\r\n");
	*helo = NULL;
	if (*p != '\0') {
		*helo = p;
		p += strcspn(p, " \t\r\n");
		*p = '\0';
	}
	return 0;
}

static int
read_stdin(struct run *run)
{
	char line[LINE_MAX_BYTES];
	unsigned long lineno = 0;
	int rc = 0;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		char *ip, *helo;
		struct addr a;
		size_t n = strlen(line);

		lineno++;
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			int ch;

			fprintf(stderr, "ptrcheck: stdin:%lu: line too long, "
			    "skipped\n", lineno);
			while ((ch = getchar()) != EOF && ch != '\n')
				;
			rc = -1;
			continue;
		}
		if (parse_line(line, &ip, &helo) == 1)
			continue;
		if (addr_parse(ip, &a) == -1) {
			fprintf(stderr, "ptrcheck: stdin:%lu: not an IP "
			    "address, skipped\n", lineno);
			rc = -1;
			continue;
		}
		if (start_check(run, &a, helo != NULL ? helo : run->helo)
		    == -1)
			return -1;
	}
	return rc;
}

/* Hundreds of verdicts in flight can mean thousands of outstanding
 * upstream queries, each with its own socket: the default soft limit of
 * 1024 descriptors would turn some of them into spurious temperrors. */
static void
raise_open_files(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}
