#!/usr/bin/env bash
# The master's parent SIGKILLed and started again, under traffic
# (tests/vm/faults_lib.sh: a NAT pair with connection sync, a client
# polling the VIP and holding three echo sessions).
#
# What is right, and asserted:
#   - the children go with the parent (PR_SET_PDEATHSIG sends them SIGTERM):
#     the vrrp child stops as a master does, priority 0 and addresses
#     released, so the backup d2 takes the sync group over at once (its
#     Skew_Time), not after Master_Down_Interval;
#   - the kernel table outlives the parent: unchanged while none runs;
#   - the new parent adopts it as it is: the same services, destinations
#     and weights, the same established connections, and not one IPVS
#     operation, also once its checker has reported on every real server;
#   - d1 (priority 150, preempt) takes the group back from d2 (100);
#   - the long-lived sessions survive both moves (connection sync): no
#     reset, echoes go on; the polls are counted and reported.
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd ipvsadm python3
. "$VIGIL_SRC/tests/vm/faults_lib.sh"

faults_bed
faults_start d1
vm_wait_for 30 is_gstate d1 MASTER || vm_fail "d1 not MASTER"
faults_start d2
faults_ready
faults_client
# The sessions' connections reach the backup through the sync daemon.
synced() { [ "$(ip netns exec d2 ipvsadm -Lnc | grep -c " $VIP:7 ")" -ge 3 ]; }
vm_wait_for 20 synced || vm_fail "the echo sessions were not synced to d2: $(ip netns exec d2 ipvsadm -Lnc)"
vm_log "client going: $(cstat '"ok %d failed %d" % (r["ok"], r["failed"])'), sessions on $(cstat '" ".join(s["rs"] for s in r["sessions"])')"

table_before=$(table d1)
conns_before=$(conns d1)
[ "$(echo "$conns_before" | wc -l)" = 3 ] || vm_fail "three established echo connections expected on d1: $conns_before"
failed_before=$(cstat 'r["failed"]')
child_pid d1 checker; checker=$CHILD
child_pid d1 vrrp; vrrp=$CHILD
if [ -z "$checker" ] || [ -z "$vrrp" ]; then vm_fail "d1's children not found"; fi

# --- the kill ------------------------------------------------------------------------
t0=${EPOCHREALTIME/./}
kill -KILL "$PID_d1"
vm_wait_for 10 sh -c "! kill -0 $checker 2>/dev/null && ! kill -0 $vrrp 2>/dev/null" \
  || vm_fail "d1's children outlived their parent"
vm_wait_for 10 is_gstate d2 MASTER || { tail -n 30 "$T/d2.log"; vm_fail "d2 did not take over"; }
took=$(( ($(gsince_us d2) - t0) / 1000 ))
vm_log "d2 MASTER ${took} ms after the kill (at ${t0:0:10}.${t0:10:3})"
# Master_Down_Interval is 3 x 0.5 s + skew: a release is heard well before.
[ "$took" -lt 1500 ] || vm_fail "d2 took ${took} ms: the vrrp child did not release the group"
ip -n d1 -o addr show | grep -q " $VIP/" && vm_fail "d1 kept the VIP after its vrrp child stopped"
vm_expect_eq "d1's table with no parent" "$table_before" "$(table d1)"

# --- the restart ----------------------------------------------------------------------
log_at=$(wc -c < "$T/d1.log")
sleep 1
faults_start d1
t1=${EPOCHREALTIME/./}
reconciled() { [ "$(vstatus d1 'r["ipvs"]["reconciles"]')" -ge 1 ]; }
vm_wait_for 20 reconciled || vm_fail "the new parent did not reconcile"
ops() { vstatus d1 'sum(r["ipvs"]["ops"].values()) + r["ipvs"]["errors"]'; }
n=$(ops)
vm_log "new parent: $n IPVS operations at start"
[ "$n" = 0 ] || { tail -c +"$log_at" "$T/d1.log"; vm_fail "the new parent made $n IPVS operations at start"; }
# Once the new checker has reported on every real server, still none.
reported() {
  [ "$(vstatus d1 'sum(1 for v in r["virtual_servers"] for s in v["real_servers"] if s["health"]["last_result"])')" = 6 ]
}
vm_wait_for 30 reported || vm_fail "the new checker did not report on all six real servers"
n=$(ops)
vm_log "new parent: $n IPVS operations once every real server reported"
[ "$n" = 0 ] || { tail -c +"$log_at" "$T/d1.log"; vm_fail "the new parent made $n IPVS operations"; }
if tail -c +"$log_at" "$T/d1.log" | grep -E "ipvs: [0-9]+ operations"; then
  vm_fail "the new parent's log shows IPVS operations"
fi
vm_expect_eq "d1's table adopted" "$table_before" "$(table d1)"
conns_after=$(conns d1)
missing=$(comm -23 <(echo "$conns_before") <(echo "$conns_after"))
[ -z "$missing" ] || vm_fail "established echo connections lost on d1: $missing"
vm_log "ok: d1's established echo connections are all there"

vm_wait_for 20 is_gstate d1 MASTER || { tail -n 30 "$T/d1.log"; vm_fail "d1 did not take the group back"; }
vm_log "d1 MASTER again $(( ($(gsince_us d1) - t1) / 1000 )) ms after its restart (at ${t1:0:10}.${t1:10:3})"
vm_wait_for 10 is_gstate d2 BACKUP || vm_fail "d2 did not yield"
vm_wait_for 15 is_sync d1 master || vm_fail "d1: no master sync daemon: $(daemons d1)"
back=${EPOCHREALTIME/./}

# --- traffic after both moves ------------------------------------------------------
sleep 3
faults_client_stop
vm_log "client: $(cstat '"ok %d failed %d by_rs %s" % (r["ok"], r["failed"], r["by_rs"])')"
vm_log "failures: $(cstat 'r["failures"]')"
vm_log "sessions: $(cstat '[(s["rs"], s["echoes"], s["max_gap"], s["error"]) for s in r["sessions"]]')"
errs=$(cstat 'sum(1 for s in r["sessions"] if s["error"])')
[ "$errs" = 0 ] || vm_fail "$errs long-lived sessions broke: $(cstat '[s["error"] for s in r["sessions"]]')"
late=$(cstat "sum(1 for s in r['sessions'] if s['last_echo'] and s['last_echo'] * 1e6 > $back + 2e6)")
[ "$late" = 3 ] || vm_fail "only $late sessions still echo after d1 took the group back"
FAULTS_PASSED=1
vm_log "PASS: parent killed and restarted: table and connections adopted with 0 operations;" \
  "$(( $(cstat 'r["failed"]') - failed_before )) polls failed during the two moves; the sessions survived"
