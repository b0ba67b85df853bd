# SPDX-License-Identifier: BSD-2-Clause
# postfix.sh - a private Postfix on loopback for the end-to-end milter tests.
#
# Sourced by a test after lib.sh (and after world_up, if the test uses the
# DNS world).  postfix_up starts a Postfix instance of its own - its own
# config, queue and data directories, smtpd on 127.0.0.1 at a free port,
# XCLIENT allowed from loopback, smtpd_milters set to what the test asks -
# that relays every message to an smtp-sink on another loopback port, which
# dumps each message into $SINK_DIR.  Nothing leaves loopback: no DNS
# anywhere, no chroot, no system Postfix touched.
#
#   postfix_init            optional: checks, directories, EXIT trap; sets
#                           MILTER_DIR (a 0755 directory for milter sockets
#                           that the postfix user can reach).  postfix_up
#                           calls it; call it first to know MILTER_DIR early.
#   postfix_up MILTER_SPEC [MAIN_CF_LINE...]
#       MILTER_SPEC as for smtpd_milters (unix:/abs/path, inet:127.0.0.1:PORT,
#       or "" for none).  Each MAIN_CF_LINE ("name = value") is applied with
#       postconf -e after the defaults, so it overrides them.  Calling it
#       again replaces the running instance with a fresh one (new ports, new
#       empty sink, new log).  Exports SMTP_PORT, SINK_DIR, POSTFIX_LOG,
#       POSTFIX_DIR, MILTER_DIR, PYTHON.
#   postfix_down            stop Postfix and smtp-sink (also run at EXIT)
#   wait_for_delivery N [TIMEOUT]   until N complete messages are in SINK_DIR
#   sink_count / sink_files        complete messages: how many / which
#   smtp_session ARGS...    smtp_session.py --port $SMTP_PORT ARGS...
#   milter_client ARGS...   milter_client.py ARGS...
#   postfix_log_mark / postfix_log_since MARK   the log written after a mark
#
# A milter's unix socket must be reachable by the "postfix" user (smtpd runs
# as postfix): a socket under a 0700 directory (mktemp -d, lib.sh's $W) is
# not.  Put it in $MILTER_DIR; postfix_init makes $W traversable (0711).
#
# Order: world_up first, then postfix_init/postfix_up - world_up replaces the
# EXIT trap; postfix_init chains onto whatever trap is set.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
TEST_LIB=$top_srcdir/tests/lib
# shellcheck source=tests/lib/mail.sh
. "$TEST_LIB/mail.sh"
# shellcheck source=tests/lib/proc.sh
. "$TEST_LIB/proc.sh"
# shellcheck source=tests/lib/lock_dir.sh
. "$TEST_LIB/lock_dir.sh"
POSTFIX_DIR=
POSTFIX_LOG=
SINK_DIR=
SINK_PID=
SMTP_PORT=
SINK_PORT=
MILTER_DIR=
_pf_master_pid=
_pf_watchdog_pid=
_pf_base=
_pf_own_tmp=
_pf_count=0

# postfix_check_deps: skip (or fail, in CI) unless everything is there.
postfix_check_deps()
{
	[ "$(id -u)" = 0 ] || skip_or_fail "a private Postfix needs root"
	local p
	case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
	for p in postfix postconf smtp-sink; do
		command -v "$p" >/dev/null ||
			skip_or_fail "$p is not installed (Debian: postfix)"
	done
	pick_python
	"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 7))' 2>/dev/null ||
		skip_or_fail "$PYTHON is not a usable python3 (3.7 or later)"
	export PYTHON
	getent passwd postfix >/dev/null || skip_or_fail "no postfix user"
	getent group postdrop >/dev/null || skip_or_fail "no postdrop group"
	getent passwd nobody >/dev/null || skip_or_fail "no nobody user"
}

# _pf_free_ports N: N distinct free TCP ports on 127.0.0.1, below the
# ephemeral range so that no outgoing connection takes one meanwhile.
_pf_free_ports()
{
	"$PYTHON" "$TEST_LIB/free_ports.py" "$1"
}

_pf_write_config()
{
	local etc=$POSTFIX_DIR/etc
	cat > "$etc/main.cf" <<EOF
# Private Postfix for ptrmilter's end-to-end tests (tests/lib/postfix.sh).
compatibility_level = 3.6
queue_directory = $POSTFIX_DIR/queue
data_directory = $POSTFIX_DIR/data
mail_owner = postfix
setgid_group = postdrop
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME
syslog_name = ptrtest-postfix
maillog_file = $POSTFIX_LOG
maillog_file_prefixes = $POSTFIX_DIR
multi_instance_enable = no

myhostname = mx.example.net
mydomain = example.net
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
local_transport = error:5.1.1 no local delivery in this test instance
relay_domains = example.net
relay_recipient_maps =
relayhost = [127.0.0.1]:$SINK_PORT
relay_transport = smtp:[127.0.0.1]:$SINK_PORT
default_transport = smtp:[127.0.0.1]:$SINK_PORT
notify_classes =
biff = no
append_dot_mydomain = no

inet_interfaces = 127.0.0.1
# all: XCLIENT ADDR=IPV6:... is refused unless IPv6 is on
inet_protocols = all
mynetworks_style = host
mynetworks = 127.0.0.0/8
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP
smtpd_peername_lookup = no
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 100
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_tls_security_level = none
smtp_tls_security_level = none

# no DNS, anywhere
disable_dns_lookups = yes
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native

# a fast queue
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
delay_warning_time = 0h
smtp_connection_cache_on_demand = no
smtp_connect_timeout = 5s
in_flow_delay = 0

smtpd_milters = $1
non_smtpd_milters =
milter_protocol = 6
milter_default_action = accept
milter_connect_timeout = 10s
milter_command_timeout = 30s
milter_content_timeout = 60s
EOF
	# No chroot (column 5 "n"): unix: milter paths are used as they are.
	cat > "$etc/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$SMTP_PORT inet n -   n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# postfix_init: checks, the base directory, MILTER_DIR, the EXIT trap.
postfix_init()
{
	[ -z "$_pf_base" ] || return 0
	postfix_check_deps
	if [ -n "${W:-}" ] && [ -d "$W" ]; then
		# The world's directory is 0700; postfix and nobody must pass.
		chmod 711 "$W"
		_pf_base=$W
		_pf_own_tmp=
	else
		_pf_base=$(mktemp -d /tmp/ptrmilter-postfix.XXXXXX) ||
			{ echo "FAIL: mktemp" >&2; exit 99; }
		chmod 711 "$_pf_base"
		_pf_own_tmp=$_pf_base
	fi
	MILTER_DIR=$_pf_base/milter
	[ -d "$MILTER_DIR" ] || mkdir -m 755 "$MILTER_DIR"
	export MILTER_DIR
	# Run before whatever EXIT trap is set (world_down).
	_pf_prev_exit=$(trap -p EXIT)
	_pf_prev_exit=${_pf_prev_exit#trap -- \'}
	_pf_prev_exit=${_pf_prev_exit%\' EXIT}
	_pf_prev_exit=${_pf_prev_exit//\'\\\'\'/\'}
	trap '_pf_exit; eval "${_pf_prev_exit:-}"' EXIT
	# Make a signal run the EXIT trap too: no daemon outlives the test.
	trap 'exit 99' HUP INT TERM
}

# postfix_up MILTER_SPEC [MAIN_CF_LINE...]
postfix_up()
{
	local spec=${1-}
	shift || true
	postfix_init
	if [ -n "$_pf_master_pid" ] || [ -n "$SINK_PID" ]; then
		_pf_stop_daemons
	fi

	_pf_count=$((_pf_count + 1))
	POSTFIX_DIR=$_pf_base/postfix
	[ "$_pf_count" = 1 ] || POSTFIX_DIR=$_pf_base/postfix.$_pf_count
	rm -rf "$POSTFIX_DIR"
	mkdir "$POSTFIX_DIR" || { echo "FAIL: mkdir $POSTFIX_DIR" >&2; exit 99; }
	chmod 755 "$POSTFIX_DIR"
	mkdir -m 755 "$POSTFIX_DIR/etc" "$POSTFIX_DIR/queue"
	SINK_DIR=$POSTFIX_DIR/sink
	mkdir -m 755 "$SINK_DIR"
	chown nobody "$SINK_DIR"
	POSTFIX_LOG=$POSTFIX_DIR/maillog
	export POSTFIX_DIR POSTFIX_LOG SINK_DIR

	# Ports: taken under a lock from choice until listening, so that
	# concurrent tests never pick the same one.
	lock_open 8 postfix.lock ||
		{ echo "FAIL: cannot open the Postfix port lock" >&2; exit 99; }
	flock 8
	local tries=0 ports line
	while :; do
		tries=$((tries + 1))
		ports=$(_pf_free_ports 2) || { echo "FAIL: no free port" >&2; exit 99; }
		SMTP_PORT=${ports% *}
		SINK_PORT=${ports#* }
		if _pf_start_sink && _pf_start_postfix "$spec" "$@"; then
			break
		fi
		_pf_stop_daemons
		if [ "$tries" -ge 3 ]; then
			flock -u 8
			exec 8>&-
			echo "FAIL: the private Postfix did not start; its log:" >&2
			cat "$POSTFIX_LOG" "$POSTFIX_DIR/sink.log" "$POSTFIX_DIR/start.out" >&2 2>/dev/null
			exit 99
		fi
	done
	flock -u 8
	exec 8>&-
	export SMTP_PORT SINK_PORT
	_pf_start_watchdog
	return 0
}

# _pf_start_watchdog: should the test die without its EXIT trap (SIGKILL,
# or a later "trap ... EXIT" that dropped ours), stop this instance anyway.
_pf_start_watchdog()
{
	local test_pid=$$ etc=$POSTFIX_DIR/etc sink=$SINK_PID own=$_pf_own_tmp
	(
		trap - EXIT HUP INT TERM
		while kill -0 "$test_pid" 2>/dev/null; do
			sleep 1
		done
		postfix -c "$etc" stop
		[ -z "$sink" ] || kill "$sink"
		[ -z "$own" ] || { sleep 2; rm -rf "$own"; }
	) </dev/null >/dev/null 2>&1 8>&- 9>&- &
	_pf_watchdog_pid=$!
}

_pf_start_sink()
{
	rm -f "$POSTFIX_DIR/sink.log"
	# -u: drop root after bind.  Fds 8 and 9 (the locks) stay with us.
	smtp-sink -4 -u nobody -h sink.example.net \
		-d "$SINK_DIR/%Y%m%d%H%M%S." "127.0.0.1:$SINK_PORT" 64 \
		</dev/null >"$POSTFIX_DIR/sink.log" 2>&1 8>&- 9>&- &
	SINK_PID=$!
	for _ in $(seq 50); do
		kill -0 "$SINK_PID" 2>/dev/null || { SINK_PID=; return 1; }
		if _pf_listening "$SINK_PORT"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# _pf_listening PORT: something listens on 127.0.0.1:PORT (no connection
# is made: connecting to smtpd would start a milter session).
_pf_listening()
{
	local hex
	hex=$(printf '0100007F:%04X' "$1")
	grep -q " $hex 00000000:0000 0A " /proc/net/tcp 2>/dev/null
}

_pf_start_postfix()
{
	local spec=$1 line
	shift
	_pf_write_config "$spec"
	for line in "$@"; do
		postconf -c "$POSTFIX_DIR/etc" -e "$line" ||
			{ echo "FAIL: postconf -e '$line'" >&2; exit 99; }
	done
	# check creates the queue and data directories, with their owners.
	postfix -c "$POSTFIX_DIR/etc" check </dev/null >"$POSTFIX_DIR/start.out" 2>&1 8>&- 9>&- ||
		return 1
	postfix -c "$POSTFIX_DIR/etc" start </dev/null >>"$POSTFIX_DIR/start.out" 2>&1 8>&- 9>&- ||
		return 1
	_pf_master_pid=$(tr -dc '0-9' < "$POSTFIX_DIR/queue/pid/master.pid" 2>/dev/null)
	[ -n "$_pf_master_pid" ] || return 1
	for _ in $(seq 50); do
		_pf_listening "$SMTP_PORT" && return 0
		sleep 0.1
	done
	return 1
}

# _pf_group_alive PGID: a live (not zombie) process is in the group.
_pf_group_alive()
{
	ps -eo pgid=,stat= 2>/dev/null | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'
}

_pf_stop_daemons()
{
	# Never "wait" (see proc.sh): Ctrl-C kills the watchdog too.
	if [ -n "$_pf_watchdog_pid" ]; then
		proc_forget "$_pf_watchdog_pid"
		kill -9 "$_pf_watchdog_pid" 2>/dev/null
		proc_gone "$_pf_watchdog_pid" 5
		_pf_watchdog_pid=
	fi
	if [ -n "$_pf_master_pid" ]; then
		postfix -c "$POSTFIX_DIR/etc" stop </dev/null >/dev/null 2>&1 8>&- 9>&-
		for _ in $(seq 100); do
			_pf_group_alive "$_pf_master_pid" || break
			sleep 0.1
		done
		if _pf_group_alive "$_pf_master_pid"; then
			echo "postfix.sh: Postfix did not stop; killing group $_pf_master_pid" >&2
			kill -9 -- "-$_pf_master_pid" 2>/dev/null
		fi
		_pf_master_pid=
	fi
	if [ -n "$SINK_PID" ]; then
		proc_forget "$SINK_PID"
		kill "$SINK_PID" 2>/dev/null
		proc_gone "$SINK_PID" 10 ||
			{ kill -9 "$SINK_PID" 2>/dev/null; proc_gone "$SINK_PID" 5; }
		SINK_PID=
	fi
}

# postfix_down: stop Postfix and smtp-sink; idempotent.  The instance's
# directory (log, sink) stays until the test exits.
postfix_down()
{
	local pgid=$_pf_master_pid
	_pf_stop_daemons
	# The daemons are dead; give init a moment to reap them, so that no
	# <defunct> entry outlives the test either.
	if [ -n "$pgid" ]; then
		for _ in $(seq 50); do
			ps -eo pgid= 2>/dev/null | awk -v g="$pgid" '$1 == g { f = 1 } END { exit !f }' || break
			sleep 0.1
		done
	fi
	return 0
}

_pf_exit()
{
	postfix_down
	if [ -n "$_pf_own_tmp" ]; then
		rm -rf "$_pf_own_tmp"
		_pf_own_tmp=
	fi
}

# sink_files: complete messages in SINK_DIR, oldest first.  smtp-sink
# creates the file at MAIL FROM and closes it at the final dot; a file
# still open in smtp-sink is a message in transit.
sink_files()
{
	local open="" f
	if [ -n "$SINK_PID" ] && [ -d "/proc/$SINK_PID/fd" ]; then
		open=$(readlink /proc/"$SINK_PID"/fd/* 2>/dev/null)
	fi
	# shellcheck disable=SC2012 # smtp-sink's names are [0-9a-f.] only
	ls -1tr "$SINK_DIR" 2>/dev/null | while read -r f; do
		[ -f "$SINK_DIR/$f" ] || continue
		printf '%s\n' "$open" | grep -qxF "$SINK_DIR/$f" && continue
		printf '%s\n' "$SINK_DIR/$f"
	done
}

sink_count()
{
	sink_files | wc -l
}

# wait_for_delivery N [TIMEOUT]: until N complete messages are in the sink.
wait_for_delivery()
{
	wait_for_count sink_count "$1" "${2:-30}" "$POSTFIX_LOG"
}

# postfix_log_mark / postfix_log_since MARK: the log written after a mark.
postfix_log_mark()
{
	wc -c < "$POSTFIX_LOG" 2>/dev/null || echo 0
}

postfix_log_since()
{
	tail -c +"$(($1 + 1))" "$POSTFIX_LOG" 2>/dev/null
}

smtp_session()
{
	"$PYTHON" "$TEST_LIB/smtp_session.py" --port "$SMTP_PORT" "$@"
}

milter_client()
{
	"$PYTHON" "$TEST_LIB/milter_client.py" "$@"
}

# delivered SUBJECT: the sink file of the message with that subject.
delivered()
{
	# shellcheck disable=SC2046
	grep -l "^Subject: $1.\?$" $(sink_files) 2>/dev/null | head -1
}
