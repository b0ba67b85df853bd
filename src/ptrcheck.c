/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptrcheck.c - audit IP addresses the way ptrmilter judges SMTP clients.
 *
 * Same configuration file, same resolver settings, same lookups and
 * verdict as the daemon: FCrDNS and the HELO's A and AAAA under one
 * deadline, assessed by the daemon's own assess_run().  Addresses come
 * from the command line or, with none given, as "IP [HELO]" lines on
 * standard input, so a day of log can be replayed before enforcing.  Up to
 * WINDOW addresses are looked up at once; results are printed in input
 * order, a malformed input line reported in its place.  The exit status
 * says what --fail-on asks about (ptrcheck_status.h).
 */
#include "config.h"

#include <errno.h>
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
#include "policy_values.h"
#include "ptrcheck_input.h"
#include "ptrcheck_report.h"
#include "ptrcheck_status.h"
#include "regdom.h"
#include "resolver.h"
#include "safe_text.h"
#include "verdict.h"

#define WINDOW 256

/* One address in flight, or a malformed input line waiting for its turn
 * in the output. */
struct check {
	struct fcrdns *job;		/* NULL: a malformed line */
	struct helo_lookup *helo_job;	/* NULL: nothing to look up */
	struct timespec deadline;
	char *helo;			/* NULL: none given */
	struct helo_parsed parsed;
	struct input_error error;	/* when job is NULL */
};

struct options {
	const char *config;		/* NULL: the default, which may be
					   missing */
	const char *helo;		/* --helo, for every address */
	bool json;
	struct ptrcheck_fail_on fail_on;
};

struct run {
	struct resolver *resolver;
	const struct policy *policy;
	const struct generic_db *generic;	/* may be NULL */
	const struct options *options;
	struct input_line line;
	struct check ring[WINDOW];
	size_t head, count;
	unsigned long malformed;	/* lines */
	unsigned long first_malformed;	/* its line number */
	const char *first_malformed_why;
	int status;
};

/* Why writing the output first failed; 0: it has not. */
static int output_errno;

static void usage(FILE *out);
static int parse_options(int argc, char **argv, struct options *o);
static void report_config_error(void *arg, const char *message);
static int check_arguments(int argc, char **argv);
static struct policy *load_policy(const char *config,
    struct generic_db **generic);
static int run_checks(const struct options *o, const struct policy *policy,
    const struct generic_db *generic, int argc, char **argv);
static int start_check(struct run *run, const struct addr *a,
    const char *helo);
static struct check *next_slot(struct run *run);
static void note_malformed(struct run *run, const char *why);
static void assess_and_report(struct run *run, struct check *c);
static void finish_oldest(struct run *run);
static void read_stdin(struct run *run);
static void raise_open_files(void);
static void set_status(struct run *run, int status);
static void flush_output(void);
static int finish_output(int status);

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: ptrcheck [-c FILE] [--helo NAME] [--json] [--fail-on WHAT]"
	    " [IP ...]\n"
	    "       With no IP, reads \"IP [HELO]\" lines from standard input.\n"
	    "  -c, --config FILE    configuration (default "
	    POLICY_DEFAULT_PATH ";\n"
	    "                       built-in defaults if that file does not "
	    "exist)\n"
	    "      --helo NAME      the HELO name to judge with each address\n"
	    "  -j, --json           one JSON object per address\n"
	    "      --fail-on WHAT   what makes the exit status non-zero: iprev"
	    " (the\n"
	    "                       default), action, score=N or never\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        print the version\n"
	    "Exit status, the worst over all addresses and lines (see "
	    "ptrcheck(1)):\n"
	    "   0  no address met --fail-on, no malformed line\n"
	    "   1  iprev fail or permerror; action reject; score=N reached\n"
	    "   2  iprev temperror; action tempfail\n"
	    "  65  malformed input lines (reported in the output), no 1 or "
	    "2\n"
	    "  64  usage error     71  out of memory     74  stdin or stdout "
	    "failed\n"
	    "  78  configuration error     from worst to best: 74 71 2 1 65 "
	    "0\n");
}

/* Returns -1 to go on, or the status to exit with now. */
static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "helo", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char err[POLICY_VALUE_SHOWN_MAX + 128];
	int c;

	memset(o, 0, sizeof(*o));
	o->fail_on.kind = PTRCHECK_FAIL_IPREV;
	while ((c = getopt_long(argc, argv, "c:jhV", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'H':
			o->helo = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'F':
			if (ptrcheck_fail_on_parse(optarg, &o->fail_on, err,
			    sizeof(err)) == -1) {
				fprintf(stderr, "ptrcheck: %s\n", err);
				return PTRCHECK_EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return finish_output(PTRCHECK_EXIT_PASS);
		case 'V':
			printf("ptrcheck %s\n", PACKAGE_VERSION);
			return finish_output(PTRCHECK_EXIT_PASS);
		default:
			usage(stderr);
			return PTRCHECK_EXIT_USAGE;
		}
	}
	return -1;
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
	struct options o;
	struct policy *policy;
	struct generic_db *generic = NULL;
	int status;

	/* The resolver's start-up line goes to stderr under our own name. */
	log_open("ptrcheck", true, false);
	if ((status = parse_options(argc, argv, &o)) != -1)
		return status;
	if (check_arguments(argc - optind, argv + optind) == -1)
		return PTRCHECK_EXIT_USAGE;
	policy = load_policy(o.config, &generic);
	if (policy == NULL)
		return PTRCHECK_EXIT_CONFIG;
	if (regdom_init() == -1)
		fprintf(stderr, "ptrcheck: no Public Suffix List: "
		    "helo_ptr_same_domain compares the last two labels\n");
	status = run_checks(&o, policy, generic, argc - optind,
	    argv + optind);
	policy_free(policy);
	generic_db_thread_done();
	generic_db_free(generic);
	regdom_exit();
	return finish_output(status);
}

/* The policy and the provider data it names, or NULL after saying why. */
static struct policy *
load_policy(const char *config, struct generic_db **generic)
{
	struct policy *policy;
	bool generic_ok, no_default, missing_ok = config == NULL;
	unsigned mode;

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
		return NULL;
	*generic = generic_db_for_policy(policy, report_config_error, NULL,
	    &generic_ok, &no_default);
	if (no_default)
		fprintf(stderr, "ptrcheck: %s is not installed: generic names "
		    "are judged by the built-in rules only\n",
		    GENERIC_DB_DEFAULT_PATH);
	if (!generic_ok) {
		policy_free(policy);
		return NULL;
	}
	return policy;
}

/* Judges the addresses of argv, or with none those of standard input,
 * and returns the exit status. */
static int
run_checks(const struct options *o, const struct policy *policy,
    const struct generic_db *generic, int argc, char **argv)
{
	struct resolver_config rc;
	struct run *run;
	char err[512];
	int status = PTRCHECK_EXIT_CONFIG;

	run = calloc(1, sizeof(*run));
	if (run == NULL) {
		fprintf(stderr, "ptrcheck: out of memory\n");
		return PTRCHECK_EXIT_OSERR;
	}
	raise_open_files();
	run->options = o;
	run->policy = policy;
	run->generic = generic;
	policy_resolver_config(policy, &rc);
	run->resolver = resolver_create(&rc, err, sizeof(err));
	if (run->resolver == NULL) {
		fprintf(stderr, "ptrcheck: %s\n", err);
		goto done;
	}
	for (int i = 0; i < argc; i++) {
		struct addr a;

		(void)addr_parse(argv[i], &a);	/* checked before */
		if (start_check(run, &a, o->helo) == -1)
			break;
	}
	if (argc == 0)
		read_stdin(run);
	while (run->count > 0)
		finish_oldest(run);
	status = run->status;
done:
	resolver_destroy(run->resolver);
	free(run);
	return status;
}

/* Each result goes out when it is complete, for whoever reads along. */
static void
flush_output(void)
{
	if (fflush(stdout) == EOF && output_errno == 0)
		output_errno = errno != 0 ? errno : EIO;
}

/* A report that did not reach its reader is no pass: a full disk turns
 * into 74, as it would for cat(1). */
static int
finish_output(int status)
{
	flush_output();
	if (output_errno == 0 && !ferror(stdout))
		return status;
	fprintf(stderr, "ptrcheck: standard output: %s\n",
	    strerror(output_errno != 0 ? output_errno : EIO));
	return ptrcheck_status_worse(status, PTRCHECK_EXIT_IOERR);
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

/* The next slot of the ring, in input order; the oldest is finished
 * first when all are in use. */
static struct check *
next_slot(struct run *run)
{
	struct check *c;

	if (run->count == WINDOW)
		finish_oldest(run);
	c = &run->ring[(run->head + run->count) % WINDOW];
	memset(c, 0, sizeof(*c));
	return c;
}

static int
start_check(struct run *run, const struct addr *a, const char *helo)
{
	struct check *c = next_slot(run);

	if (helo != NULL && (c->helo = strdup(helo)) == NULL)
		goto oom;
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
	/* The run stops short: the addresses in flight are still
	 * reported, the rest of the input is not read. */
	fprintf(stderr, "ptrcheck: out of memory\n");
	set_status(run, PTRCHECK_EXIT_OSERR);
	return -1;
}

/* The line just read takes its place in the output like an address. */
static void
note_malformed(struct run *run, const char *why)
{
	struct check *c = next_slot(run);

	input_error_keep(&c->error, &run->line, why);
	if (run->malformed++ == 0) {
		run->first_malformed = c->error.line;
		run->first_malformed_why = why;
	}
	set_status(run, PTRCHECK_EXIT_DATAERR);
	run->count++;
}

static void
set_status(struct run *run, int status)
{
	run->status = ptrcheck_status_worse(run->status, status);
}

/* The daemon's assessment at MAIL FROM, without the MTA's part: no {j}
 * or address of our own, no {client_resolve}, no tempfail_limit history.
 * Sets the exit status as --fail-on says. */
static void
assess_and_report(struct run *run, struct check *c)
{
	struct assess_input in;
	struct assessment a;
	struct findings findings;
	struct verdict v;
	struct report r;

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
	if (run->options->json)
		report_json(stdout, &r);
	else
		report_text(stdout, &r);
	set_status(run, ptrcheck_outcome(&run->options->fail_on,
	    a.fcrdns->iprev, &v));
}

static void
finish_oldest(struct run *run)
{
	struct check *c = &run->ring[run->head];

	if (c->job == NULL && run->options->json)
		input_error_json(stdout, &c->error);
	else if (c->job == NULL)
		input_error_text(stdout, &c->error);
	else
		assess_and_report(run, c);
	flush_output();
	helo_lookup_free(c->helo_job);
	fcrdns_free(c->job);
	free(c->helo);
	run->head = (run->head + 1) % WINDOW;
	run->count--;
}

/* Every line is judged or reported in its place: a malformed one costs
 * only itself.  A summary on stderr tells whoever reads only that. */
static void
read_stdin(struct run *run)
{
	struct input_fields f;
	int rc;

	while ((rc = input_read_line(stdin, &run->line)) == 1) {
		switch (input_classify(&run->line, &f)) {
		case INPUT_SKIP:
			break;
		case INPUT_MALFORMED:
			note_malformed(run, f.why);
			break;
		case INPUT_ADDRESS:
			if (start_check(run, &f.addr, f.helo != NULL ? f.helo :
			    run->options->helo) == -1)
				return;
			break;
		}
	}
	if (rc == -1) {
		fprintf(stderr, "ptrcheck: standard input: line %lu: %s\n",
		    run->line.number + 1, strerror(errno));
		set_status(run, PTRCHECK_EXIT_IOERR);
	}
	if (run->malformed > 0)
		fprintf(stderr, "ptrcheck: %lu malformed input line%s "
		    "reported in the output%s stdin:%lu: %s\n",
		    run->malformed, run->malformed == 1 ? "" : "s",
		    run->malformed == 1 ? ":" : "; the first:",
		    run->first_malformed, run->first_malformed_why);
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
