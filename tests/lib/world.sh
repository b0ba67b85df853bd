# SPDX-License-Identifier: BSD-2-Clause
# world.sh - the signed DNS world for one test run: started under the
# machine-wide lock, stopped at exit.  tests/integration/lib.sh and the
# demo source it; it expects $top_srcdir and $top_builddir.
#
#   skip_or_fail WHY   exit 77 (skip) - or 99 with PTRMILTER_REQUIRE_INTEGRATION=1,
#                      as in CI, where a skip would hide a missing dependency
#   world_up           checks what the world needs, takes the lock, starts
#                      it in a fresh $W with the black hole and the scripted
#                      server; sets $W and $CONF (its ptrmilter.conf)
#   world_down         stops it, removes $W, lets go of the lock (the EXIT
#                      trap world_up sets)

WORLD=$top_srcdir/tests/dnsworld/world
BLACKHOLE=$top_builddir/tests/dnsworld/dns_blackhole
SCRIPTED=$top_builddir/tests/dnsworld/dns_script
# shellcheck source=tests/lib/world_lock.sh
. "$top_srcdir/tests/lib/world_lock.sh"

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
