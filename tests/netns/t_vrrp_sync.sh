#!/usr/bin/env bash
# Sync group: VI_1 and VI_2 move together. A track script (weight 0)
# puts only VI_1 on d1 in FAULT; VI_2 follows to d2 although its own
# priority on d1 is still the higher, and stays there (the group does not
# split); the group's notify runs with GROUP G1 STATE; vigilctl vrrp shows
# the group. The script passing again brings both back together.
. "$(dirname "$0")/vrrp_lib.sh"
ns_add d1; ns_add d2; lan_add
lan_join d1 eth0 192.0.2.1/24
lan_join d2 eth0 192.0.2.2/24
chmod 755 "$T_DIR"; mkdir -m 1777 "$T_DIR/notify"; touch "$T_DIR/ok"
cat > "$T_DIR/notify.sh" <<'SH'
#!/bin/sh
echo "$*" >> "$(dirname "$0")/notify/$2.log"
SH
chmod 755 "$T_DIR/notify.sh"
for n in d1:150 d2:120; do
  node=${n%%:*}; prio=${n##*:}
  trk=""; [ $node = d1 ] && trk="track = { scripts = ( { name = \"chk\"; weight = 0; } ); };"
  vrrp_conf $node "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = $prio; version = 3;
      advert_interval = 0.5; addresses = [ \"192.0.2.10/24\" ]; $trk },
    { name = \"VI_2\"; interface = \"eth0\"; vrid = 52; priority = $prio; version = 3;
      advert_interval = 0.5; addresses = [ \"192.0.2.20/24\" ]; }" \
    "scripts = ( { name = \"chk\"; command = \"/usr/bin/test -e $T_DIR/ok\"; interval = 0.3; } );
     sync_groups = ( { name = \"G1\"; instances = [ \"VI_1\", \"VI_2\" ];
        notify = { master = \"$T_DIR/notify.sh\"; backup = \"$T_DIR/notify.sh\"; }; } );"
done
vigild_start d1 "$T_DIR/d1.conf"
vigild_start d2 "$T_DIR/d2.conf"
wait_for 5 is_state d1 VI_1 MASTER && wait_for 2 is_state d1 VI_2 MASTER || fail "d1 not master of both"
wait_for 2 is_state d2 VI_1 BACKUP && is_state d2 VI_2 BACKUP || fail "d2 not backup of both"
vjson d1; json_get 'r["sync_groups"][0]["state"]' < "$T_DIR/d1.vrrp.json" | grep -qx MASTER || fail "group not MASTER on d1"
vctl d1 vrrp | grep -q "^G1 .*MASTER .*VI_1 VI_2" || fail "table lacks the group"
pass "both instances master on d1; group G1 MASTER"

rm "$T_DIR/ok"     # VI_1 on d1: FAULT
wait_for 4 is_state d2 VI_1 MASTER || fail "VI_1 did not move to d2"
wait_for 2 is_state d2 VI_2 MASTER || fail "VI_2 did not follow VI_1 to d2"
is_state d1 VI_2 BACKUP || fail "VI_2 on d1 not BACKUP"
sleep 3    # several Master_Down intervals: the group must not split
is_state d1 VI_2 BACKUP && is_state d2 VI_2 MASTER || fail "VI_2 went back to d1 alone (group split)"
is_state d1 VI_1 FAULT || fail "VI_1 on d1 not FAULT"
in_ns d2 ip -o addr show dev eth0 | grep -q 192.0.2.20/ || fail "d2 lacks VI_2's address"
wait_for 2 grep -q "GROUP G1 MASTER" "$T_DIR/notify/G1.log" || fail "group notify master missing"
grep -q "GROUP G1 BACKUP" "$T_DIR/notify/G1.log" || fail "group notify backup missing"
pass "VI_1 moved and VI_2 followed; the group stays together; group notify ran"

touch "$T_DIR/ok"
wait_for 4 is_state d1 VI_1 MASTER || fail "VI_1 did not come back"
wait_for 2 is_state d1 VI_2 MASTER || fail "VI_2 did not come back with VI_1"
wait_for 2 is_state d2 VI_1 BACKUP && wait_for 2 is_state d2 VI_2 BACKUP || fail "d2 did not yield both"
pass "both instances back on d1 together"
