#!/usr/bin/env bash
# Guest side of bench/ipvs-start.sh. Prints one line per measurement and a
# summary with ratios. Every run starts from an empty table in a network
# namespace of its own: IPVS state is per namespace, and a fresh one has no
# destination trash list (the kernel keeps deleted destinations for 60-120 s
# and scans that list on every add, which would tax whoever runs second).
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
read -r NS ND RNS RND <<<"${BENCH_ARGS:-1000 10 2000 20}"
VIGILD="$VIGIL_BUILD/daemon/vigild"
APPLY="$VIGIL_BUILD/tests/tools/ipvs-apply"
T=$(mktemp -d /tmp/bench.XXXXXX)
modprobe ip_vs
modprobe ip_vs_wlc

python3 "$VIGIL_SRC/bench/vm/gen-tables.py" "$NS" "$ND" "$T" "$T/vigil.sock"
want=$((NS * (ND + 1)))
ms() { echo $(( $(date +%s%N) / 1000000 )); }
NSN=0
NSX=
vm_on_exit sh -c 'for n in $(ip netns list | grep -o "^bench[0-9]*"); do ip netns del "$n"; done'
# fresh_ns: a new namespace for the next contender; the previous one is
# flushed and deleted first, so its entries cost the next one nothing (the
# kernel's per-service rate estimators run over every table).
fresh_ns() {
  if [ -n "${NSX:-}" ]; then
    ip netns exec "$NSX" ipvsadm -C 2>/dev/null || true
    ip netns del "$NSX"
  fi
  NSN=$((NSN + 1)); NSX="bench$NSN"
  ip netns add "$NSX"
  ip -n "$NSX" link set lo up   # a namespace without a local table calls every address broadcast
  sleep 1                        # let the deleted namespace's teardown finish
}
inns() { ip netns exec "$NSX" "$@"; }
entries() { inns ipvsadm -S -n | wc -l; }
results=()
# The last service of the table and its destination count: polling one
# service is cheap, where dumping 11,000 entries would hold the IPVS mutex
# and slow down whoever is programming.
lastvip=$(python3 -c "import sys; i=$NS-1; print('192.0.2.%d:%d' % (1 + i % 250, 1000 + i // 250))")
last_done() { [ "$(inns ipvsadm -L -n -t "$lastvip" 2>/dev/null | grep -c -- '->')" -ge $((ND + 1)) ]; }
count_ok() { [ "$(entries)" -ge "$want" ]; }
# wait_until START_MS CMD...: polls CMD every 0.1 s (a resolution of
# ±50 ms; faster polling would itself load the 2 vCPUs the contender
# runs on); prints elapsed ms
wait_until() {
  local t0=$1; shift
  for _ in $(seq 1 1200); do
    if "$@"; then echo $(( $(ms) - t0 )); return 0; fi
    sleep 0.1
  done
  echo "timeout"; return 1
}

# ipvsadm-restore (synchronous)
fresh_ns
t0=$(ms); inns ipvsadm-restore < "$T/rules"; t_restore=$(( $(ms) - t0 ))
count_ok || vm_fail "ipvsadm-restore: table incomplete"
results+=("ipvsadm-restore: $t_restore ms"); vm_log "restore: $t_restore"

# The raw batched sender (no daemon, no config parsing): the kernel's ceiling.
fresh_ns
t0=$(ms); inns "$APPLY" -q "$T/vigil.conf" > "$T/apply.out" 2>&1; t_raw=$(( $(ms) - t0 ))
count_ok || vm_fail "ipvs-apply: table incomplete"
results+=("raw batched netlink (ipvs-apply, incl. config load): $t_raw ms; $(head -1 "$T/apply.out")")
vm_log "raw: $t_raw"

# vigild: exec -> its log says the table is programmed
fresh_ns
t0=$(ms)
ip netns exec "$NSX" "$VIGILD" -n -l -f "$T/vigil.conf" -p "$T/vigild.pid" > "$T/vigild.log" 2>&1 &
vpid=$!
t_vigild=$(wait_until "$t0" grep -q "ipvs: [0-9]* operations" "$T/vigild.log")
count_ok || vm_fail "vigild: table incomplete"
results+=("vigild start -> table complete: $t_vigild ms ($(grep -o 'ipvs: [0-9]* operations.*' "$T/vigild.log" | head -1))")
vm_log "vigild: $t_vigild"
kill -TERM "$vpid"; wait "$vpid" || true

# keepalived (checker only, no checks: every real server is up); it programs
# in configuration order, so the last service complete = the table complete.
fresh_ns
t0=$(ms)
ip netns exec "$NSX" keepalived -n -l -C -f "$T/keepalived.conf" -p "$T/k.pid" -c "$T/kc.pid" > "$T/keepalived.log" 2>&1 &
kpid=$!
t_keep=$(wait_until "$t0" last_done)
count_ok || vm_fail "keepalived: table incomplete when its last service was"
results+=("keepalived 2.2.7 start -> table complete: $t_keep ms"); vm_log "keepalived: $t_keep"
kill -TERM "$kpid"; wait "$kpid" || true

# Reload with one changed real server in a RNS x RND table.
python3 "$VIGIL_SRC/bench/vm/gen-tables.py" "$RNS" "$RND" "$T" "$T/vigil.sock"
want=$((RNS * (RND + 1)))
fresh_ns
ip netns exec "$NSX" "$VIGILD" -n -l -f "$T/vigil.conf" -p "$T/vigild.pid" > "$T/reload.log" 2>&1 &
vpid=$!
t_big=$(wait_until "$(ms)" grep -q "ipvs: [0-9]* operations" "$T/reload.log")
results+=("vigild start with ${RNS}x${RND}: $t_big ms"); vm_log "big: $t_big"
sleep 1
for i in 1 2 3; do
  sed -i "0,/weight = $i;/s//weight = $((i + 1));/" "$T/vigil.conf"
  before=$(grep -c "ipvs: 1 operations" "$T/reload.log" || true)
  kill -HUP "$vpid"; vm_log "reload $i"
  for _ in $(seq 1 500); do
    [ "$(grep -c "ipvs: 1 operations" "$T/reload.log" || true)" -gt "$before" ] && break
    sleep 0.05
  done
done
kill -TERM "$vpid"; wait "$vpid" || true
# Per reload: SIGHUP seen -> the single edit applied, from the daemon's log.
python3 - "$T/reload.log" <<'PY' > "$T/reload.txt"
import re, sys
def t(line):
    h, m, s = line[:12].split(":")
    return (int(h) * 3600 + int(m) * 60 + float(s)) * 1000
start = None
for line in open(sys.argv[1]):
    if "reloading" in line:
        start = t(line)
    m = re.search(r"loaded in ([0-9.]+) ms", line)
    if m:
        load = m.group(1)
    m = re.search(r"ipvs: 1 operations \(0 failed\) in ([0-9.]+) ms \(diff ([0-9.]+) ms, apply ([0-9.]+) ms\)", line)
    if m and start is not None:
        print("reload: %.0f ms from SIGHUP to applied: load+validate %s ms, then diff %s ms + apply %s ms"
              % (t(line) - start, load, m.group(2), m.group(3)))
        start = None
PY
while read -r l; do results+=("$l"); done < "$T/reload.txt"

echo "==== bench/ipvs-start: ${NS} services x ${ND} destinations; reload in ${RNS}x${RND}"
for r in "${results[@]}"; do echo "  $r"; done
python3 - "$t_restore" "$t_vigild" "$t_keep" <<'PY'
import sys
r, v, k = (float(x.split()[0]) for x in sys.argv[1:4])
print("  ratios: keepalived/vigild = %.1fx, ipvsadm-restore/vigild = %.2fx" % (k / v, r / v))
PY
