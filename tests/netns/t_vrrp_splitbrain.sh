#!/usr/bin/env bash
# Split brain: the bridge stops forwarding for d2's port (link and carrier
# stay up) -> both directors are master; forwarding again -> exactly one
# master (d1, 150) within one advert interval, and the winner sends
# gratuitous ARP again (seen on the bridge).
. "$(dirname "$0")/vrrp_lib.sh"
command -v tcpdump >/dev/null || skip "no tcpdump"
VIP=192.0.2.10
ns_add d1; ns_add d2; lan_add
lan_join d1 eth0 192.0.2.1/24
lan_join d2 eth0 192.0.2.2/24
for n in d1:150 d2:100; do
  vrrp_conf "${n%%:*}" "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = ${n##*:};
      version = 3; advert_interval = 1.0; addresses = [ \"$VIP/24\" ]; garp = { count = 3; }; }"
done
vigild_start d1 "$T_DIR/d1.conf"
vigild_start d2 "$T_DIR/d2.conf"
wait_for 6 is_state d1 VI_1 MASTER || fail "d1 not master"
wait_for 2 is_state d2 VI_1 BACKUP || fail "d2 not backup"

idx=$(in_ns d2 cat /sys/class/net/eth0/iflink)
port=$(ip -n "$(ns_name lan)" -o link | awk -F': ' -v i="$idx" '$1 == i { sub(/@.*/, "", $2); print $2 }')
[ -n "$port" ] || fail "cannot find d2's bridge port"
in_ns lan bridge link set dev "$port" state 0     # disabled: no forwarding, carrier up
wait_for 6 is_state d2 VI_1 MASTER || fail "d2 did not become master while cut off"
is_state d1 VI_1 MASTER || fail "d1 left MASTER"
has_addr d1 $VIP && has_addr d2 $VIP || fail "both should hold the address"
pass "split: both directors master"

d1mac=$(in_ns d1 cat /sys/class/net/eth0/address)
capture lan "$T_DIR/arp.txt" -i br0 -n -l -e arp
sleep 1
start=$(now_ms)
in_ns lan bridge link set dev "$port" state 3     # forwarding
wait_for 5 is_state d2 VI_1 BACKUP || fail "d2 still master after the split healed"
# When d2 yielded, by its own log (the poll's forks are slow under load).
yielded=$(log_ms "$T_DIR/vigild-d2.log" "VI_1: MASTER -> BACKUP") || fail "d2 logged no MASTER -> BACKUP"
took=$((yielded - start))
[ "$(masters VI_1 d1 d2)" = 1 ] || fail "not exactly one master"
is_state d1 VI_1 MASTER || fail "d1 is not the master"
[ $took -le 1500 ] || fail "healing took ${took} ms (one advert interval: 1000 ms, + 500)"
pass "healed: exactly one master (d1) after ${took} ms"
wait_for 3 grep -qi "$d1mac.*Request who-has $VIP tell $VIP" "$T_DIR/arp.txt" \
  || fail "no gratuitous ARP from d1 after the split: $(cat "$T_DIR/arp.txt")"
grep -q "re-announcing" "$T_DIR/vigild-d1.log" || fail "d1 did not log the re-announcement"
wait_for 2 no_addr d2 $VIP || fail "d2 kept the address"
pass "the winner re-sent gratuitous ARP"
