#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""http_request.py - one HTTP request to the metrics listener, no proxy.

    http_request.py METHOD PATH HOST:PORT BODY_FILE

Prints "STATUS CONTENT-TYPE ALLOW BYTES" (a missing header as "-", its
blanks removed) and writes the response body to BODY_FILE; an error
status is a response like any other.  Prints "refused" when nothing
listens, "error WHY" for any other failure to connect; exits 0 in every
case, so that the test judges the line.  POST and PUT send "x=1".
"""
import sys
import urllib.error
import urllib.request

method, path, hostport, keep = sys.argv[1:5]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
data = b"x=1" if method in ("POST", "PUT") else None
req = urllib.request.Request("http://%s%s" % (hostport, path), data=data,
                             method=method)
try:
    r = opener.open(req, timeout=5)
except urllib.error.HTTPError as e:
    r = e
except OSError as e:
    print("refused" if "refused" in str(e).lower() else "error %s" % e)
    sys.exit(0)
body = r.read()
open(keep, "wb").write(body)
print(r.status if hasattr(r, "status") else r.code,
      (r.headers.get("Content-Type") or "-").replace(" ", ""),
      (r.headers.get("Allow") or "-").replace(" ", ""), len(body))
