#!/usr/bin/env bash
# The master's checker child SIGKILLed at random moments, under traffic
# (tests/vm/faults_lib.sh: a NAT pair with connection sync, a client
# polling the VIP and holding three echo sessions).
#
# 100 kills, each 0-1500 ms at random after the previous checker's
# replacement appeared, wherever it is in its life (starting, waiting for
# its configuration, probing). The parent starts a child killed from
# outside again after 0.1 s (vigild(8)). It keeps the last known state
# until a checker reports, so:
#   - no poll fails, no session breaks;
#   - the IPVS table, sampled on the master through the run, always holds
#     the six destinations at weight 1, and the parent makes no IPVS
#     operation at all, also once the last checker is back and reporting;
#   - VRRP does not notice: d1 stays MASTER with no transition.
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
ops() { vstatus d1 'sum(r["ipvs"]["ops"].values()) + r["ipvs"]["errors"]'; }
transitions() { vstatus d1 'r["vrrp"]["sync_groups"][0]["transitions"]'; }
ops0=$(ops); tr0=$(transitions)
vm_log "client going: $(cstat '"ok %d failed %d" % (r["ok"], r["failed"])'); d1: $ops0 IPVS operations, $tr0 group transitions"
log_at=$(wc -c < "$T/d1.log")

# The master's table, sampled through the run.
( while :; do echo "@ ${EPOCHREALTIME}"; ip netns exec d1 ipvsadm -Ln; sleep 0.2; done ) > "$T/samples" 2>&1 &
SAMPLER=$!
vm_on_exit sh -c "kill $SAMPLER 2>/dev/null || true"

hits=0 prev=
t0=${EPOCHREALTIME/./}
deadline=$((SECONDS + 300))
while [ "$hits" -lt 100 ] && [ $SECONDS -lt $deadline ]; do
  child_pid d1 checker
  if [ -z "$CHILD" ] || [ "$CHILD" = "$prev" ]; then nap 10; continue; fi
  prev=$CHILD
  nap $((RANDOM % 1501))
  if kill -KILL "$CHILD" 2>/dev/null; then
    hits=$((hits + 1))
    echo "$CHILD" >> "$T/killed"
  fi
done
vm_log "$hits checkers killed in $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms"
[ "$hits" = 100 ] || vm_fail "only $hits kills in 300 s: the checkers came back too slowly"

# The last checker comes back and reports.
running() { [ "$(vstatus d1 '[p["state"] for p in r["processes"] if p["name"] == "checker"][0]')" = running ]; }
vm_wait_for 45 running || vm_fail "no checker running after the kills"
child_pid d1 checker; last=$CHILD
since=${EPOCHREALTIME/./}
reported() {
  [ "$(vstatus d1 "sum(1 for v in r['virtual_servers'] for s in v['real_servers'] if (s['health']['last_result'] or 0) * 1e6 > $since)")" = 6 ]
}
vm_wait_for 30 reported || vm_fail "the new checker (pid $last) did not report on all six real servers"
kill "$SAMPLER"
faults_client_stop

# --- what it did ---------------------------------------------------------------------
new_log=$(tail -c +"$log_at" "$T/d1.log")
killed=$(grep -c "checker (pid [0-9]*) killed by signal 9" <<< "$new_log" || true)
[ "$killed" = "$hits" ] || vm_fail "the parent logged $killed checker deaths for $hits kills"
early=0
while read -r p; do
  grep -q "checker: running (pid $p)" "$T/d1.log" || early=$((early + 1))
done < "$T/killed"
vm_log "kills: $hits, $early of them before the checker was running"
vm_log "restart delays: $(grep -o 'checker: restarting in [0-9.]* s' <<< "$new_log" | awk '{ print $4 }' | sort | uniq -c | awk '{ printf "%s x %s s ", $1, $2 }')"

python3 - "$T/samples" <<'PY' || vm_fail "a sample of the master's table lost a destination"
import sys
samples, bad, cur = 0, [], None
def close(c):
    global samples
    if c is None:
        return
    samples += 1
    full = sum(1 for l in c[1] if l.split()[:1] == ["->"] and l.split()[1].startswith("198.51.100.")
               and l.split()[3] == "1")
    if full != 6:
        bad.append((c[0], c[1]))
for line in open(sys.argv[1]):
    if line.startswith("@ "):
        close(cur)
        cur = (line[2:].strip(), [])
    elif cur is not None:
        cur[1].append(line)
close(cur)
print("[table] %d samples of the master's table, %d short" % (samples, len(bad)), file=sys.stderr)
for t, lines in bad[:3]:
    print(t, "".join(lines), file=sys.stderr)
sys.exit(1 if bad or samples < 20 else 0)
PY

n=$(ops)
[ "$n" = "$ops0" ] || vm_fail "the parent made $((n - ops0)) IPVS operations during the kills"
grep -E "(UP|DOWN): |ipvs: [0-9]+ operations" <<< "$new_log" && vm_fail "health or table changes logged during the kills"
vm_log "client: $(cstat '"ok %d failed %d by_rs %s" % (r["ok"], r["failed"], r["by_rs"])')"
vm_log "sessions: $(cstat '[(s["rs"], s["echoes"], s["max_gap"], s["error"]) for s in r["sessions"]]')"
failed=$(cstat 'r["failed"]')
[ "$failed" = 0 ] || vm_fail "$failed polls failed: $(cstat 'r["failures"]')"
errs=$(cstat 'sum(1 for s in r["sessions"] if s["error"])')
[ "$errs" = 0 ] || vm_fail "$errs sessions broke: $(cstat '[s["error"] for s in r["sessions"]]')"
[ "$(gstate d1)" = MASTER ] || vm_fail "d1 is no longer MASTER"
[ "$(transitions)" = "$tr0" ] || vm_fail "d1's sync group changed state during the kills"
FAULTS_PASSED=1
vm_log "PASS: $hits checker kills: $(cstat 'r["ok"]') polls, none failed; the table never lost a destination"
