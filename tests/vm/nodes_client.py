#!/usr/bin/env python3
"""nodes_client: the traffic of t_runtime_nodes.sh, on the bed of
tests/vm/faults_lib.sh (real servers: tests/vm/faults_rs.py).

  nodes_client.py flow --vip ADDR --out FILE [--workers N] [--life S]
  nodes_client.py hold --vip ADDR --out FILE [--conns N]

flow  N workers, each opening one connection after another to the echo
      service (port 7): it reads the real server's name (the banner),
      sends a byte every 0.2 s and checks it comes back, for --life
      seconds, then closes. Every connection is counted by real server,
      as completed or failed (reset, closed, wrong or missing echo), with
      its open and close times. SIGTERM ends it after the connections in
      flight complete (at most --life + 10 s); SIGUSR2 prints every
      thread's stack on stderr.
hold  opens N connections to the web service (port 80) and sends
      nothing: after the handshake the directors have seen 2 packets of
      each. On SIGUSR1 it sends one GET on each and counts the answers
      (by real server) and the failures, then exits.

The numbers are written as JSON to FILE (atomically, every 0.25 s and at
the end); times are wall-clock seconds."""
import argparse
import faulthandler
import json
import os
import selectors
import signal
import socket
import threading
import time

lock = threading.Lock()
stop = threading.Event()


def write(out, d):
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(d, f)
    os.replace(tmp, out)


def one_conn(a, st):
    rec = {"rs": None, "open": round(time.time(), 3), "close": None, "error": None}
    try:
        with socket.create_connection((a.vip, 7), timeout=5) as s:
            banner = b""
            while not banner.endswith(b"\n"):
                b = s.recv(1)
                if not b:
                    raise ConnectionError("closed before the banner")
                banner += b
            rec["rs"] = banner.decode().strip()
            end = time.time() + a.life
            i = 0
            while time.time() < end:
                out = bytes([97 + i % 26])
                s.sendall(out)
                if s.recv(1) != out:
                    raise ConnectionError("no echo")
                i += 1
                time.sleep(0.2)
    except (OSError, ValueError) as e:
        rec["error"] = "%s: %s" % (type(e).__name__, e)
    rec["close"] = round(time.time(), 3)
    with lock:
        st["conns"].append(rec)


def flow(a):
    st = {"conns": []}

    def worker(k):
        time.sleep(k * a.life / a.workers)   # staggered: connections end all the time
        while not stop.is_set():
            one_conn(a, st)

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(a.workers)]
    for t in threads:
        t.start()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.wait(0.25):
        with lock:
            write(a.out, st)
    deadline = time.monotonic() + a.life + 10
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    with lock:
        st["done"] = True
        write(a.out, st)


def hold(a):
    go = threading.Event()
    signal.signal(signal.SIGUSR1, lambda *_: go.set())
    socks = []
    st = {"connected": 0, "failed_connect": 0, "answered": 0, "failed": 0, "by_rs": {},
          "errors": []}
    for _ in range(a.conns):
        s = socket.socket()
        s.settimeout(10)
        try:
            s.connect((a.vip, 80))
            socks.append(s)
            st["connected"] += 1
        except OSError:
            s.close()
            st["failed_connect"] += 1
    write(a.out, st)
    while not go.wait(0.25):
        pass
    sel = selectors.DefaultSelector()
    for s in socks:
        try:
            s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, b"")
        except OSError as e:
            st["failed"] += 1
            st["errors"].append(str(e))
    deadline = time.time() + 20
    while sel.get_map() and time.time() < deadline:
        for key, _ in sel.select(1):
            s = key.fileobj
            try:
                b = s.recv(4096)
            except OSError as e:
                sel.unregister(s)
                st["failed"] += 1
                st["errors"].append(str(e))
                continue
            if b:
                sel.modify(s, selectors.EVENT_READ, key.data + b)
                continue
            sel.unregister(s)
            head, _, body = key.data.partition(b"\r\n\r\n")
            name = body.decode(errors="replace").strip()
            if head.startswith(b"HTTP/1.0 200") and name:
                st["answered"] += 1
                st["by_rs"][name] = st["by_rs"].get(name, 0) + 1
            else:
                st["failed"] += 1
                st["errors"].append("bad answer %r" % key.data[:40])
    st["failed"] += len(sel.get_map())
    st["errors"] = st["errors"][:20]
    st["done"] = True
    write(a.out, st)


def main():
    p = argparse.ArgumentParser()
    faulthandler.register(signal.SIGUSR2, all_threads=True)   # where it waits, if it hangs
    p.add_argument("mode", choices=["flow", "hold"])
    p.add_argument("--vip", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--workers", type=int, default=6)
    p.add_argument("--life", type=float, default=4.0)
    p.add_argument("--conns", type=int, default=200)
    a = p.parse_args()
    flow(a) if a.mode == "flow" else hold(a)


if __name__ == "__main__":
    main()
