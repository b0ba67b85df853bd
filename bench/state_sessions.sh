#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/state_sessions.sh - what the state store adds to a whole milter
# session (issue 16): the real daemon against the DNS test world, driven
# by bench/milter_load, with state_store = none, lmdb:DIR and
# redis://127.0.0.1:PORT (a private redis-server on loopback), each with
# greylisting off and on; then the worst session with Redis black-holed
# (SIGSTOP: connections are taken, nothing answers).
#
#   bench/state_sessions.sh [BUILD_DIR [RUNS [SECONDS]]]
#
# BUILD_DIR holds src/ptrmilter and bench/milter_load (default
# _build/bench; make all bench).  RUNS rounds (default 3), interleaved:
# each round measures every set-up once, SECONDS each (default 5), one
# session at a time (closed loop -C 1: a session's own time, no
# queueing), then the black-holed run.  The figures are the medians of
# the rounds.
#
# Every session is the world's generic-PTR client 198.51.100.40 (score
# 2.5): with greylist_score = 2 it is in the band.  tempfail_limit is on
# in every set-up, so a clean verdict clears its streak in the store (a
# delete at MAIL); with greylisting on, RCPT adds a get of the network's
# pass and, once it has passed (greylist_delay = 1s; the warm-up waits
# for it), a touch of it: the steady state of a sender of the band.  The
# LMDB directory is on the disk under /tmp.  state_timeout is 50 ms.
#
# The black-holed run: Redis SIGSTOPped under the greylisting set-up, 20
# sessions a second for 3 s (an open loop, so that the store's probes
# after each backoff fall inside it); its worst session against the
# target of state_timeout + 5 ms.
#
# The last line is JSON.  Takes the machine-wide DNS world lock; as root;
# about RUNS x (6 x SECONDS + 10) seconds.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$top/_build/bench}
runs=${2:-3}
secs=${3:-5}
WORLD=$top/tests/dnsworld/world
TIMEOUT_MS=50
BAND=198.51.100.40,198-51-100-40.example-broadband.com
SETUPS="none_off lmdb_off redis_off none_on lmdb_on redis_on"

for f in src/ptrmilter bench/milter_load; do
	[ -x "$B/$f" ] ||
		{ echo "state_sessions.sh: $B/$f is not built" >&2; exit 1; }
done
for tool in redis-server redis-cli jq setpriv python3; do
	command -v "$tool" >/dev/null ||
		{ echo "state_sessions.sh: $tool is not installed" >&2; exit 1; }
done
work=$(mktemp -d /tmp/state-sessions-bench.XXXXXX)
world=$work/dns
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
REDIS_PID=
cleanup()
{
	stop_all_milters
	if [ -n "$REDIS_PID" ]; then
		kill -CONT "$REDIS_PID" 2>/dev/null || true
		kill -TERM "$REDIS_PID" 2>/dev/null || true
		wait "$REDIS_PID" 2>/dev/null || true
	fi
	"$WORLD" stop "$world" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Redis, private, on loopback, no persistence --------------------------
port=$(python3 "$top/tests/lib/free_ports.py" --kernel)
mkdir "$work/redis"
setpriv --pdeathsig TERM -- redis-server --port "$port" --bind 127.0.0.1 \
	--save '' --appendonly no --dir "$work/redis" --daemonize no \
	--logfile "$work/redis/log" </dev/null >/dev/null 2>&1 8>&- 9>&- &
REDIS_PID=$!
for _ in $(seq 100); do
	[ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break
	sleep 0.05
done
[ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] ||
	{ echo "state_sessions.sh: redis-server did not start" >&2; exit 1; }

# shellcheck source=tests/lib/lock_dir.sh
. "$top/tests/lib/lock_dir.sh"
lock_open 9 world.lock || exit 1
flock -w 900 9 ||
	{ echo "state_sessions.sh: the DNS world stayed locked" >&2; exit 1; }
"$WORLD" start "$world" >/dev/null

# spec SETUP: the state_store of a set-up (each its own LMDB directory
# and Redis database, so that no two share records).
spec()
{
	case $1 in
	none_*)		echo none ;;
	lmdb_*)		echo "lmdb:$work/lmdb-${1#lmdb_}" ;;
	redis_off)	echo "redis://127.0.0.1:$port/1" ;;
	redis_on)	echo "redis://127.0.0.1:$port/2" ;;
	esac
}

echo "== the daemons: $SETUPS (state_timeout ${TIMEOUT_MS} ms)"
for s in $SETUPS; do
	g=off
	[ "${s##*_}" = on ] && g=2
	ptrmilter_conf "$work/$s.conf" "unix:$work/$s.sock" \
		"state_store = $(spec "$s")" "state_timeout = ${TIMEOUT_MS}ms" \
		"tempfail_limit = 1h" "greylist_score = $g" "greylist_delay = 1s"
	start_milter "$work/$s.log" "unix:$work/$s.sock" \
		"$B/src/ptrmilter" -f -c "$work/$s.conf"
	load "warm1_$s" -s "unix:$work/$s.sock" -a "$BAND" -n 20 >/dev/null
done
# The band's triplet passes after greylist_delay; from then on the
# network is known.
sleep 1.2
for s in $SETUPS; do
	load "warm2_$s" -s "unix:$work/$s.sock" -a "$BAND" -n 200 >/dev/null
	if [ "$(field "warm2_$s" '.rcpt_refused')" != 0 ]; then
		echo "state_sessions.sh: $s still defers the band after the" \
			"warm-up" >&2
		exit 1
	fi
done

# ups SETUP: the "up again" lines of its log.
ups()
{
	grep -c 'state store .*: up again' "$work/$1.log" || true
}

for r in $(seq "$runs"); do
	echo "== round $r of $runs"
	for s in $SETUPS; do
		load "${s}_$r" -s "unix:$work/$s.sock" -a "$BAND" -C 1 \
			-d "$secs" --warmup 0.5
	done
	echo "  Redis black-holed (SIGSTOP) under redis_on, 20 sessions/s for 3 s"
	before=$(ups redis_on)
	kill -STOP "$REDIS_PID"
	load "hole_$r" -s "unix:$work/redis_on.sock" -a "$BAND" -r 20 -d 3 \
		--timeout 10 || true
	kill -CONT "$REDIS_PID"
	# Back up before the next round (within the backoff, a few s).
	for _ in $(seq 60); do
		[ "$(ups redis_on)" -gt "$before" ] && break
		"$LOAD" -s "unix:$work/redis_on.sock" -a "$BAND" -r 10 -d 0.5 \
			-q >/dev/null 2>&1 || true
	done
	[ "$(ups redis_on)" -gt "$before" ] ||
		{ echo "state_sessions.sh: Redis did not come back" >&2; exit 1; }
done

# median NAME JQ: the median over the rounds of a figure.
median()
{
	local r
	for r in $(seq "$runs"); do
		field "$1_$r" "$2"
	done | sort -g | awk '{ v[NR] = $1 } END {
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo
echo "== per session, one at a time, median of $runs rounds of ${secs} s;" \
	"added: over none with the same greylisting; rcpt: the RCPT step," \
	"where greylisting asks the store"
printf '%-6s %-5s %8s %8s %8s %10s %10s %9s %9s %8s\n' store grey \
	"p50 ms" "p90 ms" "p99 ms" "added p50" "added p99" "rcpt p50" \
	"rcpt p99" "per s"
json="{\"state_timeout_ms\":$TIMEOUT_MS,\"runs\":$runs,\"seconds\":$secs"
for s in $SETUPS; do
	p50=$(median "$s" .steps.session.p50_ms)
	p90=$(median "$s" .steps.session.p90_ms)
	p99=$(median "$s" .steps.session.p99_ms)
	rate=$(median "$s" .sessions_per_s)
	added50=$(awk -v a="$p50" -v b="$(median "none_${s##*_}" \
		.steps.session.p50_ms)" 'BEGIN { printf "%.3f", a - b }')
	added=$(awk -v a="$p99" -v b="$(median "none_${s##*_}" \
		.steps.session.p99_ms)" 'BEGIN { printf "%.3f", a - b }')
	r50=$(median "$s" .steps.rcpt.p50_ms)
	r99=$(median "$s" .steps.rcpt.p99_ms)
	printf '%-6s %-5s %8.3f %8.3f %8.3f %10s %10s %9.3f %9.3f %8.0f\n' \
		"${s%_*}" "${s##*_}" "$p50" "$p90" "$p99" "$added50" "$added" \
		"$r50" "$r99" "$rate"
	json+=",\"${s}_rcpt_p50_ms\":$r50,\"${s}_rcpt_p99_ms\":$r99"
	json+=",\"${s}_p50_ms\":$p50,\"${s}_p90_ms\":$p90"
	json+=",\"${s}_p99_ms\":$p99,\"${s}_added_p50_ms\":$added50"
	json+=",\"${s}_added_p99_ms\":$added"
done
worst=$(median hole .steps.session.max_ms)
hole_p50=$(median hole .steps.session.p50_ms)
refused=$(median hole .rcpt_refused)
# What the store made the worst session wait: beyond the same session
# without a store (its median).
beyond=$(awk -v w="$worst" -v b="$(median none_on .steps.session.p50_ms)" \
	'BEGIN { printf "%.3f", w - b }')
echo
echo "== Redis black-holed: worst session $worst ms (median of $runs rounds;" \
	"target <= $((TIMEOUT_MS + 5)) ms), $beyond ms beyond a session" \
	"without a store (none_on p50); p50 $hole_p50 ms," \
	"recipients refused $refused"
json+=",\"hole_worst_ms\":$worst,\"hole_beyond_no_store_ms\":$beyond"
json+=",\"hole_p50_ms\":$hole_p50"
json+=",\"hole_rcpt_refused\":$refused}"
echo "$json"
