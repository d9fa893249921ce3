#!/usr/bin/env bash
# bench/conns.sh, inside the VM: a director pair holds N TCP connections.
#
# The bed is tests/vm/faults_lib.sh's NAT pair (sync group of EXT, the VIP
# 192.0.2.10, and INT, the real servers' gateway; IPVS connection sync on
# eth1), with one service "hold" on VIP:7 over three real servers running
# tests/tools/conn-hold's echo server, and conn-hold's client in the client
# namespace opening N connections from five source addresses. Per case
# (FWD nat or dr; for dr each real server also sits on the client's LAN
# with the VIP on lo, arp_ignore 1 / arp_announce 2, and answers directly):
#   - time to establish N; failed ones;
#   - the counts as vigild shows them (status, /metrics) and as ipvsadm
#     -L -n (per destination) and -L -n -c (entries) shows them;
#   - slab ip_vs_conn (the kernel's connection entries, both directors),
#     vigild's processes' RSS and CPU over HOLD seconds of holding;
#   - the master's vigild SIGKILLed (its vrrp child releases the group),
#     then one byte sent on every held connection: the share echoed
#     through the new master.
# Cases ka-nat and ka-dr run the same with keepalived (one keepalived.conf
# per director, lvs_sync_daemon on eth1; no status page to compare).
# VIGIL_BENCH_ARGS: N CASES (default "100000 nat dr ka-nat"). Environment:
#   VIGIL_BENCH_CONN_TAB_BITS (ip_vs conn_tab_bits, default 18),
#   VIGIL_BENCH_SYNC_THRESHOLD (net.ipv4.vs.sync_threshold, default "2 50";
#   "kernel" leaves the kernel's), VIGIL_BENCH_HOLD (seconds, default 30).
set -euo pipefail
VM_TEST_NAME=conns
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd ipvsadm python3 curl
read -r N CASES <<< "${VIGIL_BENCH_ARGS:-100000 nat dr ka-nat}"
CASES=${CASES:-nat dr ka-nat}
BITS=${VIGIL_BENCH_CONN_TAB_BITS:-18}
THRESH=${VIGIL_BENCH_SYNC_THRESHOLD:-2 50}
HOLD=${VIGIL_BENCH_HOLD:-30}
HOLDER="$VIGIL_BUILD/tests/tools/conn-hold"
SRCS=192.0.2.100,192.0.2.101,192.0.2.102,192.0.2.103,192.0.2.104
modprobe ip_vs conn_tab_bits="$BITS"
modprobe ip_vs_rr
T0=${EPOCHREALTIME/./}
say() { printf 'conns| t+%ds %s\n' $(( (${EPOCHREALTIME/./} - T0) / 1000000 )) "$*"; }
say "N=$N cases: $CASES; conn_tab_bits=$BITS ($(( 1 << BITS )) buckets); sync_threshold: $THRESH; $(nproc) vCPUs, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB"

. "$VIGIL_SRC/tests/vm/faults_lib.sh"
FAULTS_RS_PORT=7
faults_rs_serve() {
  local i=${1#rs}
  ip netns exec "$1" sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
  if [ "$FWD" = dr ]; then
    ip -n "$1" addr add "$VIP/32" dev lo
    ip netns exec "$1" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
    faults_link "$1" eth1 brx "192.0.2.5$i/24"
  fi
  ip netns exec "$1" "$HOLDER" server 0.0.0.0 7 > "$T/$1.log" 2>&1 &
  vm_on_exit sh -c "kill $! 2>/dev/null || true"
}
faults_conf() {  # NODE PRIORITY
  local n=$1 p=$2 rs="" a
  for a in "${RS_ADDRS[@]}"; do
    rs+="{ address = \"$a\"; port = 7; checks = ( { type = \"tcp\"; interval = 2.0; timeout = 3.0; fall = 3; } ); },"
  done
  cat > "$T/$n.conf" <<CONF
global = { control_socket = "$T/$n.sock"; router_id = "$n"; script_user = "nobody";
  http = { listen = "127.0.0.1:9650"; }; };
virtual_servers = ( { name = "hold"; address = "$VIP"; port = 7; scheduler = "rr";
  forwarding = "$FWD"; real_servers = ( ${rs%,} ); } );
$(faults_vrrp "$p")
CONF
  "$VIGILD" -t -f "$T/$n.conf" > /dev/null || vm_fail "$n.conf refused"
}

ka_conf() {  # NODE PRIORITY: the same pair in keepalived's words
  local n=$1 p=$2 rs="" a kind=NAT
  [ "$FWD" = dr ] && kind=DR
  for a in "${RS_ADDRS[@]}"; do
    rs+="  real_server $a 7 {
    TCP_CHECK {
      connect_timeout 3
    }
  }
"
  done
  cat > "$T/$n.ka.conf" <<CONF
global_defs {
  router_id $n
  vrrp_version 3
  lvs_sync_daemon eth1 EXT id 51
}
vrrp_sync_group G1 {
  group {
    EXT
    INT
  }
}
vrrp_instance EXT {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority $p
  advert_int 0.5
  virtual_ipaddress {
    $VIP/24
  }
}
vrrp_instance INT {
  state BACKUP
  interface eth1
  virtual_router_id 52
  priority $p
  advert_int 0.5
  virtual_ipaddress {
    198.51.100.1/24
  }
}
virtual_server $VIP 7 {
  delay_loop 2
  lb_algo rr
  lb_kind $kind
  protocol TCP
$rs}
CONF
}
ka_start() {
  rm -f "$T/$1".?pid
  ip netns exec "$1" keepalived -n -l -D -f "$T/$1.ka.conf" -p "$T/$1.kpid" -r "$T/$1.vpid" \
    -c "$T/$1.cpid" >> "$T/$1.log" 2>&1 &
  printf -v "PID_$1" '%s' $!
  vm_on_exit sh -c "kill -9 $! 2>/dev/null || true"
}
holds_vip() { ip -n "$1" -o addr show | grep -q " $VIP/"; }

hv() { sed -n "s/^$1 //p" "$T/hold.out"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
# The ip_vs_conn cache; SLUB may merge it with others of its size (then
# /sys/kernel/slab/ip_vs_conn links to the merged cache, whose counts
# include the others': "before" tells them apart).
slab() {
  local d=/sys/kernel/slab/ip_vs_conn
  [ -e "$d" ] || { echo "no ip_vs_conn cache"; return; }
  printf '%s objects of %s bytes (cache %s)' "$(cut -d' ' -f1 "$d/objects")" "$(cat "$d/slab_size")" \
    "$(basename "$(readlink -f "$d")")"
}
sum_status() { vstatus d1 'sum(s["active_conns"] for v in r["virtual_servers"] for s in v["real_servers"])'; }
sum_metrics() {
  ip netns exec d1 curl -s -m 10 http://127.0.0.1:9650/metrics |
    awk '/^vigil_real_server_active_connections[{ ]/ { s += $NF } END { print s + 0 }'
}
sum_ipvsadm() { ip netns exec "$1" ipvsadm -Ln | awk '$1 == "->" && $2 != "RemoteAddress:Port" { s += $5 } END { print s + 0 }'; }
agree() { [ "$(sum_status)" = "$1" ] && [ "$(sum_metrics)" = "$1" ]; }

run_case() {   # CASE: nat, dr, ka-nat, ka-dr (keepalived); in a subshell of its own
  IMPL=vigild FWD=${1#ka-}
  [ "$FWD" = "$1" ] || IMPL=keepalived
  _VM_CLEANUPS=()
  trap _vm_run_cleanups EXIT
  say "== $IMPL, LVS-$FWD"
  faults_bed
  local n i
  for n in d1 d2; do
    [ "$THRESH" = kernel ] || ip netns exec "$n" sysctl -qw net.ipv4.vs.sync_threshold="$THRESH"
  done
  for i in 1 2 3 4; do ip -n client addr add "192.0.2.10$i/24" dev eth0; done
  ip netns exec client sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
  if [ "$IMPL" = vigild ]; then
    faults_start d1
    vm_wait_for 30 is_gstate d1 MASTER || vm_fail "d1 not MASTER"
    faults_start d2
    vm_wait_for 30 is_gstate d2 BACKUP || vm_fail "d2 not BACKUP"
  else
    ka_conf d1 150; ka_conf d2 100
    ka_start d1
    vm_wait_for 30 holds_vip d1 || vm_fail "keepalived d1 did not take the VIP"
    ka_start d2
  fi
  three() { [ "$(ip netns exec "$1" ipvsadm -Ln | awk '$1 == "->" && $4 == 1' | wc -l)" = 3 ]; }
  vm_wait_for 30 three d1 || vm_fail "d1: three real servers expected"
  vm_wait_for 30 three d2 || vm_fail "d2: three real servers expected"
  vm_wait_for 15 is_sync d1 master || vm_fail "d1: no master sync daemon"
  vm_wait_for 15 is_sync d2 backup || vm_fail "d2: no backup sync daemon"

  local t0 t1 slab0
  slab0=$(slab)
  t0=${EPOCHREALTIME/./}
  ip netns exec client "$HOLDER" client -n "$N" -s "$SRCS" -p 2000 -w 60 -o "$T/hold.out" "$VIP" 7 \
    > "$T/client.log" 2>&1 &
  local cpid=$!
  vm_on_exit sh -c "kill $cpid 2>/dev/null || true"
  done_connecting() { [ -s "$T/hold.out" ] && [ "$(hv connecting)" = 0 ] && [ "$(hv started)" = "$N" ]; }
  VM_WAIT_INTERVAL=1 vm_wait_for 900 done_connecting || say "still connecting after 900 s: $(tr '\n' ' ' < "$T/hold.out")"
  t1=${EPOCHREALTIME/./}
  local est; est=$(hv established)
  say "established $est of $N in $(( (t1 - t0) / 1000 )) ms ($(( est * 1000000 / (t1 - t0 + 1) )) per s), failed $(hv failed)"

  # The kernel's counters are folded every 2 s; vigild's pages read them on request.
  local shown="(keepalived: no status page)"
  if [ "$IMPL" = vigild ]; then
    VM_WAIT_INTERVAL=1 vm_wait_for 20 agree "$(sum_ipvsadm d1)" || true
    shown="vigild status $(sum_status), /metrics $(sum_metrics)"
  fi
  say "active connections: ipvsadm -L -n $(sum_ipvsadm d1), $shown;" \
      "ipvsadm -L -n -c: $(ip netns exec d1 ipvsadm -Lnc | grep -c ESTABLISHED) ESTABLISHED entries on d1"
  say "per real server (ipvsadm): $(ip netns exec d1 ipvsadm -Ln | awk '$1 == "->" && $2 != "RemoteAddress:Port" { printf "%s %s  ", $2, $5 }')"
  say "d2 (backup) has $(ip netns exec d2 ipvsadm -Lnc | grep -c ESTABLISHED) synced ESTABLISHED entries"
  say "slab ip_vs_conn (both directors): before $slab0; holding $(slab)"

  local parent=$PID_d1 checker vrrp a0 b0 c0 a1 b1 c1 hz
  hz=$(getconf CLK_TCK)
  if [ "$IMPL" = vigild ]; then
    child_pid d1 checker; checker=$CHILD
    child_pid d1 vrrp; vrrp=$CHILD
  else
    checker=$(cat "$T/d1.cpid"); vrrp=$(cat "$T/d1.vpid")
  fi
  a0=$(ticks "$parent"); b0=$(ticks "$checker"); c0=$(ticks "$vrrp")
  sleep "$HOLD"
  a1=$(ticks "$parent"); b1=$(ticks "$checker"); c1=$(ticks "$vrrp")
  say "over ${HOLD} s of holding, CPU: parent $(( (a1 - a0) * 1000 / hz )) ms, checker $(( (b1 - b0) * 1000 / hz )) ms, vrrp $(( (c1 - c0) * 1000 / hz )) ms;" \
      "RSS: parent $(rss_kb "$parent") KiB, checker $(rss_kb "$checker") KiB, vrrp $(rss_kb "$vrrp") KiB"
  say "held after ${HOLD} s: $(hv established), broken $(hv broken)"

  # Control round, before any failover: one byte on every held connection
  # through the master. What fails here fails for a reason of the bed's
  # (a connection the client counts but its real server never accepted),
  # not of the failover.
  local rs_tcp=0
  for i in 1 2 3; do
    rs_tcp=$(( rs_tcp + $(ip netns exec "rs$i" awk '$1 == "TCP:" { print $3 - 1 }' /proc/net/sockstat) ))
  done
  kill -USR1 "$cpid"
  probed() { [ "$(hv probes)" = "$1" ] && [ "$(hv probe_done)" = 1 ]; }
  VM_WAIT_INTERVAL=1 vm_wait_for 180 probed 1 || say "the control round did not end: $(tr '\n' ' ' < "$T/hold.out")"
  say "real servers' TCP sockets in use (listeners not counted): $rs_tcp; control round through d1: $(hv probe_ok) of $(hv probe_sent) echoed, errors $(hv probe_err); held now $(hv established)"
  est=$(hv established)
  # The backup's entries as its per-destination counters show them (cheap,
  # unlike a listing), and the first few with their time left to expire.
  say "d2 before the kill: active connections $(sum_ipvsadm d2); first entries: $(ip netns exec d2 head -4 /proc/net/ip_vs_conn | tail -3 | awk '{ printf "%s %s %s; ", $6, $8, $9 }')"
  kill -KILL "$PID_d1"
  vm_wait_for 10 holds_vip d2 || vm_fail "d2 did not take over"
  vm_wait_for 15 is_sync d2 master || vm_fail "d2: no master sync daemon"
  say "d2 holds the VIP and runs the master sync daemon; its active connections $(sum_ipvsadm d2)"
  kill -USR1 "$cpid"
  VM_WAIT_INTERVAL=1 vm_wait_for 180 probed 2 || say "the probe round did not end: $(tr '\n' ' ' < "$T/hold.out")"
  local ok; ok=$(hv probe_ok)
  say "master's $IMPL SIGKILLed; d2 holds the VIP; one byte on each of the $est held connections:" \
      "$ok echoed through d2 ($(( ok * 1000 / (est > 0 ? est : 1) )) per mille), errors $(hv probe_err), sent $(hv probe_sent)"
  say "after the probe: d2 active connections $(sum_ipvsadm d2), per real server: $(ip netns exec d2 ipvsadm -Ln | awk '$1 == "->" && $2 != "RemoteAddress:Port" { printf "%s %s/%s  ", $2, $5, $6 }')"
  kill "$cpid" 2>/dev/null || true
  FAULTS_PASSED=1
}

for c in $CASES; do
  ( run_case "$c" ) || say "case $c failed"
done
