#!/usr/bin/env bash
# https checks against `openssl s_server` with certificates made here:
# verification off, on with the right CA file and name, on without the
# CA (self-signed: refused), on with the wrong name; SNI (a server that
# sends a fatal alert for any other name); and a TLS handshake that never
# finishes (a listener that accepts and says nothing) ends in "timeout".
# Then two reloads, one of the same file and one that changes another
# server: the https probes they keep (host, sni) go on passing in the
# same checker, which by then has freed the configuration they came from.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
command -v openssl >/dev/null || skip "no openssl"
chk_net

cd "$T_DIR"
for n in rs other; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$n.example.test" \
    -addext "subjectAltName=DNS:$n.example.test" -keyout $n.key -out $n.pem 2>/dev/null \
    || fail "openssl req"
done
bg rs1 tls443 openssl s_server -quiet -www -accept 198.51.100.11:443 -cert rs.pem -key rs.key
# SNI: rs.example.test gets rs.pem; any other name a fatal alert.
bg rs1 tls8443 openssl s_server -quiet -www -accept 198.51.100.11:8443 -cert other.pem -key other.key \
  -servername rs.example.test -cert2 rs.pem -key2 rs.key -servername_fatal
bg rs1 hang python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.11", 4443)); s.listen(64); held = []
while True:
    held.append(s.accept()[0])'
for p in 443 8443 4443; do wait_for 5 port_up rs1 $p || fail "port $p did not open"; done

vs() {  # vs NAME PORT CHECK-KEYS (the name's checksum makes the service port unique)
  echo "{ name = \"$1\"; address = \"192.0.2.10\"; port = $(( $(echo "$1" | cksum | cut -d" " -f1) % 60000 + 1024 )); check_interval = 0.5;
    real_servers = ( { address = \"198.51.100.11\"; port = $2;
      checks = ( { type = \"https\"; timeout = 1.0; $3 } ); } ); }"
}
conf="$T_DIR/vigil.conf"
write_conf() {  # write_conf HANG-CHECK-KEYS
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
$(vs noverify 443 ''),
$(vs verify_ca 443 "verify = true; ca_file = \"$T_DIR/rs.pem\"; host = \"rs.example.test\";"),
$(vs verify_noca 443 'verify = true; host = "rs.example.test";'),
$(vs wrong_name 443 "verify = true; ca_file = \"$T_DIR/rs.pem\"; sni = \"other.example.test\";"),
$(vs sni_ok 8443 "verify = true; ca_file = \"$T_DIR/rs.pem\"; sni = \"rs.example.test\";"),
$(vs sni_bad 8443 'sni = "nobody.example.test";'),
$(vs host_sni 8443 "verify = true; ca_file = \"$T_DIR/rs.pem\"; host = \"www.example.test\"; sni = \"rs.example.test\";"),
$(vs hang 4443 "$1")
);
CONF
}
write_conf ''
chk_vigild "$conf"
B=2.5
chk_expect \
  noverify 198.51.100.11:443 up "ok" $B \
  verify_ca 198.51.100.11:443 up "ok" $B \
  verify_noca 198.51.100.11:443 down "tls: certificate verify failed" $B \
  wrong_name 198.51.100.11:443 down "tls: certificate verify failed (hostname mismatch)" $B \
  sni_ok 198.51.100.11:8443 up "ok" $B \
  sni_bad 198.51.100.11:8443 down "tls:" $B \
  host_sni 198.51.100.11:8443 up "ok" $B \
  hang 198.51.100.11:4443 down "timeout (tls handshake)" $B \
  || fail "tls states"
pass "https: verify on/off, CA file, names, SNI, stalled handshake"

status() { vctl d1 status --json > "$T_DIR/st.json"; }
rsval() { json_get "[s for v in r['virtual_servers'] if v['name']=='$1' for s in v['real_servers']][0]['health']['$2']" < "$T_DIR/st.json"; }
checker_pid() { json_get "[p['pid'] for p in r['processes'] if p['name']=='checker'][0]" < "$T_DIR/st.json"; }
kept="verify_ca sni_ok host_sni"
# reload_check GENERATION: after the reload, every kept probe passes again
# in the same checker (consecutive passes carry on: no failure between).
reload_check() {
  wait_for 5 grep -q "checker: configuration generation $1 in use" "$T_DIR/vigild-d1.log" \
    || fail "reload $1 not taken"
  sleep 1.5
  status
  [ "$(checker_pid)" = "$pid" ] || fail "the checker restarted after reload $1"
  for v in $kept; do
    after=$(rsval "$v" passes)
    log "$v: ${before[$v]} consecutive passes before reload $1, $after after"
    [ "$(rsval "$v" state)" = up ] && [ "$after" -gt "${before[$v]}" ] \
      || fail "$v after reload $1: $(rsval "$v" state), $(rsval "$v" reason)"
  done
}
declare -A before
status; pid=$(checker_pid)
for v in $kept; do before[$v]=$(rsval "$v" passes); done
vctl d1 reload >/dev/null || fail "reload refused"
reload_check 2
write_conf 'rise = 2;'     # another server changes: its probe is new
for v in $kept; do before[$v]=$(rsval "$v" passes); done
kill -HUP "$VIGILD_PID"
reload_check 3
pass "https probes kept across reloads (same file, another server changed) still send their names"
