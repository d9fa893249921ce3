#!/usr/bin/env bash
# VIGIL-MIB over AgentX against a real snmpd and snmptrapd: a director
# (checker only, dry run: no kernel IPVS in a namespace) with two virtual
# servers on one real-server namespace. Every row of every table of the
# walk is compared with `vigilctl status --json` read before and after
# it; a real server taken down sends vigilRsDown (reason included) and,
# its virtual server falling below quorum, vigilQuorumLost; brought back,
# vigilRsUp and vigilQuorumRegained; a killed checker, once restarted,
# vigilProcRestarted; and the walk matches the status again afterwards.
. "$(dirname "$0")/snmp_lib.sh"
. "$(dirname "$0")/chk_lib.sh"
chk_net
www="$T_DIR/www"; mkdir -p "$www"; echo ok > "$www/health.txt"
bg rs1 http python3 -m http.server --bind 198.51.100.11 --directory "$www" 80
bg rs1 http8080 python3 -m http.server --bind 198.51.100.12 --directory "$www" 8080
wait_for 5 port_up rs1 80 || fail "http.server did not start"
wait_for 5 port_up rs1 8080 || fail "http.server 8080 did not start"

conf="$T_DIR/vigil.conf"
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; script_user = "nobody";
           snmp = { agentx = "$T_DIR/d1.agentx"; traps = true; }; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80; check_interval = 0.3; quorum = 2;
    real_servers = (
      { address = "198.51.100.11"; port = 80; weight = 1;
        checks = ( { type = "http"; path = "/health.txt"; timeout = 1.0; rise = 1; fall = 1; },
                   { type = "tcp"; timeout = 1.0; rise = 1; fall = 1; } ); },
      { address = "198.51.100.12"; port = 8080; weight = 1;
        checks = ( { type = "tcp"; timeout = 1.0; rise = 1; fall = 1; } ); } ); },
  { address = "2001:db8::10"; port = 443; scheduler = "rr"; forwarding = "dr";
    real_servers = (
      { address = "2001:db8::11"; port = 443; weight = 3; } ); }
);
CONF
snmpd_start d1
snmptrapd_start d1
chk_vigild "$conf"
chk_expect web 198.51.100.11:80 up ok 3 web 198.51.100.12:8080 up "" 3 || fail "initial states"
ROOT=1.3.6.1.3.58432
wait_for 8 snmp_answers d1 $ROOT || fail "snmpd does not answer VIGIL-MIB"
# The rows come with a refresh after the checks' verdicts (every 2 s),
# and counts move every check: the walk is polled until it matches.
check() {
  vctl d1 status --json > "$T_DIR/before.json" || return 1
  swalk d1 $ROOT > "$T_DIR/walk"
  vctl d1 status --json > "$T_DIR/after.json" || return 1
  python3 "$VIGIL_SRC/tests/netns/snmp_vigil_check.py" "$T_DIR/walk" "$T_DIR/before.json" \
    "$T_DIR/after.json"
}
wait_for 10 check || { check; fail "VIGIL-MIB disagrees with vigilctl status"; }
for t in 2 3 4 6; do grep -q "^\.$ROOT\.1\.$t\.1\." "$T_DIR/walk" || fail "table $t is empty"; done
# Values the comparison cannot see from the status: the addresses as InetAddress.
grep -q "^\.$ROOT\.1\.2\.1\.5\.1 \"C0 00 02 0A *\"" "$T_DIR/walk" \
  || { grep "\.1\.2\.1\.5\." "$T_DIR/walk"; fail "vigilVsAddr.1 is not 192.0.2.10"; }
pass "every table walked, every row as vigilctl status --json says"

# The MIB file decodes the walk by name (what an NMS loads).
MIBDIRS="$SNMP_MIBS:$VIGIL_SRC/mibs" in_ns d1 snmpwalk -v2c -c public -m VIGIL-MIB 127.0.0.1 \
  vigilRsState > "$T_DIR/named" 2>&1
grep -q "vigilRsState.1.1 = INTEGER: up(1)" "$T_DIR/named" || { cat "$T_DIR/named"; fail "snmpwalk -m VIGIL-MIB does not decode"; }
pass "snmpwalk -m VIGIL-MIB reads the rows by name"

trap_has() {   # trap_has PATTERN...: one notification matches every pattern
  tr '\n' ' ' < "$T_DIR/d1.traps" | sed 's/20[0-9][0-9]-[0-9-]* [0-9:]* /\n/g' > "$T_DIR/traps1"
  local line; line=$(cat "$T_DIR/traps1")
  for p in "$@"; do line=$(grep -F -- "$p" <<< "$line") || return 1; done
}
N=".$ROOT.0"
# Real server 2 of "web" down: quorum 2 is lost (alive weight 1).
kill "$(in_ns rs1 ss -Hltnp 'sport = :8080' | grep -o 'pid=[0-9]*' | cut -d= -f2)"
wait_for 4 trap_has "OID: $N.2" ".$ROOT.1.3.1.6.1.2 = INTEGER: 2" ".$ROOT.1.3.1.4.1.2 = Gauge32: 8080" \
  ".$ROOT.1.2.1.2.1 = STRING: \"web\"" "refused" \
  || { cat "$T_DIR/d1.traps"; fail "no vigilRsDown for 198.51.100.12:8080 with its reason"; }
wait_for 2 trap_has "OID: $N.3" ".$ROOT.1.2.1.13.1 = Gauge32: 1" ".$ROOT.1.2.1.14.1 = Gauge32: 2" \
  || { cat "$T_DIR/d1.traps"; fail "no vigilQuorumLost for web"; }
pass "a real server down: vigilRsDown with its reason, then vigilQuorumLost"
wait_for 10 check || { check; fail "VIGIL-MIB disagrees with vigilctl status after the failure"; }

bg rs1 http8080b python3 -m http.server --bind 198.51.100.12 --directory "$www" 8080
wait_for 4 trap_has "OID: $N.1" ".$ROOT.1.3.1.6.1.2 = INTEGER: 1" \
  || { cat "$T_DIR/d1.traps"; fail "no vigilRsUp"; }
wait_for 2 trap_has "OID: $N.4" ".$ROOT.1.2.1.13.1 = Gauge32: 2" \
  || { cat "$T_DIR/d1.traps"; fail "no vigilQuorumRegained"; }
pass "back: vigilRsUp and vigilQuorumRegained"

# The checker killed: restarted, vigilProcRestarted names it.
vctl d1 status --json > "$T_DIR/st.json"
kill -KILL "$(json_get "[p['pid'] for p in r['processes'] if p['name']=='checker'][0]" < "$T_DIR/st.json")"
wait_for 6 trap_has "OID: $N.5" ".$ROOT.1.6.1.2.1 = STRING: \"checker\"" ".$ROOT.1.6.1.5.1 = Counter32: 1" \
  || { cat "$T_DIR/d1.traps"; fail "no vigilProcRestarted for the checker"; }
pass "a restarted checker: vigilProcRestarted"
wait_for 10 check || { check; fail "VIGIL-MIB disagrees with vigilctl status after the restart"; }
pass "the walk still matches"
