#!/usr/bin/env bash
# Excluded addresses, routes and rules against keepalived 2.2.7 (VRRP v3,
# one VRID): both configure the same advertised address, the same
# excluded IPv4 and IPv6 addresses (keepalived's
# virtual_ipaddress_excluded), a route and a rule. vigild's adverts carry
# the advertised address only (a capture counts one), keepalived takes
# them without complaint and stays backup; vigild TERM -> keepalived
# master with everything, vigild's side empty; vigild (lower priority)
# takes keepalived's adverts without a reject; SIGKILL of keepalived ->
# vigild master with everything again.
. "$(dirname "$0")/vrrp_lib.sh"
[ -x $KA ] || skip "no keepalived"
command -v tcpdump > /dev/null || skip "no tcpdump"

ns_add v; ns_add k; lan_add
lan_join v eth0 192.0.2.1/24 2001:db8:1::1/64
lan_join k eth0 192.0.2.2/24 2001:db8:1::2/64

cat > "$T_DIR/ka.conf" <<'CONF'
global_defs { router_id ka; }
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 52
  priority 100
  advert_int 0.5
  version 3
  virtual_ipaddress { 192.0.2.10/24 }
  virtual_ipaddress_excluded {
    192.0.2.20/24 label eth0:x
    2001:db8:1::20/64
  }
  virtual_routes { 203.0.113.0/24 via 192.0.2.254 table 100 }
  virtual_rules { from 192.0.2.0/24 table 100 priority 100 }
}
CONF
vconf() {  # vconf PRIO
  vrrp_conf v "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 52; priority = $1;
      version = 3; advert_interval = 0.5; addresses = [ \"192.0.2.10/24\" ];
      excluded_addresses = ( { address = \"192.0.2.20/24\"; label = \"eth0:x\"; },
                             \"2001:db8:1::20/64\" );
      routes = ( { to = \"203.0.113.0/24\"; via = \"192.0.2.254\"; table = 100; } );
      rules = ( { from = \"192.0.2.0/24\"; table = 100; priority = 100; } ); }"
}
# moved NODE: everything the instance moves is on NODE (any route protocol).
moved() {
  in_ns $1 ip -o addr show dev eth0 | grep -q " 192.0.2.10/24" &&
  in_ns $1 ip -o addr show dev eth0 | grep -q " 192.0.2.20/24 .*eth0:x" &&
  in_ns $1 ip -o addr show dev eth0 | grep -q " 2001:db8:1::20/64" &&
  in_ns $1 ip route show table 100 | grep -q "^203.0.113.0/24 via 192.0.2.254" &&
  in_ns $1 ip rule show | grep -q "^100:.*from 192.0.2.0/24 lookup 100"
}
gone() {
  ! in_ns $1 ip -o addr show dev eth0 | grep -qE " (192.0.2.10|192.0.2.20|2001:db8:1::20)/" &&
  [ -z "$(in_ns $1 ip route show table 100)" ] &&
  ! in_ns $1 ip rule show | grep -q "^100:"
}

vconf 150
ka_start ka-a
vigild_start v "$T_DIR/v.conf"; V=$VIGILD_PID
wait_for 6 is_state v VI_1 MASTER || fail "vigild (150) not master"
wait_for 3 ka_state ka-a BACKUP || fail "keepalived not backup"
wait_for 2 moved v || fail "vigild master without all it moves"
gone k || fail "keepalived holds some of it as backup"

# One advert from vigild: count 1, the advertised address only.
in_ns lan timeout 3 tcpdump -c 1 -i br0 -nn -x "ip proto 112 and src 192.0.2.1" \
  > "$T_DIR/advert.txt" 2>/dev/null
# IPv4 header 20 bytes, then VRRP: byte 3 is the count, bytes 8..11 the address.
hex=$(grep -E '^\s+0x' "$T_DIR/advert.txt" | sed 's/^\s*0x[0-9a-f]*:\s*//' | tr -d ' \n')
[ -n "$hex" ] || fail "no advert captured"
count=$((16#${hex:46:2}))
addr=$(printf '%d.%d.%d.%d' $((16#${hex:56:2})) $((16#${hex:58:2})) $((16#${hex:60:2})) $((16#${hex:62:2})))
[ $count = 1 ] && [ "$addr" = 192.0.2.10 ] || fail "advert: count $count address $addr"
sleep 1.5
ka_state ka-a BACKUP || fail "keepalived left BACKUP"
[ -z "$(ka_invalid)" ] || fail "keepalived complains: $(ka_invalid)"
pass "vigild master: adverts carry 192.0.2.10 only; keepalived backup, no complaint"

kill -TERM $V; wait $V 2>/dev/null
wait_for 3 ka_state ka-a MASTER || fail "keepalived did not take over"
wait_for 3 moved k || fail "keepalived master without all it moves"
gone v || fail "vigild left some of it behind after TERM"
pass "vigild TERM: everything on keepalived, nothing left on vigild"

vconf 50
vigild_start v "$T_DIR/v.conf"; V=$VIGILD_PID
wait_for 6 is_state v VI_1 BACKUP || fail "vigild (50) not backup"
wait_for 3 vis v VI_1 'i["adverts"]["received"] >= 3' True || fail "vigild hears no adverts"
[ "$(vfield v VI_1 'i["adverts"]["rejected"]')" = 0 ] || fail "vigild rejected keepalived's adverts: $(vfield v VI_1 'i["rejected"]')"
gone v || fail "vigild backup holds some of it"
ka_crash
wait_for 4 is_state v VI_1 MASTER || fail "vigild did not take over from the crashed keepalived"
wait_for 2 moved v || fail "vigild master without all it moves after keepalived's crash"
pass "keepalived's adverts accepted; SIGKILL of keepalived -> vigild master with everything"
