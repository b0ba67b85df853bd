#!/usr/bin/env python3
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

Exit status: 0 the script ran to its end, 2 protocol error or timeout
(--timeout seconds per reply, default 5), 3 the milter closed the
connection before the script ended (the step prints "closed"), 64 usage.

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
import os
import select
import socket
import struct
import sys
import time

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


# --- the command line --------------------------------------------------------

def run_step(m, verb, arg, out):
    """One step; prints its lines through out()."""
    def report(outcome, name=verb):
        for line in outcome.lines():
            out("%s %s" % (name, line))

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
    p.add_argument("--socket", required=True,
                   help="unix:/path, inet:PORT@HOST or inet:HOST:PORT")
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
    try:
        a = p.parse_args(argv)
    except SystemExit as e:
        return 64 if e.code else 0

    def out(line):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

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
            if run_step(m, verb, arg, out) == "done":
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
