#!/usr/bin/env bash
# http checks with reuse_connection: one connection carries request after
# request (python's HTTP/1.1 server logs each connection and each request);
# the same over TLS (one handshake for many checks); a server that closes
# idle connections before the next probe costs a new
# connection per run but never a failure; a response without a known
# length, or with "Connection: close", is not reused; a wrong status
# still fails at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
chk_net

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rs.example.test" \
  -keyout "$T_DIR/rs.key" -out "$T_DIR/rs.pem" 2>/dev/null || fail "openssl req"
server() {  # server PORT IDLE-TIMEOUT MODE: logs "conn" per connection, "req" per request
  bg rs1 "srv$1" python3 -u -c '
import http.server, ssl, sys
port, idle, mode = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = idle
    def setup(self):
        super().setup(); print("conn", flush=True)
    def do_GET(self):
        print("req", flush=True)
        b = b"ok\n"
        self.send_response(503 if self.path == "/bad" else 200)
        if mode == "close":
            self.send_header("Connection", "close")
        if mode != "nolength":
            self.send_header("Content-Length", str(len(b)))
        else:
            self.close_connection = True
        self.end_headers(); self.wfile.write(b)
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("198.51.100.11", port), H)
if mode == "tls":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[4], sys.argv[5])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()' "$@"
}
server 8090 60 normal
server 8091 0.2 normal
server 8092 60 close
server 8093 60 nolength
server 8443 60 tls "$T_DIR/rs.pem" "$T_DIR/rs.key"
for p in 8090 8091 8092 8093 8443; do wait_for 5 port_up rs1 $p || fail "server $p did not start"; done

vs() {  # vs NAME PORT CHECK
  echo "{ name = \"$1\"; address = \"192.0.2.10\"; port = $2; check_interval = 0.5;
    real_servers = ( { address = \"198.51.100.11\"; port = $2; checks = ( $3 ); } ); }"
}
R='type = "http"; reuse_connection = true; timeout = 1.0;'
conf="$T_DIR/vigil.conf"
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
$(vs kept 8090 "{ $R }"),
$(vs idle_closed 8091 "{ $R }"),
$(vs srv_close 8092 "{ $R }"),
$(vs no_length 8093 "{ $R }"),
$(vs tls 8443 '{ type = "https"; reuse_connection = true; timeout = 1.0; }'),
{ name = "bad"; address = "192.0.2.11"; port = 8090; check_interval = 0.5;
  real_servers = ( { address = "198.51.100.11"; port = 8090; checks = ( { $R path = "/bad"; } ); } ); }
);
CONF
chk_vigild "$conf"
B=2.5
chk_expect \
  kept 198.51.100.11:8090 up "ok" $B \
  idle_closed 198.51.100.11:8091 up "ok" $B \
  srv_close 198.51.100.11:8092 up "ok" $B \
  no_length 198.51.100.11:8093 up "ok" $B \
  tls 198.51.100.11:8443 up "ok" $B \
  bad 198.51.100.11:8090 down "http status 503" $B \
  || fail "states"
pass "reuse_connection: states and reasons"

sleep 5
# Counted from one copy of each log: the checks go on meanwhile, and a
# connection may be accepted before its request is logged.
for p in 8090 8091 8092 8093 8443; do cp "$T_DIR/srv$p.log" "$T_DIR/snap$p.log"; done
count() { grep -c "^$2\$" "$T_DIR/snap$1.log" || true; }
# fresh PORT: every request came on a connection of its own (the last
# connection may still be waiting for its request).
fresh() { local c r; c=$(count "$1" conn) r=$(count "$1" req); [ "$r" -le "$c" ] && [ "$c" -le $((r + 1)) ]; }
for p in 8090 8091 8092 8093 8443; do log "port $p: $(count $p conn) connections, $(count $p req) requests"; done
# 8090 carries two checks (kept, and bad which closes after each 503).
[ "$(count 8090 req)" -ge 16 ] || fail "too few requests on 8090"
[ "$(count 8090 conn)" -le $(( $(count 8090 req) / 2 + 2 )) ] || fail "kept: connections not reused"
fresh 8092 || fail "srv_close: a connection the server closes was reused"
fresh 8093 || fail "no_length: a response without a length was reused"
[ "$(count 8091 req)" -ge 8 ] || fail "idle_closed: too few requests"
[ "$(count 8443 req)" -ge 8 ] && [ "$(count 8443 conn)" -le 2 ] \
  || fail "tls: $(count 8443 conn) connections for $(count 8443 req) requests"
pass "one connection carries the next request only when it can"

# Every probe of idle_closed found its parked connection closed by the
# server and opened a new one: none of that is a failure.
! grep -q "idle_closed .* DOWN" "$T_DIR/vigild-d1.log" || fail "idle_closed went down"
vctl d1 status --json > "$T_DIR/st.json"
[ "$(json_get "[v for v in r['virtual_servers'] if v['name']=='idle_closed'][0]['real_servers'][0]['health']['failures']" < "$T_DIR/st.json")" = 0 ] \
  || fail "idle_closed has failures"
pass "a connection the server closed while parked is replaced, not failed"
