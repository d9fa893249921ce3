#!/usr/bin/env bash
# Bad clients cost the parent bounded resources: a control client that
# writes status requests as fast as it can and never reads its replies
# does not grow the parent (its requests wait while its queued replies are
# over the bound), other clients are served meanwhile, and it is closed
# once it has made no progress for the idle time (30 s), as is a client
# that connects and says nothing. On the status page an unknown path is a
# 404 that costs nothing: answered without building the status.
. "$(dirname "$0")/lib.sh"

ns_add d1
# 2000 real servers: a status reply of a few hundred KiB, which takes the
# parent milliseconds to build.
python3 - "$T_DIR" > "$T_DIR/vigil.conf" <<'PY'
import sys
print('global = { control_socket = "%s/d1.sock"; http = { listen = "127.0.0.1:9650"; }; };' % sys.argv[1])
print("virtual_servers = (")
vss = []
for i in range(20):
    rss = ", ".join('{ address = "198.51.100.%d"; port = %d; }' % (1 + j % 250, 8000 + i * 100 + j)
                    for j in range(100))
    vss.append('  { name = "vs%d"; address = "192.0.2.%d"; port = 80; real_servers = ( %s ); }'
               % (i, 10 + i, rss))
print(",\n".join(vss))
print(");")
PY
vigild_start d1 "$T_DIR/vigil.conf" --dry-run
wait_for 10 vctl d1 status || fail "vigild not answering"
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$VIGILD_PID/status"; }

# A client that connects and never sends anything: closed after the idle time.
in_ns d1 python3 - "$T_DIR/d1.sock" > "$T_DIR/idle.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(45)
t0 = time.monotonic()
try:
    b = s.recv(1)
except socket.timeout:
    b = None
print("closed" if b == b"" else "open", round(time.monotonic() - t0, 1))
PY
idle_pid=$!

# The flooder: status requests for 5 s (64 MiB at most), never a read; then
# it waits, poking the socket, until the parent closes it (or 45 s pass).
in_ns d1 python3 - "$T_DIR/d1.sock" > "$T_DIR/flood.out" 2>&1 <<'PY' &
import errno, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.setblocking(False)
chunk = b'{"cmd":"status"}\n' * 256
sent, t0 = 0, time.monotonic()
while time.monotonic() - t0 < 5 and sent < 64 << 20:
    try:
        sent += s.send(chunk)
    except BlockingIOError:
        time.sleep(0.01)
print("sent", sent, flush=True)
t1 = time.monotonic()
while time.monotonic() - t1 < 45:
    try:
        s.send(b"\n")
    except BlockingIOError:
        pass
    except (BrokenPipeError, ConnectionResetError):
        print("closed", round(time.monotonic() - t1, 1)); break
    time.sleep(0.2)
else:
    print("open")
PY
flood_pid=$!

# 96 MiB: a sanitizer build keeps freed blocks for a while; without the
# bound the parent grew by gigabytes in these 5 s.
rss0=$(rss_kb)
sleep 1
# Another client is served while the flooder is at it.
start=$(now_ms)
vctl d1 status --json > "$T_DIR/st.json" || fail "vigilctl status refused during the flood"
json_get 'len(r["virtual_servers"])' < "$T_DIR/st.json" | grep -qx 20 || fail "status during the flood"
log "status during the flood: $(( $(now_ms) - start )) ms"
wait_for 8 grep -q '^sent' "$T_DIR/flood.out" || fail "the flooder never finished sending"
rss1=$(rss_kb)
log "flooder: $(cat "$T_DIR/flood.out"); parent VmRSS ${rss0} kB -> ${rss1} kB"
[ $(( rss1 - rss0 )) -lt 98304 ] || fail "the parent grew by $(( rss1 - rss0 )) kB for a client that never reads"
kill -0 "$VIGILD_PID" || fail "vigild died"
pass "a client that never reads its replies does not grow the parent; others are served"

wait "$flood_pid"
grep -q '^closed' "$T_DIR/flood.out" || fail "the stuck flooder was never closed: $(cat "$T_DIR/flood.out")"
wait "$idle_pid"
read -r state secs < "$T_DIR/idle.out"
[ "$state" = closed ] || fail "the silent client was not closed: $(cat "$T_DIR/idle.out")"
awk -v s="$secs" 'BEGIN { exit !(s >= 29 && s <= 35) }' || fail "silent client closed after $secs s, not 30"
log "stuck flooder: $(tail -1 "$T_DIR/flood.out") s after its last request; silent client: $secs s"
vctl d1 status > /dev/null || fail "vigilctl refused after the bad clients"
pass "stuck and silent clients are closed after the idle time"

# Status page: /status.json builds the whole status; a 404 must not.
timed() {  # timed PATH N: ms for N sequential requests; fails unless each gets WANT
  in_ns d1 python3 - "$@" <<'PY'
import socket, sys, time
path, n, want = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t0 = time.monotonic()
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", 9650), timeout=5)
    s.sendall(b"GET " + path.encode() + b" HTTP/1.0\r\n\r\n")
    buf = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        buf += b
    if not buf.startswith(b"HTTP/1.0 " + want.encode()):
        sys.exit("%s: %r" % (path, buf[:40]))
print(int((time.monotonic() - t0) * 1000))
PY
}
t200=$(timed /status.json 40 200) || fail "/status.json"
t404=$(timed /no/such/page 40 404) || fail "404 not answered"
log "40 requests: /status.json $t200 ms, unknown path $t404 ms"
[ $(( t404 * 5 )) -lt "$t200" ] || fail "a 404 costs about as much as /status.json ($t404 vs $t200 ms)"
timed '/metrics?x=1' 2 200 > /dev/null || fail "/metrics with a query"
timed /metrics/ 2 404 > /dev/null || fail "/metrics/ not 404"
pass "unknown paths answered 404 without building the status"
