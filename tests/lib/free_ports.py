#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""free_ports.py - free TCP ports on 127.0.0.1, for the test servers.

    free_ports.py N         N distinct ports, picked at random from
                            20000-32000 (below the ephemeral range, so that
                            no outgoing connection takes one meanwhile),
                            each bound once to prove it free; one line,
                            separated by spaces (postfix.sh)
    free_ports.py --kernel  one port the kernel hands out for an unbound
                            listener, let go again at once: a port nobody
                            listens on now
"""
import random
import socket
import sys


def below_ephemeral(want):
    """want distinct ports from 20000-32000 that bind on 127.0.0.1."""
    got = []
    while len(got) < want:
        p = random.randint(20000, 32000)
        if p in got:
            continue
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", p))
            got.append(p)
        except OSError:
            pass
        finally:
            s.close()
    return got


def kernel_pick():
    """A port the kernel picks for 127.0.0.1, released when s goes."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def main(argv):
    if argv == ["--kernel"]:
        print(kernel_pick())
        return 0
    if len(argv) == 1 and argv[0].isdigit():
        print(" ".join(map(str, below_ephemeral(int(argv[0])))))
        return 0
    print("usage: free_ports.py N | --kernel", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
