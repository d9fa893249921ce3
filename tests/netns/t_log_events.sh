#!/usr/bin/env bash
# Log lines operators can filter: a real server's transitions are one
# line each with vs=, rs=, state=, old_state= and reason= (quoted when it
# has spaces); a flapping real server logs 5 transitions per 30 s and the
# next line says how many were held back; a storm of control clients past
# the limit is one "too many clients" line per 10 s with the count of the
# refusals it stands for; an unknown log_facility is refused with its line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
chk_net
bg rs1 www python3 -m http.server --bind 198.51.100.11 80
wait_for 5 port_up rs1 80 || fail "http.server did not start"
conf="$T_DIR/vigil.conf"
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; log_facility = "local3"; };
virtual_servers = (
  { name = "web site"; address = "192.0.2.10"; port = 80; check_interval = 0.2;
    real_servers = (
      { address = "198.51.100.11"; port = 80; checks = ( { type = "http"; timeout = 1.0; rise = 1; fall = 1; } ); },
      { address = "198.51.100.12"; port = 80; checks = ( { type = "tcp"; timeout = 0.3; rise = 1; fall = 1; } ); } ); }
);
CONF
chk_vigild "$conf"
LOG="$T_DIR/vigild-d1.log"
chk_expect "web site" 198.51.100.11:80 up ok 3 || fail "initial state"
grep -q 'UP: ok (1/1) vs="web site" rs=198.51.100.11:80 state=up old_state=unknown reason=ok check=http$' "$LOG" \
  || { grep " UP: " "$LOG"; fail "the UP line does not carry its fields"; }
grep -q 'rs=198.51.100.12:80 state=down old_state=unknown reason="connect refused" check=tcp$' "$LOG" \
  || { grep "DOWN: " "$LOG"; fail "the DOWN line does not carry its fields"; }
pass "a transition is one line with vs=, rs=, state=, old_state=, reason= and check="

# Flapping: 198.51.100.12 listens for 0.6 s, then not for 0.6 s, 6 times.
t0=$(now_ms)
flap() {
  in_ns rs1 python3 - <<'PY'
import socket, time
for _ in range(6):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("198.51.100.12", 80)); s.listen(16)
    time.sleep(0.6)
    s.close()
    time.sleep(0.6)
PY
}
flap
lines() { grep -c "rs=198.51.100.12:80 state=" "$LOG"; }
n=$(lines)
# The initial DOWN was the first of its window: at most 4 more in it.
[ "$n" -le 5 ] || fail "$n transition lines for a flapping server in one window (at most 5)"
[ "$n" -ge 3 ] || fail "only $n transition lines: did the server flap?"
pass "a flapping real server: $n lines in its first window"

# Control clients past the limit (64): one line for a storm.
python3 - "$T_DIR/d1.sock" <<'PY' &
import socket, sys, time
held = []
for _ in range(164):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); held.append(s)
time.sleep(12)
for _ in range(20):   # a second storm after the 10 s window
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); held.append(s)
time.sleep(1)
PY
storm=$!
in_ns d1 true
wait_for 3 grep -q "too many clients" "$LOG" || fail "no line for the refused clients"
sleep 1
[ "$(grep -c "too many clients" "$LOG")" = 1 ] || fail "more than one line for a storm: $(grep -c "too many clients" "$LOG")"
wait "$storm"
grep -q "too many clients; refusing one (99 more refused since the last such line)" "$LOG" \
  || { grep "too many clients" "$LOG"; fail "the second storm's line does not count the first's 99"; }
pass "a storm of 100 refused clients: one line, and the next one counts them"

# The flapping server's next transition after its window says what was held back.
left=$(( 31000 - ($(now_ms) - t0) ))
[ "$left" -gt 0 ] && sleep "$(awk -v l="$left" 'BEGIN { print l / 1000 }')"
flap
grep -q "transitions of this real server not logged\] vs=\"web site\" rs=198.51.100.12:80" "$LOG" \
  || { grep "198.51.100.12" "$LOG" | tail -5; fail "no count of the transitions held back"; }
pass "the next window's first line counts the held-back transitions"

# log_facility: an unknown one is refused with its line.
sed -i 's/"local3"/"local9"/' "$conf"
out=$("$VIGILD" -t -f "$conf" 2>&1) && fail "log_facility local9 accepted"
grep -q "vigil.conf:1: global: log_facility \"local9\": expected daemon, user or local0..local7" <<< "$out" \
  || fail "unexpected error: $out"
pass "an unknown log_facility is refused with its line"
