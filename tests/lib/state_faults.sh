# SPDX-License-Identifier: BSD-2-Clause
# state_faults.sh - the daemon's sessions measured while its state store
# fails under it (tests/integration/state_faults_*.test; source lib.sh
# and milter.sh first, and start the daemon with metrics_listen on
# 127.0.0.1:$MPORT).
#
#   sf_phase NAME SECONDS  the band client ($SF_CLIENT, "IP,HELO") at 20
#                          sessions a second for SECONDS through
#                          bench/milter_load: its figures in $W/NAME.json,
#                          the daemon's log of the phase in $W/NAME.log
#   sf_fig NAME JQ         a figure of a phase
#   sf_bounded NAME        every session of the phase ended, within
#                          $SF_SESSION_BOUND_MS as milter_load saw it, and
#                          every decision line's ms= (the lookups' own
#                          time) within $SF_DAEMON_BOUND_MS; prints them
#   sf_all_accepted NAME   no recipient of the phase was refused
#   sf_accepted            the last mc session's recipient was accepted
#   sf_greylisted          ... was greylisted (451 4.7.1)
#   sf_gauge               ptrmilter_state_store_up from a fresh scrape
#   sf_count REGEX         lines of the daemon's log that match
#
# The load is an open loop, so that the store's probes after each backoff
# (1 s, then 2 s) fall inside a phase: those are the sessions that wait.

SF_LOAD=$top_builddir/bench/milter_load
[ -x "$SF_LOAD" ] || skip_or_fail "$SF_LOAD is not built"

sf_phase()
{
	local before
	before=$(wc -c <"$PM_LOG")
	"$SF_LOAD" -s "unix:$PM_SOCKET" -r 20 -d "$2" --timeout 10 \
		-a "$SF_CLIENT" --json >"$W/$1.json" 2>"$W/$1.err"
	tail -c +"$((before + 1))" "$PM_LOG" >"$W/$1.log"
}

sf_fig()
{
	jq -r "$2" "$W/$1.json"
}

sf_bounded()
{
	local worst dms n ip
	ip=${SF_CLIENT%%,*}
	n=$(sf_fig "$1" .sessions)
	worst=$(sf_fig "$1" .steps.session.max_ms)
	dms=$(grep -F " ip=$ip " "$W/$1.log" |
		sed -n 's/.* action=[a-z]* ip=.* ms=\([0-9]*\).*/\1/p' |
		sort -n | tail -n 1)
	echo "# measured: $1: $n sessions, session p50" \
		"$(sf_fig "$1" .steps.session.p50_ms) ms, worst $worst ms;" \
		"lookups (ms=) worst ${dms:-none} ms"
	test "$n" -ge 30 -a "$(sf_fig "$1" .errors)" = 0 -a -n "$dms" &&
		awk -v w="$worst" -v b="$SF_SESSION_BOUND_MS" \
		    'BEGIN { exit !(w <= b) }' &&
		test "$dms" -le "$SF_DAEMON_BOUND_MS"
}

sf_all_accepted()
{
	test "$(sf_fig "$1" .rcpt_refused)" = 0 -a \
	    "$(sf_fig "$1" '.outcomes.tempfail // 0')" = 0
}

sf_gauge()
{
	python3 "$PYLIB/metric_value.py" "$MPORT" ptrmilter_state_store_up
}

sf_count()
{
	grep -Ec -- "$1" "$PM_LOG"
}

sf_accepted()
{
	has '^rcpt continue' && ! has '^rcpt tempfail'
}

sf_greylisted()
{
	has '^rcpt tempfail 451 4\.7\.1 Greylisted'
}
