/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c - the ptrmilter daemon: options, policy, socket, user, signals,
 * resolver, and libmilter's main loop.
 *
 * Order matters.  Signals are blocked first thing: a SIGUSR1 sent while
 * the daemon starts ("systemctl start; systemctl reload") must not kill
 * it by its default action, and every thread started later (the
 * resolver's, libmilter's, the metrics server's) inherits the mask, so
 * only the threads that sigwait() ever see a signal, and one sent during
 * start-up waits for them.  The milter socket is opened and the metrics
 * socket bound while still privileged, then the user is switched, then
 * the daemon goes into the background; the resolver and the metrics
 * server are started after that, because threads do not survive fork().
 * SIGUSR1 re-reads the policy (libmilter's own signal thread turns
 * SIGHUP, SIGINT and SIGTERM into a stop).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "daemon.h"
#include "daemon_tune.h"
#include "dns_grace.h"
#include "fcrdns_cache.h"
#include "helo_cache.h"
#include "generic_db.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "milter.h"
#include "policy.h"
#include "regdom.h"
#include "resolver.h"
#include "session.h"
#include "snapshot.h"
#include "state_store.h"

/* Client IPs remembered for tempfail_limit. */
#define GRACE_CAPACITY 16384
/* Clients whose FCrDNS result is kept for reuse (some 400 bytes each). */
#define FCRDNS_CACHE_CLIENTS 32768
/* HELO names whose A and AAAA are kept (some 600 bytes each). */
#define HELO_CACHE_NAMES 8192

struct options {
	const char *config;
	bool explicit_config;
	bool foreground;
	bool journal;			/* -j: sd-daemon prefixes on stderr */
	bool check_only;
	bool verbose;
};

static atomic_bool stopping;
/* The policy the daemon started with: what the keys that need a restart
 * are still set to, however many reloads came since. */
static struct snapshot *started;
static struct options opt;
/* The unix socket we created, removed again at exit. */
static char socket_path[4096];

static void usage(FILE *out);
static int parse_options(int argc, char **argv, struct options *o);
static void report_error(void *arg, const char *message);
static struct policy *load_policy(void);
/* Set first thing in main(), before any switch of user. */
static uid_t start_euid;
static struct generic_db *load_generic(const struct policy *p, bool *ok);
static void generic_refused(void);
static int open_socket(const struct policy *p);
static void *signal_thread(void *arg);
static void reload(void);
static void warn_restart_keys(const struct policy *old,
    const struct policy *new);
static const char *mode_note(const struct policy *p, char *buf,
    size_t size);
static void state_report(void *arg, bool up, const char *message);
static struct state_store *open_state(const struct policy *p);
static void block_signals(sigset_t *set);
static bool stop_pending(void);
static void startup_failed(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: ptrmilter [-c FILE] [-f] [-j] [-n] [-v] [-V]\n"
	    "  -c FILE  policy file (default %s)\n"
	    "  -f       stay in the foreground, log to stderr\n"
	    "  -j       prefix stderr lines with <priority> for the journal\n"
	    "  -n       check the policy file, print the effective settings, "
	    "exit\n"
	    "  -v       log debug messages too\n"
	    "  -V       print the version and exit\n", POLICY_DEFAULT_PATH);
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	int c;

	o->config = POLICY_DEFAULT_PATH;
	while ((c = getopt(argc, argv, "c:fjnvVh")) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			o->explicit_config = true;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'j':
			o->journal = true;
			break;
		case 'n':
			o->check_only = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'V':
			printf("ptrmilter %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(EX_USAGE);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(EX_USAGE);
	}
	return 0;
}

static void
report_error(void *arg, const char *message)
{
	(void)arg;
	log_err("%s", message);
}

/* Without -c a missing default file is fine: every key has a default.  A
 * file that group or others may write, or that belongs to a user other
 * than root and the one we run as, is refused like a broken one, at
 * start, with -n and on reload: whoever can write it can switch the filter
 * off, or (started as root) keep it root.  Its other errors, if any, are
 * reported too. */
static struct policy *
load_policy(void)
{
	struct policy *p;
	unsigned mode;
	long owner;

	p = policy_load_trusting(opt.config, !opt.explicit_config,
	    report_error, NULL, (long)start_euid, &mode, &owner);
	if (policy_mode_unsafe(mode)) {
		log_err("%s: writable by group or others (mode %04o): refused; "
		    "chmod go-w %s", opt.config, mode, opt.config);
		policy_free(p);
		return NULL;
	}
	/* The user the daemon was started as, not the one it runs as after
	 * the switch: a reload must refuse what the next start would. */
	if (policy_owner_unsafe(owner, (long)start_euid)) {
		log_err("%s: owned by user %ld, neither root nor the user "
		    "ptrmilter was started as: refused; chown root %s",
		    opt.config, owner, opt.config);
		policy_free(p);
		return NULL;
	}
	return p;
}

/* The shipped provider data and the operator's patterns, if any.  *ok is
 * false after errors (all reported); a NULL db with *ok true means the
 * policy asks for built-in rules only. */
static struct generic_db *
load_generic(const struct policy *p, bool *ok)
{
	struct generic_db *db;
	size_t patterns, senders, networks;
	bool no_default;

	db = generic_db_for_policy(p, report_error, NULL, ok, &no_default);
	if (no_default)
		log_warning("%s is not installed: generic-name detection uses "
		    "the built-in rules only", GENERIC_DB_DEFAULT_PATH);
	if (db == NULL)
		return NULL;
	generic_db_counts(db, &patterns, &senders, &networks);
	log_info("generic-name data %s: %zu patterns, %zu sender domains, "
	    "%zu networks", generic_db_version(db), patterns, senders,
	    networks);
	return db;
}

static void
generic_refused(void)
{
	log_err("%s: the generic-name data has errors: not starting; fix "
	    "generic_data or generic_patterns (the shipped data is %s), or set "
	    "them to none", opt.config, PTRMILTER_DATADIR "/generic-providers");
}

static void
startup_failed(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("%s", msg);
	daemon_ready(msg);
	exit(1);
}

static int
open_socket(const struct policy *p)
{
	const char *path = daemon_unix_path(p->socket);
	char err[512];
	mode_t old_mask = 0;

	if (path != NULL && daemon_clear_stale_socket(path, err,
	    sizeof(err)) == -1) {
		log_err("%s", err);
		return -1;
	}
	if (daemon_socket_preflight(p->socket, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return -1;
	}
	if (smfi_setconn(p->socket) != MI_SUCCESS) {
		log_err("socket %s: libmilter refused the specification",
		    p->socket);
		return -1;
	}
	/* Born with the final mode: no window in which anyone may connect. */
	if (path != NULL)
		old_mask = umask(~(mode_t)p->socket_mode & 0777);
	int rc = smfi_opensocket(false);
	if (path != NULL)
		umask(old_mask);
	if (rc != MI_SUCCESS) {
		log_err("cannot listen on %s: %s", p->socket,
		    errno != 0 ? strerror(errno) : "libmilter refused");
		return -1;
	}
	if (path == NULL)
		return 0;
	snprintf(socket_path, sizeof(socket_path), "%s", path);
	if (daemon_socket_access(path, p->socket_mode,
	    getuid() == 0 ? p->user : NULL, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return -1;
	}
	return 0;
}

/* What the start and reload lines say of mode.  A dry run refuses
 * nothing, and the shipped file starts with one: the log says so every
 * time, with the way out, so that nobody believes a dry run enforces. */
static const char *
mode_note(const struct policy *p, char *buf, size_t size)
{
	if (p->mode != POLICY_MODE_DRY_RUN)
		return "mode=enforce";
	(void)snprintf(buf, size, "mode=dry-run: no mail is refused; set "
	    "mode = enforce in %s and reload to refuse", opt.config);
	return buf;
}

static void
block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* A stop (SIGTERM, SIGINT, SIGHUP) sent while the daemon started, still
 * waiting: libmilter would act on it as its listener starts, racing it,
 * and smfi_main() then returns a failure about half the time. */
static bool
stop_pending(void)
{
	sigset_t pending;

	if (sigpending(&pending) == -1)
		return false;
	return sigismember(&pending, SIGTERM) == 1 ||
	    sigismember(&pending, SIGINT) == 1 ||
	    sigismember(&pending, SIGHUP) == 1;
}

static void
warn_restart_keys(const struct policy *old, const struct policy *new)
{
	struct {
		const char *key;
		const char *a, *b;
	} keys[] = {
		{ "socket", old->socket, new->socket },
		{ "user", old->user, new->user },
		{ "unbound_config", old->unbound_config, new->unbound_config },
		{ "trust_anchor_file", old->trust_anchor_file,
		    new->trust_anchor_file },
		{ "forwarders", old->forwarders, new->forwarders },
		{ "metrics_listen", old->metrics_listen,
		    new->metrics_listen },
		{ "state_store", old->state_store, new->state_store },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *a = keys[i].a != NULL ? keys[i].a : "";
		const char *b = keys[i].b != NULL ? keys[i].b : "";

		if (strcmp(a, b) != 0)
			log_warning("reload: %s changed; it takes effect at "
			    "the next restart", keys[i].key);
	}
	if (old->resolv_conf != new->resolv_conf)
		log_warning("reload: resolv_conf changed; it takes effect at "
		    "the next restart");
	if (old->socket_mode != new->socket_mode)
		log_warning("reload: socket_mode changed; it takes effect at "
		    "the next restart");
	if (old->state_timeout_ms != new->state_timeout_ms)
		log_warning("reload: state_timeout changed; it takes effect at "
		    "the next restart");
}

/* The store's changes of state, one line each (state_store.h). */
static void
state_report(void *arg, bool up, const char *message)
{
	(void)arg;
	metrics_set_state_store(up);
	if (up)
		log_info("%s", message);
	else
		log_warning("%s", message);
}

/* The store the policy names, opened after fork() (LMDB's environment
 * must not cross it) and as the user the daemon runs as (who must own
 * its files).  A store that cannot open now is down, not fatal: the
 * daemon fails open and retries it. */
static struct state_store *
open_state(const struct policy *p)
{
	struct state_spec spec;
	struct state_store *st;
	struct passwd *pw;
	char err[256];

	if (state_spec_parse(p->state_store, &spec, err, sizeof(err)) != 0)
		startup_failed("state_store: %s", err);
	st = state_store_open(&spec, p->state_timeout_ms, state_report, NULL);
	if (st == NULL)
		startup_failed("out of memory");
	if (state_store_up(st)) {
		metrics_set_state_store(true);
		log_info("state in %s (%s), calls bounded by %u ms",
		    state_store_name(st), state_store_kind(st),
		    p->state_timeout_ms);
		return st;
	}
	/* The reason (the path, the errno) is in the store's one "down"
	 * line just logged; what it cannot know is who tried: a directory
	 * of root's, say, and a daemon that runs as "user". */
	pw = getpwuid(geteuid());
	log_info("state in %s (%s), calls bounded by %u ms; down for now, "
	    "opened as user %s (uid %lu): tried again after %u s, doubling "
	    "up to %u s", state_store_name(st), state_store_kind(st),
	    p->state_timeout_ms, pw != NULL ? pw->pw_name : "?",
	    (unsigned long)geteuid(), STATE_BACKOFF_FIRST_MS / 1000,
	    STATE_BACKOFF_MAX_MS / 1000);
	return st;
}

/* The resolver and its cache are kept: only the policy is re-read. */
static void
reload(void)
{
	struct policy *p = load_policy();
	struct generic_db *g;
	struct snapshot *old;
	char note[512];
	enum policy_log_facility facility;
	bool ok;

	if (p == NULL) {
		log_err("reload: %s has errors; keeping the policy in force",
		    opt.config);
		metrics_count_reload(false);
		return;
	}
	g = load_generic(p, &ok);
	if (!ok) {
		log_err("reload: the generic-name data has errors; keeping the "
		    "policy and data in force");
		policy_free(p);
		metrics_count_reload(false);
		return;
	}
	old = snapshot_current();
	if (old != NULL) {
		warn_restart_keys(started->policy, p);
		log_info("reload: %s read; %s; %s", opt.config,
		    policy_equal(old->policy, p) ? "policy unchanged" :
		    "new policy in force", mode_note(p, note, sizeof(note)));
		snapshot_release(old);
	}
	facility = p->log_facility;	/* p is the snapshot's once installed */
	if (snapshot_install(p, g) == -1) {
		log_err("reload: out of memory; keeping the policy in force");
		metrics_count_reload(false);
		return;
	}
	log_set_facility(facility);
	metrics_count_reload(true);
}

static void *
signal_thread(void *arg)
{
	const sigset_t *set = arg;
	sigset_t mine;
	int sig;

	(void)set;
	sigemptyset(&mine);
	sigaddset(&mine, SIGUSR1);
	for (;;) {
		if (sigwait(&mine, &sig) != 0)
			continue;
		if (atomic_load(&stopping))
			break;
		reload();
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct session_shared shared;
	struct resolver_config rc;
	struct policy *policy;
	struct generic_db *generic = NULL;
	bool generic_ok;
	struct resolver *resolver;
	struct dns_grace *grace;
	struct state_store *state;
	struct metrics_http *metrics = NULL;
	int metrics_fd = -1;
	pthread_t sig_tid;
	sigset_t blocked;
	char hostname[256];
	char err[512];
	long fd_limit;
	unsigned handed;
	int status = 1;

	block_signals(&blocked);
	start_euid = geteuid();
	parse_options(argc, argv, &opt);
	log_open("ptrmilter", true, opt.verbose);
	/* The check systemd.exec(5) documents for $JOURNAL_STREAM: the
	 * variable alone may be inherited by a process whose stderr goes
	 * elsewhere. */
	log_journal_prefix(opt.journal ||
	    log_stream_is_journal(getenv("JOURNAL_STREAM"), STDERR_FILENO));
	metrics_mark_start();
	/* Before the policy: exempt_ptr_domains refuses public suffixes. */
	if (regdom_init() == -1)
		log_warning("no Public Suffix List: helo_ptr_same_domain and "
		    "the generic-name rules take the last two labels as the "
		    "registered domain, exempt_ptr_domains refuses single "
		    "labels only");
	policy = load_policy();
	if (policy == NULL) {
		log_err("%s: not starting", opt.config);
		regdom_exit();
		return EX_CONFIG;
	}
	log_set_facility(policy->log_facility);
	if (opt.check_only) {
		generic = load_generic(policy, &generic_ok);
		if (generic_ok)
			policy_dump(policy, stdout);
		else
			generic_refused();
		policy_free(policy);
		generic_db_free(generic);
		regdom_exit();
		return generic_ok ? 0 : EX_CONFIG;
	}
	if (gethostname(hostname, sizeof(hostname)) == -1)
		snprintf(hostname, sizeof(hostname), "localhost");
	hostname[sizeof(hostname) - 1] = '\0';

	memset(&shared, 0, sizeof(shared));
	shared.hostname = hostname;
	if (milter_register(&shared) == -1) {
		log_err("libmilter refused to register the filter");
		goto fail;
	}
	fd_limit = daemon_raise_fd_limit();
	if (fd_limit != -1 && fd_limit < 4096)
		log_warning("descriptor limit %ld: fewer SMTP sessions than that "
		    "can be filtered at once (raise LimitNOFILE)", fd_limit);
	if (open_socket(policy) == -1)
		goto fail;
	if (daemon_tcp_nodelay() > 0)
		log_debug("TCP_NODELAY set on %s", policy->socket);
	/* Bound now, as the milter socket is: still privileged (a port below
	 * 1024 works) and still in the foreground (a port in use is said on
	 * the terminal and the start fails).  It is served from after fork():
	 * threads do not survive it. */
	if (policy->metrics_listen != NULL) {
		metrics_fd = metrics_http_listen(policy->metrics_listen, err,
		    sizeof(err));
		if (metrics_fd == -1) {
			log_err("%s", err);
			if (socket_path[0] != '\0')
				(void)unlink(socket_path);
			goto fail;
		}
	}
	if (policy->user != NULL && getuid() == 0 &&
	    daemon_drop_privileges(policy->user, err, sizeof(err)) == -1) {
		log_err("%s", err);
		goto fail;
	}
	if (policy->user != NULL && getuid() != 0 &&
	    daemon_drop_privileges(policy->user, err, sizeof(err)) == -1)
		log_warning("not started as root: staying user %ld (%s)",
		    (long)getuid(), err);
	/* Read once the user is switched, with the rights every reload has:
	 * a file the policy names may sit where that user can swap it for a
	 * link to one only root may read (its lines would reach the log in
	 * the error messages), and one only root may read would fail every
	 * reload. */
	generic = load_generic(policy, &generic_ok);
	if (!generic_ok) {
		generic_refused();
		if (socket_path[0] != '\0')
			(void)unlink(socket_path);
		status = EX_CONFIG;
		goto fail;
	}
	if (!opt.foreground) {
		if (daemon_background(err, sizeof(err)) == -1) {
			log_err("%s", err);
			goto fail;
		}
		log_to_stderr(false);
	}

	if (daemon_thread_stack(DAEMON_THREAD_STACK) == -1)
		log_warning("cannot set the stack size of new threads");
	policy_resolver_config(policy, &rc);
	rc.breaker = true;
	resolver = resolver_create(&rc, err, sizeof(err));
	if (resolver == NULL)
		startup_failed("cannot start the resolver: %s", err);
	grace = dns_grace_create(GRACE_CAPACITY);
	if (grace == NULL)
		startup_failed("out of memory");
	state = open_state(policy);
	shared.resolver = resolver;
	shared.grace = grace;
	shared.state = state;
	shared.fcrdns_cache = fcrdns_cache_create(FCRDNS_CACHE_CLIENTS);
	shared.helo_cache = helo_cache_create(HELO_CACHE_NAMES);
	if (shared.fcrdns_cache == NULL || shared.helo_cache == NULL)
		startup_failed("out of memory");
	if (metrics_fd != -1) {
		metrics = metrics_http_start(metrics_fd, err, sizeof(err));
		if (metrics == NULL)
			startup_failed("%s", err);
		log_info("metrics served at http://%s/metrics",
		    policy->metrics_listen);
	}
	log_info("ptrmilter %s listening on %s; %s", PACKAGE_VERSION,
	    policy->socket, mode_note(policy, err, sizeof(err)));
	if (snapshot_install(policy, generic) == -1)
		startup_failed("out of memory");
	started = snapshot_current();
	if (pthread_create(&sig_tid, NULL, signal_thread, &blocked) != 0)
		startup_failed("cannot start the signal thread");
	handed = daemon_ready(NULL);
	if ((handed & DAEMON_HANDED_RELOAD) != 0)
		(void)kill(getpid(), SIGUSR1);	/* for the signal thread */
	if ((handed & DAEMON_HANDED_STOP) != 0 || stop_pending())
		status = 0;	/* stopped before serving anyone */
	else
		status = smfi_main() == MI_SUCCESS ? 0 : 1;
	log_info("ptrmilter stopping");
	metrics_http_stop(metrics);
	/* Removed now, while nobody can connect any more; it may fail once
	 * the user is switched, and then the next start finds it stale. */
	if (socket_path[0] != '\0')
		(void)unlink(socket_path);

	atomic_store(&stopping, true);
	pthread_kill(sig_tid, SIGUSR1);
	pthread_join(sig_tid, NULL);
	/* A session still open holds queries and the tempfail_limit table:
	 * give them a moment, and if they stay, let exit() clean up. */
	for (int i = 0; i < 100 && session_live() > 0; i++)
		usleep(50 * 1000);
	if (session_live() > 0) {
		log_warning("%lu connection(s) still open at exit",
		    session_live());
		return status;
	}
	resolver_destroy(resolver);
	dns_grace_destroy(grace);
	state_store_close(state);
	ttl_cache_free(shared.fcrdns_cache);
	ttl_cache_free(shared.helo_cache);
	snapshot_release(started);
	snapshot_clear();
	regdom_exit();
	return status;

fail:
	/* Nothing else is running yet: what main() holds is all there is. */
	policy_free(policy);
	generic_db_free(generic);
	regdom_exit();
	return status;
}
