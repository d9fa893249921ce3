#!/usr/bin/env python3
"""faults_client: the traffic a t_faults_*.sh test keeps up while it
injects faults into the directors.

  faults_client.py --vip ADDR --out FILE [--sessions N] [--interval S]
                   [--timeout S] [--echo-timeout S]

Two kinds of traffic to the virtual address, each in threads of its own:

  polls     one HTTP/1.0 GET on port 80 after another (a new TCP
            connection each, --interval apart, --timeout each): counted
            ok per real server (the body names it) or failed, with when
            and why; the ok ones slower than 0.5 s listed with when and
            how long;
  sessions  N long-lived TCP connections to the echo service on port 7,
            opened at start: each sends one byte every 0.1 s and waits up
            to --echo-timeout for it to come back. A reset, a close or an
            echo that does not come back ends the session with its error.

The numbers are written as JSON to FILE (atomically, every 0.25 s and at
SIGTERM, which ends the client); times are wall-clock seconds, so the
test can match them with its own $EPOCHREALTIME."""
import argparse
import json
import os
import signal
import socket
import threading
import time

stop = threading.Event()
lock = threading.Lock()


class Stats:
    def __init__(self):
        self.ok = 0
        self.failed = 0
        self.by_rs = {}
        self.failures = []
        self.slow = []
        self.sessions = []


def poll(a, st):
    req = b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n"
    while not stop.is_set():
        t = time.time()
        err = None
        try:
            with socket.create_connection((a.vip, 80), timeout=a.timeout) as s:
                s.settimeout(max(0.1, a.timeout - (time.time() - t)))
                s.sendall(req)
                data = b""
                while True:
                    b = s.recv(4096)
                    if not b:
                        break
                    data += b
            head, _, body = data.partition(b"\r\n\r\n")
            name = body.decode(errors="replace").strip()
            status = head.split(b" ", 2)[:2]   # nginx answers HTTP/1.1
            if status[:1] not in ([b"HTTP/1.0"], [b"HTTP/1.1"]) or status[1:] != [b"200"] or not name:
                err = "bad answer %r" % data[:60]
        except OSError as e:
            err = "%s: %s" % (type(e).__name__, e)
        with lock:
            if err:
                st.failed += 1
                st.failures.append([round(t, 3), round(time.time() - t, 3), err])
            else:
                st.ok += 1
                st.by_rs[name] = st.by_rs.get(name, 0) + 1
                took = time.time() - t
                if took > 0.5:   # a SYN retransmitted, or a wait for a failover
                    st.slow.append([round(t, 3), round(took, 3)])
                    del st.slow[:-50]
        stop.wait(a.interval)


def session(a, me):
    try:
        s = socket.create_connection((a.vip, 7), timeout=a.timeout)
        s.settimeout(a.echo_timeout)
        banner = b""
        while not banner.endswith(b"\n"):
            b = s.recv(1)
            if not b:
                raise ConnectionError("closed before the banner")
            banner += b
        with lock:
            me["rs"] = banner.decode().strip()
            me["port"] = s.getsockname()[1]
        last = time.time()
        i = 0
        while not stop.is_set():
            out = bytes([97 + i % 26])
            t = time.time()
            s.sendall(out)
            got = s.recv(1)
            now = time.time()
            if not got:
                raise ConnectionError("closed by the peer")
            if got != out:
                raise ValueError("echo %r for %r" % (got, out))
            with lock:
                me["echoes"] += 1
                me["max_rtt"] = max(me["max_rtt"], round(now - t, 3))
                me["max_gap"] = max(me["max_gap"], round(now - last, 3))
                me["last_echo"] = round(now, 3)
            last = now
            i += 1
            stop.wait(max(0.0, 0.1 - (time.time() - t)))
        s.close()
    except (OSError, ValueError) as e:
        with lock:
            me["error"] = "%s: %s" % (type(e).__name__, e)
            me["error_at"] = round(time.time(), 3)


def dump(a, st):
    with lock:
        d = {"t": round(time.time(), 3), "ok": st.ok, "failed": st.failed,
             "by_rs": dict(st.by_rs), "failures": list(st.failures[-50:]),
             "slow": list(st.slow[-50:]),
             "sessions": [dict(x) for x in st.sessions]}
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(d, f)
    os.replace(tmp, a.out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vip", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--sessions", type=int, default=3)
    p.add_argument("--interval", type=float, default=0.05)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--echo-timeout", type=float, default=15.0)
    a = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    st = Stats()
    threads = [threading.Thread(target=poll, args=(a, st))]
    for _ in range(a.sessions):
        me = {"rs": None, "port": None, "echoes": 0, "max_rtt": 0.0, "max_gap": 0.0,
              "last_echo": None, "error": None, "error_at": None}
        st.sessions.append(me)
        threads.append(threading.Thread(target=session, args=(a, me)))
    for t in threads:
        t.daemon = True
        t.start()
    while not stop.wait(0.25):
        dump(a, st)
    for t in threads:
        t.join(a.echo_timeout + 1)
    dump(a, st)


if __name__ == "__main__":
    main()
