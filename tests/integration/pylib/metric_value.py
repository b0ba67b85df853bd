#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""metric_value.py - one series from a fresh scrape of /metrics.

    metric_value.py PORT SERIES

Fetches http://127.0.0.1:PORT/metrics and prints the value of the first
sample named exactly SERIES (labels included), or "absent".
"""
import sys
import urllib.request

body = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1],
                              timeout=5).read().decode()
for line in body.splitlines():
    name, _, value = line.partition(" ")
    if name == sys.argv[2]:
        print(value)
        break
else:
    print("absent")
