#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# rspamd.sh - run rspamd as a milter beside ptrmilter, for the benchmark.
#
#   bench/rspamd.sh start STATEDIR WORLDDIR
#   bench/rspamd.sh stop STATEDIR
#
# start installs the Debian packages rspamd and unbound if they are missing
# (apt-get update, then apt-get install --no-install-recommends: no redis)
# (and makes sure no service of theirs is left running), writes the
# configurations of bench/rspamd/ into STATEDIR/etc, starts an unbound
# daemon on 127.53.0.20:53 that resolves through the DNS world in WORLDDIR
# (tests/dnsworld/world start WORLDDIR ...; it must be running) and
# validates with its trust anchor, then rspamd: one proxy worker process
# per core in milter mode scanning itself, with only its reverse-DNS, HELO
# and hostname checks (see bench/rspamd/rspamd.conf and bench/README.md).
# It waits until the milter socket accepts connections and prints the
# socket as libmilter and Postfix spell it, e.g.
#
#   unix:/tmp/x/run/milter.sock
#
# On failure it says why on stderr, stops what it started and exits
# non-zero.  stop ends rspamd and unbound by their pid files, waits for
# them to go and is harmless to repeat; it never signals a process that is
# not the one start left there.
#
# Environment (all optional):
#   RSPAMD_MILTER       the milter socket: unix:PATH or inet:PORT@127.0.0.1
#                       (default unix:STATEDIR/run/milter.sock)
#   RSPAMD_WORKERS      proxy worker processes (default: number of cores)
#   RSPAMD_LOG_LEVEL    error, warning, notice, info (default), debug
#   UNBOUND_THREADS     unbound threads (default 1, as ptrmilter's
#                       libunbound has one resolving thread)
#   UNBOUND_LOG_QUERIES yes: unbound logs every query and reply it gets
#                       (default no)
#
# Needs root (port 53, packages).  Sends nothing beyond loopback.

set -eu
set -o pipefail
umask 022

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
PROG=rspamd.sh
CONF_SRC=$HERE/rspamd
MARK=.rspamd-bench	# says STATEDIR is ours
RSPAMD_USER=_rspamd
RSPAMD_BIN=/usr/bin/rspamd
UNBOUND_BIN=/usr/sbin/unbound
UNBOUND_ADDR=127.53.0.20
START_WAIT=60		# seconds for rspamd to take milter connections
DNS_WAIT=10		# seconds for unbound to answer
STOP_WAIT=20		# seconds for a process to exit on SIGTERM

usage()
{
	cat >&2 <<EOF
usage: $PROG start STATEDIR WORLDDIR
       $PROG stop STATEDIR
EOF
	exit 2
}

die()
{
	echo "$PROG: $*" >&2
	exit 1
}

abspath()
{
	case $1 in
	/*)	printf '%s\n' "${1%/}" ;;
	*)	printf '%s\n' "$PWD/${1%/}" ;;
	esac
}

# --- packages -------------------------------------------------------------

installed()
{
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = \
	    installed ]
}

# Stop whatever the packages' own services left running (the package
# scripts start them where an init system lets them) and keep them from
# starting at boot.
stop_package_services()
{
	local svc pid exe
	for svc in rspamd unbound redis-server; do
		[ -x "/etc/init.d/$svc" ] || continue
		if [ -d /run/systemd/system ] && command -v systemctl >/dev/null
		then
			systemctl stop "$svc" >/dev/null 2>&1 || true
			systemctl disable "$svc" >/dev/null 2>&1 || true
		else
			"/etc/init.d/$svc" stop >/dev/null 2>&1 || true
			update-rc.d "$svc" disable >/dev/null 2>&1 || true
		fi
	done
	# Anything of theirs still there (a pid file in the packages' places)
	for pid in $(cat /run/rspamd/rspamd.pid /run/unbound.pid \
	    /run/redis/redis-server.pid 2>/dev/null); do
		case $pid in ''|*[!0-9]*) continue ;; esac
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
		case $exe in
		"$RSPAMD_BIN"|"$UNBOUND_BIN"|/usr/bin/redis-server|\
		/usr/bin/redis-check-rdb)
			kill "$pid" 2>/dev/null || true ;;
		esac
	done
}

# The bench STATEDIR that process $1 belongs to, if any: for unbound the
# configuration on its command line, for rspamd (which retitles its
# processes) the log file it holds open.
owner_statedir()
{
	local pid=$1 exe f dir=
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 0
	case $exe in
	"$UNBOUND_BIN")
		f=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null |
		    sed -n '/\/etc\/unbound\.conf$/p' | head -n 1) || true
		dir=${f%/etc/unbound.conf} ;;
	"$RSPAMD_BIN")
		for f in /proc/"$pid"/fd/*; do
			f=$(readlink "$f" 2>/dev/null) || continue
			case $f in
			*/log/rspamd.log) dir=${f%/log/rspamd.log}; break ;;
			esac
		done ;;
	esac
	[ -n "$dir" ] && [ -f "$dir/$MARK" ] && echo "$dir"
	return 0
}

# The packages' own instances, if any: "PID PROGRAM" of every process
# run from the packages' own configuration (an unbound without -c or with
# one under /etc/unbound, an rspamd writing /var/log/rspamd, any
# redis-server).  Other instances (another bench STATEDIR's) are not.
package_instances()
{
	local pid exe cmd f
	for pid in $(ps -e -o pid=); do
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
		case $exe in
		"$UNBOUND_BIN")
			cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) ||
			    continue
			case " $cmd" in
			*" -c /etc/unbound/"*) ;;	# the package's
			*" -c "*) continue ;;		# someone's own
			esac				# no -c: the package's
			echo "$pid unbound" ;;
		"$RSPAMD_BIN")
			[ -n "$(owner_statedir "$pid")" ] && continue
			for f in /proc/"$pid"/fd/*; do
				f=$(readlink "$f" 2>/dev/null) || continue
				case $f in
				/var/log/rspamd/*|/run/rspamd/*)
					echo "$pid rspamd"
					break ;;
				esac
			done ;;
		/usr/bin/redis-server|/usr/bin/redis-check-rdb)
			echo "$pid redis-server" ;;
		esac
	done
}

ensure_packages()
{
	local policy_made=false
	if installed rspamd && installed unbound && [ -x "$RSPAMD_BIN" ] &&
	    [ -x "$UNBOUND_BIN" ]; then
		return 0
	fi
	echo "$PROG: installing rspamd and unbound" >&2
	# Keep the packages' services from being started by their scripts.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy_made=true
	fi
	if ! apt-get update -q >&2 ||
	    ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends rspamd unbound >&2; then
		$policy_made && rm -f /usr/sbin/policy-rc.d
		die "cannot install the packages rspamd and unbound"
	fi
	$policy_made && rm -f /usr/sbin/policy-rc.d
	stop_package_services
	installed rspamd && installed unbound ||
	    die "rspamd or unbound is still not installed"
}

# --- processes ------------------------------------------------------------

# Pid in file $1 if it is a live process running program $2, else nothing.
live_pid()
{
	local pid exe
	[ -f "$1" ] || return 0
	pid=$(head -n 1 "$1" 2>/dev/null | tr -d ' ') || return 0
	case $pid in ''|*[!0-9]*) return 0 ;; esac
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 0
	[ "$exe" = "$2" ] || return 0
	# a zombie is gone
	case $(ps -o stat= -p "$pid" 2>/dev/null) in Z*|'') return 0 ;; esac
	echo "$pid"
}

# Live children of $1 running program $2.
children_of()
{
	local pid exe
	for pid in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
		[ "$exe" = "$2" ] && echo "$pid"
	done
	return 0
}

# Stop the program $2 whose pid file is $1 (and its children), wait.
stop_pidfile()
{
	local file=$1 bin=$2 name=$3 pid i p
	local -a all
	pid=$(live_pid "$file" "$bin")
	if [ -z "$pid" ]; then
		rm -f "$file"
		return 0
	fi
	# Check that it is this STATEDIR's.
	if [ "$(owner_statedir "$pid")" != "$STATEDIR" ]; then
		echo "$PROG: pid $pid in $file is not ours; left alone" >&2
		return 1
	fi
	mapfile -t all < <(echo "$pid"; children_of "$pid" "$bin")
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < STOP_WAIT * 10; i++)); do
		local left=0
		for p in "${all[@]}"; do
			case $(ps -o stat= -p "$p" 2>/dev/null) in
			''|Z*) ;;
			*) left=1 ;;
			esac
		done
		[ "$left" = 0 ] && break
		sleep 0.1
	done
	if [ "$left" != 0 ]; then
		echo "$PROG: $name did not exit on SIGTERM; killing it" >&2
		kill -KILL "${all[@]}" 2>/dev/null || true
		sleep 0.5
	fi
	rm -f "$file"
}

do_stop()
{
	local rc=0
	[ -d "$STATEDIR" ] || return 0
	[ -f "$STATEDIR/$MARK" ] || die "$STATEDIR was not made by $PROG start"
	stop_pidfile "$STATEDIR/run/rspamd.pid" "$RSPAMD_BIN" rspamd || rc=1
	stop_pidfile "$STATEDIR/run/unbound.pid" "$UNBOUND_BIN" unbound || rc=1
	rm -f "$STATEDIR/run/milter.sock"
	return $rc
}

# --- start ----------------------------------------------------------------

# Can we connect to the milter socket $1 (unix:PATH or inet:PORT@HOST)?
milter_accepts()
{
	python3 "$HERE/milter_accepts.py" "$1" 2>/dev/null
}

start_failed()
{
	local rc=$?
	trap - EXIT
	if [ "$rc" != 0 ]; then
		echo "$PROG: start failed; stopping what was started" >&2
		for f in "$STATEDIR/log/rspamd.log" "$STATEDIR/log/unbound.log" \
		    "$STATEDIR/log/rspamd.stderr"; do
			[ -s "$f" ] || continue
			echo "--- last lines of $f" >&2
			tail -n 15 "$f" >&2
		done
		do_stop || true
	fi
	exit "$rc"
}

do_start()
{
	local world=$1 milter bind workers level threads logq verbosity
	local i pid

	[ "$(id -u)" = 0 ] || die "needs root (port 53, packages)"
	[ -f "$world/unbound.conf" ] && [ -f "$world/root.key" ] ||
	    die "$world has no unbound.conf and root.key:" \
		"start the DNS world first (tests/dnsworld/world start DIR)"
	[ -f "$CONF_SRC/rspamd.conf" ] && [ -f "$CONF_SRC/unbound.conf" ] ||
	    die "missing configuration in $CONF_SRC"
	dig +time=1 +tries=1 +short @127.53.0.1 . SOA >/dev/null 2>&1 ||
	    die "the DNS world does not answer on 127.53.0.1"

	if [ -e "$STATEDIR" ]; then
		[ -f "$STATEDIR/$MARK" ] || [ -z "$(ls -A "$STATEDIR")" ] ||
		    die "$STATEDIR exists and was not made by $PROG"
		if [ -n "$(live_pid "$STATEDIR/run/rspamd.pid" "$RSPAMD_BIN")" ] ||
		    [ -n "$(live_pid "$STATEDIR/run/unbound.pid" \
		    "$UNBOUND_BIN")" ]; then
			die "already running in $STATEDIR: $PROG stop it first"
		fi
	fi

	milter=${RSPAMD_MILTER:-unix:$STATEDIR/run/milter.sock}
	case $milter in
	unix:/*)
		bind="${milter#unix:} mode=0666 owner=$RSPAMD_USER"
		[ "${#milter}" -le 100 ] ||
		    die "socket path too long for a unix socket: $milter" ;;
	inet:[0-9]*@127.*|inet:[0-9]*@localhost)
		bind="${milter#*@}:${milter#inet:}"
		bind=${bind%@*} ;;
	*)	die "RSPAMD_MILTER must be unix:/ABSOLUTE/PATH or" \
		    "inet:PORT@127.x.y.z (loopback only): $milter" ;;
	esac
	workers=${RSPAMD_WORKERS:-$(nproc 2>/dev/null || echo 2)}
	level=${RSPAMD_LOG_LEVEL:-info}
	threads=${UNBOUND_THREADS:-1}
	logq=${UNBOUND_LOG_QUERIES:-no}
	for i in "$workers" "$threads"; do
		case $i in ''|*[!0-9]*|0*) die "bad worker or thread count: $i" ;;
		esac
	done
	case $level in error|warning|notice|info|debug) ;;
	*) die "RSPAMD_LOG_LEVEL must be error, warning, notice, info or debug" ;;
	esac
	case $logq in yes) verbosity=1 ;; no) verbosity=0 ;;
	*) die "UNBOUND_LOG_QUERIES must be yes or no" ;; esac

	ensure_packages
	pid=$(package_instances)
	if [ -n "$pid" ]; then
		stop_package_services
		sleep 1
		pid=$(package_instances)
		[ -z "$pid" ] ||
		    die "instances of the packages' own services are running" \
			"(pid, program): $(echo $pid); stop them first"
	fi
	id "$RSPAMD_USER" >/dev/null 2>&1 || die "no user $RSPAMD_USER"

	trap start_failed EXIT
	rm -rf "$STATEDIR"
	mkdir -p "$STATEDIR"
	: >"$STATEDIR/$MARK"
	mkdir -p "$STATEDIR/etc" "$STATEDIR/db" "$STATEDIR/run" \
	    "$STATEDIR/log" "$STATEDIR/unbound"
	chown "$RSPAMD_USER:" "$STATEDIR/db" "$STATEDIR/run" "$STATEDIR/log"
	chmod 755 "$STATEDIR" "$STATEDIR/run"

	cp "$CONF_SRC/order.lua" "$STATEDIR/etc/"
	sed -e "s|@MILTER_BIND@|$bind|g" -e "s|@LOG_LEVEL@|$level|g" \
	    -e "s|@PROXY_COUNT@|$workers|g" \
	    "$CONF_SRC/rspamd.conf" >"$STATEDIR/etc/rspamd.conf"
	sed -e "s|@STATEDIR@|$STATEDIR|g" -e "s|@WORLDDIR@|$world|g" \
	    -e "s|@THREADS@|$threads|g" -e "s|@VERBOSITY@|$verbosity|g" \
	    -e "s|@LOGQUERIES@|$logq|g" \
	    "$CONF_SRC/unbound.conf" >"$STATEDIR/etc/unbound.conf"
	# The proxy runs as _rspamd: it must reach its socket directory.
	touch "$STATEDIR/log/unbound.log"

	# unbound
	! dig +time=1 +tries=1 "@$UNBOUND_ADDR" . SOA >/dev/null 2>&1 ||
	    die "something already answers on $UNBOUND_ADDR port 53" \
		"(another $PROG instance?)"
	unbound-checkconf "$STATEDIR/etc/unbound.conf" >/dev/null ||
	    die "unbound-checkconf rejects $STATEDIR/etc/unbound.conf"
	"$UNBOUND_BIN" -c "$STATEDIR/etc/unbound.conf" \
	    >"$STATEDIR/log/unbound.stderr" 2>&1 ||
	    die "unbound did not start (see $STATEDIR/log/unbound.log)"
	for ((i = 0; i < DNS_WAIT * 10; i++)); do
		dig +time=1 +tries=1 "@$UNBOUND_ADDR" . SOA 2>/dev/null |
		    grep -q 'status: NOERROR' && break
		sleep 0.1
	done
	[ "$i" -lt $((DNS_WAIT * 10)) ] ||
	    die "unbound on $UNBOUND_ADDR does not resolve the world's root"
	dig +time=2 +tries=1 "@$UNBOUND_ADDR" . SOA 2>/dev/null |
	    grep -q 'flags:.* ad[ ;]' ||
	    die "unbound on $UNBOUND_ADDR does not validate the world's root"

	# rspamd
	rspamd -c "$STATEDIR/etc/rspamd.conf" -u "$RSPAMD_USER" \
	    -g "$RSPAMD_USER" \
	    --var "LOCAL_CONFDIR=$STATEDIR/etc" \
	    --var "DBDIR=$STATEDIR/db" \
	    --var "RUNDIR=$STATEDIR/run" \
	    --var "LOGDIR=$STATEDIR/log" \
	    </dev/null >"$STATEDIR/log/rspamd.stderr" 2>&1 ||
	    die "rspamd did not start"
	for ((i = 0; i < START_WAIT * 10; i++)); do
		pid=$(live_pid "$STATEDIR/run/rspamd.pid" "$RSPAMD_BIN")
		if [ -n "$pid" ] && milter_accepts "$milter"; then
			break
		fi
		if [ "$i" -gt 50 ] && [ -z "$pid" ]; then
			die "rspamd exited (see $STATEDIR/log/rspamd.log)"
		fi
		sleep 0.1
	done
	[ "$i" -lt $((START_WAIT * 10)) ] ||
	    die "rspamd's milter socket $milter takes no connections" \
		"after $START_WAIT s"
	trap - EXIT
	printf '%s\n' "$milter"
}

[ $# -ge 2 ] || usage
cmd=$1
STATEDIR=$(abspath "$2")
case $cmd in
start)
	[ $# = 3 ] || usage
	do_start "$(abspath "$3")"
	;;
stop)
	[ $# = 2 ] || usage
	[ "$(id -u)" = 0 ] || die "needs root"
	do_stop
	;;
*)	usage ;;
esac
