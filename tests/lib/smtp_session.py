#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""smtp_session.py - one scripted SMTP session, for ptrmilter's end-to-end tests.

Connects to a Postfix smtpd (tests/lib/postfix.sh starts one), uses
XCLIENT to present any client address, hostname, HELO or SASL login, then
sends EHLO <helo> (the HELO the milter sees), MAIL, RCPTs and a message.
Python standard library only.

Every reply becomes one line on stdout, in a stable greppable form:

    BANNER 220 mx.example.net ESMTP
    PRE-EHLO 250 mx.example.net | PIPELINING | ... | XCLIENT NAME ADDR ...
    XCLIENT 220 mx.example.net ESMTP          (the new banner after XCLIENT)
    EHLO 250 mx.example.net | PIPELINING | ...
    MAIL 250 2.1.0 Ok
    RCPT user@example.net 450 4.7.25 Client host rejected: ...
    DATA-CMD 354 End data with <CR><LF>.<CR><LF>
    DATA 250 2.0.0 Ok: queued as 4XyZ1q2w3e   (outcome of the data phase)
    QUEUED 4XyZ1q2w3e
    QUIT 221 2.0.0 Bye
    CLOSED after RCPT                         (the server hung up)

Lines of a multi-line reply are joined with " | "; bytes outside printable
ASCII are shown as \\xNN.  DATA is the final outcome of the data phase:
the reply to the final dot, or the DATA command's own reply when that was
not 354; when no recipient was accepted it is "DATA - skipped".

Exit status: 0 the session ran (whatever the reply codes), 2 connection or
protocol error (refused, timeout, garbage reply, XCLIENT not offered or
refused with 501/502/503/550), 64 usage.  After XCLIENT, Postfix answers
with a new banner: 220, or the milter's connect verdict (e.g. "XCLIENT 554
mx.example.net ESMTP not accepting connections", "XCLIENT 421 ..."); the
session then goes on as far as Postfix lets it.

Usage (see --help):
    smtp_session.py --port P --xclient-addr 198.51.100.20 --helo mail.example.com \\
        --from a@example.com --rcpt user@example.net --rcpt postmaster@example.net \\
        --header 'Authentication-Results: mx.example.net; iprev=pass (forged)'
XCLIENT values are xtext-encoded (RFC 3461) as Postfix's XCLIENT_README
requires; an IPv6 address goes as --xclient-addr IPV6:2001:db8:1::25 (a bare
IPv6 address gets the prefix added).  Arguments are taken as raw bytes
(non-ASCII and control bytes pass through); the --*-escaped variants take
Python escapes (\\x01, \\xff, \\r\\n) for bytes a shell argument cannot carry.
"""

import argparse
import codecs
import os
import re
import socket
import sys
import time

from milter_client import show  # the same \xNN rendering of odd bytes

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 2, 64


class SessionError(Exception):
    """Connection or protocol failure: exit 2."""


class Closed(Exception):
    """The server closed the connection."""


def xtext(value):
    """RFC 3461 xtext: '!'..'~' except '+' and '=' as is, others as +XX."""
    out = []
    for c in value:
        if 0x21 <= c <= 0x7E and c not in (0x2B, 0x3D):
            out.append(chr(c))
        else:
            out.append("+%02X" % c)
    return "".join(out).encode("ascii")


def arg_bytes(s):
    """A command-line argument as the bytes the shell passed."""
    return os.fsencode(s)


def escaped_bytes(s):
    """Python-style escapes (\\x01, \\n, \\\\) to bytes."""
    return codecs.escape_decode(arg_bytes(s))[0]


class Session:
    def __init__(self, host, port, timeout, verbose=False):
        self.timeout = timeout
        self.verbose = verbose
        self.buf = b""
        try:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as e:
            raise SessionError("connect %s:%s: %s" % (host, port, e))
        self.sock.settimeout(timeout)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, line):
        if self.verbose:
            sys.stderr.write("C: %s\n" % show(line))
        try:
            self.sock.sendall(line + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            raise Closed()
        except OSError as e:
            raise SessionError("send: %s" % e)

    def send_raw(self, data):
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            raise Closed()
        except OSError as e:
            raise SessionError("send: %s" % e)

    def _line(self):
        deadline = time.monotonic() + self.timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SessionError("timeout waiting for a reply")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise SessionError("timeout waiting for a reply")
            except ConnectionResetError:
                chunk = b""
            except OSError as e:
                raise SessionError("recv: %s" % e)
            if not chunk:
                if self.buf:
                    raise SessionError("connection closed inside a reply: %s" % show(self.buf))
                raise Closed()
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        if line.endswith(b"\r"):
            line = line[:-1]
        if self.verbose:
            sys.stderr.write("S: %s\n" % show(line))
        return line

    def reply(self):
        """One (possibly multi-line) reply: (code, [text lines])."""
        texts = []
        code = None
        while True:
            line = self._line()
            m = re.match(rb"^([2-5][0-9][0-9])([ -]|$)(.*)$", line)
            if not m:
                raise SessionError("not an SMTP reply: %s" % show(line))
            if code is not None and m.group(1) != code:
                raise SessionError("reply code changed inside a reply: %s" % show(line))
            code = m.group(1)
            texts.append(m.group(3))
            if m.group(2) != b"-":
                return code.decode(), texts


def fmt(label, code, texts):
    return "%s %s %s" % (label, code, " | ".join(show(t) for t in texts))


def out(line):
    sys.stdout.write(line.rstrip() + "\n")
    sys.stdout.flush()


def build_message(a):
    crlf = b"\r\n"
    lines = []
    for h in a.header or []:
        lines.append(arg_bytes(h))
    for h in a.header_escaped or []:
        lines.append(escaped_bytes(h))
    if not a.no_default_headers:
        sender = a.mail_from if a.mail_from else "MAILER-DAEMON"
        lines.append(b"From: <" + arg_bytes(sender) + b">")
        if a.rcpt:
            lines.append(b"To: " + b", ".join(b"<" + arg_bytes(r) + b">" for r in a.rcpt))
        lines.append(b"Subject: " + arg_bytes(a.subject))
        lines.append(b"Date: " + time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                                               time.gmtime()).encode())
        lines.append(b"Message-ID: <%d.%d@smtp-session.example.org>"
                     % (int(time.time() * 1000), os.getpid()))
    body = escaped_bytes(a.body_escaped) if a.body_escaped is not None else arg_bytes(a.body)
    msg = crlf.join(lines) + crlf + crlf
    body = body.replace(b"\r\n", b"\n").replace(b"\n", crlf)
    if body and not body.endswith(crlf):
        body += crlf
    # dot-stuffing
    stuffed = []
    for line in (msg + body).split(crlf)[:-1]:
        stuffed.append(b"." + line if line.startswith(b".") else line)
    return crlf.join(stuffed) + crlf + b"." + crlf


def xclient_attrs(a):
    attrs = []
    if a.xclient_addr is not None:
        addr = arg_bytes(a.xclient_addr)
        if b":" in addr and not addr.upper().startswith(b"IPV6:"):
            addr = b"IPV6:" + addr
        attrs.append((b"ADDR", addr))
    if a.xclient_name is not None:
        attrs.append((b"NAME", arg_bytes(a.xclient_name)))
    elif a.xclient_addr is not None and not a.xclient_keep_name:
        attrs.append((b"NAME", b"[UNAVAILABLE]"))
    if a.xclient_port is not None:
        attrs.append((b"PORT", arg_bytes(a.xclient_port)))
    if a.xclient_proto is not None:
        attrs.append((b"PROTO", arg_bytes(a.xclient_proto)))
    if a.xclient_helo is not None:
        attrs.append((b"HELO", arg_bytes(a.xclient_helo)))
    if a.xclient_login is not None:
        attrs.append((b"LOGIN", arg_bytes(a.xclient_login)))
    return attrs


def run(a):
    s = Session(a.host, a.port, a.timeout, a.verbose)
    label = "BANNER"
    try:
        code, texts = s.reply()
        out(fmt("BANNER", code, texts))

        attrs = xclient_attrs(a)
        if attrs:
            label = "PRE-EHLO"
            s.send(b"EHLO " + arg_bytes(a.pre_ehlo))
            code, texts = s.reply()
            out(fmt(label, code, texts))
            if not any(t.upper().startswith(b"XCLIENT") for t in texts):
                raise SessionError("the server does not offer XCLIENT to us "
                                   "(smtpd_authorized_xclient_hosts?)")
            # One command: a second XCLIENT would come from the new address,
            # which is not authorized, and would reset HELO and LOGIN anyway.
            label = "XCLIENT"
            s.send(b"XCLIENT " + b" ".join(n + b"=" + xtext(v) for n, v in attrs))
            code, texts = s.reply()
            out(fmt(label, code, texts))
            # 220 is the new banner; a 4xx/554 banner is a verdict (a milter
            # rejecting at connect) and the session goes on as Postfix lets
            # it.  501/502/503/550 mean XCLIENT itself was refused: the
            # session would go on as 127.0.0.1, never what a test wants.
            if code in ("501", "502", "503", "550") or \
                    b"authorization" in b" ".join(texts):
                raise SessionError("XCLIENT was refused")

        if not a.no_helo:
            helo = escaped_bytes(a.helo_escaped) if a.helo_escaped is not None \
                else arg_bytes(a.helo)
            label = a.helo_verb
            s.send(a.helo_verb.encode() + b" " + helo)
            code, texts = s.reply()
            out(fmt(label, code, texts))

        for _ in range(a.repeat):
            label = "MAIL"
            cmd = b"MAIL FROM:<" + arg_bytes(a.mail_from) + b">"
            if a.mail_params:
                cmd += b" " + arg_bytes(a.mail_params)
            s.send(cmd)
            code, texts = s.reply()
            out(fmt(label, code, texts))
            accepted = 0
            for r in a.rcpt or []:
                label = "RCPT " + show(arg_bytes(r))
                s.send(b"RCPT TO:<" + arg_bytes(r) + b">")
                code, texts = s.reply()
                out(fmt(label, code, texts))
                accepted += code.startswith("2")
            if a.no_data:
                if a.repeat > 1 or a.rset:
                    label = "RSET"
                    s.send(b"RSET")
                    code, texts = s.reply()
                    out(fmt(label, code, texts))
                continue
            if not accepted:
                out("DATA - skipped: no recipient accepted")
                label = "RSET"
                s.send(b"RSET")
                code, texts = s.reply()
                out(fmt(label, code, texts))
                continue
            label = "DATA-CMD"
            s.send(b"DATA")
            code, texts = s.reply()
            out(fmt(label, code, texts))
            if code != "354":
                out(fmt("DATA", code, texts))
                continue
            label = "DATA"
            s.send_raw(build_message(a))
            code, texts = s.reply()
            out(fmt(label, code, texts))
            m = re.search(rb"queued as ([0-9A-Za-z]+)", b" ".join(texts))
            if code.startswith("2") and m:
                out("QUEUED " + m.group(1).decode())

        if a.no_quit:
            s.close()
            return EXIT_OK
        label = "QUIT"
        s.send(b"QUIT")
        code, texts = s.reply()
        out(fmt(label, code, texts))
    except Closed:
        out("CLOSED after " + label.split(" ")[0])
    except SessionError as e:
        out("ERROR %s: %s" % (label.split(" ")[0], e))
        s.close()
        return EXIT_ERROR
    s.close()
    return EXIT_OK


def main(argv=None):
    p = argparse.ArgumentParser(
        description="One scripted SMTP session through XCLIENT; "
                    "prints one line per reply.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=int(os.environ.get("SMTP_PORT", "25")))
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds to wait for each reply (default 60)")
    p.add_argument("--pre-ehlo", default="localhost",
                   help="EHLO name sent before XCLIENT (default localhost)")
    p.add_argument("--xclient-addr", help="ADDR: 198.51.100.20, IPV6:2001:db8:1::25, [UNAVAILABLE]")
    p.add_argument("--xclient-name",
                   help="NAME: a hostname, [UNAVAILABLE] or [TEMPUNAVAIL]; "
                        "with --xclient-addr the default is [UNAVAILABLE]")
    p.add_argument("--xclient-keep-name", action="store_true",
                   help="with --xclient-addr, send no NAME (Postfix keeps the old one)")
    p.add_argument("--xclient-port")
    p.add_argument("--xclient-proto", help="SMTP or ESMTP")
    p.add_argument("--xclient-helo", help="HELO attribute (the EHLO sent afterwards overrides it)")
    p.add_argument("--xclient-login", help="LOGIN: simulate a SASL-authenticated client")
    p.add_argument("--helo", default="localhost", help="the EHLO name after XCLIENT")
    p.add_argument("--helo-escaped", help="the same, with Python escapes (\\x01, \\xff)")
    p.add_argument("--helo-verb", default="EHLO", choices=["EHLO", "HELO"])
    p.add_argument("--no-helo", action="store_true", help="send no HELO/EHLO after XCLIENT")
    p.add_argument("--from", dest="mail_from", default="sender@example.org",
                   help="envelope sender, without <>; '' for the null sender")
    p.add_argument("--mail-params", help="ESMTP parameters for MAIL FROM, e.g. 'BODY=8BITMIME'")
    p.add_argument("--rcpt", action="append", help="envelope recipient, repeatable")
    p.add_argument("--header", action="append",
                   help="a header line 'Name: value', repeatable; placed first")
    p.add_argument("--header-escaped", action="append", help="the same, with Python escapes")
    p.add_argument("--no-default-headers", action="store_true",
                   help="no From/To/Subject/Date/Message-ID")
    p.add_argument("--subject", default="ptrmilter test")
    p.add_argument("--body", default="test message\n")
    p.add_argument("--body-escaped")
    p.add_argument("--no-data", action="store_true", help="stop after RCPT (no DATA)")
    p.add_argument("--rset", action="store_true", help="with --no-data: RSET after the RCPTs")
    p.add_argument("--repeat", type=int, default=1,
                   help="run the MAIL..DATA transaction this many times")
    p.add_argument("--no-quit", action="store_true", help="hang up instead of QUIT")
    p.add_argument("-v", "--verbose", action="store_true", help="trace the dialogue on stderr")
    try:
        a = p.parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code else EXIT_OK
    try:
        return run(a)
    except SessionError as e:
        out("ERROR %s" % e)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
