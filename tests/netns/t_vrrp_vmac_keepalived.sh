#!/usr/bin/env bash
# Virtual MAC against keepalived 2.2.7's use_vmac: vigild (150) and
# keepalived (100), each with an IPv4 instance (VRID 51) and an IPv6 one
# (VRID 52) on its macvlan. A client's neighbour table holds
# 00:00:5e:00:01:33 / 00:00:5e:00:02:34 for the addresses whoever is
# master: keepalived alone, vigild after preempting it, keepalived after
# vigild stops, and vigild after keepalived is killed; at no point does
# the client need to learn another MAC. Neither side rejects or complains
# about the other's adverts, which both send from their virtual MAC.
# keepalived's node gets two settings vigild makes itself, or the client
# learns a wrong MAC from keepalived (both seen here): arp_announce=2 on
# eth0 (else keepalived, master, asks for the client's MAC from eth0
# naming the virtual address, with eth0's MAC), and arp_ignore=1 for all
# (2.2.7 leaves its IPv6 macvlan at arp_ignore=0, and that one answers
# ARP for the IPv4 address with 00:00:5e:00:02:34).
. "$(dirname "$0")/vrrp_lib.sh"
[ -x $KA ] || skip "no keepalived"
VIP=192.0.2.10
VIP6=2001:db8::10
MAC4=00:00:5e:00:01:33
MAC6=00:00:5e:00:02:34
ns_add v; ns_add k; ns_add c; lan_add
lan_join v eth0 192.0.2.1/24 2001:db8::1/64
lan_join k eth0 192.0.2.2/24 2001:db8::2/64
lan_join c eth0 192.0.2.3/24 2001:db8::3/64

cat > "$T_DIR/ka.conf" <<CONF
global_defs { router_id ka; }
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  use_vmac
  virtual_router_id 51
  priority 100
  advert_int 1
  version 3
  virtual_ipaddress { $VIP/24 }
}
vrrp_instance VI_6 {
  state BACKUP
  interface eth0
  use_vmac
  virtual_router_id 52
  priority 100
  advert_int 1
  version 3
  virtual_ipaddress { $VIP6/64 }
}
CONF
inst() {  # NAME VRID ADDRESS
  echo "{ name = \"$1\"; interface = \"eth0\"; vrid = $2; priority = 150; version = 3;
          advert_interval = 1.0; addresses = [ \"$3\" ]; vmac = true; }"
}
vrrp_conf v "$(inst VI_1 51 $VIP/24), $(inst VI_6 52 $VIP6/64)"

neigh_is() { in_ns c ip neigh show "$1" dev eth0 | grep -q "lladdr $2"; }
tcp_reach() {
  in_ns c python3 -c 'import socket, sys
try:
    socket.create_connection((sys.argv[1], 9), timeout=1).close()
except ConnectionRefusedError:
    pass' "$1"
}
reach() {  # WHO HOLDER: the client reaches both addresses through the virtual MACs
  wait_for 3 tcp_reach $VIP || fail "$1: client cannot reach $VIP"
  wait_for 3 tcp_reach $VIP6 || fail "$1: client cannot reach $VIP6"
  neigh_is $VIP $MAC4 || fail "$1: client's entry for $VIP: $(in_ns c ip neigh show $VIP)"
  neigh_is $VIP6 $MAC6 || fail "$1: client's entry for $VIP6: $(in_ns c ip neigh show $VIP6)"
  has_addr "$2" $VIP vrrp.51 || fail "$1: $VIP not on $2's vrrp.51"
  has_addr "$2" $VIP6 vrrp.52 || fail "$1: $VIP6 not on $2's vrrp.52"
}

in_ns k sysctl -qw net.ipv4.conf.eth0.arp_announce=2 net.ipv4.conf.all.arp_ignore=1
ka_start ka
wait_for 8 ka_state ka MASTER || fail "keepalived alone not master"
KA_INST=VI_6 wait_for 8 ka_state ka MASTER || fail "keepalived alone not master of VI_6"
in_ns k ip -d link show vrrp.51 | grep -q "link/ether $MAC4" || fail "keepalived's vrrp.51 is not $MAC4"
reach "keepalived master" k
pass "keepalived master on its vmac; the client holds the virtual MACs"

vigild_start v "$T_DIR/v.conf"; V=$VIGILD_PID
wait_for 6 is_state v VI_1 MASTER || fail "vigild (150) did not preempt keepalived"
wait_for 6 is_state v VI_6 MASTER || fail "vigild did not preempt keepalived's VI_6"
wait_for 3 ka_state ka BACKUP || fail "keepalived did not yield VI_1"
KA_INST=VI_6 wait_for 3 ka_state ka BACKUP || fail "keepalived did not yield VI_6"
wait_for 3 no_addr k $VIP vrrp.51 || fail "keepalived kept $VIP"
reach "vigild master" v
pass "vigild preempts: same entries, addresses on vigild's vmac"

kill -TERM $V; wait $V 2>/dev/null
wait_for 3 has_addr k $VIP vrrp.51 || fail "keepalived did not take over after TERM of vigild"
in_ns v ip -o link show type macvlan | grep -q . && fail "vigild left a macvlan"
reach "keepalived after vigild's stop" k
pass "vigild stops: keepalived master, same entries, vigild's macvlans gone"

vigild_start v "$T_DIR/v.conf"; V=$VIGILD_PID
wait_for 6 is_state v VI_1 MASTER || fail "vigild did not preempt again"
wait_for 6 is_state v VI_6 MASTER || fail "vigild did not preempt VI_6 again"
sleep 1
ka_crash
wait_for 2 tcp_reach $VIP || fail "client lost $VIP after keepalived's SIGKILL"
reach "vigild after keepalived's SIGKILL" v
pass "keepalived killed: vigild master, same entries"

for i in VI_1 VI_6; do
  rej=$(vfield v $i 'i["adverts"]["rejected"]')
  [ "$rej" = 0 ] || fail "vigild rejected keepalived's adverts on $i: $(vfield v $i 'i["rejected"]')"
done
grep -q "rejected" "$T_DIR/vigild-v.log" && fail "vigild logged a reject"
bad=$(ka_invalid)
[ -z "$bad" ] || fail "keepalived complained: $bad"
kill -TERM $V; wait $V 2>/dev/null
pass "no reject or complaint on either side"
