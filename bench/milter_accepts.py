#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""milter_accepts.py - does a milter socket accept a connection?

    milter_accepts.py SPEC      SPEC: unix:PATH or inet:PORT@HOST (HOST
                                defaults to 127.0.0.1)

Exits 0 if a connection is accepted within 1 s, non-zero otherwise
(bench/rspamd.sh waits for the rspamd proxy with it).
"""
import socket
import sys

spec = sys.argv[1]
kind, _, rest = spec.partition(":")
if kind == "unix":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    addr = rest
else:
    port, _, host = rest.partition("@")
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    addr = (host or "127.0.0.1", int(port))
s.settimeout(1)
s.connect(addr)
s.close()
