# SPDX-License-Identifier: BSD-2-Clause
# lib.sh - shared by the integration tests: checks, and the DNS world
# (tests/lib/world.sh: world_up, skip_or_fail).
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
# The Python helpers of the integration tests.
PYLIB=$top_srcdir/tests/integration/pylib
# shellcheck source=tests/lib/world.sh
. "$top_srcdir/tests/lib/world.sh"
failures=0
checks=0

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
