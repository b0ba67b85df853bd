#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""syslog_catcher.py - a syslog socket for the private Sendmail.

    syslog_catcher.py SOCKET_PATH LOG_FILE [--keep-pri]

Binds a datagram unix socket at SOCKET_PATH (mode 0666: Sendmail logs as
another user) and appends each message to LOG_FILE without its <PRI>,
as a log file has it - or with it, given --keep-pri, for a test of the
facility and priority a program logs with.  Exits on SIGTERM, or once the process that
started it is gone (its parent changes), so that a killed test leaves
nothing behind.
"""
import os
import re
import signal
import socket
import sys

path, log = sys.argv[1], sys.argv[2]
keep_pri = sys.argv[3:] == ["--keep-pri"]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
parent = os.getppid()
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
s.settimeout(1)
with open(log, "a") as out:
    while True:
        try:
            data = s.recv(65536)
        except socket.timeout:
            if os.getppid() != parent:
                sys.exit(0)  # the test is gone: so are we
            continue
        data = data.decode("utf-8", "replace").rstrip("\n\0")
        # "<PRI>Mmm dd hh:mm:ss tag[pid]: text" as a log file has it
        out.write((data if keep_pri else re.sub(r"^<[0-9]+>", "", data)) + "\n")
        out.flush()
