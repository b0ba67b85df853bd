/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.h - /etc/ptrmilter.conf: the parser and the policy it yields.
 *
 * Pure code.  One table of keys {name, type, default, min, max, doc} drives
 * the parser, the effective-settings dump (ptrmilter -n) and the man-page
 * check.  Every key has a built-in default, so a missing file is no error
 * when the caller allows it.  Every error is reported as "FILE:LINE:
 * message" through the caller's reporter, all of them in one pass; the
 * load then fails as a whole, so a broken file never yields half a policy.
 */
#ifndef PTRMILTER_POLICY_H
#define PTRMILTER_POLICY_H

#include <stdbool.h>
#include <stdio.h>

#include "addr.h"
#include "allow_list.h"
#include "resolver_config.h"
#include "tags.h"

/* The policy file read without -c: $(sysconfdir)/ptrmilter.conf, where
 * make install puts the example (/etc with --sysconfdir=/etc, as Debian's
 * package builds it).  Builds outside make (the fuzzers) get /etc. */
#ifndef PTRMILTER_SYSCONFDIR
#define PTRMILTER_SYSCONFDIR "/etc"
#endif
#define POLICY_DEFAULT_PATH PTRMILTER_SYSCONFDIR "/ptrmilter.conf"

enum policy_mode { POLICY_MODE_ENFORCE, POLICY_MODE_DRY_RUN };
enum policy_dns_error_action { POLICY_DNS_ERROR_ACCEPT, POLICY_DNS_ERROR_TEMPFAIL };
enum policy_ar_property { POLICY_AR_POLICY_IPREV, POLICY_AR_SMTP_REMOTE_IP };
/* The syslog facilities log_facility names, in the order of its choices;
 * log.c maps them to LOG_MAIL and the others. */
enum policy_log_facility {
	POLICY_FACILITY_MAIL, POLICY_FACILITY_DAEMON, POLICY_FACILITY_USER,
	POLICY_FACILITY_LOCAL0, POLICY_FACILITY_LOCAL1, POLICY_FACILITY_LOCAL2,
	POLICY_FACILITY_LOCAL3, POLICY_FACILITY_LOCAL4, POLICY_FACILITY_LOCAL5,
	POLICY_FACILITY_LOCAL6, POLICY_FACILITY_LOCAL7
};
enum policy_log_format { POLICY_LOG_TEXT, POLICY_LOG_JSON };

struct policy {
	char *socket;			/* libmilter socket spec */
	char *user;			/* NULL: stay as started ("none") */
	unsigned socket_mode;		/* e.g. 0660 */
	enum policy_mode mode;
	char *authserv_id;		/* NULL: MTA's {j}, else hostname */

	char *unbound_config;		/* NULL: none */
	char *trust_anchor_file;	/* NULL: validation disabled ("none") */
	bool resolv_conf;
	char *forwarders;		/* NULL or addresses joined by one space */
	unsigned dns_timeout_ms;	/* whole verdict, from negotiation */
	unsigned max_ptr_names;

	double score[TAG_COUNT];	/* weight of each tag */
	double tempfail_score;		/* INFINITY when "off" */
	double reject_score;		/* INFINITY when "off" */
	double greylist_score;		/* INFINITY when "off"; below
					   tempfail_score (policy.c) */
	unsigned greylist_delay_s;	/* a retry sooner is deferred again */
	unsigned greylist_window_s;	/* a retry later starts over */
	unsigned greylist_pass_ttl_s;	/* a passed network's record */
	unsigned greylist_ipv4_prefix;	/* the network of a triplet */
	unsigned greylist_ipv6_prefix;
	char *reply_text;		/* reply_text_check() passed; never
					   NULL from the loader */
	enum policy_dns_error_action on_dns_error;

	struct allow_list exempt_networks;	/* ALLOW_NETWORKS */
	struct allow_list exempt_ptr_domains;	/* ALLOW_DOMAINS */
	bool exempt_authenticated;
	char **exempt_recipients;	/* NULL-terminated recipient.h entries,
					 * lower case; never NULL, maybe
					 * empty */
	char **generic_allow;		/* NULL-terminated domain suffixes, lower
					 * case, no outer dots; never NULL */
	char *generic_data;		/* NULL ("none"): built-in rules only */
	char *generic_patterns;		/* NULL or a file name */
	unsigned tempfail_limit_s;	/* 0 when "off" */
	char *state_store;		/* state_spec_parse() passed; never
					   NULL from the loader */
	unsigned state_timeout_ms;	/* bound of every store call */
	char *score_header;		/* NULL when "none" */
	bool auth_results;
	enum policy_ar_property auth_results_property;
	enum policy_log_facility log_facility;	/* syslog, set again on reload */
	enum policy_log_format log_format;	/* of the decision and message
						   lines */
	char *metrics_listen;		/* NULL or "127.0.0.1:PORT" */
};

/* Receives one complete error message, "FILE:LINE: message" (or
 * "FILE: message" for an unreadable file). */
typedef void policy_reporter(void *arg, const char *message);

/* A policy holding every built-in default, or NULL on allocation failure. */
struct policy *policy_defaults(void);

/* Reads path over the defaults.  A file that does not exist yields the
 * defaults when missing_ok is true and is an error otherwise.  Returns the
 * policy, or NULL after reporting every error found. */
struct policy *policy_load(const char *path, bool missing_ok,
    policy_reporter *report, void *arg);

/* Writes every key with its effective value, one "key = value" line each,
 * in the order of the key table, such that the output parses back. */
void policy_dump(const struct policy *p, FILE *out);

/* Names of all keys, in table order, NULL-terminated; score.<tag> keys are
 * listed individually.  For the documentation checks. */
const char *const *policy_key_names(void);

/* The resolver settings of p.  The strings stay p's. */
void policy_resolver_config(const struct policy *p,
    struct resolver_config *out);

/* Frees p and everything it holds; NULL is fine. */
void policy_free(struct policy *p);

/*
 * Additions to the original API.
 */

/* Parses len bytes of text (need not be NUL-terminated) over the defaults,
 * exactly as policy_load() parses a file, file: lists included; name
 * stands for the file in messages.  For the fuzzer and for callers that
 * hold the text already.  report may be NULL (errors are then only
 * counted). */
struct policy *policy_parse_buffer(const char *name, const char *text,
    size_t len, policy_reporter *report, void *arg);

/* True when every key has the same effective value in a and b (what a
 * reload can use to log "policy unchanged"; what the round-trip test of
 * policy_dump() checks). */
bool policy_equal(const struct policy *a, const struct policy *b);

/* As policy_load(); *mode also receives the permission bits of the file
 * (st_mode & 07777), taken by fstat() from the descriptor the text is read
 * from, so that no rename or chmod can slip in between; 0 when no file was
 * read (missing, unreadable, a directory).  It is set even when the text
 * has errors, so that a caller can report the mode with them. */
struct policy *policy_load_mode(const char *path, bool missing_ok,
    policy_reporter *report, void *arg, unsigned *mode);

/* True when mode lets group or others write the file.  Whoever can write
 * the policy can switch the filter off, so the daemon refuses such a file
 * (at start, with -n, and on reload) and ptrcheck warns about it. */
bool policy_mode_unsafe(unsigned mode);

/* As policy_load_mode(); *owner also receives the file's owner (st_uid,
 * from the same fstat()), or -1 when no file was read. */
struct policy *policy_load_owned(const char *path, bool missing_ok,
    policy_reporter *report, void *arg, unsigned *mode, long *owner);

/* True when a file of owner's may not be trusted by a process whose
 * effective user is euid: only root's or the process's own.  Whoever owns
 * the policy can change it, whatever its mode: a policy file of the
 * daemon's own user's would let that user (a compromised daemon) choose
 * what root does at the next start - "user = root" among it - so the
 * daemon refuses it, as it refuses a file group or others may write. */
bool policy_owner_unsafe(long owner, long euid);

/* As policy_load_owned(), with the user whose list files (file:PATH
 * entries of exempt_networks, exempt_ptr_domains) are trusted besides
 * root's: the daemon passes the user it was started as, so that a reload
 * refuses what the next start would.  The others trust their effective
 * user.  A list file group or others may write, of another owner, or not
 * a regular file is an error of the policy.  The policy file and every
 * list file are reached through trusted directories only (safe_file.h),
 * the policy's directories trusted as its list files' are: a file behind
 * a directory others may write is refused before a line of it is read,
 * even when missing_ok. */
struct policy *policy_load_trusting(const char *path, bool missing_ok,
    policy_reporter *report, void *arg, long trusted_uid, unsigned *mode,
    long *owner);

/* One line of documentation of a key ("score.no_ptr" included), or NULL
 * for an unknown name. */
const char *policy_key_doc(const char *name);

#endif
