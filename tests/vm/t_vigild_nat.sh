#!/usr/bin/env bash
# Traffic through a NAT service vigild programs (issue: IPVS glue):
# a client namespace reaches the VIP and gets answers from both real
# servers (python http.server in namespaces); after `vigilctl drain` new
# connections go only to the other; a vigild killed and started again
# adopts the table: no service or destination re-created, connection
# counters kept. Then the traffic counters vigild shows (/metrics,
# vigilctl status --stats) equal `ipvsadm -L -n --stats --exact` for the
# virtual server and each real server, and the status page draws the
# traffic of the last minutes. VIGIL_VM_PAGE_DUMP=1 prints the page
# (base64) for a screenshot on the host.
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd ipvsadm python3

VIGILD="$VIGIL_BUILD/daemon/vigild"
VIGILCTL="$VIGIL_BUILD/ctl/vigilctl"
T=$(mktemp -d /tmp/vigild-nat.XXXXXX)
SOCK="$T/vigil.sock"
modprobe ip_vs
vm_on_exit ipvsadm -C
vm_on_exit rm -rf "$T"

# client --- director (this namespace) --- br0 --- rs1, rs2
vm_nat_lan 192.0.2.10
for i in 1 2; do
  vm_nat_rs "rs$i" "198.51.100.1$i"
  mkdir -p "$T/www$i"; echo "rs$i" > "$T/www$i/index.html"
  ip netns exec "rs$i" python3 -m http.server 80 --bind "198.51.100.1$i" --directory "$T/www$i" \
    > "$T/http$i.log" 2>&1 &
  vm_on_exit kill $!
done

cat > "$T/vigil.conf" <<CONF
global = { control_socket = "$SOCK"; http = { listen = "127.0.0.1:9650"; }; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80; scheduler = "rr"; forwarding = "nat";
    real_servers = ( { address = "198.51.100.11"; port = 80; },
                     { address = "198.51.100.12"; port = 80; } ); }
);
CONF

start() {
  "$VIGILD" -n -l -f "$T/vigil.conf" -p "$T/vigild.pid" >> "$T/vigild.log" 2>&1 &
  PID=$!
  vm_on_exit sh -c "kill -9 $PID 2>/dev/null || true"
  vm_wait_for 10 sh -c "ipvsadm -Ln | grep -q 198.51.100.12:80" || { cat "$T/vigild.log"; vm_fail "no table"; }
}
# fetch N: N new connections from the client; prints "rs1=a rs2=b"
fetch() {
  ip netns exec client python3 - "$1" <<'PY'
import sys, urllib.request, collections
c = collections.Counter()
for _ in range(int(sys.argv[1])):
    c[urllib.request.urlopen("http://192.0.2.10/", timeout=5).read().decode().strip()] += 1
print(" ".join("%s=%d" % (k, c[k]) for k in ("rs1", "rs2")))
PY
}
st() { "$VIGILCTL" -s "$SOCK" status --json | python3 -c "import json,sys; r=json.load(sys.stdin); print($1)"; }

start
# Both real servers listening (no health check here: vigild puts both in
# the table at once, and a request to one still starting is refused).
for i in 1 2; do
  vm_wait_for 10 sh -c "ip netns exec rs$i python3 -c 'import socket; socket.create_connection((\"198.51.100.1$i\", 80), 1)' 2>/dev/null" \
    || vm_fail "real server $i not listening"
done
got=$(fetch 20)
vm_log "before drain: $got"
[ "$got" = "rs1=10 rs2=10" ] || vm_fail "round robin over both real servers expected, got $got"
vm_log "PASS: the VIP answers from both real servers"

"$VIGILCTL" -s "$SOCK" drain web 198.51.100.11:80
vm_wait_for 5 sh -c "ipvsadm -S -n | grep -q -- '-r 198.51.100.11:80 -m -w 0'" || vm_fail "drain not applied"
got=$(fetch 10)
vm_log "after drain: $got"
[ "$got" = "rs1=0 rs2=10" ] || vm_fail "after drain only rs2 expected, got $got"
vm_log "PASS: drained real server gets no new connection"

# Adoption: kill vigild hard (its children follow), start it again.
conns() { ipvsadm -Ln --stats | awk '$2 == "198.51.100.12:80" { print $3 }'; }
# The kernel folds per-CPU counters into these every 2 s (the estimator).
vm_wait_for 6 sh -c "[ \$(ipvsadm -Ln --stats | awk '\$2 == \"198.51.100.12:80\" { print \$3 }') -ge 20 ]" \
  || vm_fail "rs2 should have counted 20 connections, shows $(conns)"
before=$(conns)
kill -9 "$PID"
vm_wait_for 5 sh -c "! kill -0 $PID 2>/dev/null"
vm_wait_for 5 sh -c "! pgrep -f '[-]-child' >/dev/null" || vm_fail "children outlived the parent"
start
sleep 2.5   # one estimator period: a reset counter would show by now
vm_wait_for 10 sh -c "[ \$(\"$VIGILCTL\" -s \"$SOCK\" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"ipvs\"][\"reconciles\"])') -ge 1 ]"
after=$(conns)
adds=$(st 'r["ipvs"]["ops"]["add_service"] + r["ipvs"]["ops"]["add_dest"] + r["ipvs"]["ops"]["delete_service"] + r["ipvs"]["ops"]["delete_dest"]')
edits=$(st 'r["ipvs"]["ops"]["edit_dest"]')
vm_log "restart: conns $before -> $after, adds/deletes $adds, edits $edits"
[ "$adds" = 0 ] || vm_fail "restart re-created or deleted objects ($adds)"
[ "$edits" = 1 ] || vm_fail "restart should edit exactly the drained weight back, made $edits edits"
[ "$after" -ge "$before" ] || { ipvsadm -Ln --stats; cat "$T/vigild.log"; vm_fail "counters reset: $before -> $after"; }
got=$(fetch 10)
[ "$got" = "rs1=5 rs2=5" ] || vm_fail "after restart both should serve again, got $got"
vm_log "PASS: restart adopts the table: counters kept, nothing re-created"

# Traffic counters: once the traffic stops and the kernel's estimator has
# folded the per-CPU counters (2 s), vigild's shared dump (at most 2 s old)
# must show exactly what ipvsadm shows.
http_get() { python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:9650" + sys.argv[1], timeout=5).read().decode())' "$1"; }
same_counters() {
  ipvsadm -L -n --stats --exact > "$T/ipvs1.txt"
  http_get /metrics > "$T/metrics.txt"
  "$VIGILCTL" -s "$SOCK" status --stats > "$T/vstats.txt"
  ipvsadm -L -n --stats --exact > "$T/ipvs2.txt"
  cmp -s "$T/ipvs1.txt" "$T/ipvs2.txt" || return 1
  python3 - "$T" <<'PY'
import re, sys
t = sys.argv[1]
ipvs, cur = {}, None
for line in open(t + "/ipvs1.txt"):
    f = line.split()
    if len(f) == 7 and f[0] in ("TCP", "UDP"):
        cur = "vs"; ipvs["vs"] = [int(x) for x in f[2:7]]
    elif len(f) == 7 and f[0] == "->" and cur:
        ipvs[f[1]] = [int(x) for x in f[2:7]]
assert set(ipvs) == {"vs", "198.51.100.11:80", "198.51.100.12:80"}, ipvs
m = dict(re.findall(r'^(vigil_\S+) (\S+)$', open(t + "/metrics.txt").read(), re.M))
def prom(level, labels):
    p = "vigil_%s_server_" % level
    get = lambda n, extra="": int(float(m[p + n + "{" + labels + extra + "}"]))
    return [get("connections_total"), get("packets_total", ',direction="in"'),
            get("packets_total", ',direction="out"'), get("bytes_total", ',direction="in"'),
            get("bytes_total", ',direction="out"')]
got = {"vs": prom("virtual", 'vs="web"')}
for rs in ("198.51.100.11:80", "198.51.100.12:80"):
    got[rs] = prom("real", 'vs="web",rs="%s"' % rs)
vctl = {}
for line in open(t + "/vstats.txt"):
    f = line.split()
    if f[:2] == ["TCP", "192.0.2.10:80"]:
        vctl["vs"] = [int(x) for x in f[2:7]]
    elif f[:1] == ["->"] and f[1] in got:
        vctl[f[1]] = [int(x) for x in f[2:7]]
if got != ipvs or vctl != ipvs:
    print("ipvsadm %s\n/metrics %s\nvigilctl %s" % (ipvs, got, vctl)); sys.exit(1)
assert ipvs["vs"][0] >= 40 and ipvs["vs"][3] > 0, ipvs
print("counters agree: %s" % ipvs)
PY
}
vm_wait_for 12 same_counters || { same_counters; cat "$T/ipvs1.txt" "$T/vstats.txt"; grep _server_ "$T/metrics.txt" | grep -v '^#'; vm_fail "vigild's counters differ from ipvsadm --stats"; }
vm_log "PASS: /metrics and vigilctl status --stats equal ipvsadm -L -n --stats --exact ($(same_counters))"
"$VIGILCTL" -s "$SOCK" status --rate | grep -Eq '^  -> 198\.51\.100\.12:80 +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$' \
  || vm_fail "vigilctl status --rate lacks the real server's rates"

# The page's charts: traffic over three 5 s samples of the parent's ring.
for _ in 1 2 3; do fetch 20 >/dev/null; sleep 4; done
drawn() {
  http_get / > "$T/page.html"
  python3 - "$T/page.html" <<'PY'
import re, sys
p = open(sys.argv[1]).read()
peaks = [float(x) for x in re.findall(r'conn/s \(max ([0-9.]+)\)', p)]
assert p.count("<polyline") >= 6 and len(peaks) == 3 and all(x > 0 for x in peaks), peaks
PY
}
vm_wait_for 12 drawn || { cat "$T/page.html"; vm_fail "the page draws no traffic"; }
grep -q 'connections, [0-9]* conn/s; in ' "$T/page.html" || vm_fail "the page lacks the virtual server's traffic"
vm_log "PASS: the status page charts the connections of the virtual server and both real servers"
if [ -n "${VIGIL_VM_PAGE_DUMP:-}" ]; then
  echo "=== status page ==="; base64 -w0 "$T/page.html"; echo; echo "=== end ==="
fi
