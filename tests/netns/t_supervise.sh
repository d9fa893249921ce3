#!/usr/bin/env bash
# The supervisor: vigild starts with two children; status shows all three;
# a child killed with SIGKILL is back within 2 s; a second instance is
# refused; HUP with a broken file keeps the running configuration and logs
# every error; HUP with a good one is taken; a frozen child (either) is
# killed 4-6 s after it stops and restarted after its backoff; a frozen
# parent blames no child; TERM leaves no process and no pid file.
. "$(dirname "$0")/lib.sh"

ns_add d1
lan_add
lan_join d1 eth0 192.0.2.1/24

conf="$T_DIR/vigil.conf"
write_conf() {  # write_conf WEIGHT
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; router_id = "d1"; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80; protocol = "tcp"; scheduler = "wlc";
    real_servers = ( { address = "198.51.100.11"; port = 80; weight = $1; } ); }
);
vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = 100;
                         addresses = [ "192.0.2.10/24" ]; } ); };
CONF
}
write_conf 1

# The host kernel has no IPVS: without --dry-run vigild refuses to start.
in_ns d1 "$VIGILD" -n -f "$conf" -p "$T_DIR/d1.pid" > "$T_DIR/noipvs.log" 2>&1
rc=$?
[ $rc = 3 ] || fail "vigild without IPVS exited $rc, expected 3"
grep -q "modprobe ip_vs" "$T_DIR/noipvs.log" || fail "no hint to load ip_vs"
pass "no IPVS in the kernel: exit 3 with a hint"

vigild_start d1 "$conf" --dry-run
status() { vctl d1 status --json > "$T_DIR/status.json" 2>/dev/null; }
procs_running() {
  status && [ "$(json_get 'sum(1 for p in r["processes"] if p["state"]=="running" and p["pid"]>0)' < "$T_DIR/status.json")" = 3 ]
}
wait_for 5 procs_running || fail "three running processes expected in status"
pass "status shows vigild, checker and vrrp running"

vctl d1 status | grep -q '^checker ' || fail "table output lacks the checker line"

# A second instance with the same pid file exits 3.
in_ns d1 "$VIGILD" -n -f "$conf" -p "$T_DIR/d1.pid" > "$T_DIR/second.log" 2>&1
rc=$?
[ $rc = 3 ] || fail "second instance exited $rc, expected 3"
grep -q "already running" "$T_DIR/second.log" || fail "second instance gave no clear message"
pass "second instance refused (exit 3)"

for child in checker vrrp; do
  old=$(json_get "[p['pid'] for p in r['processes'] if p['name']=='$child'][0]" < "$T_DIR/status.json")
  start=$(now_ms)
  kill -KILL "$old"
  back() {
    status && [ "$(json_get "[p for p in r['processes'] if p['name']=='$child'][0]['state']" < "$T_DIR/status.json")" = running ] \
      && [ "$(json_get "[p for p in r['processes'] if p['name']=='$child'][0]['pid']" < "$T_DIR/status.json")" != "$old" ]
  }
  wait_for 2 back || fail "$child not back within 2 s after SIGKILL"
  log "$child back after $(( $(now_ms) - start )) ms"
  restarts=$(json_get "[p for p in r['processes'] if p['name']=='$child'][0]['restarts']" < "$T_DIR/status.json")
  [ "$restarts" = 1 ] || fail "$child restarts=$restarts, expected 1"
done
pass "killed children come back within 2 s"

# Broken config: HUP keeps the running one and logs each error.
gen=$(status && json_get 'r["generation"]' < "$T_DIR/status.json")
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
  { address = "192.0.2.300"; port = 80;
    real_servers = ( { address = "198.51.100.11"; port = 70000; } ); }
);
CONF
kill -HUP "$VIGILD_PID"
wait_for 3 grep -q "reload refused" "$T_DIR/vigild-d1.log" || fail "no 'reload refused' line"
grep -q "vigil.conf:3: " "$T_DIR/vigild-d1.log" || fail "error for line 3 not logged"
grep -q "vigil.conf:4: " "$T_DIR/vigild-d1.log" || fail "error for line 4 not logged"
status
[ "$(json_get 'r["generation"]' < "$T_DIR/status.json")" = "$gen" ] || fail "generation changed on a refused reload"
procs_running || fail "children not running after a refused reload"
# vigilctl reload reports the errors and exits 1.
vctl d1 reload > "$T_DIR/reload.out" 2>&1
rc=$?
[ $rc = 1 ] || fail "vigilctl reload of a broken file exited $rc, expected 1"
grep -q "vigil.conf:4: " "$T_DIR/reload.out" || fail "vigilctl reload did not print the errors"
pass "broken config refused, old one kept"

# Good config: taken, and both children confirm the new generation.
write_conf 5
vctl d1 reload > "$T_DIR/reload.out" 2>&1 || fail "vigilctl reload of a good file failed"
newgen=$((gen + 1))
confirmed() {
  status && [ "$(json_get "sum(1 for p in r['processes'][1:] if p['generation']==$newgen)" < "$T_DIR/status.json")" = 2 ]
}
wait_for 3 confirmed || fail "children did not confirm generation $newgen"
pass "good config reloaded (generation $newgen)"

# A child whose loop is stuck (SIGSTOP) stops echoing the heartbeat: each
# child, within vigild(8)'s bound. The parent pings every second and kills
# a child 5 s after its last echo, so the kill comes 4 to 6 s after the
# stop (the last echo may precede it by up to a second), then the restart
# after the child's backoff (logged as "restarting in N s"), plus its start.
# The slack for the parent's tick (0.5 s) and for the child's start-up
# seen through status (4 s: the host may be busy) stretches with
# VIGIL_TIME_SCALE (valgrind); the 4 s floor does not.
slack=$(( 500 * ${VIGIL_TIME_SCALE:-1} ))
for child in vrrp checker; do
  status
  old=$(json_get "[p['pid'] for p in r['processes'] if p['name']=='$child'][0]" < "$T_DIR/status.json")
  stop=$(now_ms)
  kill -STOP "$old"
  killed() { grep -q "$child (pid $old): no heartbeat for [0-9.]* s; killing it" "$T_DIR/vigild-d1.log"; }
  wait_for 9 killed || fail "a stopped $child child was not killed for missing heartbeats"
  det=$(( $(now_ms) - stop ))
  replaced() {
    status && [ "$(json_get "[p for p in r['processes'] if p['name']=='$child'][0]['state']" < "$T_DIR/status.json")" = running ] \
      && [ "$(json_get "[p for p in r['processes'] if p['name']=='$child'][0]['pid']" < "$T_DIR/status.json")" != "$old" ]
  }
  wait_for 40 replaced || fail "a stopped $child child was not replaced"
  took=$(( $(now_ms) - stop ))
  backoff=$(grep -A3 "$child (pid $old) killed by signal 9" "$T_DIR/vigild-d1.log" \
    | sed -n "s/.*$child: restarting in \([0-9.]*\) s.*/\1/p" | head -1)
  [ -n "$backoff" ] || fail "no restart delay logged for the stopped $child"
  bound=$(( 6000 + ${backoff%.*} * 1000 + ${backoff#*.} * 100 + 9 * slack ))
  log "$child stopped: killed after $det ms, running again after $took ms (backoff ${backoff} s, bound ${bound} ms)"
  [ "$det" -ge 3900 ] || fail "$child killed $det ms after the stop: less than the 5 s heartbeat allowance"
  [ "$det" -le $((6000 + slack)) ] || fail "$child killed $det ms after the stop: over 6 s"
  [ "$took" -le "$bound" ] || fail "$child replaced after $took ms, over ${bound} ms"
done
pass "a frozen child (vrrp, checker) is killed 4-6 s after it stops and restarted after its backoff"

# The parent's own stall (SIGSTOP for 7 s, as a reload that parses for
# longer than the heartbeat limit, or a paused machine) is not the
# children's silence: nobody pinged them. Both keep running.
wait_for 5 procs_running || fail "children not running before the parent's stall"
kids=$(json_get '" ".join(str(p["pid"]) for p in r["processes"][1:])' < "$T_DIR/status.json")
kill -STOP "$VIGILD_PID"; sleep 7; kill -CONT "$VIGILD_PID"
sleep 3                                  # three heartbeat rounds
status || fail "no status after the parent's stall"
[ "$(json_get '" ".join(str(p["pid"]) for p in r["processes"][1:])' < "$T_DIR/status.json")" = "$kids" ] \
  || fail "children replaced after the parent's stall (were $kids)"
for p in $kids; do
  grep "(pid $p): no heartbeat" "$T_DIR/vigild-d1.log" && fail "child $p blamed for the parent's stall"
done
pass "a stall of the parent itself does not kill the children"

# TERM: nothing left.
pids=$(json_get '" ".join(str(p["pid"]) for p in r["processes"])' < "$T_DIR/status.json")
kill -TERM "$VIGILD_PID"
gone() { for p in $pids; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
wait_for 8 gone || fail "processes left after TERM: $pids"
[ ! -e "$T_DIR/d1.pid" ] || fail "pid file left after TERM"
[ ! -e "$T_DIR/d1.sock" ] || fail "control socket left after TERM"
wait "$VIGILD_PID"; rc=$?
[ $rc = 0 ] || fail "vigild exited $rc after TERM"
pass "TERM: no process, pid file or socket left"
