#!/usr/bin/env python3
"""Stands in for systemd's notification socket: binds a unix datagram
socket at argv[1] and appends each message to argv[2] as one line,
'<wall clock seconds> <message with newlines as |>', flushing each."""
import os
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o777)
with open(out, "a") as f:
    while True:
        msg = s.recv(4096).decode(errors="replace")
        f.write("%.6f %s\n" % (time.time(), msg.replace("\n", "|")))
        f.flush()
