# mail.sh - reading delivered mail, for the tests that run a real MTA
# (postfix.sh, sendmail.sh source it).
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
