#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""metrics_exposition.py - a /metrics body is valid Prometheus text format.

    metrics_exposition.py FILE

Every line is a HELP or TYPE comment of a ptrmilter_ family or a sample
of one (labels quoted and escaped, a number or +Inf), and the text ends
with a newline.  Exits non-zero, naming the first bad line, otherwise.
"""
import re
import sys

text = open(sys.argv[1]).read()
sample = re.compile(r'^(ptrmilter_[a-z_]+)(\{([a-z_]+="([^"\\\n]|\\[\\"n])*",?)+\})? '
                    r'(-?[0-9]+(\.[0-9]+)?|\+Inf)$')
comment = re.compile(r'^# (HELP ptrmilter_[a-z_]+ .+|TYPE ptrmilter_[a-z_]+ '
                     r'(counter|gauge|histogram))$')
assert text.endswith("\n"), "no final newline"
for line in text[:-1].split("\n"):
    assert sample.match(line) or comment.match(line), repr(line)
