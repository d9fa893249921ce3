#!/usr/bin/env bash
# bench/vrrp-many.sh — 255 VRRP instances on one interface, vigild and
# keepalived in the same run: the CPU each spends, and how long the last
# of the 255 takes to fail over.
#
#   Two directors (m: priority 150, master; b: priority 100, backup) on one
#   bridge, built with tests/netns/lib.sh (namespaces always removed);
#   255 VRRPv3 instances (vrid 1..255, advert 0.1 s, one /32 address
#   each) on eth0. Per implementation:
#     cpu:  once m holds the 255 addresses and b none, and a further
#           SETTLE seconds (keepalived's second gratuitous ARP burst comes
#           5 s after a transition), utime+stime ticks (USER_HZ, 100/s)
#           over SECS seconds of vigild's vrrp child and parent, and of
#           keepalived's VRRP process (and its parent), on m and on b.
#     failover: TRIALS times, SIGKILL of every process of m, then from b's
#           `ip -ts monitor address` the time from the kill to the first
#           and to the last of the 255 addresses added, and on the
#           bridge (tcpdump -tt, kernel timestamps) per instance the time
#           from m's last advert of its vrid to b's first as master
#           (adv->adv: independent of where in the advert cycle the kill
#           fell, and of ip monitor's own scheduling). The bound is b's
#           Master_Down_Interval, 3 x 0.1 + (256 - 100) / 256 x 0.1 =
#           0.361 s from that last advert, plus 10 ms.
#
# usage: bench/vrrp-many.sh [SECS] [TRIALS] [IMPLS]
#   SECS default 30, TRIALS default 3, IMPLS default "vigild keepalived";
#   an implementation named more than once is measured again (interleave
#   them on a shared machine: the ratios are of the medians). "before"
#   is vigild from another build, BEFORE=DIR (an older commit, to compare).
#   SETTLE (environment) default 8. BRIDGE_NF=0: the bridge's netfilter
#   hooks off (see below). PERF=FILE: perf record of the VRRP
#   workers through the CPU measurement (FILE.IMPL.m, FILE.IMPL.b; the
#   ticks then include perf's overhead) and of b's through the first
#   takeover (FILE.IMPL).
# Needs root, a build in $VIGIL_BUILD (default build/), keepalived, tcpdump.
set -u
SECS=${1:-30}
TRIALS=${2:-3}
IMPLS=${3:-"vigild keepalived"}
SETTLE=${SETTLE:-8}
N=255
. "$(dirname "$0")/../tests/netns/lib.sh"
KA=/usr/sbin/keepalived
RES="$T_DIR/results.txt"
: > "$RES"
RUN=0

ns_add m; ns_add b; lan_add
lan_join m eth0 192.0.2.1/24
lan_join b eth0 192.0.2.2/24
# With br_netfilter loaded on the host, every frame on the bench's bridge
# also goes through the iptables hooks, in the sender's system call: a
# cost of the test bed, the same for both implementations, which a real
# LAN does not have. BRIDGE_NF=0 turns the hooks off on this bridge.
if [ "${BRIDGE_NF:-}" = 0 ]; then
  for t in iptables ip6tables arptables; do
    in_ns lan sysctl -qw "net.bridge.bridge-nf-call-$t=0" 2>/dev/null
  done
fi
log "bridge netfilter hooks: $(in_ns lan sysctl -n net.bridge.bridge-nf-call-iptables 2>/dev/null || echo absent)"

vip() { if [ "$1" -le 254 ]; then echo "198.51.100.$1"; else echo "203.0.113.$(( $1 - 254 ))"; fi; }

conf_vigild() {  # NODE PRIO
  {
    echo "global = { control_socket = \"$T_DIR/$1.sock\"; router_id = \"$1\"; };"
    echo "vrrp = { instances = ("
    for i in $(seq 1 $N); do
      [ "$i" -gt 1 ] && echo ","
      echo "{ name = \"VI_$i\"; interface = \"eth0\"; vrid = $i; priority = $2; version = 3;"
      echo "  advert_interval = 0.1; addresses = [ \"$(vip "$i")/32\" ]; }"
    done
    echo "); };"
  } > "$T_DIR/$1.conf"
}
conf_ka() {  # NODE PRIO
  {
    echo "global_defs { router_id $1; }"
    for i in $(seq 1 $N); do
      echo "vrrp_instance VI_$i { state BACKUP
  interface eth0
  virtual_router_id $i
  priority $2
  advert_int 0.1
  version 3
  virtual_ipaddress { $(vip "$i")/32 } }"
    done
  } > "$T_DIR/$1.ka.conf"
}
start_node() {  # IMPL NODE
  if [ "$1" = before ]; then
    bg "$2" "$2-$1" "$BEFORE/daemon/vigild" -n -l -f "$T_DIR/$2.conf" -p "$T_DIR/$2.pid" --vrrp-only
  elif [ "$1" = vigild ]; then
    bg "$2" "$2-$1" "$VIGILD" -n -l -f "$T_DIR/$2.conf" -p "$T_DIR/$2.pid" --vrrp-only
  else
    rm -f "$T_DIR/$2.kpid" "$T_DIR/$2.vpid"
    bg "$2" "$2-$1" $KA -n -l -P -f "$T_DIR/$2.ka.conf" -p "$T_DIR/$2.kpid" -r "$T_DIR/$2.vpid"
  fi
  NODE_PID=$BG_PID
}
node_pids() { ip netns pids "$(ns_name "$1")"; }
n_vips() { in_ns "$1" ip -o -4 addr show dev eth0 | grep -cE " (198\.51\.100|203\.0\.113)\." ; }
all_vips() { [ "$(n_vips "$1")" = $N ]; }
no_vips() { [ "$(n_vips "$1")" = 0 ]; }

# The VRRP worker and the parent of a node: "VRRP PARENT" pids.
roles() {  # IMPL NODE PARENT-PID
  local p=$3 c
  if [ "$1" != keepalived ]; then
    for c in $(pgrep -P "$p"); do
      tr '\0' ' ' < "/proc/$c/cmdline" | grep -q -- "--child vrrp" && { echo "$c $p"; return; }
    done
  else
    wait_for 5 test -s "$T_DIR/$2.vpid"
    echo "$(cat "$T_DIR/$2.vpid") $p"
  fi
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

run_impl() {  # IMPL
  local impl=$1
  [ "$impl" = keepalived ] && [ ! -x $KA ] && { log "no keepalived: skipping"; return; }
  [ "$impl" = before ] && [ ! -x "${BEFORE:-}/daemon/vigild" ] && { log "no BEFORE build"; return; }
  if [ "$impl" != keepalived ]; then conf_vigild m 150; conf_vigild b 100
  else conf_ka m 150; conf_ka b 100; fi
  start_node "$impl" b; local bp=$NODE_PID
  sleep 1
  start_node "$impl" m; local mp=$NODE_PID
  wait_for 60 all_vips m || { log "$impl: m holds $(n_vips m) of $N addresses"; return; }
  wait_for 10 no_vips b || { log "$impl: b still holds $(n_vips b)"; return; }
  sleep "$SETTLE"
  local mr br; mr=$(roles "$impl" m "$mp"); br=$(roles "$impl" b "$bp")
  local pids="$mr $br" before=() after=() i=0 p
  local perfm= perfb=
  if [ -n "${PERF:-}" ]; then   # both VRRP workers, through the measurement
    perf record -q -F 10000 -g -p "${mr%% *}" -o "$PERF.$impl.m" >/dev/null 2>&1 & perfm=$!
    perf record -q -F 10000 -g -p "${br%% *}" -o "$PERF.$impl.b" >/dev/null 2>&1 & perfb=$!
  fi
  for p in $pids; do before+=("$(ticks "$p")"); done
  sleep "$SECS"
  for p in $pids; do after+=("$(ticks "$p")"); done
  [ -n "$perfm" ] && { kill -INT "$perfm" "$perfb"; wait "$perfm" "$perfb" 2>/dev/null; }
  no_vips b && all_vips m || log "$impl: a transition during the measurement"
  local d=()
  for p in $pids; do d+=($(( ${after[$i]} - ${before[$i]} ))); i=$((i + 1)); done
  echo "cpu $impl $SECS ${d[*]}" >> "$RES"
  log "$impl cpu over ${SECS}s: m vrrp ${d[0]} parent ${d[1]}, b vrrp ${d[2]} parent ${d[3]}"

  for t in $(seq 1 "$TRIALS"); do
    if [ "$t" -gt 1 ]; then
      for i in $(seq 1 $N); do echo "addr del $(vip "$i")/32 dev eth0"; done \
        | in_ns m ip -batch - 2>/dev/null
      start_node "$impl" m
      wait_for 60 all_vips m || { log "trial $t: m not master of all"; continue; }
      wait_for 10 no_vips b || { log "trial $t: b did not yield"; continue; }
      sleep 2
    fi
    RUN=$((RUN + 1))
    local mon="$T_DIR/mon-$RUN.txt" adv="$T_DIR/adv-$RUN.txt"
    # ip netns exec itself (not the in_ns function): $! is then the monitor's pid
    ip netns exec "$(ns_name b)" ip -ts monitor address dev eth0 > "$mon" 2>/dev/null &
    local monp=$!
    ip netns exec "$(ns_name lan)" tcpdump -tt -n -l -i br0 "ip proto 112" > "$adv" 2>/dev/null &
    local dump=$!
    sleep 0.5
    local perfp=
    if [ -n "${PERF:-}" ] && [ "$t" = 1 ]; then    # b's VRRP worker, through the takeover
      perf record -q -F 20000 -g -p "${br%% *}" -o "$PERF.$impl" >/dev/null 2>&1 & perfp=$!
      sleep 0.5
    fi
    local mpids; mpids=$(node_pids m)
    local t0; t0=$(date +%s.%N)
    # Stopped first: killed one by one, a worker whose parent died first
    # could still leave gracefully (priority 0) and not be a crash.
    kill -STOP $mpids; kill -KILL $mpids
    wait_for 10 all_vips b || log "trial $t: b holds $(n_vips b) of $N"
    sleep 0.3
    [ -n "$perfp" ] && { kill -INT "$perfp"; wait "$perfp" 2>/dev/null; }
    kill "$monp" "$dump" 2>/dev/null; wait "$monp" "$dump" 2>/dev/null
    python3 - "$t0" "$mon" "$impl" "$N" "$adv" >> "$RES" <<'PY'
import sys, datetime
t0 = float(sys.argv[1]); n = int(sys.argv[4])
def vrid(a):
    o = a.split("/")[0].split(".")
    return int(o[3]) if o[2] == "100" else 254 + int(o[3])
seen = {}
for line in open(sys.argv[2]):
    if not line.startswith("[") or "Deleted" in line or " inet " not in line:
        continue
    ts = datetime.datetime.fromisoformat(line[1:line.index("]")]).timestamp()
    a = line.split(" inet ")[1].split()[0]
    if ts >= t0 and vrid(a) not in seen:
        seen[vrid(a)] = ts
# the adverts on the bridge: m's last of each vrid, b's first as master
last, first = {}, {}
for line in open(sys.argv[5]):
    p = line.replace(",", " ").split()
    if "vrid" not in p or len(p) < 3:
        continue
    ts, src, v = float(p[0]), p[2], int(p[p.index("vrid") + 1])
    if src == "192.0.2.1":
        last[v] = ts
    elif src == "192.0.2.2" and ts >= t0 and v not in first:
        first[v] = ts
# per instance: from the master's last advert to the backup's first
after = [first[v] - last[v] for v in first if v in last]
v = sorted(x - t0 for x in seen.values())
w = sorted(x - t0 for x in first.values())
f = lambda x: "%.4f" % x
print("fail", sys.argv[3], len(v), f(v[0]) if v else "nan", f(v[-1]) if len(v) == n else "nan",
      len(w), f(w[0]) if w else "nan", f(w[-1]) if len(w) == n else "nan",
      f(min(after)) if after else "nan", f(max(after)) if len(after) == n else "nan")
PY
    tail -1 "$RES" | sed "s/^/  trial $t: /"
  done
  kill -KILL $(node_pids m) $(node_pids b) 2>/dev/null
  sleep 1
  for n in m b; do
    for i in $(seq 1 $N); do echo "addr del $(vip "$i")/32 dev eth0"; done \
      | in_ns $n ip -batch - 2>/dev/null
  done
}

for impl in $IMPLS; do
  log "$impl: $N instances, v3, advert 0.1 s; cpu over ${SECS}s, $TRIALS failovers"
  run_impl "$impl"
done

python3 - "$RES" <<'PY'
import sys, statistics
cpu, fail = {}, {}
for line in open(sys.argv[1]):
    p = line.split()
    if p[0] == "cpu":
        cpu.setdefault(p[1], []).append((int(p[2]), [int(x) for x in p[3:]]))
    elif p[0] == "fail":
        fail.setdefault(p[1], []).append(p[2:])
print("CPU ticks (USER_HZ) over the measurement, in the order run")
print("%-11s %6s %12s %12s %12s %12s" % ("impl", "secs", "m vrrp", "m parent", "b vrrp", "b parent"))
for k, runs in cpu.items():
    for s, d in runs:
        print("%-11s %6d %12d %12d %12d %12d" % (k, s, *d))
if "vigild" in cpu and "keepalived" in cpu:
    med = lambda runs, i: statistics.median(d[i] for _, d in runs)
    v, k = cpu["vigild"], cpu["keepalived"]
    for role, i in (("master", 0), ("backup", 2)):
        # vigild's VRRP child and its parent against keepalived's VRRP process (medians)
        vt = statistics.median(d[i] + d[i + 1] for _, d in v)
        print("%s: vigild vrrp+parent %g / keepalived vrrp %g = %.2f (vrrp alone %.2f)" %
              (role, vt, med(k, i), vt / max(med(k, i), 1), med(v, i) / max(med(k, i), 1)))
print("failover of all 255. From the kill: b's first and last address added (ip monitor),")
print("b's first and last advert as master (bridge); adv->adv: per instance, from m's last")
print("advert of the vrid to b's first, fastest and slowest (bound 361 ms + 10 ms = 371 ms)")
print("%-11s %5s %9s %9s %5s %9s %9s %10s %10s" % ("impl", "addrs", "first", "last", "advs",
      "first", "last", "adv->adv", "max"))
ms = lambda x: "%7.1fms" % (1e3 * float(x)) if x != "nan" else "      nan"
for k, rows in fail.items():
    for r in rows:
        print("%-11s %5s %s %s %5s %s %s  %s  %s" % (k, r[0], ms(r[1]), ms(r[2]), r[3], ms(r[4]),
              ms(r[5]), ms(r[6]), ms(r[7])))
PY
cp "$RES" /tmp/vrrp-many-results.txt
