#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""smtp_session_from.py - smtp_session.py from a chosen source address.

    smtp_session_from.py LIBDIR SOURCE_IP SMTP_SESSION_ARGS...

Runs smtp_session.main() from LIBDIR (tests/lib) with every connection
it opens bound to SOURCE_IP: the client address Sendmail sees, since
Sendmail has no XCLIENT.  sendmail.sh runs it inside Sendmail's network
namespace, where SOURCE_IP is a local address.
"""
import socket
import sys

sys.path.insert(0, sys.argv[1])
source = (sys.argv[2], 0)
connect = socket.create_connection


def bound(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT,
          source_address=None, **kw):
    return connect(address, timeout, source, **kw)


socket.create_connection = bound
import smtp_session  # noqa: E402 - after the patch, which it must see

sys.exit(smtp_session.main(sys.argv[3:]))
