#!/usr/bin/env bash
# Unicast VRRP: adverts go to the configured peers from the configured
# source (nothing to 224.0.0.18); election, graceful stop and SIGKILL
# failover work as with multicast; a third node that is not a peer is
# rejected ("peer") and changes nothing.
. "$(dirname "$0")/vrrp_lib.sh"
command -v tcpdump >/dev/null || skip "no tcpdump"
INJ="python3 $VIGIL_SRC/tests/netns/vrrp_inject.py"
VIP=192.0.2.10
ns_add d1; ns_add d2; ns_add x; lan_add
lan_join d1 eth0 192.0.2.1/24
lan_join d2 eth0 192.0.2.2/24
lan_join x eth0 192.0.2.9/24
conf() {  # NODE PRIO SRC PEER
  vrrp_conf $1 "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = $2; version = 3;
      advert_interval = 0.5; addresses = [ \"$VIP/24\" ];
      unicast = { source = \"$3\"; peers = [ \"$4\" ]; }; }"
}
conf d1 150 192.0.2.1 192.0.2.2
conf d2 100 192.0.2.2 192.0.2.1
capture lan "$T_DIR/vrrp.txt" -i br0 -n -l 'ip proto 112'
vigild_start d1 "$T_DIR/d1.conf"; D1=$VIGILD_PID
vigild_start d2 "$T_DIR/d2.conf"
wait_for 5 is_state d1 VI_1 MASTER || fail "d1 not master"
wait_for 2 is_state d2 VI_1 BACKUP || fail "d2 not backup"
wait_for 3 grep -q "192.0.2.1 > 192.0.2.2: VRRP" "$T_DIR/vrrp.txt" || fail "no unicast adverts seen: $(head -3 "$T_DIR/vrrp.txt")"
grep -q "224.0.0.18" "$T_DIR/vrrp.txt" && fail "multicast adverts in unicast mode"
pass "unicast election: d1 master, adverts 192.0.2.1 > 192.0.2.2, none to 224.0.0.18"

in_ns x $INJ --src 192.0.2.9 --dst 192.0.2.2 --vrid 51 --prio 254 --addr $VIP --interval 0.5
wait_for 2 vis d2 VI_1 "i['rejected'].get('peer', 0)" 1 || fail "non-peer advert not counted"
is_state d2 VI_1 BACKUP || fail "a non-peer advert changed d2's state"
pass "advert from a non-peer rejected (peer) and ignored"

start=$(now_ms)
kill -TERM $D1
wait_for 2 has_addr d2 $VIP || fail "d2 did not take over after TERM"
pass "graceful stop: d2 master in $(( $(now_ms) - start )) ms"
vigild_start d1 "$T_DIR/d1.conf"
wait_for 4 is_state d1 VI_1 MASTER || fail "d1 did not preempt"
pids=$(node_pids d1)
start=$(now_ms)
vigild_crash d1 "$pids"
wait_for 3 has_addr d2 $VIP || fail "d2 did not take over after SIGKILL"
took=$(master_ms d2 VI_1 $start)
[ $took -le 2400 ] || fail "took $took ms (bound 3 x 0.5 + 0.3 = 1.8 s)"
pass "SIGKILL: d2 master in ${took} ms"
