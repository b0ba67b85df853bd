# SPDX-License-Identifier: BSD-2-Clause
# milter.sh - runs the built ptrmilter daemon for a test, against the DNS
# world (source lib.sh first and call world_up).
#
#   ptrmilter_up [CONF_LINES...]   start it in the foreground (-f -v) on
#                                  $W/ptrmilter.sock with the world's DNS
#                                  settings plus CONF_LINES; sets $PM_PID,
#                                  $PM_CONF, $PM_LOG, $PM_SOCKET
#   ptrmilter_down                 SIGTERM, then wait (SIGKILL after 10 s)
#   ptrmilter_log_has REGEX        the daemon's log has a matching line
#   mc STEP...                     one milter_client.py session against it;
#                                  sets $out (its output) and $rc
#   mc_args ARG...                 the same with milter_client.py arguments
#                                  as they are (--step-escaped; a --socket
#                                  of its own wins over the daemon's)
#   headers_checked [MIN]          every header mc saw the daemon add or
#                                  change passed milter_client.py
#                                  --check-headers (mc always asks for it;
#                                  failures are kept in $W/header-failures,
#                                  the headers checked in $W/headers-seen);
#                                  prints the failures to stderr and fails
#                                  if any, or if fewer than MIN (default 0)
#                                  headers were checked
#   headers_count                  how many headers mc has checked so far
#   ptrmilter_state_owner USER     the world's state directory (the
#                                  lmdb: of $CONF's state_store) made
#                                  USER's, mode 0700, as the package's
#                                  StateDirectory= makes it the daemon's:
#                                  for a test whose daemon runs as USER
#                                  (user = USER), else its store is down
#   ptrmilter_state_up             the daemon said at start that its
#                                  state store is up
#   ptrmilter_wait_listening FILE N  until FILE has more than N "listening
#                                  on" lines (a daemon started again
#                                  appends to the same log); fails the
#                                  test after 10 s
#
# The daemon is stopped by the EXIT trap too, so a failing test leaves
# nothing running.

# shellcheck source=tests/lib/proc.sh
. "$top_srcdir/tests/lib/proc.sh"
PTRMILTER=$top_builddir/src/ptrmilter
MILTER_CLIENT=$top_srcdir/tests/lib/milter_client.py
PM_PID=

ptrmilter_up()
{
	command -v python3 >/dev/null || skip_or_fail "python3 is not installed"
	[ -x "$PTRMILTER" ] || skip_or_fail "$PTRMILTER is not built"
	# In postfix.sh's MILTER_DIR when there is one: smtpd (user postfix)
	# must reach the socket.
	PM_SOCKET=${MILTER_DIR:-$W}/ptrmilter.sock
	PM_CONF=$W/ptrmilter-daemon.conf
	PM_LOG=$W/ptrmilter.log
	{
		cat "$CONF"
		echo "socket = unix:$PM_SOCKET"
		for line in "$@"; do
			echo "$line"
		done
	} >"$PM_CONF"
	ptrmilter_start
	_pm_chain_trap
	for _ in $(seq 100); do
		[ -S "$PM_SOCKET" ] && grep -q "listening on" "$PM_LOG" && return 0
		kill -0 "$PM_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL: ptrmilter did not start:" >&2
	cat "$PM_LOG" >&2
	exit 99
}

# run_ptrmilter ARGS...: the daemon, with libmilter's own shutdown race
# suppressed when it is built with TSan.  env execs it, so "run_ptrmilter
# ... &" leaves the daemon's own pid in $!.  The test's lock descriptors
# (8: postfix.sh, 9: lib.sh) are not handed down: a daemon that outlived
# its test must not hold the DNS world for the next one.
PM_TSAN="TSAN_OPTIONS=${TSAN_OPTIONS:+$TSAN_OPTIONS:}suppressions=$top_srcdir/tests/integration/tsan.supp"
run_ptrmilter()
{
	env "$PM_TSAN" "$PTRMILTER" "$@" 8>&- 9>&-
}

# ptrmilter_start: the daemon on $PM_CONF, its output appended to $PM_LOG.
ptrmilter_start()
{
	env "$PM_TSAN" "$PTRMILTER" -f -v -c "$PM_CONF" >>"$PM_LOG" 2>&1 \
		8>&- 9>&- &
	PM_PID=$!
}

_pm_trap_set=0
_pm_chain_trap()
{
	[ "$_pm_trap_set" = 1 ] && return
	_pm_prev_exit=$(trap -p EXIT)
	_pm_prev_exit=${_pm_prev_exit#trap -- \'}
	_pm_prev_exit=${_pm_prev_exit%\' EXIT}
	# shellcheck disable=SC2064
	trap 'ptrmilter_down; eval "${_pm_prev_exit:-}"' EXIT
	_pm_trap_set=1
}

# _pm_term SECONDS: SIGTERM, then wait up to SECONDS for the daemon to
# go; fails if it is still there.
_pm_term()
{
	kill -TERM "$PM_PID" 2>/dev/null
	for _ in $(seq $(($1 * 10))); do
		kill -0 "$PM_PID" 2>/dev/null || return 0
		sleep 0.1
	done
	! kill -0 "$PM_PID" 2>/dev/null
}

ptrmilter_down()
{
	[ -n "$PM_PID" ] || return 0
	# Never "wait" (see proc.sh): a Ctrl-C stops the daemon too.
	proc_forget "$PM_PID"
	_pm_term 10 || kill -KILL "$PM_PID" 2>/dev/null
	proc_gone "$PM_PID" 5
	PM_PID=
}

# ptrmilter_stop_clean: stops the daemon and succeeds only if it exited 0
# and its log holds no sanitizer report (ASan, UBSan, LeakSanitizer, TSan
# write theirs to stderr, which is the log).  One exception, under TSan
# only: reports that come after SIGTERM and hold no frame of ptrmilter's
# own source are libmilter's worker pool tearing itself down (it destroys
# its mutex and condition with no ordering against its workers, in static
# functions of the stripped library that tsan.supp cannot name); they are
# counted on stderr and let pass, with TSan's exit status.
ptrmilter_stop_clean()
{
	local status before after
	[ -n "$PM_PID" ] || return 1
	before=$(wc -c <"$PM_LOG")
	if ! _pm_term 15; then
		echo "ptrmilter did not stop within 15 s of SIGTERM" >&2
		ptrmilter_down
		return 1
	fi
	wait "$PM_PID"
	status=$?
	PM_PID=
	after=$W/ptrmilter.stop.log
	tail -c +"$((before + 1))" "$PM_LOG" >"$after"
	if _pm_log_unchecked "$before" | grep -Eq 'Sanitizer|runtime error:'
	then
		_pm_log_unchecked "$before" |
		    grep -E -A30 'Sanitizer|runtime error:' | head -60 >&2
		return 1
	fi
	_pm_log_checked
	if grep -Eq 'Sanitizer|runtime error:' "$after"; then
		if ! _pm_libmilter_teardown_only "$after"; then
			grep -E -A30 'Sanitizer|runtime error:' "$after" | head -60 >&2
			return 1
		fi
		echo "let pass: $(grep -c '^WARNING: ThreadSanitizer' "$after")" \
		    "ThreadSanitizer report(s) inside libmilter's teardown" >&2
		[ "$status" = 0 ] || [ "$status" = 66 ]
		return
	fi
	[ "$status" = 0 ] || { echo "ptrmilter exited $status" >&2; return 1; }
}

# A test may run several daemons, one after the other, into one PM_LOG.
# What an earlier ptrmilter_stop_clean() has judged - a teardown report
# it let pass included - is not judged again: _pm_log_unchecked BYTES
# writes PM_LOG's bytes from the end of the last judged part up to BYTES,
# and _pm_log_checked marks the whole log as judged.
_PM_CHECKED_LOG=
_PM_CHECKED_BYTES=0

_pm_log_unchecked()
{
	local from=0
	# A log emptied since (": >LOG") is judged from its start again.
	[ "$_PM_CHECKED_LOG" = "$PM_LOG" ] &&
		[ "$(wc -c <"$PM_LOG")" -ge "$_PM_CHECKED_BYTES" ] &&
		from=$_PM_CHECKED_BYTES
	[ "$1" -gt "$from" ] || return 0
	head -c "$1" "$PM_LOG" | tail -c +"$((from + 1))"
}

_pm_log_checked()
{
	_PM_CHECKED_LOG=$PM_LOG
	_PM_CHECKED_BYTES=$(wc -c <"$PM_LOG")
}

# _pm_libmilter_teardown_only FILE: every sanitizer report in FILE is a
# ThreadSanitizer one without a frame in ptrmilter's source files.
_pm_libmilter_teardown_only()
{
	awk '
	/^WARNING: ThreadSanitizer:/ { inrep = 1; ours = 0; n++; next }
	/AddressSanitizer|LeakSanitizer|runtime error:/ { bad = 1 }
	inrep && /\/src\/[A-Za-z0-9_]+\.c:[0-9]+/ { ours = 1 }
	inrep && /^SUMMARY: ThreadSanitizer/ { inrep = 0; if (ours) bad = 1 }
	END { exit !(n > 0 && !bad && !inrep) }' "$1"
}

ptrmilter_wait_listening()
{
	for _ in $(seq 100); do
		[ "$(grep -c 'listening on' "$1" 2>/dev/null)" -gt "$2" ] &&
			return 0
		sleep 0.1
	done
	echo "FAIL: no new 'listening on' line in $1:" >&2
	tail -n 20 "$1" >&2
	exit 99
}

ptrmilter_state_owner()
{
	local dir
	dir=$(sed -n 's/^state_store *= *lmdb://p' "$CONF")
	if [ -z "$dir" ]; then
		echo "FAIL: $CONF has no state_store = lmdb:DIR" >&2
		exit 99
	fi
	install -d -m 0700 -o "$1" -g "$(id -gn "$1")" "$dir" || exit 99
}

ptrmilter_state_up()
{
	grep -Eq "state in lmdb:[^ ]+ \(lmdb\), calls bounded by [0-9]+ ms$" \
	    "$PM_LOG" && ! grep -q "state store .*: down" "$PM_LOG"
}

ptrmilter_log_has()
{
	grep -Eq -- "$1" "$PM_LOG"
}

mc()
{
	local args=()
	for step in "$@"; do
		args+=(--step "$step")
	done
	mc_args "${args[@]}"
}

mc_args()
{
	out=$(python3 "$MILTER_CLIENT" --check-headers \
		--socket "unix:$PM_SOCKET" "$@" 2>&1)
	rc=$?
	# What --check-headers checked: added and inserted headers, changed
	# ones with a value (an empty one deletes).
	printf '%s\n' "$out" |
		grep -E '^[^ ]+ (addheader|(insheader|chgheader) [0-9]+) .*: .' \
		>>"$W/headers-seen"
	printf '%s\n' "$out" | grep '^header-check FAIL' >>"$W/header-failures"
	return 0
}

headers_count()
{
	if [ -f "$W/headers-seen" ]; then
		wc -l <"$W/headers-seen" | tr -d ' '
	else
		echo 0
	fi
}

headers_checked()
{
	if [ -s "$W/header-failures" ]; then
		cat "$W/header-failures" >&2
		return 1
	fi
	if [ "$(headers_count)" -lt "${1:-0}" ]; then
		echo "only $(headers_count) headers checked, fewer than $1" >&2
		return 1
	fi
}

# has REGEX: the last mc output has a matching line.
has()
{
	printf '%s\n' "$out" | grep -Eq -- "$1"
}
