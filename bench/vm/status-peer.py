#!/usr/bin/env python3
"""The peer's flapping real server for bench/status.sh: listens on
ADDR:PORT for UP seconds, closes for DOWN seconds, ROUNDS times, and
prints the epoch time of each close ("down T") and open ("up T").

   status-peer.py ADDR PORT ROUNDS UP DOWN
"""
import socket, sys, time

addr, port, rounds, up, down = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4]), float(sys.argv[5])
for _ in range(rounds):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    print("up %.6f" % time.time(), flush=True)
    end = time.time() + up
    s.settimeout(0.05)
    while time.time() < end:
        try:
            c, _ = s.accept()
            c.close()
        except socket.timeout:
            pass
    s.close()
    print("down %.6f" % time.time(), flush=True)
    time.sleep(down)
