#!/usr/bin/env python3
"""ecmp_hold: long-lived connections through the ECMP bed (ecmp_lib.sh).

    ecmp_hold.py ADDR PORT N DIR

Opens N TCP connections to ADDR:PORT (an echo service: conn-hold server
on the real servers), holds them idle, and writes DIR/ready ("N
established") once every one is established or failed. On each SIGUSR1
it runs a probe round: one byte on every connection, its echo awaited up
to 5 s, then DIR/probe.K lists "CLIENT_PORT ok|fail" per connection
(K = 1, 2, ...). Which director carried a connection is read elsewhere
(the directors' IPVS tables, by client port), so the lines carry the port.
Runs until SIGTERM.
"""
import os
import selectors
import signal
import socket
import sys
import time

addr, port, n, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
PROBE_WAIT = 5.0
rounds = []
signal.signal(signal.SIGUSR1, lambda *a: rounds.append(1))
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))


def write(name, text):
    tmp = os.path.join(out, "." + name)
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, os.path.join(out, name))


def open_all():
    """Connects N sockets, 50 in flight at a time; returns the live ones."""
    sel = selectors.DefaultSelector()
    live, pending, started = [], 0, 0
    deadline = time.monotonic() + 60
    while (started < n or pending) and time.monotonic() < deadline:
        while started < n and pending < 50:
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex((addr, port))
            sel.register(s, selectors.EVENT_WRITE)
            started += 1
            pending += 1
        for key, _ in sel.select(1.0):
            s = key.fileobj
            sel.unregister(s)
            pending -= 1
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                live.append((s, s.getsockname()[1]))
            else:
                s.close()
    return live


def probe(conns, k):
    sel = selectors.DefaultSelector()
    result = {}
    for s, p in conns:
        result[p] = "fail"
        try:
            s.send(b"p")
            sel.register(s, selectors.EVENT_READ, p)
        except OSError:
            pass
    end = time.monotonic() + PROBE_WAIT
    while sel.get_map() and time.monotonic() < end:
        for key, _ in sel.select(max(0.0, end - time.monotonic())):
            s = key.fileobj
            sel.unregister(s)
            try:
                ok = s.recv(16) != b""
            except OSError:
                ok = False
            result[key.data] = "ok" if ok else "fail"
    write("probe.%d" % k, "".join("%d %s\n" % kv for kv in sorted(result.items())))


conns = open_all()
write("ready", "%d established\n" % len(conns))
k = 0
while True:
    if rounds:
        rounds.clear()
        k += 1
        probe(conns, k)
    time.sleep(0.05)
