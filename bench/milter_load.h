/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_load.h - shared pieces of bench/milter_load, a milter protocol
 * (version 6) load generator: the wire (socket addresses, client lists,
 * prebuilt packets), the latency histograms and the report, and the run
 * itself: the state shared by the event loop (milter_load.c), the
 * sessions (milter_load_session.c) and the options (milter_load_opts.c).
 *
 * Threading contract: none.  The generator is one thread running one
 * epoll loop; nothing here locks.
 */

#ifndef MILTER_LOAD_H
#define MILTER_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

/* Largest packet accepted from the milter (length word included). */
#define ML_MAX_PACKET	65536

/* The protocol steps timed, in the order a session takes them. */
enum ml_step {
	ML_OPTNEG, ML_CONNECT, ML_HELO, ML_MAIL, ML_RCPT, ML_DATA,
	ML_HEADER, ML_EOH, ML_BODY, ML_EOM,
	ML_VERDICT,		/* CONNECT sent to MAIL answered */
	ML_SESSION,		/* first byte (or arrival) to QUIT sent */
	ML_NSTEPS
};

/* Why a session failed. */
enum ml_err {
	ML_ERR_CONNECT, ML_ERR_TIMEOUT, ML_ERR_CLOSED, ML_ERR_PROTOCOL,
	ML_ERR_IO, ML_NERR
};

/* How a session ended, as an MTA would see it. */
enum ml_outcome {
	ML_OUT_CONTINUE, ML_OUT_ACCEPT, ML_OUT_REJECT, ML_OUT_TEMPFAIL,
	ML_OUT_DISCARD, ML_NOUT
};

/* Modifications and progress replies seen at end of message. */
enum ml_mod {
	ML_MOD_ADDHEADER, ML_MOD_INSHEADER, ML_MOD_CHGHEADER, ML_MOD_OTHER,
	ML_MOD_PROGRESS, ML_NMOD
};

extern const char *const ml_step_names[ML_NSTEPS];
extern const char *const ml_err_names[ML_NERR];
extern const char *const ml_outcome_names[ML_NOUT];
extern const char *const ml_mod_names[ML_NMOD];

/*
 * Log-linear histogram of microseconds: values below 256 exactly, above
 * that 128 buckets per power of two (relative error under 0.8%), up to
 * 2^32 us (71 minutes); larger values land in the top bucket.
 */
#define ML_HIST_BUCKETS	(256 + 24 * 128)

struct ml_hist {
	uint64_t	count;
	uint64_t	sum_us;
	uint64_t	max_us;
	uint64_t	bucket[ML_HIST_BUCKETS];
};

/* Records one value. */
void	ml_hist_add(struct ml_hist *h, uint64_t us);
/* The value at percentile pct (0-100], in us; 0 for an empty histogram. */
uint64_t ml_hist_percentile(const struct ml_hist *h, double pct);

/* Everything the report shows. */
struct ml_report {
	const char	*target;	/* socket spec as given */
	int		 open_loop;
	unsigned	 concurrency;	/* closed loop */
	double		 rate;		/* open loop, sessions/s */
	uint64_t	 sessions;	/* counted sessions that reached QUIT */
	double		 seconds;
	uint64_t	 err[ML_NERR];
	uint64_t	 outcome[ML_NOUT];
	uint64_t	 mod[ML_NMOD];
	uint64_t	 rcpt_refused;
	uint64_t	 dropped;	/* open loop arrivals over the cap */
	int		 have_deadline;
	double		 deadline_ms;
	uint64_t	 deadline_hits;
	unsigned	 milter_version;	/* from the probe */
	uint32_t	 milter_actions;
	uint32_t	 milter_protocol;
	struct ml_hist	 hist[ML_NSTEPS];
};

/* Total errors. */
uint64_t ml_report_errors(const struct ml_report *r);
/* The human table. */
void	ml_report_text(FILE *fp, const struct ml_report *r);
/* One JSON object on one line. */
void	ml_report_json(FILE *fp, const struct ml_report *r);

/* A milter socket: unix:/path, local:/path, inet:PORT@HOST, inet6:PORT@HOST. */
struct ml_target {
	struct sockaddr_storage	addr;
	socklen_t		addrlen;
	int			family;
};

/* 0, or -1 with a message in err. */
int	ml_target_parse(const char *spec, struct ml_target *t, char *err,
	    size_t errlen);

/* An SMTP client the sessions pretend to be. */
struct ml_client {
	char	addr[46];	/* INET6_ADDRSTRLEN */
	char	helo[2048];	/* hostile HELOs may be long */
	int	inet6;
};

struct ml_clients {
	struct ml_client	*v;
	size_t			 n;
	size_t			 cap;
};

/* Adds "IP[,HELO]" (sep ',') or "IP [HELO]" (sep ' '); 0 or -1 with err. */
int	ml_clients_add(struct ml_clients *c, const char *text, int sep,
	    char *err, size_t errlen);
/* Adds every line of a file; reports file:line errors on stderr; 0/-1. */
int	ml_clients_load(struct ml_clients *c, const char *path);
void	ml_clients_free(struct ml_clients *c);

/* A prebuilt packet (or run of packets). */
struct ml_bytes {
	unsigned char	*p;
	size_t		 len;
};

/*
 * Every packet a session sends, built once: sessions only copy bytes.
 * The per-client CONNECT carries a port that each session patches in at
 * connect_port_off.
 */
struct ml_packets {
	struct ml_bytes	 optneg;
	struct ml_bytes	*connect;	/* per client: MACRO C + CONNECT */
	size_t		*connect_port_off;
	struct ml_bytes	*helo;		/* per client */
	size_t		 nclients;
	struct ml_bytes	 mail;		/* MACRO M + MAIL */
	struct ml_bytes	*rcpt;		/* per recipient: MACRO R + RCPT */
	unsigned	 nrcpt;
	struct ml_bytes	 data;
	struct ml_bytes	 header[2][5];	/* [leading space kept][header] */
	struct ml_bytes	 eoh;
	struct ml_bytes	 body;
	struct ml_bytes	 eom;
	struct ml_bytes	 quit;
	size_t		 max_session;	/* all of one session's bytes */
};

#define ML_NHEADERS	5

/* 0, or -1 on allocation failure. */
int	ml_packets_build(struct ml_packets *pk, const struct ml_clients *c,
	    unsigned nrcpt);
void	ml_packets_free(struct ml_packets *pk);

/*
 * Blocking probe: connect and negotiate once, so that a wrong socket is
 * reported before the run and the milter's flags can be shown.  0, or -1
 * with a message in err.
 */
int	ml_probe(const struct ml_target *t, double timeout_s,
	    const struct ml_packets *pk, unsigned *version, uint32_t *actions,
	    uint32_t *protocol, char *err, size_t errlen);

/* Big-endian 32-bit read. */
uint32_t ml_get32(const unsigned char *p);

/*
 * The run: one process, one run, one instance of struct ml_run (ml_g).
 * Times are CLOCK_MONOTONIC nanoseconds.
 */

/* Nanoseconds in a second. */
#define ML_NS		1000000000LL

/* Where a session stands. */
enum ml_sstate {
	ML_SS_FREE,		/* the slot is unused */
	ML_SS_RETRY,		/* queued to try connect() again */
	ML_SS_CONNECTING,	/* non-blocking connect() under way */
	ML_SS_WAIT,		/* a reply (or the connect) is due */
	ML_SS_HOLD,		/* paused at the hold point */
	ML_SS_QUIT		/* QUIT sent; the milter should hang up */
};

struct ml_session;

/*
 * A timer list.  Every timer in one list has the same length (the reply
 * timeout, the hold, the connect retry), so appending keeps it sorted.
 */
struct ml_slist {
	struct ml_session	*head, *tail;
};

/* One SMTP session played against the milter; a slot in ml_g.slots. */
struct ml_session {
	struct ml_session *prev, *next;	/* in at most one timer list */
	struct ml_slist	*list;
	int64_t		 deadline;
	int64_t		 t_start;	/* arrival (open) or first byte */
	int64_t		 t_step, t_verdict, t_hdr;
	unsigned char	*out;
	size_t		 out_len, out_off;
	uint64_t	 id;
	uint32_t	 proto;		/* the milter's SMFIP_* flags */
	uint32_t	 rlen, rleft;	/* reply being read: payload bytes */
	unsigned	 rhave;		/* bytes of rhdr read */
	unsigned	 evmask;
	unsigned	 client, sub, rcpt_ok;
	int		 fd;
	enum ml_sstate	 state;
	int		 step;
	int		 counted, verdict_done, refused_tf;
	enum ml_outcome	 outcome;
	unsigned char	 rhdr[5];
	unsigned char	 rpay[12];	/* the payload's first bytes */
	unsigned char	 rlast;
};

/* The options (set by ml_opts_parse()) and the state of the run. */
struct ml_run {
	/* options */
	const char	*spec;
	unsigned	 concurrency, max_inflight, nrcpt;
	double		 rate, duration, warmup, timeout;
	uint64_t	 nsessions;
	int64_t		 hold_ns, timeout_ns;
	int		 hold_at_mail, verbose, quickack;
	/* state */
	struct ml_target  target;
	struct ml_packets pk;
	struct ml_report  rep;
	struct ml_session *slots;
	unsigned	*freev, nfree, nslots, inflight;
	struct ml_slist	 wait, hold, retry;
	int		 ep, stopping;
	int64_t		 t0, measure_start, t_end, retry_at;
	uint64_t	 seq, started_counted, arrivals;
	int		 said[ML_NERR];
	unsigned char	 scratch[16384];
};

/* The run (defined in milter_load.c). */
extern struct ml_run ml_g;

/* milter_load.c: the clock and the timer lists. */

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t	ml_mono_ns(void);
/* Moves s to the tail of l (out of any other list) with that deadline. */
void	ml_list_put(struct ml_slist *l, struct ml_session *s,
	    int64_t deadline);
/* Takes s out of its timer list, if it is in one. */
void	ml_list_del(struct ml_session *s);

/*
 * milter_load_session.c: the conversation.  Functions returning int give
 * 0, or -1 when the session is gone (counted as an error if it failed,
 * its slot given back).
 */

/* Takes a free slot (there must be one) and starts a session that was
 * due at t_sched. */
void	ml_session_start(int64_t t_sched, int64_t now);
/* Connects (again, for a session queued in ML_SS_RETRY). */
int	ml_session_connect(struct ml_session *s, int64_t now);
/* At the hold point, pauses; when the hold is over, goes on or quits. */
int	ml_session_hold_or_quit(struct ml_session *s, int64_t now);
/* The reply timeout has passed: ends the session, as an error unless it
 * had already said QUIT. */
void	ml_session_timeout(struct ml_session *s);
/* epoll reported ev on the session's socket. */
void	ml_session_event(struct ml_session *s, uint32_t ev, int64_t now);

/* milter_load_opts.c: the command line. */

/*
 * Parses the options into ml_g, adding -c and -a clients to cl; exits 2
 * (with the usage on a bad option) or 0 (after --help).  Returns how
 * quiet to be: 0 table and JSON, 1 (-q) or 2 (--json) only the JSON.
 */
int	ml_opts_parse(int argc, char **argv, struct ml_clients *cl);

#endif /* MILTER_LOAD_H */
