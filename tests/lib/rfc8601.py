#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""rfc8601.py - a strict parser of Authentication-Results values.

The grammar of RFC 8601 section 2.2, with RFC 5322's CFWS, comments and
quoted-strings, RFC 2045's token and RFC 5321's Keyword (ldh-str), and
nothing more lenient: written from the RFCs, not from ptrmilter's
writer, so that a header ptrmilter writes is judged as a strict reader
downstream would judge it.  Python standard library only.

    parse(value) -> Result      value: bytes or str after "Field:", with
                                folding as CRLF or as a bare LF before
                                the whitespace (milter values); raises
                                GrammarError with the offset on any
                                deviation
    Result.authserv_id          unquoted, as a reader compares it
    Result.version              int or None
    Result.results              [] for "none", else [Resinfo]
    Resinfo.method, .result, .reason, .props   props: [(ptype, property,
                                pvalue unquoted)]

python3 rfc8601.py --self-test runs built-in good and bad values.
"""

import sys

WSP = b" \t"
# RFC 2045 section 5.1
TSPECIALS = set(b'()<>@,;:\\"/[]?=')
# RFC 5322 3.2.3: atext
ATEXT = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            b"!#$%&'*+-/=?^_`{|}~")
LETDIG = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


class GrammarError(ValueError):
    pass


class Resinfo:
    def __init__(self, method, version, result):
        self.method, self.version, self.result = method, version, result
        self.reason = None
        self.props = []


class Result:
    def __init__(self, authserv_id, version, results):
        self.authserv_id, self.version, self.results = authserv_id, version, results


def _is_token_char(c):
    return 0x21 <= c <= 0x7E and c not in TSPECIALS


def _is_vchar(c):
    return 0x21 <= c <= 0x7E


class _Parser:
    def __init__(self, data):
        if isinstance(data, str):
            data = data.encode("ascii")
        # A milter value folds with a bare LF; the MTA writes CRLF.
        if b"\r" not in data:
            data = data.replace(b"\n", b"\r\n")
        self.s = data
        self.i = 0

    def fail(self, what):
        raise GrammarError("%s at offset %d: %r" % (what, self.i, self.s[self.i:self.i + 20]))

    def peek(self):
        return self.s[self.i] if self.i < len(self.s) else None

    def at_end(self):
        return self.i >= len(self.s)

    # RFC 5322 3.2.2: FWS = ([*WSP CRLF] 1*WSP); no obsolete forms.
    def fws(self):
        start = self.i
        j = self.i
        while j < len(self.s) and self.s[j] in WSP:
            j += 1
        if self.s[j:j + 2] == b"\r\n":
            k = j + 2
            if k < len(self.s) and self.s[k] in WSP:
                j = k
                while j < len(self.s) and self.s[j] in WSP:
                    j += 1
            else:
                self.i = j
                self.fail("line break not followed by whitespace")
        self.i = j
        return self.i > start

    def comment(self):
        if self.peek() != ord("("):
            return False
        self.i += 1
        while True:
            self.fws()
            c = self.peek()
            if c is None:
                self.fail("comment not closed")
            if c == ord(")"):
                self.i += 1
                return True
            if c == ord("("):
                self.comment()
            elif c == ord("\\"):
                self.quoted_pair()
            elif _is_vchar(c):     # ctext: VCHAR but ( ) \
                self.i += 1
            else:
                self.fail("byte 0x%02x in a comment" % c)

    def quoted_pair(self):
        nxt = self.s[self.i + 1] if self.i + 1 < len(self.s) else None
        if nxt is None or not (_is_vchar(nxt) or nxt in WSP):
            self.fail("bad quoted-pair")
        self.i += 2
        return nxt

    def cfws(self):
        """[CFWS]; True if there was any."""
        start = self.i
        while True:
            self.fws()
            if not self.comment():
                break
        return self.i > start

    def quoted_string(self):
        if self.peek() != ord('"'):
            return None
        self.i += 1
        out = bytearray()
        while True:
            j = self.i
            if self.fws():
                # The CRLF of folding is not part of the content.
                out += self.s[j:self.i].replace(b"\r\n", b"")
            c = self.peek()
            if c is None:
                self.fail("quoted-string not closed")
            if c == ord('"'):
                self.i += 1
                return bytes(out)
            if c == ord("\\"):
                out.append(self.quoted_pair())
            elif _is_vchar(c):       # qtext: VCHAR but " and \
                out.append(c)
                self.i += 1
            else:
                self.fail("byte 0x%02x in a quoted-string" % c)

    def token(self):
        j = self.i
        while self.i < len(self.s) and _is_token_char(self.s[self.i]):
            self.i += 1
        return self.s[j:self.i] if self.i > j else None

    def value(self):
        """RFC 2045 value: token / quoted-string."""
        q = self.quoted_string()
        if q is not None:
            return q
        t = self.token()
        if t is None:
            self.fail("expected a token or a quoted-string")
        return t

    def keyword(self):
        """RFC 5321 ldh-str: letters, digits, '-', not ending in '-'."""
        j = self.i
        while self.i < len(self.s) and (self.s[self.i] in LETDIG or self.s[self.i] == ord("-")):
            self.i += 1
        word = self.s[j:self.i]
        if not word or word.endswith(b"-"):
            self.i = j
            self.fail("expected a keyword")
        return word.decode("ascii")

    def digits(self):
        j = self.i
        while self.i < len(self.s) and 0x30 <= self.s[self.i] <= 0x39:
            self.i += 1
        return int(self.s[j:self.i]) if self.i > j else None

    def expect(self, ch):
        if self.peek() != ord(ch):
            self.fail("expected %r" % ch)
        self.i += 1

    # RFC 6376 domain-name; RFC 5321 local-part (Dot-string / Quoted-string)
    def domain_name(self):
        labels = []
        while True:
            j = self.i
            while self.i < len(self.s) and (self.s[self.i] in LETDIG or self.s[self.i] == ord("-")):
                self.i += 1
            label = self.s[j:self.i]
            if not label or label[:1] == b"-" or label[-1:] == b"-":
                self.i = j
                self.fail("bad domain label")
            labels.append(label)
            if self.peek() != ord(".") or self.i + 1 >= len(self.s) or \
                    self.s[self.i + 1] not in LETDIG:
                break
            self.i += 1
        if len(labels) < 2:
            self.fail("a domain-name needs two labels")
        return b".".join(labels)

    def pvalue(self):
        """[CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS].

        A token and a domain-name overlap; a quoted-string and a
        quoted local-part too.  Whatever is followed by '@' is a
        local-part, else it is a value."""
        self.cfws()
        j = self.i
        if self.peek() == ord("@"):
            self.i += 1
            out = b"@" + self.domain_name()
        else:
            try:
                v = self.value()
            except GrammarError:
                v = None
                self.i = j
            if v is not None and self.peek() != ord("@") and \
                    (self.peek() != ord(".") or self.s[j] == ord('"')):
                out = v
            else:
                self.i = j
                out = self.local_part() + b"@"
                self.expect("@")
                out += self.domain_name()
        self.cfws()
        return out

    def local_part(self):
        q = self.quoted_string()
        if q is not None:
            return q
        j = self.i
        while True:
            k = self.i
            while self.i < len(self.s) and self.s[self.i] in ATEXT:
                self.i += 1
            if self.i == k:
                self.fail("bad local-part")
            if self.peek() != ord("."):
                return self.s[j:self.i]
            self.i += 1

    def method(self):
        name = self.keyword()
        version = None
        save = self.i
        self.cfws()
        if self.peek() == ord("/"):
            self.i += 1
            self.cfws()
            version = self.digits()
            if version is None:
                self.fail("expected a method-version")
            self.cfws()
        else:
            self.i = save
        return name, version

    def resinfo(self):
        # resinfo = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
        self.expect(";")
        self.cfws()
        method, version = self.method()
        self.cfws()
        self.expect("=")
        self.cfws()
        info = Resinfo(method, version, self.keyword())
        save = self.i
        if not self.cfws() or self.at_end() or self.peek() == ord(";"):
            self.i = save
            return info
        if self.s[self.i:self.i + 6].lower() == b"reason":
            k = self.i
            self.i += 6
            self.cfws()
            if self.peek() == ord("="):
                self.i += 1
                self.cfws()
                info.reason = self.value()
                save = self.i
                if not self.cfws() or self.at_end() or self.peek() == ord(";"):
                    self.i = save
                    return info
            else:
                self.i = k
        # 1*propspec: each pvalue ends with its own [CFWS].
        while not self.at_end() and self.peek() != ord(";"):
            info.props.append(self.propspec())
        return info

    def propspec(self):
        # propspec = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
        ptype = self.keyword()
        self.cfws()
        self.expect(".")
        self.cfws()
        prop = self.keyword()
        self.cfws()
        self.expect("=")
        return ptype, prop, self.pvalue()

    def payload(self):
        # [CFWS] authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo ) [CFWS]
        self.cfws()
        authserv_id = self.value()
        version = None
        if self.cfws():
            version = self.digits()
            if version is not None:
                self.cfws()
        results = []
        self.expect(";")
        self.i -= 1
        save = self.i
        self.i += 1
        self.cfws()
        if self.s[self.i:self.i + 4].lower() == b"none":
            self.i += 4
            self.cfws()
            if not self.at_end():
                self.fail("text after 'none'")
            return Result(authserv_id, version, results)
        self.i = save
        while True:
            results.append(self.resinfo())
            self.cfws()
            if self.at_end():
                return Result(authserv_id, version, results)
            if self.peek() != ord(";"):
                self.fail("expected ';' or the end")


def parse(value):
    """The parsed value; GrammarError if it is not RFC 8601."""
    return _Parser(value).payload()


def problem(value):
    """None if value parses, else why not."""
    try:
        parse(value)
    except GrammarError as e:
        return str(e)
    except UnicodeEncodeError:
        return "not ASCII"
    return None


GOOD = [
    b"mx.example.net; iprev=pass policy.iprev=198.51.100.20\n\t(mail.example.com; dnssec=secure)",
    b"mx.example.net; iprev=permerror\n\tpolicy.iprev=\"2001:db8::1\" (dnssec=secure)",
    b"mx.example.net; iprev=pass smtp.remote-ip=\"2001:db8:1::25\"",
    b"mx+in.example; iprev=fail policy.iprev=198.51.100.22 (\\128\\255bin.example.com;\n\tdnssec=secure)",
    b"\"mx\\.example.net\"; none",
    b"(comment) mx.example.net 1; none",
    b"example.com; spf=pass smtp.mailfrom=example.net",
    b"example.com; spf=pass smtp.mailfrom=user@example.net",
    b"example.com; dkim=pass reason=\"good signature\" header.d=example.com header.i=@mail.example.com",
    b"example.com; auth=pass (cram-md5) smtp.auth=sender@example.com; spf=pass smtp.mailfrom=example.com",
    b"example.com; sender-id=fail header.from=example.com; dkim/1=pass header.d=x.example",
]
BAD = [
    b"mx.example.net; iprev=permerror policy.iprev=2001:db8::1 (dnssec=secure)",
    b"mx.example.net; iprev=pass smtp.remote-ip=fe80::1",
    b"mx example.net; iprev=pass",
    b"mx.example.net iprev=pass",
    b"mx.example.net; iprev=pass (unclosed",
    b"mx.example.net; iprev=pass policy.iprev=1.2.3.4 (a\xe4b)",
    b"mx.example.net; iprev=pass\n policy.iprev=1.2.3.4\n",
    b"mx.example.net; iprev=pass policy.iprev=1.2.3.4\r\n",
    b"mx.example.net; iprev=pass\r\npolicy.iprev=1.2.3.4",
    b"mx.example.net; =pass",
    b"mx.example.net; iprev-=pass",
    b"mx.example.net; none extra",
    b"\"mx.example.net; none",
    b"mx.example.net; iprev=pass policy=1.2.3.4",
    b"",
]


def self_test(out):
    wrong = 0
    for v in GOOD:
        p = problem(v)
        if p is not None:
            wrong += 1
            out("rfc8601 self-test: rejected a good value: %r: %s" % (v, p))
    for v in BAD:
        if problem(v) is None:
            wrong += 1
            out("rfc8601 self-test: accepted a bad value: %r" % v)
    out("rfc8601 self-test: %d of %d values judged right" % (
        len(GOOD) + len(BAD) - wrong, len(GOOD) + len(BAD)))
    return 1 if wrong else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test(print))
    for arg in sys.argv[1:]:
        p = problem(arg.encode("utf-8", "surrogateescape"))
        print("ok" if p is None else "bad: " + p)
