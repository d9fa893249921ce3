#!/usr/bin/env bash
# Malformed control requests: members that are JSON null, numbers, arrays
# or objects where a string, a boolean or an integer is expected get an
# {"ok":false,"error":...} reply naming the member, and the parent lives
# on; a well-formed drain afterwards still works.
. "$(dirname "$0")/lib.sh"

ns_add d1
lan_add
lan_join d1 eth0 198.51.100.1/24

cat > "$T_DIR/vigil.conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80;
    real_servers = ( { address = "198.51.100.11"; port = 80; } ); }
);
vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = 100;
                         addresses = [ "192.0.2.10/24" ]; } ); };
CONF
vigild_start d1 "$T_DIR/vigil.conf" --dry-run
wait_for 5 vctl d1 status || fail "vigild not answering"

# ask LINE EXPECTED-ERROR-SUBSTRING: one request on a fresh connection; the
# reply must be ok=false with that text in its error.
ask() {
  in_ns d1 python3 - "$T_DIR/d1.sock" "$1" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while not buf.endswith(b"\n"):
    b = s.recv(65536)
    if not b:
        sys.exit("connection closed without a reply to " + sys.argv[2])
    buf += b
r = json.loads(buf)
if r.get("ok") is not False or sys.argv[3] not in r.get("error", ""):
    sys.exit("request %s: unexpected reply %s" % (sys.argv[2], r))
PY
}
alive() { kill -0 "$VIGILD_PID" 2>/dev/null || fail "vigild died on: $1"; }

while IFS='|' read -r req want; do
  [ -n "$req" ] || continue
  ask "$req" "$want" || { alive "$req"; fail "no proper error for: $req"; }
  alive "$req"
done <<'REQS'
{"cmd":"drain","vs":null,"rs":""}|"vs" must be a string
{"cmd":"drain","vs":"web","rs":null}|"rs" must be a string
{"cmd":"undrain","vs":null,"rs":null}|"vs" must be a string
{"cmd":"weight","vs":"web","rs":null,"weight":3}|"rs" must be a string
{"cmd":"drain","vs":5,"rs":"198.51.100.11:80"}|"vs" must be a string
{"cmd":"drain","vs":"web","rs":["198.51.100.11:80"]}|"rs" must be a string
{"cmd":"drain","vs":{},"rs":"198.51.100.11:80"}|"vs" must be a string
{"cmd":"drain","vs":"web"}|needs "vs" and "rs"
{"cmd":"weight","vs":"web","rs":"198.51.100.11:80","weight":"7"}|"weight" must be an integer
{"cmd":"weight","vs":"web","rs":"198.51.100.11:80","weight":null}|"weight" must be an integer
{"cmd":"weight","vs":"web","rs":"198.51.100.11:80","weight":70000}|"weight" must be an integer
{"cmd":"weight","vs":"web","rs":"198.51.100.11:80"}|needs a "weight"
{"cmd":"reload","dry_run":null}|"dry_run" must be true or false
{"cmd":"reload","dry_run":"yes"}|"dry_run" must be true or false
{"cmd":"vrrp","instance":null}|"instance" must be a string
{"cmd":"vrrp","instance":51}|"instance" must be a string
{"cmd":null}|no "cmd" string
{"cmd":7}|no "cmd" string
{"vs":"web"}|no "cmd" string
["status"]|not a JSON object
null|not a JSON object
{"cmd":"drain","vs":"nope","rs":"198.51.100.11:80"}|unknown virtual server
{"cmd":"drain","vs":"web","rs":"198.51.100.99:80"}|unknown real server
REQS
pass "malformed requests answered with an error, vigild alive"

# The generation did not move: no reload ran on a non-boolean dry_run.
[ "$(vctl d1 status --json | json_get 'r["generation"]')" = 1 ] || fail "a malformed reload reloaded"
vctl d1 drain web 198.51.100.11:80 || fail "a well-formed drain refused"
wanted() { vctl d1 status --json | json_get 'r["virtual_servers"][0]["real_servers"][0]["weight_wanted"]'; }
[ "$(wanted)" = 0 ] || fail "drain not applied (weight_wanted $(wanted))"
vctl d1 undrain web 198.51.100.11:80 || fail "a well-formed undrain refused"
pass "well-formed drain and undrain still work"
