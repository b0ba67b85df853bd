#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/ptrcheck_domain.sh - the sender's audit measured: ptrcheck
# --domain bulk.spf.example.com (an SPF record and one include naming
# 1,000 IPv4 addresses, 198.19.0.0 to 198.19.3.231, and a null MX) against
# the DNS test world on loopback.
#
#   bench/ptrcheck_domain.sh [BUILD_DIR [RUNS]]
#
# BUILD_DIR holds a built src/ptrcheck (default _build/bench); RUNS fresh
# ptrcheck processes (default 3), each with libunbound's cache empty, so
# every run pays the delegations and keys as well.  Per run: the wall
# time, addresses judged per second, and the DNS queries NSD answered
# during the run (its own counter, num.queries: the authoritative side,
# so what libunbound's cache saves is not counted) per address judged.
# The SPF walk's own queries come from the report (ptrcheck's count at its
# resolver API).  The last line is JSON with the median run's figures.
# Takes the machine-wide DNS world lock; as root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$top/_build/bench}
runs=${2:-3}
DOMAIN=bulk.spf.example.com
WORLD=$top/tests/dnsworld/world
[ -x "$B/src/ptrcheck" ] ||
	{ echo "ptrcheck_domain.sh: $B/src/ptrcheck is not built" >&2; exit 1; }
work=$(mktemp -d /tmp/ptrcheck-domain-bench.XXXXXX)
cleanup()
{
	"$WORLD" stop "$work/dns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=tests/lib/lock_dir.sh
. "$top/tests/lib/lock_dir.sh"
lock_open 8 world.lock || exit 1
flock -w 900 8 ||
	{ echo "ptrcheck_domain.sh: the DNS world stayed locked" >&2; exit 1; }
"$WORLD" start "$work/dns" --stats >/dev/null

nsd_queries()
{
	"$WORLD" stats "$work/dns" | sed -n 's/^num\.queries=//p'
}
now_ns()
{
	date +%s%N
}

echo "== ptrcheck --domain $DOMAIN, $runs cold runs"
: >"$work/runs"
for run in $(seq "$runs"); do
	q0=$(nsd_queries)
	t0=$(now_ns)
	"$B/src/ptrcheck" -c "$work/dns/ptrmilter.conf" --json \
		--domain "$DOMAIN" >"$work/report" 2>"$work/stderr" || true
	t1=$(now_ns)
	q1=$(nsd_queries)
	read -r checked spf_queries < <(jq -r -s '[(.[] | .summary.checked //
		empty), (.[0].domain.spf.queries)] | @tsv' "$work/report")
	awk -v n="$checked" -v ns=$((t1 - t0)) -v q=$((q1 - q0)) \
	    -v sq="$spf_queries" 'BEGIN {
		printf "%d %.3f %.1f %d %.3f %d\n", n, ns / 1e9,
		    n / (ns / 1e9), q, q / n, sq }' >>"$work/runs"
	read -r n s rate q qpa sq < <(tail -n 1 "$work/runs")
	echo "  run $run: $n addresses in $s s: $rate addresses/s;" \
		"$q queries at NSD, $qpa per address (SPF walk: $sq)"
done
# The median run by time.
sort -k2,2n "$work/runs" | sed -n "$(((runs + 1) / 2))p" |
	awk '{ printf "{\"domain_addresses\":%d,\"domain_seconds\":%s," \
	    "\"domain_addresses_per_s\":%s,\"domain_nsd_queries\":%d," \
	    "\"domain_queries_per_address\":%s,\"domain_spf_queries\":%d}\n",
	    $1, $2, $3, $4, $5, $6 }'
