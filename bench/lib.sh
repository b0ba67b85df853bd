# SPDX-License-Identifier: BSD-2-Clause
# bench/lib.sh - shared pieces of bench/run: milters started and stopped,
# client lists, load runs, /proc samples.  Sourced; expects $B (a built
# tree), $work (a scratch directory) and $world (the DNS world's
# directory) to be set.

LOAD=$B/bench/milter_load
MILTER_PIDS=()

# clients FILE FIRST COUNT [literal]: bench hosts FIRST.. as "IP HELO"
# lines; host K of the world is 198.18.0.0+K with the name
# hK.bench.example.com, which is its HELO too, or with "literal" the
# address literal [198.18.x.y] (nothing to look up).
clients()
{
	local file=$1 first=$2 count=$3 literal=${4:-}
	awk -v f="$first" -v n="$count" -v lit="$literal" 'BEGIN {
		for (k = f; k < f + n; k++) {
			ip = sprintf("198.18.%d.%d", int(k / 256), k % 256)
			helo = lit != "" ? "[" ip "]" : \
			    sprintf("h%d.bench.example.com", k)
			print ip, helo
		}
	}' >"$file"
}

# ptrmilter_conf FILE SOCKET [LINE...]: the world's settings, the socket,
# then LINEs ("key = value"), which replace the world's line for the key.
ptrmilter_conf()
{
	local file=$1 socket=$2 line keys=" socket "
	shift 2
	for line in "$@"; do
		keys+="${line%%[ =]*} "
	done
	{
		awk -v keys="$keys" '{
			k = $1; sub(/=.*/, "", k)
			if (index(keys, " " k " ") == 0) print
		}' "$world/ptrmilter.conf"
		echo "socket = $socket"
		printf '%s\n' "$@"
	} >"$file"
}

# start_milter LOG SOCKET CMD...: starts CMD in the background, waits for
# SOCKET (unix:PATH or inet:PORT@HOST) to accept; sets MILTER_PID.
start_milter()
{
	local log=$1 socket=$2 i
	shift 2
	"$@" >"$log" 2>&1 9>&- &
	MILTER_PID=$!
	MILTER_PIDS+=("$MILTER_PID")
	for i in $(seq 100); do
		if socket_up "$socket"; then
			return 0
		fi
		kill -0 "$MILTER_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench: $* did not start on $socket:" >&2
	tail -n 20 "$log" >&2
	return 1
}

socket_up()
{
	case $1 in
	unix:*)	[ -S "${1#unix:}" ] ;;
	inet:*)	local hp=${1#inet:}
		(exec 3<>"/dev/tcp/${hp#*@}/${hp%@*}") 2>/dev/null ;;
	*)	return 1 ;;
	esac
}

# stop_milter PID: SIGTERM, then wait for it.
stop_milter()
{
	kill -TERM "$1" 2>/dev/null || return 0
	wait "$1" 2>/dev/null || true
}

stop_all_milters()
{
	local pid
	for pid in "${MILTER_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${MILTER_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	MILTER_PIDS=()
}

# load NAME ARGS...: one milter_load run; its JSON line goes to
# $work/NAME.json and a one-line summary to stdout.
load()
{
	local name=$1
	shift
	"$LOAD" --json "$@" >"$work/$name.json" 2>"$work/$name.err" || {
		echo "bench: milter_load $name failed:" >&2
		tail -n 5 "$work/$name.err" "$work/$name.json" >&2
		return 1
	}
	jq -r --arg n "$name" '"  \($n): \(.sessions) sessions, " +
	    "\(.sessions_per_s | floor)/s, errors \(.errors), session p99 " +
	    "\(.steps.session.p99_ms) ms, verdict p99 \(.steps.verdict.p99_ms) ms"' \
	    "$work/$name.json"
}

# field NAME JQ: a figure from $work/NAME.json.
field()
{
	jq -r "$2" "$work/$1.json"
}

# proc_sample PID: "rss_kb threads fds" of a running process.
proc_sample()
{
	local rss threads fds
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status")
	threads=$(awk '/^Threads:/ { print $2 }' "/proc/$1/status")
	fds=$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	echo "$rss $threads $fds"
}

# cpu_ticks PID: user + system time so far, in clock ticks.
cpu_ticks()
{
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# now_ms: monotonic enough for a benchmark's own bookkeeping.
now_ms()
{
	echo $(($(date +%s%N) / 1000000))
}
