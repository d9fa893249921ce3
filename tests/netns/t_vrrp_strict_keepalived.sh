#!/usr/bin/env bash
# vigild in strict mode against keepalived 2.2.7 with vrrp_strict, VRRP v3
# and v2, failover both ways: vigild (150) preempts keepalived (100); TERM
# of vigild -> keepalived master; vigild (50) back as backup; SIGKILL of
# keepalived -> vigild master within the bound. Both sides drop the non-accept address
# while master (keepalived with its own nft table, vigild with its own),
# and neither complains about the other's adverts.
. "$(dirname "$0")/vrrp_lib.sh"
[ -x $KA ] || skip "no keepalived"
command -v nft >/dev/null || skip "no nft program (package nftables)"
VIP=192.0.2.10

ns_add v; ns_add k; ns_add c; lan_add
lan_join v eth0 192.0.2.1/24
lan_join k eth0 192.0.2.2/24
lan_join c eth0 192.0.2.100/24

ka_conf() {  # ka_conf VERSION PRIO
  cat > "$T_DIR/ka.conf" <<CONF
global_defs {
  router_id ka
  vrrp_strict
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority $2
  advert_int 1
  version $1
  virtual_ipaddress { $VIP/24 }
}
CONF
}
for n in v k; do
  bg $n srv-$n python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', 8080)); s.listen(16)
while True: s.accept()[0].close()"
done
connects() {
  in_ns c python3 -c "
import socket, sys
s = socket.socket(); s.settimeout(1); s.connect((sys.argv[1], 8080))" "$1" 2>/dev/null
}

for ver in 3 2; do
  vrrp_conf v "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = 150;
      version = $ver; advert_interval = 1.0; addresses = [ \"$VIP/24\" ]; }"
  sed -i 's/^global = {/global = { vrrp_strict = true;/' "$T_DIR/v.conf"
  ka_conf $ver 100
  ka_start ka-$ver-a
  wait_for 6 ka_state ka-$ver-a MASTER || fail "v$ver: keepalived alone not master"
  connects 192.0.2.2 || fail "v$ver: keepalived's own address refused"
  connects $VIP && fail "v$ver: keepalived strict master accepted $VIP"
  vigild_start v "$T_DIR/v.conf"; V=$VIGILD_PID
  wait_for 6 is_state v VI_1 MASTER || fail "v$ver: vigild (150) did not preempt keepalived"
  wait_for 3 ka_state ka-$ver-a BACKUP || fail "v$ver: keepalived did not yield to vigild"
  wait_for 3 no_addr k $VIP || fail "v$ver: keepalived kept the address"
  in_ns c ip neigh flush dev eth0
  connects $VIP && fail "v$ver: vigild strict master accepted $VIP"
  in_ns c ip neigh show $VIP | grep -q "lladdr $(in_ns v cat /sys/class/net/eth0/address)" \
    || fail "v$ver: vigild did not answer ARP for $VIP"
  pass "v$ver: vigild (150) master, keepalived (100) backup; both drop $VIP as master"

  start=$(now_ms)
  kill -TERM $V; wait $V 2>/dev/null
  wait_for 3 has_addr k $VIP || fail "v$ver: keepalived did not take over after TERM of vigild"
  took=$(( $(now_ms) - start ))
  in_ns v nft list table inet vigil >/dev/null 2>&1 && fail "v$ver: table left after stop"
  pass "v$ver: vigild TERM -> keepalived master in ${took} ms"

  # vigild (50) back as backup; keepalived crashes.
  sed -i 's/priority = 150/priority = 50/' "$T_DIR/v.conf"
  vigild_start v "$T_DIR/v.conf"; V=$VIGILD_PID
  wait_for 3 is_state v VI_1 BACKUP || fail "v$ver: vigild (50) not backup"
  wait_for 3 vis v VI_1 'i["master"]["address"]' 192.0.2.2 \
    || fail "v$ver: vigild does not see keepalived as master"
  start=$(now_ms)
  ka_crash
  wait_for 5 has_addr v $VIP || fail "v$ver: vigild did not take over after SIGKILL of keepalived"
  took=$(master_ms v VI_1 $start)
  [ $took -le 4500 ] || fail "v$ver: takeover took $took ms (bound 3.8 s + margin)"
  in_ns k ip addr del $VIP/24 dev eth0 2>/dev/null
  in_ns k nft delete table ip keepalived 2>/dev/null
  in_ns c ip neigh flush dev eth0
  connects $VIP && fail "v$ver: vigild strict master accepted $VIP"
  pass "v$ver: keepalived SIGKILL -> vigild (50) master in ${took} ms"

  rej=$(vfield v VI_1 'i["adverts"]["rejected"]')
  [ "$rej" = 0 ] || fail "v$ver: vigild rejected keepalived's adverts"
  bad=$(ka_invalid)
  [ -z "$bad" ] || fail "v$ver: keepalived complained: $bad"
  pass "v$ver: no invalid-packet complaint on either side"
  kill -TERM $V; wait $V 2>/dev/null
  mv "$T_DIR/vigild-v.log" "$T_DIR/vigild-v-$ver.txt"
  mkdir -p "$T_DIR/old"; mv "$T_DIR"/ka-*.log "$T_DIR/old/"
done
