/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptrcheck.c - audit IP addresses the way ptrmilter judges SMTP clients.
 *
 * Same configuration file, same resolver settings, same lookups and
 * verdict as the daemon: FCrDNS and the HELO's A and AAAA under one
 * deadline, assessed by the daemon's own assess_run().  Addresses come
 * from the command line or, with none given, as "IP [HELO]" lines on
 * standard input, so a day of log can be replayed before enforcing; an
 * IPv4 prefix in either place is expanded into its addresses
 * (audit_target.h), each address judged once however many sources list
 * it.  Up to WINDOW addresses are looked up at once; results are printed
 * in input order, grouped under their source, a malformed input line
 * reported in its place, and a report of more than one address ends with
 * a summary (audit_summary.h); --format prom writes a Prometheus textfile
 * at the end instead (audit_prom.h).  The exit status says what --fail-on
 * asks about (ptrcheck_status.h).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "assess.h"
#include "audit_prom.h"
#include "audit_summary.h"
#include "audit_target.h"
#include "fcrdns.h"
#include "helo.h"
#include "helo_lookup.h"
#include "log.h"
#include "monotime.h"
#include "policy.h"
#include "policy_values.h"
#include "provider_hint.h"
#include "ptrcheck_domain.h"
#include "ptrcheck_input.h"
#include "ptrcheck_report.h"
#include "ptrcheck_status.h"
#include "regdom.h"
#include "resolver.h"
#include "safe_text.h"
#include "verdict.h"

#define WINDOW 256

/* What a place in the output holds. */
enum check_kind {
	CHECK_JOB,			/* an address in flight */
	CHECK_DUPLICATE,		/* an address judged for an earlier
					   source */
	CHECK_NOTE,			/* an IPv6 prefix, not enumerated */
	CHECK_MALFORMED			/* a malformed input line */
};

/* One place in the output, in input order. */
struct check {
	enum check_kind kind;
	struct fcrdns *job;		/* CHECK_JOB */
	struct helo_lookup *helo_job;	/* NULL: nothing to look up */
	struct timespec deadline;
	char *helo;			/* NULL: none given */
	struct helo_parsed parsed;
	struct audit_target target;	/* all but CHECK_MALFORMED */
	bool keep;			/* its outcome goes into the set of
					   judged addresses */
	struct input_error error;	/* CHECK_MALFORMED */
};

struct options {
	const char *config;		/* NULL: the default, which may be
					   missing */
	const char *helo;		/* --helo, for every address */
	const char *domain;		/* --domain: NULL, none */
	enum report_format format;
	unsigned long max_addresses;	/* of one IPv4 prefix */
	unsigned long max_total;	/* --domain: over all its networks */
	bool max_total_given;
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
	unsigned long position;		/* of the last target */
	struct audit_seen seen;
	struct audit_summary summary;
	struct audit_outcomes outcomes;	/* --format prom only */
	struct domain_audit domain;	/* --domain: its networks' labels */
	struct audit_source heading;	/* of the last group printed */
	bool headed;			/* heading is set */
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
static int parse_count(const char *option, const char *text,
    unsigned long limit, unsigned long *out);
static int parse_format(const char *text, enum report_format *out);
static int check_arguments(int argc, char **argv, unsigned long max);
static int check_prefix_argument(const char *arg, unsigned long max);
static struct policy *load_policy(const char *config,
    struct generic_db **generic);
static int run_checks(const struct options *o, const struct policy *policy,
    const struct generic_db *generic, int argc, char **argv);
static int parse_domain(const char *text, struct options *o);
static void start_domain(struct run *run);
static int start_argument(struct run *run, const char *arg);
static int start_prefix(struct run *run, const struct cidr *prefix,
    unsigned long line, const char *helo);
static int start_network(struct run *run, const struct audit_source *source,
    const struct cidr *net, const char *helo, unsigned long limit);
static int start_check(struct run *run, const struct audit_target *t);
static struct check *next_slot(struct run *run);
static void note_network(struct run *run,
    const struct audit_source *source, const struct cidr *net);
static void note_malformed(struct run *run, const char *why);
static void assess_and_report(struct run *run, struct check *c);
static void keep_outcome(struct run *run, const struct check *c,
    const struct audit_outcome *o, const struct provider_hint *h);
static void put_heading(struct run *run, const struct check *c);
static void report_other(struct run *run, const struct check *c);
static void finish_oldest(struct run *run);
static void finish_report(struct run *run);
static void read_stdin(struct run *run);
static int read_prefix_line(struct run *run, const struct input_fields *f);
static void raise_open_files(void);
static void set_status(struct run *run, int status);
static void flush_output(void);
static int finish_output(int status);

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: ptrcheck [-c FILE] [--helo NAME] [--format text|json|prom]"
	    "\n                [--fail-on WHAT] [--max-addresses N]"
	    " [--domain DOMAIN]\n                [--max-total N]"
	    " [IP|PREFIX ...]\n"
	    "       With no IP and no --domain, reads \"IP [HELO]\" lines from"
	    "\n       standard input; an IPv4 PREFIX (198.51.100.0/28) is"
	    " expanded.\n"
	    "  -c, --config FILE    configuration (default "
	    POLICY_DEFAULT_PATH ";\n"
	    "                       built-in defaults if that file does not "
	    "exist)\n"
	    "      --helo NAME      the HELO name to judge with each address\n"
	    "  -d, --domain DOMAIN  audit the sending addresses of DOMAIN: its"
	    "\n                       SPF record and MX hosts (once)\n"
	    "      --format WHAT    text (the default), json (one object per"
	    "\n                       address, a summary object) or prom (a"
	    "\n                       Prometheus textfile)\n"
	    "  -j, --json           the same as --format json\n"
	    "      --max-addresses N  the most addresses one IPv4 prefix may"
	    "\n                       hold (default 256, a /24; at most"
	    " 65536)\n"
	    "      --max-total N    with --domain, the most addresses judged"
	    " over all\n                       its networks (default 4096;"
	    " at most 1048576)\n"
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
	    "  65  malformed input lines (reported in the output), or"
	    " addresses past\n      --max-total; no 1 or 2\n"
	    "  64  usage error     68  --domain does not exist\n"
	    "  71  out of memory     74  stdin or stdout failed\n"
	    "  78  configuration error     from worst to best: 74 71 68 2 1 "
	    "65 0\n"
	    "  With --domain, an SPF permerror is 1, a temperror 2 (not with"
	    "\n  --fail-on never).\n");
}

/* Returns -1 to go on, or the status to exit with now. */
static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "helo", required_argument, NULL, 'H' },
		{ "domain", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'f' },
		{ "max-addresses", required_argument, NULL, 'm' },
		{ "max-total", required_argument, NULL, 'T' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char err[POLICY_VALUE_SHOWN_MAX + 128];
	int c;

	memset(o, 0, sizeof(*o));
	o->fail_on.kind = PTRCHECK_FAIL_IPREV;
	o->max_addresses = AUDIT_MAX_ADDRESSES_DEFAULT;
	o->max_total = AUDIT_MAX_TOTAL_DEFAULT;
	while ((c = getopt_long(argc, argv, "c:d:jhV", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'H':
			o->helo = optarg;
			break;
		case 'd':
			if (parse_domain(optarg, o) == -1)
				return PTRCHECK_EXIT_USAGE;
			break;
		case 'j':
			o->format = REPORT_JSON;
			break;
		case 'f':
			if (parse_format(optarg, &o->format) == -1)
				return PTRCHECK_EXIT_USAGE;
			break;
		case 'm':
			if (parse_count("--max-addresses", optarg,
			    AUDIT_MAX_ADDRESSES_LIMIT, &o->max_addresses) == -1)
				return PTRCHECK_EXIT_USAGE;
			break;
		case 'T':
			if (parse_count("--max-total", optarg,
			    AUDIT_MAX_TOTAL_LIMIT, &o->max_total) == -1)
				return PTRCHECK_EXIT_USAGE;
			o->max_total_given = true;
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
	/* Silently ignored, it would promise a bound that is not kept. */
	if (o->max_total_given && o->domain == NULL) {
		fprintf(stderr, "ptrcheck: --max-total applies to --domain "
		    "only\n");
		return PTRCHECK_EXIT_USAGE;
	}
	return -1;
}

/* One domain a run: each gets a report (and a textfile) of its own. */
static int
parse_domain(const char *text, struct options *o)
{
	char shown[65];

	(void)safe_text(shown, sizeof(shown), text, SAFE_TEXT_ALL,
	    SAFE_TEXT_REPLY);
	if (o->domain != NULL) {
		fprintf(stderr, "ptrcheck: --domain %s: one domain a run\n",
		    shown);
		return -1;
	}
	if (!domain_name_ok(text)) {
		fprintf(stderr, "ptrcheck: --domain %s: not a domain name\n",
		    shown);
		return -1;
	}
	o->domain = text;
	return 0;
}

static int
parse_format(const char *text, enum report_format *out)
{
	static const char *const names[] = { "text", "json", "prom" };
	char shown[65];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(text, names[i]) == 0) {
			*out = (enum report_format)i;
			return 0;
		}
	}
	(void)safe_text(shown, sizeof(shown), text, SAFE_TEXT_ALL,
	    SAFE_TEXT_REPLY);
	fprintf(stderr, "ptrcheck: --format %s: expected text, json or prom\n",
	    shown);
	return -1;
}

/* Plain decimal digits, 1 to limit. */
static int
parse_count(const char *option, const char *text, unsigned long limit,
    unsigned long *out)
{
	char shown[65];
	unsigned long n = 0;
	const char *p = text;

	for (; *p >= '0' && *p <= '9' && n <= limit; p++)
		n = n * 10 + (unsigned long)(*p - '0');
	if (p != text && *p == '\0' && n >= 1 && n <= limit) {
		*out = n;
		return 0;
	}
	(void)safe_text(shown, sizeof(shown), text, SAFE_TEXT_ALL,
	    SAFE_TEXT_REPLY);
	fprintf(stderr, "ptrcheck: %s %s: expected a number from 1 to %lu\n",
	    option, shown, limit);
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
	if (check_arguments(argc - optind, argv + optind, o.max_addresses) ==
	    -1)
		return PTRCHECK_EXIT_USAGE;
	/* Before the policy: exempt_ptr_domains refuses public suffixes. */
	if (regdom_init() == -1)
		fprintf(stderr, "ptrcheck: no Public Suffix List: "
		    "helo_ptr_same_domain and the generic-name rules take "
		    "the last two labels as the registered domain\n");
	policy = load_policy(o.config, &generic);
	if (policy == NULL) {
		regdom_exit();
		return PTRCHECK_EXIT_CONFIG;
	}
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
	audit_seen_init(&run->seen);
	audit_summary_init(&run->summary);
	audit_outcomes_init(&run->outcomes);
	policy_resolver_config(policy, &rc);
	run->resolver = resolver_create(&rc, err, sizeof(err));
	if (run->resolver == NULL) {
		fprintf(stderr, "ptrcheck: %s\n", err);
		goto done;
	}
	if (o->domain != NULL)
		start_domain(run);
	for (int i = 0; i < argc && run->status != PTRCHECK_EXIT_OSERR; i++)
		if (start_argument(run, argv[i]) == -1)
			break;
	if (argc == 0 && o->domain == NULL)
		read_stdin(run);
	while (run->count > 0)
		finish_oldest(run);
	finish_report(run);
	status = run->status;
done:
	resolver_destroy(run->resolver);
	audit_seen_free(&run->seen);
	audit_outcomes_free(&run->outcomes);
	domain_audit_free(&run->domain);
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
check_arguments(int argc, char **argv, unsigned long max)
{
	char shown[65];
	struct addr a;
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		if (audit_is_prefix(argv[i])) {
			if (check_prefix_argument(argv[i], max) == -1)
				rc = -1;
		} else if (addr_parse(argv[i], &a) == -1) {
			(void)safe_text(shown, sizeof(shown), argv[i],
			    SAFE_TEXT_ALL, SAFE_TEXT_REPLY);
			fprintf(stderr, "ptrcheck: not an IP address: %s\n",
			    shown);
			rc = -1;
		}
	}
	return rc;
}

/* A prefix with host bits set is refused as Postfix's cidr_table refuses
 * it, naming the network it probably meant; a prefix wider than
 * --max-addresses is refused before it costs a query. */
static int
check_prefix_argument(const char *arg, unsigned long max)
{
	char shown[65], net[CIDR_TEXT_MAX];
	struct cidr c, suggest;
	enum audit_prefix_status st;

	st = audit_prefix_parse(arg, max, &c, &suggest);
	if (st == AUDIT_PREFIX_OK || st == AUDIT_PREFIX_IPV6)
		return 0;
	(void)safe_text(shown, sizeof(shown), arg, SAFE_TEXT_ALL,
	    SAFE_TEXT_REPLY);
	if (st == AUDIT_PREFIX_HOST_BITS &&
	    cidr_format(&suggest, net, sizeof(net)) == 0)
		fprintf(stderr, "ptrcheck: %s: host bits set below the prefix "
		    "length; perhaps %s was meant\n", shown, net);
	else if (st == AUDIT_PREFIX_TOO_WIDE)
		fprintf(stderr, "ptrcheck: %s: %lu addresses, more than "
		    "--max-addresses %lu\n", shown, audit_prefix_size(&c),
		    max);
	else
		fprintf(stderr, "ptrcheck: not an IP address or prefix: %s\n",
		    shown);
	return -1;
}

/* The domain's record and MX hosts first, reported before any address
 * (a receiver fails the record before it looks at a PTR); then its
 * networks, judged as prefixes are.  A name that does not exist is said
 * on standard error too, for a cron job's mail. */
static void
start_domain(struct run *run)
{
	const struct options *o = run->options;
	struct domain_audit *d = &run->domain;
	struct timespec deadline = monotime_add_ms(monotime_now(),
	    run->policy->dns_timeout_ms);

	if (domain_audit_collect(run->resolver, o->domain, deadline, o->helo,
	    o->max_addresses, o->max_total, d) == -1) {
		fprintf(stderr, "ptrcheck: out of memory\n");
		set_status(run, PTRCHECK_EXIT_OSERR);
		return;
	}
	if (o->format == REPORT_TEXT)
		domain_report_text(stdout, d);
	else if (o->format == REPORT_JSON)
		domain_report_json(stdout, d);
	flush_output();
	if (d->nxdomain)
		fprintf(stderr, "ptrcheck: %s: no such domain (NXDOMAIN)\n",
		    d->domain);
	/* For a cron job's mail: the report says it, but far above. */
	if (domain_audit_capped(d))
		fprintf(stderr, "ptrcheck: %s: its networks hold %lu "
		    "addresses; only the first %lu are judged (--max-total)\n",
		    d->domain, d->named, d->judged);
	set_status(run, domain_audit_status(d,
	    o->fail_on.kind == PTRCHECK_FAIL_NEVER));
	for (size_t i = 0; i < d->nnetworks; i++) {
		const struct domain_network *n = &d->networks[i];

		/* Past --max-total: told in the record's section. */
		if (n->judged == 0 &&
		    domain_network_checked(&n->net, d->max_addresses) > 0)
			continue;
		if (start_network(run, &n->source, &n->net, n->helo,
		    n->judged) == -1)
			return;
	}
}

/* One argument, checked before: an address, or a prefix expanded. */
static int
start_argument(struct run *run, const char *arg)
{
	struct audit_target t;
	struct cidr c;

	if (audit_is_prefix(arg)) {
		(void)audit_prefix_parse(arg, run->options->max_addresses, &c,
		    NULL);
		return start_prefix(run, &c, 0, run->options->helo);
	}
	memset(&t, 0, sizeof(t));
	(void)addr_parse(arg, &t.addr);
	t.helo = run->options->helo;
	t.source.kind = AUDIT_SOURCE_ARGUMENT;
	return start_check(run, &t);
}

/* A prefix of an argument or a line (line 0: an argument), parsed and
 * bounded before. */
static int
start_prefix(struct run *run, const struct cidr *prefix, unsigned long line,
    const char *helo)
{
	struct audit_source source;

	memset(&source, 0, sizeof(source));
	source.kind = AUDIT_SOURCE_PREFIX;
	source.line = line;
	source.prefix = *prefix;
	source.count = audit_prefix_size(prefix);
	return start_network(run, &source, prefix, helo, ULONG_MAX);
}

/* The first limit addresses of a network, in order, each listed under
 * source: an IPv4 prefix within --max-addresses, a /32 or a /128; a
 * wider IPv4 prefix (which arguments and lines refuse before) or any
 * other IPv6 network is noted, not enumerated.  The door for every
 * source that yields networks (an SPF ip4:, ip6:, a or mx term). */
static int
start_network(struct run *run, const struct audit_source *source,
    const struct cidr *net, const char *helo, unsigned long limit)
{
	struct audit_target t;
	unsigned long n = audit_prefix_size(net);

	if ((net->net.family == AF_INET6 && net->prefix != 128) ||
	    n > run->options->max_addresses) {
		note_network(run, source, net);
		return 0;
	}
	memset(&t, 0, sizeof(t));
	t.helo = helo;
	t.source = *source;
	if (n > limit)
		n = limit;
	for (unsigned long i = 0; i < n; i++) {
		audit_prefix_address(net, i, &t.addr);
		if (start_check(run, &t) == -1)
			return -1;
	}
	return 0;
}

/* A network not enumerated takes its place in the output, saying that
 * nothing in it was checked. */
static void
note_network(struct run *run, const struct audit_source *source,
    const struct cidr *net)
{
	struct check *c = next_slot(run);

	c->kind = CHECK_NOTE;
	c->target.source = *source;
	c->target.source.prefix = *net;
	c->target.position = ++run->position;
	run->summary.not_enumerated++;
	run->count++;
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

/* An address whose HELO is the run's own (none, or --helo), or one of a
 * domain's, is judged once: listed again, it waits for the first
 * outcome.  A domain's address named by two hosts is judged with the
 * first one's name. */
static int
start_check(struct run *run, const struct audit_target *t)
{
	struct check *c = next_slot(run);
	const char *helo = t->helo;
	const struct addr *a = &t->addr;

	c->target = *t;
	c->target.position = ++run->position;
	if (helo == run->options->helo || t->source.kind == AUDIT_SOURCE_SPF ||
	    t->source.kind == AUDIT_SOURCE_MX) {
		switch (audit_seen_claim(&run->seen, a)) {
		case 0:
			c->kind = CHECK_DUPLICATE;
			run->count++;
			return 0;
		case 1:
			c->keep = true;
			break;
		default:
			break;
		}
	}
	if (helo != NULL && (c->helo = strdup(helo)) == NULL)
		goto oom;
	c->target.helo = c->helo;
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

	c->kind = CHECK_MALFORMED;
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
	struct audit_outcome o;
	struct provider_hint h;
	char source[AUDIT_SOURCE_TEXT_MAX];

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
	r.source = audit_source_format(&c->target.source, source,
	    sizeof(source));
	if (run->options->format == REPORT_JSON)
		report_json(stdout, &r);
	else if (run->options->format == REPORT_TEXT)
		report_text(stdout, &r);
	set_status(run, ptrcheck_outcome(&run->options->fail_on,
	    a.fcrdns->iprev, &v));

	memset(&o, 0, sizeof(o));
	o.addr = a.fcrdns->client;
	o.source = c->target.source;
	o.iprev = a.fcrdns->iprev;
	o.dnssec = a.fcrdns->dnssec;
	o.tags = v.tags;
	o.score = v.score;
	o.action = v.action;
	o.enforced = v.enforced;
	provider_hint_find(run->generic, &o.addr, findings.tags | v.tags,
	    findings.reason[TAG_PTR_GENERIC], &h);
	keep_outcome(run, c, &o, &h);
}

/* What the summary, a later listing of the address and the textfile
 * need of it. */
static void
keep_outcome(struct run *run, const struct check *c,
    const struct audit_outcome *o, const struct provider_hint *h)
{
	struct audit_outcome *kept;

	run->summary.listed++;
	audit_summary_add(&run->summary, o, h);
	if (c->keep && (kept = audit_seen_find(&run->seen, &o->addr)) != NULL)
		*kept = *o;
	if (run->options->format == REPORT_PROM &&
	    audit_outcomes_add(&run->outcomes, o) == -1) {
		if (run->status != PTRCHECK_EXIT_OSERR)
			fprintf(stderr, "ptrcheck: out of memory: the textfile "
			    "misses addresses\n");
		set_status(run, PTRCHECK_EXIT_OSERR);
	}
}

/* A heading when a group of addresses begins: "prefix 198.51.100.16/28
 * (16 addresses)". */
static void
put_heading(struct run *run, const struct check *c)
{
	const struct audit_source *s = &c->target.source;

	if (c->kind == CHECK_MALFORMED || c->kind == CHECK_NOTE ||
	    run->options->format != REPORT_TEXT ||
	    (run->headed && audit_source_same(&run->heading, s)))
		return;
	/* Addresses given one by one after a group are not of it. */
	if (audit_source_grouped(s))
		report_heading(stdout, s);
	else if (run->headed && audit_source_grouped(&run->heading))
		fputs("\naddresses listed one by one\n", stdout);
	run->heading = *s;
	run->headed = true;
}

/* Whatever is not a fresh judgement: a malformed line, an IPv6 prefix,
 * an address judged before.  A textfile holds none of them: they go to
 * standard error there. */
static void
report_other(struct run *run, const struct check *c)
{
	enum report_format f = run->options->format;
	FILE *out = f == REPORT_PROM ? stderr : stdout;
	const struct audit_outcome *first;

	if (c->kind == CHECK_MALFORMED && f == REPORT_JSON)
		input_error_json(out, &c->error);
	else if (c->kind == CHECK_MALFORMED)
		input_error_text(out, &c->error);
	else if (c->kind == CHECK_NOTE)
		report_note(out, &c->target.source, f == REPORT_JSON);
	else if (f != REPORT_PROM) {
		run->summary.listed++;
		first = audit_seen_find(&run->seen, &c->target.addr);
		if (first != NULL)
			report_duplicate(out, &c->target, first,
			    f == REPORT_JSON);
	}
}

static void
finish_oldest(struct run *run)
{
	struct check *c = &run->ring[run->head];

	put_heading(run, c);
	if (c->kind == CHECK_JOB)
		assess_and_report(run, c);
	else
		report_other(run, c);
	flush_output();
	helo_lookup_free(c->helo_job);
	fcrdns_free(c->job);
	free(c->helo);
	run->head = (run->head + 1) % WINDOW;
	run->count--;
}

/* The summary of a report over more than one address, or the
 * textfile. */
static void
finish_report(struct run *run)
{
	struct audit_summary *s = &run->summary;
	struct timespec now;

	s->malformed = run->malformed;
	s->not_judged = run->domain.named - run->domain.judged;
	if (run->options->format == REPORT_PROM) {
		(void)clock_gettime(CLOCK_REALTIME, &now);
		audit_prom_write(stdout, &run->outcomes, s,
		    (double)now.tv_sec + (double)now.tv_nsec / 1e9);
		if (run->options->domain != NULL)
			domain_report_prom(stdout, &run->domain);
	} else if (s->listed > 1 || s->not_enumerated > 0 ||
	    run->options->domain != NULL) {
		if (run->options->format == REPORT_JSON)
			audit_summary_json(stdout, s);
		else
			audit_summary_text(stdout, s);
	}
	flush_output();
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
		case INPUT_PREFIX:
			if (read_prefix_line(run, &f) == -1)
				return;
			break;
		case INPUT_ADDRESS:
			if (start_check(run, &(struct audit_target){
			    .addr = f.addr, .helo = f.helo != NULL ? f.helo :
			    run->options->helo, .source = {
			    .kind = AUDIT_SOURCE_STDIN,
			    .line = run->line.number } }) == -1)
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

/* A prefix line: expanded as an argument is, but a bad one costs only
 * its line. */
static int
read_prefix_line(struct run *run, const struct input_fields *f)
{
	struct cidr c;
	enum audit_prefix_status st;

	st = audit_prefix_parse(f->prefix, run->options->max_addresses, &c,
	    NULL);
	switch (st) {
	case AUDIT_PREFIX_OK:
	case AUDIT_PREFIX_IPV6:
		return start_prefix(run, &c, run->line.number,
		    f->helo != NULL ? f->helo : run->options->helo);
	case AUDIT_PREFIX_INVALID:
	case AUDIT_PREFIX_HOST_BITS:
	case AUDIT_PREFIX_TOO_WIDE:
		note_malformed(run, audit_prefix_error(st));
		break;
	}
	return 0;
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
