#!/usr/bin/env bash
# Interop with keepalived 2.2.7 over IPv6 (VRRP v3, adverts from the
# link-local address to ff02::12), both roles: vigild (150) preempts
# keepalived (100); TERM of vigild -> keepalived master at once (priority
# 0); keepalived (200) preempts vigild; SIGKILL of keepalived -> vigild
# master within the bound. Each sees the other's link-local address as
# the master's, and neither rejects or complains about the other's adverts.
. "$(dirname "$0")/vrrp_lib.sh"
[ -x $KA ] || skip "no keepalived"
VIP=2001:db8::10 KA_INST=VI_6

ns_add v; ns_add k; lan_add
lan_join v eth0 2001:db8::1/64
lan_join k eth0 2001:db8::2/64
# Adverts go from the link-local address: wait until duplicate address
# detection is over (keepalived started earlier fails its sends: EINVAL).
ll_ready() { [ -z "$(in_ns "$1" ip -6 -o addr show dev eth0 tentative)" ] \
  && [ -n "$(in_ns "$1" ip -6 -o addr show dev eth0 scope link)" ]; }
wait_for 5 ll_ready v || fail "v: link-local address not ready"
wait_for 5 ll_ready k || fail "k: link-local address not ready"
v_ll=$(in_ns v ip -6 -o addr show dev eth0 scope link | awk '{ sub("/.*", "", $4); print $4 }')
k_ll=$(in_ns k ip -6 -o addr show dev eth0 scope link | awk '{ sub("/.*", "", $4); print $4 }')
[ -n "$v_ll" ] && [ -n "$k_ll" ] || fail "no link-local addresses"

ka_conf() {  # ka_conf PRIO
  cat > "$T_DIR/ka.conf" <<CONF
global_defs { router_id ka; }
vrrp_instance VI_6 {
  state BACKUP
  interface eth0
  virtual_router_id 61
  priority $1
  advert_int 0.5
  version 3
  virtual_ipaddress { $VIP/64 }
}
CONF
}

vrrp_conf v "{ name = \"VI_6\"; interface = \"eth0\"; vrid = 61; priority = 150;
    version = 3; advert_interval = 0.5; addresses = [ \"$VIP/64\" ]; }"
ka_conf 100
ka_start ka-a
wait_for 8 ka_state ka-a MASTER || fail "keepalived alone not master"
wait_for 3 has_addr k $VIP || fail "keepalived master without $VIP"
vigild_start v "$T_DIR/v.conf"; V=$VIGILD_PID
wait_for 6 is_state v VI_6 MASTER || fail "vigild (150) did not preempt keepalived"
wait_for 3 ka_state ka-a BACKUP || fail "keepalived did not yield to vigild"
wait_for 3 no_addr k $VIP || fail "keepalived kept $VIP"
has_addr v $VIP || fail "vigild master without $VIP"
pass "vigild (150) master, keepalived (100) backup"

start=$(now_ms)
kill -TERM $V; wait $V 2>/dev/null
wait_for 3 has_addr k $VIP || fail "keepalived did not take over after TERM of vigild"
took=$(( $(now_ms) - start ))
pass "vigild TERM -> keepalived master in ${took} ms"

vigild_start v "$T_DIR/v.conf"; V=$VIGILD_PID
wait_for 6 is_state v VI_6 MASTER || fail "vigild did not preempt again"
kill -TERM $KA_PID; wait $KA_PID 2>/dev/null
ka_conf 200
ka_start ka-b
wait_for 8 ka_state ka-b MASTER || fail "keepalived (200) did not preempt"
wait_for 3 is_state v VI_6 BACKUP || fail "vigild did not yield to keepalived"
wait_for 2 no_addr v $VIP || fail "vigild kept $VIP"
[ "$(vfield v VI_6 'i["master"]["address"]')" = "$k_ll" ] \
  || fail "vigild sees master $(vfield v VI_6 'i["master"]["address"]'), expected $k_ll"
pass "keepalived (200) master, seen by vigild from $k_ll"
sleep 1
start=$(now_ms)
ka_crash
wait_for 4 has_addr v $VIP || fail "vigild did not take over after SIGKILL of keepalived"
took=$(master_ms v VI_6 $start)
# v3 at 0.5 s: Master_Down = 3 x 0.5 + skew (256 - 150) x 0.5 / 256 = 1.71 s
[ $took -le 2500 ] || fail "takeover took $took ms (bound 1.71 s + margin)"
in_ns k ip addr del $VIP/64 dev eth0 2>/dev/null || true
pass "keepalived SIGKILL -> vigild master in ${took} ms"

rej=$(vfield v VI_6 'i["adverts"]["rejected"]')
[ "$rej" = 0 ] || fail "vigild rejected keepalived's adverts: $(vfield v VI_6 'i["rejected"]')"
! grep -q "rejected" "$T_DIR/vigild-v.log" || fail "vigild logged a reject"
bad=$(ka_invalid)
[ -z "$bad" ] || fail "keepalived complained: $bad"
grep -q "$v_ll" "$T_DIR"/ka-*.log 2>/dev/null && log "keepalived logged vigild's link-local $v_ll"
pass "IPv6: no invalid-packet complaint on either side"
