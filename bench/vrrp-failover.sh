#!/usr/bin/env bash
# bench/vrrp-failover.sh — VRRP failover time after SIGKILL of the master,
# vigild and keepalived in the same run.
#
#   two directors (m: priority 150, starts as master; b: priority 100) on
#   one bridge, built with tests/netns/lib.sh (namespaces always removed).
#   Per trial: start m, wait until it holds the address and b is backup,
#   wait a random fraction of the advert interval, SIGKILL every process
#   of m, then read two timestamps:
#     addr: b's `ip -ts monitor address` line adding the VIP
#     garp: the first gratuitous ARP for the VIP on the bridge (tcpdump -tt)
#   both minus the time of the kill, and (adv->addr) the time from the
#   master's last advert on the wire to the backup holding the address:
#   that one does not depend on where in the advert cycle the kill fell,
#   so it compares implementations sample by sample. The bound is
#   3 x advert + (256 - 100) / 256 x advert (the backup's Master_Down).
#
# usage: bench/vrrp-failover.sh [TRIALS] [CASES]
#   TRIALS default 20; CASES default "vigild:2:1 keepalived:2:1 vigild:3:0.05 keepalived:3:0.05"
#   a case IMPL:VER:ADV:term stops the master with SIGTERM instead (graceful
#   stop: priority-0 advert, the bound is then the backup's skew time).
# Needs root, a build in $VIGIL_BUILD (default build/), keepalived, tcpdump.
set -u
TRIALS=${1:-20}
CASES=${2:-"vigild:2:1 keepalived:2:1 vigild:3:0.05 keepalived:3:0.05"}
. "$(dirname "$0")/../tests/netns/lib.sh"
KA=/usr/sbin/keepalived
VIP=192.0.2.10
RES="$T_DIR/results.txt"
: > "$RES"

ns_add m; ns_add b; lan_add
lan_join m eth0 192.0.2.1/24
lan_join b eth0 192.0.2.2/24

conf_vigild() {  # NODE PRIO VER ADV INIT
  cat > "$T_DIR/$1.conf" <<CONF
global = { control_socket = "$T_DIR/$1.sock"; router_id = "$1"; };
vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = $2;
  version = $3; advert_interval = $4; initial_state = "$5"; addresses = [ "$VIP/24" ];
  garp = { count = 1; }; } ); };
CONF
}
conf_ka() {  # NODE PRIO VER ADV STATE
  cat > "$T_DIR/$1.ka.conf" <<CONF
global_defs { router_id $1; vrrp_garp_master_delay 0; vrrp_garp_master_repeat 1; }
vrrp_instance VI_1 { state $5
  interface eth0
  virtual_router_id 51
  priority $2
  advert_int $4
  version $3
  virtual_ipaddress { $VIP/24 } }
CONF
}
start_node() {  # IMPL NODE
  if [ "$1" = vigild ]; then
    bg "$2" "$2" "$VIGILD" -n -l -f "$T_DIR/$2.conf" -p "$T_DIR/$2.pid" --vrrp-only
  else
    rm -f "$T_DIR/$2.kpid" "$T_DIR/$2.vpid"
    bg "$2" "$2" $KA -n -l -P -f "$T_DIR/$2.ka.conf" -p "$T_DIR/$2.kpid" -r "$T_DIR/$2.vpid"
  fi
  NODE_PID=$BG_PID
}
node_pids() {  # NODE: every process in its namespace except our monitors
  ip netns pids "$(ns_name "$1")"
}
has_vip() { in_ns "$1" ip -o addr show dev eth0 | grep -q " $VIP/"; }
no_vip() { ! has_vip "$1"; }

run_case() {  # IMPL VER ADV [term]
  local impl=$1 ver=$2 adv=$3 how=${4:-kill}
  [ "$impl" = keepalived ] && [ ! -x $KA ] && { log "no keepalived: skipping"; return; }
  if [ "$impl" = vigild ]; then conf_vigild m 150 $ver $adv master; conf_vigild b 100 $ver $adv backup
  else conf_ka m 150 $ver $adv MASTER; conf_ka b 100 $ver $adv BACKUP; fi
  start_node $impl b; local bpid=$NODE_PID
  local mon="$T_DIR/mon-$impl-$ver.txt" arp="$T_DIR/arp-$impl-$ver.txt"
  in_ns b ip -ts monitor address > "$mon" 2>/dev/null &
  in_ns lan tcpdump -tt -n -l -i br0 "(arp and src host $VIP) or (ip proto 112 and src host 192.0.2.1)" \
    > "$arp" 2>/dev/null &
  sleep 1
  for t in $(seq 1 "$TRIALS"); do
    in_ns m ip addr del $VIP/24 dev eth0 2>/dev/null
    start_node $impl m
    wait_for 10 has_vip m || { log "trial $t: m not master"; continue; }
    wait_for 10 no_vip b || { log "trial $t: b did not yield"; continue; }
    sleep "$(awk -v a="$adv" -v r=$RANDOM 'BEGIN { printf "%.3f", 0.5 + a * (1 + r / 32768) }')"
    local pids; pids=$(node_pids m)
    local t0; t0=$(date +%s.%N)
    if [ "$how" = term ]; then kill -TERM "$NODE_PID"; else kill -KILL $pids; fi
    wait_for 10 has_vip b || { log "trial $t: b never took over"; continue; }
    sleep 0.3
    python3 - "$t0" "$mon" "$arp" "$impl v$ver ${adv}s $how" >> "$RES" <<'PY'
import sys, datetime
t0 = float(sys.argv[1]); vip = "192.0.2.10/"
addr = garp = None
for line in open(sys.argv[2]):
    if vip in line and line.startswith("[") and "Deleted" not in line:
        ts = datetime.datetime.fromisoformat(line[1:line.index("]")]).timestamp()
        if ts >= t0 and addr is None:
            addr = ts - t0
adverts = []
for line in open(sys.argv[3]):
    try:
        ts = float(line.split()[0])
    except (ValueError, IndexError):
        continue
    if "VRRP" in line:
        adverts.append(ts)
    elif ts >= t0 and garp is None:
        garp = ts - t0
# The master's last advert before the backup took over: from it, the
# backup's wait is exactly its Master_Down_Interval (or, after a
# priority-0 advert, its Skew_Time), whatever the phase of the kill.
last = max((a for a in adverts if addr is not None and a < t0 + addr), default=None)
after = t0 + addr - last if last is not None else None
f = lambda v: "%.4f" % v if v is not None else "nan"
print(sys.argv[4], f(addr), f(garp), f(after))
PY
  done
  kill -KILL $(node_pids m) $(node_pids b) $(node_pids lan) 2>/dev/null
  sleep 0.5
  in_ns m ip addr del $VIP/24 dev eth0 2>/dev/null; in_ns b ip addr del $VIP/24 dev eth0 2>/dev/null
}

for c in $CASES; do
  IFS=: read -r impl ver adv how <<< "$c"
  log "case $impl v$ver advert ${adv}s ${how:-kill}, $TRIALS trials"
  run_case "$impl" "$ver" "$adv" "${how:-kill}"
done

python3 - "$RES" <<'PY'
import sys, collections, math
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    p = line.split()
    key = " ".join(p[:4]); rows.setdefault(key, ([], [], []))
    for i, v in enumerate(p[4:7]):
        if v != "nan":
            rows[key][i].append(float(v))
def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(q * len(xs)) - 1))] if xs else float("nan")
print("%-28s %4s %10s %10s %10s %10s %12s %12s %10s" % ("case", "n", "addr p50", "addr p95", "garp p50",
      "garp p95", "adv->addr p50", "adv->addr p95", "bound"))
for k, (a, g, l) in rows.items():
    adv = float(k.split()[2].rstrip("s"))
    skew = 156 / 256 * (adv if "v3" in k else 1.0)
    bound = skew if k.endswith("term") else 3 * adv + skew
    print("%-28s %4d %9.0fms %9.0fms %9.0fms %9.0fms %11.1fms %11.1fms %9.1fms" % (k, len(a), 1e3 * pct(a, .5),
          1e3 * pct(a, .95), 1e3 * pct(g, .5), 1e3 * pct(g, .95), 1e3 * pct(l, .5), 1e3 * pct(l, .95), 1e3 * bound))
PY
cp "$RES" /tmp/vrrp-failover-results.txt
