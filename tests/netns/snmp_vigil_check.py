#!/usr/bin/env python3
"""snmp_vigil_check.py — compares a walk of VIGIL-MIB (snmpwalk -On -Oq -Ot
-Oe -Ox) with `vigilctl status --json` read before and after it.

  snmp_vigil_check.py WALK BEFORE.json AFTER.json

Every virtual server, real server, check and child process of the status
has its row, with each column equal to what one of the two reads says
(a check may run between them); no row is there that the status lacks;
the kernel columns are absent when IPVS is not reachable. Prints what
differs and exits 1, or a summary and exits 0.
"""
import ipaddress
import json
import sys

ROOT = (1, 3, 6, 1, 3, 58432, 1)
GLOBAL, VS, RS, CK, CHECKER, PROC = (ROOT + (n,) for n in (1, 2, 3, 4, 5, 6))
PROC_STATE = {"disabled": 1, "starting": 2, "running": 3, "restarting": 4, "stopping": 5,
              "stopped": 6}
HEALTH = {"up": 1, "down": 2, "pending": 3}
FWD = {"nat": 1, "dr": 2, "tun": 3}


def load(path):
    rows = {}
    last = None
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("."):
            oid, _, val = line.partition(" ")
            last = tuple(int(x) for x in oid[1:].split("."))
            rows[last] = val.strip()
        elif last:   # hex strings go on over lines of 16 octets
            rows[last] += " " + line.strip()
    return rows


def text(s):
    """A DisplayString as the walk prints it with -Ox: quoted, or hex."""
    b = s.encode()[:63] if s is not None else b""
    return b


def decode(val):
    """An OCTET STRING as -Ox prints it: hex octets, quoted."""
    return bytes(int(x, 16) for x in val.strip('"').split())


def addr_port(s):
    host, _, port = s.rpartition(":")
    return ipaddress.ip_address(host.strip("[]")), int(port)


def rows_of(status):
    """(oid -> expected value) for one status read."""
    want = {}
    want[GLOBAL + (3, 0)] = str(status["generation"])
    want[GLOBAL + (5, 0)] = str(len(status["virtual_servers"]))
    want[GLOBAL + (6, 0)] = "1" if status["ipvs"]["available"] else "2"
    want[GLOBAL + (1, 0)] = text(status["version"])
    for k, p in enumerate(status["processes"][1:], 1):   # [0] is the parent
        want[PROC + (1, 2, k)] = text(p["name"])
        want[PROC + (1, 3, k)] = str(PROC_STATE[p["state"]])
        want[PROC + (1, 4, k)] = str(p["pid"])
        want[PROC + (1, 5, k)] = str(p["restarts"])
        want[PROC + (1, 6, k)] = str(p["generation"])
    for vi, v in enumerate(status["virtual_servers"], 1):
        e = lambda col: VS + (1, col, vi)
        q = v["quorum"]
        want[e(2)] = text(v["name"] or "")
        want[e(3)] = text(v["service"])
        want[e(9)] = text(v["scheduler"])
        want[e(10)] = str(len(v["real_servers"]))
        want[e(11)] = str(sum(1 for r in v["real_servers"] if r["health"]["up"]))
        want[e(12)] = "3" if q["up"] is None else "1" if q["up"] else "2"
        want[e(13)] = str(q["alive_weight"] or 0)
        want[e(14)] = str(q["quorum"])
        want[e(15)] = "1" if q["sorry_server_in"] else "2"
        want[e(16)] = "1" if v["in_kernel"] else "2"
        for ri, r in enumerate(v["real_servers"], 1):
            e = lambda col: RS + (1, col, vi, ri)
            h = r["health"]
            a, port = addr_port(r["address"])
            want[e(2)] = "1" if a.version == 4 else "2"
            want[e(3)] = a.packed
            want[e(4)] = str(port)
            want[e(5)] = str(FWD[r["forwarding"]])
            want[e(6)] = str(HEALTH[h["state"]])
            want[e(7)] = text(h["reason"])
            want[e(10)] = str(r["weight_configured"])
            want[e(11)] = str(-1 if r["weight_wanted"] is None else r["weight_wanted"])
            want[e(13)] = str({None: 1, "weight": 2, "drain": 3}[r["override"]])
            want[e(14)] = str(len(h["checks"]))
            if r.get("stats"):   # the kernel's counters, then its rates
                for k, key in enumerate(("conns", "inpkts", "outpkts", "inbytes", "outbytes",
                                         "cps", "inpps", "outpps", "inbps", "outbps")):
                    want[e(17 + k)] = str(r["stats"][key])
            if r["in_kernel"]:
                want[e(12)] = str(r["weight_kernel"])
                want[e(15)] = str(r["active_conns"])
                want[e(16)] = str(r["inactive_conns"])
            for ci, c in enumerate(h["checks"], 1):
                e = lambda col: CK + (1, col, vi, ri, ci)
                want[e(2)] = text(c["type"])
                want[e(3)] = str(HEALTH.get(c["state"], 3))
                want[e(4)] = "1" if c["last"] is None else "2" if c["last"] == "pass" else "3"
                want[e(5)] = text(c["reason"] or "")
                want[e(7)] = str(c["passes"])
                want[e(8)] = str(c["failures"])
                want[e(9)] = str(c["rise"])
                want[e(10)] = str(c["fall"])
    return want


def main():
    walk = load(sys.argv[1])
    before = rows_of(json.load(open(sys.argv[2])))
    after = rows_of(json.load(open(sys.argv[3])))
    errs = []
    for oid in sorted(set(before) | set(after)):
        got = walk.get(oid)
        options = {before.get(oid), after.get(oid)} - {None}
        if got is None:
            errs.append("missing %s (want %s)" % (".".join(map(str, oid)), options))
            continue
        if any(isinstance(o, bytes) for o in options):
            got = decode(got)
        if got not in options:
            errs.append("%s = %r, want one of %r" % (".".join(map(str, oid)), got, options))
    # Rows the status does not have: the walk's row indexes must be known.
    known_vs = {oid[-1] for oid in after if oid[:len(VS) + 1] == VS + (1,)}
    known_rs = {oid[-2:] for oid in after if oid[:len(RS) + 1] == RS + (1,)}
    for oid in walk:
        if oid[:len(VS) + 1] == VS + (1,) and oid[-1] not in known_vs:
            errs.append("extra virtual server row %s" % ".".join(map(str, oid)))
        if oid[:len(RS) + 1] == RS + (1,) and oid[-2:] not in known_rs:
            errs.append("extra real server row %s" % ".".join(map(str, oid)))
    ipvs = json.load(open(sys.argv[3]))["ipvs"]["available"]
    for oid in walk:
        if not ipvs and oid[:len(RS) + 1] == RS + (1,) and oid[len(RS) + 1] in (12, 15, 16) + tuple(range(17, 27)):
            errs.append("kernel column %s without IPVS" % ".".join(map(str, oid)))
    for e in errs:
        print(e)
    if errs:
        return 1
    print("VIGIL-MIB: %d objects match vigilctl status (%d in the walk)" % (len(after), len(walk)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
