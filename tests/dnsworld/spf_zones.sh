# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
# spf_zones.sh - the senders of the DNS test world: test domains under
# spf.example.com with their SPF and MX records, for the sender audit
# (ptrcheck --domain), and the hosts and addresses those records name.
# Sourced by zones.sh (the zone data) and by spf_expect (the verdicts the
# data implies), so that the zones and the expectations cannot drift.
#
# Zones of their own (spf_zones_list):
#   spf.example.com.           signed; delegated from example.com with a DS
#   unsigned.spf.example.com.  unsigned; delegated without a DS
#   19.198.in-addr.arpa.       signed; the 1,000 addresses of
#                              bulk.spf.example.com, 198.19.0.0 to
#                              198.19.3.231 (RFC 2544's range: --bench
#                              keeps 198.18.0.0/16)
# and records in zones world already serves, at addresses no other test
# uses (keep it so):
#   100.51.198.in-addr.arpa.   198.51.100.128-159 and .176-196 (signed)
#   2.0.192.in-addr.arpa.      192.0.2.60-61 (unsigned)
#   8.b.d.0.1.0.0.2.ip6.arpa.  2001:db8:5::/48 (signed)
#   example-broadband.com.     generic names, A-B-C-D.example-broadband.com
#
# What each test domain is for and what a receiver makes of it:
# tests/integration/data/spf_domains.tsv, whose address rows spf_expect
# writes from spf_hosts below.
#
# Provides: spf_zones_list; spf_zone_body ZONE (the delegations of a zone
# of its own); spf_zone_records ZONE (the records in any zone, nothing
# for most); spf_hosts (the host table).

SPF_ZONE=spf.example.com

spf_zones_list()
{
	cat <<'EOF'
spf.example.com. signed
unsigned.spf.example.com. unsigned
19.198.in-addr.arpa. signed
EOF
}

# The host table, one host or fact a line:
#   host ADDRESS NAME    ADDRESS and NAME point at each other (PTR, A/AAAA)
#   generic ADDRESS      the same with the address's generic name: written
#                        in example-broadband.com, as the world's other
#                        generic host (198-51-100-40.example-broadband.com)
#   ptr ADDRESS NAME     a PTR record alone
#   addr NAME ADDRESS    an A (or AAAA) record alone
#   noptr ADDRESS        a sending address left without a PTR on purpose
spf_hosts()
{
	local d=$SPF_ZONE
	cat <<EOF
host 198.51.100.128 basic.$d
host 2001:db8:5::128 basic.$d
host 198.51.100.129 out1.basic.$d
host 2001:db8:5::25 out6.basic.$d
host 198.51.100.130 mx1.basic.$d
host 2001:db8:5::130 mx1.basic.$d
noptr 198.51.100.131
addr mx2.basic.$d 198.51.100.131
generic 198.51.100.132
addr mx3.basic.$d 198.51.100.132
host 198.51.100.133 out1.nested.$d
host 198.51.100.134 out2.nested.$d
host 198.51.100.135 out3.nested.$d
host 198.51.100.136 relay.nested.$d
host 198.51.100.137 relay2.nested.$d
noptr 198.51.100.138
generic 198.51.100.139
host 198.51.100.140 out1.redirect.$d
host 198.51.100.141 out2.redirect.$d
host 198.51.100.142 out.redirect-all.$d
host 198.51.100.143 out.loop.$d
host 198.51.100.184 out.lookups.$d
addr lookups10.$d 198.51.100.184
addr lookups11.$d 198.51.100.184
host 198.51.100.185 mx.lookups.$d
host 198.51.100.186 out.void.$d
host 198.51.100.192 out.macro.$d
host 198.51.100.193 out.exists.$d
host 198.51.100.194 out.ptr.$d
host 198.51.100.195 mx.nospf.$d
host 198.51.100.196 out.inc-temperror.$d
host 192.0.2.60 out.unsigned.$d
host 192.0.2.61 mx.unsigned.$d
EOF
	awk -v d="$d" 'BEGIN {
		# h1..h8.lookups: 198.51.100.176-183.
		for (k = 1; k <= 8; k++)
			printf "host 198.51.100.%d h%d.lookups.%s\n", 175 + k, k, d
		# basic'"'"'s ip4:198.51.100.144/28: 144-151 confirmed, 152-153
		# generic, 154 a PTR whose name is gone, 155-159 no PTR.
		for (k = 144; k <= 159; k++) {
			a = "198.51.100." k
			if (k < 152)
				printf "host %s out%d.basic.%s\n", a, k, d
			else if (k < 154)
				print "generic " a
			else if (k == 154)
				print "ptr " a " old-relay.basic." d
			else
				print "noptr " a
		}
	}'
	spf_bulk_hosts
}

# bulk's 1,000 addresses, 198.19.0.0 + K for K = 0..999: the tenth (K
# ending in 9) without a PTR, the tenth ending in 4 generic, K = 42, 142,
# ... a PTR naming a host that has moved to 198.19.4.0/24; the rest
# confirmed as mta-K.bulk.
spf_bulk_hosts()
{
	awk -v d="$SPF_ZONE" 'BEGIN {
		for (k = 0; k < 1000; k++) {
			a = "198.19." int(k / 256) "." (k % 256)
			if (k % 10 == 9) {
				print "noptr " a
			} else if (k % 10 == 4) {
				print "generic " a
			} else if (k % 100 == 42) {
				printf "ptr %s moved-%d.bulk.%s\n", a, k, d
				printf "addr moved-%d.bulk.%s 198.19.4.%d\n", k, d,
				    k / 100
			} else {
				printf "host %s mta-%d.bulk.%s\n", a, k, d
			}
		}
	}'
}

# The host table as facts: ptr, addr and noptr lines only.
spf_facts()
{
	spf_hosts | awk '
	$1 == "generic" {
		name = $2
		gsub(/\./, "-", name)
		$0 = "host " $2 " " name ".example-broadband.com"
	}
	$1 == "host" {
		print "ptr " $2 " " $3
		print "addr " $3 " " $2
		next
	}
	{ print }'
}

# The SPF, MX and other records of the test domains, absolute owners.
spf_domain_records()
{
	local d=$SPF_ZONE
	cat <<EOF
basic.$d.	TXT	"v=spf1 a mx ip4:198.51.100.129 ip4:198.51.100.144/28 ip6:2001:db8:5::25 ip6:2001:db8:5:100::/56 -all"
basic.$d.	TXT	"v=spf10 is not an SPF record"
basic.$d.	TXT	"example-site-verification=4f0c8d2a"
basic.$d.	MX	10 mx1.basic.$d.
basic.$d.	MX	20 mx2.basic.$d.
basic.$d.	MX	30 mx3.basic.$d.
nested.$d.	TXT	"v=spf1 include:_spf.nested.$d ip4:198.51.100.133 -all"
_spf.nested.$d.	TXT	"v=spf1 include:_spf2.nested.$d ip4:198.51.100.134 ~all"
_spf2.nested.$d.	TXT	"v=spf1 ip4:198.51.100.135 a:relay.nested.$d/30 ?all"
redirect.$d.	TXT	"v=spf1 ip4:198.51.100.140 redirect=_spf.redirect.$d"
_spf.redirect.$d.	TXT	"v=spf1 ip4:198.51.100.141 -all"
redirect-all.$d.	TXT	"v=spf1 ip4:198.51.100.142 -all redirect=_spf.redirect.$d"
loop.$d.	TXT	"v=spf1 include:_a.loop.$d -all"
_a.loop.$d.	TXT	"v=spf1 ip4:198.51.100.143 include:_b.loop.$d -all"
_b.loop.$d.	TXT	"v=spf1 include:loop.$d -all"
lookups10.$d.	TXT	"v=spf1 a mx include:_inc.lookups.$d a:h1.lookups.$d a:h2.lookups.$d a:h3.lookups.$d a:h4.lookups.$d a:h5.lookups.$d -all"
lookups10.$d.	MX	10 mx.lookups.$d.
lookups11.$d.	TXT	"v=spf1 a mx include:_inc.lookups.$d a:h1.lookups.$d a:h2.lookups.$d a:h3.lookups.$d a:h4.lookups.$d a:h5.lookups.$d a:h8.lookups.$d -all"
lookups11.$d.	MX	10 mx.lookups.$d.
_inc.lookups.$d.	TXT	"v=spf1 a:h6.lookups.$d a:h7.lookups.$d -all"
void2.$d.	TXT	"v=spf1 a:nx1.void.$d a:nodata.void.$d ip4:198.51.100.186 -all"
void3.$d.	TXT	"v=spf1 a:nx1.void.$d a:nodata.void.$d a:nx2.void.$d ip4:198.51.100.186 -all"
nodata.void.$d.	TXT	"no address here"
twospf.$d.	TXT	"v=spf1 ip4:198.51.100.187 -all"
twospf.$d.	TXT	"v=spf1 ip4:198.51.100.188 ~all"
include-none.$d.	TXT	"v=spf1 include:nospf.$d ip4:198.51.100.189 -all"
syntax.$d.	TXT	"v=spf1 ip4:198.51.100.190 ipv4:198.51.100.191 -all"
macro.$d.	TXT	"v=spf1 ip4:198.51.100.192 include:%{ir}.%{v}._spf.macro.$d -all"
exists.$d.	TXT	"v=spf1 ip4:198.51.100.193 exists:%{i}._spf.exists.$d -all"
ptr.$d.	TXT	"v=spf1 ptr ip4:198.51.100.194 -all"
nospf.$d.	TXT	"example-site-verification=9b1e77c0"
nospf.$d.	MX	10 mx.nospf.$d.
inc-temperror.$d.	TXT	"v=spf1 ip4:198.51.100.196 include:spf.servfail.example.com -all"
bulk.$d.	TXT	"v=spf1 ip4:198.19.0.0/24 ip4:198.19.1.0/24 include:_spf.bulk.$d -all"
_spf.bulk.$d.	TXT	"v=spf1 ip4:198.19.2.0/24 ip4:198.19.3.0/25 " "ip4:198.19.3.128/26 ip4:198.19.3.192/27 ip4:198.19.3.224/29 -all"
bulk.$d.	MX	0 .
unsigned.$d.	TXT	"v=spf1 ip4:192.0.2.60 mx -all"
unsigned.$d.	MX	10 mx.unsigned.$d.
EOF
}

# Every record above and every fact of spf_hosts, as zone-file lines with
# absolute owners.
spf_records()
{
	spf_domain_records
	spf_facts | awk '
	function pad(g) { return substr("0000", length(g) + 1) g }
	# The 32 nibbles of an IPv6 address, "::" filled in.
	function nibbles(a,   at, head, tail, nh, nt, h, t, i, s) {
		at = index(a, "::")
		head = at ? substr(a, 1, at - 1) : a
		tail = at ? substr(a, at + 2) : ""
		nh = head == "" ? 0 : split(head, h, ":")
		nt = tail == "" ? 0 : split(tail, t, ":")
		s = ""
		for (i = 1; i <= nh; i++) s = s pad(h[i])
		for (i = nh + nt; i < 8; i++) s = s "0000"
		for (i = 1; i <= nt; i++) s = s pad(t[i])
		return s
	}
	function reverse(a,   o, s, r, i) {
		if (index(a, ":") == 0) {
			split(a, o, ".")
			return o[4] "." o[3] "." o[2] "." o[1] ".in-addr.arpa."
		}
		s = nibbles(a)
		r = ""
		for (i = 32; i >= 1; i--) r = r substr(s, i, 1) "."
		return r "ip6.arpa."
	}
	$1 == "ptr" { print reverse($2) "\tPTR\t" $3 "." }
	$1 == "addr" { print $2 ".\t" (index($3, ":") ? "AAAA" : "A") "\t" $3 }
	'
}

# The records of zone $1: those whose owner is in it and in none of its
# children.  They are made and sorted into their zones once per world.
declare -gA SPF_BY_ZONE
spf_zone_records()
{
	local zone record
	if [ -z "${SPF_BY_ZONE[.]+set}" ]; then
		SPF_BY_ZONE[.]=
		while IFS=$'\t' read -r zone record; do
			SPF_BY_ZONE[$zone]+=$record$'\n'
		done < <(spf_records | spf_route "$(zones_list)")
	fi
	printf '%s' "${SPF_BY_ZONE[$1]:-}"
}

# spf_route ZONES_LIST: each record on stdin after a tab and its zone, the
# longest of ZONES_LIST's names its owner is in.
spf_route()
{
	awk -v zones="$1" '
	BEGIN { n = split(zones, z, "\n") }
	{
		best = "."
		for (i = 1; i <= n; i++) {
			split(z[i], f, " ")
			s = "." f[1]
			if (($1 == f[1] ||
			    substr($1, length($1) - length(s) + 1) == s) &&
			    length(f[1]) > length(best))
				best = f[1]
		}
		print best "\t" $0
	}'
}

# What a zone of its own holds besides spf_zone_records: delegations.
spf_zone_body()
{
	case $1 in
	spf.example.com.)
		printf '; insecure delegation: no DS, the child is unsigned\n'
		printf 'unsigned\t\tNS\ta.root-servers.net.\n'
		;;
	unsigned.spf.example.com.|19.198.in-addr.arpa.)
		;;
	*)
		echo "spf_zones.sh: no zone $1" >&2
		return 1
		;;
	esac
}
