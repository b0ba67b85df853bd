#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""milter_client.py - an independent milter protocol client (the MTA side).

Speaks milter protocol version 6 - libmilter's wire format - to a milter,
without an MTA, so that tests can drive ptrmilter step by step and see
every response.  Python standard library only.  Usable as a library
(import milter_client; MilterClient) and as a command-line tool that runs
a script of steps:

    milter_client.py --socket unix:/path/ptrmilter.sock \\
        --step connect:198.51.100.20 --step helo:mail.example.com \\
        --step 'mail:<a@example.com>' --step 'rcpt:<user@example.net>' \\
        --step 'header:Subject: hello' --step eoh --step-escaped 'body:hi\\n' \\
        --step eom --step quit

It prints one line per step (the step's verb, then the response), e.g.

    optneg version 6 actions 0x00000011 ADDHDRS|CHGHDRS protocol 0x00001002 NOHELO|NR_CONN
    connect noreply
    helo skipped NOHELO
    mail continue
    rcpt tempfail 450 4.7.25 Client host rejected: cannot find your reverse hostname, [198.51.100.20]
    eom chgheader 1 Authentication-Results:
    eom insheader 0 Authentication-Results: mx.example.net; iprev=pass ...
    eom continue
    quit sent

Responses: continue, accept, reject, tempfail, discard, skip, connfail,
shutdown, progress; a reply code (SMFIR_REPLYCODE) prints as
"tempfail CODE TEXT" for 4xx and "reject CODE TEXT" for 5xx; modifications
print as addheader NAME: VALUE, insheader IDX NAME: VALUE, chgheader IDX
NAME: VALUE (empty value: delete), addrcpt, addrcpt_par, delrcpt, chgfrom,
replbody, quarantine.  Bytes outside printable ASCII show as \\xNN.

Steps (arguments are bytes as the shell passed them):
    optneg                     negotiate again (done automatically first)
    connect:ADDR[,HOST[,PORT]] SMFIC_CONNECT; family 6 if ADDR has a ':',
                               else 4; HOST defaults to [ADDR], PORT to 12345
    connect-null[:HOST]        family U (unknown): no port, no address
    connect-unix:PATH[,HOST]   family L
    helo:NAME   mail:ARG[ ARG...]   rcpt:ARG[ ARG...]   data   unknown:CMD
    header:NAME:VALUE          VALUE as in the message after the colon; its
                               first blank is dropped (as Postfix does) unless
                               the milter negotiated SMFIP_HDR_LEADSPC
    eoh   body:TEXT   eom[:TEXT]   (a newline in TEXT is sent as CRLF)
    macro:STAGE:NAME=VALUE     queued, sent as one SMFIC_MACRO before the next
                               command of STAGE (C H M R T L N B E U)
    abort   quit (alias close)   hangup (close without QUIT)
    quit-nc                    SMFIC_QUIT_NC; libmilter takes it only after
                               eom, then expects a new connect
    sleep:SECONDS   expect-close[:SECONDS] (wait until the milter hangs up)
The --step-escaped variant takes Python escapes (\\x01, \\xff, \\n) in the
argument.  Note: libmilter silently ignores a command that is out of order
(rcpt before mail, a second connect): the step then ends in "timeout".

What the milter asked for in option negotiation is honoured: an event it
asked not to get (SMFIP_NO*) is not sent ("skipped NOHELO"); an event it
will not answer (SMFIP_NR_*) is sent without waiting ("noreply").  A symbol
list request is shown and otherwise ignored.

--check-headers checks every header the milter adds, inserts or changes
(a change to an empty value, a deletion, is not checked) - the raw bytes,
before any \\xNN - against what ptrmilter may emit (header_problem()):
the form tests/fuzz/fuzz_header.c holds its formatter to (a valid field
name; printable ASCII and single spaces, folded only as "\\n\\t" before a
word; lines of at most 998 characters counting "Field: ", over 78 only
when one word), an Authentication-Results value that a strict RFC 8601
parser (rfc8601.py, written from the RFCs alone) accepts, and a value
that parses back as the Authentication-Results or the score header
src/verdict.c writes (the score header under any name but
Authentication-Results).  Each header that fails prints
    header-check FAIL: REASON: NAME: VALUE
after its step's lines, and the exit status is 3 once the session is over
(unless another error status applies).  --self-test-header-check runs the
check over built-in good and bad headers instead of a session: exit 0 when
it judges each one right, 1 when not.

Exit status: 0 the script ran to its end, 2 protocol error or timeout
(--timeout seconds per reply, default 5), 3 the milter closed the
connection before the script ended (the step prints "closed") or, with
--check-headers, a header failed the check, 64 usage.

As a library:
    import milter_client as mc
    m = mc.MilterClient("unix:/path/ptrmilter.sock", timeout=5)
    info = m.negotiate()                    # OptNeg: .version .actions .protocol
    m.connect("198.51.100.20")              # Outcome: .sent .responses .final
    m.macro("M", "{auth_authen}", "bob")    # goes out with the next MAIL
    o = m.rcpt("<user@example.net>")
    assert o.final.action == "tempfail" and o.final.text.startswith(b"450 ")
    m.quit()
and the encode_* / decode_optneg / Response pieces for byte-level work.
"""

import argparse
import codecs
import ipaddress
import os
import re
import select
import socket
import struct
import sys
import time

import rfc8601

# --- constants (libmilter's mfdef.h) -----------------------------------------

SMFI_PROT_VERSION = 6
MILTER_MAX_PACKET = 1 << 24          # sanity bound on a packet from the milter

SMFIA_UNKNOWN, SMFIA_UNIX, SMFIA_INET, SMFIA_INET6 = b"U", b"L", b"4", b"6"

SMFIC_ABORT = b"A"
SMFIC_BODY = b"B"
SMFIC_CONNECT = b"C"
SMFIC_MACRO = b"D"
SMFIC_BODYEOB = b"E"
SMFIC_HELO = b"H"
SMFIC_QUIT_NC = b"K"
SMFIC_HEADER = b"L"
SMFIC_MAIL = b"M"
SMFIC_EOH = b"N"
SMFIC_OPTNEG = b"O"
SMFIC_QUIT = b"Q"
SMFIC_RCPT = b"R"
SMFIC_DATA = b"T"
SMFIC_UNKNOWN = b"U"

SMFIR_ADDRCPT = b"+"
SMFIR_DELRCPT = b"-"
SMFIR_ADDRCPT_PAR = b"2"
SMFIR_SHUTDOWN = b"4"
SMFIR_ACCEPT = b"a"
SMFIR_REPLBODY = b"b"
SMFIR_CONTINUE = b"c"
SMFIR_DISCARD = b"d"
SMFIR_CHGFROM = b"e"
SMFIR_CONN_FAIL = b"f"
SMFIR_ADDHEADER = b"h"
SMFIR_INSHEADER = b"i"
SMFIR_SETSYMLIST = b"l"
SMFIR_CHGHEADER = b"m"
SMFIR_PROGRESS = b"p"
SMFIR_QUARANTINE = b"q"
SMFIR_REJECT = b"r"
SMFIR_SKIP = b"s"
SMFIR_TEMPFAIL = b"t"
SMFIR_REPLYCODE = b"y"

ACTION_FLAGS = [
    (0x001, "ADDHDRS"), (0x002, "CHGBODY"), (0x004, "ADDRCPT"),
    (0x008, "DELRCPT"), (0x010, "CHGHDRS"), (0x020, "QUARANTINE"),
    (0x040, "CHGFROM"), (0x080, "ADDRCPT_PAR"), (0x100, "SETSYMLIST"),
]
SMFI_CURR_ACTS = 0x1FF

SMFIP_NOCONNECT = 0x00000001
SMFIP_NOHELO = 0x00000002
SMFIP_NOMAIL = 0x00000004
SMFIP_NORCPT = 0x00000008
SMFIP_NOBODY = 0x00000010
SMFIP_NOHDRS = 0x00000020
SMFIP_NOEOH = 0x00000040
SMFIP_NR_HDR = 0x00000080
SMFIP_NOUNKNOWN = 0x00000100
SMFIP_NODATA = 0x00000200
SMFIP_SKIP = 0x00000400
SMFIP_RCPT_REJ = 0x00000800
SMFIP_NR_CONN = 0x00001000
SMFIP_NR_HELO = 0x00002000
SMFIP_NR_MAIL = 0x00004000
SMFIP_NR_RCPT = 0x00008000
SMFIP_NR_DATA = 0x00010000
SMFIP_NR_UNKN = 0x00020000
SMFIP_NR_EOH = 0x00040000
SMFIP_NR_BODY = 0x00080000
SMFIP_HDR_LEADSPC = 0x00100000
SMFIP_MDS_256K = 0x10000000
SMFIP_MDS_1M = 0x20000000
SMFI_CURR_PROT = 0x001FFFFF

PROTOCOL_FLAGS = [
    (SMFIP_NOCONNECT, "NOCONNECT"), (SMFIP_NOHELO, "NOHELO"),
    (SMFIP_NOMAIL, "NOMAIL"), (SMFIP_NORCPT, "NORCPT"),
    (SMFIP_NOBODY, "NOBODY"), (SMFIP_NOHDRS, "NOHDRS"),
    (SMFIP_NOEOH, "NOEOH"), (SMFIP_NR_HDR, "NR_HDR"),
    (SMFIP_NOUNKNOWN, "NOUNKNOWN"), (SMFIP_NODATA, "NODATA"),
    (SMFIP_SKIP, "SKIP"), (SMFIP_RCPT_REJ, "RCPT_REJ"),
    (SMFIP_NR_CONN, "NR_CONN"), (SMFIP_NR_HELO, "NR_HELO"),
    (SMFIP_NR_MAIL, "NR_MAIL"), (SMFIP_NR_RCPT, "NR_RCPT"),
    (SMFIP_NR_DATA, "NR_DATA"), (SMFIP_NR_UNKN, "NR_UNKN"),
    (SMFIP_NR_EOH, "NR_EOH"), (SMFIP_NR_BODY, "NR_BODY"),
    (SMFIP_HDR_LEADSPC, "HDR_LEADSPC"), (SMFIP_MDS_256K, "MDS_256K"),
    (SMFIP_MDS_1M, "MDS_1M"),
]

# Per event: (command, "do not send" flag, "no reply" flag)
EVENTS = {
    "connect": (SMFIC_CONNECT, SMFIP_NOCONNECT, SMFIP_NR_CONN),
    "helo": (SMFIC_HELO, SMFIP_NOHELO, SMFIP_NR_HELO),
    "mail": (SMFIC_MAIL, SMFIP_NOMAIL, SMFIP_NR_MAIL),
    "rcpt": (SMFIC_RCPT, SMFIP_NORCPT, SMFIP_NR_RCPT),
    "data": (SMFIC_DATA, SMFIP_NODATA, SMFIP_NR_DATA),
    "header": (SMFIC_HEADER, SMFIP_NOHDRS, SMFIP_NR_HDR),
    "eoh": (SMFIC_EOH, SMFIP_NOEOH, SMFIP_NR_EOH),
    "body": (SMFIC_BODY, SMFIP_NOBODY, SMFIP_NR_BODY),
    "unknown": (SMFIC_UNKNOWN, SMFIP_NOUNKNOWN, SMFIP_NR_UNKN),
    "eom": (SMFIC_BODYEOB, 0, 0),
}

# Macro stages, as in SMFIC_MACRO's first byte (libmilter accepts these).
MACRO_STAGES = b"CHMRTLNBEUQ"

FINAL_RESPONSES = {
    SMFIR_ACCEPT: "accept", SMFIR_CONTINUE: "continue",
    SMFIR_DISCARD: "discard", SMFIR_REJECT: "reject",
    SMFIR_TEMPFAIL: "tempfail", SMFIR_REPLYCODE: "replycode",
    SMFIR_SKIP: "skip", SMFIR_CONN_FAIL: "connfail",
    SMFIR_SHUTDOWN: "shutdown",
}
MODIFICATION_RESPONSES = {
    SMFIR_ADDHEADER: "addheader", SMFIR_INSHEADER: "insheader",
    SMFIR_CHGHEADER: "chgheader", SMFIR_ADDRCPT: "addrcpt",
    SMFIR_ADDRCPT_PAR: "addrcpt_par", SMFIR_DELRCPT: "delrcpt",
    SMFIR_CHGFROM: "chgfrom", SMFIR_REPLBODY: "replbody",
    SMFIR_QUARANTINE: "quarantine", SMFIR_PROGRESS: "progress",
}


class MilterError(Exception):
    """Base class."""


class ProtocolError(MilterError):
    """The milter sent something that is not the protocol."""


class Timeout(MilterError):
    """No reply in time."""


class Closed(MilterError):
    """The milter closed the connection."""


# --- helpers -----------------------------------------------------------------

def to_bytes(s):
    if isinstance(s, bytes):
        return s
    return os.fsencode(s)


def show(data):
    """Bytes as printable ASCII; anything else (and backslash) as \\xNN."""
    out = []
    for c in data:
        if 0x20 <= c <= 0x7E and c != 0x5C:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    return "".join(out)


def flag_names(value, table):
    names = [n for bit, n in table if value & bit]
    rest = value & ~sum(bit for bit, _ in table)
    if rest:
        names.append("0x%x" % rest)
    return "|".join(names) if names else "-"


# --- encoding (MTA -> milter) ------------------------------------------------

def encode_packet(cmd, payload=b""):
    """uint32 big-endian length (command byte + payload), command, payload."""
    cmd = to_bytes(cmd)
    if len(cmd) != 1:
        raise ValueError("a command is one byte")
    return struct.pack(">I", len(payload) + 1) + cmd + payload


def cstr(s):
    s = to_bytes(s)
    if b"\0" in s:
        raise ValueError("a milter string cannot hold a NUL byte: %r" % s)
    return s + b"\0"


def encode_optneg(version=SMFI_PROT_VERSION, actions=SMFI_CURR_ACTS,
                  protocol=SMFI_CURR_PROT):
    return encode_packet(SMFIC_OPTNEG, struct.pack(">III", version, actions, protocol))


def encode_macro(stage, macros):
    """macros: iterable of (name, value); names like 'j', '{auth_authen}'."""
    stage = to_bytes(stage)
    payload = stage + b"".join(cstr(n) + cstr(v) for n, v in macros)
    return encode_packet(SMFIC_MACRO, payload)


def encode_connect(hostname, family=SMFIA_INET, port=12345, address=None):
    family = to_bytes(family)
    payload = cstr(hostname) + family
    if family != SMFIA_UNKNOWN:
        payload += struct.pack(">H", port) + cstr(address if address is not None else b"")
    return encode_packet(SMFIC_CONNECT, payload)


def encode_args(cmd, args):
    """MAIL/RCPT: the address then each ESMTP argument, each NUL-ended."""
    if isinstance(args, (bytes, str)):
        args = [args]
    return encode_packet(cmd, b"".join(cstr(a) for a in args))


def encode_helo(name):
    return encode_packet(SMFIC_HELO, cstr(name))


def encode_header(name, value):
    return encode_packet(SMFIC_HEADER, cstr(name) + cstr(value))


def encode_body(chunk):
    return encode_packet(SMFIC_BODY, to_bytes(chunk))


def encode_eom(chunk=b""):
    return encode_packet(SMFIC_BODYEOB, to_bytes(chunk))


def encode_unknown(command):
    return encode_packet(SMFIC_UNKNOWN, cstr(command))


# --- decoding (milter -> MTA) ------------------------------------------------

class OptNeg:
    def __init__(self, version, actions, protocol, symlists):
        self.version = version
        self.actions = actions
        self.protocol = protocol
        self.symlists = symlists        # list of (stage number, b"{a} {b}")

    def describe(self):
        lines = ["version %d actions 0x%08x %s protocol 0x%08x %s" % (
            self.version, self.actions, flag_names(self.actions, ACTION_FLAGS),
            self.protocol, flag_names(self.protocol, PROTOCOL_FLAGS))]
        for where, names in self.symlists:
            lines.append("symlist %d %s" % (where, show(names)))
        return lines


def decode_optneg(payload):
    if len(payload) < 12:
        raise ProtocolError("short SMFIC_OPTNEG reply (%d bytes)" % len(payload))
    version, actions, protocol = struct.unpack(">III", payload[:12])
    rest, symlists = payload[12:], []
    while rest:
        if len(rest) < 5:
            raise ProtocolError("bad symbol list in SMFIC_OPTNEG reply")
        (where,) = struct.unpack(">I", rest[:4])
        end = rest.find(b"\0", 4)
        if end < 0:
            raise ProtocolError("unterminated symbol list in SMFIC_OPTNEG reply")
        symlists.append((where, rest[4:end]))
        rest = rest[end + 1:]
    return OptNeg(version, actions, protocol, symlists)


def _split_cstrs(payload, n, what):
    """Exactly n NUL-terminated strings."""
    parts = payload.split(b"\0")
    if len(parts) != n + 1 or parts[-1] != b"":
        raise ProtocolError("malformed %s: %s" % (what, show(payload)))
    return parts[:n]


class Response:
    """One packet from the milter after a command."""

    def __init__(self, cmd, payload):
        self.cmd = cmd
        self.payload = payload
        self.final = cmd in FINAL_RESPONSES
        self.name = FINAL_RESPONSES.get(cmd) or MODIFICATION_RESPONSES.get(cmd)
        if self.name is None:
            raise ProtocolError("unknown response %r (payload %s)" % (cmd, show(payload)))
        self.index = None
        self.header = None              # (name, value) for header changes
        self.text = None                # replycode text, recipient, reason...
        self.args = []
        self._decode()

    def _decode(self):
        c, p = self.cmd, self.payload
        if c in (SMFIR_ADDHEADER,):
            self.header = tuple(_split_cstrs(p, 2, "addheader"))
        elif c in (SMFIR_INSHEADER, SMFIR_CHGHEADER):
            if len(p) < 4:
                raise ProtocolError("short %s" % self.name)
            (self.index,) = struct.unpack(">I", p[:4])
            self.header = tuple(_split_cstrs(p[4:], 2, self.name))
        elif c == SMFIR_REPLYCODE:
            (self.text,) = _split_cstrs(p, 1, "replycode")
            if len(self.text) < 3 or not self.text[:3].isdigit() or self.text[:1] not in b"45":
                raise ProtocolError("bad reply code: %s" % show(self.text))
        elif c in (SMFIR_ADDRCPT, SMFIR_DELRCPT, SMFIR_QUARANTINE):
            (self.text,) = _split_cstrs(p, 1, self.name)
        elif c in (SMFIR_ADDRCPT_PAR, SMFIR_CHGFROM):
            parts = p.split(b"\0")
            if len(parts) < 2 or parts[-1] != b"" or len(parts) > 3:
                raise ProtocolError("malformed %s: %s" % (self.name, show(p)))
            self.text, self.args = parts[0], [a for a in parts[1:-1] if a]
        elif c == SMFIR_REPLBODY:
            self.text = p
        elif p and c not in (SMFIR_REPLBODY,):
            raise ProtocolError("unexpected payload with %s: %s" % (self.name, show(p)))

    @property
    def action(self):
        """The verdict: replycode becomes tempfail (4xx) or reject (5xx)."""
        if self.cmd == SMFIR_REPLYCODE:
            return "tempfail" if self.text[:1] == b"4" else "reject"
        return self.name

    def describe(self):
        c = self.cmd
        if c == SMFIR_REPLYCODE:
            return "%s %s" % (self.action, show(self.text))
        if c == SMFIR_ADDHEADER:
            return "addheader %s: %s" % (show(self.header[0]), show(self.header[1]))
        if c in (SMFIR_INSHEADER, SMFIR_CHGHEADER):
            s = "%s %d %s: %s" % (self.name, self.index, show(self.header[0]), show(self.header[1]))
            return s.rstrip(" ")
        if c in (SMFIR_ADDRCPT, SMFIR_DELRCPT, SMFIR_QUARANTINE):
            return "%s %s" % (self.name, show(self.text))
        if c in (SMFIR_ADDRCPT_PAR, SMFIR_CHGFROM):
            return " ".join([self.name, show(self.text)] + [show(a) for a in self.args])
        if c == SMFIR_REPLBODY:
            return "replbody %d %s" % (len(self.text), show(self.text))
        return self.name

    def __repr__(self):
        return "<Response %s>" % self.describe()


class Outcome:
    """What one step did: sent or not, and the milter's responses."""

    def __init__(self, sent=True, skipped=None, expect_reply=True):
        self.sent = sent
        self.skipped = skipped          # name of the SMFIP_NO* flag, if not sent
        self.expect_reply = expect_reply
        self.responses = []

    @property
    def final(self):
        return self.responses[-1] if self.responses and self.responses[-1].final else None

    def lines(self):
        if not self.sent:
            return ["skipped %s" % self.skipped]
        if not self.expect_reply:
            return ["noreply"]
        return [r.describe() for r in self.responses]


# --- the client --------------------------------------------------------------

def parse_socket_spec(spec):
    """unix:/p, local:/p, /p; inet:PORT@HOST, inet:HOST:PORT, inet6:PORT@HOST."""
    if spec.startswith("/"):
        return socket.AF_UNIX, spec
    kind, _, rest = spec.partition(":")
    if kind in ("unix", "local"):
        return socket.AF_UNIX, rest
    if kind in ("inet", "inet6"):
        if "@" in rest:
            port, host = rest.split("@", 1)
        else:
            host, _, port = rest.rpartition(":")
            host = host.strip("[]")
        family = socket.AF_INET6 if kind == "inet6" or ":" in host else socket.AF_INET
        return family, (host or "127.0.0.1", int(port))
    raise ValueError("bad socket spec %r (unix:/path, inet:PORT@HOST)" % spec)


class MilterClient:
    """One milter connection.  Methods return an Outcome; they raise Closed,
    Timeout or ProtocolError."""

    def __init__(self, spec, timeout=5.0, connect_timeout=None):
        family, addr = parse_socket_spec(spec)
        self.timeout = timeout
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(connect_timeout or timeout)
        try:
            self.sock.connect(addr)
        except socket.timeout:
            self.sock.close()
            raise Timeout("connect to %s timed out" % spec)
        except OSError:
            self.sock.close()
            raise
        self.buf = b""
        self.protocol = 0               # the milter's SMFIP_* flags
        self.actions = 0
        self.version = None
        self.pending_macros = {}        # stage byte -> [(name, value)]
        self.skip_body = False

    # low level
    def send(self, data):
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            raise Closed("the milter closed the connection")

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no reply within %gs" % self.timeout)
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise Timeout("no reply within %gs" % self.timeout)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                if self.buf:
                    raise ProtocolError("connection closed inside a packet")
                raise Closed("the milter closed the connection")
            self.buf += chunk

    def read_packet(self, timeout=None):
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        self._fill(4, deadline)
        (length,) = struct.unpack(">I", self.buf[:4])
        if length < 1 or length > MILTER_MAX_PACKET:
            raise ProtocolError("bad packet length %d" % length)
        self._fill(4 + length, deadline)
        cmd, payload = self.buf[4:5], self.buf[5:4 + length]
        self.buf = self.buf[4 + length:]
        return cmd, payload

    def check_quiet(self):
        """Before a command: nothing unasked-for may be waiting."""
        if self.buf:
            raise ProtocolError("unsolicited data from the milter: %s" % show(self.buf))
        r, _, _ = select.select([self.sock], [], [], 0)
        if r:
            self.sock.settimeout(self.timeout)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise Closed("the milter closed the connection")
            raise ProtocolError("unsolicited data from the milter: %s" % show(chunk))

    def read_responses(self):
        """Modifications and progress until a final response."""
        out = []
        while True:
            cmd, payload = self.read_packet()
            resp = Response(cmd, payload)
            out.append(resp)
            if resp.final:
                return out

    # negotiation
    def negotiate(self, version=SMFI_PROT_VERSION, actions=SMFI_CURR_ACTS,
                  protocol=SMFI_CURR_PROT):
        self.check_quiet()
        self.send(encode_optneg(version, actions, protocol))
        cmd, payload = self.read_packet()
        if cmd != SMFIC_OPTNEG:
            raise ProtocolError("expected an SMFIC_OPTNEG reply, got %r" % cmd)
        info = decode_optneg(payload)
        if info.version < 2 or info.version > SMFI_PROT_VERSION:
            raise ProtocolError("milter protocol version %d" % info.version)
        if info.protocol & ~protocol & SMFI_CURR_PROT:
            # libmilter does this (it can fake some flags for the milter);
            # the flags are honoured all the same.
            sys.stderr.write("milter_client: warning: the milter asks for protocol "
                             "flags not offered: 0x%x\n" % (info.protocol & ~protocol))
        if info.actions & ~actions:
            raise ProtocolError("milter asks for actions we did not offer: 0x%x"
                                % (info.actions & ~actions))
        self.version, self.actions, self.protocol = info.version, info.actions, info.protocol
        return info

    # macros
    def macro(self, stage, name, value):
        stage = to_bytes(stage)
        if len(stage) != 1 or stage not in MACRO_STAGES:
            raise ValueError("bad macro stage %r" % stage)
        self.pending_macros.setdefault(stage, []).append((to_bytes(name), to_bytes(value)))

    def send_macros(self, stage, macros):
        """Send one SMFIC_MACRO now (no reply is expected)."""
        self.send(encode_macro(stage, macros))

    # events
    def _event(self, event, packet):
        cmd, no_flag, nr_flag = EVENTS[event]
        if self.protocol & no_flag:
            return Outcome(sent=False, skipped=flag_names(no_flag, PROTOCOL_FLAGS))
        self.check_quiet()
        macros = self.pending_macros.pop(cmd, None)
        if macros:
            self.send(encode_macro(cmd, macros))
        self.send(packet)
        if self.protocol & nr_flag:
            return Outcome(expect_reply=False)
        outcome = Outcome()
        outcome.responses = self.read_responses()
        return outcome

    def connect(self, address, hostname=None, port=12345, family=None):
        address = to_bytes(address)
        if family is None:
            family = SMFIA_INET6 if b":" in address else SMFIA_INET
        if hostname is None:
            hostname = b"[" + address + b"]"
        return self._event("connect", encode_connect(hostname, family, port, address))

    def connect_unknown(self, hostname=b"unknown"):
        return self._event("connect", encode_connect(hostname, SMFIA_UNKNOWN))

    def connect_unix(self, path, hostname=b"localhost"):
        return self._event("connect", encode_connect(hostname, SMFIA_UNIX, 0, path))

    def helo(self, name):
        return self._event("helo", encode_helo(name))

    def mail(self, *args):
        return self._event("mail", encode_args(SMFIC_MAIL, args))

    def rcpt(self, *args):
        return self._event("rcpt", encode_args(SMFIC_RCPT, args))

    def data(self):
        return self._event("data", encode_packet(SMFIC_DATA))

    def header(self, name, value):
        value = to_bytes(value)
        if not self.protocol & SMFIP_HDR_LEADSPC and value[:1] in (b" ", b"\t"):
            # As Postfix does: the one blank after the colon goes, unless
            # the milter asked for it.
            value = value[1:]
        return self._event("header", encode_header(name, value))

    def eoh(self):
        return self._event("eoh", encode_packet(SMFIC_EOH))

    def body(self, chunk):
        if self.skip_body:
            return Outcome(sent=False, skipped="after SKIP")
        outcome = self._event("body", encode_body(chunk))
        if outcome.final is not None and outcome.final.cmd == SMFIR_SKIP:
            self.skip_body = True
        return outcome

    def eom(self, chunk=b""):
        self.skip_body = False
        return self._event("eom", encode_eom(chunk))

    def unknown(self, command):
        return self._event("unknown", encode_unknown(command))

    def abort(self):
        self.check_quiet()
        self.send(encode_packet(SMFIC_ABORT))
        self.skip_body = False
        return Outcome(expect_reply=False)

    def quit(self):
        try:
            self.check_quiet()
            self.send(encode_packet(SMFIC_QUIT))
        finally:
            self.close()
        return Outcome(expect_reply=False)

    def quit_nc(self):
        self.check_quiet()
        self.send(encode_packet(SMFIC_QUIT_NC))
        return Outcome(expect_reply=False)

    def wait_close(self, timeout=None):
        """Wait for the milter to hang up; ProtocolError if it sends instead."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        try:
            self._fill(1, deadline)
        except Closed:
            return True
        raise ProtocolError("data instead of a hangup: %s" % show(self.buf))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# --- the header check (--check-headers) --------------------------------------
#
# What ptrmilter may emit as a header, judged on the raw bytes: the form
# check_header() in tests/fuzz/fuzz_header.c holds the formatter to (src/
# verdict_text.c), then a parse back into one of the two values src/
# verdict.c writes:
#   Authentication-Results: ID; iprev=RESULT PROPERTY=IP (NAME; dnssec=STATE)
#                           ... (dnssec=STATE) when there is no PTR name
#   SCORE-HEADER: SCORE (TAG[REASON] TAG ...) helo=HELO ptr=NAME
#                 ... () when no tag fired; helo=<none>, ptr=- when absent

HEADER_FOLD_WIDTH = 78          # VERDICT_FOLD_WIDTH, src/verdict_text.h
HEADER_LINE_MAX = 998           # VERDICT_LINE_MAX, src/verdict_text.h
SHOWN_MAX = 255                 # VERDICT_NAME_SHOWN, src/verdict.h
REASON_MAX = 95                 # TAG_REASON_MAX - 1, src/tags.h
AR_FIELD = b"authentication-results"

# src/tags.h, in enum order: the order the score header lists them in.
TAG_NAMES = (
    "no_ptr", "ptr_not_confirmed", "ptr_forward_nxdomain", "dns_temperror",
    "dnssec_bogus", "ptr_multiple", "ptr_generic", "helo_generic",
    "helo_invalid", "helo_not_fqdn", "helo_bare_ip", "helo_literal_mismatch",
    "helo_ptr_mismatch", "helo_ptr_same_domain", "helo_no_forward",
    "helo_forward_mismatch", "helo_is_ours", "dnssec_secure",
)
IPREV_RESULTS = ("pass", "fail", "temperror", "permerror")     # iprev_name()
DNSSEC_STATES = ("secure", "insecure", "bogus")                # dnssec_state_name()
AR_PROPERTIES = ("policy.iprev", "smtp.remote-ip")             # auth_results_property


def _visible(excluded):
    """A regex class: printable ASCII 0x21..0x7e but the excluded."""
    return "[%s]" % "".join(re.escape(chr(c)) for c in range(0x21, 0x7F)
                            if chr(c) not in excluded)


# What safe_text() lets through, per header class (src/safe_text.c); each
# shown text is at most SHOWN_MAX characters, "..." included.
_NAME = _visible('();"')                        # SAFE_TEXT_HEADER_NAME (PTR)
_RAW = _visible('();\\"<>')                     # SAFE_TEXT_HEADER (HELO)
_REASON = _visible('();\\"<>[]')                # SAFE_TEXT_HEADER_REASON
# authres_id_valid(): an RFC 2045 token, written unchanged.
_AR_ID_RE = re.compile(r"(%s{1,%d});\Z" % (_visible('()<>@,;:\\"/[]?='), SHOWN_MAX))
_AR_NAME_RE = re.compile(r"\(%s{0,%d};\Z" % (_NAME, SHOWN_MAX))
_AR_DNSSEC_RE = re.compile(r"dnssec=(?:%s)\)\Z" % "|".join(DNSSEC_STATES))
_SCORE_RE = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]\Z")             # "%.1f"
_TAG_RE = re.compile(r"(\(?)([a-z_]+)(?:\[%s{1,%d}\])?(\)?)\Z" % (_REASON, REASON_MAX))
_HELO_RE = re.compile(r"helo=(?:<none>|%s{0,%d})\Z" % (_RAW, SHOWN_MAX))
_PTR_RE = re.compile(r"ptr=%s{0,%d}\Z" % (_NAME, SHOWN_MAX))


def _form_problem(name, value):
    """The form check_header() (fuzz_header.c) checks, on bytes."""
    if not name:
        return "empty field name"
    for c in name:
        if c < 0x21 or c > 0x7E or c == 0x3A:
            return "byte \\x%02x in the field name" % c
    if not value:
        return "empty value"
    if value[:1] in (b" ", b"\n"):
        return "value starts with a space or a line break"
    col, words, line, i = len(name) + 2, 1, 1, 0
    while True:
        c = value[i] if i < len(value) else None
        if c is None or c == 0x0A:
            if col > HEADER_LINE_MAX:
                return "line %d is %d characters, over %d" % (line, col, HEADER_LINE_MAX)
            if col > HEADER_FOLD_WIDTH and words != 1:
                return ("line %d is %d characters, over %d, and not a single word"
                        % (line, col, HEADER_FOLD_WIDTH))
            if c is None:
                return None
            if value[i + 1:i + 2] != b"\t":
                return "line break not followed by a tab"
            if value[i + 2:i + 3] in (b"", b" ", b"\n"):
                return "fold not followed by a word"
            col, words, line, i = 1, 1, line + 1, i + 2
            continue
        if c == 0x0D:
            return "CR in the value"
        if c == 0x00:
            return "NUL in the value"
        if c >= 0x80:
            return "8-bit byte \\x%02x in the value" % c
        if c < 0x20 or c == 0x7F:
            return "control byte \\x%02x in the value" % c
        if c == 0x20:
            nxt = value[i + 1:i + 2]
            if nxt == b" ":
                return "double space in the value"
            if nxt in (b"", b"\n"):
                return "trailing space"
            words += 1
        col += 1
        i += 1


def _address_problem(text):
    """None if text is an IP address as addr_format() writes it (RFC 5952)."""
    if "%" in text:
        return "address %s has a zone" % text
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return "%s is not an IP address" % text
    if ip.version == 6 and ip.ipv4_mapped is not None:
        want = "::ffff:%s" % ip.ipv4_mapped
    else:
        want = str(ip)
    if text != want:
        return "address %s is not in RFC 5952 form (%s)" % (text, want)
    return None


def _authres_problem(words):
    """words: the unfolded value split at spaces."""
    if len(words) not in (4, 5):
        return "%d words, not the 4 or 5 of ID; iprev=RESULT PROPERTY=IP (...)" % len(words)
    if not _AR_ID_RE.match(words[0]):
        return "bad authserv-id %r" % words[0]
    method, _, result = words[1].partition("=")
    if method != "iprev" or result not in IPREV_RESULTS:
        return "bad iprev result %r" % words[1]
    prop, sep, address = words[2].partition("=")
    if prop not in AR_PROPERTIES or not sep:
        return "bad property %r" % words[2]
    # An IPv6 address holds ':', a tspecial: quoted, and only it.
    quoted = len(address) > 2 and address[0] == address[-1] == '"'
    if quoted:
        address = address[1:-1]
    if quoted != (":" in address):
        return "address %s %s" % (address, "quoted without need" if quoted
                                  else "not quoted (RFC 8601 pvalue)")
    problem = _address_problem(address)
    if problem:
        return problem
    # "(NAME;" "dnssec=STATE)", or "(dnssec=STATE)" alone.
    comment = words[3:]
    if len(comment) == 2:
        ok = _AR_NAME_RE.match(comment[0]) and _AR_DNSSEC_RE.match(comment[1])
    else:
        ok = comment[0][:1] == "(" and _AR_DNSSEC_RE.match(comment[0][1:])
    if not ok:
        return "bad comment %r" % " ".join(comment)
    return None


def _score_problem(words):
    if not _SCORE_RE.match(words[0]) or words[0] == "-0.0":
        return "score %r is not like 0.0 or -1.5" % words[0]
    i = 1
    if words[1:2] == ["()"]:
        i = 2
    else:
        last = -1
        while True:
            if i >= len(words):
                return "the tag list is missing or not closed"
            m = _TAG_RE.match(words[i])
            if not m or (m.group(1) == "(") != (i == 1):
                return "bad tag %r" % words[i]
            if m.group(2) not in TAG_NAMES:
                return "unknown tag %r" % m.group(2)
            if TAG_NAMES.index(m.group(2)) <= last:
                return "tag %r repeated or out of order" % m.group(2)
            last = TAG_NAMES.index(m.group(2))
            i += 1
            if m.group(3):
                break
    rest = words[i:]
    if len(rest) != 2:
        return "%d words after the tags, not helo=... ptr=..." % len(rest)
    if not _HELO_RE.match(rest[0]):
        return "bad %r" % rest[0]
    if not _PTR_RE.match(rest[1]):
        return "bad %r" % rest[1]
    return None


def header_problem(name, value):
    """None if NAME: VALUE (raw bytes) is a header ptrmilter may emit,
    else why not: an Authentication-Results value, or a score header value
    under any other name (score_header is configurable)."""
    problem = _form_problem(name, value)
    if problem:
        return problem
    words = value.decode("ascii").replace("\n\t", " ").split(" ")
    if name.lower() == AR_FIELD:
        problem = rfc8601.problem(value)
        if problem:
            return "Authentication-Results: not RFC 8601: " + problem
        problem = _authres_problem(words)
        return problem and "Authentication-Results: " + problem
    problem = _score_problem(words)
    return problem and "not a score header: " + problem


def response_header_problem(resp):
    """header_problem() for a header the milter adds, inserts or changes
    to a value; None for anything else (a deletion included)."""
    if resp.header is None:
        return None
    name, value = resp.header
    if resp.cmd == SMFIR_CHGHEADER and not value:
        return None
    return header_problem(name, value)


_AR = b"Authentication-Results"
_SCORE = b"X-PTR-Score"
_AR_PASS = b"mx.example.net; iprev=pass policy.iprev=198.51.100.20\n\t(mail.example.com; dnssec=secure)"
# Folded early, so that a longer word still fits the first line.
_AR_SHORT = b"mx.example.net; iprev=pass\n\tpolicy.iprev=198.51.100.20\n\t(mail.example.com; dnssec=secure)"
_SCORE_NO_PTR = b"5.3 (no_ptr helo_forward_mismatch[198.51.100.20])\n\thelo=mail.example.com ptr=-"
_LONG_NAME = b".".join([b"a" * 63, b"b" * 63, b"c" * 63, b"d" * 49, b"example", b"com"])
# (name, value, None if it should pass, else what the reason says).  The
# first good ones are what the daemon wrote in milter_protocol.test, but
# for the last two of them (other configurations); _AR_SHORT folds earlier
# than the daemon does, which the check allows.
HEADER_CHECK_EXAMPLES = [
    (_AR, _AR_PASS, None),
    (_SCORE, b"0.0 (dnssec_secure) helo=mail.example.com ptr=mail.example.com", None),
    (_SCORE, _SCORE_NO_PTR, None),
    (_AR, b"mx.example.net; iprev=permerror\n\tpolicy.iprev=198.51.100.21 (dnssec=secure)", None),
    (_AR, b"mx.example.net; iprev=permerror\n\tpolicy.iprev=\"2001:db8::1\" (dnssec=secure)", None),
    (_AR, b"mx.example.net; iprev=permerror policy.iprev=\"fe80::1\"\n\t(dnssec=insecure)", None),
    (_AR, b"mx+in.example; iprev=permerror\n\tpolicy.iprev=198.51.100.21 (dnssec=secure)", None),
    (_AR, b"mx.example.net; iprev=fail policy.iprev=198.51.100.90\n\t"
          b"(\\128\\255bin.example.com; dnssec=secure)", None),
    (_SCORE, b"5.8 (ptr_not_confirmed ptr_forward_nxdomain ptr_multiple\n\t"
             b"helo_forward_mismatch[198.51.100.20]) helo=mail.example.com\n\t"
             b"ptr=\\128\\255bin.example.com", None),
    (_AR, b"mx.example.net; iprev=fail policy.iprev=198.51.100.91\n\t(" + _LONG_NAME
          + b";\n\tdnssec=secure)", None),
    (_SCORE, b"5.3 (ptr_not_confirmed ptr_forward_nxdomain\n\thelo_forward_mismatch[198.51.100.20])"
             b" helo=mail.example.com\n\tptr=" + _LONG_NAME, None),
    (_SCORE, b"1.5 (helo_invalid dnssec_secure)\n\thelo=" + b"a" * 252 + b"...\n\tptr=mail.example.com",
     None),
    (_SCORE, b"1.5 (helo_invalid dnssec_secure) helo=???$?rm?-rf?/?`id`??%s%n\n\tptr=mail.example.com",
     None),
    (_AR, b"mx.example.net; iprev=temperror\n\tsmtp.remote-ip=198.51.100.25 (dnssec=insecure)", None),
    (b"X-Fuzz-PTR-Check-Result-Score", b"0.0 () helo=<none> ptr=-", None),
    # The form.
    (_AR, _AR_PASS.replace(b"\n\t", b" "), "line 1 is 111 characters, over 78, and not a single"),
    (_AR, _AR_PASS.replace(b"\n\t", b"\r\n\t"), "CR"),
    (_AR, _AR_PASS.replace(b"(mail", b"(m\0ail"), "NUL"),
    (_AR, _AR_PASS.replace(b"(mail", b"(m\xe4il"), "8-bit byte \\xe4"),
    (_AR, _AR_PASS.replace(b"(mail", b"(m\til"), "control byte \\x09"),
    (_AR, _AR_PASS.replace(b"; iprev", b";  iprev"), "double space"),
    (_AR, _AR_PASS + b" ", "trailing space"),
    (_AR, _AR_PASS.replace(b"\n\t", b" \n\t"), "trailing space"),
    (_AR, _AR_PASS.replace(b"\n\t", b"\n "), "line break not followed by a tab"),
    (_AR, _AR_PASS.replace(b"\n\t", b"\n\t "), "fold not followed by a word"),
    (_AR, _AR_PASS + b"\n\t", "fold not followed by a word"),
    (_AR, b" " + _AR_PASS, "starts with a space"),
    (_AR, b"\n\t" + _AR_PASS, "starts with a space or a line break"),
    (_AR, b"", "empty value"),
    (_SCORE, b"0.0 ()\n\thelo=" + b"a" * 993, "line 2 is 999 characters, over 998"),
    (_SCORE, b"0.0\n\t() helo=" + b"a" * 73, "line 2 is 82 characters, over 78, and not a single"),
    (b"", _SCORE_NO_PTR, "empty field name"),
    (b"X PTR Score", _SCORE_NO_PTR, "byte \\x20 in the field name"),
    (b"X-PTR:Score", _SCORE_NO_PTR, "byte \\x3a in the field name"),
    (b"X-PTR-Sc\xf6re", _SCORE_NO_PTR, "byte \\xf6 in the field name"),
    # Authentication-Results.
    (_AR, _AR_SHORT, None),
    (_AR, _AR_SHORT.replace(b"iprev=pass", b"iprev=neutral"), "bad iprev result"),
    (_AR, _AR_SHORT.replace(b"iprev=pass", b"spf=pass"), "bad iprev result"),
    (_AR, _AR_SHORT.replace(b"iprev=pass", b"iprev=Pass"), "bad iprev result"),
    (_AR, _AR_SHORT.replace(b"=198.51.100.20", b"=198.51.100.256"), "not an IP address"),
    (_AR, _AR_SHORT.replace(b"=198.51.100.20", b"=198.051.100.20"), "not an IP address"),
    (_AR, _AR_SHORT.replace(b"=198.51.100.20", b"=mail.example.com"), "not an IP address"),
    (_AR, _AR_SHORT.replace(b"=198.51.100.20", b"=\"2001:db8:0:0::1\""), "not in RFC 5952 form"),
    (_AR, _AR_SHORT.replace(b"=198.51.100.20", b"=\"2001:DB8::1\""), "not in RFC 5952 form"),
    (_AR, _AR_SHORT.replace(b"=198.51.100.20", b"=\"::ffff:c633:6414\""), "not in RFC 5952 form"),
    (_AR, _AR_SHORT.replace(b"=198.51.100.20", b"=\"fe80::1%eth0\""), "has a zone"),
    (_AR, _AR_SHORT.replace(b"=198.51.100.20", b"=2001:db8::1"), "not RFC 8601"),
    (_AR, _AR_SHORT.replace(b"=198.51.100.20", b"=\"198.51.100.20\""), "quoted without need"),
    (_AR, _AR_SHORT.replace(b"mx.example.net", b"mx_in.example"), None),
    (_AR, _AR_SHORT.replace(b"mx.example.net", b"mx:in.example"), "not RFC 8601"),
    (_AR, _AR_SHORT.replace(b"policy.iprev=", b"smtp.client-ip="), "bad property"),
    (_AR, _AR_SHORT.replace(b"policy.iprev=", b"policy.iprev"), "not RFC 8601"),
    (_AR, b"mx.example.net; none", "2 words"),
    (_AR, b"mx.example.net; iprev=pass policy.iprev=198.51.100.20", "3 words"),
    (_AR, _AR_PASS.replace(b"secure)", b"secure"), "not RFC 8601"),        # unbalanced
    (_AR, _AR_PASS.replace(b"(mail", b"((mail"), "not RFC 8601"),
    (_AR, _AR_PASS.replace(b"(mail", b"mail"), "not RFC 8601"),
    (_AR, _AR_PASS.replace(b"secure)", b"valid)"), "bad comment"),
    (_AR, _AR_PASS.replace(b"mx.example.net;", b"mx.example.net"), "not RFC 8601"),
    (_AR, _AR_PASS.replace(b"mx.example.net", b"mx/example.net"), "not RFC 8601"),
    (_AR, _SCORE_NO_PTR, "not RFC 8601"),                            # a score value
    # The score header.
    (_SCORE, _SCORE_NO_PTR.replace(b"5.3", b"12.25"), "score '12.25'"),
    (_SCORE, _SCORE_NO_PTR.replace(b"5.3", b"-0.0"), "score '-0.0'"),
    (_SCORE, _SCORE_NO_PTR.replace(b"5.3", b"05.3"), "score '05.3'"),
    (_SCORE, _SCORE_NO_PTR.replace(b"no_ptr", b"no_such_tag"), "unknown tag"),
    (_SCORE, b"5.3 (helo_forward_mismatch no_ptr) helo=mail.example.com ptr=-", "out of order"),
    (_SCORE, b"5.3 (no_ptr no_ptr) helo=mail.example.com ptr=-", "repeated"),
    (_SCORE, b"5.3 (no_ptr helo_forward_mismatch helo=mail.example.com ptr=-", "bad tag"),
    (_SCORE, b"5.3 no_ptr helo=mail.example.com ptr=-", "bad tag"),
    (_SCORE, b"5.3", "missing or not closed"),
    (_SCORE, _SCORE_NO_PTR.replace(b"[198.51.100.20]", b"[]"), "bad tag"),
    (_SCORE, _SCORE_NO_PTR.replace(b"helo=mail.example.com", b"helo=<mail>"), "bad 'helo=<mail>'"),
    (_SCORE, _SCORE_NO_PTR.replace(b" ptr=-", b""), "1 words after the tags"),
    (_SCORE, _SCORE_NO_PTR + b" extra=1", "3 words after the tags"),
    (_SCORE, b"0.0 (dnssec_secure)\n\thelo=" + b"a" * 256 + b"\n\tptr=mail.example.com", "bad 'helo="),
    (_SCORE, b"0.0 (dnssec_secure) helo=mail.example.com ptr=(x)", "bad 'ptr=(x)'"),
    (b"X-Other", b"hello", "not a score header"),                       # not ours at all
]


def header_check_self_test(out):
    """Runs header_problem() over HEADER_CHECK_EXAMPLES; 0 if it judged
    every one right (a bad one for the reason given), else 1."""
    wrong = 0
    for name, value, want in HEADER_CHECK_EXAMPLES:
        problem = header_problem(name, value)
        if want is None and problem is None:
            continue
        if want is not None and problem is not None and want in problem:
            continue
        wrong += 1
        out("header-check self-test: misjudged: want %s, got %s: %s: %s" % (
            "a pass" if want is None else "'%s'" % want,
            "a pass" if problem is None else "'%s'" % problem, show(name), show(value)))
    good = sum(1 for e in HEADER_CHECK_EXAMPLES if e[2] is None)
    out("header-check self-test: %d of %d examples judged right (%d good, %d bad)" % (
        len(HEADER_CHECK_EXAMPLES) - wrong, len(HEADER_CHECK_EXAMPLES),
        good, len(HEADER_CHECK_EXAMPLES) - good))
    return 1 if wrong or rfc8601.self_test(out) else 0


# --- the command line --------------------------------------------------------

def run_step(m, verb, arg, out, on_response=None):
    """One step; prints its lines through out(), then passes each response
    to on_response() if given."""
    def report(outcome, name=verb):
        for line in outcome.lines():
            out("%s %s" % (name, line))
        if on_response is not None:
            for resp in outcome.responses:
                on_response(resp)

    if verb == "optneg":
        info = m.negotiate()
        for line in info.describe():
            out("optneg " + line)
    elif verb == "connect":
        parts = arg.split(b",")
        addr = parts[0]
        host = parts[1] if len(parts) > 1 and parts[1] else None
        port = int(parts[2]) if len(parts) > 2 else 12345
        report(m.connect(addr, host, port))
    elif verb == "connect-null":
        report(m.connect_unknown(arg if arg else b"unknown"), "connect-null")
    elif verb == "connect-unix":
        parts = arg.split(b",")
        report(m.connect_unix(parts[0], parts[1] if len(parts) > 1 else b"localhost"),
               "connect-unix")
    elif verb == "helo":
        report(m.helo(arg))
    elif verb in ("mail", "rcpt"):
        args = [a for a in arg.split(b" ") if a] or [b"<>"]
        report(m.mail(*args) if verb == "mail" else m.rcpt(*args))
    elif verb == "data":
        report(m.data())
    elif verb == "header":
        name, sep, value = arg.partition(b":")
        if not sep:
            raise ValueError("header:NAME:VALUE")
        report(m.header(name, value))
    elif verb == "eoh":
        report(m.eoh())
    elif verb == "body":
        report(m.body(arg.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")))
    elif verb == "eom":
        report(m.eom(arg.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")))
    elif verb == "unknown":
        report(m.unknown(arg))
    elif verb == "macro":
        stage, sep, rest = arg.partition(b":")
        name, sep2, value = rest.partition(b"=")
        if not sep or not sep2 or len(stage) != 1:
            raise ValueError("macro:STAGE:NAME=VALUE")
        m.macro(stage, name, value)
        out("macro %s %s=%s" % (show(stage), show(name), show(value)))
    elif verb == "abort":
        m.abort()
        out("abort sent")
    elif verb in ("quit", "close"):
        m.quit()
        out("%s sent" % verb)
        return "done"
    elif verb == "quit-nc":
        m.quit_nc()
        out("quit-nc sent")
    elif verb == "hangup":
        m.close()
        out("hangup done")
        return "done"
    elif verb == "sleep":
        time.sleep(float(arg))
        out("sleep %s" % show(arg))
    elif verb == "expect-close":
        m.wait_close(float(arg) if arg else None)
        out("expect-close closed")
        return "done"
    else:
        raise ValueError("unknown step %r" % verb)
    return None


STEP_VERBS = {
    "optneg", "connect", "connect-null", "connect-unix", "helo", "mail", "rcpt",
    "data", "header", "eoh", "body", "eom", "unknown", "macro", "abort", "quit",
    "close", "quit-nc", "hangup", "sleep", "expect-close",
}


def parse_step(text, escaped):
    raw = codecs.escape_decode(to_bytes(text))[0] if escaped else to_bytes(text)
    verb, _, arg = raw.partition(b":")
    verb = verb.decode("ascii", "replace")
    if verb not in STEP_VERBS:
        raise ValueError("unknown step %r" % verb)
    return verb, arg


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Drive a milter through a script of steps (milter protocol 6).")
    p.add_argument("--socket",
                   help="unix:/path, inet:PORT@HOST or inet:HOST:PORT (required)")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds per reply (default 5)")
    p.add_argument("--version", type=int, default=SMFI_PROT_VERSION,
                   help="protocol version offered (default 6)")
    p.add_argument("--actions", type=lambda s: int(s, 0), default=SMFI_CURR_ACTS,
                   help="actions offered (default 0x1ff)")
    p.add_argument("--protocol", type=lambda s: int(s, 0), default=SMFI_CURR_PROT,
                   help="protocol flags offered (default 0x1fffff)")
    p.add_argument("--step", action="append", default=[], dest="steps",
                   type=lambda s: ("plain", s))
    p.add_argument("--step-escaped", action="append", dest="steps",
                   type=lambda s: ("escaped", s), help="a step with Python escapes")
    p.add_argument("--check-headers", action="store_true",
                   help="check each header the milter adds or changes against what "
                   "ptrmilter may emit; exit 3 if one fails")
    p.add_argument("--self-test-header-check", action="store_true", help=argparse.SUPPRESS)
    try:
        a = p.parse_args(argv)
        if a.socket is None and not a.self_test_header_check:
            p.error("the following arguments are required: --socket")
    except SystemExit as e:
        return 64 if e.code else 0

    def out(line):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    if a.self_test_header_check:
        return header_check_self_test(out)

    bad_headers = []

    def check_header(resp):
        problem = response_header_problem(resp)
        if problem is not None:
            bad_headers.append(resp)
            out("header-check FAIL: %s: %s: %s" % (
                problem, show(resp.header[0]), show(resp.header[1])))

    try:
        steps = [parse_step(s, kind == "escaped") for kind, s in a.steps]
    except Exception as e:
        sys.stderr.write("milter_client: %s\n" % e)
        return 64
    verb = "socket"
    m = None
    try:
        m = MilterClient(a.socket, a.timeout)
        verb = "optneg"
        info = m.negotiate(a.version, a.actions, a.protocol)
        for line in info.describe():
            out("optneg " + line)
        for verb, arg in steps:
            if run_step(m, verb, arg, out,
                        check_header if a.check_headers else None) == "done":
                break
    except Closed:
        out("%s closed" % verb)
        return 3
    except Timeout as e:
        out("%s timeout %s" % (verb, e))
        return 2
    except ProtocolError as e:
        out("%s protocol-error %s" % (verb, e))
        return 2
    except ValueError as e:
        sys.stderr.write("milter_client: %s: %s\n" % (verb, e))
        return 64
    except OSError as e:
        out("%s error %s" % (verb, e))
        return 2
    finally:
        if m is not None:
            m.close()
    return 3 if bad_headers else 0


if __name__ == "__main__":
    sys.exit(main())
