# SPDX-License-Identifier: BSD-2-Clause
# lib.sh - shared by the integration tests: the DNS world, checks, skips.
#
# A test sources this file, calls world_up, and runs ptrcheck against the
# world's ptrmilter.conf.  Exit status follows automake: 0 pass, 1 fail,
# 77 skip, 99 hard error.  Where the world cannot run (not root, no NSD),
# the test skips - unless PTRMILTER_REQUIRE_INTEGRATION=1, as in CI, where a
# skip would hide a missing dependency, so it fails instead.

set -u
# Config files the tests write must not be group or other writable: the
# daemon refuses those.
umask 022

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"

PTRCHECK=$top_builddir/src/ptrcheck
WORLD=$top_srcdir/tests/dnsworld/world
BLACKHOLE=$top_builddir/tests/dnsworld/dns_blackhole
SCRIPTED=$top_builddir/tests/dnsworld/dns_script
# shellcheck source=tests/integration/world_lock.sh
. "$top_srcdir/tests/integration/world_lock.sh"
failures=0
checks=0

skip_or_fail()
{
	if [ "${PTRMILTER_REQUIRE_INTEGRATION:-0}" = 1 ]; then
		echo "FAIL: cannot run: $*" >&2
		exit 99
	fi
	echo "SKIP: $*" >&2
	exit 77
}

world_up()
{
	[ "$(id -u)" = 0 ] || skip_or_fail "the DNS world needs root (port 53 on 127.53.0.1)"
	command -v nsd >/dev/null || skip_or_fail "nsd is not installed"
	command -v ldns-signzone >/dev/null || skip_or_fail "ldnsutils is not installed"
	command -v jq >/dev/null || skip_or_fail "jq is not installed"
	[ -x "$BLACKHOLE" ] || skip_or_fail "$BLACKHOLE is not built"
	[ -x "$SCRIPTED" ] || skip_or_fail "$SCRIPTED is not built"
	# One world per machine (fixed addresses): tests that need it take
	# turns, however many make runs at once (world_lock.sh).
	world_lock
	W=$(mktemp -d /tmp/ptrmilter-world.XXXXXX)
	world_lock_owner "$W"
	trap 'world_down' EXIT
	"$WORLD" start "$W/dns" --blackhole "$BLACKHOLE" --script "$SCRIPTED" \
		--stats ||
		{ echo "FAIL: the DNS world did not start" >&2; exit 99; }
	CONF=$W/dns/ptrmilter.conf
}

world_down()
{
	"$WORLD" stop "$W/dns" >/dev/null 2>&1 || true
	rm -rf "$W"
	world_unlock
}

# ok NAME COMMAND... : one check; prints its outcome.
ok()
{
	local name=$1
	shift
	checks=$((checks + 1))
	if "$@"; then
		echo "ok $checks - $name"
	else
		echo "not ok $checks - $name"
		failures=$((failures + 1))
	fi
}

# json IP [ARGS...]: runs ptrcheck --json on one address; sets $out, $rc.
json()
{
	local ip=$1
	shift
	out=$("$PTRCHECK" -c "$CONF" --json "$@" "$ip" 2>"$W/stderr")
	rc=$?
}

# jqok FILTER: the last json output satisfies the jq filter.
jqok()
{
	printf '%s\n' "$out" | jq -e "$1" >/dev/null
}

finish()
{
	echo "$((checks - failures)) passed, $failures failed"
	[ "$failures" = 0 ]
}
