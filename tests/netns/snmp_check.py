#!/usr/bin/env python3
"""snmp_check.py — compares SNMP walks (snmpwalk -On -Oq -Ot -Oe -Ox) with
vigild's own view, or with keepalived's walk of the same instances.

  snmp_check.py vigil WALK BEFORE.json AFTER.json IFINDEX
      every instance of `vigilctl vrrp --json` (read before and after the
      walk) has its rows in VRRPv3-MIB, and in VRRP-MIB when it is an
      IPv4 version-2 one, with the values vigild reports; counters lie
      between the two reads.
  snmp_check.py same VIGIL_WALK VIGIL_IFINDEX KA_WALK KA_IFINDEX
      the same rows and values as keepalived, once the columns that must
      differ are set aside (see EXCLUDED) and keepalived's associated
      address index is given the length octet RFC 2578 asks for.
Prints what differs and exits 1, or prints a summary and exits 0.
"""
import ipaddress
import json
import sys

V3 = (1, 3, 6, 1, 2, 1, 207)
V2 = (1, 3, 6, 1, 2, 1, 68)
# Columns that cannot be equal between two daemons on two machines:
EXCLUDED = {
    V3 + (1, 1, 1, 1, 5): "vrrpv3OperationsVirtualMacAddr (the interface's MAC)",
    V3 + (1, 1, 1, 1, 12): "vrrpv3OperationsUpTime (time since start)",
    V2 + (1, 3, 1, 2): "vrrpOperVirtualMacAddr (the interface's MAC)",
    V2 + (1, 3, 1, 13): "vrrpOperVirtualRouterUpTime (a TimeStamp)",
    V2 + (1, 3, 1, 10): "vrrpOperAuthKey (keepalived leaves it out; RFC 2787: empty)",
}


def load(path):
    rows = {}
    for line in open(path):
        line = line.rstrip("\n")
        if not line.startswith("."):
            continue
        oid, _, val = line.partition(" ")
        rows[tuple(int(x) for x in oid[1:].split("."))] = val.strip().strip('"').strip()
    return rows


def octets(val):
    return bytes(int(x, 16) for x in val.split()) if val else b""


def problems_vigil(walk, before, after, ifindex):
    errs = []
    rows = load(walk)
    b = {i["name"]: i for i in json.load(open(before))["instances"]}
    a = {i["name"]: i for i in json.load(open(after))["instances"]}
    state_num = {"MASTER": "3", "BACKUP": "2"}
    v2_rows = 0
    for name, i in a.items():
        t = 2 if i["family"] == "inet6" else 1
        idx = (ifindex, i["vrid"], t)
        op = lambda col: rows.get(V3 + (1, 1, 1, 1, col) + idx)
        st = lambda col: rows.get(V3 + (1, 2, 5, 1, col) + idx)
        want = {
            6: state_num.get(i["state"], "1"),
            7: str(i["priority"]["base"]),
            9: str(round(i["advert_interval"] * 100)),
            13: "1",
        }
        for col, v in want.items():
            if op(col) != v:
                errs.append(f"{name}: vrrpv3Operations column {col} is {op(col)}, vigild says {v}")
        n_addr = sum(1 for k in rows if k[:len(V3) + 5] == V3 + (1, 1, 2, 1, 2) and
                     k[len(V3) + 5:len(V3) + 8] == idx)
        if op(8) != str(n_addr) or n_addr == 0:
            errs.append(f"{name}: AddrCount {op(8)} but {n_addr} associated addresses")
        mip = octets(op(3) or "")
        if i["state"] == "BACKUP":
            want_m = ipaddress.ip_address(i["master"]["address"]).packed
        else:
            want_m = octets(op(4) or "")
        if mip != want_m or len(mip) != (16 if t == 2 else 4):
            errs.append(f"{name}: MasterIpAddr {mip.hex()} but vigild says {want_m.hex()}")
        rcvd = int(st(3) or -1)
        if not b[name]["adverts"]["received"] <= rcvd <= a[name]["adverts"]["received"]:
            errs.append(f"{name}: {rcvd} adverts received, vigild said "
                        f"{b[name]['adverts']['received']}..{a[name]['adverts']['received']}")
        trans = int(st(1) or -1)
        if not 0 <= trans <= a[name]["transitions"] or (i["state"] == "MASTER" and trans < 1):
            errs.append(f"{name}: {trans} transitions to master, {a[name]['transitions']} in all")
        if st(13) != str(round(i["advert_interval"] * 1000)):
            errs.append(f"{name}: RefreshRate {st(13)}")
        is_v2 = i["version"] == 2 and i["family"] == "inet"
        has_v2 = rows.get(V2 + (1, 3, 1, 3, ifindex, i["vrid"]))
        if is_v2 != (has_v2 is not None):
            errs.append(f"{name}: in VRRP-MIB: {has_v2 is not None}, should be {is_v2}")
        if is_v2:
            v2_rows += 1
            if has_v2 != want[6] or rows.get(V2 + (1, 3, 1, 5, ifindex, i["vrid"])) != want[7]:
                errs.append(f"{name}: vrrpOperState/Priority disagree with vigild")
    if not a:
        errs.append("vigilctl vrrp lists no instance")
    print(f"{len(a)} instances checked ({v2_rows} in VRRP-MIB too), {len(rows)} objects")
    return errs


# Where vigild departs from keepalived on purpose (see snmp/snmp_vrrp.c):
# vrrpOperMasterIpAddr of a master is its own address for vigild, the
# source of the last advert received (0.0.0.0: none) for keepalived.
V2_MASTER_IP = V2 + (1, 3, 1, 7)


def normalize(rows, ifindex, keepalived):
    out = {}
    base = V3 + (1, 1, 2, 1, 2)
    for oid, val in rows.items():
        # Link-local addresses come from each interface's MAC.
        if val.startswith("FE 80 ") and len(val.split()) == 16:
            val = "fe80::/64 (link-local)"
        if oid[:len(V2_MASTER_IP)] == V2_MASTER_IP and \
           rows.get(V2 + (1, 3, 1, 3) + oid[len(V2_MASTER_IP):]) == "3":
            val = "(own address: master)"
        col = next((c for c in EXCLUDED if oid[:len(c)] == c), None)
        if col:
            continue
        k = list(oid)
        for tbl, at in ((V3 + (1, 1, 1, 1), 12), (V3 + (1, 2, 5, 1), 12), (base[:-1], 12),
                        (V2 + (1, 3, 1), 11), (V2 + (1, 4, 1), 11), (V2 + (2, 4, 1), 11)):
            if tuple(k[:len(tbl)]) == tbl and len(k) > at and k[at] == ifindex:
                k[at] = "IF"
        if keepalived and oid[:len(base)] == base:
            t = oid[len(base) + 2]
            k.insert(len(base) + 3, 4 if t == 1 else 16)
        out[tuple(k)] = val
    return out


def problems_same(vwalk, vif, kwalk, kif):
    v = normalize(load(vwalk), vif, False)
    k = normalize(load(kwalk), kif, True)
    errs = []
    for oid in sorted(set(v) | set(k), key=lambda o: [str(x).zfill(10) for x in o]):
        name = ".".join(str(x) for x in oid)
        if oid not in k:
            errs.append(f"only vigild: {name} = {v[oid]}")
        elif oid not in v:
            errs.append(f"only keepalived: {name} = {k[oid]}")
        elif v[oid] != k[oid]:
            errs.append(f"differs: {name}: vigild {v[oid]}, keepalived {k[oid]}")
    print(f"{len(v)} objects compared; set aside: " + "; ".join(EXCLUDED.values()))
    return errs


def main():
    if sys.argv[1] == "vigil":
        errs = problems_vigil(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        errs = problems_same(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    for e in errs:
        print(e)
    sys.exit(1 if errs else 0)


main()
