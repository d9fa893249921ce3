#!/usr/bin/env bash
# Real-server events on the notify FIFO, in keepalived's checker format:
# a real server whose HTTP check passes gives
#   RS [198.51.100.11]:tcp:80 [192.0.2.10]:tcp:PORT UP
# and, its server stopped, the same line with DOWN (keepalived 2.2.7's
# notify_fifo_rs: "RS <rs trio> <vs trio> UP|DOWN"); the virtual server's
# quorum follows as "VS [192.0.2.10]:tcp:PORT UP|DOWN" (notify_fifo_vs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
chk_net

www="$T_DIR/www"; mkdir -p "$www"
echo ok > "$www/health.txt"
bg rs1 http python3 -m http.server --bind 198.51.100.11 --directory "$www" 80
HTTP=$BG_PID
wait_for 5 port_up rs1 80 || fail "http server not up"
mkfifo "$T_DIR/d1.fifo"
bg d1 fifo cat "$T_DIR/d1.fifo"
vs=$(chk_vs web 198.51.100.11 80 '{ type = "http"; path = "/health.txt"; timeout = 1.0; }')
port=$(( $(echo web | cksum | cut -d' ' -f1) % 60000 + 1024 ))
cat > "$T_DIR/d1.conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; script_user = "nobody"; notify_fifo = "$T_DIR/d1.fifo"; };
virtual_servers = ( $vs );
CONF
chk_vigild "$T_DIR/d1.conf"
line="RS [198.51.100.11]:tcp:80 [192.0.2.10]:tcp:$port"
wait_for 5 grep -qxF "$line UP" "$T_DIR/fifo.log" || fail "no UP line: $(cat "$T_DIR/fifo.log")"
wait_for 2 grep -qxF "VS [192.0.2.10]:tcp:$port UP" "$T_DIR/fifo.log" || fail "no VS UP line: $(cat "$T_DIR/fifo.log")"
pass "real server up: '$line UP', then the quorum: 'VS [192.0.2.10]:tcp:$port UP'"
kill -TERM $HTTP; wait $HTTP 2>/dev/null
wait_for 8 grep -qxF "$line DOWN" "$T_DIR/fifo.log" || fail "no DOWN line: $(cat "$T_DIR/fifo.log")"
wait_for 2 grep -qxF "VS [192.0.2.10]:tcp:$port DOWN" "$T_DIR/fifo.log" || fail "no VS DOWN line: $(cat "$T_DIR/fifo.log")"
[ "$(grep -c . "$T_DIR/fifo.log")" = 4 ] || fail "other lines: $(cat "$T_DIR/fifo.log")"
pass "real server down: '$line DOWN', quorum lost: VS ... DOWN"
