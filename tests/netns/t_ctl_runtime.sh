#!/usr/bin/env bash
# vigilctl add / remove end to end (dry run: no IPVS needed): a real server
# added with a check reaches the checker child, which reports it up; a
# reload keeps it; a parent SIGKILLed and started again carries the change
# on (runtime.json); reload --dry-run reports a change the file took over
# before the reload drops it; a graceful removal drains, then removes; a
# clean stop forgets the changes.
. "$(dirname "$0")/lib.sh"

ns_add d1
lan_add
lan_join d1 eth0 198.51.100.1/24
ns_add rs
lan_join rs eth0 198.51.100.13/24
bg rs listen python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('198.51.100.13', 80)); s.listen(64)
while True:
    c, _ = s.accept(); c.close()"

conf() {
  cat > "$T_DIR/vigil.conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80;
    real_servers = ( { address = "198.51.100.11"; port = 80; } $1 ); }
);
CONF
}
conf ""
vigild_start d1 "$T_DIR/vigil.conf" --dry-run
wait_for 5 vctl d1 status || fail "vigild not answering"

rs13() { vctl d1 status --json | json_get "[s['$1'] for s in r['virtual_servers'][0]['real_servers'] if s['address'] == '198.51.100.13:80']"; }
health13() { vctl d1 status --json | json_get "[s['health']['state'] for s in r['virtual_servers'][0]['real_servers'] if s['address'] == '198.51.100.13:80']"; }

out=$(vctl d1 add web 198.51.100.13:80 weight 3 check tcp interval 0.2 timeout 1 2>&1) \
  || fail "add refused: $out"
out=$(vctl d1 add web 198.51.100.14:80 check http pth /x 2>&1) && fail "a bad check was accepted"
echo "$out" | grep -q "did you mean 'path'" || fail "no reason for the refusal: $out"
up13() { [ "$(health13)" = "['up']" ]; }
wait_for 5 up13 || fail "the checker did not report the added real server up: $(health13)"
[ "$(rs13 origin)" = "['runtime']" ] || fail "not marked as added: $(rs13 origin)"
[ "$(rs13 weight_wanted)" = "[3]" ] || fail "wanted weight $(rs13 weight_wanted)"
grep -q "would add dest tcp 192.0.2.10:80 -> 198.51.100.13:80 weight 3" "$T_DIR/vigild-d1.log" \
  || fail "no destination added"
pass "added at run time: checked by the checker child, in the wanted table"

vctl d1 reload > /dev/null || fail "reload refused"
[ "$(rs13 origin)" = "['runtime']" ] || fail "the reload lost the addition"
kill -KILL "$VIGILD_PID"
wait_for 5 sh -c "! kill -0 $VIGILD_PID" || fail "vigild outlived SIGKILL"
[ -s "$T_DIR/runtime.json" ] || fail "no runtime.json after a crash"
rm -f "$T_DIR/d1.pid"
vigild_start d1 "$T_DIR/vigil.conf" --dry-run
wait_for 5 vctl d1 status || fail "vigild not answering after the restart"
[ "$(rs13 origin)" = "['runtime']" ] || fail "a restarted parent lost the addition"
pass "kept by a reload and by a restarted parent"

conf ", { address = \"198.51.100.13\"; port = 80; }"
out=$(vctl d1 reload --dry-run) || fail "dry run refused"
echo "$out" | grep -q 'runtime change "add 198.51.100.13:80 to 192.0.2.10:80/tcp": would be dropped: the file now lists it' \
  || fail "the dry run did not report the change: $out"
[ "$(rs13 origin)" = "['runtime']" ] || fail "the dry run changed something"
out=$(vctl d1 reload) || fail "reload refused"
echo "$out" | grep -q "dropped: the file now lists it" || fail "the reload did not report the drop: $out"
[ "$(rs13 origin)" = "['file']" ] || fail "the file's definition did not win"
grep -q "runtime: add 198.51.100.13:80 to 192.0.2.10:80/tcp dropped" "$T_DIR/vigild-d1.log" \
  || fail "the drop was not logged"
pass "reload --dry-run reported the change before the reload dropped it"

out=$(vctl d1 remove web 198.51.100.11:80 --graceful --timeout 10) || fail "remove refused: $out"
echo "$out" | grep -q "removed 198.51.100.11:80 from 192.0.2.10:80/tcp" || fail "remove said: $out"
[ "$(vctl d1 status --json | json_get 'len(r["virtual_servers"][0]["real_servers"])')" = 1 ] \
  || fail "the real server is still there"
vctl d1 reload > /dev/null
[ "$(vctl d1 status --json | json_get 'len(r["virtual_servers"][0]["real_servers"])')" = 1 ] \
  || fail "a reload brought the removed real server back"
kill -TERM "$VIGILD_PID"
wait_for 5 sh -c "! kill -0 $VIGILD_PID" || fail "vigild did not stop"
[ -e "$T_DIR/runtime.json" ] && fail "a clean stop left runtime.json"
pass "graceful removal kept by a reload; a clean stop forgets the changes"
