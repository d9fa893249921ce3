#!/usr/bin/env python3
"""Sends SIGHUP to a daemon and times how long one real server of one IPVS
service takes to reach a weight, polling that service alone over generic
netlink (IPVS_CMD_GET_DEST for one service, what `ipvsadm -Ln -t VIP:PORT`
asks) every INTERVAL seconds. One process for the whole wait: under qemu
TCG starting ipvsadm costs ~100 ms, five times the poll interval.

   ipvs-watch.py PID VIP:PORT RIP:RPORT WEIGHT [INTERVAL [TIMEOUT]]

Run it in the daemon's network namespace. Prints one line,
"HUP_EPOCH LANDED_EPOCH POLLS" (seconds since the epoch, float), or
exits 1 on timeout; exits 2 if the weight is already there before the
signal (the edit did not change anything).
"""
import os
import signal
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
IPVS_CMD_GET_DEST = 8
IPVS_CMD_ATTR_SERVICE, IPVS_CMD_ATTR_DEST = 1, 2
SVC_AF, SVC_PROTOCOL, SVC_ADDR, SVC_PORT = 1, 2, 3, 4
DEST_ADDR, DEST_PORT, DEST_WEIGHT = 1, 2, 4


def attr(kind, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, kind) + payload + b"\0" * (-n % 4)


def attrs(buf):
    out, off = {}, 0
    while off + 4 <= len(buf):
        n, kind = struct.unpack_from("=HH", buf, off)
        if n < 4:
            break
        out[kind & 0x3fff] = buf[off + 4:off + n]
        off += (n + 3) & ~3
    return out


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.bind((0, 0))
        self.seq = 0

    def request(self, family, cmd, payload, flags):
        """Sends one request, returns the generic payloads of the answers."""
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        self.s.send(struct.pack("=IHHII", 16 + len(body), family, flags, self.seq, 0) + body)
        out = []
        while True:
            buf = self.s.recv(1 << 16)
            off = 0
            while off + 16 <= len(buf):
                n, kind, _, seq, _ = struct.unpack_from("=IHHII", buf, off)
                msg = buf[off + 16:off + n]
                off += (n + 3) & ~3
                if seq != self.seq:
                    continue
                if kind == NLMSG_DONE:
                    return out
                if kind == NLMSG_ERROR:
                    err = struct.unpack_from("=i", msg)[0]
                    if err:
                        raise OSError(-err, os.strerror(-err))
                    return out
                out.append(msg[4:])
                if not flags & NLM_F_DUMP and not flags & NLM_F_ACK:
                    return out


def main():
    pid = int(sys.argv[1])
    vip, vport = sys.argv[2].rsplit(":", 1)
    rip, rport = sys.argv[3].rsplit(":", 1)
    weight = int(sys.argv[4])
    interval = float(sys.argv[5]) if len(sys.argv) > 5 else 0.02
    limit = float(sys.argv[6]) if len(sys.argv) > 6 else 60.0
    nl = Genl()
    fam = attrs(nl.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                           attr(CTRL_ATTR_FAMILY_NAME, b"IPVS\0"), NLM_F_REQUEST)[0])
    ipvs = struct.unpack("=H", fam[CTRL_ATTR_FAMILY_ID][:2])[0]
    svc = attr(IPVS_CMD_ATTR_SERVICE,
               attr(SVC_AF, struct.pack("=H", socket.AF_INET)) +
               attr(SVC_PROTOCOL, struct.pack("=H", socket.IPPROTO_TCP)) +
               attr(SVC_ADDR, socket.inet_aton(vip) + b"\0" * 12) +
               attr(SVC_PORT, struct.pack("!H", int(vport))))
    want = (socket.inet_aton(rip), int(rport))

    def current():
        for msg in nl.request(ipvs, IPVS_CMD_GET_DEST, svc, NLM_F_REQUEST | NLM_F_DUMP):
            d = attrs(attrs(msg).get(IPVS_CMD_ATTR_DEST, b""))
            if (d[DEST_ADDR][:4], struct.unpack("!H", d[DEST_PORT])[0]) == want:
                return struct.unpack("=I", d[DEST_WEIGHT])[0]
        return None

    if current() == weight:
        sys.exit(2)
    t0 = time.time()
    os.kill(pid, signal.SIGHUP)
    polls = 0
    while time.time() - t0 < limit:
        polls += 1
        if current() == weight:
            print("%.6f %.6f %d" % (t0, time.time(), polls))
            return
        time.sleep(interval)
    sys.exit(1)


if __name__ == "__main__":
    main()
