#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""ptrcheck_batch.py - a batch with malformed lines judged as without them.

    ptrcheck_batch.py CLEAN DIRTY PATTERN

CLEAN and DIRTY hold ptrcheck --json output for the same addresses, DIRTY's
input with malformed lines among them.  PATTERN gives DIRTY's objects in
order, separated by spaces: "a" for an address, "e:N" for the report of
malformed line N, "s" for the summary.  Every line of both files must be
one JSON object; every address object of DIRTY must equal CLEAN's in the
same place, timings ("ms" anywhere) and the source (its stdin line number)
left out, since they differ from run to run and line to line; the summary
must equal CLEAN's but for the count of malformed lines; every error
object must have exactly the keys error (a non-empty string), line (N),
input (a string) and length (a number).  Prints what differs; exit 0 when
nothing does.
"""
import json
import sys


def without_ms(value):
    """The value with every "ms" and "source" key removed, at any depth."""
    if isinstance(value, dict):
        return {k: without_ms(v) for k, v in value.items()
                if k not in ("ms", "source")}
    if isinstance(value, list):
        return [without_ms(v) for v in value]
    return value


def objects(path):
    """The JSON object of each line of path, in order."""
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [json.loads(line) for line in lines]


def error_problem(obj, line):
    """What is wrong with obj as the report of malformed line `line`."""
    if sorted(obj) != ["error", "input", "length", "line"]:
        return "keys %s" % sorted(obj)
    if obj["line"] != line:
        return "line %r, want %d" % (obj["line"], line)
    if not isinstance(obj["error"], str) or not obj["error"]:
        return "error %r" % obj["error"]
    if not isinstance(obj["input"], str) or not isinstance(obj["length"], int):
        return "input %r, length %r" % (obj["input"], obj["length"])
    return None


def summary_problem(obj, clean):
    """What is wrong with obj as the summary of the dirty batch."""
    if "summary" not in obj or "summary" not in clean:
        return "no summary: %s" % obj
    mine = dict(without_ms(obj)["summary"], malformed=0)
    if mine != clean["summary"]:
        return "summary %s, want %s" % (obj["summary"], clean["summary"])
    return None


def main():
    clean = [without_ms(o) for o in objects(sys.argv[1])]
    dirty = objects(sys.argv[2])
    pattern = sys.argv[3].split()
    problems = []
    if len(dirty) != len(pattern):
        problems.append("%d objects, want %d" % (len(dirty), len(pattern)))
    addresses = 0
    for i, (obj, want) in enumerate(zip(dirty, pattern)):
        if want == "s":
            if summary_problem(obj, clean[-1]) is not None:
                problems.append("object %d: %s" %
                                (i, summary_problem(obj, clean[-1])))
            continue
        if want == "a":
            if addresses >= len(clean):
                problems.append("object %d: more addresses than CLEAN" % i)
            elif without_ms(obj) != clean[addresses]:
                problems.append("object %d: %s, want %s" %
                                (i, without_ms(obj), clean[addresses]))
            addresses += 1
            continue
        why = error_problem(obj, int(want.split(":")[1]))
        if why is not None:
            problems.append("object %d: %s" % (i, why))
    if addresses != len(clean) - 1:
        problems.append("%d addresses, CLEAN has %d" %
                        (addresses, len(clean) - 1))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
