#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""prom_textfile.py - parse a Prometheus textfile strictly, as
node_exporter's textfile collector would take it.

    prom_textfile.py FILE

Checks the text exposition format 0.0.4: every line is "# HELP NAME TEXT",
"# TYPE NAME gauge" or a sample NAME{LABEL="VALUE",...} NUMBER; label
values hold only the escapes \\\\, \\" and \\n; each family's HELP and TYPE
come once, before its samples, and its samples are contiguous; no series
appears twice; the text ends with a newline.  Prints each sample as one
JSON object {"name":..., "labels":{...}, "value":...} per line, for jq;
exits 1 naming the first problem otherwise.
"""
import json
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
SAMPLE = re.compile(r"^(%s)(?:\{(.*)\})? (\S+)$" % NAME)
COMMENT = re.compile(r"^# (HELP|TYPE) (%s) (.+)$" % NAME)


def unescape(value):
    """The label value its escapes stand for."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)),
                  value)


def labels_of(text, where):
    """The labels of a sample, every byte accounted for."""
    labels, pos = {}, 0
    while text and pos < len(text):
        m = LABEL.match(text, pos)
        if m is None:
            raise ValueError("%s: bad labels at %r" % (where, text[pos:]))
        if m.group(1) in labels:
            raise ValueError("%s: label %s twice" % (where, m.group(1)))
        labels[m.group(1)] = unescape(m.group(2))
        pos = m.end()
        if pos < len(text):
            if text[pos] != ",":
                raise ValueError("%s: no comma at %r" % (where, text[pos:]))
            pos += 1
    return labels


class Families:
    """The order rules: HELP and TYPE first and once, samples contiguous."""

    def __init__(self):
        self.seen, self.current, self.series = {}, None, set()

    def comment(self, kind, name, rest, where):
        fam = self.seen.setdefault(name, {"HELP": 0, "TYPE": 0, "samples": 0})
        if fam[kind] or fam["samples"]:
            raise ValueError("%s: %s of %s repeated or late" % (where, kind, name))
        if kind == "TYPE" and rest != "gauge":
            raise ValueError("%s: type %s" % (where, rest))
        fam[kind] = 1
        self.current = name

    def sample(self, name, labels, where):
        fam = self.seen.get(name)
        if fam is None or not fam["TYPE"] or not fam["HELP"]:
            raise ValueError("%s: %s without HELP and TYPE" % (where, name))
        if self.current != name:
            raise ValueError("%s: %s not contiguous" % (where, name))
        key = (name, tuple(sorted(labels.items())))
        if key in self.series:
            raise ValueError("%s: series repeated" % where)
        self.series.add(key)
        fam["samples"] += 1


def parse(text):
    """The samples of text, or ValueError."""
    if not text.endswith("\n"):
        raise ValueError("no final newline")
    families, samples = Families(), []
    for number, line in enumerate(text[:-1].split("\n"), 1):
        where = "line %d" % number
        m = COMMENT.match(line)
        if m:
            families.comment(m.group(1), m.group(2), m.group(3), where)
            continue
        m = SAMPLE.match(line)
        if m is None:
            raise ValueError("%s: not a sample: %r" % (where, line))
        labels = labels_of(m.group(2) or "", where)
        families.sample(m.group(1), labels, where)
        samples.append({"name": m.group(1), "labels": labels,
                        "value": float(m.group(3))})
    return samples


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    try:
        samples = parse(text)
    except ValueError as e:
        print("prom_textfile.py: %s" % e, file=sys.stderr)
        return 1
    for s in samples:
        print(json.dumps(s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
