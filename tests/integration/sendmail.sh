# SPDX-License-Identifier: BSD-2-Clause
# sendmail.sh - a private Sendmail for the end-to-end milter tests.
#
# Sendmail conflicts with Postfix as a Debian package, and Postfix is what
# the other tests use: Sendmail is never installed.  Its .debs (sendmail-bin,
# sendmail-base, sendmail-cf, the distribution's candidate version) are
# fetched once with "apt-get download" and unpacked with "dpkg -x" into a
# cache, SM_CACHE (default /var/cache/ptrmilter-tests/sendmail), one
# directory per version; the unpacked binary loses its setgid bit and the
# cache is root's only.  Sendmail runs from there with a sendmail.cf that m4
# builds from the unpacked sendmail-cf and an .mc of our own.
#
# Sendmail has no XCLIENT: to be seen from 198.51.100.x it must really be
# connected to from there.  So it runs in namespaces of its own (unshare):
#
#   network  only lo, with 127.0.0.1 and the example clients' addresses
#            (SM_CLIENT_ADDRS); Sendmail listens on 127.0.0.1:25 and
#            [::1]:25 there, and sm_session runs the SMTP client in the same
#            namespace (nsenter), bound to the client's address.  Nothing
#            of the host's network is reachable, and nothing it has changes.
#   mount    the generated /etc/hosts (mx.example.net, and a
#            "198.51.100.21 forged.example.com" of Sendmail's own to
#            disagree with ptrmilter's DNS), an /etc/nsswitch.conf with
#            "hosts: files" (Sendmail's own lookups never use DNS), and a
#            small /dev whose /dev/log is SM_DIR/log.sock, where a catcher
#            writes Sendmail's syslog lines to SM_LOG.
#   uts      host name mx.example.net: Sendmail's $j, with no DNS at start.
#
# The milter's unix socket is a file system path, reachable from any network
# namespace: Sendmail's SMTP processes run as root and connect to it
# wherever it is.  Mail to example.net goes, through LOCAL_RULE_0, to a
# "capture" mailer that runs as nobody and writes each message to a file in
# SM_MAIL (DeliveryMode interactive: no queue run needed).
#
#   sendmail_fetch          before world_up (no lock held while downloading):
#                           checks, fetches and unpacks; sets SM_ROOT, SM_BIN
#   sendmail_init           after world_up: SM_DIR under $W, the EXIT trap
#   sendmail_up MILTER_SOCKET [MC_LINE...]
#       start Sendmail with INPUT_MAIL_FILTER(`ptrmilter', `S=unix:SOCKET,
#       F=T, T=C:10s;S:10s;R:10s;E:30s') and the MC_LINEs added; again
#       replaces the running instance (new empty SM_MAIL, new log)
#   sendmail_down           stop it, every process in its namespaces, the
#                           log catcher (also run at EXIT; should the test
#                           be killed without it, a watchdog stops what runs
#                           in the namespace and the catcher stops itself)
#   sm_session IP ARGS...   smtp_session.py from IP (v4 or v6) to Sendmail
#   wait_for_mail N [TIMEOUT]   until N messages are in SM_MAIL
#   mail_files / mail_count     delivered messages: which / how many
#   delivered SUBJECT       the file of the message with that subject
#   header NAME FILE        every value of header NAME in FILE, unfolded
#   sendmail_log_has REGEX  Sendmail's log has a matching line
#
# Order: sendmail_fetch, world_up, sendmail_init, ptrmilter_up, sendmail_up.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
TEST_LIB=$top_srcdir/tests/lib
# shellcheck source=tests/lib/mail.sh
. "$TEST_LIB/mail.sh"
# shellcheck source=tests/lib/proc.sh
. "$TEST_LIB/proc.sh"
: "${SM_CACHE:=/var/cache/ptrmilter-tests/sendmail}"
SM_PACKAGES="sendmail-bin sendmail-base sendmail-cf"
SM_CLIENT_ADDRS="198.51.100.20 198.51.100.21 198.51.100.22 198.51.100.24 198.51.100.40 2001:db8:1::25"
SM_ROOT=
SM_BIN=
SM_DIR=
SM_LOG=
SM_MAIL=
SM_PID=
_sm_netns=
_sm_catcher_pid=
_sm_launcher=
_sm_watchdog_pid=
_sm_count=0
_sm_inited=0

# sendmail_fetch: skip (or fail, in CI) unless Sendmail can run; sets
# SM_ROOT (the unpacked packages) and SM_BIN.
sendmail_fetch()
{
	local p version dir missing
	[ "$(id -u)" = 0 ] || skip_or_fail "a private Sendmail needs root (namespaces)"
	case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
	for p in apt-get apt-cache dpkg m4 unshare nsenter ip mount setsid ldd; do
		command -v "$p" >/dev/null ||
			skip_or_fail "$p is not installed (Debian: apt, dpkg, m4, util-linux, iproute2, mount, libc-bin)"
	done
	pick_python
	export PYTHON
	getent passwd nobody >/dev/null || skip_or_fail "no nobody user"
	getent group nogroup >/dev/null || skip_or_fail "no nogroup group"
	unshare -n -m -u true 2>/dev/null ||
		skip_or_fail "cannot make network, mount and UTS namespaces (unshare)"

	if ! mkdir -p "$SM_CACHE" || ! chmod 700 "$SM_CACHE"; then
		skip_or_fail "cannot make $SM_CACHE"
	fi
	# One fetch at a time; the world lock (fd 9) is not held yet.
	exec 7>"$SM_CACHE/.lock"
	flock -w 300 7 || skip_or_fail "$SM_CACHE/.lock stayed locked for 5 minutes"
	version=$(apt-cache policy sendmail-bin 2>/dev/null |
		awk '$1 == "Candidate:" { print $2 }')
	case $version in
	'' | '(none)')
		# No package lists: a version fetched before will do.
		dir=$(find "$SM_CACHE" -mindepth 1 -maxdepth 1 -type d \
			-name '[0-9]*' 2>/dev/null | sort | tail -n 1)
		if [ -z "$dir" ] || [ ! -f "$dir/.complete" ]; then
			skip_or_fail "no candidate version of sendmail-bin (apt-get update?) and none cached in $SM_CACHE"
		fi
		;;
	*)
		dir=$SM_CACHE/$version
		[ -f "$dir/.complete" ] || _sm_unpack "$version" "$dir"
		;;
	esac
	flock -u 7
	exec 7>&-
	SM_ROOT=$dir
	SM_BIN=$SM_ROOT/usr/libexec/sendmail/sendmail
	[ -x "$SM_BIN" ] || skip_or_fail "$SM_BIN is missing from the unpacked packages"
	[ -f "$SM_ROOT/usr/share/sendmail/cf/m4/cf.m4" ] ||
		skip_or_fail "sendmail-cf's cf.m4 is missing from $SM_ROOT"
	missing=$(ldd "$SM_BIN" 2>/dev/null | awk '/not found/ { print $1 }' | tr '\n' ' ')
	[ -z "$missing" ] ||
		skip_or_fail "sendmail needs ${missing}(Debian: libwrap0 libldap-2.5-0 libdb5.3 libnsl2 libsasl2-2 libssl3)"
}

# _sm_unpack VERSION DIR: the packages of VERSION, unpacked into DIR.
_sm_unpack()
{
	local version=$1 dir=$2 tmp p deb
	tmp=$(mktemp -d "$SM_CACHE/.fetch.XXXXXX") || skip_or_fail "mktemp in $SM_CACHE"
	# apt-get download writes into the current directory; _apt cannot
	# write into a root-only one and says so: the download is done as root.
	if ! (cd "$tmp" && for p in $SM_PACKAGES; do
		apt-get download -q "$p=$version" || exit 1
	done) >"$tmp/download.log" 2>&1; then
		cat "$tmp/download.log" >&2
		rm -rf "$tmp"
		flock -u 7
		skip_or_fail "apt-get download $SM_PACKAGES ($version) failed"
	fi
	mkdir "$tmp/root"
	for deb in "$tmp"/*.deb; do
		dpkg -x "$deb" "$tmp/root" || {
			rm -rf "$tmp"
			flock -u 7
			skip_or_fail "dpkg -x $deb failed"
		}
	done
	# The cache holds a copy of Sendmail for tests, not an installed
	# one: no set-id bits.
	find "$tmp/root" -type f -perm /6000 -exec chmod ug-s {} +
	rm -f "$tmp"/*.deb "$tmp/download.log"
	touch "$tmp/root/.complete"
	rm -rf "$dir"
	mv "$tmp/root" "$dir"
	rm -rf "$tmp"
}

# sendmail_init: SM_DIR's parent, the EXIT trap.
sendmail_init()
{
	[ "$_sm_inited" = 0 ] || return 0
	[ -n "$SM_BIN" ] || sendmail_fetch
	if [ -z "${W:-}" ] || [ ! -d "$W" ]; then
		echo "FAIL: sendmail_init before world_up" >&2
		exit 99
	fi
	# The capture mailer runs as nobody and writes under $W.
	chmod 711 "$W"
	# Run before whatever EXIT trap is set (world_down).
	_sm_prev_exit=$(trap -p EXIT)
	_sm_prev_exit=${_sm_prev_exit#trap -- \'}
	_sm_prev_exit=${_sm_prev_exit%\' EXIT}
	_sm_prev_exit=${_sm_prev_exit//\'\\\'\'/\'}
	trap 'sendmail_down; eval "${_sm_prev_exit:-}"' EXIT
	# Make a signal run the EXIT trap too: nothing outlives the test.
	trap 'exit 99' HUP INT TERM
	_sm_inited=1
}

# _sm_write_config SOCKET [MC_LINE...]: the .mc, the .cf and the files
# they name, all under SM_DIR.
_sm_write_config()
{
	local socket=$1 cf=$SM_ROOT/usr/share/sendmail/cf line tab
	shift
	tab=$(printf '\t')
	mkdir -m 755 "$SM_DIR/etc" "$SM_DIR/dev"
	mkdir -m 700 "$SM_DIR/queue"
	mkdir -m 755 "$SM_MAIL"
	chown nobody:nogroup "$SM_MAIL"
	printf 'hosts\tfiles\npasswd\tfiles\naliases\tfiles\n' >"$SM_DIR/etc/service.switch"
	: >"$SM_DIR/etc/aliases"
	: >"$SM_DIR/etc/local-host-names"
	: >"$SM_DIR/etc/statistics"
	cp "$SM_ROOT/etc/mail/helpfile" "$SM_DIR/etc/helpfile"
	# What the namespace sees as /etc/hosts, /etc/nsswitch.conf and
	# /etc/resolv.conf.
	cat >"$SM_DIR/etc/hosts" <<EOF
127.0.0.1	mx.example.net mx localhost
::1	localhost ip6-localhost ip6-loopback
198.51.100.21	forged.example.com
EOF
	printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' \
		>"$SM_DIR/etc/nsswitch.conf"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
		>"$SM_DIR/etc/resolv.conf"
	# The capture mailer (run by /bin/sh: /tmp may be noexec): one file
	# per message and recipient, complete when it appears (written aside,
	# then renamed).
	cat >"$SM_DIR/deliver" <<EOF
#!/bin/sh
# deliver RCPT: stdin to a new file in $SM_MAIL
tmp=$SM_MAIL/.tmp.\$\$
cat >"\$tmp" || exit 75
mv "\$tmp" "$SM_MAIL/\$(date +%s.%N).\$\$" || exit 75
exit 0
EOF
	chmod 755 "$SM_DIR/deliver"
	{
		cat <<EOF
divert(-1)
# Private Sendmail for ptrmilter's end-to-end tests (tests/integration/sendmail.sh).
divert(0)dnl
VERSIONID(\`ptrmilter test')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mx.example.net')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confSERVICE_SWITCH_FILE', \`$SM_DIR/etc/service.switch')dnl
define(\`confHOSTS_FILE', \`$SM_DIR/etc/hosts')dnl
define(\`ALIAS_FILE', \`$SM_DIR/etc/aliases')dnl
define(\`confCW_FILE', \`$SM_DIR/etc/local-host-names')dnl
define(\`HELP_FILE', \`$SM_DIR/etc/helpfile')dnl
define(\`STATUS_FILE', \`$SM_DIR/etc/statistics')dnl
define(\`QUEUE_DIR', \`$SM_DIR/queue')dnl
define(\`confPID_FILE', \`$SM_DIR/sendmail.pid')dnl
define(\`confHOST_STATUS_DIRECTORY', \`')dnl
define(\`confDELIVERY_MODE', \`interactive')dnl
define(\`confDEF_USER_ID', \`nobody:nogroup')dnl
define(\`confTO_IDENT', \`0s')dnl
define(\`confQUEUE_LA', \`1000')dnl
define(\`confREFUSE_LA', \`1000')dnl
define(\`confDELAY_LA', \`0')dnl
define(\`confMIN_FREE_BLOCKS', \`0')dnl
define(\`confMAX_DAEMON_CHILDREN', \`0')dnl
define(\`confCONNECTION_RATE_THROTTLE', \`0')dnl
define(\`confBAD_RCPT_THROTTLE', \`0')dnl
define(\`confLOG_LEVEL', \`14')dnl
define(\`confMILTER_LOG_LEVEL', \`14')dnl
dnl \$W is 0711 under /tmp (1777): trust the sticky bit, or Sendmail
dnl calls the milter socket's directory path unsafe.
define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`accept_unqualified_senders')dnl
RELAY_DOMAIN(\`example.net')dnl
DAEMON_OPTIONS(\`Port=25, Addr=127.0.0.1, Name=MTA')dnl
DAEMON_OPTIONS(\`Port=25, Addr=::1, Name=MTA-v6, Family=inet6')dnl
INPUT_MAIL_FILTER(\`ptrmilter', \`S=unix:$socket, F=T, T=C:10s;S:10s;R:10s;E:30s')dnl
EOF
		for line in "$@"; do
			printf '%s\n' "$line"
		done
		cat <<EOF
MAILER(\`local')dnl
MAILER(\`smtp')dnl
LOCAL_RULE_0
R\$* < @ example.net \$* > \$*${tab}\$#capture \$: \$1
MAILER_DEFINITIONS
Mcapture, P=/bin/sh, F=lsDFMn, U=nobody:nogroup, T=DNS/RFC822/X-Unix, A=sh $SM_DIR/deliver \$u
EOF
	} >"$SM_DIR/sendmail.mc"
	if ! m4 -D_CF_DIR_="$cf/" "$cf/m4/cf.m4" "$SM_DIR/sendmail.mc" \
		>"$SM_DIR/sendmail.cf" 2>"$SM_DIR/m4.err" || [ -s "$SM_DIR/m4.err" ]; then
		echo "FAIL: m4 could not build sendmail.cf:" >&2
		cat "$SM_DIR/m4.err" >&2
		exit 99
	fi

	# Run as root in the new namespaces; ends by exec'ing Sendmail in
	# the foreground (-bD), whose pid is then the namespaces' anchor.
	cat >"$SM_DIR/ns-init.sh" <<EOF
set -eu
D=$SM_DIR
hostname mx.example.net
ip link set lo up
for a in $SM_CLIENT_ADDRS; do
	case \$a in
	*:*) ip -6 addr add "\$a/128" dev lo nodad ;;
	*) ip addr add "\$a/32" dev lo ;;
	esac
done
mount --bind "\$D/etc/hosts" /etc/hosts
mount --bind "\$D/etc/nsswitch.conf" /etc/nsswitch.conf
# A dangling /etc/resolv.conf symlink (systemd-resolved off) cannot be a
# mount point; with "hosts: files" and only lo, nothing would go out anyway.
if [ -e /etc/resolv.conf ]; then
	mount --bind "\$D/etc/resolv.conf" /etc/resolv.conf
fi
# /dev: the few nodes Sendmail uses, and /dev/log, the catcher's socket.
mount -t tmpfs -o mode=755,nosuid,size=64k ptrtest-dev "\$D/dev"
for n in null zero full random urandom; do
	: >"\$D/dev/\$n"
	mount --bind "/dev/\$n" "\$D/dev/\$n"
done
ln -s /proc/self/fd "\$D/dev/fd"
ln -s /proc/self/fd/0 "\$D/dev/stdin"
ln -s /proc/self/fd/1 "\$D/dev/stdout"
ln -s /proc/self/fd/2 "\$D/dev/stderr"
ln -s "\$D/log.sock" "\$D/dev/log"
mount --move "\$D/dev" /dev
echo \$\$ >"\$D/ns.pid"
exec "$SM_BIN" -C "\$D/sendmail.cf" -bD -L ptrtest-sendmail
EOF
}

# _sm_start_catcher: a syslog socket at SM_DIR/log.sock, lines to SM_LOG.
_sm_start_catcher()
{
	"$PYTHON" "$PYLIB/syslog_catcher.py" "$SM_DIR/log.sock" "$SM_LOG" \
	    >>"$SM_DIR/catcher.out" 2>&1 7>&- 8>&- 9>&- &
	_sm_catcher_pid=$!
	for _ in $(seq 50); do
		[ -S "$SM_DIR/log.sock" ] && return 0
		kill -0 "$_sm_catcher_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL: the syslog catcher did not start:" >&2
	cat "$SM_DIR/catcher.out" >&2
	exit 99
}

# _sm_listening: Sendmail listens on 127.0.0.1:25 and [::1]:25 in its
# network namespace (no connection made: it would start a milter session).
_sm_listening()
{
	grep -q ' 0100007F:0019 00000000:0000 0A ' "/proc/$SM_PID/net/tcp" 2>/dev/null &&
		grep -q ' 00000000000000000000000001000000:0019 0\{32\}:0000 0A ' \
			"/proc/$SM_PID/net/tcp6" 2>/dev/null
}

# sendmail_up MILTER_SOCKET [MC_LINE...]
sendmail_up()
{
	local socket=$1
	shift
	sendmail_init
	sendmail_down
	_sm_count=$((_sm_count + 1))
	SM_DIR=$W/sendmail
	[ "$_sm_count" = 1 ] || SM_DIR=$W/sendmail.$_sm_count
	rm -rf "$SM_DIR"
	mkdir -m 755 "$SM_DIR" || { echo "FAIL: mkdir $SM_DIR" >&2; exit 99; }
	SM_MAIL=$SM_DIR/mail
	SM_LOG=$SM_DIR/maillog
	: >"$SM_LOG"
	export SM_DIR SM_MAIL SM_LOG
	_sm_write_config "$socket" "$@"
	_sm_start_catcher
	# setsid: a session of its own, away from make's terminal signals.
	setsid unshare --net --mount --uts --propagation private \
		/bin/bash "$SM_DIR/ns-init.sh" \
		</dev/null >"$SM_DIR/sendmail.out" 2>&1 7>&- 8>&- 9>&- &
	_sm_launcher=$!
	for _ in $(seq 100); do
		if [ -z "$SM_PID" ] && [ -s "$SM_DIR/ns.pid" ]; then
			SM_PID=$(cat "$SM_DIR/ns.pid")
			_sm_netns=$(readlink "/proc/$SM_PID/ns/net" 2>/dev/null)
		fi
		if [ -n "$SM_PID" ] && _sm_listening; then
			_sm_start_watchdog
			return 0
		fi
		kill -0 "$_sm_launcher" 2>/dev/null || [ -n "$SM_PID" ] || break
		sleep 0.1
	done
	echo "FAIL: the private Sendmail did not start; its output and log:" >&2
	cat "$SM_DIR/sendmail.out" "$SM_LOG" >&2
	exit 99
}

# _sm_start_watchdog: should the test die without its EXIT trap (SIGKILL),
# stop everything in Sendmail's namespace anyway.
_sm_start_watchdog()
{
	local test_pid=$$ ns=$_sm_netns
	[ -n "$ns" ] || return 0
	(
		trap - EXIT HUP INT TERM
		while kill -0 "$test_pid" 2>/dev/null; do
			sleep 1
		done
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/ns/net" 2>/dev/null)" = "$ns" ] &&
				kill -KILL "${p#/proc/}"
		done
	) </dev/null >/dev/null 2>&1 7>&- 8>&- 9>&- &
	_sm_watchdog_pid=$!
}

# _sm_ns_pids: every process in Sendmail's network namespace (ours alone:
# it was made for this test and holds nothing else).
_sm_ns_pids()
{
	local p
	if [ -z "$_sm_netns" ]; then
		# Its namespace unknown: Sendmail alone, if it is still there.
		kill -0 "$SM_PID" 2>/dev/null && echo "$SM_PID"
		return 0
	fi
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/net" 2>/dev/null)" = "$_sm_netns" ] &&
			echo "${p#/proc/}"
	done
}

# sendmail_down: idempotent.  SIGTERM to Sendmail and whatever else runs
# in its namespace (SMTP children, the mailer), SIGKILL after 10 s.
# Never "wait" for a child (see proc.sh): a Ctrl-C that kills the watchdog
# while bash waits for something else loses its status, and the next
# "wait" for it blocks as long as any other child lives.
sendmail_down()
{
	local pids
	if [ -n "$_sm_watchdog_pid" ]; then
		proc_forget "$_sm_watchdog_pid"
		kill -KILL "$_sm_watchdog_pid" 2>/dev/null
		proc_gone "$_sm_watchdog_pid" 5
		_sm_watchdog_pid=
	fi
	if [ -n "$SM_PID" ]; then
		pids=$(_sm_ns_pids)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -TERM $pids 2>/dev/null
		for _ in $(seq 100); do
			pids=$(_sm_ns_pids)
			[ -z "$pids" ] && break
			sleep 0.1
		done
		if [ -n "$pids" ]; then
			echo "sendmail.sh: killing what is left in the namespace: $pids" >&2
			# shellcheck disable=SC2086
			kill -KILL $pids 2>/dev/null
		fi
		SM_PID=
		_sm_netns=
	fi
	if [ -n "$_sm_launcher" ]; then
		# Sendmail itself once ns-init.sh got as far (unshare and
		# setsid exec, not fork); else a launcher that failed or hangs.
		_sm_stop "$_sm_launcher"
		_sm_launcher=
	fi
	if [ -n "$_sm_catcher_pid" ]; then
		_sm_stop "$_sm_catcher_pid"
		_sm_catcher_pid=
	fi
	return 0
}

# _sm_stop PID: SIGTERM to a child of ours, SIGKILL if it is still there
# after 10 s; waits for it to exit by polling, not with "wait".
_sm_stop()
{
	proc_forget "$1"
	kill -TERM "$1" 2>/dev/null
	proc_gone "$1" 10 && return 0
	kill -KILL "$1" 2>/dev/null
	proc_gone "$1" 5
}

# sm_session IP [smtp_session.py ARGS...]: one SMTP session to Sendmail,
# from IP, in Sendmail's network namespace.  No XCLIENT: the address is
# the connection's own.
sm_session()
{
	local ip=$1 host=127.0.0.1
	shift
	case $ip in *:*) host=::1 ;; esac
	nsenter --net="/proc/$SM_PID/ns/net" -- "$PYTHON" \
	    "$PYLIB/smtp_session_from.py" "$TEST_LIB" "$ip" --host "$host" \
	    --port 25 "$@" 8>&- 9>&-
}

# mail_files: delivered messages, oldest first (the capture mailer names
# them by time and renames each into place when complete).
mail_files()
{
	local f
	# shellcheck disable=SC2012 # our own names: [0-9.] only
	ls -1 "$SM_MAIL" 2>/dev/null | sort -n | while read -r f; do
		[ -f "$SM_MAIL/$f" ] && printf '%s\n' "$SM_MAIL/$f"
	done
}

mail_count()
{
	mail_files | wc -l
}

# wait_for_mail N [TIMEOUT]: until N messages are in SM_MAIL.
wait_for_mail()
{
	wait_for_count mail_count "$1" "${2:-30}" "$SM_LOG"
}

sendmail_log_has()
{
	grep -Eq -- "$1" "$SM_LOG"
}

# delivered SUBJECT: the file of the (first) message with that subject.
delivered()
{
	local f
	mail_files | while read -r f; do
		if grep -q "^Subject: $1.\?$" "$f"; then
			printf '%s\n' "$f"
			break
		fi
	done
}
