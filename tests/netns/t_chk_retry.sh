#!/usr/bin/env bash
# retry, retry_delay and warmup (keepalived's retry, delay_before_retry
# and warmup) against a python HTTP server that logs the time of every
# request: a dead page is asked retry + 1 times, retry_delay apart, and
# only then goes down; a page that fails every other request never goes
# down with one retry (and does without); warmup = 0 puts the first
# request right after start-up although the interval is long.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
chk_net

# /bad: always 503; /flaky*: 503 on every other request to that path.
bg rs1 srv python3 -u -c '
import http.server, time, collections
n = collections.Counter()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        n[self.path] += 1
        print("%.3f %s" % (time.time(), self.path), flush=True)
        bad = self.path == "/bad" or (self.path.startswith("/flaky") and n[self.path] % 2 == 1)
        self.send_response(503 if bad else 200)
        self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("198.51.100.11", 80), H).serve_forever()'
wait_for 5 port_up rs1 80 || fail "server did not start"

H='type = "http"; timeout = 1.0; interval = 4.0; warmup = 0;'
conf="$T_DIR/vigil.conf"
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
$(chk_vs dead 198.51.100.11 80 "{ $H path = \"/bad\"; retry = 2; retry_delay = 0.4; }"),
$(chk_vs flaky 198.51.100.11 80 "{ type = \"http\"; timeout = 1.0; interval = 0.5; path = \"/flaky\"; retry = 1; retry_delay = 0.1; }"),
$(chk_vs flaky_noretry 198.51.100.11 80 "{ type = \"http\"; timeout = 1.0; interval = 0.5; path = \"/flaky2\"; }")
);
CONF
t_start=$(python3 -c 'import time; print("%.3f" % time.time())')
chk_vigild "$conf"
# 3 requests 0.4 s apart, then DOWN: about 0.8 s after the first.
chk_expect dead 198.51.100.11:80 down "http status 503" 2.0 || fail "dead did not go down"
chk_expect flaky_noretry 198.51.100.11:80 down "http status 503" 2.0 || fail "flaky without retry did not go down"
sleep 3
chk_expect flaky 198.51.100.11:80 up "ok" 10 || fail "flaky is not up"
! grep -q "flaky 198.51.100.11:80 DOWN" "$T_DIR/vigild-d1.log" || fail "flaky went down despite retry"
flaky_ge() { [ "$(grep -c ' /flaky$' "$T_DIR/srv.log")" -ge "$1" ]; }
wait_for 5 flaky_ge 8
n_flaky=$(grep -c ' /flaky$' "$T_DIR/srv.log")
[ "$n_flaky" -ge 8 ] || fail "flaky: only $n_flaky requests"
pass "a failure retried once that then passes never takes the server down ($n_flaky requests)"

n_bad() { [ "$(grep -c ' /bad$' "$T_DIR/srv.log")" -ge 5 ]; }
wait_for 10 n_bad || fail "fewer than 5 requests for /bad"
python3 - "$T_DIR/srv.log" "$t_start" <<'PY' || fail "retry timing"
import sys, re
t = [float(l.split()[0]) for l in open(sys.argv[1]) if l.split()[1] == "/bad"]
start = float(sys.argv[2])
print("dead: first request %.3f s after start; gaps %s" % (
    t[0] - start, " ".join("%.3f" % (b - a) for a, b in zip(t, t[1:]))))
# warmup = 0: the first request at once (the interval is 4 s).
assert t[0] - start < 1.0, "first request %.3f s after start" % (t[0] - start)
# retry 2, retry_delay 0.4: three requests 0.4 s apart, then the interval
# (4 s from the start of the last retry); a down check is not retried.
assert len(t) >= 5, "only %d requests" % len(t)
for g in (t[1] - t[0], t[2] - t[1]):
    assert 0.35 <= g <= 0.6, "retry gap %.3f" % g
assert 3.8 <= t[3] - t[2] <= 4.3, "interval gap %.3f" % (t[3] - t[2])
assert 3.8 <= t[4] - t[3] <= 4.3, "a down check was retried: gap %.3f" % (t[4] - t[3])
PY
grep -q "dead 198.51.100.11:80 DOWN: http status 503 (1/1)" "$T_DIR/vigild-d1.log" \
  || fail "no DOWN line for dead"
pass "retry_delay measured between retries; one failure counted after retry + 1 requests"
