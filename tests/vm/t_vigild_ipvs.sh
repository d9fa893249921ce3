#!/usr/bin/env bash
# vigild programs the real kernel's IPVS table (issue: IPVS glue):
# - a config with every scheduler, NAT/DR/TUN, fwmark, IPv6, UDP+ops, SCTP
#   and persistence gives exactly the expected `ipvsadm -S -n`;
# - a service added by hand survives start, reload and stop;
# - reloads make the minimal operations (one weight -> one edit, one real
#   server removed -> one delete, one service added -> one add + its dests,
#   nothing changed -> none), counted by the daemon;
# - vigilctl reload --dry-run lists the operations and changes nothing;
# - drain/undrain/weight change the kernel weight;
# - a virtual-server group's drain reaches every member's service;
# - global ipvs_timeouts are set at start and by a reload;
# - TERM removes what vigild owns; keep_ipvs_on_exit leaves it.
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd ipvsadm python3

VIGILD="$VIGIL_BUILD/daemon/vigild"
VIGILCTL="$VIGIL_BUILD/ctl/vigilctl"
T=$(mktemp -d /tmp/vigild-ipvs.XXXXXX)
SOCK=/run/vigil-test/vigil.sock
modprobe ip_vs
vm_on_exit ipvsadm -C
vm_on_exit rm -rf "$T"

ipvsadm -A -t 203.0.113.99:25 -s rr             # the operator's own service
ipvsadm -a -t 203.0.113.99:25 -r 198.51.100.99:25 -m
hand='-A -t 203.0.113.99:25 -s rr
-a -t 203.0.113.99:25 -r 198.51.100.99:25 -m -w 1'

cp "$VIGIL_SRC/tests/vm/data/vigild-table.conf" "$T/vigil.conf"
start() {
  "$VIGILD" -n -l -f "$T/vigil.conf" -p "$T/vigild.pid" > "$T/vigild.log" 2>&1 &
  PID=$!
  vm_on_exit sh -c "kill -9 $PID 2>/dev/null || true"
  vm_wait_for 10 test -S "$SOCK" || { cat "$T/vigild.log"; vm_fail "vigild did not start"; }
  vm_wait_for 10 reconciled || { cat "$T/vigild.log"; vm_fail "no reconcile"; }
}
status() { "$VIGILCTL" -s "$SOCK" status --json; }
st() { status | python3 -c "import json,sys; r=json.load(sys.stdin); print($1)"; }
reconciled() { [ "$(st 'r["ipvs"]["reconciles"]')" -ge 1 ]; }
ops() { st '" ".join("%s=%d" % (k, v) for k, v in sorted(r["ipvs"]["ops"].items()) if v)'; }
table() { ipvsadm -S -n | sort; }

start
expected=$(cat "$VIGIL_SRC/tests/vm/data/vigild-table.expected"; echo "$hand")
vm_expect_eq "table after start" "$(sort <<<"$expected")" "$(table)"
vm_log "PASS: start programs the exact table ($(ops))"
vm_expect_eq "timeouts after start" "Timeout (tcp tcpfin udp): 7200 30 60" "$(ipvsadm -L --timeout)"
vm_log "PASS: start sets the connection timeouts"

# Reload with nothing changed: no operation at all.
before=$(ops)
kill -HUP "$PID"
vm_wait_for 5 grep -q "generation 2 loaded" "$T/vigild.log" || vm_fail "reload 1 not taken"
sleep 0.5
vm_expect_eq "ops after a no-op reload" "$before" "$(ops)"
vm_log "PASS: unchanged reload makes no operation"

# Dry run: one weight change is previewed as one edit, and not made.
sed -i 's/address = "198.51.100.11"; port = 80; weight = 3;/address = "198.51.100.11"; port = 80; weight = 4;/' "$T/vigil.conf"
preview=$("$VIGILCTL" -s "$SOCK" reload --dry-run)
vm_log "preview: $preview"
grep -q "^edit dest tcp 192.0.2.1:80 -> 198.51.100.11:80 weight 4" <<<"$preview" || vm_fail "preview lacks the edit"
grep -q "dry run: 1 IPVS operation" <<<"$preview" || vm_fail "preview is not exactly one operation"
ipvsadm -S -n | grep -q -- "-a -t 192.0.2.1:80 -r 198.51.100.11:80 -m -w 3" || vm_fail "dry run changed the kernel"
vm_log "PASS: reload --dry-run previews one edit and changes nothing"

# Now for real: exactly one edit.
"$VIGILCTL" -s "$SOCK" reload >/dev/null
vm_wait_for 5 sh -c "ipvsadm -S -n | grep -q -- '-r 198.51.100.11:80 -m -w 4'" || vm_fail "weight not applied"
[ "$(st 'r["ipvs"]["last"]["ops"]')" = 1 ] || vm_fail "weight change took $(st 'r["ipvs"]["last"]["ops"]') ops"
vm_log "PASS: one weight change = one edit ($(st 'r["ipvs"]["last"]["ms"]') ms)"

# One real server removed: one delete.
python3 - "$T/vigil.conf" <<'PY'
import sys; p = sys.argv[1]; s = open(p).read()
s = s.replace(',\n                     { address = "198.51.100.14"; port = 80; } ); },', ' ); },')
open(p, "w").write(s)
PY
"$VIGILCTL" -s "$SOCK" reload >/dev/null
vm_wait_for 5 sh -c "! ipvsadm -S -n | grep -q 198.51.100.14" || vm_fail "real server not removed"
[ "$(st 'r["ipvs"]["last"]["ops"]')" = 1 ] || vm_fail "removal took $(st 'r["ipvs"]["last"]["ops"]') ops"
vm_log "PASS: one real server removed = one delete"

# One service added: one add + its two destinations.
python3 - "$T/vigil.conf" <<'PY'
import sys; p = sys.argv[1]; s = open(p).read()
s = s.replace('virtual_servers = (', '''virtual_servers = (
  { name = "new"; address = "192.0.2.50"; port = 8443; scheduler = "wrr";
    real_servers = ( { address = "198.51.100.51"; port = 8443; }, { address = "198.51.100.52"; port = 8443; } ); },''', 1)
open(p, "w").write(s)
PY
"$VIGILCTL" -s "$SOCK" reload >/dev/null
vm_wait_for 5 sh -c "ipvsadm -S -n | grep -q 198.51.100.52:8443" || vm_fail "service not added"
[ "$(st 'r["ipvs"]["last"]["ops"]')" = 3 ] || vm_fail "adding a service took $(st 'r["ipvs"]["last"]["ops"]') ops"
vm_log "PASS: one service added = 1 add + 2 dests"

# Operator steering.
"$VIGILCTL" -s "$SOCK" drain new 198.51.100.51:8443
vm_wait_for 5 sh -c "ipvsadm -S -n | grep -q -- '-r 198.51.100.51:8443 -m -w 0'" || vm_fail "drain not applied"
"$VIGILCTL" -s "$SOCK" weight 192.0.2.50:8443/tcp 198.51.100.52:8443 7
vm_wait_for 5 sh -c "ipvsadm -S -n | grep -q -- '-r 198.51.100.52:8443 -m -w 7'" || vm_fail "weight not applied"
[ "$(st '[s for s in r["virtual_servers"] if s["name"]=="new"][0]["real_servers"][0]["override"]')" = drain ] \
  || vm_fail "status does not show the drain"
kill -HUP "$PID"   # an unchanged real server keeps its override over a reload
sleep 1
ipvsadm -S -n | grep -q -- '-r 198.51.100.51:8443 -m -w 0' || vm_fail "drain lost on reload"
"$VIGILCTL" -s "$SOCK" undrain new 198.51.100.51:8443
vm_wait_for 5 sh -c "ipvsadm -S -n | grep -q -- '-r 198.51.100.51:8443 -m -w 1'" || vm_fail "undrain not applied"
rc=0; "$VIGILCTL" -s "$SOCK" drain nosuch 198.51.100.51:8443 2>"$T/err" || rc=$?
[ $rc = 1 ] && grep -q "unknown virtual server" "$T/err" || vm_fail "unknown VS: rc=$rc $(cat "$T/err")"
vm_log "PASS: drain, weight, undrain; overrides survive reload; unknown VS refused"

# A group's virtual server: one drain reaches every member's service.
farm() { [ "$(ipvsadm -S -n | grep -c -- "-r 198.51.100.17:0 -g -w $1")" = 4 ]; }
"$VIGILCTL" -s "$SOCK" drain farm 198.51.100.17:0
vm_wait_for 5 farm 0 || vm_fail "group drain not applied to every member: $(ipvsadm -S -n | grep 198.51.100.17)"
"$VIGILCTL" -s "$SOCK" undrain farm 198.51.100.17:0
vm_wait_for 5 farm 1 || vm_fail "group undrain not applied to every member"
[ "$(st '[s for s in r["virtual_servers"] if s["name"]=="farm"][0]["services"]')" = 4 ] \
  || vm_fail "status does not count the group's services"
vm_log "PASS: a group is one service per member; drain and undrain reach them all"

# A reload that changes a timeout sets it; the others stay.
sed -i 's/tcp_fin = 30;/tcp_fin = 45;/' "$T/vigil.conf"
"$VIGILCTL" -s "$SOCK" reload >/dev/null
vm_wait_for 5 sh -c "ipvsadm -L --timeout | grep -q ': 7200 45 60'" || vm_fail "timeouts not changed by reload: $(ipvsadm -L --timeout)"
vm_log "PASS: a reload changes the timeouts"

# TERM removes what vigild owns, and nothing else.
kill -TERM "$PID"
vm_wait_for 10 sh -c "! kill -0 $PID 2>/dev/null" || vm_fail "vigild did not stop"
vm_expect_eq "table after TERM" "$(sort <<<"$hand")" "$(table)"
vm_log "PASS: TERM removes only vigild's services"

# keep_ipvs_on_exit leaves the table in place.
sed -i 's/router_id = "vm";/router_id = "vm"; keep_ipvs_on_exit = true;/' "$T/vigil.conf"
start
kept=$(table)
kill -TERM "$PID"
vm_wait_for 10 sh -c "! kill -0 $PID 2>/dev/null" || vm_fail "vigild did not stop"
vm_expect_eq "table after TERM with keep_ipvs_on_exit" "$kept" "$(table)"
vm_log "PASS: keep_ipvs_on_exit keeps the table"
