#!/usr/bin/env bash
# The HTTP status endpoint (global.http.listen): `/` is a page listing the
# virtual and real servers with their health, `/status.json` is the same
# reply as `vigilctl status --json`, `/metrics` is Prometheus text with the
# real servers' health and weights; an unknown path is 404, POST is 405,
# a client that never finishes its request is dropped without blocking.
. "$(dirname "$0")/lib.sh"

ns_add d1
lan_add
lan_join d1 eth0 198.51.100.1/24
ns_add rs1
lan_join rs1 eth0 198.51.100.11/24
mkdir -p "$T_DIR/www"; echo ok > "$T_DIR/www/health"
bg rs1 http1 python3 -m http.server 80 --bind 198.51.100.11 --directory "$T_DIR/www"

cat > "$T_DIR/vigil.conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; http = { listen = "127.0.0.1:9650"; }; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80;
    real_servers = (
      { address = "198.51.100.11"; port = 80; checks = ( { type = "http"; path = "/health"; interval = 0.5; } ); },
      { address = "198.51.100.12"; port = 80; checks = ( { type = "tcp"; interval = 0.5; timeout = 0.5; } ); } ); }
);
vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = 100; version = 3;
                          advert_interval = 0.2; addresses = [ "192.0.2.10/24" ]; } ); };
CONF
vigild_start d1 "$T_DIR/vigil.conf" --dry-run
get() {  # get PATH [METHOD] -> body on stdout, "STATUS" on fd 3
  in_ns d1 python3 - "$@" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request("http://127.0.0.1:9650" + sys.argv[1], method=sys.argv[2] if len(sys.argv) > 2 else "GET")
try:
    r = urllib.request.urlopen(req, timeout=3); print(r.status); print(r.headers["Content-Type"]); sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code); print(e.headers["Content-Type"])
PY
}
up() { get /status.json > "$T_DIR/up.out"; grep -q '"state":"up"\|"state": "up"' "$T_DIR/up.out"; }
wait_for 8 up || fail "real server 1 never up in /status.json"

get /status.json > "$T_DIR/s.out"
[ "$(head -1 "$T_DIR/s.out")" = 200 ] || fail "/status.json status $(head -1 "$T_DIR/s.out")"
tail -n +3 "$T_DIR/s.out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["ok"] and len(r["processes"]) == 3, r
rs = r["virtual_servers"][0]["real_servers"]
assert rs[0]["health"]["state"] == "up" and rs[1]["health"]["state"] in ("down", "pending"), rs
' || fail "/status.json content"
vctl d1 status --json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["virtual_servers"][0]["name"] == "web"' \
  || fail "vigilctl and /status.json disagree"
pass "/status.json"

# The checker's counters come every 5 s, and with a state dump.
kill -USR1 "$(cat "$T_DIR/d1.pid")"
has_checker() { vctl d1 status --json | json_get "r['checker']['runs']" >/dev/null; }
wait_for 3 has_checker || fail "no checker counters in status"
vrrp_master() { [ "$(vctl d1 status --json | json_get "r['vrrp']['instances'][0]['state']")" = MASTER ]; }
wait_for 5 vrrp_master || fail "VI_1 not master"
get /metrics > "$T_DIR/m.out"
grep -q '^text/plain; version=0.0.4' "$T_DIR/m.out" || fail "metrics content type"
grep -q '^vigil_up 1$' "$T_DIR/m.out" || fail "vigil_up missing"
grep -q '^vigil_real_server_up{vs="web",rs="198.51.100.11:80"} 1$' "$T_DIR/m.out" || fail "rs1 up sample"
grep -q '^vigil_real_server_up{vs="web",rs="198.51.100.12:80"} 0$' "$T_DIR/m.out" || fail "rs2 down sample"
grep -q '^vigil_process_restarts_total{process="checker"} 0$' "$T_DIR/m.out" || fail "restarts sample"
grep -q '^# TYPE vigil_ipvs_operations_total counter$' "$T_DIR/m.out" || fail "ipvs counter type"
grep -Eq '^vigil_checker_runs_total [1-9][0-9]*$' "$T_DIR/m.out" || fail "checker runs sample"
grep -q '^vigil_checker_half_open_segments_total{kind="malformed"} 0$' "$T_DIR/m.out" \
  || fail "half-open malformed sample"
grep -q '^vigil_vrrp_state{vrrp_instance="VI_1",state="MASTER"} 1$' "$T_DIR/m.out" || fail "vrrp state sample"
grep -q '^vigil_vrrp_state{vrrp_instance="VI_1",state="BACKUP"} 0$' "$T_DIR/m.out" || fail "vrrp state sample (backup)"
grep -Eq '^vigil_vrrp_adverts_sent_total{vrrp_instance="VI_1"} [1-9][0-9]*$' "$T_DIR/m.out" || fail "vrrp adverts sample"
grep -q '^vigil_vrrp_priority{vrrp_instance="VI_1"} 100$' "$T_DIR/m.out" || fail "vrrp priority sample"
# Check latency: a histogram per check type fed by every run the checker
# reports (buckets cumulative, +Inf = count), and each real server's last
# change of health as a timestamp. Unchanged results come every 5 s with
# the runs since the last one: after that, every run (0.5 s apart) counts.
http_runs() { get /metrics > "$T_DIR/m.out"; sed -n 's/^vigil_check_latency_seconds_count{type="http"} //p' "$T_DIR/m.out"; }
many_runs() { [ "$(http_runs)" -ge 8 ] 2>/dev/null; }
wait_for 10 many_runs || fail "the http check's runs do not all reach the histogram: $(http_runs)"
python3 - "$T_DIR/m.out" <<'PY' || fail "check latency histogram"
import re, sys
text = open(sys.argv[1]).read()
assert "# TYPE vigil_check_latency_seconds histogram" in text
for t in ("http", "tcp"):
    b = [(le, float(v)) for le, v in re.findall(r'^vigil_check_latency_seconds_bucket\{type="%s",le="([^"]+)"\} (\S+)$' % t, text, re.M)]
    cnt = float(re.search(r'^vigil_check_latency_seconds_count\{type="%s"\} (\S+)$' % t, text, re.M).group(1))
    assert b and b[-1][0] == "+Inf" and b[-1][1] == cnt and cnt >= 2, (t, b, cnt)
    assert all(x[1] <= y[1] for x, y in zip(b, b[1:])), b
# The tcp check to an absent address mostly times out at 0.5 s: its runs
# fall in the (0.25, 1] s buckets.
b = dict(re.findall(r'^vigil_check_latency_seconds_bucket\{type="tcp",le="([^"]+)"\} (\S+)$', text, re.M))
assert float(b["1"]) - float(b["0.25"]) > float(b["+Inf"]) / 2, b
PY
grep -Eq '^vigil_real_server_last_change_timestamp_seconds\{vs="web",rs="198.51.100.11:80"\} 1[0-9]{9}\.[0-9]+$' "$T_DIR/m.out" \
  || fail "last change timestamp"
grep -q '^vigil_virtual_server_quorum_up{vs="web"} 1$' "$T_DIR/m.out" || fail "quorum sample"
# No IPVS in this kernel (a dry run): the traffic families are declared, no sample invented.
grep -q '^# TYPE vigil_real_server_bytes_total counter$' "$T_DIR/m.out" || fail "bytes family"
grep -q '^vigil_real_server_bytes_total{' "$T_DIR/m.out" && fail "traffic sample without IPVS"
vctl d1 status --stats > "$T_DIR/stats.out" || fail "vigilctl status --stats"
grep -q '^Prot LocalAddress:Port .*Conns .*OutBytes$' "$T_DIR/stats.out" || fail "--stats header"
grep -Eq '^  -> 198.51.100.12:80 +- +- ' "$T_DIR/stats.out" || fail "--stats real server line"
vctl d1 status --rate | grep -q '^Prot LocalAddress:Port .*CPS .*OutBPS$' || fail "--rate header"
vctl d1 reload --stats 2>/dev/null && fail "--stats accepted for reload"
# Prometheus' own linter: names, units, HELP/TYPE, counters' _total.
command -v promtool >/dev/null || fail "promtool missing (Debian package prometheus, ./setup.sh)"
tail -n +3 "$T_DIR/m.out" | promtool check metrics > "$T_DIR/promtool.out" 2>&1 \
  || { cat "$T_DIR/promtool.out"; fail "promtool check metrics"; }
[ -s "$T_DIR/promtool.out" ] && { cat "$T_DIR/promtool.out"; fail "promtool check metrics has remarks"; }
# The shipped dashboard and alerting rules use only names this daemon exposes.
tail -n +3 "$T_DIR/m.out" > "$T_DIR/metrics.txt"
"$VIGIL_SRC/tests/lint/monitoring.sh" "$VIGIL_SRC/etc/monitoring" "$T_DIR/metrics.txt" > "$T_DIR/mon.out" 2>&1 \
  || { cat "$T_DIR/mon.out"; fail "etc/monitoring against the live /metrics"; }
pass "/metrics, and promtool check metrics is clean"

get / > "$T_DIR/p.out"
grep -q '^text/html' "$T_DIR/p.out" || fail "page content type"
grep -q '<td>198.51.100.11:80</td><td><span class="b b-up">.*</span> up</span></td>' "$T_DIR/p.out" || fail "page lacks rs1 up"
grep -q '<td>198.51.100.12:80</td>' "$T_DIR/p.out" || fail "page lacks rs2"
pass "/ status page"

[ "$(get /nope | head -1)" = 404 ] || fail "unknown path not 404"
[ "$(get /metrics POST | head -1)" = 405 ] || fail "POST not 405"
# A client that sends half a request and waits: the daemon keeps answering.
in_ns d1 python3 -c '
import socket, time
s = socket.create_connection(("127.0.0.1", 9650)); s.sendall(b"GET / HT"); time.sleep(6)' &
stalled=$!
sleep 0.5
[ "$(get /metrics | head -1)" = 200 ] || fail "a stalled client blocked the endpoint"
wait "$stalled"
pass "404, 405, stalled client"
