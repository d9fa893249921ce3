#!/usr/bin/env bash
# State survives: a checker killed with SIGKILL comes back and the parent
# keeps the last known states (no transition is logged, nothing flaps);
# a reload that keeps a check keeps its probe (consecutive passes carry
# on, no re-rise), and a real server added by the reload starts pending
# (down) until its first pass.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
chk_net
www="$T_DIR/www"; mkdir -p "$www"; echo ok > "$www/health.txt"
bg rs1 http python3 -m http.server --bind 198.51.100.11 --directory "$www" 80
wait_for 5 port_up rs1 80 || fail "http.server did not start"

conf="$T_DIR/vigil.conf"
write_conf() {  # write_conf EXTRA-VS
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80; check_interval = 0.5;
    real_servers = (
      { address = "198.51.100.11"; port = 80;
        checks = ( { type = "http"; path = "/health.txt"; timeout = 1.0; rise = 3; fall = 3; } ); },
      { address = "198.51.100.11"; port = 81;
        checks = ( { type = "tcp"; timeout = 1.0; rise = 3; fall = 3; } ); } ); }
  $1
);
CONF
}
write_conf ""
chk_vigild "$conf"
chk_expect web 198.51.100.11:80 up ok 2.5 web 198.51.100.11:81 down "connect refused" 3.5 \
  || fail "initial states"

status() { vctl d1 status --json > "$T_DIR/st.json"; }
rsval() { json_get "[s for v in r['virtual_servers'] if v['name']=='$1' for s in v['real_servers'] if s['address']=='$2'][0]['health']$3" < "$T_DIR/st.json"; }
checker_pid() { json_get "[p['pid'] for p in r['processes'] if p['name']=='checker'][0]" < "$T_DIR/st.json"; }

status
old=$(checker_pid)
lines=$(grep -c " UP: \| DOWN: " "$T_DIR/vigild-d1.log")
kill -KILL "$old"
for _ in $(seq 1 30); do
  status
  [ "$(rsval web 198.51.100.11:80 "['state']")" = up ] || fail "up state lost after the checker died"
  [ "$(rsval web 198.51.100.11:81 "['state']")" = down ] || fail "down state lost after the checker died"
  sleep 0.1
done
status
[ "$(checker_pid)" != "$old" ] && [ "$(checker_pid)" != 0 ] || fail "checker not restarted"
[ "$(grep -c " UP: \| DOWN: " "$T_DIR/vigild-d1.log")" = "$lines" ] || fail "a transition was logged across the restart"
pass "checker restart: last known states kept, no transition"

# Reload: same checks plus a new virtual server.
sleep 1.5
status
before=$(rsval web 198.51.100.11:80 "['passes']")
write_conf ', { name = "new"; address = "192.0.2.10"; port = 8080; check_interval = 0.5;
    real_servers = ( { address = "198.51.100.11"; port = 80;
      checks = ( { type = "http"; path = "/health.txt"; timeout = 1.0; rise = 3; } ); } ); }'
kill -HUP "$VIGILD_PID"
CHK_T0=$(now_ms)
wait_for 3 grep -q "checker: configuration generation 2 in use" "$T_DIR/vigild-d1.log" || fail "reload not taken"
status
st=$(rsval new 198.51.100.11:80 "['state']")
[ "$st" = pending ] || [ "$st" = up ] || fail "new real server state $st"
chk_expect new 198.51.100.11:80 up ok 2 || fail "new real server did not come up on its first pass"
sleep 1
status
after=$(rsval web 198.51.100.11:80 "['passes']")
log "web rs passes: $before before the reload, $after after"
[ "$after" -gt "$before" ] || fail "consecutive passes restarted at reload (re-rise)"
[ "$(rsval web 198.51.100.11:80 "['state']")" = up ] || fail "web rs not up after reload"
pass "reload keeps unchanged probes; a new real server is pending until its first pass"
