#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""socket_junk.py - bytes that are not the milter protocol, on a milter socket.

    socket_junk.py SOCKET_PATH

Five connections to the unix socket, each sending one piece of junk (an
HTTP request, a packet of an unknown command, a length of 4 GiB, 4 KiB
of random bytes, a cut-off length) and reading until the daemon closes
it (or 5 s pass).  The test then checks that the daemon goes on.
"""
import os
import socket
import sys

for junk in (b"GET / HTTP/1.0\r\n\r\n", b"\x00\x00\x00\x05Zjunk",
             b"\xff\xff\xff\xffO", os.urandom(4096), b"\x00\x00\x00"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    s.sendall(junk)
    s.settimeout(5)
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()
