#!/usr/bin/env bash
# Interop with keepalived 2.2.7 in the same VRID, VRRP v2 and v3, both
# roles: vigild (150) beats keepalived (100); TERM of vigild -> keepalived
# master at once (priority 0); vigild back -> preempts; keepalived (200)
# preempts vigild; SIGKILL of keepalived -> vigild master within the bound.
# Neither logs the other's adverts as invalid.
. "$(dirname "$0")/vrrp_lib.sh"
[ -x $KA ] || skip "no keepalived"
VIP=192.0.2.10

ns_add v; ns_add k; lan_add
lan_join v eth0 192.0.2.1/24
lan_join k eth0 192.0.2.2/24

ka_conf() {  # ka_conf VERSION PRIO
  cat > "$T_DIR/ka.conf" <<CONF
global_defs { router_id ka; }
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

for ver in 2 3; do
  vrrp_conf v "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = 150;
      version = $ver; advert_interval = 1.0; addresses = [ \"$VIP/24\" ]; }"
  ka_conf $ver 100
  ka_start ka-$ver-a
  wait_for 6 ka_state ka-$ver-a MASTER || fail "v$ver: keepalived alone not master"
  vigild_start v "$T_DIR/v.conf"; V=$VIGILD_PID
  wait_for 6 is_state v VI_1 MASTER || fail "v$ver: vigild (150) did not preempt keepalived"
  wait_for 3 ka_state ka-$ver-a BACKUP || fail "v$ver: keepalived did not yield to vigild"
  wait_for 3 no_addr k $VIP || fail "v$ver: keepalived kept the address"
  has_addr v $VIP || fail "v$ver: vigild master without the address"
  pass "v$ver: vigild (150) master, keepalived (100) backup"

  start=$(now_ms)
  kill -TERM $V; wait $V 2>/dev/null
  wait_for 3 has_addr k $VIP || fail "v$ver: keepalived did not take over after TERM of vigild"
  took=$(( $(now_ms) - start ))
  ka_state ka-$ver-a MASTER || fail "v$ver: keepalived not master"
  pass "v$ver: vigild TERM -> keepalived master in ${took} ms"

  vigild_start v "$T_DIR/v.conf"; V=$VIGILD_PID
  wait_for 6 is_state v VI_1 MASTER || fail "v$ver: vigild did not preempt again"
  wait_for 3 ka_state ka-$ver-a BACKUP || fail "v$ver: keepalived did not yield again"
  pass "v$ver: vigild back -> preempts keepalived"

  # keepalived with priority 200 preempts vigild; then crashes.
  kill -TERM $KA_PID; wait $KA_PID 2>/dev/null
  ka_conf $ver 200
  ka_start ka-$ver-b
  wait_for 8 ka_state ka-$ver-b MASTER || fail "v$ver: keepalived (200) did not preempt"
  wait_for 3 is_state v VI_1 BACKUP || fail "v$ver: vigild did not yield to keepalived"
  wait_for 2 no_addr v $VIP || fail "v$ver: vigild kept the address"
  [ "$(vfield v VI_1 'i["master"]["address"]')" = 192.0.2.2 ] || fail "v$ver: vigild does not see keepalived as master"
  pass "v$ver: keepalived (200) master, vigild backup"
  sleep 2
  start=$(now_ms)
  ka_crash
  wait_for 5 has_addr v $VIP || fail "v$ver: vigild did not take over after SIGKILL of keepalived"
  took=$(master_ms v VI_1 $start)
  [ $took -le 4000 ] || fail "v$ver: takeover took $took ms (bound 3.41 s + margin)"
  in_ns k ip addr flush dev eth0 to $VIP/32 2>/dev/null; in_ns k ip addr del $VIP/24 dev eth0 2>/dev/null
  pass "v$ver: keepalived SIGKILL -> vigild master in ${took} ms"

  rej=$(vfield v VI_1 'i["adverts"]["rejected"]')
  [ "$rej" = 0 ] || fail "v$ver: vigild rejected keepalived's adverts: $(vfield v VI_1 'i["rejected"]')"
  grep -q "rejected" "$T_DIR/vigild-v.log" && fail "v$ver: vigild logged a reject"
  bad=$(ka_invalid)
  [ -z "$bad" ] || fail "v$ver: keepalived complained: $bad"
  pass "v$ver: no invalid-packet complaint on either side"
  kill -TERM $V; wait $V 2>/dev/null
  mv "$T_DIR/vigild-v.log" "$T_DIR/vigild-v-$ver.txt"
done
