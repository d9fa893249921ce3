#!/usr/bin/env bash
# VRRP v3 over IPv6: adverts from the link-local address to ff02::12 with
# hop limit 255; the master holds 2001:db8::10 and announces it with
# unsolicited neighbour advertisements (hop limit 255, override, target
# link-layer address) seen on the bridge; graceful stop and SIGKILL
# failover.
. "$(dirname "$0")/vrrp_lib.sh"
command -v tcpdump >/dev/null || skip "no tcpdump"
VIP=2001:db8::10
ns_add d1; ns_add d2; lan_add
lan_join d1 eth0 2001:db8::1/64
lan_join d2 eth0 2001:db8::2/64
for n in d1:150 d2:100; do
  vrrp_conf "${n%%:*}" "{ name = \"VI_6\"; interface = \"eth0\"; vrid = 61; priority = ${n##*:};
      version = 3; advert_interval = 0.5; addresses = [ \"$VIP/64\" ]; garp = { count = 2; }; }"
done
capture lan "$T_DIR/v6.txt" -i br0 -n -l -v -e icmp6 or ip6 proto 112
sleep 0.5
vigild_start d1 "$T_DIR/d1.conf"; D1=$VIGILD_PID
vigild_start d2 "$T_DIR/d2.conf"
wait_for 8 is_state d1 VI_6 MASTER || fail "d1 not master"
wait_for 3 is_state d2 VI_6 BACKUP || fail "d2 not backup"
wait_for 3 has_addr d1 $VIP || fail "d1 lacks $VIP"
no_addr d2 $VIP || fail "d2 holds $VIP as backup"
vjson d2 VI_6
master=$(json_get 'r["instances"][0]["master"]["address"]' < "$T_DIR/d2.vrrp.json")
case "$master" in fe80:*) ;; *) fail "d2 sees master $master, expected d1's link-local";; esac
wait_for 2 grep -q "ff02::12: .*VRRPv3" "$T_DIR/v6.txt" || fail "no VRRPv3 adverts to ff02::12 seen"
grep -E "fe80.* > ff02::12" -B1 "$T_DIR/v6.txt" | grep -q "hlim 255" || fail "adverts not sent with hop limit 255"
pass "IPv6 election: d1 master from $master, adverts to ff02::12 with hop limit 255"

d2mac=$(in_ns d2 cat /sys/class/net/eth0/address)
start=$(now_ms)
kill -TERM $D1
wait_for 3 has_addr d2 $VIP || fail "d2 did not take over $VIP after TERM"
took=$(( $(now_ms) - start ))
wait_for 3 grep -q "neighbor advertisement.*tgt is $VIP" "$T_DIR/v6.txt" || fail "no unsolicited NA seen"
grep -B1 "neighbor advertisement.*tgt is $VIP" "$T_DIR/v6.txt" | grep -q "hlim 255" || fail "NA hop limit not 255"
na_mac() { grep -A3 "neighbor advertisement.*tgt is $VIP" "$T_DIR/v6.txt" | grep -qi "$d2mac"; }
wait_for 2 na_mac || fail "NA lacks d2 link-layer address: $(grep -A3 "tgt is $VIP" "$T_DIR/v6.txt" | head -8)"
grep -A1 "neighbor advertisement.*tgt is $VIP" "$T_DIR/v6.txt" | grep -q "Flags \[override\]" || fail "NA without the override flag"
wait_for 2 no_addr d1 $VIP || fail "d1 kept the address"
pass "TERM: d2 master in ${took} ms; unsolicited NA for $VIP from $d2mac, hop limit 255, override"

vigild_start d1 "$T_DIR/d1.conf"
wait_for 5 is_state d1 VI_6 MASTER || fail "d1 did not preempt"
pids=$(node_pids d1)
start=$(now_ms)
vigild_crash d1 "$pids"
wait_for 3 has_addr d2 $VIP || fail "d2 did not take over after SIGKILL"
took=$(master_ms d2 VI_6 $start)
[ $took -le 2400 ] || fail "took $took ms (bound 3 x 0.5 + 0.3 = 1.8 s)"
pass "SIGKILL: d2 holds $VIP after ${took} ms"
