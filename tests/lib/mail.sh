# SPDX-License-Identifier: BSD-2-Clause
# mail.sh - delivered mail: reading it and waiting for it, for the tests
# that run a real MTA (postfix.sh, sendmail.sh source it).
#
# header NAME FILE: every value of header NAME in a delivered message, one
# per line, unfolded.
header()
{
	awk -v name="$1" '
		/^\r?$/ { exit }
		{ sub(/\r$/, "") }
		/^[ \t]/ { if (on) value = value " " substr($0, 2); next }
		{ if (on) { print value; on = 0 } }
		tolower($0) ~ "^" tolower(name) ":" {
			on = 1; value = substr($0, length(name) + 3)
		}
		END { if (on) print value }' "$2"
}

# wait_for_count COUNTER N TIMEOUT LOG: until the function COUNTER prints
# N or more, polling every 0.1 s for TIMEOUT seconds; else says how many
# came, shows the MTA's LOG and fails.
wait_for_count()
{
	local counter=$1 want=$2 timeout=$3 log=$4 n=0
	for _ in $(seq $((timeout * 10))); do
		n=$("$counter")
		[ "$n" -ge "$want" ] && return 0
		sleep 0.1
	done
	echo "${FUNCNAME[1]}: $n of $want messages after ${timeout}s; the log:" >&2
	tail -n 30 "$log" >&2
	return 1
}

# pick_python: $PYTHON for the SMTP client, Debian's own python3 first (a
# python3 earlier in PATH may lack what the system one has).
pick_python()
{
	[ -z "${PYTHON:-}" ] || return 0
	if [ -x /usr/bin/python3 ]; then
		PYTHON=/usr/bin/python3
	else
		PYTHON=$(command -v python3) || skip_or_fail "python3 is not installed"
	fi
}
