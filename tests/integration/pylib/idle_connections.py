#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""idle_connections.py - 24 connections that never send a byte.

    idle_connections.py PORT OUT_FILE

Opens 24 TCP connections to 127.0.0.1:PORT, sends nothing and waits (up
to 20 s) for the server to close each one.  Writes "CLOSED BY6 LAST" to
OUT_FILE: how many the server closed, how many of them within 6.5 s,
and the seconds until the last close (-1 if none closed).
"""
import select
import socket
import sys
import time

held = []
for _ in range(24):
    s = socket.socket()
    s.connect(("127.0.0.1", int(sys.argv[1])))
    held.append(s)
t0 = time.time()
closed = []
while held and time.time() - t0 < 20:
    ready, _, _ = select.select(held, [], [], 1)
    for s in ready:
        try:
            data = s.recv(1)
        except OSError:
            data = b""
        if data == b"":
            closed.append(time.time() - t0)
            held.remove(s)
            s.close()
by6 = len([t for t in closed if t < 6.5])
open(sys.argv[2], "w").write("%d %d %.1f\n" % (len(closed), by6,
                             max(closed) if closed else -1))
