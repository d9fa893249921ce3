#!/usr/bin/env bash
# Strict mode over IPv6 (v3): VI_6 (fe80::10 first, as RFC 5798 §5.2.9
# wants, and 2001:db8::10) without accept, VI_6A (2001:db8::20) with
# accept; a master, b backup. A client connects to ::20 but not ::10,
# and still resolves ::10 to the master's MAC: neighbour discovery for a
# dropped address passes both ways (the solicited advertisement comes
# from the address itself). Failover to b: the same there.
. "$(dirname "$0")/vrrp_lib.sh"
V1=2001:db8::10; V2=2001:db8::20
ns_add a; ns_add b; ns_add c; lan_add
lan_join a eth0 2001:db8::1/64
lan_join b eth0 2001:db8::2/64
lan_join c eth0 2001:db8::100/64
for n in a:150 b:100; do
  vrrp_conf "${n%%:*}" "
    { name = \"VI_6\"; interface = \"eth0\"; vrid = 61; priority = ${n##*:}; advert_interval = 0.5;
      addresses = [ \"fe80::10/64\", \"$V1/64\" ]; },
    { name = \"VI_6A\"; interface = \"eth0\"; vrid = 62; priority = ${n##*:}; advert_interval = 0.5;
      accept = true; addresses = [ \"fe80::20/64\", \"$V2/64\" ]; }"
  sed -i 's/^global = {/global = { vrrp_strict = true;/' "$T_DIR/${n%%:*}.conf"
  bg ${n%%:*} srv-${n%%:*} python3 -c "
import socket
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('::', 8080)); s.listen(16)
while True: s.accept()[0].close()"
done
connects() {
  in_ns c python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET6); s.settimeout(1); s.connect((sys.argv[1], 8080))" "$1" 2>/dev/null
}
nd_is() { in_ns c ip -6 neigh show "$1" dev eth0 | grep -q "lladdr $2"; }

vigild_start a "$T_DIR/a.conf"; A=$VIGILD_PID
vigild_start b "$T_DIR/b.conf"
wait_for 5 is_state a VI_6 MASTER || fail "a not master"
wait_for 3 is_state a VI_6A MASTER || fail "a not master of VI_6A"
wait_for 3 is_state b VI_6 BACKUP || fail "b not backup"
wait_for 3 has_addr a $V1 || fail "a lacks $V1"
wait_for 3 connects $V2 || fail "master with accept: cannot connect to $V2"
connects $V1 && fail "master without accept: connected to $V1"
nd_is $V1 "$(in_ns a cat /sys/class/net/eth0/address)" || fail "no neighbour entry for $V1 (ND dropped?)"
sleep 1
is_state b VI_6 BACKUP || fail "b left BACKUP"
pass "master: $V2 connects, $V1 dropped, $V1 resolved by ND, VRRP passes"

kill -TERM $A; wait $A 2>/dev/null
wait_for 3 is_state b VI_6 MASTER || fail "b did not take over"
wait_for 3 has_addr b $V1 || fail "b lacks $V1"
in_ns c ip -6 neigh flush dev eth0
wait_for 3 connects $V2 || fail "b with accept: cannot connect to $V2"
connects $V1 && fail "b without accept: connected to $V1"
nd_is $V1 "$(in_ns b cat /sys/class/net/eth0/address)" || fail "b: no neighbour entry for $V1"
in_ns a nft list table inet vigil >/dev/null 2>&1 && fail "a: table left after stop"
pass "failover: b drops $V1, takes $V2, answers ND; a's table removed"
