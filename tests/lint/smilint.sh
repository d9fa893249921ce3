#!/usr/bin/env bash
# VIGIL-MIB passes smilint (libsmi) at its strictest level, 9: no error,
# warning or note of any level, and smidump finds every table, column
# group and notification the snmp child serves (an object left out of a
# group, a mistyped import or a duplicate number all make smilint speak).
#
#   smilint.sh SRC_DIR
# The IETF modules it imports come from ../shared/mibs (Debian ships
# libsmi without them) or $VIGIL_MIBS.
src="$1"
mib="$src/mibs/VIGIL-MIB.txt"
command -v smilint >/dev/null || { echo "no smilint (apt-get install smitools)"; exit 77; }
dir=""
for d in "${VIGIL_MIBS:-}" "$src/../shared/mibs" \
         "$(git -C "$src" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)/../../shared/mibs"; do
  [ -n "$d" ] && [ -f "$d/SNMPv2-SMI.txt" ] && { dir=$d; break; }
done
[ -n "$dir" ] || { echo "no MIB directory with SNMPv2-SMI.txt (set VIGIL_MIBS)"; exit 77; }
export SMIPATH="$dir"
out=$(smilint -l 9 -s "$mib" 2>&1)
status=$?
if [ -n "$out" ] || [ $status -ne 0 ]; then
  echo "$out"
  exit 1
fi
# The arc the snmp child registers (snmp/snmp.h SNMP_VIGIL_OID) is the module's.
oid=$(smidump -f identifiers "$mib" 2>/dev/null | awk '$2 == "vigilMIB" { print $4 }')
want=$(sed -n 's/^#define SNMP_VIGIL_OID \([0-9, ]*\).*/\1/p' "$src/snmp/snmp.h" | tr -d ' ' | tr , .)
[ "$oid" = "$want" ] || { echo "vigilMIB is $oid in the MIB, $want in snmp/snmp.h"; exit 1; }
echo "$mib: smilint -l 9 clean, vigilMIB = $oid"
