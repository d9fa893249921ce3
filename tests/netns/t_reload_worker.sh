#!/usr/bin/env bash
# The parent loads a configuration on a worker thread: while a load is
# stuck (here an included file that is a FIFO nobody writes yet, as a
# hung NFS mount would be), vigild still answers status requests, its
# children keep their heartbeats, and a second reload and a dry run wait
# their turn. Once the file can be read, every waiting client gets its
# answer: the two reloads coalesce into loads that each read the file
# anew, the dry run comes after them. Stopping vigild while a load is
# stuck ends it cleanly, without waiting for the load.
. "$(dirname "$0")/lib.sh"

ns_add d1
lan_add
lan_join d1 eth0 192.0.2.1/24
cat > "$T_DIR/vigil.conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
@include "vs.conf"
vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = 100;
                         addresses = [ "192.0.2.10/24" ]; } ); };
CONF
vs_conf() {  # vs_conf WEIGHT
  cat <<CONF
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80;
    real_servers = ( { address = "198.51.100.11"; port = 80; weight = $1; } ); }
);
CONF
}
vs_conf 1 > "$T_DIR/vs.conf"
LOG="$T_DIR/vigild-d1.log"
status() { timeout 2 "$VIGILCTL" -s "$T_DIR/d1.sock" status --json > "$T_DIR/status.json" 2>/dev/null; }
running3() {
  status && [ "$(json_get 'sum(1 for p in r["processes"] if p["state"]=="running" and p["pid"]>0)' \
                 < "$T_DIR/status.json")" = 3 ]
}
vigild_start d1 "$T_DIR/vigil.conf" --dry-run
wait_for 5 running3 || fail "vigild and its children not running"
pids_before=$(json_get '[p["pid"] for p in r["processes"]]' < "$T_DIR/status.json")

# The included file becomes a FIFO: the next load blocks reading it.
rm "$T_DIR/vs.conf"; mkfifo "$T_DIR/vs.conf"
"$VIGILCTL" -s "$T_DIR/d1.sock" reload > "$T_DIR/r1.out" 2>&1 & r1=$!
T_PIDS+=("$r1")
wait_for 3 grep -q "reloading" "$LOG" || fail "no reload started"
sleep 0.3
"$VIGILCTL" -s "$T_DIR/d1.sock" reload > "$T_DIR/r2.out" 2>&1 & r2=$!
"$VIGILCTL" -s "$T_DIR/d1.sock" reload --dry-run > "$T_DIR/r3.out" 2>&1 & r3=$!
T_PIDS+=("$r2" "$r3")
kill -HUP "$VIGILD_PID"
# Stuck for 7 s, longer than a child may go without a heartbeat (5 s).
for i in 1 2 3 4 5 6 7; do
  t0=$(now_ms)
  status || fail "no status reply within 2 s while a load was stuck ($i s)"
  log "status answered in $(( $(now_ms) - t0 )) ms while the load is stuck"
  sleep 1
done
kill -0 "$r1" 2>/dev/null || fail "the reload was answered before its file could be read: $(cat "$T_DIR/r1.out")"
[ "$(json_get '[p["pid"] for p in r["processes"]]' < "$T_DIR/status.json")" = "$pids_before" ] ||
  fail "a child was restarted while the parent was loading"
grep -q "no heartbeat" "$LOG" && fail "a child was found silent while the parent was loading"

# Let the loads read: the stuck one through the FIFO, whose writer puts a
# file in its place before it closes (the reader sees the end only then),
# so the coalesced load and the dry run read the file.
( exec 7>"$T_DIR/vs.conf"; vs_conf 2 >&7
  vs_conf 3 > "$T_DIR/vs.new"; mv "$T_DIR/vs.new" "$T_DIR/vs.conf" ) & feeder=$!
T_PIDS+=("$feeder")
wait_for 5 bash -c "! kill -0 $feeder 2>/dev/null" || fail "the stuck load did not open its file"
wait_for 10 bash -c "! kill -0 $r1 2>/dev/null && ! kill -0 $r2 2>/dev/null && ! kill -0 $r3 2>/dev/null" ||
  fail "the waiting clients were not all answered"
wait "$r1" || fail "the first reload failed: $(cat "$T_DIR/r1.out")"
wait "$r2" || fail "the second reload failed: $(cat "$T_DIR/r2.out")"
wait "$r3" || fail "the dry run failed: $(cat "$T_DIR/r3.out")"
cat "$T_DIR/r1.out" "$T_DIR/r2.out" "$T_DIR/r3.out"
grep -q "generation 2" "$T_DIR/r1.out" || fail "the first reload did not make generation 2"
grep -q "generation 3" "$T_DIR/r2.out" || fail "the second reload (with SIGHUP's) did not make generation 3"
[ "$(grep -c "configuration generation [0-9]* loaded" "$LOG")" = 2 ] ||
  fail "the second client and SIGHUP were not served by one load"
status || fail "no status after the reloads"
[ "$(json_get 'r["virtual_servers"][0]["real_servers"][0]["weight_configured"]' < "$T_DIR/status.json")" = 3 ] ||
  fail "the last reload's weight (3) is not the running one"
pass "status answered and children kept while a load was stuck; waiting reloads answered in turn"

# Stopping while a load is stuck: vigild exits cleanly all the same.
rm "$T_DIR/vs.conf"; mkfifo "$T_DIR/vs.conf"
kill -HUP "$VIGILD_PID"
sleep 0.5
kill -TERM "$VIGILD_PID"
wait_for 5 bash -c "! kill -0 $VIGILD_PID 2>/dev/null" || fail "vigild did not stop while a load was stuck"
wait "$VIGILD_PID"; rc=$?
[ "$rc" = 0 ] || fail "vigild exited $rc when stopped during a stuck load"
[ ! -e "$T_DIR/d1.sock" ] || fail "the control socket was left behind"
pass "stopped cleanly during a stuck load"
