#!/usr/bin/env bash
# Health checks over plain TCP and HTTP against python3 -m http.server:
# good status, wrong status, digest right and wrong, body substring,
# refused, silent drop (nftables), a server that drips its answer past the
# deadline; chunked bodies (one-byte chunks with extensions and trailers,
# written a few bytes at a time; a blank size line is malformed); a page
# that disappears goes DOWN within interval x fall +
# timeout; a check shared by three virtual servers sends one request per
# interval (counted in the server's log).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
chk_net

www="$T_DIR/www"; mkdir -p "$www"
echo "healthy and well" > "$www/health.txt"
echo "flip" > "$www/flip.txt"
echo "shared" > "$www/shared.txt"
md5=$(md5sum < "$www/health.txt" | cut -d' ' -f1)
bg rs1 http python3 -m http.server --bind 198.51.100.11 --directory "$www" 80
# A server that answers one byte every 0.3 s: it never finishes within 1 s.
bg rs1 drip python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.11", 8081)); s.listen(16)
while True:
    c, _ = s.accept()
    try:
        c.recv(4096)
        for b in b"HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 100:
            c.send(bytes([b])); time.sleep(0.3)
    except OSError:
        pass
    c.close()'
# Chunked bodies: /ok is "healthy and well\n" in one-byte chunks with
# extensions and a trailer, sent 7 bytes at a time; /blank has a blank
# line where a chunk size goes.
bg rs1 chunked python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.11", 8082)); s.listen(16)
body = b"".join(b"1;n=%d\r\n%c\r\n" % (i, c) for i, c in enumerate(b"healthy and well\n"))
ok = body + b"0\r\nX-Trailer: t\r\n\r\n"
blank = b"5\r\nhello\r\n\r\n0\r\n\r\n"
while True:
    c, _ = s.accept()
    try:
        req = c.recv(4096)
        out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        out += ok if b" /ok " in req else blank
        for i in range(0, len(out), 7):
            c.send(out[i:i + 7]); time.sleep(0.002)
    except OSError:
        pass
    c.close()'
# Silent drop: 198.51.100.12 gets no answer at all.
in_ns rs1 nft -f - <<'NFT' || fail "nft"
table inet t {
  chain in {
    type filter hook input priority 0;
    ip daddr 198.51.100.12 drop
  }
}
NFT
wait_for 5 port_up rs1 80 || fail "http.server did not start"
wait_for 5 port_up rs1 8081 || fail "drip server did not start"
wait_for 5 port_up rs1 8082 || fail "chunked server did not start"

vs() {  # vs NAME RS_ADDR PORT CHECK
  echo "{ name = \"$1\"; address = \"192.0.2.10\"; port = $((++VSPORT)); check_interval = 0.5;
    real_servers = ( { address = \"$2\"; port = $3; checks = ( $4 ); } ); },"
}
VSPORT=1000
conf="$T_DIR/vigil.conf"
{
echo "global = { control_socket = \"$T_DIR/d1.sock\"; };"
echo "virtual_servers = ("
vs ok         198.51.100.11 80 '{ type = "http"; path = "/health.txt"; timeout = 1.0; }'
vs status     198.51.100.11 80 '{ type = "http"; path = "/nope"; timeout = 1.0; }'
vs status_ok  198.51.100.11 80 '{ type = "http"; path = "/nope"; status = [404]; timeout = 1.0; }'
vs digest_ok  198.51.100.11 80 "{ type = \"http\"; path = \"/health.txt\"; digest = \"$md5\"; timeout = 1.0; }"
vs digest_bad 198.51.100.11 80 '{ type = "http"; path = "/health.txt"; digest = "0123456789abcdef0123456789abcdef"; timeout = 1.0; }'
vs expect_ok  198.51.100.11 80 '{ type = "http"; path = "/health.txt"; expect = "and well"; timeout = 1.0; }'
vs expect_bad 198.51.100.11 80 '{ type = "http"; path = "/health.txt"; expect = "sick"; timeout = 1.0; }'
vs tcp_ok     198.51.100.11 80 '{ type = "tcp"; timeout = 1.0; }'
vs refused    198.51.100.11 81 '{ type = "tcp"; timeout = 1.0; }'
vs drop       198.51.100.12 80 '{ type = "tcp"; timeout = 1.0; }'
vs drip       198.51.100.11 8081 '{ type = "http"; path = "/"; timeout = 1.0; }'
vs connect_to 198.51.100.12 80 '{ type = "http"; path = "/health.txt"; connect_address = "198.51.100.11"; timeout = 1.0; }'
vs flip       198.51.100.11 80 '{ type = "http"; path = "/flip.txt"; timeout = 1.0; fall = 2; }'
vs chunked_ok 198.51.100.11 8082 "{ type = \"http\"; path = \"/ok\"; expect = \"and well\"; digest = \"$md5\"; timeout = 1.0; }"
vs chunked_bad 198.51.100.11 8082 '{ type = "http"; path = "/blank"; expect = "hello"; timeout = 1.0; }'
for i in 1 2 3; do
  vs shared$i 198.51.100.11 80 '{ type = "http"; path = "/shared.txt"; interval = 1.0; timeout = 1.0; }'
done
echo ");"
} > "$conf"
# the last virtual server has a trailing comma before ");" — libconfig accepts none: drop it
python3 - "$conf" <<'PY'
import sys, re
p = sys.argv[1]; s = open(p).read(); s = re.sub(r",\s*\);\s*$", "\n);\n", s); open(p, "w").write(s)
PY

chk_vigild "$conf"
# bound = interval x fall + timeout + 1 s margin (first run within one interval)
B=2.5
chk_expect \
  ok 198.51.100.11:80 up "ok" $B \
  status 198.51.100.11:80 down "http status 404" $B \
  status_ok 198.51.100.11:80 up "ok" $B \
  digest_ok 198.51.100.11:80 up "ok" $B \
  digest_bad 198.51.100.11:80 down "digest mismatch" $B \
  expect_ok 198.51.100.11:80 up "ok" $B \
  expect_bad 198.51.100.11:80 down "expected text not found" $B \
  tcp_ok 198.51.100.11:80 up "ok" $B \
  refused 198.51.100.11:81 down "connect refused" $B \
  drop 198.51.100.12:80 down "timeout (connecting)" $B \
  drip 198.51.100.11:8081 down "timeout" $B \
  connect_to 198.51.100.12:80 up "ok" $B \
  flip 198.51.100.11:80 up "ok" $B \
  chunked_ok 198.51.100.11:8082 up "ok" $B \
  chunked_bad 198.51.100.11:8082 down "http: malformed response" $B \
  || fail "states after start"
pass "http/tcp states and reasons within interval x fall + timeout"

# The page goes away: DOWN within 0.5 x 2 + 1 + margin.
rm "$www/flip.txt"
CHK_T0=$(now_ms)
chk_expect flip 198.51.100.11:80 down "http status 404" 3 || fail "flip did not go down"
grep -q "flip 198.51.100.11:80 DOWN: http status 404 (2/2)" "$T_DIR/vigild-d1.log" \
  || fail "no transition line for flip"
echo "back" > "$www/flip.txt"
CHK_T0=$(now_ms)
chk_expect flip 198.51.100.11:80 up "ok" 2.5 || fail "flip did not come back"
pass "transitions logged and timely"

# One probe for the three virtual servers sharing a check: count requests.
sleep 1
n0=$(grep -c 'GET /shared.txt' "$T_DIR/http.log")
sleep 6
n1=$(grep -c 'GET /shared.txt' "$T_DIR/http.log")
log "shared check: $((n1 - n0)) requests in 6 s at interval 1 s for 3 virtual servers"
[ $((n1 - n0)) -ge 5 ] && [ $((n1 - n0)) -le 7 ] || fail "expected ~6 requests, got $((n1 - n0))"
vctl d1 status --json > "$T_DIR/st.json"
for i in 1 2 3; do
  [ "$(json_get "[v for v in r['virtual_servers'] if v['name']=='shared$i'][0]['real_servers'][0]['health']['state']" < "$T_DIR/st.json")" = up ] \
    || fail "shared$i not up"
done
pass "a check shared by three virtual servers runs once per interval"

vctl d1 status | grep -q "198.51.100.11:8081 *down .*timeout" || fail "human status lacks the drip line"
pass "vigilctl status shows one line per real server"
