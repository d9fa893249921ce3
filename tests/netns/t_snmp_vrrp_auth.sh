#!/usr/bin/env bash
# vrrpTrapAuthFailure (RFC 2787) against a real snmpd and snmptrapd: a
# version-2 advert with the wrong password sends one with its sender and
# authFailure(3), one without authentication authTypeMismatch(2); a flood
# of 40 bad adverts is counted whole (vrrpStatsAuthFailures) but sends at
# most one notification per report of the vrrp child (one a second).
. "$(dirname "$0")/snmp_lib.sh"
INJ="python3 $VIGIL_SRC/tests/netns/vrrp_inject.py"

ns_add d1; ns_add x; lan_add
lan_join d1 eth0 192.0.2.1/24
lan_join x eth0 192.0.2.9/24
vrrp_conf d1 '{ name = "VI_2"; interface = "eth0"; vrid = 52; priority = 100; version = 2;
                advert_interval = 1.0; addresses = [ "192.0.2.20/24" ];
                authentication = { type = "pass"; password = "s3cret"; }; }'
sed -i "s|^global = { |global = { snmp = { agentx = \"$T_DIR/d1.agentx\"; traps = true; }; |" \
  "$T_DIR/d1.conf"
snmpd_start d1
snmptrapd_start d1
vigild_start d1 "$T_DIR/d1.conf"
wait_for 6 is_state d1 VI_2 MASTER || fail "VI_2 not master"
V2=1.3.6.1.2.1.68
wait_for 6 snmp_answers d1 $V2 || fail "snmpd does not answer VRRP-MIB"
sleep 1.2   # the snmp child has had a report: the next reject is news

traps() { grep -c "OID: \.$V2\.0\.2" "$T_DIR/d1.traps"; }
trap_has() {   # trap_has PATTERN...: one notification matches every pattern
  tr '\n' ' ' < "$T_DIR/d1.traps" | sed 's/20[0-9][0-9]-[0-9-]* [0-9:]* /\n/g' > "$T_DIR/traps1"
  local line; line=$(cat "$T_DIR/traps1")
  for p in "$@"; do line=$(grep -F -- "$p" <<< "$line") || return 1; done
}
in_ns x $INJ --src 192.0.2.9 --vrid 52 --version 2 --prio 254 --addr 192.0.2.20 --auth-pass wrong
wait_for 3 trap_has "OID: .$V2.0.2" ".$V2.1.5.0 = IpAddress: 192.0.2.9" ".$V2.1.6.0 = INTEGER: 3" \
  || { cat "$T_DIR/d1.traps"; fail "no vrrpTrapAuthFailure (authFailure) from 192.0.2.9"; }
pass "a wrong password: vrrpTrapAuthFailure with the sender and authFailure(3)"

in_ns x $INJ --src 192.0.2.9 --vrid 52 --version 2 --prio 254 --addr 192.0.2.20
wait_for 3 trap_has "OID: .$V2.0.2" ".$V2.1.6.0 = INTEGER: 2" \
  || { cat "$T_DIR/d1.traps"; fail "no vrrpTrapAuthFailure (authTypeMismatch)"; }
pass "no authentication: vrrpTrapAuthFailure with authTypeMismatch(2)"

sleep 1.2
before=$(traps)
ifx=$(in_ns d1 cat /sys/class/net/eth0/ifindex)
fails() { sget d1 $V2.2.4.1.4.$ifx.52 | awk '{print $2}'; }   # vrrpStatsAuthFailures
f0=$(fails)
t0=$(now_ms)
in_ns x $INJ --src 192.0.2.9 --vrid 52 --version 2 --prio 254 --addr 192.0.2.20 --auth-pass bad --count 40
secs=$(( ($(now_ms) - t0) / 1000 + 1 ))
counted() { [ "$(fails)" = $((f0 + 40)) ]; }
wait_for 3 counted || fail "vrrpStatsAuthFailures $(fails), want $((f0 + 40))"
more() { [ "$(traps)" -gt "$before" ]; }
wait_for 5 more || fail "no notification for the flood"
sleep 1.2
n=$(( $(traps) - before ))
log "40 bad adverts in about $secs s: $n notifications"
[ "$n" -ge 1 ] && [ "$n" -le $((secs + 2)) ] || fail "$n notifications for a flood of $secs s"
[ "$(vstate d1 VI_2)" = MASTER ] || fail "the flood moved VI_2"
pass "a flood of 40 is counted whole and sends at most one notification a second"
