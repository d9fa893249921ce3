#!/usr/bin/env bash
# Where a vmac instance's frames come from, seen on the bridge (two vigild,
# a client):
#   X (VRID 61)  vmac = true: adverts from 00:00:5e:00:01:3d
#   Y (VRID 62)  xmit_base = true: adverts from the master's eth0 MAC
#   U (VRID 63)  unicast: adverts from eth0 (unicast forces xmit_base)
#   W (VRID 64)  IPv6, xmit_base: adverts from eth0's MAC and link-local
# and for all of them the gratuitous ARP / unsolicited NA from the virtual
# MAC, the address on the macvlan, the client's entry the virtual MAC, and
# a failover to the other director that keeps it.
. "$(dirname "$0")/vrrp_lib.sh"
command -v tcpdump >/dev/null || skip "no tcpdump"
ns_add a; ns_add b; ns_add c; lan_add
lan_join a eth0 192.0.2.1/24 2001:db8::1/64
lan_join b eth0 192.0.2.2/24 2001:db8::2/64
lan_join c eth0 192.0.2.3/24 2001:db8::3/64
MAC_A=$(in_ns a cat /sys/class/net/eth0/address)

inst() {  # NAME VRID PRIORITY ADDRESS EXTRA
  echo "{ name = \"$1\"; interface = \"eth0\"; vrid = $2; priority = $3; advert_interval = 0.2;
          addresses = [ \"$4\" ]; garp = { count = 2; }; $5 }"
}
conf() {  # NODE PRIORITY PEER
  vrrp_conf "$1" "$(inst X 61 "$2" 192.0.2.61/32 'vmac = true;'),
    $(inst Y 62 "$2" 192.0.2.62/32 'vmac = { xmit_base = true; };'),
    $(inst U 63 "$2" 192.0.2.63/32 "vmac = true; unicast = { peers = [ \"$3\" ]; };"),
    $(inst W 64 "$2" 2001:db8::64/128 'vmac = { xmit_base = true; };')"
}
conf a 150 192.0.2.2
conf b 100 192.0.2.1
tcp_reach() {
  in_ns c python3 -c 'import socket, sys
try:
    socket.create_connection((sys.argv[1], 9), timeout=1).close()
except ConnectionRefusedError:
    pass' "$1"
}
reach() {  # ADDR MAC WHEN
  wait_for 3 tcp_reach "$1" || fail "$3: client cannot reach $1"
  in_ns c ip neigh show "$1" dev eth0 | grep -q "lladdr $2" \
    || fail "$3: client's entry for $1: $(in_ns c ip neigh show "$1")"
}

capture lan "$T_DIR/br.txt" -i br0 -n -l -e -v 'ip proto 112 or arp or ip6 proto 112 or icmp6'
sleep 0.5
vigild_start a "$T_DIR/a.conf"; A=$VIGILD_PID
vigild_start b "$T_DIR/b.conf"; B=$VIGILD_PID
for i in X Y U W; do wait_for 8 is_state a $i MASTER || fail "a not master of $i"; done
for i in X Y U W; do wait_for 3 is_state b $i BACKUP || fail "b not backup of $i"; done
sleep 1
grep -q "00:00:5e:00:01:3d > 01:00:5e:00:00:12" "$T_DIR/br.txt" || fail "X: no advert from its virtual MAC"
grep -A1 "^.*$MAC_A > 01:00:5e:00:00:12" "$T_DIR/br.txt" | grep -q "vrid 62" || fail "Y: no advert from a's eth0"
grep "00:00:5e:00:01:3e > 01:00:5e:00:00:12" "$T_DIR/br.txt" && fail "Y: an advert from the virtual MAC"
grep -A1 "^.*$MAC_A > .*ethertype IPv4" "$T_DIR/br.txt" | grep -q "192.0.2.1 > 192.0.2.2: VRRPv3, Advertisement, vrid 63" \
  || fail "U: no unicast advert from a's eth0"
grep -q "$MAC_A > 33:33:00:00:00:12" "$T_DIR/br.txt" || fail "W: no advert from a's eth0"
grep -q "00:00:5e:00:02:40 > 33:33:00:00:00:12" "$T_DIR/br.txt" && fail "W: an advert from the virtual MAC"
for m in 3d 3e 3f; do
  grep -q "00:00:5e:00:01:$m > ff:ff:ff:ff:ff:ff, ethertype ARP" "$T_DIR/br.txt" \
    || fail "no gratuitous ARP from 00:00:5e:00:01:$m"
done
grep -q "00:00:5e:00:02:40 > 33:33:00:00:00:01.*neighbor advertisement" "$T_DIR/br.txt" \
  || fail "W: no unsolicited NA from its virtual MAC"
in_ns a ip -6 addr show dev vrrp.64 | grep -q fe80 && fail "W: a link-local address on the xmit_base vmac"
has_addr a 192.0.2.62 vrrp.62 || fail "Y: address not on a's vrrp.62"
has_addr a 192.0.2.63 vrrp.63 || fail "U: address not on a's vrrp.63"
has_addr a 2001:db8::64 vrrp.64 || fail "W: address not on a's vrrp.64"
reach 192.0.2.61 00:00:5e:00:01:3d "a master"
reach 192.0.2.62 00:00:5e:00:01:3e "a master"
reach 192.0.2.63 00:00:5e:00:01:3f "a master"
reach 2001:db8::64 00:00:5e:00:02:40 "a master"
pass "adverts from the virtual MAC (X) or eth0 (Y, U, W); announcements from the virtual MAC"

kill -TERM $A; wait $A 2>/dev/null
for i in X Y U W; do wait_for 3 is_state b $i MASTER || fail "b did not take $i over"; done
reach 192.0.2.61 00:00:5e:00:01:3d "b master"
reach 192.0.2.62 00:00:5e:00:01:3e "b master"
reach 192.0.2.63 00:00:5e:00:01:3f "b master"
reach 2001:db8::64 00:00:5e:00:02:40 "b master"
kill -TERM $B; wait $B 2>/dev/null
pass "failover to b: the client's entries unchanged"
