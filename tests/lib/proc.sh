# SPDX-License-Identifier: BSD-2-Clause
# proc.sh - processes, for the test libraries (lib.sh, postfix.sh,
# milter.sh, world_lock.sh source it; sourcing it twice is harmless).
#
#   proc_start PID     the start time of PID (clock ticks since boot, from
#                      /proc/PID/stat); nothing if there is no such process.
#                      A pid and its start time name one process for good:
#                      a recycled pid has another start time.
#   proc_state PID     its state letter (R, S, D, Z, ...); nothing if gone
#   proc_cmd PID       its command line, spaces between the arguments
#   proc_running PID START
#                      the process PID that started at START is still
#                      there and not a zombie
#   proc_forget PID    bash forgets its background child PID (disown):
#                      its end is then neither reported ("Killed") nor
#                      waited for; call it before signalling PID
#   proc_gone PID [SECONDS]
#                      PID has exited (gone, or a zombie), polling up to
#                      SECONDS (default 0); fails if it is still running
#
# Why not "wait PID" to stop a child: when a trapped signal (Ctrl-C) cuts
# a "wait" short just as a child dies of the same signal, bash can lose
# that child's status; a later "wait" for it then blocks for as long as
# any other child lives.  The demo's stop hung that way on Postfix's
# watchdog while smtp-sink, which only that stop would end, lived on.

# _proc_fields PID: the fields of /proc/PID/stat after "PID (comm) " into
# the array pf (pf[0] the state, pf[1] the parent, pf[19] the start time);
# fails if PID is gone.  The command name may hold spaces and parentheses,
# so the cut is at its last ") ".
_proc_fields()
{
	local stat
	pf=()
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	read -ra pf <<<"${stat##*) }"
}

proc_start()
{
	_proc_fields "$1" || return 0
	printf '%s\n' "${pf[19]}"
}

proc_state()
{
	_proc_fields "$1" || return 0
	printf '%s\n' "${pf[0]}"
}

proc_cmd()
{
	{ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | sed 's/ $//'
}

proc_running()
{
	local state
	[ -n "$2" ] && [ "$(proc_start "$1")" = "$2" ] || return 1
	state=$(proc_state "$1")
	[ -n "$state" ] && [ "$state" != Z ]
}

proc_forget()
{
	disown "$1" 2>/dev/null
	return 0
}

proc_gone()
{
	local i
	for ((i = 0; i <= ${2:-0} * 10; i++)); do
		_proc_fields "$1" || return 0
		[ "${pf[0]}" != Z ] || return 0
		[ "$i" = $((${2:-0} * 10)) ] || sleep 0.1
	done
	return 1
}
