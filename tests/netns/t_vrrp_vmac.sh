#!/usr/bin/env bash
# Virtual MAC (RFC 5798 §7.3), vigild against vigild, an IPv4 instance
# (VRID 51) and an IPv6 one (VRID 52) with `vmac = true` on both directors:
#   - each director has vrrp.51 / vrrp.52, macvlans in private mode on eth0
#     with 00:00:5e:00:01:33 / 00:00:5e:00:02:34; the addresses are on the
#     master's only; eth0 gets arp_ignore=1 and arp_filter=1;
#   - a client's neighbour table holds the virtual MACs for both addresses,
#     and after a failover (TERM of the master) it reaches both addresses
#     through the same entries (no ARP or NA change needed), as the bridge
#     learnt the new port from the announcements;
#   - a stopped vigild leaves no macvlan and eth0's settings as they were;
#   - after SIGKILL and a restart there is exactly one macvlan per
#     instance (the leftover is adopted) and the client still reaches it;
#     the restarted vigild learns from the leftover's alias what eth0's
#     settings were, and puts those back when it stops;
#   - a master's vmac deleted by hand is made again, with its address;
#   - a reload that drops an instance's vmac removes that macvlan only;
#   - an interface of the vmac's name that is not a macvlan is left alone
#     and the instance is in FAULT.
. "$(dirname "$0")/vrrp_lib.sh"
VIP=192.0.2.10
VIP6=2001:db8::10
MAC4=00:00:5e:00:01:33
MAC6=00:00:5e:00:02:34
ns_add a; ns_add b; ns_add c; lan_add
lan_join a eth0 192.0.2.1/24 2001:db8::1/64
lan_join b eth0 192.0.2.2/24 2001:db8::2/64
lan_join c eth0 192.0.2.3/24 2001:db8::3/64

# Advert 0.5 s: a master whose vmac is deleted is off the air until it is
# made again, which must stay within the backup's Master_Down_Interval
# (1.6 s) also in the sanitizer build on a busy host.
inst() {  # NAME VRID PRIORITY ADDRESS
  echo "{ name = \"$1\"; interface = \"eth0\"; vrid = $2; priority = $3; advert_interval = 0.5;
          addresses = [ \"$4\" ]; vmac = true; garp = { count = 2; }; }"
}
for n in a:150 b:100; do
  vrrp_conf "${n%%:*}" "$(inst V4 51 "${n##*:}" $VIP/24), $(inst V6 52 "${n##*:}" $VIP6/64)"
done

sysctl_of() { in_ns "$1" cat "/proc/sys/net/ipv4/conf/$2/$3"; }
macvlans() { in_ns "$1" ip -o link show type macvlan | wc -l; }
# neigh_is ADDR MAC: the client's entry for ADDR has MAC
neigh_is() { in_ns c ip neigh show "$1" dev eth0 | grep -q "lladdr $2"; }
# tcp_reach ADDR: a TCP connection to port 9 is answered (refused is an answer)
tcp_reach() {
  in_ns c python3 -c 'import socket, sys
try:
    socket.create_connection((sys.argv[1], 9), timeout=1).close()
except ConnectionRefusedError:
    pass' "$1"
}
reach() {  # the client reaches both addresses, through the virtual MACs
  wait_for 3 tcp_reach $VIP || fail "$1: client cannot reach $VIP"
  wait_for 3 tcp_reach $VIP6 || fail "$1: client cannot reach $VIP6"
  neigh_is $VIP $MAC4 || fail "$1: client's entry for $VIP: $(in_ns c ip neigh show $VIP)"
  neigh_is $VIP6 $MAC6 || fail "$1: client's entry for $VIP6: $(in_ns c ip neigh show $VIP6)"
}

in_ns a sysctl -qw net.ipv4.conf.eth0.arp_ignore=0 net.ipv4.conf.eth0.arp_filter=0 \
  net.ipv4.conf.eth0.arp_announce=0
vigild_start a "$T_DIR/a.conf"; A=$VIGILD_PID
vigild_start b "$T_DIR/b.conf"; B=$VIGILD_PID
wait_for 6 is_state a V4 MASTER || fail "a not master of V4"
wait_for 6 is_state a V6 MASTER || fail "a not master of V6"
wait_for 3 is_state b V4 BACKUP || fail "b not backup"
for n in a b; do
  in_ns $n ip -d link show vrrp.51 | grep -q "macvlan mode private" || fail "$n: vrrp.51 not a private macvlan"
  in_ns $n ip -d link show vrrp.51 | grep -q "link/ether $MAC4" || fail "$n: vrrp.51 without $MAC4"
  in_ns $n ip -d link show vrrp.52 | grep -q "link/ether $MAC6" || fail "$n: vrrp.52 without $MAC6"
  in_ns $n ip -o link show vrrp.51 | grep -q "vrrp.51@eth0" || fail "$n: vrrp.51 not on eth0"
done
wait_for 2 has_addr a $VIP vrrp.51 || fail "a: $VIP not on vrrp.51"
wait_for 2 has_addr a $VIP6 vrrp.52 || fail "a: $VIP6 not on vrrp.52"
no_addr a $VIP eth0 || fail "a: $VIP on eth0"
no_addr b $VIP vrrp.51 || fail "b (backup) holds $VIP"
[ "$(sysctl_of a eth0 arp_ignore)$(sysctl_of a eth0 arp_filter)$(sysctl_of a eth0 arp_announce)" = 112 ] \
  || fail "a: eth0 arp_ignore/arp_filter/arp_announce not set"
[ "$(sysctl_of a vrrp.51 arp_ignore)$(sysctl_of a vrrp.51 rp_filter)" = 10 ] || fail "a: vrrp.51 settings"
[ "$(vctl a vrrp | awk '$1 == "V4" { print $2 }')" = vrrp.51@eth0 ] \
  || fail "a: vigilctl vrrp does not show V4 on vrrp.51@eth0"
vjson a V4
[ "$(json_get 'r["instances"][0]["vmac"]' < "$T_DIR/a.vrrp.json")" = vrrp.51 ] || fail "a: status JSON without vmac"
reach "a master"
pass "virtual MACs on both directors; the client reaches both addresses through them"

in_ns a ip link del vrrp.51
wait_for 3 has_addr a $VIP vrrp.51 || fail "a: vrrp.51 not made again with $VIP after its deletion"
[ "$(sysctl_of a vrrp.51 arp_ignore)$(sysctl_of a vrrp.51 accept_local)" = 11 ] \
  || fail "a: the new vrrp.51 without its settings"
in_ns a ip link del vrrp.52
wait_for 3 has_addr a $VIP6 vrrp.52 || fail "a: vrrp.52 not made again with $VIP6 after its deletion"
ll_on() { in_ns a ip -6 -o addr show dev "$1" scope link | grep -q " fe80:"; }
wait_for 2 ll_on vrrp.52 || fail "a: the new vrrp.52 without eth0's link-local address"
sleep 1
is_state b V6 BACKUP || fail "b took V6 over while a's vrrp.52 was made again"
in_ns c ip neigh flush dev eth0
reach "vrrp.51 and vrrp.52 made again"
pass "a deleted vrrp.51 or vrrp.52 is made again, with its settings and the master's address"

kill -TERM $A; wait $A 2>/dev/null
wait_for 3 is_state b V4 MASTER || fail "b did not take V4 over"
wait_for 3 is_state b V6 MASTER || fail "b did not take V6 over"
[ "$(macvlans a)" = 0 ] || fail "a: macvlans left after stop: $(in_ns a ip -o link show type macvlan)"
[ "$(sysctl_of a eth0 arp_ignore)$(sysctl_of a eth0 arp_filter)$(sysctl_of a eth0 arp_announce)" = 000 ] \
  || fail "a: eth0 settings not restored"
reach "after failover to b"
pass "failover: same neighbour entries, both addresses reached; a's macvlans gone, eth0 restored"

vigild_start a "$T_DIR/a.conf"; A=$VIGILD_PID
wait_for 6 is_state a V4 MASTER || fail "a did not preempt"
wait_for 3 has_addr a $VIP vrrp.51 || fail "a: no $VIP after preempting"
pids=$(node_pids a)
vigild_crash a "$pids"; wait $A 2>/dev/null
[ "$(macvlans a)" = 2 ] || fail "a: macvlans after SIGKILL: $(macvlans a)"
vigild_start a "$T_DIR/a.conf"; A=$VIGILD_PID
wait_for 6 is_state a V4 MASTER || fail "a not master after restart"
wait_for 6 is_state a V6 MASTER || fail "a not master of V6 after restart"
[ "$(macvlans a)" = 2 ] || fail "a: $(macvlans a) macvlans after restart, expected 2"
grep -q "adopted virtual MAC interface vrrp.51" "$T_DIR/vigild-a.log" || fail "a did not adopt vrrp.51"
wait_for 3 is_state b V4 BACKUP || fail "b not backup again"
no_addr b $VIP vrrp.51 || fail "b still holds $VIP"
reach "after SIGKILL and restart"
pass "SIGKILL + restart: one macvlan per instance, adopted; the client still reaches both"

# A reload that takes the vmac off V4: its macvlan goes, its address
# moves to eth0, V6 keeps its macvlan.
vrrp_conf a "{ name = \"V4\"; interface = \"eth0\"; vrid = 51; priority = 150; advert_interval = 0.5;
               addresses = [ \"$VIP/24\" ]; }, $(inst V6 52 150 $VIP6/64)"
vctl a reload >/dev/null || fail "reload refused"
wait_for 3 has_addr a $VIP eth0 || fail "reload: $VIP not moved to eth0"
wait_for 2 test "$(macvlans a)" = 1 || fail "reload: $(macvlans a) macvlans on a, expected 1"
in_ns a ip link show vrrp.52 >/dev/null 2>&1 || fail "reload: V6's vrrp.52 gone"
pass "a reload without V4's vmac removes vrrp.51 only"

kill -TERM $A $B; wait $A $B 2>/dev/null
[ "$(macvlans a)$(macvlans b)" = 00 ] || fail "macvlans left after stop"
[ "$(sysctl_of a eth0 arp_ignore)$(sysctl_of a eth0 arp_filter)$(sysctl_of a eth0 arp_announce)" = 000 ] \
  || fail "a: eth0's settings not restored after the crash, the restart and the stop"
pass "stopped: no macvlan left; eth0's settings back as before the run that was killed"

# A name that is another kind of interface is never touched: FAULT.
in_ns b ip link add vrrp.51 type bridge || fail "cannot make a bridge vrrp.51"
vigild_start b "$T_DIR/b.conf"; B=$VIGILD_PID
wait_for 5 is_state b V4 FAULT || fail "b's V4 not FAULT with a bridge vrrp.51: $(vstate b V4)"
wait_for 5 is_state b V6 MASTER || fail "b's V6 not master alone"
kill -TERM $B; wait $B 2>/dev/null
in_ns b ip -d link show vrrp.51 | grep -q "bridge " || fail "the bridge vrrp.51 was touched"
grep -q "vrrp.51 exists and is not a macvlan" "$T_DIR/vigild-b.log" || fail "b did not say why"
pass "a vrrp.51 that is not a macvlan: left alone, V4 in FAULT"
