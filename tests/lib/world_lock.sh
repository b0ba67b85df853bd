# SPDX-License-Identifier: BSD-2-Clause
# world_lock.sh - the machine-wide DNS-world lock (lib.sh's world_up).
#
# The world has fixed loopback addresses, so one runs per machine: a test
# takes WORLD_LOCK on fd 9 before it starts one and keeps it until its
# world is stopped.  The holder writes WORLD_OWNER next to the lock:
#
#   pid=PID start=START locker=LOCKER dir=DIR cmd=COMMAND
#
# START is the pid's start time (a recycled pid is never taken for the
# owner); LOCKER the pid the kernel lists for the lock (/proc/locks: the
# flock(1) that took it), which tells this lock from a later one.  A test
# that has to wait says for what and for whom.
#
# Both live in lock_dir.sh's LOCK_DIR, which only root can write.
#
# A world whose owner was killed (kill -9: no EXIT trap ran) goes on: NSD,
# the scripted servers, Postfix, ptrmilter, and any child that inherited
# the lock and so keeps it.  The next test to come finds the owner gone
# and cleans up: the servers in DIR's pid files, Postfix by its
# configuration in DIR, every process whose command line names DIR, and
# the processes still holding that same lock; then DIR and WORLD_OWNER go,
# and it says so.  Nothing is touched while the owner lives, and a lock
# someone else has taken since (another LOCKER) is left to its holder.
#
#   world_lock              take the lock (fd 9), cleaning up a stale world
#                           first; fails (exit 99) after WORLD_LOCK_WAIT s
#   world_lock_owner DIR    record this shell as the owner of world DIR
#   world_unlock            drop the owner record (if ours), release
#   world_clean_stale [wait]
#                           clean up the world of a dead owner, if any;
#                           with "wait", also wait for another test that
#                           is cleaning it up to finish

# shellcheck source=tests/lib/proc.sh
. "$top_srcdir/tests/lib/proc.sh"
# shellcheck source=tests/lib/lock_dir.sh
. "$top_srcdir/tests/lib/lock_dir.sh"
WORLD_LOCK=$LOCK_DIR/world.lock
WORLD_OWNER=$LOCK_DIR/world.owner
: "${WORLD_LOCK_WAIT:=600}"
WORLD_STALE_WAIT=10	# seconds for a stale world's processes to go

# _wl_owner: reads WORLD_OWNER into owner_pid, owner_start, owner_locker,
# owner_dir, owner_cmd; fails if there is none or it is not ours.
_wl_owner()
{
	local line re
	owner_pid='' owner_start='' owner_locker='' owner_dir='' owner_cmd=
	line=$(head -n 1 "$WORLD_OWNER" 2>/dev/null) || return 1
	re='^pid=([0-9]+) start=([0-9]+) locker=([0-9]+) '
	re+='dir=(/tmp/ptrmilter-world\.[A-Za-z0-9]+) cmd=(.*)$'
	[[ $line =~ $re ]] || return 1
	owner_pid=${BASH_REMATCH[1]}
	owner_start=${BASH_REMATCH[2]}
	owner_locker=${BASH_REMATCH[3]}
	owner_dir=${BASH_REMATCH[4]}
	owner_cmd=${BASH_REMATCH[5]}
}

# _wl_holders: "PID LOCKER" for each process holding the lock: one whose
# descriptor of WORLD_LOCK carries it (a waiter's does not).
_wl_holders()
{
	local fd p
	find /proc/[0-9]*/fd -maxdepth 1 -lname "$WORLD_LOCK" 2>/dev/null |
	while read -r fd; do
		p=${fd#/proc/}
		p=${p%%/*}
		sed -n "s/^lock:.*FLOCK *ADVISORY *WRITE *\([0-9]*\) .*/$p \1/p" \
		    "/proc/$p/fdinfo/${fd##*/}" 2>/dev/null
	done | sort -u
}

# _wl_holder: who holds the lock, in words, after the lock's LOCKER and a
# space (the key that tells one holding of the lock from the next).
_wl_holder()
{
	local pid locker key='' roots='' n=0
	local -A holds=()
	while read -r pid locker; do
		holds[$pid]=1
		key=$locker
	done < <(_wl_holders)
	if _wl_owner && proc_running "$owner_pid" "$owner_start"; then
		echo "$key pid $owner_pid ($owner_cmd), world $owner_dir"
		return
	fi
	# The processes that hold it and whose parent does not: the one that
	# took it, or what is left of it.
	for pid in "${!holds[@]}"; do
		_proc_fields "$pid" || continue
		if [ -n "${holds[${pf[1]}]:-}" ]; then
			n=$((n + 1))
		else
			roots="$roots, $pid ($(proc_cmd "$pid" | cut -c 1-60))"
		fi
	done
	[ "$n" = 0 ] || roots="$roots and $n process(es) they started"
	echo "$key ${roots#, }, which left no $WORLD_OWNER"
}

world_lock()
{
	local since=$SECONDS said=- holder
	lock_open 9 world.lock ||
		{ echo "FAIL: cannot open the DNS world's lock" >&2; exit 99; }
	until flock -n 9; do
		world_clean_stale
		flock -n 9 && break
		holder=$(_wl_holder)
		# Once for each holding of the lock.
		if [ "${holder%% *}" != "$said" ]; then
			echo "world_up: waiting for the DNS world ($WORLD_LOCK)," \
			    "held by ${holder#* }" >&2
			said=${holder%% *}
		fi
		holder=${holder#* }
		if [ $((SECONDS - since)) -ge "$WORLD_LOCK_WAIT" ]; then
			echo "FAIL: the DNS world stayed locked for" \
			    "${WORLD_LOCK_WAIT}s, by $holder" >&2
			exit 99
		fi
		# Short waits, so that an owner's death is seen while waiting.
		flock -w 5 9 && break
	done
	[ "$said" = - ] ||
		echo "world_up: got the DNS world after $((SECONDS - since))s" >&2
	# The owner died, but nothing it left held the lock; or a waiter is
	# still stopping its servers, which would take our addresses.
	world_clean_stale wait
}

world_lock_owner()
{
	# Read here: inside $(...), BASHPID is the subshell's.
	local me=$BASHPID locker
	locker=$(sed -n 's/^lock:.*FLOCK *ADVISORY *WRITE *\([0-9]*\) .*/\1/p' \
	    "/proc/$me/fdinfo/9" | head -n 1)
	printf 'pid=%s start=%s locker=%s dir=%s cmd=%s\n' "$me" \
	    "$(proc_start "$me")" "${locker:-0}" "$1" "$(proc_cmd "$me")" \
	    >"$WORLD_OWNER.$me" && mv -f "$WORLD_OWNER.$me" "$WORLD_OWNER"
}

world_unlock()
{
	if _wl_owner && [ "$owner_pid" = "$BASHPID" ]; then
		rm -f "$WORLD_OWNER"
	fi
	exec 9>&-
}

world_clean_stale()
{
	local how=-n
	[ "${1:-}" != wait ] || how="-w $((WORLD_STALE_WAIT * 6))"
	_wl_owner || return 0
	proc_running "$owner_pid" "$owner_start" && return 0
	# One cleaner at a time; the others find it done (the record goes
	# last).
	(
		lock_open 7 world.owner.clean || exit 0
		# shellcheck disable=SC2086 # $how is two words
		flock $how 7 || exit 0
		_wl_owner || exit 0
		proc_running "$owner_pid" "$owner_start" && exit 0
		dead="$owner_pid $owner_start"
		stopped=
		_wl_clean "$owner_dir"
		echo "world_up: pid $owner_pid ($owner_cmd) is gone but left" \
		    "its DNS world $owner_dir behind; stopped" \
		    "${stopped:-nothing}; removed $owner_dir" >&2
		# The record just read, not one a new owner wrote since.
		_wl_owner && [ "$owner_pid $owner_start" = "$dead" ] &&
			rm -f "$WORLD_OWNER"
		exit 0
	) 9>&-
}

# _wl_clean DIR: stops what the dead owner of world DIR left running and
# removes DIR; appends what it stopped to $stopped.
_wl_clean()
{
	local dir=$1 etc pid locker
	local -a pids=()
	# NSD and the scripted servers, by their pid files (world checks that
	# each pid is still the server it started).
	for pid in "$dir"/dns/*.pid; do
		[ -f "$pid" ] || continue
		pid=$(head -n 1 "$pid" 2>/dev/null)
		[ -z "$pid" ] || [ -z "$(proc_start "$pid")" ] ||
			_wl_stopped "$pid"
	done
	[ ! -d "$dir/dns" ] ||
		"$top_srcdir/tests/dnsworld/world" stop "$dir/dns" >/dev/null 2>&1
	for etc in "$dir"/postfix*/etc; do
		[ -f "$etc/main.cf" ] || continue
		pid=$(tr -dc '0-9' <"${etc%/etc}/queue/pid/master.pid" 2>/dev/null)
		[ -z "$pid" ] || [ -z "$(proc_start "$pid")" ] ||
			_wl_stopped "$pid"
		PATH=$PATH:/usr/sbin postfix -c "$etc" stop >/dev/null 2>&1
	done
	# ptrmilter, smtp-sink, tail, ...: they name DIR on their command line.
	mapfile -t pids < <(_wl_naming "$dir")
	# Children that inherited the dead owner's lock (the same LOCKER).
	while read -r pid locker; do
		[ "$locker" = "$owner_locker" ] || continue
		case " ${pids[*]} " in *" $pid "*) continue ;; esac
		pids+=("$pid")
	done < <(_wl_holders)
	_wl_kill "${pids[@]}"
	rm -rf -- "$dir"
}

# _wl_kill PID...: SIGTERM, SIGKILL to what is left after a while; never
# to this shell or its ancestors.
_wl_kill()
{
	local pid i mine=" "
	local -a left=() them=()
	for ((pid = BASHPID; pid > 1; pid = pf[1])); do
		mine="$mine$pid "
		_proc_fields "$pid" || break
	done
	for pid in "$@"; do
		case $mine in *" $pid "*) continue ;; esac
		them+=("$pid")
		_wl_stopped "$pid"
	done
	set -- "${them[@]}"
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null
	for ((i = 0; i < WORLD_STALE_WAIT * 10; i++)); do
		left=()
		for pid in "$@"; do
			[ -z "$(proc_state "$pid")" ] ||
				[ "$(proc_state "$pid")" = Z ] || left+=("$pid")
		done
		[ "${#left[@]}" -gt 0 ] || return 0
		sleep 0.1
	done
	kill -KILL "${left[@]}" 2>/dev/null
}

# _wl_stopped PID: adds "NAME PID" to $stopped.
_wl_stopped()
{
	local cmd
	cmd=$(proc_cmd "$1")
	cmd=${cmd%% *}
	stopped="${stopped:+$stopped, }${cmd##*/} $1"
}

# _wl_naming DIR: live processes whose command line names DIR.
_wl_naming()
{
	local f p
	grep -laF -- "$1" /proc/[0-9]*/cmdline 2>/dev/null |
	while read -r f; do
		p=${f#/proc/}
		p=${p%/cmdline}
		case $(proc_state "$p") in
		''|Z)	;;	# gone (grep itself) or dead
		*)	echo "$p" ;;
		esac
	done
}
