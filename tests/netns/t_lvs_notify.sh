#!/usr/bin/env bash
# Real-server commands and omega (keepalived's notify_up, notify_down and
# omega), run by the parent as script_user with the virtual server's name
# and the real server's ADDR:PORT:
#   first pass          -> notify_up   (servers start down without start_up)
#   server stopped      -> notify_down
#   server back         -> notify_up
#   reload that removes -> the same for that service (keepalived does so)
#   an omega service
#   SIGTERM with omega  -> notify_down of each server up (one without checks
#                          too), on_quorum_down; a server down gets none
# No IPVS is needed: vigild runs with --dry-run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
chk_net
www="$T_DIR/www"; mkdir -p "$www"; echo ok > "$www/index.html"
serve() {
  bg rs1 http python3 -m http.server --bind 198.51.100.11 --directory "$www" 80
  HTTP_PID=$BG_PID
  wait_for 5 port_up rs1 80 || fail "http.server did not start"
}
serve

mkdir -m 1777 "$T_DIR/out"; mkdir -m 755 "$T_DIR/bin"
for s in up down qdown; do
  printf '#!/bin/sh\necho "%s $* $(id -u)" >> %s/out/log\n' "$s" "$T_DIR" > "$T_DIR/bin/$s.sh"
  chmod 755 "$T_DIR/bin/$s.sh"
done
conf="$T_DIR/vigil.conf"
api='{ name = "api"; address = "192.0.2.11"; port = 80; omega = true;
    on_quorum_down = "'$T_DIR'/bin/qdown.sh";
    real_servers = ( { address = "198.51.100.12"; port = 80; notify_down = "'$T_DIR'/bin/down.sh"; } ); },'
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
  $api
  { name = "web"; address = "192.0.2.10"; port = 80; check_interval = 0.3; omega = true;
    on_quorum_down = "$T_DIR/bin/qdown.sh";
    real_servers = (
      { address = "198.51.100.11"; port = 80; notify_up = "$T_DIR/bin/up.sh";
        notify_down = "$T_DIR/bin/down.sh";
        checks = ( { type = "tcp"; timeout = 1.0; } ); },
      { address = "198.51.100.12"; port = 80; notify_down = "$T_DIR/bin/down.sh"; },
      { address = "198.51.100.11"; port = 81; notify_down = "$T_DIR/bin/down.sh";
        checks = ( { type = "tcp"; timeout = 1.0; } ); } ); }
);
CONF
"$VIGILD" -t -f "$conf" >/dev/null || fail "configuration refused"
chk_vigild "$conf"
nobody=$(id -u nobody)
lines() { cat "$T_DIR/out/log" 2>/dev/null; }
has() { grep -qx "$1" "$T_DIR/out/log" 2>/dev/null; }

wait_for 5 has "up web 198.51.100.11:80 $nobody" || fail "no notify_up at the first pass: $(lines)"
# 198.51.100.11:81 is refused: down from the start, which is no change.
sleep 1
[ "$(lines)" = "up web 198.51.100.11:80 $nobody" ] || fail "unexpected commands at start: $(lines)"
pass "first pass: notify_up as $nobody with the service and the server; a server that stays down: none"

kill "$HTTP_PID"
wait_for 5 has "down web 198.51.100.11:80 $nobody" || fail "no notify_down when the server stopped: $(lines)"
serve
wait_for 5 sh -c "[ \$(grep -c '^up web 198.51.100.11:80' '$T_DIR/out/log') = 2 ]" \
  || fail "no notify_up when the server came back: $(lines)"
pass "notify_down when it fails, notify_up when it is back"

: > "$T_DIR/out/log"
python3 - "$conf" "$api" <<'PY'
import sys
p, api = sys.argv[1], sys.argv[2]
s = open(p).read()
assert api in s
open(p, "w").write(s.replace(api, ""))
PY
"$VIGILD" -t -f "$conf" >/dev/null || fail "configuration without api refused"
"$VIGILCTL" -s "$T_DIR/d1.sock" reload >/dev/null || fail "reload refused"
wait_for 5 has "down api 198.51.100.12:80 $nobody" || fail "omega on reload: no notify_down for api's server: $(lines)"
wait_for 5 has "qdown api $nobody" || fail "omega on reload: no on_quorum_down for api: $(lines)"
sleep 0.5
[ "$(wc -l < "$T_DIR/out/log")" = 2 ] || fail "the reload ran more than api's omega: $(lines)"
pass "a reload that removes an omega service runs its notify_down and on_quorum_down"

: > "$T_DIR/out/log"
kill -TERM "$VIGILD_PID"
wait_for 5 has "down web 198.51.100.11:80 $nobody" || fail "omega: no notify_down for the server up: $(lines)"
wait_for 5 has "down web 198.51.100.12:80 $nobody" || fail "omega: no notify_down for the server without checks: $(lines)"
wait_for 5 has "qdown web $nobody" || fail "omega: no on_quorum_down: $(lines)"
sleep 0.5
[ "$(wc -l < "$T_DIR/out/log")" = 3 ] || fail "omega ran more than expected: $(lines)"
pass "omega at stop: notify_down of the servers up, on_quorum_down; none for the server down"
