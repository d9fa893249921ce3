#!/usr/bin/env bash
# SNMP over AgentX, against a real snmpd per director: two vigild on one
# LAN, each with its own snmpd (AgentX on a unix socket in $T_DIR, SNMP on
# 127.0.0.1 only) and snmptrapd. Walks VRRPv3-MIB and VRRP-MIB and checks
# every row against `vigilctl vrrp --json`; a failover sends
# vrrpv3NewMaster (and vrrpTrapNewMaster for the v2 instance) with the new
# master's address and reason; the subagent runs as nobody with no
# capability; snmpd killed and restarted: the subagent reconnects and
# answers again, and VRRP never noticed.
. "$(dirname "$0")/snmp_lib.sh"

ns_add d1; ns_add d2; lan_add
lan_join d1 eth0 192.0.2.1/24 2001:db8::1/64
lan_join d2 eth0 192.0.2.2/24 2001:db8::2/64

INSTS='{ name = "VI_1"; interface = "eth0"; vrid = 51; priority = PRIO; version = 3;
         advert_interval = 0.5; addresses = [ "192.0.2.10/24", "192.0.2.9/24" ]; },
       { name = "VI_2"; interface = "eth0"; vrid = 52; priority = PRIO; version = 2;
         advert_interval = 1.0; addresses = [ "192.0.2.20/24" ]; },
       { name = "VI_6"; interface = "eth0"; vrid = 53; priority = PRIO; version = 3;
         advert_interval = 0.5; addresses = [ "2001:db8::10/64" ]; }'
for n in d1:150 d2:100; do
  node=${n%%:*}
  vrrp_conf "$node" "${INSTS//PRIO/${n##*:}}"
  sed -i "s|^global = { |global = { snmp = { agentx = \"$T_DIR/$node.agentx\"; traps = true; }; |" \
    "$T_DIR/$node.conf"
  snmpd_start "$node"
  snmptrapd_start "$node"
done
vigild_start d2 "$T_DIR/d2.conf"
wait_for 6 is_state d2 VI_1 MASTER || fail "d2 alone did not become master"
vigild_start d1 "$T_DIR/d1.conf"; D1=$VIGILD_PID
for i in VI_1 VI_2 VI_6; do
  wait_for 8 is_state d1 $i MASTER || fail "d1 (150) not master of $i"
  wait_for 3 is_state d2 $i BACKUP || fail "d2 not backup of $i"
done
V3=1.3.6.1.2.1.207
V2=1.3.6.1.2.1.68
wait_for 6 snmp_answers d1 $V3 || fail "d1's snmpd does not answer VRRPv3-MIB"
wait_for 6 snmp_answers d2 $V3 || fail "d2's snmpd does not answer VRRPv3-MIB"
pass "both subagents registered with their snmpd"

# Every row against vigild's own view, on the master and on the backup.
ifindex() { in_ns "$1" cat /sys/class/net/eth0/ifindex; }
check_node() {
  local node="$1"
  vctl "$node" vrrp --json > "$T_DIR/$node.before.json" || return 1
  { swalk "$node" $V3; swalk "$node" $V2; } > "$T_DIR/$node.walk"
  vctl "$node" vrrp --json > "$T_DIR/$node.after.json" || return 1
  python3 "$VIGIL_SRC/tests/netns/snmp_check.py" vigil "$T_DIR/$node.walk" \
    "$T_DIR/$node.before.json" "$T_DIR/$node.after.json" "$(ifindex "$node")"
}
# The backup must have heard the master first (its reports come once a second).
wait_for 3 vis d2 VI_6 'i["master"] and i["master"]["address"]' "$(in_ns d1 ip -6 -o addr show dev eth0 scope link | awk '{print $4}' | cut -d/ -f1)" \
  || fail "d2 does not name d1 as VI_6's master"
# The subagent's view follows vigild's by one report: polled until they agree.
wait_for 6 check_node d1 || fail "d1's MIB disagrees with vigilctl vrrp"
wait_for 6 check_node d2 || fail "d2's MIB disagrees with vigilctl vrrp"
pass "VRRPv3-MIB and VRRP-MIB rows match vigilctl vrrp --json on master and backup"

# GETBULK (what most NMSes walk with) sees the same rows as GETNEXT.
bulk() { in_ns d1 snmpbulkwalk -v2c -c public -Cr25 -On -Oq -Ot -Oe -Ox 127.0.0.1 "$1" | grep -v "\.12\.[0-9]*\.5[123]\.[12] "; }
[ "$(bulk $V3)" = "$(swalk d1 $V3 | grep -v "\.12\.[0-9]*\.5[123]\.[12] ")" ] || fail "GETBULK and GETNEXT disagree"
[ "$(bulk $V3 | wc -l)" -ge 70 ] || fail "GETBULK walk too short"
pass "GETBULK walks the same rows (up-times aside)"

# With the IETF modules (VRRPV3-MIB is its module name) the walk reads by name: the index decodes (the
# associated address carries its length octet).
in_ns d1 snmpwalk -v2c -c public -m VRRPV3-MIB 127.0.0.1 vrrpv3AssociatedIpAddrRowStatus \
  > "$T_DIR/d1.named" 2>&1
# The InetAddress index decodes to 4 (or 16) octets: its length came first.
[ "$(grep -c 'RowStatus\.[0-9]*\.51\.ipv4\."\.\.\.\." = INTEGER: active(1)' "$T_DIR/d1.named")" = 2 ] &&
  grep -q 'RowStatus\.[0-9]*\.53\.ipv6\."[^"]\{16\}" = INTEGER: active(1)' "$T_DIR/d1.named" \
  || { cat "$T_DIR/d1.named"; fail "the associated address index does not decode"; }
pass "snmpwalk -m VRRPV3-MIB decodes the rows by name"

# The subagent: its own process, script_user, no capability at all.
snmp_pid=$(vctl d1 status --json | json_get '[p["pid"] for p in r["processes"] if p["name"] == "snmp"][0]')
[ "$(stat -c %U /proc/$snmp_pid)" = nobody ] || fail "the snmp child is not nobody"
grep -q "^CapEff:.0000000000000000" /proc/$snmp_pid/status || fail "the snmp child has capabilities"
grep -q "^CapBnd:.0000000000000000" /proc/$snmp_pid/status || fail "the snmp child's bounding set is not empty"
pass "the snmp child runs as nobody with no capability"

# Failover: d1 stops (priority 0) -> d2 is master of all three, and says so.
kill -TERM $D1
for i in VI_1 VI_2 VI_6; do wait_for 4 is_state d2 $i MASTER || fail "d2 did not take $i over"; done
d2_v4=c0000202
trap_has() {   # trap_has NODE PATTERN...: one notification line matches every pattern
  local node="$1"; shift
  tr '\n' ' ' < "$T_DIR/$node.traps" | sed 's/20[0-9][0-9]-[0-9-]* [0-9:]* /\n/g' > "$T_DIR/$node.traps1"
  local line; line=$(cat "$T_DIR/$node.traps1")
  for p in "$@"; do line=$(grep -F -- "$p" <<< "$line") || return 1; done
}
idx51=".$(ifindex d2).51.1"
wait_for 4 trap_has d2 "OID: .1.3.6.1.2.1.207.0.1" ".1.3.6.1.2.1.207.1.1.1.1.3$idx51 = Hex-STRING: C0 00 02 02" \
  ".1.3.6.1.2.1.207.1.2.5.1.2$idx51 = INTEGER: 1" \
  || { cat "$T_DIR/d2.traps"; fail "no vrrpv3NewMaster for VI_1 (address 192.0.2.2, reason priority)"; }
wait_for 2 trap_has d2 "OID: .1.3.6.1.2.1.207.0.1" ".1.3.6.1.2.1.207.1.2.5.1.2.$(ifindex d2).53.2 = INTEGER: 1" \
  || fail "no vrrpv3NewMaster for the IPv6 instance"
wait_for 2 trap_has d2 "OID: .1.3.6.1.2.1.68.0.1" ".1.3.6.1.2.1.68.1.3.1.7.$(ifindex d2).52 = IpAddress: 192.0.2.2" \
  || fail "no vrrpTrapNewMaster for the v2 instance"
pass "failover: vrrpv3NewMaster (reason priority(1)) and vrrpTrapNewMaster from d2"
wait_for 6 check_node d2 || fail "d2's MIB disagrees with vigilctl vrrp after the failover"
[ "$(sget d2 $V3.1.2.5.1.1$idx51 | awk '{print $2}')" -ge 2 ] || fail "MasterTransitions did not count"

# snmpd killed: vigild and VRRP carry on; snmpd back: the subagent
# reconnects (AgentX ping every 5 s) and answers again.
trans_before=$(vfield d2 VI_1 'i["transitions"]')
old_snmpd=$(cat "$T_DIR/d2.snmpd.pid")
kill -TERM "$old_snmpd"
wait_for 5 grep -q "lost the AgentX master" "$T_DIR/vigild-d2.log" || fail "the loss was not logged"
sleep 2
wait_for 5 eval "! kill -0 $old_snmpd 2>/dev/null" || fail "the old snmpd still runs"
snmpd_start d2
wait_for 12 snmp_answers d2 $V3 || fail "the subagent did not come back within 12 s"
reconnected() { grep -A100 "lost the AgentX" "$T_DIR/vigild-d2.log" | grep -q "snmp: connected to the AgentX"; }
wait_for 2 reconnected || fail "the reconnection was not logged"
[ "$(grep -c 'lost the AgentX master' "$T_DIR/vigild-d2.log")" = 1 ] || fail "the loss was logged more than once"
[ "$(vfield d2 VI_1 'i["transitions"]')" = "$trans_before" ] || fail "VRRP changed state meanwhile"
[ "$(vstate d2 VI_1)" = MASTER ] || fail "d2 is no longer master"
wait_for 6 check_node d2 || fail "d2's MIB disagrees with vigilctl vrrp after the reconnection"
restarts=$(vctl d2 status --json | json_get '[p for p in r["processes"] if p["name"] == "snmp"][0]["restarts"]')
[ "$restarts" = 0 ] || fail "the snmp child was restarted"
pass "snmpd restarted: the subagent reconnected and answers; VRRP state never changed"

# Reload without global.snmp: the child stops for good; with it: it is back.
snmp_state() { vctl d2 status --json | json_get '([p["state"] for p in r["processes"] if p["name"] == "snmp"] or ["absent"])[0]'; }
snmp_is() { [ "$(snmp_state)" = "$1" ]; }
cp "$T_DIR/d2.conf" "$T_DIR/d2.conf.snmp"
sed -i 's|snmp = { [^}]*}; ||' "$T_DIR/d2.conf"
vctl d2 reload > /dev/null || fail "reload without snmp refused"
wait_for 5 snmp_is absent || fail "the snmp child still runs: $(snmp_state)"
sleep 2
[ "$(snmp_state)" = absent ] || fail "the snmp child was restarted"
snmp_answers d2 $V3 && fail "the MIB is still answered"
cp "$T_DIR/d2.conf.snmp" "$T_DIR/d2.conf"
vctl d2 reload > /dev/null || fail "reload with snmp refused"
wait_for 5 snmp_is running || fail "the snmp child did not start: $(snmp_state)"
wait_for 6 snmp_answers d2 $V3 || fail "the MIB is not answered after the reload"
wait_for 6 check_node d2 || fail "d2's MIB disagrees after the reload (replayed state)"
[ "$(vfield d2 VI_1 'i["transitions"]')" = "$trans_before" ] || fail "VRRP changed state over the reloads"
pass "reload: removing global.snmp stops the child, adding it starts it with the current state"
