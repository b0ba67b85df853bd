/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_load_opts.c - the command line of bench/milter_load: the usage,
 * the options with their bounds and defaults, and the SMTP clients given
 * with -c FILE and -a IP[,HELO].  A bad option is fatal at once with a
 * message and exit status 2; nothing else here has side effects.
 */

#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter_load.h"

static void	usage(FILE *fp);
static double	num(const char *opt, const char *arg, double min,
		    double max);

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: milter_load -s SOCKET [-C N | -r RATE] [-n SESSIONS] [-d SECONDS]\n"
"           [-c FILE | -a IP[,HELO]...] [--rcpt N] [--warmup SECONDS]\n"
"           [--hold MS] [--hold-at mail|eom] [--timeout SECONDS]\n"
"           [--max-inflight N] [--deadline-ms MS] [--json] [-q] [-v]\n"
"\n"
"Plays the MTA (milter protocol 6, as Postfix) against a milter and\n"
"reports sessions per second and per-step latency.\n"
"\n"
"  -s SOCKET         unix:/path, local:/path, inet:PORT@HOST, inet6:PORT@HOST\n"
"  -C N              closed loop: N sessions at a time (default 1)\n"
"  -r RATE           open loop: RATE new sessions per second, evenly spaced\n"
"  -n SESSIONS       sessions to count (default 10000 if no -d)\n"
"  -d SECONDS        run length; with -n, whichever comes first\n"
"  -c FILE           clients, one 'IP [HELO]' a line (# comments)\n"
"  -a IP[,HELO]      a client (repeatable; default 192.0.2.1)\n"
"  --rcpt N          recipients per message (default 1, at most 100)\n"
"  --warmup SECONDS  sessions started in the first SECONDS are not counted\n"
"  --hold MS         keep each session open MS ms at the hold point\n"
"  --hold-at WHERE   mail (after the MAIL reply) or eom (default)\n"
"  --timeout SECONDS per reply (default 30)\n"
"  --max-inflight N  open loop: arrivals beyond N open sessions are\n"
"                    dropped (default 20000)\n"
"  --deadline-ms MS  report the share of sessions with a verdict within MS\n"
"  --quickack        TCP: ACK at once (works around libmilter's Nagle\n"
"                    delay at end of message; Postfix does not do this)\n"
"  --json            print only the JSON line\n"
"  -q                no table, just the JSON line\n"
"  -v                report every error on stderr, not just the first\n"
"\n"
"Exit status: 0 no errors, 1 some sessions failed, 2 usage or setup error.\n");
}

/* A number option within bounds; exits 2 otherwise. */
static double
num(const char *opt, const char *arg, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(v >= min) ||
	    !(v <= max)) {
		fprintf(stderr, "milter_load: %s: '%s' is not a number from "
		    "%g to %g\n", opt, arg, min, max);
		exit(2);
	}
	return v;
}

int
ml_opts_parse(int argc, char **argv, struct ml_clients *cl)
{
	enum { O_WARMUP = 256, O_HOLD, O_HOLD_AT, O_RCPT, O_TIMEOUT,
	    O_MAXIN, O_DEADLINE, O_JSON, O_QUICKACK };
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "concurrency", required_argument, NULL, 'C' },
		{ "rate", required_argument, NULL, 'r' },
		{ "sessions", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "clients", required_argument, NULL, 'c' },
		{ "client", required_argument, NULL, 'a' },
		{ "warmup", required_argument, NULL, O_WARMUP },
		{ "hold", required_argument, NULL, O_HOLD },
		{ "hold-at", required_argument, NULL, O_HOLD_AT },
		{ "rcpt", required_argument, NULL, O_RCPT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "max-inflight", required_argument, NULL, O_MAXIN },
		{ "deadline-ms", required_argument, NULL, O_DEADLINE },
		{ "json", no_argument, NULL, O_JSON },
		{ "quickack", no_argument, NULL, O_QUICKACK },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char err[128];
	int ch, quiet = 0, have_c = 0;

	ml_g.concurrency = 1;
	ml_g.max_inflight = 20000;
	ml_g.nrcpt = 1;
	ml_g.timeout = 30;
	while ((ch = getopt_long(argc, argv, "s:C:r:n:d:c:a:qvh", lo,
	    NULL)) != -1) {
		switch (ch) {
		case 's': ml_g.spec = optarg; break;
		case 'C':
			ml_g.concurrency = (unsigned)num("-C", optarg, 1,
			    1000000);
			have_c = 1;
			break;
		case 'r': ml_g.rate = num("-r", optarg, 0.001, 10000000); break;
		case 'n':
			ml_g.nsessions = (uint64_t)num("-n", optarg, 1, 1e15);
			break;
		case 'd': ml_g.duration = num("-d", optarg, 0.001, 1e7); break;
		case 'c':
			if (ml_clients_load(cl, optarg) == -1)
				exit(2);
			break;
		case 'a':
			if (ml_clients_add(cl, optarg, ',', err,
			    sizeof(err)) == -1) {
				fprintf(stderr, "milter_load: -a %s: %s\n",
				    optarg, err);
				exit(2);
			}
			break;
		case O_WARMUP:
			ml_g.warmup = num("--warmup", optarg, 0, 1e6);
			break;
		case O_HOLD:
			ml_g.hold_ns = (int64_t)(num("--hold", optarg, 0, 1e9) *
			    1e6);
			break;
		case O_HOLD_AT:
			if (strcmp(optarg, "mail") == 0)
				ml_g.hold_at_mail = 1;
			else if (strcmp(optarg, "eom") == 0)
				ml_g.hold_at_mail = 0;
			else {
				fprintf(stderr, "milter_load: --hold-at: "
				    "mail or eom, not '%s'\n", optarg);
				exit(2);
			}
			break;
		case O_RCPT:
			ml_g.nrcpt = (unsigned)num("--rcpt", optarg, 1, 100);
			break;
		case O_TIMEOUT:
			ml_g.timeout = num("--timeout", optarg, 0.001, 1e6);
			break;
		case O_MAXIN:
			ml_g.max_inflight = (unsigned)num("--max-inflight",
			    optarg, 1, 1000000);
			break;
		case O_DEADLINE:
			ml_g.rep.deadline_ms = num("--deadline-ms", optarg, 0,
			    1e9);
			ml_g.rep.have_deadline = 1;
			break;
		case O_JSON: quiet = 2; break;
		case O_QUICKACK: ml_g.quickack = 1; break;
		case 'q': if (quiet == 0) quiet = 1; break;
		case 'v': ml_g.verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc && ml_g.spec == NULL)
		ml_g.spec = argv[optind++];
	if (optind < argc || ml_g.spec == NULL) {
		usage(stderr);
		exit(2);
	}
	if (have_c && ml_g.rate > 0) {
		fprintf(stderr, "milter_load: -C and -r exclude each other\n");
		exit(2);
	}
	if (ml_g.nsessions == 0 && ml_g.duration == 0)
		ml_g.nsessions = 10000;
	ml_g.timeout_ns = (int64_t)(ml_g.timeout * ML_NS);
	return quiet;
}
