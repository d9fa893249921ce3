#!/usr/bin/env bash
# udp checks with binary payloads (keepalived's UDP_CHECK payload and
# require_reply in hex) against a python responder that logs every
# datagram in hex and answers an NTP-style request (first byte e3) with
# 48 bytes beginning 24 02, and nothing else: the payload's bytes
# arrive as written (NUL bytes included); reply_hex with a wildcard
# nibble passes and a wrong one fails; reply length bounds; a silent
# server passes unless require_reply.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
chk_net

bg rs1 udp python3 -u -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.11", 123))
while True:
    d, a = s.recvfrom(4096)
    print(d.hex(), flush=True)
    if d[:1] == b"\xe3":
        s.sendto(b"\x24\x02" + bytes(46), a)'
wait_for 5 uport_up rs1 123 || fail "udp responder did not start"

NTP='e3 00 06 ec 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
     00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01'
NTP=$(echo $NTP)      # one line
U="type = \"udp\"; timeout = 1.0; payload_hex = \"$NTP\";"
conf="$T_DIR/vigil.conf"
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
$(chk_vs ntp_ok 198.51.100.11 123 "{ $U reply_hex = \"24 0x\"; min_reply_length = 48; max_reply_length = 48; }"),
$(chk_vs ntp_prefix 198.51.100.11 123 "{ $U reply_hex = \"1c\"; }"),
$(chk_vs ntp_long 198.51.100.11 123 "{ $U max_reply_length = 40; }"),
$(chk_vs ntp_short 198.51.100.11 123 "{ $U min_reply_length = 64; }"),
$(chk_vs silent_ok 198.51.100.11 123 '{ type = "udp"; timeout = 0.5; payload_hex = "ff 00 ff"; }'),
$(chk_vs silent_req 198.51.100.11 123 '{ type = "udp"; timeout = 0.5; payload_hex = "ff 00 fe"; require_reply = true; }')
);
CONF
chk_vigild "$conf"
B=2.5
chk_expect \
  ntp_ok 198.51.100.11:123 up "ok" $B \
  ntp_prefix 198.51.100.11:123 down "unexpected reply (48 bytes not starting with 1c)" $B \
  ntp_long 198.51.100.11:123 down "unexpected reply (48 bytes, more than 40)" $B \
  ntp_short 198.51.100.11:123 down "unexpected reply (48 bytes, fewer than 64)" $B \
  silent_ok 198.51.100.11:123 up "no reply, no ICMP error" $B \
  silent_req 198.51.100.11:123 down "timeout (no reply)" $B \
  || fail "states"
pass "reply_hex with wildcards, reply length bounds, require_reply"

want=$(echo "$NTP" | tr -d ' ')
grep -qx "$want" "$T_DIR/udp.log" || fail "the 48-byte payload did not arrive as written"
grep -qx "ff00fe" "$T_DIR/udp.log" || fail "ff 00 fe did not arrive"
! grep -v -x -e "$want" -e ff00ff -e ff00fe "$T_DIR/udp.log" | grep -q . || fail "other datagrams arrived"
pass "payload_hex bytes seen by the server exactly (NUL bytes included)"
