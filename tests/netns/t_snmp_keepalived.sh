#!/usr/bin/env bash
# vigild and keepalived 2.2.7 (built with SNMP, RFC 6527 and RFC 2787)
# give the same VRRP MIB rows for the same instances: each runs alone in
# a namespace laid out the same way (eth0 192.0.2.1/24 and 2001:db8::1/64,
# nobody else on the link, so each is master of all three), with its own
# snmpd as AgentX master. The walks of VRRPv3-MIB and VRRP-MIB must be
# equal once the columns that must differ are set aside (snmp_check.py
# EXCLUDED: virtual MAC = the interface's MAC, up-times) and keepalived's
# associated-address index is given its length octet; the ifIndex in
# the indexes is each namespace's eth0.
. "$(dirname "$0")/snmp_lib.sh"

[ -x "$KA" ] || skip "no keepalived"
"$KA" --version 2>&1 | grep -q "SNMP_RFCV3" || skip "keepalived built without SNMP RFC 6527"

for node in v k; do
  ns_add $node
  ip -n "$(ns_name $node)" link add eth0 type veth peer name peer0
  ip -n "$(ns_name $node)" link set eth0 up
  ip -n "$(ns_name $node)" link set peer0 up
  ip -n "$(ns_name $node)" addr add 192.0.2.1/24 dev eth0
  ip -n "$(ns_name $node)" addr add 2001:db8::1/64 dev eth0 nodad
  snmpd_start $node
done

vrrp_conf v '{ name = "VI_1"; interface = "eth0"; vrid = 51; priority = 150; version = 3;
               advert_interval = 0.5; addresses = [ "192.0.2.10/24", "192.0.2.9/24" ]; },
             { name = "VI_2"; interface = "eth0"; vrid = 52; priority = 120; version = 2;
               advert_interval = 1.0; addresses = [ "192.0.2.20/24" ]; },
             { name = "VI_6"; interface = "eth0"; vrid = 53; priority = 100; version = 3;
               advert_interval = 0.5; addresses = [ "2001:db8::10/64" ]; }'
sed -i "s|^global = { |global = { snmp = { agentx = \"$T_DIR/v.agentx\"; }; |" "$T_DIR/v.conf"
cat > "$T_DIR/ka.conf" <<CONF
global_defs {
  router_id k
  snmp_socket $T_DIR/k.agentx
  enable_snmp_rfcv2
  enable_snmp_rfcv3
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 150
  version 3
  advert_int 0.5
  virtual_ipaddress { 192.0.2.10/24
                      192.0.2.9/24 }
}
vrrp_instance VI_2 {
  state BACKUP
  interface eth0
  virtual_router_id 52
  priority 120
  version 2
  advert_int 1
  virtual_ipaddress { 192.0.2.20/24 }
}
vrrp_instance VI_6 {
  state BACKUP
  interface eth0
  virtual_router_id 53
  priority 100
  version 3
  advert_int 0.5
  virtual_ipaddress { 2001:db8::10/64 }
}
CONF
vigild_start v "$T_DIR/v.conf"
rm -f "$T_DIR/ka.pid" "$T_DIR/ka-vrrp.pid"
bg k ka $KA -n -l -D -P -x -f "$T_DIR/ka.conf" -p "$T_DIR/ka.pid" -r "$T_DIR/ka-vrrp.pid"
for i in VI_1 VI_2 VI_6; do
  wait_for 8 is_state v $i MASTER || fail "vigild not master of $i"
  KA_INST=$i wait_for 8 ka_state ka MASTER || fail "keepalived not master of $i"
done
V3=1.3.6.1.2.1.207
V2=1.3.6.1.2.1.68
wait_for 6 snmp_answers v $V3 || fail "vigild's subagent does not answer"
wait_for 6 snmp_answers k $V3 || fail "keepalived's subagent does not answer"
# vigild's view is refreshed once a second: polled until both settle.
same_rows() {
  for node in v k; do
    { swalk $node $V3; swalk $node $V2; } > "$T_DIR/$node.walk"
  done
  python3 "$VIGIL_SRC/tests/netns/snmp_check.py" same \
    "$T_DIR/v.walk" "$(in_ns v cat /sys/class/net/eth0/ifindex)" \
    "$T_DIR/k.walk" "$(in_ns k cat /sys/class/net/eth0/ifindex)"
}
wait_for 8 same_rows || { same_rows; fail "vigild's VRRP MIB rows differ from keepalived's"; }
pass "VRRPv3-MIB and VRRP-MIB: the same rows and values as keepalived"
