#!/usr/bin/env bash
# A reload keeps what the trackers know. d1 (150) tracks a failing script
# (weight -60: 90) and d2 (120) is master. Reloading d1 with the file
# unchanged must not forget the script's verdict: no return to 150, no
# preemption, no transition anywhere. The same with a weight-0 script
# holding a second instance in FAULT: the reload must not release it.
# v3, advert 0.5 s.
. "$(dirname "$0")/vrrp_lib.sh"
ns_add d1; ns_add d2; lan_add
lan_join d1 eth0 192.0.2.1/24
lan_join d2 eth0 192.0.2.2/24
chmod 755 "$T_DIR"; touch "$T_DIR/ok" "$T_DIR/gate"
vrrp_conf d1 "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = 150; version = 3;
    advert_interval = 0.5; addresses = [ \"192.0.2.10/24\" ];
    track = { scripts = ( { name = \"chk_ok\"; weight = -60; } ); }; },
  { name = \"VI_2\"; interface = \"eth0\"; vrid = 52; priority = 150; version = 3;
    advert_interval = 0.5; addresses = [ \"192.0.2.20/24\" ];
    track = { scripts = ( { name = \"chk_gate\"; weight = 0; } ); }; }" \
  "scripts = ( { name = \"chk_ok\"; command = \"/usr/bin/test -e $T_DIR/ok\"; interval = 0.3;
                 timeout = 1.0; rise = 2; fall = 2; },
               { name = \"chk_gate\"; command = \"/usr/bin/test -e $T_DIR/gate\"; interval = 0.3;
                 timeout = 1.0; rise = 2; fall = 2; } );"
vrrp_conf d2 "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = 120; version = 3;
    advert_interval = 0.5; addresses = [ \"192.0.2.10/24\" ]; },
  { name = \"VI_2\"; interface = \"eth0\"; vrid = 52; priority = 120; version = 3;
    advert_interval = 0.5; addresses = [ \"192.0.2.20/24\" ]; }"
vigild_start d1 "$T_DIR/d1.conf"
vigild_start d2 "$T_DIR/d2.conf"
wait_for 5 is_state d1 VI_1 MASTER || fail "d1 not master of VI_1"
wait_for 5 is_state d1 VI_2 MASTER || fail "d1 not master of VI_2"
eff() { test "$(vfield d1 VI_1 'i["priority"]["effective"]')" = "$1"; }

rm "$T_DIR/ok" "$T_DIR/gate"
wait_for 3 eff 90 || fail "script: effective priority not 90"
wait_for 4 is_state d2 VI_1 MASTER || fail "d2 did not take VI_1"
wait_for 3 is_state d1 VI_2 FAULT || fail "weight-0 script: VI_2 not in FAULT"
wait_for 4 is_state d2 VI_2 MASTER || fail "d2 did not take VI_2"
sleep 1
trans() { vfield "$1" "$2" 'i["transitions"]'; }
before="$(trans d1 VI_1) $(trans d2 VI_1) $(trans d1 VI_2) $(trans d2 VI_2)"
lines=$(wc -l < "$T_DIR/vigild-d1.log")

vctl d1 reload >/dev/null || fail "reload refused"
# For 4 s (8 advert intervals, 13 script runs) nothing may move.
end=$((SECONDS + 4))
while [ $SECONDS -lt $end ]; do
  eff 90 || fail "after the reload d1's effective priority is $(vfield d1 VI_1 'i["priority"]["effective"]'), not 90"
  is_state d1 VI_2 FAULT || fail "after the reload VI_2 left FAULT"
  sleep 0.2
done
after="$(trans d1 VI_1) $(trans d2 VI_1) $(trans d1 VI_2) $(trans d2 VI_2)"
[ "$before" = "$after" ] || fail "transitions during the reload: $before -> $after"
tail -n +"$((lines + 1))" "$T_DIR/vigild-d1.log" | grep -E "priority [0-9]+ -> |-> MASTER|-> BACKUP" \
  && fail "the reload changed a priority or a state (log above)"
grep -q "configuration generation 2" "$T_DIR/vigild-d1.log" || fail "the vrrp child did not take generation 2"
pass "a reload keeps the track scripts' verdicts: priority 90 and FAULT held, no transition"

# And the kept verdicts still follow the scripts afterwards.
touch "$T_DIR/ok" "$T_DIR/gate"
wait_for 4 is_state d1 VI_1 MASTER || fail "d1 did not take VI_1 back once its script passed"
wait_for 4 is_state d1 VI_2 MASTER || fail "VI_2 did not leave FAULT once its script passed"
pass "after the reload the scripts still move mastership"
