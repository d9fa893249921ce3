#!/usr/bin/env python3
"""vrrp_inject: sends one hand-built VRRP advert (IPv4, IP_HDRINCL raw
socket) so the netns tests can feed a director good and broken packets.

  vrrp_inject.py --src 192.0.2.9 [--dst 224.0.0.18] --vrid 51 --prio 200
                 [--version 3] [--interval 1.0] [--addr 192.0.2.10 ...]
                 [--ttl 255] [--bad-checksum] [--bad-length] [--ip-len N]
                 [--auth-pass PASS] [--count N] [--ifname eth0]
  vrrp_inject.py --replay CAPTURE.pcap [--seq-add N] [--dst ...]

The checksum is computed as the RFCs say (v3: with the IPv4
pseudo-header) unless --bad-checksum flips it; --bad-length adds a stray
byte after the message (count/length mismatch). --replay sends again,
byte for byte, the first IPv4 packet of an Ethernet capture (an AH
advert someone sent: a replay); --seq-add adds N to its AH sequence
number (a fresh number the ICV no longer covers)."""
import argparse
import socket
import struct
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def vrrp_msg(a):
    addrs = b"".join(socket.inet_aton(x) for x in a.addr)
    if a.version == 2:
        auth_type = 1 if a.auth_pass is not None else 0
        hdr = struct.pack("!BBBBBBH", 0x21, a.vrid, a.prio, len(a.addr), auth_type,
                          int(a.interval), 0)
        auth = (a.auth_pass or "").encode()[:8].ljust(8, b"\0")
        msg = hdr + addrs + auth
        c = csum(msg)
    else:
        hdr = struct.pack("!BBBBHH", 0x31, a.vrid, a.prio, len(a.addr),
                          int(round(a.interval * 100)) & 0x0FFF, 0)
        msg = hdr + addrs
        pseudo = socket.inet_aton(a.src) + socket.inet_aton(a.dst) + struct.pack(
            "!BBH", 0, 112, len(msg))
        c = csum(pseudo + msg)
    if a.bad_checksum:
        c ^= 0x5A5A
    msg = msg[:6] + struct.pack("!H", c) + msg[8:]
    if a.bad_length:
        msg += b"\0\0\0\0"
    return msg


def ip_packet(a, msg):
    total = 20 + len(msg) if a.ip_len is None else a.ip_len
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, total, 0x4242, 0, a.ttl, 112, 0,
                      socket.inet_aton(a.src), socket.inet_aton(a.dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + msg


def replayed(a):
    with open(a.replay, "rb") as f:
        data = f.read()
    incl_len = struct.unpack("<I", data[24 + 8:24 + 12])[0]
    pkt = bytearray(data[24 + 16 + 14:24 + 16 + incl_len])
    if a.seq_add:
        off = (pkt[0] & 0x0F) * 4 + 8
        seq = struct.unpack("!I", pkt[off:off + 4])[0]
        pkt[off:off + 4] = struct.pack("!I", (seq + a.seq_add) & 0xFFFFFFFF)
    return bytes(pkt), socket.inet_ntoa(pkt[16:20])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--replay")
    p.add_argument("--seq-add", type=int, default=0)
    p.add_argument("--src")
    p.add_argument("--dst", default="224.0.0.18")
    p.add_argument("--vrid", type=int)
    p.add_argument("--prio", type=int, default=100)
    p.add_argument("--version", type=int, default=3)
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--addr", action="append", default=[])
    p.add_argument("--ttl", type=int, default=255)
    p.add_argument("--bad-checksum", action="store_true")
    p.add_argument("--bad-length", action="store_true")
    p.add_argument("--ip-len", type=int)
    p.add_argument("--auth-pass")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--ifname", default="eth0")
    a = p.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.ifname.encode())
    if a.replay:
        pkt, a.dst = replayed(a)
    else:
        pkt = ip_packet(a, vrrp_msg(a))
    for i in range(a.count):
        s.sendto(pkt, (a.dst, 0))
        if i + 1 < a.count:
            time.sleep(0.05)


if __name__ == "__main__":
    main()
