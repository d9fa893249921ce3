#!/usr/bin/env bash
# The files an operator drops in (etc/monitoring/): the alerting rules
# pass `promtool check rules` and their own `promtool test rules`; the
# Grafana dashboard is JSON with panels and targets; and every vigil_*
# metric either uses is one vigild exposes — the names of the "# TYPE"
# lines of METRICS (a /metrics text: the renderer's output for a full
# status in the lint label, the live daemon's in t_status_http).
# usage: monitoring.sh ETC_MONITORING_DIR METRICS_FILE
set -euo pipefail
dir=$1 metrics=$2
command -v promtool >/dev/null || { echo "promtool missing (Debian package prometheus, ./setup.sh)"; exit 1; }
(cd "$dir" && promtool check rules vigil-alerts.yml && promtool test rules vigil-alerts.test.yml)
python3 - "$dir" "$metrics" <<'PY'
import json, re, sys
d, metrics = sys.argv[1], sys.argv[2]
types = dict(re.findall(r'^# TYPE (\S+) (\S+)$', open(metrics).read(), re.M))
assert types, "no # TYPE line in " + metrics
known = set(types)
for n, t in types.items():
    if t == "histogram":
        known |= {n + "_bucket", n + "_sum", n + "_count"}
dash = json.load(open(d + "/vigil-dashboard.json"))
exprs = []
def walk(panels):
    for p in panels:
        if p.get("type") != "row":
            assert p.get("targets"), "panel without targets: %s" % p.get("title")
        exprs.extend(t["expr"] for t in p.get("targets", []))
        walk(p.get("panels", []))
walk(dash["panels"])
for v in dash.get("templating", {}).get("list", []):
    exprs.append(v.get("definition", ""))
rules = open(d + "/vigil-alerts.yml").read()
used = {("dashboard", m) for e in exprs for m in re.findall(r'\bvigil_[a-z0-9_]+', e)}
used |= {("rules", m) for m in re.findall(r'\bvigil_[a-z0-9_]+', rules)}
bad = sorted("%s uses %s" % u for u in used if u[1] not in known)
assert not bad, "metrics vigild does not expose:\n  " + "\n  ".join(bad)
print("%d panels' and rules' metric names all exposed (%d names used)" % (len(exprs), len({u[1] for u in used})))
PY
