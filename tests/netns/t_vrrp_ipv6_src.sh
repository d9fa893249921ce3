#!/usr/bin/env bash
# IPv6 adverts come from the interface's own link-local address (RFC 5798
# 5.1.2.1), as keepalived's do, also once the master has added a
# link-local virtual address to that interface: VI_LL (fe80::61 first,
# then 2001:db8::61) and VI_G (2001:db8::60) on d1's eth0. fe80::61
# moves with mastership; adverts sent from it would change source on
# every failover (and d2 would name a virtual address as the master).
. "$(dirname "$0")/vrrp_lib.sh"
command -v tcpdump >/dev/null || skip "no tcpdump"
ns_add d1; ns_add d2; lan_add
lan_join d1 eth0 2001:db8::1/64
lan_join d2 eth0 2001:db8::2/64
for n in d1:150 d2:100; do
  vrrp_conf "${n%%:*}" "
    { name = \"VI_LL\"; interface = \"eth0\"; vrid = 61; priority = ${n##*:}; version = 3;
      advert_interval = 0.3; addresses = [ \"fe80::61/64\", \"2001:db8::61/64\" ]; },
    { name = \"VI_G\"; interface = \"eth0\"; vrid = 60; priority = ${n##*:}; version = 3;
      advert_interval = 0.3; addresses = [ \"2001:db8::60/64\" ]; }"
done
own=$(in_ns d1 ip -6 -o addr show dev eth0 scope link | grep -oP 'inet6 \Kfe80::[0-9a-f:]+' | head -n 1)
[ -n "$own" ] || fail "d1's eth0 has no link-local address"
capture lan "$T_DIR/adv.txt" -i br0 -n -l 'ip6 proto 112'
sleep 0.5
vigild_start d1 "$T_DIR/d1.conf"
vigild_start d2 "$T_DIR/d2.conf"
wait_for 6 is_state d1 VI_LL MASTER || fail "d1 not master of VI_LL"
wait_for 3 is_state d1 VI_G MASTER || fail "d1 not master of VI_G"
wait_for 3 has_addr d1 fe80::61 || fail "d1 lacks fe80::61"
sleep 1.5   # adverts sent since the virtual link-local address came
last() { grep -E "> ff02::12: .*vrid $1" "$T_DIR/adv.txt" | tail -n 1 | grep -oP 'IP6 \K[0-9a-f:]+(?= >)'; }
for v in 61 60; do
  src=$(last $v)
  [ "$src" = "$own" ] || fail "vrid $v: last advert from '$src', not eth0's own $own"
done
vjson d2 VI_LL
master=$(json_get 'r["instances"][0]["master"]["address"]' < "$T_DIR/d2.vrrp.json")
[ "$master" = "$own" ] || fail "d2 sees master $master, not d1's own $own"
pass "adverts of vrids 61 and 60 from $own with fe80::61 on eth0; d2 sees master $master"
