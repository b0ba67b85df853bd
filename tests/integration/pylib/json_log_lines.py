#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""json_log_lines.py - the JSON decision and message lines of a log.

    json_log_lines.py LOG_FILE [KEY=JSON_VALUE...]

Reads LOG_FILE, a log of the daemon in the foreground (each line after
"ptrmilter: info: " or "<6>") or a syslog file ("ptrmilter[PID]: "),
parses every line whose text starts with "{" with Python's json module
- one that does not parse is an error - and prints how many objects have
every KEY equal to its JSON_VALUE (a JSON literal: '"accept"', 'null',
'3', 'true'; KEY may be "tags.0.tag" to look into lists and objects).
Exit status: 0 when at least one object matches, 1 when none does, 2
when a line is not one well-formed JSON object.
"""
import json
import re
import sys

TEXT = re.compile(r"^(?:ptrmilter: info: |<6>|.*? ptrmilter\[[0-9]+\]: )(\{.*)$")


def lookup(obj, path):
    for part in path.split("."):
        if isinstance(obj, list):
            obj = obj[int(part)] if part.isdigit() and int(part) < len(obj) else KeyError
        elif isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            return KeyError
        if obj is KeyError:
            return KeyError
    return obj


def main():
    wants = []
    for arg in sys.argv[2:]:
        key, _, value = arg.partition("=")
        wants.append((key, json.loads(value)))
    matched = 0
    with open(sys.argv[1], encoding="ascii") as log:
        for n, line in enumerate(log, 1):
            m = TEXT.match(line.rstrip("\n"))
            if not m:
                continue
            try:
                obj = json.loads(m.group(1))
            except ValueError as e:
                print("%s:%d: not JSON (%s): %s" % (sys.argv[1], n, e, line), file=sys.stderr)
                sys.exit(2)
            if not isinstance(obj, dict):
                print("%s:%d: not an object" % (sys.argv[1], n), file=sys.stderr)
                sys.exit(2)
            if all(lookup(obj, k) == v for k, v in wants):
                matched += 1
    print(matched)
    sys.exit(0 if matched > 0 else 1)


main()
