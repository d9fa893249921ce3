#!/usr/bin/env bash
# Unicast TTLs with keepalived 2.2.7 (unicast_ttl 7): vigild accepts its
# adverts while their TTL is in unicast.min_ttl..max_ttl (5..10) and is
# its backup; reloaded with min_ttl 8 it refuses them, counted as "ttl",
# and takes over; its own unicast adverts carry unicast.ttl (9), which
# keepalived accepts (it stays master: priority 200).
. "$(dirname "$0")/vrrp_lib.sh"
[ -x $KA ] || skip "no keepalived"
command -v tcpdump >/dev/null || skip "no tcpdump"
VIP=192.0.2.10

ns_add v; ns_add k; lan_add
lan_join v eth0 192.0.2.1/24
lan_join k eth0 192.0.2.2/24

cat > "$T_DIR/ka.conf" <<CONF
global_defs { router_id ka; }
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 200
  advert_int 1
  version 3
  unicast_src_ip 192.0.2.2
  unicast_ttl 7
  unicast_peer { 192.0.2.1 }
  virtual_ipaddress { $VIP/24 }
}
CONF
vconf() {  # vconf MIN_TTL
  vrrp_conf v "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = 150;
      version = 3; advert_interval = 1.0; addresses = [ \"$VIP/24\" ];
      unicast = { source = \"192.0.2.1\"; peers = [ \"192.0.2.2\" ]; ttl = 9;
                  min_ttl = $1; max_ttl = 10; }; }"
}
capture lan "$T_DIR/vrrp.txt" -i br0 -n -v -l 'ip proto 112'

ka_start ka
wait_for 6 ka_state ka MASTER || fail "keepalived alone not master"
vconf 5
vigild_start v "$T_DIR/v.conf"
wait_for 5 is_state v VI_1 BACKUP || fail "vigild not up"
sleep 4
is_state v VI_1 BACKUP || fail "vigild (150) did not stay backup to keepalived (200, TTL 7 in 5..10)"
[ "$(vfield v VI_1 'i["master"]["address"]')" = 192.0.2.2 ] || fail "vigild does not see keepalived as master"
grep -q "ttl 7," "$T_DIR/vrrp.txt" || fail "keepalived's adverts do not carry TTL 7"
pass "keepalived's unicast adverts (TTL 7) accepted within min_ttl 5 .. max_ttl 10"

vconf 8
vctl v reload >/dev/null || fail "reload refused"
ttl_rejects() { [ "$(vfield v VI_1 "i['rejected'].get('ttl', 0)")" -ge "$1" ]; }
wait_for 3 ttl_rejects 2 || fail "TTL 7 below min_ttl 8 not counted: $(vfield v VI_1 'i["rejected"]')"
wait_for 5 is_state v VI_1 MASTER || fail "vigild, refusing every advert, did not take over"
sleep 1.5
grep -qE "ttl 9,.*proto VRRP" "$T_DIR/vrrp.txt" || fail "vigild's unicast adverts do not carry TTL 9: $(grep -c . "$T_DIR/vrrp.txt") lines"
ka_state ka MASTER || fail "keepalived (200) left MASTER on hearing vigild (150, TTL 9)"
grep -qiE "invalid ttl|ttl.*expect" "$T_DIR/ka.log" && fail "keepalived refused vigild's TTL 9"
pass "min_ttl 8: TTL 7 refused and counted; vigild's adverts carry unicast.ttl 9, accepted by keepalived"
