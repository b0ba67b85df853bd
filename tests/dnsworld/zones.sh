# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
# zones.sh - the contents of the DNS test world; sourced by tests/dnsworld/world.
#
# Every zone is served by one NSD on 127.53.0.1 and every NS record names
# a.root-servers.net. (A 127.53.0.1).  All addresses in the data are from
# the documentation ranges (RFC 5737, RFC 3849) or the benchmarking range
# 198.18.0.0/15 (RFC 2544), never routable ones.
#
# world provides to this file:
#   $BENCH      number of benchmark hosts (0: no benchmark zone)
#   ds ZONE     prints the DS record of the signed child ZONE
# This file provides to world:
#   zones_list  one line per zone, "NAME MODE", parents before children;
#               MODE is signed (valid now), expired (signatures that ended
#               in the past, DS in the parent still valid), unsigned, or
#               a DNSSEC fault world makes after signing: badsig, nokey
#               or dsmismatch (see world)
#   zone_body   NAME: the zone's records after the apex SOA and NS
#   script_rules  dns_script's SUFFIX=ACTION rules for the zones
#               delegated to ns.script.example.com (127.53.0.4)
#
# The senders of the sender audit (SPF and MX records under
# spf.example.com, their hosts and reverse records, in zones of their own
# and in some of those below) come from spf_zones.sh.
#
# Tests depend on these names and addresses: change them together.

# shellcheck source=spf_zones.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/spf_zones.sh"

zones_list()
{
	cat <<'EOF'
. signed
net. signed
com. signed
arpa. signed
in-addr.arpa. signed
ip6.arpa. signed
example.com. signed
example-broadband.com. signed
example.net. unsigned
100.51.198.in-addr.arpa. signed
64-26.100.51.198.in-addr.arpa. signed
badsig.100.51.198.in-addr.arpa. badsig
nokey.100.51.198.in-addr.arpa. nokey
dsmismatch.100.51.198.in-addr.arpa. dsmismatch
113.0.203.in-addr.arpa. expired
2.0.192.in-addr.arpa. unsigned
8.b.d.0.1.0.0.2.ip6.arpa. signed
EOF
	spf_zones_list
	if [ "$BENCH" -gt 0 ]; then
		echo "18.198.in-addr.arpa. signed"
	fi
}

# Broken servers on 127.53.0.4, one way of breaking per delegated zone.
script_rules()
{
	local way
	for way in refused truncated short pointer-loop bad-rdlength \
	    wrong-question; do
		echo "$way.100.51.198.in-addr.arpa=$way"
	done
	echo "refused.example.com=refused"
}

# Seven names of some 200 octets each, every label distinct so that name
# compression cannot shrink them: their PTR set is too big for a 1232-byte
# UDP answer.
long_names()
{
	local k c1 c2 c3 chars=abcdefghijklmnopqrstu
	for k in 0 1 2 3 4 5 6; do
		c1=${chars:$((3 * k)):1}
		c2=${chars:$((3 * k + 1)):1}
		c3=${chars:$((3 * k + 2)):1}
		echo "$(zone_label 60 "$c1").$(zone_label 63 "$c2").$(zone_label 63 "$c3")"
	done
}

# A label of N copies of character C, for the 255-octet name.
zone_label()
{
	local s
	printf -v s '%*s' "$1" ''
	printf '%s' "${s// /$2}"
}

zone_body()
{
	case $1 in
	.)
		cat <<EOF
com.			NS	a.root-servers.net.
$(ds com.)
net.			NS	a.root-servers.net.
$(ds net.)
arpa.			NS	a.root-servers.net.
$(ds arpa.)
a.root-servers.net.	A	127.53.0.1
EOF
		;;
	net.)
		cat <<'EOF'
a.root-servers		A	127.53.0.1
; insecure delegation: no DS
example			NS	a.root-servers.net.
EOF
		;;
	com.)
		cat <<EOF
example			NS	a.root-servers.net.
$(ds example.com.)
example-broadband	NS	a.root-servers.net.
$(ds example-broadband.com.)
EOF
		;;
	arpa.)
		cat <<EOF
in-addr			NS	a.root-servers.net.
$(ds in-addr.arpa.)
ip6			NS	a.root-servers.net.
$(ds ip6.arpa.)
EOF
		;;
	in-addr.arpa.)
		cat <<EOF
100.51.198		NS	a.root-servers.net.
$(ds 100.51.198.in-addr.arpa.)
113.0.203		NS	a.root-servers.net.
$(ds 113.0.203.in-addr.arpa.)
; insecure delegation: no DS, the child is unsigned
2.0.192			NS	a.root-servers.net.
; the addresses of bulk.spf.example.com (spf_zones.sh)
19.198			NS	a.root-servers.net.
$(ds 19.198.in-addr.arpa.)
EOF
		if [ "$BENCH" -gt 0 ]; then
			printf '18.198\t\t\tNS\ta.root-servers.net.\n'
			ds 18.198.in-addr.arpa.
		fi
		;;
	ip6.arpa.)
		cat <<EOF
8.b.d.0.1.0.0.2		NS	a.root-servers.net.
$(ds 8.b.d.0.1.0.0.2.ip6.arpa.)
EOF
		;;
	example.com.)
		cat <<'EOF'
mail			A	198.51.100.20
elsewhere		A	203.0.113.99
first			A	192.0.2.1
second			A	198.51.100.30
classless		A	198.51.100.70
mail6			AAAA	2001:db8:1::25
; SERVFAIL: world configures this zone in NSD (on 127.53.0.1 and
; 127.53.0.2) without loading it, so NSD answers SERVFAIL for every name
; under it
servfail		NS	ns.servfail.example.com.
ns.servfail		A	127.53.0.2
; the blackhole on 127.53.0.3 never answers: the resolver times out
timeout			NS	ns.timeout.example.com.
ns.timeout		A	127.53.0.3
; dns_script on 127.53.0.4: REFUSED for everything under refused
refused			NS	ns.script.example.com.
ns.script		A	127.53.0.4
; the PTR targets of the DNSSEC-broken reverse zones: with the data taken
; at face value, each would confirm
badsig			A	198.51.100.101
nokey			A	198.51.100.102
dsmismatch		A	198.51.100.103
; a CNAME loop
loop			CNAME	loop2
loop2			CNAME	loop
EOF
		# The test domains of the sender audit (spf_zones.sh).
		printf 'spf\t\t\tNS\ta.root-servers.net.\n'
		ds spf.example.com.
		long_names | awk '{ print $0 "\tA\t198.51.100.99" }'
		# A HELO name of 20 A records, 198.51.100.20 the 17th: the
		# whole answer must count, not the first 16.
		awk 'BEGIN {
			for (k = 1; k <= 20; k++) {
				a = k == 17 ? "198.51.100.20" : "192.0.2." (100 + k)
				printf "many-a\tA\t%s\n", a
			}
		}'
		if [ "$BENCH" -gt 0 ]; then
			awk -v n="$BENCH" 'BEGIN {
				for (k = 1; k <= n; k++)
					printf "h%d.bench\tA\t198.18.%d.%d\n",
					    k, int(k / 256), k % 256
			}'
		fi
		;;
	example-broadband.com.)
		cat <<'EOF'
198-51-100-40		A	198.51.100.40
EOF
		;;
	example.net.)
		cat <<'EOF'
insecure		A	192.0.2.50
EOF
		;;
	100.51.198.in-addr.arpa.)
		cat <<EOF
20			PTR	mail.example.com.
; 21: no such name
22			PTR	elsewhere.example.com.
23			PTR	nxname.example.com.
24			PTR	host.servfail.example.com.
25			PTR	host.timeout.example.com.
30			PTR	first.example.com.
30			PTR	second.example.com.
40			PTR	198-51-100-40.example-broadband.com.
; RFC 2317 classless delegation of 198.51.100.64/26
70			CNAME	70.64-26.100.51.198.in-addr.arpa.
64-26			NS	a.root-servers.net.
$(ds 64-26.100.51.198.in-addr.arpa.)
; hostile names: a space, a dot inside a label, bytes 0x80 0xff, a NUL
90			PTR	sp\\032ace.example.com.
90			PTR	dot\\.label.example.com.
90			PTR	\\128\\255bin.example.com.
90			PTR	nul\\000byte.example.com.
; a name of exactly 255 octets in wire form
91			PTR	$(zone_label 63 a).$(zone_label 63 b).$(zone_label 63 c).$(zone_label 49 d).example.com.
EOF
		for k in 1 2 3 4 5 6 7 8 9 10 11 12; do
			printf '92\t\t\tPTR\tmany%d.example.com.\n' "$k"
		done
		cat <<EOF
; NODATA: a name without a PTR
93			TXT	"no PTR here"
; a CNAME loop in the reverse tree; a PTR into a forward CNAME loop
94			CNAME	loop94
loop94			CNAME	loop94b
loop94b			CNAME	loop94
95			PTR	loop.example.com.
; DNSSEC faults, each in an RFC 2317 child zone that world breaks
101			CNAME	101.badsig
badsig			NS	a.root-servers.net.
$(ds badsig.100.51.198.in-addr.arpa.)
102			CNAME	102.nokey
nokey			NS	a.root-servers.net.
$(ds nokey.100.51.198.in-addr.arpa.)
103			CNAME	103.dsmismatch
dsmismatch		NS	a.root-servers.net.
$(ds dsmismatch.100.51.198.in-addr.arpa.)
; broken servers (dns_script), insecure delegations: 110 REFUSED, 111 a
; truncated UDP answer with TCP refused, 112-115 malformed answers
110			CNAME	110.refused
111			CNAME	111.truncated
112			CNAME	112.short
113			CNAME	113.pointer-loop
114			CNAME	114.bad-rdlength
115			CNAME	115.wrong-question
; forward zone REFUSED
120			PTR	host.refused.example.com.
EOF
		for k in refused truncated short pointer-loop bad-rdlength \
		    wrong-question; do
			printf '%s\t\tNS\tns.script.example.com.\n' "$k"
		done
		long_names | awk '{ print "99\t\t\tPTR\t" $0 ".example.com." }'
		;;
	64-26.100.51.198.in-addr.arpa.)
		cat <<'EOF'
70			PTR	classless.example.com.
EOF
		;;
	badsig.100.51.198.in-addr.arpa.)
		printf '101\tPTR\tbadsig.example.com.\n'
		;;
	nokey.100.51.198.in-addr.arpa.)
		printf '102\tPTR\tnokey.example.com.\n'
		;;
	dsmismatch.100.51.198.in-addr.arpa.)
		printf '103\tPTR\tdsmismatch.example.com.\n'
		;;
	113.0.203.in-addr.arpa.)
		cat <<'EOF'
10			PTR	mail.example.com.
EOF
		;;
	2.0.192.in-addr.arpa.)
		cat <<'EOF'
50			PTR	insecure.example.net.
; 51: no such name (an insecure NXDOMAIN); 52: NODATA, insecure
52			TXT	"no PTR here"
EOF
		;;
	8.b.d.0.1.0.0.2.ip6.arpa.)
		cat <<'EOF'
; 2001:db8:1::25; nothing for 2001:db8:1::26
5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0	PTR	mail6.example.com.
EOF
		;;
	18.198.in-addr.arpa.)
		awk -v n="$BENCH" 'BEGIN {
			for (k = 1; k <= n; k++)
				printf "%d.%d\tPTR\th%d.bench.example.com.\n",
				    k % 256, int(k / 256), k
		}'
		;;
	spf.example.com.|unsigned.spf.example.com.|19.198.in-addr.arpa.)
		spf_zone_body "$1"
		;;
	*)
		echo "zones.sh: no zone $1" >&2
		return 1
		;;
	esac
	spf_zone_records "$1"
}
