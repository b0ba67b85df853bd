#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""hold_port.py - a TCP port on 127.0.0.1 kept busy for 30 s.

    hold_port.py

Listens on a port the kernel picks, prints it (flushed at once, so that
the test can read it while this runs) and keeps listening for 30 s, or
until killed: the "port in use" case of the daemon's start.
"""
import socket
import time

s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(30)
