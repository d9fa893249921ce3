#!/usr/bin/env bash
# Scale-out behind ECMP (issue 14): three directors, each vigild announcing
# 192.0.2.100 through its own FRR to a router that spreads flows over them
# (tests/vm/ecmp_lib.sh draws the bed: DR, mh, same real-server order).
# - all healthy: the router has 3 equal-cost paths, each director says
#   "announced healthy", the client's short requests all succeed;
# - d2 loses its real servers (its checks are refused): quorum lost, its
#   path is withdrawn within QUORUM_BOUND_MS; status and /metrics say why;
#   back once its checks pass;
# - every director runs both IPVS sync daemons (announce.ipvs_sync), and
#   each knows every connection, its own and the others' (by sync);
# - d3's vigild SIGKILLed: its path is withdrawn within KILL_BOUND_MS (the
#   kernel deletes vigil0 and the route); requests failed are counted;
#   HOLD long-lived connections opened before: every one that d1 or d2
#   carried still echoes, and >= 95 % of d3's (moved by the router to d1
#   or d2, which have them by sync); restarted, it is announced again only
#   after its own checks pass;
# - d1's vigild stopped (SIGTERM): withdrawn at once;
# - a reload keeps the announcement (no withdraw, no re-add).
# Bounds: the director side is a check interval (0.5 s) for quorum and
# nothing for a kill; FRR adds zebra -> bgpd -> UPDATE -> the router's
# zebra, measured at 0.5-0.7 s under TCG. The bounds below leave room for
# a loaded 2-core host running the VM without KVM.
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd ipvsadm python3 nft
[ -x /usr/lib/frr/bgpd ] || vm_skip "FRR not installed (apt-get install frr)"
. "$VIGIL_SRC/tests/vm/ecmp_lib.sh"
QUORUM_BOUND_MS=3000
KILL_BOUND_MS=2500
HOLD=60

ECMP_T=$(mktemp -d /tmp/ecmp.XXXXXX)
vm_on_exit rm -rf "$ECMP_T"
fail() {
  local i
  for i in 1 2 3; do
    echo "--- d$i"; tail -n 15 "$ECMP_T/d$i/vigild.log"; ip -n "d$i" route
    ip netns exec "d$i" ipvsadm -Ln
  done
  echo "--- rt"; ip -n rt route; ip netns exec rt vtysh -N rt -c "show bgp summary" 2>/dev/null
  ip netns exec d1 vtysh -N d1 -c "show ip route" 2>/dev/null | tail -n 6
  ip netns exec rt vtysh -N rt -c "show bgp ipv4 unicast" 2>/dev/null | tail -n 8
  grep -iE "bfd|down|up" /run/frr/rt/frr.log | tail -n 20
  vm_fail "$*"
}
ecmp_topology
for i in 1 2 3; do ecmp_vigild "$i"; done

took=$(ecmp_wait_paths 3 20) || fail "the router has $(ecmp_paths) paths, not 3"
vm_log "3 equal-cost paths at the router ($took ms after the last director started)"
ip -n rt route show "$ECMP_VIP"
for i in 1 2 3; do
  [ "$(ecmp_status "$i")" = "True healthy" ] || fail "d$i status: $(ecmp_status "$i")"
  [ "$(ip -n "d$i" route show "$ECMP_VIP/32" proto 77)" = "$ECMP_VIP dev vigil0 scope link " ] \
    || fail "d$i: no route proto 77 on vigil0"
done
t1=$(ip netns exec d1 ipvsadm -Sn); t2=$(ip netns exec d2 ipvsadm -Sn); t3=$(ip netns exec d3 ipvsadm -Sn)
[ "$t1" = "$t2" ] && [ "$t2" = "$t3" ] || fail "the directors' tables differ"
grep -q -- "-s mh" <<<"$t1" || fail "not mh: $t1"
ecmp_client 2 "$ECMP_T/c0"; wait "$ECMP_CLIENT_PID"
vm_log "all healthy: $(cat "$ECMP_T/c0")"
grep -q "fail=0 by=r1:[0-9]*,r2:[0-9]*,r3:[0-9]*$" "$ECMP_T/c0" || fail "client: $(cat "$ECMP_T/c0")"
vm_log "PASS: 3 paths, every director announced and healthy, identical mh tables"

# A reload that keeps the address keeps it announced: no withdrawal, no re-add.
changes() { "$VIGILCTL" -s "$ECMP_T/d2/vigil.sock" status --json | python3 -c \
  "import json,sys; print(json.load(sys.stdin)['announce']['addresses'][0]['changes'])"; }
before=$(changes)
kill -HUP "$VPID2"
vm_wait_for 10 grep -q "generation 2 loaded" "$ECMP_T/d2/vigild.log" || fail "d2 did not reload"
sleep 0.5
[ "$(changes)" = "$before" ] && ecmp_paths_are 3 || fail "the reload disturbed the announcement"
vm_log "PASS: a reload keeps the announcement"

# Quorum lost on d2: its checks are refused (DR traffic, to the VIP, passes).
ip netns exec d2 nft -f - <<'NFT'
table inet block {
  chain out {
    type filter hook output priority 0;
    ip daddr 198.51.100.0/24 tcp dport 80 reject with tcp reset
  }
}
NFT
took=$(ecmp_wait_paths 2 10) || fail "d2 still announced after quorum loss"
vm_log "quorum lost on d2: withdrawn at the router after $took ms (bound $QUORUM_BOUND_MS)"
[ "$took" -le $QUORUM_BOUND_MS ] || fail "quorum-loss withdrawal took $took ms"
[ "$(ecmp_status 2)" = "False quorum_lost" ] || fail "d2 status: $(ecmp_status 2)"
"$VIGILCTL" -s "$ECMP_T/d2/vigil.sock" status | grep -E "^  $ECMP_VIP .*withdrawn +quorum_lost .*alive weight 0 < quorum 2" \
  || fail "vigilctl status does not say why"
[ -z "$(ip -n d2 route show "$ECMP_VIP/32" proto 77)" ] || fail "d2 kept its route"
ip netns exec d2 nft delete table inet block
took=$(ecmp_wait_paths 3 10) || fail "d2 not announced again"
vm_log "d2's checks pass again: announced after $took ms"
vm_log "PASS: quorum loss withdraws, regained quorum announces"

# Both sync daemons on every director; HOLD long-lived connections, each
# known to every director once synced (the master flushes every 2 s).
for i in 1 2 3; do
  ds=$(ip netns exec "d$i" ipvsadm -L --daemon)
  grep -q "master sync daemon (mcast=eth0, syncid=14" <<<"$ds" &&
    grep -q "backup sync daemon (mcast=eth0, syncid=14" <<<"$ds" || fail "d$i sync daemons: $ds"
done
ecmp_hold "$HOLD" "$ECMP_T/hold"
vm_log "holder: $(cat "$ECMP_T/hold/ready")"
grep -q "^$HOLD established" "$ECMP_T/hold/ready" || fail "holder: $(cat "$ECMP_T/hold/ready")"
known() { ip netns exec "d$1" cat /proc/net/ip_vs_conn_sync | awk '$5 == "2328" && $8 == "ESTABLISHED"' | wc -l; }
all_known() { [ "$(known 1)" -ge $HOLD ] && [ "$(known 2)" -ge $HOLD ]; }
vm_wait_for 15 all_known || fail "d1 knows $(known 1), d2 $(known 2) of $HOLD connections"
ecmp_local_ports 3 9000 > "$ECMP_T/d3.ports"
vm_log "d3 scheduled $(wc -l < "$ECMP_T/d3.ports") of them; d1 knows $(known 1), d2 $(known 2), d3 $(known 3)"
[ -s "$ECMP_T/d3.ports" ] || fail "d3 carries none of the $HOLD connections"
vm_log "PASS: both sync daemons run; every director knows every connection"

# d3's vigild SIGKILLed under traffic.
ecmp_client 4 "$ECMP_T/c1"
sleep 1
kill -9 "$VPID3"; t0=$(ecmp_ms)
took=$(ecmp_wait_paths 2 10) || fail "d3 still announced after SIGKILL"
vm_log "d3's vigild SIGKILLed: withdrawn at the router after $took ms (bound $KILL_BOUND_MS)"
[ "$took" -le $KILL_BOUND_MS ] || fail "withdrawal after SIGKILL took $took ms"
! ip -n d3 link show vigil0 >/dev/null 2>&1 || fail "vigil0 outlived vigild"
[ -z "$(ip -n d3 route show proto 77)" ] || fail "d3's route outlived vigild"
wait "$ECMP_CLIENT_PID"
vm_log "requests across the kill: $(cat "$ECMP_T/c1")"
ecmp_probe "$ECMP_T/hold" 1
sv=$(ecmp_survival "$ECMP_T/hold" 1 "$ECMP_T/d3.ports")
vm_log "long-lived connections after d3's kill: $sv (ok/total: d3's, d1's and d2's)"
read -r dead others <<<"$sv"
dead=${dead#dead=}; others=${others#others=}
[ "${others%/*}" = "${others#*/}" ] || fail "connections of surviving directors broke: $sv"
[ $(( ${dead%/*} * 100 )) -ge $(( ${dead#*/} * 95 )) ] || fail "fewer than 95 % of d3's connections survived: $sv"
vm_log "PASS: long-lived connections survive the kill (all of d1's and d2's, $dead of d3's)"
# Back: announced only after its own checks pass (it adopts the kernel's
# table as up, but waits for its checker's verdicts).
sleep 0.5
ecmp_vigild 3; t0=$(ecmp_ms)
took=$(ecmp_wait_paths 3 20) || fail "d3 not announced again after restart"
vm_log "d3 restarted: announced after $took ms"
an=$(grep -n "announced" "$ECMP_T/d3/vigild.log" | tail -n 1 | cut -d: -f1)
up=$(grep -n "198.51.100.2[123]:80 UP" "$ECMP_T/d3/vigild.log" | tail -n 1 | cut -d: -f1)
[ -n "$up" ] && [ "$up" -lt "$an" ] || fail "d3 announced before its checks passed (lines: UP $up, announced $an)"
vm_log "PASS: SIGKILL withdraws; a restart announces after its checks"

# d1 stopped cleanly.
kill -TERM "$VPID1"; t0=$(ecmp_ms)
took=$(ecmp_wait_paths 2 10) || fail "d1 still announced after SIGTERM"
vm_log "d1's vigild stopped: withdrawn at the router after $took ms"
grep -q "withdrawn (stopping)" "$ECMP_T/d1/vigild.log" || fail "d1 did not log the withdrawal"
ecmp_client 2 "$ECMP_T/c2"; wait "$ECMP_CLIENT_PID"
vm_log "two directors left: $(cat "$ECMP_T/c2")"
grep -q "fail=0" "$ECMP_T/c2" || fail "requests failed with two directors: $(cat "$ECMP_T/c2")"
vm_log "PASS: a clean stop withdraws"
