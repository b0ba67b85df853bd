#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""spf_domain_check.py - a ptrcheck --domain --json report against what
tests/integration/data/spf_domains.tsv says of the domain.

    spf_domain_check.py DATA DOMAIN REPORT ASPECT [STATUS]

REPORT is ptrcheck's output, one JSON object a line (every line must
parse).  ASPECT is one of:
  record    the domain object: exists, SPF result and its cause, DNSSEC,
            DNS and void lookups as the domain row says
  sources   every address listed, under the source label each source
            row (and mx row) gives it, and nothing else; IPv6 prefixes
            noted as not enumerated; unexpandable terms and void lookups
            noted in the SPF notes, term by term
  verdicts  every address object's iprev, DNSSEC and generic name as its
            address row says
  status    STATUS is ptrcheck's exit status under the default --fail-on:
            68 for a name that does not exist, else the worst of the
            record (permerror 1, temperror 2) and the addresses (iprev
            fail or permerror 1, temperror 2)
Prints what differs and exits 1, or exits 0.
"""
import ipaddress
import json
import sys

# What each REASON of a domain row must be called in the report.
REASONS = {
    "multiple_records": "publishes two SPF records",
    "syntax": "SPF record of",
    "include_loop": "loop:",
    "include_none": "has no SPF record",
    "too_many_lookups": "too many DNS lookups",
    "too_many_void_lookups": "too many void lookups",
    "servfail": "SERVFAIL",
    "no_spf_record": "publishes no SPF record",
}
STATUS_OF_IPREV = {"pass": 0, "fail": 1, "permerror": 1, "temperror": 2}


def rows(path, kind):
    """The rows of one kind, the kind dropped."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == kind:
                yield fields[1:]


def report(path):
    """The report's objects, by kind."""
    out = {"domain": None, "addresses": [], "notes": [], "summary": None}
    with open(path, encoding="utf-8") as f:
        for line in f:
            obj = json.loads(line)
            if "domain" in obj:
                out["domain"] = obj["domain"]
            elif "summary" in obj:
                out["summary"] = obj["summary"]
            elif "note" in obj:
                out["notes"].append(obj)
            else:
                out["addresses"].append(obj)
    return out


def label(path, mechanism, host):
    """The source label ptrcheck gives an SPF source row."""
    text = mechanism
    bare = mechanism.split("/")[0] in ("a", "mx") or \
        mechanism.startswith("mx:")
    if host != "-" and bare:
        text += " (%s)" % host
    if path != "-":
        text += " via " + path
    return "spf " + text


def expand(item):
    """The addresses an item names: an address, an IPv4 prefix's all; an
    IPv6 prefix none (it cannot be enumerated)."""
    net = ipaddress.ip_network(item, strict=True)
    if net.version == 6 and net.prefixlen != 128:
        return []
    return [str(a) for a in net]


def check_record(data, domain, rep):
    """The domain object as the domain row says."""
    got = rep["domain"]
    want = next(r for r in rows(data, "domain") if r[0] == domain)
    _, result, reason, dnssec, lookups, voids = want
    problems = []
    if got is None:
        return ["no domain object"]
    spf = got["spf"]
    if reason == "nxdomain":
        if got["exists"] is not False:
            problems.append("exists is not false")
        return problems
    if got["exists"] is not True:
        problems.append("exists is not true")
    if spf["result"] != result:
        problems.append("result %s, want %s" % (spf["result"], result))
    if reason != "-" and REASONS[reason] not in spf["reason"]:
        problems.append("reason %r does not say %r" % (spf["reason"],
                                                       REASONS[reason]))
    want_dnssec = "indeterminate" if dnssec == "-" else dnssec
    if spf["dnssec"] != want_dnssec:
        problems.append("dnssec %s, want %s" % (spf["dnssec"], want_dnssec))
    for key, value in (("dns_lookups", lookups), ("void_lookups", voids)):
        if spf[key] != (0 if value == "-" else int(value)):
            problems.append("%s %s, want %s" % (key, spf[key], value))
    return problems


def expected_sources(data, domain):
    """(source label, address) pairs; IPv6 prefixes; notes wanted."""
    pairs, ipv6, notes = set(), set(), []
    for path, mechanism, host, item in (r[1:] for r in rows(data, "source")
                                        if r[0] == domain):
        if item.startswith("unexpandable:"):
            notes.append((mechanism, "cannot be expanded"))
        elif item.startswith("void:"):
            notes.append((mechanism, "void lookup: %s" % host))
        elif ":" in item and "/" in item and not item.endswith("/128"):
            ipv6.add((label(path, mechanism, host), item))
        else:
            for a in expand(item):
                pairs.add((label(path, mechanism, host), a))
    for _, host, address in (r[1:] for r in rows(data, "mx")
                             if r[0] == domain):
        if host != ".":
            pairs.add(("mx " + host, address))
    return pairs, ipv6, notes


def check_sources(data, domain, rep):
    """Every address under its source, the IPv6 prefixes and notes."""
    pairs, ipv6, notes = expected_sources(data, domain)
    got = {(a["source"], a["ip"]) for a in rep["addresses"]}
    problems = ["missing %s %s" % p for p in sorted(pairs - got)]
    problems += ["unexpected %s %s" % p for p in sorted(got - pairs)]
    got6 = {(n["source"], n["prefix"]) for n in rep["notes"]}
    problems += ["IPv6 prefix not noted: %s %s" % p
                 for p in sorted(ipv6 - got6)]
    problems += ["unexpected note: %s %s" % p for p in sorted(got6 - ipv6)]
    texts = [n["text"] for n in rep["domain"]["spf"]["notes"]] \
        if rep["domain"] else []
    for term, what in notes:
        if not any(t.startswith(term + ":") and what in t for t in texts):
            problems.append("no note %r on %s" % (what, term))
    return problems


def check_verdicts(data, rep):
    """iprev, DNSSEC and generic name of every address object."""
    want = {r[0]: r[1:4] for r in rows(data, "address")}
    problems = []
    for a in rep["addresses"]:
        generic = "yes" if "ptr_generic" in a["tags"] else "no"
        got = [a["iprev"], a["dnssec"], generic]
        if a["ip"] not in want:
            problems.append("%s: no address row" % a["ip"])
        elif got != want[a["ip"]]:
            problems.append("%s: %s, want %s" % (a["ip"], got,
                                                 want[a["ip"]]))
    return problems


def check_status(data, domain, rep, status):
    """The exit status the record and the addresses ask for."""
    _, result, reason = next(r for r in rows(data, "domain")
                             if r[0] == domain)[:3]
    if reason == "nxdomain":
        want = 68
    else:
        want = {"permerror": 1, "temperror": 2}.get(result, 0)
        for a in rep["addresses"]:
            got = STATUS_OF_IPREV[a["iprev"]]
            want = max(want, got)
    return [] if status == want else ["status %d, want %d" % (status, want)]


def main():
    data, domain, path, aspect = sys.argv[1:5]
    rep = report(path)
    if aspect == "record":
        problems = check_record(data, domain, rep)
    elif aspect == "sources":
        problems = check_sources(data, domain, rep)
    elif aspect == "verdicts":
        problems = check_verdicts(data, rep)
    else:
        problems = check_status(data, domain, rep, int(sys.argv[5]))
    for p in problems:
        print("%s: %s" % (domain, p), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
