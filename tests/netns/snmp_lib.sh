# tests/netns/snmp_lib.sh — a real snmpd as AgentX master, and snmptrapd,
# in a test's namespace (on top of vrrp_lib.sh).
#
#   snmp_mibs                  the IETF MIB directory (shared/mibs), or skip
#   snmpd_start NODE           snmpd in NODE: SNMP on 127.0.0.1:161 only, AgentX on
#                              $T_DIR/NODE.agentx (mode 0777), traps to 127.0.0.1:1162;
#                              its own config, no host file; sets SNMPD_PID
#   snmptrapd_start NODE       snmptrapd on 127.0.0.1:1162 writing $T_DIR/NODE.traps
#   swalk NODE OID             numeric walk: "OID VALUE" lines (-On -Oq -Ot -Oe -Ox)
#   sget NODE OID              the same for one OID
#   snmp_answers NODE OID      the agent has an object at OID (a walk finds one)
. "$(dirname "${BASH_SOURCE[0]}")/vrrp_lib.sh"

command -v snmpd >/dev/null || skip "no snmpd (apt-get install snmpd)"
command -v snmpwalk >/dev/null || skip "no snmpwalk (apt-get install snmp)"

# Debian ships net-snmp without the IETF base modules; shared/mibs has them.
snmp_mibs() {
  local d
  for d in "${VIGIL_MIBS:-}" "$VIGIL_SRC/../shared/mibs" \
           "$(git -C "$VIGIL_SRC" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)/../../shared/mibs"; do
    [ -n "$d" ] && [ -f "$d/VRRPv3-MIB.txt" ] && { (cd "$d" && pwd); return 0; }
  done
  return 1
}
SNMP_MIBS=$(snmp_mibs) || skip "no MIB directory with VRRPv3-MIB.txt (set VIGIL_MIBS)"
# Every net-snmp tool here loads only what it is told, from there.
export MIBDIRS="$SNMP_MIBS" MIBS="" SNMPCONFPATH="$T_DIR/snmpconf"
mkdir -p "$T_DIR/snmpconf"

snmpd_start() {
  local node="$1"
  mkdir -p "$T_DIR/$node.snmp"
  cat > "$T_DIR/$node.snmpd.conf" <<CONF
agentAddress udp:127.0.0.1:161
master agentx
agentXSocket $T_DIR/$node.agentx
agentXPerms 0777 0755
rocommunity public 127.0.0.1
trap2sink 127.0.0.1:1162 public
CONF
  rm -f "$T_DIR/$node.agentx"
  bg "$node" "snmpd-$node" env SNMP_PERSISTENT_DIR="$T_DIR/$node.snmp" \
    snmpd -f -Lo -C -c "$T_DIR/$node.snmpd.conf" -p "$T_DIR/$node.snmpd.pid"
  SNMPD_PID=$BG_PID
  wait_for 5 test -S "$T_DIR/$node.agentx" || fail "snmpd in $node did not open its AgentX socket"
}

snmptrapd_start() {
  local node="$1"
  echo "disableAuthorization yes" > "$T_DIR/$node.snmptrapd.conf"
  : > "$T_DIR/$node.traps"
  bg "$node" "snmptrapd-$node" env SNMP_PERSISTENT_DIR="$T_DIR/$node.snmp" \
    snmptrapd -f -C -c "$T_DIR/$node.snmptrapd.conf" -On -Lf "$T_DIR/$node.traps" \
    udp:127.0.0.1:1162
  wait_for 5 sh -c "ip netns exec $(ns_name "$node") ss -Hlun 'sport = :1162' | grep -q ." \
    || fail "snmptrapd did not bind 127.0.0.1:1162"
}

swalk() { in_ns "$1" snmpwalk -v2c -c public -t 2 -r 1 -On -Oq -Ot -Oe -Ox 127.0.0.1 "$2" 2>/dev/null; }
sget() { in_ns "$1" snmpget -v2c -c public -t 2 -r 1 -On -Oq -Ot -Oe -Ox 127.0.0.1 "$2" 2>/dev/null; }
snmp_answers() { swalk "$1" "$2" | grep -q "^\\.$2\\."; }
