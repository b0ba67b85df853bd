# SPDX-License-Identifier: BSD-2-Clause
# redis.sh - a private redis-server on loopback for a test (bash; source
# tests/integration/lib.sh first, for skip_or_fail).
#
#   redis_up [PASSWORD]   start redis-server on 127.0.0.1 on a free port of
#                         its own, with a socket in its own directory, no
#                         persistence, and a password if one is given;
#                         wait until it answers PING.  Sets $REDIS_PORT,
#                         $REDIS_SOCKET, $REDIS_DIR, $REDIS_PID, $REDIS_LOG
#   redis_down            stop it (thawed first) and remove its directory;
#                         the EXIT trap redis_up chains calls it
#   redis_stop            stop it (SIGTERM, SIGKILL after 5 s); the port
#                         stays ours to restart on
#   redis_restart         start it again on the same port and socket
#   redis_freeze          SIGSTOP: the port still accepts connections (the
#                         kernel completes them) but nothing answers
#   redis_thaw            SIGCONT
#   redis_cli ARG...      redis-cli against it (with the password)
#   redis_gone            no redis-server of ours runs any more (pgrep
#                         over the port in the command line)
#
# Only the process this file started is ever signalled, named by its pid
# and start time (proc.sh): a redis-server of the system, or of another
# test, on its own port is never touched.  Should the test be killed
# before its trap runs, the server gets SIGTERM as its parent dies.

# shellcheck source=tests/lib/proc.sh
. "$top_srcdir/tests/lib/proc.sh"
REDIS_PID=
REDIS_START=
REDIS_PASSWORD=
_redis_trap_set=0

redis_up()
{
	command -v redis-server >/dev/null ||
		skip_or_fail "redis-server is not installed (Debian: redis-server)"
	command -v redis-cli >/dev/null ||
		skip_or_fail "redis-cli is not installed (Debian: redis-tools)"
	command -v python3 >/dev/null || skip_or_fail "python3 is not installed"
	command -v setpriv >/dev/null ||
		skip_or_fail "setpriv is not installed (Debian: util-linux)"
	REDIS_PASSWORD=${1:-}
	# Short: the socket's path must fit sun_path (108 bytes).
	REDIS_DIR=$(mktemp -d /tmp/ptrredis.XXXXXX) || exit 99
	REDIS_SOCKET=$REDIS_DIR/redis.sock
	REDIS_LOG=$REDIS_DIR/redis.log
	REDIS_PORT=$(python3 "$top_srcdir/tests/lib/free_ports.py" 1) || exit 99
	_redis_chain_trap
	_redis_start || exit 99
}

# _redis_start: the server on $REDIS_PORT, in the foreground of a
# background job, so that its pid is ours to signal.
_redis_start()
{
	local args=(--port "$REDIS_PORT" --bind 127.0.0.1 --protected-mode yes
		--unixsocket "$REDIS_SOCKET" --unixsocketperm 700
		--save '' --appendonly no --dir "$REDIS_DIR"
		--daemonize no --logfile "$REDIS_LOG")
	[ -z "$REDIS_PASSWORD" ] || args+=(--requirepass "$REDIS_PASSWORD")
	# setpriv execs redis-server (the pid stays ours) with a parent-death
	# signal: a test killed outright, whose trap never runs, still takes
	# its server with it.
	setpriv --pdeathsig TERM -- redis-server "${args[@]}" </dev/null \
	    >/dev/null 2>&1 8>&- 9>&- &
	REDIS_PID=$!
	proc_forget "$REDIS_PID"
	REDIS_START=$(proc_start "$REDIS_PID")
	for _ in $(seq 100); do
		[ "$(redis_cli ping 2>/dev/null)" = PONG ] && return 0
		proc_running "$REDIS_PID" "$REDIS_START" || break
		sleep 0.05
	done
	echo "FAIL: redis-server did not answer PING on port $REDIS_PORT:" >&2
	cat "$REDIS_LOG" >&2 2>/dev/null
	return 1
}

redis_cli()
{
	if [ -n "$REDIS_PASSWORD" ]; then
		REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h 127.0.0.1 \
		    -p "$REDIS_PORT" "$@"
	else
		redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
	fi
}

redis_freeze()
{
	proc_running "$REDIS_PID" "$REDIS_START" && kill -STOP "$REDIS_PID"
}

redis_thaw()
{
	proc_running "$REDIS_PID" "$REDIS_START" && kill -CONT "$REDIS_PID"
	return 0
}

redis_stop()
{
	[ -n "$REDIS_PID" ] || return 0
	if proc_running "$REDIS_PID" "$REDIS_START"; then
		kill -CONT "$REDIS_PID" 2>/dev/null
		kill -TERM "$REDIS_PID" 2>/dev/null
		if ! proc_gone "$REDIS_PID" 5; then
			proc_running "$REDIS_PID" "$REDIS_START" &&
				kill -KILL "$REDIS_PID" 2>/dev/null
			proc_gone "$REDIS_PID" 5
		fi
	fi
	REDIS_PID=
	REDIS_START=
}

redis_restart()
{
	redis_stop
	_redis_start
}

redis_down()
{
	redis_stop
	[ -z "${REDIS_DIR:-}" ] || rm -rf "$REDIS_DIR"
	REDIS_DIR=
}

redis_gone()
{
	! pgrep -f "redis-server 127\\.0\\.0\\.1:${REDIS_PORT}\\b" >/dev/null
}

# _redis_chain_trap: redis_down on exit, then whatever EXIT trap the test
# (or another library: milter.sh, world.sh) had set before.
_redis_chain_trap()
{
	[ "$_redis_trap_set" = 1 ] && return
	_redis_prev_exit=$(trap -p EXIT)
	_redis_prev_exit=${_redis_prev_exit#trap -- \'}
	_redis_prev_exit=${_redis_prev_exit%\' EXIT}
	# shellcheck disable=SC2064
	trap 'redis_down; eval "${_redis_prev_exit:-}"' EXIT
	_redis_trap_set=1
}
