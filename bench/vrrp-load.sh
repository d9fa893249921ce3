#!/usr/bin/env bash
# bench/vrrp-load.sh — spurious VRRP transitions under full CPU load,
# vigild and keepalived in the same run.
#
#   Two directors (m: priority 150, master; b: priority 100) on one bridge,
#   VRRPv3 at advert 0.05 s (Master_Down 0.18 s: a backup that misses
#   three adverts, or a master that cannot send them, flips). Once m holds
#   the address, stress-ng loads every core for SECS seconds while both
#   namespaces' address events are recorded (`ip monitor address`). Any
#   add or delete of the virtual address during the load is a spurious
#   transition. Cases: vigild as configured by default (realtime policy and
#   locked memory), vigild with vrrp_realtime = false and vrrp_mlock =
#   false, and keepalived 2.2.7 with its defaults.
#
# usage: bench/vrrp-load.sh [SECS]      (default 60; needs root, stress-ng)
set -u
SECS=${1:-60}
. "$(dirname "$0")/../tests/netns/lib.sh"
command -v stress-ng >/dev/null || skip "stress-ng not installed (apt-get install stress-ng)"
KA=/usr/sbin/keepalived
VIP=192.0.2.10
ns_add m; ns_add b; lan_add
lan_join m eth0 192.0.2.1/24
lan_join b eth0 192.0.2.2/24

conf_vigild() {  # NODE PRIO RT
  cat > "$T_DIR/$1.conf" <<CONF
global = { control_socket = "$T_DIR/$1.sock"; router_id = "$1"; vrrp_realtime = $3; vrrp_mlock = $3; };
vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = $2;
  version = 3; advert_interval = 0.05; addresses = [ "$VIP/24" ]; } ); };
CONF
}
conf_ka() {  # NODE PRIO
  cat > "$T_DIR/$1.ka.conf" <<CONF
global_defs { router_id $1; }
vrrp_instance VI_1 { state BACKUP
  interface eth0
  virtual_router_id 51
  priority $2
  advert_int 0.05
  version 3
  virtual_ipaddress { $VIP/24 } }
CONF
}
has_vip() { in_ns "$1" ip -o addr show dev eth0 | grep -q " $VIP/"; }

run_case() {  # NAME IMPL RT
  local name=$1 impl=$2 rt=${3:-true}
  for n in m b; do
    if [ "$impl" = vigild ]; then
      conf_vigild $n $([ $n = m ] && echo 150 || echo 100) "$rt"
      bg $n "$name-$n" "$VIGILD" -n -l -f "$T_DIR/$n.conf" -p "$T_DIR/$n.pid" --vrrp-only
    else
      conf_ka $n $([ $n = m ] && echo 150 || echo 100)
      bg $n "$name-$n" $KA -n -l -P -f "$T_DIR/$n.ka.conf" -p "$T_DIR/$n.kpid" -r "$T_DIR/$n.vpid"
    fi
  done
  wait_for 10 has_vip m || { log "$name: m never master"; return; }
  sleep 2   # settle: b has heard m
  for n in m b; do
    in_ns $n ip monitor address > "$T_DIR/mon-$name-$n.txt" 2>/dev/null &
    T_PIDS+=("$!")
  done
  sleep 0.5
  stress-ng --cpu "$(nproc)" --cpu-method matrixprod --timeout "${SECS}s" --quiet
  sleep 0.5
  local flips
  flips=$(cat "$T_DIR"/mon-$name-*.txt | grep -c " $VIP/")
  printf '%-34s %3d spurious address changes in %ss of full load\n' "$name" "$flips" "$SECS" \
    | tee -a "$T_DIR/results.txt"
  for pid in $(ip netns pids "$(ns_name m)") $(ip netns pids "$(ns_name b)"); do kill -TERM "$pid" 2>/dev/null; done
  sleep 1
  for n in m b; do in_ns $n ip addr del $VIP/24 dev eth0 2>/dev/null; done
}

run_case "vigild (realtime, mlock)" vigild true
run_case "vigild (no realtime, no mlock)" vigild false
[ -x $KA ] && run_case "keepalived 2.2.7 (defaults)" keepalived
echo "==== bench/vrrp-load: VRRPv3 advert 0.05 s, $(nproc) cores loaded by stress-ng for ${SECS}s"
cat "$T_DIR/results.txt"
