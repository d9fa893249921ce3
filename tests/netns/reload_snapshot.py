#!/usr/bin/env python3
"""What a reload of an unchanged file must not change, from one node's
`vigilctl status --json` and `vigilctl vrrp --json`, as one JSON line:
VRRP state, effective priority and transitions per instance, and state,
time of change and transitions per sync group; IPVS
operation counts; per real server its health state, the time of its last
change and its consecutive pass/fail counts (which may only grow while
nothing changes: a reset shows as a drop).

  reload_snapshot.py take STATUS.json VRRP.json > SNAP
  reload_snapshot.py same BEFORE AFTER     exit 1 with the differences
"""
import json
import sys


def take(status_path, vrrp_path):
    st = json.load(open(status_path))
    vr = json.load(open(vrrp_path))
    snap = {"vrrp": {}, "ipvs": st.get("ipvs", {}).get("ops"), "rs": {}}
    for i in vr.get("instances", []):
        snap["vrrp"][i["name"]] = [i["state"], i["priority"]["effective"], i["transitions"]]
    for g in vr.get("sync_groups", []):
        snap["vrrp"]["group " + g["name"]] = [g["state"], g.get("since"), g.get("transitions")]
    for v in st.get("virtual_servers", []):
        for r in v.get("real_servers", []):
            h = r.get("health") or {}
            key = "%s %s" % (v.get("service"), r.get("address"))
            snap["rs"][key] = [h.get("state"), h.get("since"), h.get("passes", 0),
                               h.get("failures", 0), r.get("weight_wanted")]
    return snap


def same(a, b):
    bad = []
    for k in ("vrrp", "ipvs"):
        if a[k] != b[k]:
            bad.append("%s: %s -> %s" % (k, a[k], b[k]))
    for key, x in a["rs"].items():
        y = b["rs"].get(key)
        if y is None:
            bad.append("%s: gone" % key)
            continue
        if x[0] != y[0] or x[1] != y[1] or x[4] != y[4]:
            bad.append("%s: state/since/weight %s -> %s" % (key, x, y))
        elif (x[2] and y[2] < x[2]) or (x[3] and y[3] < x[3]):
            bad.append("%s: consecutive counts reset %s -> %s" % (key, x, y))
    return bad


if sys.argv[1] == "take":
    print(json.dumps(take(sys.argv[2], sys.argv[3])))
else:
    a = json.loads(open(sys.argv[2]).read())
    b = json.loads(open(sys.argv[3]).read())
    bad = same(a, b)
    for line in bad:
        print(line)
    sys.exit(1 if bad else 0)
