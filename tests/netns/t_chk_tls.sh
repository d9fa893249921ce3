#!/usr/bin/env bash
# https checks against `openssl s_server` with certificates made here:
# verification off, on with the right CA file and name, on without the
# CA (self-signed: refused), on with the wrong name; SNI (a server that
# sends a fatal alert for any other name); and a TLS handshake that never
# finishes (a listener that accepts and says nothing) ends in "timeout".
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
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
$(vs noverify 443 ''),
$(vs verify_ca 443 "verify = true; ca_file = \"$T_DIR/rs.pem\"; host = \"rs.example.test\";"),
$(vs verify_noca 443 'verify = true; host = "rs.example.test";'),
$(vs wrong_name 443 "verify = true; ca_file = \"$T_DIR/rs.pem\"; sni = \"other.example.test\";"),
$(vs sni_ok 8443 "verify = true; ca_file = \"$T_DIR/rs.pem\"; sni = \"rs.example.test\";"),
$(vs sni_bad 8443 'sni = "nobody.example.test";'),
$(vs hang 4443 '')
);
CONF
chk_vigild "$conf"
B=2.5
chk_expect \
  noverify 198.51.100.11:443 up "ok" $B \
  verify_ca 198.51.100.11:443 up "ok" $B \
  verify_noca 198.51.100.11:443 down "tls: certificate verify failed" $B \
  wrong_name 198.51.100.11:443 down "tls: certificate verify failed (hostname mismatch)" $B \
  sni_ok 198.51.100.11:8443 up "ok" $B \
  sni_bad 198.51.100.11:8443 down "tls:" $B \
  hang 198.51.100.11:4443 down "timeout (tls handshake)" $B \
  || fail "tls states"
pass "https: verify on/off, CA file, names, SNI, stalled handshake"
