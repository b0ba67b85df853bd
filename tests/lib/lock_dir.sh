# SPDX-License-Identifier: BSD-2-Clause
# lock_dir.sh - where the machine-wide test locks live, and how they are
# opened.  world_lock.sh (so world.sh), postfix.sh, tests/packaging/deb_check
# and the bench scripts source it; sourcing it twice is harmless.
#
# The DNS-world lock with its owner record, and Postfix's port lock, are
# files that every test run on the machine opens, as root.  In /tmp
# (world-writable) any user can put a symbolic link where one of them goes
# before root comes: with fs.protected_symlinks off, root's "exec 9>FILE"
# follows it and truncates the target (/etc/passwd), and a forged owner
# record has root stop processes and remove a directory.  So they live in
# LOCK_DIR, a directory that only its owner can write, and are opened for
# appending (never truncated), created exclusively (no link followed).
#
#   LOCK_DIR            /run/ptrmilter-tests for root.  Another user (whose
#                       integration tests skip) gets one of its own,
#                       ${TMPDIR:-/tmp}/ptrmilter-tests.UID: its locks keep
#                       its own runs apart and never meet root's.
#   lock_dir            makes LOCK_DIR (mode 0700) unless it is there, then
#                       checks it: a directory, not a link, owned by us,
#                       not group or other writable; else says why on
#                       stderr and fails
#   lock_open FD NAME   opens LOCK_DIR/NAME on descriptor FD for flock(1):
#                       created with noclobber (O_EXCL, which no link
#                       passes), or else it must be a regular file of ours,
#                       not a link; opened to append, so nothing is
#                       truncated.  Fails with a message on stderr.

if [ "$(id -u)" = 0 ]; then
	LOCK_DIR=/run/ptrmilter-tests
else
	LOCK_DIR=${TMPDIR:-/tmp}/ptrmilter-tests.$(id -u)
fi

# _lock_safe PATH TEST KIND: PATH is not a link, passes "test TEST PATH"
# (-d, -f), belongs to us and is not group or other writable; else says
# why, calling it KIND.
_lock_safe()
{
	local path=$1 kind=$3 why='' owner mode
	if [ -L "$path" ]; then
		why='it is a symbolic link'
	elif ! test "$2" "$path"; then
		why="it is not a $kind"
	elif ! read -r owner mode < <(stat -c '%u %a' -- "$path" 2>/dev/null); then
		why='stat failed'
	elif [ "$owner" != "$(id -u)" ]; then
		why="it belongs to uid $owner, not $(id -u)"
	elif (((8#$mode & 8#022) != 0)); then
		why="it is group or other writable (mode $mode)"
	fi
	[ -n "$why" ] || return 0
	echo "lock_dir.sh: refusing $path: $why (a test lock needs a $kind" \
	    "that is not a link, owned by uid $(id -u) and writable by it alone)" >&2
	return 1
}

lock_dir()
{
	# mkdir fails if anything is there, a link included: checked below.
	[ -e "$LOCK_DIR" ] || [ -L "$LOCK_DIR" ] ||
		mkdir -m 0700 -- "$LOCK_DIR" 2>/dev/null || true
	_lock_safe "$LOCK_DIR" -d directory
}

lock_open()
{
	local fd=$1 file=$LOCK_DIR/$2
	lock_dir || return 1
	# Two runs may both create it: the second one's fails, and its check
	# then finds the first one's file.
	[ -e "$file" ] || [ -L "$file" ] ||
		(set -C; : >"$file") 2>/dev/null || true
	_lock_safe "$file" -f 'regular file' || return 1
	eval "exec $fd>>\"\$file\""
}
