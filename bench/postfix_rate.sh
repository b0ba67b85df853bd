#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# postfix_rate.sh - messages per second through a real Postfix, with and
# without ptrmilter.  See bench/README.md, "Through Postfix".
#
#   bench/postfix_rate.sh [--rounds N] BUILDDIR [MESSAGES] [CONCURRENCY]
#
# As root.  BUILDDIR is a configured and built tree (src/ptrmilter and
# bench/null_milter: make all bench).  Four set-ups, the same load each
# time:
#
#   none            no milter
#   ptrmilter       smtpd_milters = the built ptrmilter, on the DNS world
#   reject_unknown  no milter; smtpd_client_restrictions =
#                   reject_unknown_client_hostname (Postfix's own FCrDNS)
#   null_milter     smtpd_milters = bench/null_milter, a libmilter filter
#                   that accepts everything and adds one header: the cost
#                   of any milter at all
#
# Load: smtp-source sends MESSAGES messages of 1 KiB, one per connection,
# CONCURRENCY (default 20) sessions at a time, to a private Postfix on
# 127.0.0.1 (tests/lib/postfix.sh), which relays them to a counting
# smtp-sink on another loopback port.  MESSAGES: the argument, else
# $POSTFIX_RATE_MESSAGES, else 5000.  Each set-up runs N times (--rounds,
# default 3), interleaved, each time on a freshly started Postfix warmed up
# with a few hundred messages; the median is reported.  Measured: MESSAGES
# / the time from the start of smtp-source until smtp-sink has received all
# of them (end to end), and MESSAGES / smtp-source's own run time
# (acceptance); and each milter's CPU time (user + system, /proc/PID/stat)
# over its timed runs per message.
# In the first round each instance first takes a short run with smtp-sink
# dumping the messages, to check what arrives (ptrmilter's headers in
# "ptrmilter" only, X-Null-Milter in "null_milter" only); then a counting
# smtp-sink takes its port.  Every run checks that the sink got every
# message and Postfix logged no rejection, deferral or milter trouble; and
# that ptrmilter judged every connection in "ptrmilter" and none in the
# others.
#
# The last line of output is one JSON object.  Exits non-zero, saying why,
# if anything fails; every process it started is stopped on exit, Ctrl-C
# included.

set -u
set -o pipefail

prog=postfix_rate
WARMUP=300		# messages sent before each timed run
ROUNDS=3		# timed runs per set-up (--rounds); the median is reported
VERIFY=20		# messages of the checking run per set-up
SETUPS="none ptrmilter reject_unknown null_milter"

die()
{
	echo "$prog: $*" >&2
	exit 1
}

usage()
{
	echo "usage: $0 [--rounds N] BUILDDIR [MESSAGES] [CONCURRENCY]" >&2
	exit 2
}

# --rounds N (or --rounds=N) anywhere; the rest are positional.
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--rounds)
		[ $# -ge 2 ] || usage
		ROUNDS=$2
		shift 2 ;;
	--rounds=*)
		ROUNDS=${1#--rounds=}
		shift ;;
	--)
		shift
		args+=("$@")
		break ;;
	-*)
		usage ;;
	*)
		args+=("$1")
		shift ;;
	esac
done
set -- "${args[@]}"
if [ $# -lt 1 ] || [ $# -gt 3 ]; then
	usage
fi
MESSAGES=${2:-${POSTFIX_RATE_MESSAGES:-5000}}
CONCURRENCY=${3:-20}
case $MESSAGES in '' | *[!0-9]* | 0*) usage ;; esac
case $CONCURRENCY in '' | *[!0-9]* | 0*) usage ;; esac
case $ROUNDS in '' | *[!0-9]* | 0*) usage ;; esac
[ -d "$1" ] || die "$1: no such directory"
top=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir=$top	# for the libraries
top_builddir=$(cd "$1" && pwd)
[ -x "$top_builddir/src/ptrmilter" ] ||
	die "$top_builddir/src/ptrmilter is not built (configure and make there)"
NULL_MILTER=$top_builddir/bench/null_milter
[ -x "$NULL_MILTER" ] ||
	die "$NULL_MILTER is not built (make bench/null_milter there)"
[ "$(id -u)" = 0 ] || die "needs root (the DNS world listens on port 53, Postfix)"
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
for p in smtp-source smtp-sink postfix flock; do
	command -v "$p" >/dev/null || die "$p is not installed (Debian: postfix, util-linux)"
done
WORLD=$top/tests/dnsworld/world
started=$(date +%s)

# The test libraries: postfix.sh (the private Postfix) and milter.sh
# ($PTRMILTER, $PM_TSAN, ptrmilter_down).  Where they would skip, fail.
skip_or_fail()
{
	die "cannot run: $*"
}
# shellcheck source=tests/lib/postfix.sh
. "$top/tests/lib/postfix.sh"
# shellcheck source=tests/lib/milter.sh
. "$top/tests/lib/milter.sh"

# --- cleanup ----------------------------------------------------------

W=
world_up=0
RUN_PID=
NM_PID=

# null_milter_down: SIGTERM, then wait (SIGKILL after 10 s).
null_milter_down()
{
	[ -n "$NM_PID" ] || return 0
	kill -TERM "$NM_PID" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$NM_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$NM_PID" 2>/dev/null
	wait "$NM_PID" 2>/dev/null
	NM_PID=
}

cleanup()
{
	if [ -n "$RUN_PID" ]; then
		kill -TERM "$RUN_PID" 2>/dev/null
		wait "$RUN_PID" 2>/dev/null
		RUN_PID=
	fi
	ptrmilter_down
	null_milter_down
	if [ "$world_up" = 1 ]; then
		"$WORLD" stop "$W/dns" >/dev/null 2>&1 ||
			echo "$prog: stopping the DNS world failed" >&2
		world_up=0
	fi
	[ -z "$W" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

W=$(mktemp -d /tmp/ptrmilter-postfix-rate.XXXXXX) || die "mktemp failed"

# --- the DNS world ----------------------------------------------------

# One world per machine (fixed addresses): hold its lock while it is up.
lock_open 9 world.lock || die "cannot open the DNS world's lock"
flock -w 900 9 || die "the DNS world stayed locked for 15 minutes"
world_up=1
"$WORLD" start "$W/dns" </dev/null 8>&- 9>&- ||
	die "the DNS world did not start"
chmod -R a+rX "$W/dns"	# ptrmilter runs as postfix

# postfix_init: deps, $MILTER_DIR, and its EXIT trap in front of ours (so
# Postfix stops first).  It sets "exit 99" for signals; ours again.
postfix_init
trap 'echo "$prog: interrupted" >&2; exit 130' INT
trap 'echo "$prog: terminated" >&2; exit 143' TERM
trap 'exit 129' HUP

# --- smtp-sink: counting, or dumping (postfix.sh's own) ----------------

# postfix_up starts the sink with _pf_start_sink, which dumps every
# message to a file: fine for the checks, too slow to time a rate.
# SINK_MODE=count replaces it with smtp-sink -c, which only counts.
eval "_pf_start_sink_dump() $(declare -f _pf_start_sink | tail -n +2)"
SINK_MODE=dump
_pf_start_sink()
{
	[ "$SINK_MODE" = count ] || { _pf_start_sink_dump; return; }
	rm -f "$POSTFIX_DIR/sink.log"
	smtp-sink -4 -c -u nobody -h sink.example.net \
		"127.0.0.1:$SINK_PORT" 256 \
		</dev/null >"$POSTFIX_DIR/sink.log" 2>&1 8>&- 9>&- &
	SINK_PID=$!
	for _ in $(seq 50); do
		kill -0 "$SINK_PID" 2>/dev/null || { SINK_PID=; return 1; }
		_pf_listening "$SINK_PORT" && return 0
		sleep 0.1
	done
	return 1
}

# sink_received: messages the counting sink has received ("mesg=N").
sink_received()
{
	tr '\r' '\n' <"$POSTFIX_DIR/sink.log" 2>/dev/null |
		sed -n 's/.*mesg=\([0-9][0-9]*\)$/\1/p' | tail -n 1 | grep . || echo 0
}


# --- ptrmilter --------------------------------------------------------

# The world's DNS settings; judge loopback too (exempt by default); add
# the headers, never refuse.  No -v: one info line per client, as in
# production (to a file here rather than syslog).
PM_SOCKET=$MILTER_DIR/ptrmilter.sock
PM_CONF=$W/ptrmilter-bench.conf
PM_LOG=$W/ptrmilter.log
{
	cat "$W/dns/ptrmilter.conf"
	cat <<EOF
socket = unix:$PM_SOCKET
user = postfix
exempt_networks = none
tempfail_score = off
reject_score = off
on_dns_error = accept
auth_results = yes
EOF
} >"$PM_CONF"
"$PTRMILTER" -n -c "$PM_CONF" >"$W/ptrmilter-n.out" 2>&1 ||
	{ cat "$W/ptrmilter-n.out" >&2; die "ptrmilter refuses $PM_CONF"; }
# Started as one simple command, so that $! is the daemon (env execs it);
# a shell function run with & would leave a subshell's pid there.
env "$PM_TSAN" "$PTRMILTER" -f -c "$PM_CONF" </dev/null >>"$PM_LOG" 2>&1 \
	8>&- 9>&- &
PM_PID=$!
for _ in $(seq 100); do
	[ -S "$PM_SOCKET" ] && grep -q "listening on" "$PM_LOG" && break
	kill -0 "$PM_PID" 2>/dev/null || break
	sleep 0.1
done
if ! [ -S "$PM_SOCKET" ] || ! kill -0 "$PM_PID" 2>/dev/null; then
	cat "$PM_LOG" >&2
	die "ptrmilter did not start"
fi
[ "$(readlink "/proc/$PM_PID/exe")" = "$(readlink -f "$PTRMILTER")" ] ||
	die "pid $PM_PID is not $PTRMILTER"

# --- the null milter ---------------------------------------------------

# The baseline: accepts everything, adds X-Null-Milter at end of message,
# logs nothing.  It runs as root; its socket (created with root's umask)
# is opened up for smtpd, which runs as postfix, in the same 0755
# directory as ptrmilter's.
NM_SOCKET=$MILTER_DIR/null_milter.sock
NM_LOG=$W/null_milter.log
env "$PM_TSAN" "$NULL_MILTER" "unix:$NM_SOCKET" </dev/null >>"$NM_LOG" 2>&1 \
	8>&- 9>&- &
NM_PID=$!
for _ in $(seq 100); do
	[ -S "$NM_SOCKET" ] && break
	kill -0 "$NM_PID" 2>/dev/null || break
	sleep 0.1
done
if ! [ -S "$NM_SOCKET" ] || ! kill -0 "$NM_PID" 2>/dev/null; then
	cat "$NM_LOG" >&2
	die "the null milter did not start"
fi
[ "$(readlink "/proc/$NM_PID/exe")" = "$(readlink -f "$NULL_MILTER")" ] ||
	die "pid $NM_PID is not $NULL_MILTER"
chmod 666 "$NM_SOCKET" || die "chmod $NM_SOCKET failed"

# milter_cpu PID: CPU time (user + system, all threads, the exited ones
# included) of a milter so far, in clock ticks; empty if it is gone.
milter_cpu()
{
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null
}
TICKS=$(getconf CLK_TCK)

# ptrmilter_decisions: decision lines in its log so far (not the
# message lines, "conn=N msg=M queue_id=...").
ptrmilter_decisions()
{
	grep -c 'conn=[0-9]* action=' "$PM_LOG"
}

# --- Postfix, one set-up ----------------------------------------------

# start_postfix SETUP: a fresh private Postfix for the set-up.
start_postfix()
{
	case $1 in
	none)
		postfix_up "" ;;
	ptrmilter)
		postfix_up "unix:$PM_SOCKET" ;;
	reject_unknown)
		# The check needs the client name lookup, which postfix.sh
		# turns off; it goes through the system resolver.
		postfix_up "" "smtpd_peername_lookup = yes" \
			"smtpd_client_restrictions = reject_unknown_client_hostname" ;;
	null_milter)
		postfix_up "unix:$NM_SOCKET" ;;
	esac
}

SOURCE_ARGS=(-c -l 1024 -s "$CONCURRENCY" -t to@example.net -f from@example.org)

# send N: smtp-source, N messages, untimed.
send()
{
	smtp-source "${SOURCE_ARGS[@]}" -m "$1" "127.0.0.1:$SMTP_PORT" \
		</dev/null >"$POSTFIX_DIR/source.out" 2>&1 8>&- 9>&- ||
		{ cat "$POSTFIX_DIR/source.out" >&2; die "smtp-source failed"; }
}

# wait_received N: the counting sink has N messages (60 s at most).
wait_received()
{
	local n
	for _ in $(seq 600); do
		n=$(sink_received)
		[ "$n" -ge "$1" ] && return 0
		sleep 0.1
	done
	die "the sink has $n of $1 messages after 60 s (log: $POSTFIX_LOG)"
}

# check_log SETUP TOTAL: Postfix logged TOTAL deliveries and nothing that
# went wrong; the milter judged every connection in "ptrmilter" (and saw
# none otherwise).  $decisions0: ptrmilter_decisions before the instance.
check_log()
{
	local setup=$1 total=$2 sent=0 bad d
	for _ in $(seq 100); do
		sent=$(grep -c ' status=sent ' "$POSTFIX_LOG")
		[ "$sent" -ge "$total" ] && break
		sleep 0.1
	done
	[ "$sent" = "$total" ] ||
		die "$setup: Postfix logged $sent deliveries, not $total ($POSTFIX_LOG)"
	bad=$(grep -E ' reject: | status=(deferred|bounced)|warning: .*milter|fatal:|panic:' \
		"$POSTFIX_LOG" | head -n 5)
	[ -z "$bad" ] || die "$setup: Postfix logged problems:"$'\n'"$bad"
	d=$(($(ptrmilter_decisions) - decisions0))
	if [ "$setup" = ptrmilter ]; then
		[ "$d" = "$total" ] ||
			die "$setup: ptrmilter judged $d connections, not $total ($PM_LOG)"
	else
		[ "$d" = 0 ] || die "$setup: ptrmilter saw $d connections"
	fi
}

# --- the checks: what arrives ------------------------------------------

# verify SETUP: on a fresh instance with the dumping sink, VERIFY messages
# arrive, with ptrmilter's headers in "ptrmilter" only and the null
# milter's in "null_milter" only, and Postfix's Received header shows the
# client name lookup in "reject_unknown" only.
verify()
{
	local setup=$1 f ar score null received
	send "$VERIFY"
	wait_for_delivery "$VERIFY" 60 || die "$setup: not all $VERIFY messages delivered"
	[ "$(sink_count)" = "$VERIFY" ] ||
		die "$setup: the sink has $(sink_count) messages, not $VERIFY"
	for f in $(sink_files); do
		ar=$(header Authentication-Results "$f")
		score=$(header X-PTR-Score "$f")
		null=$(header X-Null-Milter "$f")
		received=$(header Received "$f" | tail -n 1)
		if [ "$setup" = null_milter ]; then
			[ "$null" = seen ] ||
				die "$setup: $f: X-Null-Milter is '$null', not 'seen'"
		else
			[ -z "$null" ] || die "$setup: $f: header of the null milter"
		fi
		if [ "$setup" = ptrmilter ]; then
			case $ar in
			"mx.example.net; iprev="*" policy.iprev=127.0.0.1 "*) ;;
			*) die "$setup: $f: Authentication-Results is '$ar'" ;;
			esac
			[ -n "$score" ] || die "$setup: $f: no X-PTR-Score"
		else
			[ -z "$ar$score" ] || die "$setup: $f: headers of ptrmilter"
		fi
		case $setup:$received in
		reject_unknown:*"(localhost [127.0.0.1])"*) ;;
		reject_unknown:*) die "$setup: $f: Received is '$received'" ;;
		*:*"(unknown [127.0.0.1])"*) ;;
		*) die "$setup: $f: Received is '$received'" ;;
		esac
	done
	check_log "$setup" "$VERIFY"
	case $setup in
	ptrmilter)
		echo "   $setup: $VERIFY of $VERIFY delivered; Authentication-Results: $ar"
		echo "   $setup: X-PTR-Score: $score"
		echo "   $setup: $(grep 'conn=[0-9]* action=' "$PM_LOG" | tail -n 1 |
			sed 's/^.*\(action=\)/\1/')" ;;
	null_milter)
		echo "   $setup: $VERIFY of $VERIFY delivered, each with X-Null-Milter: $null," \
			"no ptrmilter headers; Received: ${received%%;*}" ;;
	*)
		echo "   $setup: $VERIFY of $VERIFY delivered, no ptrmilter or null" \
			"milter headers; Received: ${received%%;*}" ;;
	esac
}

# sink_counting: replace the dumping sink with a counting one, same port.
sink_counting()
{
	kill "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
	SINK_PID=
	SINK_MODE=count
	_pf_start_sink || die "smtp-sink did not restart on port $SINK_PORT"
}

# --- the timed runs ----------------------------------------------------

echo "== Postfix $(postconf -d -h mail_version 2>/dev/null), $(nproc) CPUs;" \
	"$MESSAGES messages x $ROUNDS per set-up, concurrency $CONCURRENCY," \
	"warm-up $WARMUP"
timeout=$((60 + MESSAGES / 20))
declare -A e2e acc cpu_ticks cpu_runs milter_pid
milter_pid[ptrmilter]=$PM_PID
milter_pid[null_milter]=$NM_PID
for round in $(seq "$ROUNDS"); do
	for setup in $SETUPS; do
		decisions0=$(ptrmilter_decisions)
		# Round 1 checks first, on the same instance, then counts.
		pre=0
		if [ "$round" = 1 ]; then
			SINK_MODE=dump
			start_postfix "$setup"
			verify "$setup"
			sink_counting
			pre=$VERIFY
		else
			SINK_MODE=count
			start_postfix "$setup"
		fi
		send "$WARMUP"
		wait_received "$WARMUP"
		base=$(sink_received)
		mpid=${milter_pid[$setup]:-}
		if [ -n "$mpid" ]; then
			cpu0=$(milter_cpu "$mpid")
			[ -n "$cpu0" ] || die "$setup: the milter (pid $mpid) is gone"
		fi
		# When smtp-source exited and when the sink had them all.
		"$PYTHON" "$top/bench/delivery_timer.py" "$POSTFIX_DIR/sink.log" \
			$((base + MESSAGES)) "$timeout" "$POSTFIX_DIR/source.out" \
			smtp-source "${SOURCE_ARGS[@]}" -m "$MESSAGES" \
			"127.0.0.1:$SMTP_PORT" </dev/null >"$W/timer.out" 8>&- 9>&- &
		RUN_PID=$!
		wait "$RUN_PID"
		rc=$?
		RUN_PID=
		[ "$rc" = 0 ] || {
			tail -n 5 "$POSTFIX_DIR/source.out" >&2
			die "$setup: the timed run failed (log: $POSTFIX_LOG)"
		}
		read -r t_acc t_e2e <"$W/timer.out"
		if [ -n "$mpid" ]; then
			cpu1=$(milter_cpu "$mpid")
			[ -n "$cpu1" ] || die "$setup: the milter (pid $mpid) died"
		fi
		sleep 0.5	# anything beyond the target would show now
		n=$(sink_received)
		[ "$n" = $((WARMUP + MESSAGES)) ] ||
			die "$setup: the sink has $n messages, not $((WARMUP + MESSAGES))"
		check_log "$setup" $((pre + WARMUP + MESSAGES))
		e2e[$setup]+="$(awk -v n="$MESSAGES" -v t="$t_e2e" 'BEGIN { printf "%.1f", n / t }') "
		acc[$setup]+="$(awk -v n="$MESSAGES" -v t="$t_acc" 'BEGIN { printf "%.1f", n / t }') "
		printf '   round %d %-15s %8.2f s end to end, %8.2f s accepted' \
			"$round" "$setup" "$t_e2e" "$t_acc"
		if [ -n "$mpid" ]; then
			cpu_ticks[$setup]=$((${cpu_ticks[$setup]:-0} + cpu1 - cpu0))
			cpu_runs[$setup]=$((${cpu_runs[$setup]:-0} + 1))
			printf ', milter CPU %s us/message' "$(awk -v c=$((cpu1 - cpu0)) \
				-v hz="$TICKS" -v n="$MESSAGES" \
				'BEGIN { printf "%.0f", c / hz * 1e6 / n }')"
		fi
		echo
	done
done
postfix_down

# --- results -------------------------------------------------------------

median()
{
	tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 }
		END { printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
declare -A med_e2e med_acc
for setup in $SETUPS; do
	med_e2e[$setup]=$(median "${e2e[$setup]}")
	med_acc[$setup]=$(median "${acc[$setup]}")
done
none=${med_e2e[none]}
echo
printf '%-40s %12s %12s %9s\n' "set-up (median of $ROUNDS)" "end-to-end" "acceptance" "ratio"
printf '%-40s %12s %12s %9s\n' "" "msgs/s" "msgs/s" "to none"
for setup in $SETUPS; do
	case $setup in
	none) label="(a) no milter" ;;
	ptrmilter) label="(b) smtpd_milters = ptrmilter" ;;
	reject_unknown) label="(c) reject_unknown_client_hostname" ;;
	null_milter) label="(d) smtpd_milters = null_milter" ;;
	esac
	printf '%-40s %12s %12s %9s\n' "$label" "${med_e2e[$setup]}" \
		"${med_acc[$setup]}" \
		"$(awk -v a="${med_e2e[$setup]}" -v b="$none" 'BEGIN { printf "%.3f", a / b }')"
done
echo "all rounds, end-to-end msgs/s:" \
	"none ${e2e[none]}| ptrmilter ${e2e[ptrmilter]}|" \
	"reject_unknown ${e2e[reject_unknown]}| null_milter ${e2e[null_milter]}"
# cpu_us_per_msg SETUP: the milter's CPU time over all its timed runs, per
# message, in microseconds.
cpu_us_per_msg()
{
	awk -v c="${cpu_ticks[$1]}" -v hz="$TICKS" \
		-v n=$((${cpu_runs[$1]} * MESSAGES)) \
		'BEGIN { printf "%.0f", c / hz * 1e6 / n }'
}
# pct_below A B: how much lower rate A is than rate B, in per cent.
pct_below()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (1 - a / b) * 100 }'
}
ptr_cpu=$(cpu_us_per_msg ptrmilter)
null_cpu=$(cpu_us_per_msg null_milter)
cost=$(pct_below "${med_e2e[ptrmilter]}" "$none")
null_cost=$(pct_below "${med_e2e[null_milter]}" "$none")
over_null=$(pct_below "${med_e2e[ptrmilter]}" "${med_e2e[null_milter]}")
echo "milter CPU time per message (user + system, all timed runs):" \
	"ptrmilter $ptr_cpu us, null milter $null_cpu us"
echo "cost against no milter (end to end): ptrmilter $cost%, null milter" \
	"$null_cost%; ptrmilter against the null milter: $over_null%"
echo "run time $(($(date +%s) - started)) s"
printf '{"postfix_none_per_s":%s,"postfix_ptrmilter_per_s":%s,"postfix_reject_unknown_per_s":%s,"postfix_null_milter_per_s":%s,"ptrmilter_cost_pct":%s,"null_milter_cost_pct":%s,"ptrmilter_over_null_pct":%s,"ptrmilter_cpu_us_per_msg":%s,"null_milter_cpu_us_per_msg":%s,"messages":%d,"concurrency":%d,"rounds":%d}\n' \
	"$none" "${med_e2e[ptrmilter]}" "${med_e2e[reject_unknown]}" \
	"${med_e2e[null_milter]}" "$cost" "$null_cost" "$over_null" \
	"$ptr_cpu" "$null_cpu" "$MESSAGES" "$CONCURRENCY" "$ROUNDS"
