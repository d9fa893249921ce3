#!/usr/bin/env bash
# Every signal an operator may send, to the parent and to each child:
# none kills or stops a process uncleanly. USR1 and USR2 (keepalived's
# statistics signal) dump the state to the log; HUP reloads (the parent)
# or is ignored (a child); PIPE, ALRM, WINCH, CONT, TSTP, TTIN, TTOU, URG,
# VTALRM, PROF, IO and PWR change nothing. TERM, INT and QUIT stop the
# parent cleanly (exit 0, children gone, pid file and socket removed) and
# make a child exit 0, after which the parent starts a new one.
. "$(dirname "$0")/lib.sh"

ns_add d1
lan_add
lan_join d1 eth0 192.0.2.1/24
cat > "$T_DIR/vigil.conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80;
    real_servers = ( { address = "198.51.100.11"; port = 80; } ); }
);
vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = 100;
                         addresses = [ "192.0.2.10/24" ]; } ); };
CONF
LOG="$T_DIR/vigild-d1.log"
HARMLESS="USR1 USR2 HUP PIPE ALRM WINCH CONT TSTP TTIN TTOU URG VTALRM PROF IO PWR"

status() { vctl d1 status --json > "$T_DIR/status.json" 2>/dev/null; }
child_pid() { json_get "[p['pid'] for p in r['processes'] if p['name']=='$1'][0]" < "$T_DIR/status.json"; }
both_running() {
  status && [ "$(json_get 'sum(1 for p in r["processes"] if p["state"]=="running" and p["pid"]>0)' \
                 < "$T_DIR/status.json")" = 3 ]
}
# running PID: alive and not stopped (state T) by job control.
running() { [ -r "/proc/$1/stat" ] && ! awk '{ exit $3 != "T" }' "/proc/$1/stat"; }
start() {
  : > "$LOG"
  vigild_start d1 "$T_DIR/vigil.conf" --dry-run
  wait_for 5 both_running || fail "vigild and its children not running"
}
start
pid_checker=$(child_pid checker) pid_vrrp=$(child_pid vrrp)

for sig in $HARMLESS; do
  kill -"$sig" "$VIGILD_PID"
  sleep 0.2
  running "$VIGILD_PID" || fail "SIG$sig to the parent: it died or stopped"
  status || fail "SIG$sig to the parent: the control socket does not answer"
  [ -e "$T_DIR/d1.pid" ] && [ -S "$T_DIR/d1.sock" ] || fail "SIG$sig: pid file or socket gone"
  [ "$(child_pid checker) $(child_pid vrrp)" = "$pid_checker $pid_vrrp" ] \
    || fail "SIG$sig to the parent: a child was replaced"
done
[ "$(grep -c 'state: vigild ' "$LOG")" = 2 ] || fail "USR1 and USR2 did not each dump the parent's state"
grep -q 'state: checker, configuration generation' "$LOG" || fail "the dump did not reach the checker"
grep -q 'signal ALRM ignored' "$LOG" || fail "an ignored signal left no trace in the log"
pass "the parent survives $HARMLESS"

for child in checker vrrp; do
  pid=$(child_pid "$child")
  dumps=$(grep -c "state: $child, configuration generation" "$LOG")
  for sig in $HARMLESS; do
    kill -"$sig" "$pid"
    sleep 0.2
    running "$pid" || fail "SIG$sig to the $child child: it died or stopped"
  done
  status && [ "$(child_pid "$child")" = "$pid" ] || fail "the $child child was replaced"
  [ "$(json_get "[p for p in r['processes'] if p['name']=='$child'][0]['restarts']" \
       < "$T_DIR/status.json")" = 0 ] || fail "the $child child restarted"
  [ "$(grep -c "state: $child, configuration generation" "$LOG")" = $((dumps + 2)) ] \
    || fail "USR1 and USR2 to the $child child did not each dump its state"
  # TERM, INT and QUIT: the child exits 0 and the parent starts another.
  for sig in TERM INT QUIT; do
    old=$(child_pid "$child")
    kill -"$sig" "$old"
    replaced() { status && [ "$(child_pid "$child")" != "$old" ] && [ "$(child_pid "$child")" != 0 ]; }
    wait_for 5 replaced || fail "SIG$sig to the $child child: no new one"
    grep -q "$child (pid $old) exited with status 0" "$LOG" || fail "SIG$sig: $child did not exit 0"
  done
done
kill -0 "$VIGILD_PID" || fail "the parent died"
pass "the children survive $HARMLESS; TERM, INT and QUIT make them exit 0 and come back"

for sig in QUIT INT TERM; do
  [ "$sig" = QUIT ] || start
  status
  pids=$(json_get '" ".join(str(p["pid"]) for p in r["processes"])' < "$T_DIR/status.json")
  kill -"$sig" "$VIGILD_PID"
  gone() { for p in $pids; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
  wait_for 8 gone || fail "processes left after SIG$sig: $pids"
  wait "$VIGILD_PID"; rc=$?
  [ $rc = 0 ] || fail "vigild exited $rc after SIG$sig"
  [ ! -e "$T_DIR/d1.pid" ] || fail "pid file left after SIG$sig"
  [ ! -e "$T_DIR/d1.sock" ] || fail "control socket left after SIG$sig"
done
pass "QUIT, INT and TERM stop the parent cleanly"
