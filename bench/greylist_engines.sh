#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# greylist_engines.sh - what greylisting adds to a session with each state
# store engine: bench/bench_greylist over none (memory), LMDB and a
# private Redis on loopback, ROUNDS times each, the median of each figure.
# See bench/README.md, "bench/bench_greylist".
#
#   bench/greylist_engines.sh [--rounds N] [--rate R] [--triplets N]
#       BUILDDIR [LMDB_PARENT]
#
# BUILDDIR is a built tree (make bench).  LMDB's environment is made
# afresh for each round in a new directory under LMDB_PARENT (default
# /var/tmp: a real disk, not a tmpfs), removed after.  Redis: a
# redis-server started here on a free port of 127.0.0.1, no persistence
# (--save '' --appendonly no), flushed before each round, stopped at
# exit.  Each round is bench_greylist -r RATE (default 2000 checks/s)
# -n TRIPLETS (default 20000): the time a check adds, p50, p99, worst.
# Then the decisions per second one thread sustains: runs at 5,000,
# 10,000, 20,000, 50,000, 100,000, 200,000 checks/s and unpaced, in turn,
# until one has a check that failed open (with LMDB: the writer's queue
# overflowed); the figure is the most checks/s of a run before it.  Prints a table; exits
# non-zero if a paced round failed open anywhere.
set -eu

rounds=3 rate=2000 triplets=20000
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--rate) rate=$2; shift 2 ;;
	--triplets) triplets=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: $0 [--rounds N] [--rate R] [--triplets N] BUILDDIR [LMDB_PARENT]" >&2; exit 64; }
B=$1
parent=${2:-/var/tmp}
here=$(cd "$(dirname "$0")/.." && pwd)
bench=$B/bench/bench_greylist
[ -x "$bench" ] || { echo "$bench is not built (make bench)" >&2; exit 1; }
command -v redis-server >/dev/null ||
	{ echo "redis-server is not installed (Debian: redis-server)" >&2; exit 1; }

work=$(mktemp -d /tmp/greylist-engines.XXXXXX)
redis_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	[ -z "$redis_pid" ] || kill "$redis_pid" 2>/dev/null || true
	[ -z "$redis_pid" ] || wait "$redis_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 "$here/tests/lib/free_ports.py" 1)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
	--dir "$work" --daemonize no --logfile "$work/redis.log" </dev/null &
redis_pid=$!
for _ in $(seq 100); do
	[ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break
	sleep 0.05
done
[ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] ||
	{ echo "redis-server did not start" >&2; exit 1; }

# spec ENGINE: the state_store value for a fresh round of ENGINE.
spec()
{
	case $1 in
	none) echo none ;;
	lmdb) echo "lmdb:$(mktemp -d "$parent/greylist-bench.XXXXXX")/state" ;;
	redis)
		redis-cli -p "$port" flushall >/dev/null
		echo "redis://127.0.0.1:$port/0" ;;
	esac
}

# one ENGINE RATE OUT: one run, its JSON lines appended to OUT.
one()
{
	local s
	s=$(spec "$1")
	"$bench" -s "$s" -r "$2" -n "$triplets" | grep '^{' >>"$3" || true
	case $s in lmdb:*) rm -rf "$(dirname "${s#lmdb:}")" ;; esac
}

# median FILE ROUND FIELD: the median of FIELD over FILE's ROUND lines.
median()
{
	grep "\"round\":\"$2\"" "$1" | sed "s/.*\"$3\":\([0-9]*\).*/\1/" |
	    sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# sum FILE ROUND FIELD: the sum of FIELD over FILE's ROUND lines (all
# rounds when ROUND is empty).
sum()
{
	grep "\"round\":\"$2" "$1" | sed "s/.*\"$3\":\([0-9]*\).*/\1/" |
	    awk '{ s += $1 } END { print s + 0 }'
}

# sustained ENGINE: the most checks/s of a run with no check failing open.
sustained()
{
	local best=0 rate got
	for rate in 5000 10000 20000 50000 100000 200000 0; do
		: >"$work/sustain"
		one "$1" "$rate" "$work/sustain"
		[ "$(sum "$work/sustain" "" failopen)" = 0 ] || break
		got=$(median "$work/sustain" first checks_per_s)
		[ "$got" -le "$best" ] || best=$got
	done
	echo "$best"
}

status=0
printf '%-6s %-6s %8s %8s %8s %9s %12s\n' engine round p50_us p99_us \
	worst_us failopen sustained/s
for engine in none lmdb redis; do
	: >"$work/$engine.paced"
	for _ in $(seq "$rounds"); do
		one "$engine" "$rate" "$work/$engine.paced"
	done
	best=$(sustained "$engine")
	for round in first early; do
		fails=$(sum "$work/$engine.paced" "$round" failopen)
		[ "$fails" = 0 ] || status=1
		printf '%-6s %-6s %8s %8s %8s %9s %12s\n' "$engine" "$round" \
		    "$(median "$work/$engine.paced" "$round" p50_us)" \
		    "$(median "$work/$engine.paced" "$round" p99_us)" \
		    "$(median "$work/$engine.paced" "$round" worst_us)" \
		    "$fails" "$best"
	done
done
echo "(median of $rounds rounds of $triplets checks at $rate/s each;" \
	"sustained: one thread; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
exit "$status"
