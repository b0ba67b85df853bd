#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""delivery_timer.py - how long smtp-source and the delivery take.

    delivery_timer.py SINK_LOG TARGET TIMEOUT OUT COMMAND...

Starts COMMAND (smtp-source; its output to OUT) and reports when it
exited and when the counting sink's last "mesg=N" in SINK_LOG reached
TARGET, in seconds from the start: "ACCEPTED DONE".  One process polling
every 5 ms, so that the measurement itself takes next to no CPU from
Postfix.  Fails if COMMAND fails or TIMEOUT seconds pass; a signal
kills COMMAND too.
"""
import re, signal, subprocess, sys, time
sink_log, target, timeout, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
cmd = sys.argv[5:]
proc = None
def stop(signum, frame):
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()
    sys.exit(128 + signum)
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGHUP, stop)
mesg = re.compile(rb"mesg=(\d+)\r")
def received():
    try:
        with open(sink_log, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 512))
            found = mesg.findall(f.read())
    except OSError:
        return 0
    return int(found[-1]) if found else 0
with open(out, "wb") as o:
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=o, stderr=subprocess.STDOUT)
    accepted = done = None
    while accepted is None or done is None:
        now = time.monotonic() - t0
        if accepted is None and proc.poll() is not None:
            accepted = now
            if proc.returncode != 0:
                print("smtp-source exited %d" % proc.returncode, file=sys.stderr)
                sys.exit(1)
        if done is None and received() >= target:
            done = now
        if now > timeout:
            print("after %.0f s: smtp-source %s, sink has %d of %d"
                  % (now, "running" if accepted is None else "done",
                     received(), target), file=sys.stderr)
            stop(signal.SIGTERM, None)
        time.sleep(0.005)
print("%.4f %.4f" % (accepted, done))
