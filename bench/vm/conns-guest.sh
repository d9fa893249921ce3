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
#     -L -n sums them per destination, on the master while holding;
#   - slab ip_vs_conn (the kernel's connection entries, both directors),
#     vigild's processes' RSS and CPU over HOLD seconds of holding;
#   - a control round: one byte sent on every held connection through the
#     master, the share echoed (what fails here is the bed's doing);
#   - the master's vigild SIGKILLed (its vrrp child releases the group),
#     then a second round: the share echoed through the new master;
#   - around each round, the seconds left before the directors' entries
#     expire (a sample, see expiry) and the counters of drops, resets and
#     retransmissions of every namespace (nstat) and of the backlog;
#   - after the rounds, ipvsadm -L -n -c on the new master against its
#     per-destination counts and vigild's status there.
# The full listing comes last because it is slow: each read of
# /proc/net/ip_vs_conn walks the table from its start, so listing 100,000
# entries takes 3 to 3.5 minutes under TCG, while the idle entries age
# towards their ESTABLISHED timeout (900 s); an entry that expired before
# its round would make the director's own stack answer the next segment
# with a reset (nothing listens on VIP:7).
# Cases ka-nat and ka-dr run the same with keepalived (one keepalived.conf
# per director, lvs_sync_daemon on eth1; no status page to compare).
# VIGIL_BENCH_ARGS: N CASES (default "100000 nat dr ka-nat"). Environment:
#   VIGIL_BENCH_CONN_TAB_BITS (ip_vs conn_tab_bits, default 18),
#   VIGIL_BENCH_SYNC_THRESHOLD (net.ipv4.vs.sync_threshold, default "2 50";
#   "kernel" leaves the kernel's), VIGIL_BENCH_HOLD (seconds, default 30),
#   VIGIL_BENCH_PROBE_RATE (bytes sent a second in a round, default 1000;
#   0 sends them all at once: 100,000 one-byte segments in a burst overflow
#   the backlog of the veth path under TCG, and the retransmissions that
#   cannot leave end with connections aborted on timeout).
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
RATE=${VIGIL_BENCH_PROBE_RATE:-1000}
HOLDER="$VIGIL_BUILD/tests/tools/conn-hold"
SRCS=192.0.2.100,192.0.2.101,192.0.2.102,192.0.2.103,192.0.2.104
modprobe ip_vs conn_tab_bits="$BITS"
modprobe ip_vs_rr
T0=${EPOCHREALTIME/./}
say() { printf 'conns| t+%ds %s\n' $(( (${EPOCHREALTIME/./} - T0) / 1000000 )) "$*"; }
say "N=$N cases: $CASES; conn_tab_bits=$BITS ($(( 1 << BITS )) buckets); sync_threshold: $THRESH; probe rate ${RATE}/s (0: all at once); $(nproc) vCPUs, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB"

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
sum_status() { vstatus "$1" 'sum(s["active_conns"] for v in r["virtual_servers"] for s in v["real_servers"])'; }
sum_metrics() {
  ip netns exec "$1" curl -s -m 10 http://127.0.0.1:9650/metrics |
    awk '/^vigil_real_server_active_connections[{ ]/ { s += $NF } END { print s + 0 }'
}
sum_ipvsadm() { ip netns exec "$1" ipvsadm -Ln | awk '$1 == "->" && $2 != "RemoteAddress:Port" { s += $5 } END { print s + 0 }'; }
agree() { [ "$(sum_status "$1")" = "$2" ] && [ "$(sum_metrics "$1")" = "$2" ]; }
# expiry NODE: min-max seconds left before the ESTABLISHED entries at the
# head of NODE's connection table expire. Entries hash at random, so the
# first few hundred are a sample of the whole set-up and the minimum is
# about the oldest's. (A full listing is no way to look: each read of
# /proc/net/ip_vs_conn walks the table from its first bucket, so
# `ipvsadm -L -n -c` of 100,000 entries takes minutes under TCG.)
expiry() {
  ip netns exec "$1" head -c 49152 /proc/net/ip_vs_conn | sed '$d' |
    awk '$8 == "ESTABLISHED" { if (!n++ || $9 < lo) lo = $9; if ($9 > hi) hi = $9 }
         END { printf "%s-%s s (%d sampled)", lo, hi, n }'
}
# nstat_snap TAG: every namespace's TCP/IP counters, and the per-CPU
# backlog drops and squeezes of /proc/net/softnet_stat (not per namespace).
NSS="client d1 d2 rs1 rs2 rs3"
nstat_snap() {
  local ns d=0 q=0 a b c
  for ns in $NSS; do
    ip netns exec "$ns" nstat -asz 2>/dev/null | awk 'NR > 1 { print $1, $2 }' > "$T/nstat.$1.$ns"
  done
  while read -r a b c _; do d=$((d + 0x$b)); q=$((q + 0x$c)); done < /proc/net/softnet_stat
  echo "$d $q" > "$T/softnet.$1"
}
# nstat_delta A B: per namespace, the counters of drops, resets, aborts
# and retransmissions that moved from snapshot A to B.
nstat_delta() {
  local ns line d0 q0 d1 q1
  for ns in $NSS; do
    line=$(awk 'NR == FNR { a[$1] = $2; next }
      $1 !~ /^(Ip6|Icmp6|Udp)/ && $2 != a[$1] &&
      $1 ~ /Rst|Reset|Abort|Drop|Overflow|Prune|Discard|Err|Fail|Pressure|Retrans|Timeout|Cookie|Challenge|NoRoute|Collapse/ {
        printf "%s %d  ", $1, $2 - a[$1] }' "$T/nstat.$1.$ns" "$T/nstat.$2.$ns")
    say "  counters $1 -> $2, $ns: ${line:-none moved}"
  done
  read -r d0 q0 < "$T/softnet.$1"; read -r d1 q1 < "$T/softnet.$2"
  say "  counters $1 -> $2, softnet (all CPUs): backlog drops $((d1 - d0)), squeezed $((q1 - q0))"
}

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

  local t0 t1 slab0 tmo dm0
  slab0=$(slab)
  dm0=$(dmesg | wc -l)
  tmo=$(ip netns exec d1 ipvsadm -L --timeout | awk '/^Timeout/ { print $(NF - 2) }')
  t0=${EPOCHREALTIME/./}
  age() { echo $(( (${EPOCHREALTIME/./} - t0) / 1000000 )); }
  ip netns exec client "$HOLDER" client -n "$N" -s "$SRCS" -p 2000 -w 60 -r "$RATE" -o "$T/hold.out" "$VIP" 7 \
    > "$T/client.log" 2>&1 &
  local cpid=$!
  vm_on_exit sh -c "kill $cpid 2>/dev/null || true"
  done_connecting() { [ -s "$T/hold.out" ] && [ "$(hv connecting)" = 0 ] && [ "$(hv started)" = "$N" ]; }
  VM_WAIT_INTERVAL=1 vm_wait_for 900 done_connecting || say "still connecting after 900 s: $(tr '\n' ' ' < "$T/hold.out")"
  t1=${EPOCHREALTIME/./}
  local est; est=$(hv established)
  say "established $est of $N in $(( (t1 - t0) / 1000 )) ms ($(( est * 1000000 / (t1 - t0 + 1) )) per s), failed $(hv failed)"

  # The kernel's counters are folded every 2 s; vigild's pages read them on
  # request. ipvsadm -L -n -c is read once, after the rounds (see expiry).
  local shown="(keepalived: no status page)"
  if [ "$IMPL" = vigild ]; then
    VM_WAIT_INTERVAL=1 vm_wait_for 20 agree d1 "$(sum_ipvsadm d1)" || true
    shown="vigild status $(sum_status d1), /metrics $(sum_metrics d1)"
  fi
  say "active connections on d1: ipvsadm -L -n $(sum_ipvsadm d1), $shown"
  say "per real server (ipvsadm): $(ip netns exec d1 ipvsadm -Ln | awk '$1 == "->" && $2 != "RemoteAddress:Port" { printf "%s %s  ", $2, $5 }')"
  say "d2 (backup): active connections $(sum_ipvsadm d2) (its synced entries)"
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
  # through the master. What fails here fails for a reason of the bed's,
  # not of the failover; the counters say who reset or dropped what.
  local rs_tcp=0 pwait=$(( 120 + (RATE > 0 ? N / RATE : 0) ))
  for i in 1 2 3; do
    rs_tcp=$(( rs_tcp + $(ip netns exec "rs$i" awk '$1 == "TCP:" { print $3 - 1 }' /proc/net/sockstat) ))
  done
  say "control round: the oldest connection opened $(age) s ago and idle since (IPVS ESTABLISHED timeout $tmo s);" \
      "time left on d1's entries $(expiry d1), on d2's $(expiry d2)"
  nstat_snap c0
  kill -USR1 "$cpid"
  probed() { [ "$(hv probes)" = "$1" ] && [ "$(hv probe_done)" = 1 ]; }
  VM_WAIT_INTERVAL=1 vm_wait_for "$pwait" probed 1 || say "the control round did not end: $(tr '\n' ' ' < "$T/hold.out")"
  nstat_snap c1
  say "real servers' TCP sockets in use (listeners not counted): $rs_tcp; control round through d1: $(hv probe_ok) of $(hv probe_sent) echoed, errors $(hv probe_err); held now $(hv established)"
  nstat_delta c0 c1
  est=$(hv established)
  say "d2 before the kill: active connections $(sum_ipvsadm d2); time left on its entries $(expiry d2)"
  kill -KILL "$PID_d1"
  vm_wait_for 10 holds_vip d2 || vm_fail "d2 did not take over"
  vm_wait_for 15 is_sync d2 master || vm_fail "d2: no master sync daemon"
  say "d2 holds the VIP and runs the master sync daemon; its active connections $(sum_ipvsadm d2)"
  nstat_snap f0
  kill -USR1 "$cpid"
  VM_WAIT_INTERVAL=1 vm_wait_for "$pwait" probed 2 || say "the probe round did not end: $(tr '\n' ' ' < "$T/hold.out")"
  nstat_snap f1
  local ok; ok=$(hv probe_ok)
  say "master's $IMPL SIGKILLed; d2 holds the VIP; one byte on each of the $est held connections:" \
      "$ok echoed through d2 ($(( ok * 1000 / (est > 0 ? est : 1) )) per mille), errors $(hv probe_err), sent $(hv probe_sent)"
  nstat_delta f0 f1
  say "after the probe: d2 active connections $(sum_ipvsadm d2), per real server: $(ip netns exec d2 ipvsadm -Ln | awk '$1 == "->" && $2 != "RemoteAddress:Port" { printf "%s %s/%s  ", $2, $5, $6 }')"

  # The rounds are over: now the full listing, on the new master, against
  # its per-destination counts (and vigild's status and /metrics there).
  local l0 lc
  l0=${EPOCHREALTIME/./}
  lc=$(ip netns exec d2 ipvsadm -Lnc | grep -c ESTABLISHED || true)
  shown="(keepalived: no status page)"
  [ "$IMPL" = vigild ] && shown="vigild status $(sum_status d2), /metrics $(sum_metrics d2)"
  say "on d2: ipvsadm -L -n -c $lc ESTABLISHED entries (the listing took $(( (${EPOCHREALTIME/./} - l0) / 1000000 )) s);" \
      "ipvsadm -L -n $(sum_ipvsadm d2), $shown"
  kill "$cpid" 2>/dev/null || true
  say "kernel messages of the case: $(dmesg | tail -n +$((dm0 + 1)) | grep -iE 'tcp|ipvs|conntrack|memory|dropp' | tail -n 5 | tr '\n' ';')"
  FAULTS_PASSED=1
}

for c in $CASES; do
  ( run_case "$c" ) || say "case $c failed"
done
