#!/usr/bin/env python3
# chk_expect.py: polls `vigilctl status --json` until every expectation
# holds or its bound passes. Used by the t_chk_*.sh tests.
#   chk_expect.py T0_MS CMD... -- VS RS STATE REASON BOUND [VS RS STATE REASON BOUND ...]
# T0_MS: when the clock started (ms since the epoch); BOUND: seconds after
# T0 by which the real server RS (ADDR:PORT) of virtual server VS must be
# in STATE with REASON as a substring of its reason. Prints one line per
# expectation with the time it took; exits 1 if any missed its bound.
import json, subprocess, sys, time

argv = sys.argv[1:]
t0 = int(argv[0]) / 1000.0
sep = argv.index("--")
cmd, rest = argv[1:sep], argv[sep + 1:]
exp = [rest[i:i + 5] for i in range(0, len(rest), 5)]
# VIGIL_TIME_SCALE stretches every bound (a daemon under valgrind is slow).
scale = float(__import__("os").environ.get("VIGIL_TIME_SCALE", "1"))
for e in exp:
    e[4] = str(float(e[4]) * scale)
met = {}
last = {}
deadline = t0 + max(float(e[4]) for e in exp) + 0.5
while time.time() < deadline and len(met) < len(exp):
    try:
        r = json.loads(subprocess.run(cmd, capture_output=True, text=True, timeout=3).stdout)
    except Exception:
        time.sleep(0.1)
        continue
    now = time.time()
    for i, (vs, rs, state, reason, bound) in enumerate(exp):
        if i in met:
            continue
        for v in r.get("virtual_servers", []):
            if v.get("name") != vs:
                continue
            for s in v["real_servers"]:
                if s["address"] != rs:
                    continue
                h = s["health"]
                last[i] = "%s: %s" % (h["state"], h["reason"])
                if h["state"] == state and reason in (h["reason"] or ""):
                    met[i] = now - t0
    time.sleep(0.1)
bad = 0
for i, (vs, rs, state, reason, bound) in enumerate(exp):
    if i in met and met[i] <= float(bound):
        print("ok   %-14s %-22s %-5s %-40s %5.2fs (bound %ss)" % (vs, rs, state, reason, met[i], bound))
    else:
        bad += 1
        print("MISS %-14s %-22s want %s '%s' within %ss; last seen: %s" %
              (vs, rs, state, reason, bound, last.get(i, "nothing")))
sys.exit(1 if bad else 0)
