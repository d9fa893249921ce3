#!/usr/bin/env bash
# smtp (python3.11 smtpd's DebuggingServer; a 554 greeting), dns (dnsmasq:
# answer, NXDOMAIN, wrong address, a name with 64 A records of which the
# first and last eight are expected), udp (a python responder: expected
# reply, other reply, ICMP port unreachable), ping (IPv4 and IPv6 up, an
# absent host down) and script checks (exit 0, exit 1, dynamic weight,
# killed at the timeout).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
chk_net

bg rs1 smtp python3 -W ignore -m smtpd -n -c DebuggingServer 198.51.100.11:25
bg rs1 smtp554 python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.11", 2525)); s.listen(16)
while True:
    c, _ = s.accept(); c.sendall(b"554 5.3.2 no service here\r\n"); c.close()'
for i in $(seq 100 163); do echo "203.0.113.$i many.example.test"; done > "$T_DIR/many.hosts"
bg rs1 dns dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
  --listen-address=198.51.100.11 --port=53 --local=/example.test/ \
  --host-record=www.example.test,203.0.113.5 --addn-hosts="$T_DIR/many.hosts" \
  --pid-file="$T_DIR/dnsmasq.pid" --user=root
bg rs1 udp python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.51.100.11", 7000))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(b"pong " + d if d == b"ping" else b"what?", a)'
wait_for 5 port_up rs1 25 || fail "smtpd did not start"
wait_for 5 port_up rs1 2525 || fail "smtp 554 server did not start"
wait_for 5 uport_up rs1 53 || fail "dnsmasq did not start"
wait_for 5 uport_up rs1 7000 || fail "udp responder did not start"

conf="$T_DIR/vigil.conf"
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; router_id = "d1"; };
virtual_servers = (
$(chk_vs smtp_ok 198.51.100.11 25 '{ type = "smtp"; timeout = 1.0; helo_name = "d1.example.test"; }'),
$(chk_vs smtp_554 198.51.100.11 2525 '{ type = "smtp"; timeout = 1.0; }'),
$(chk_vs dns_ok 198.51.100.11 53 '{ type = "dns"; query = "www.example.test"; expect = [ "203.0.113.5" ]; timeout = 1.0; }'),
$(chk_vs dns_nx 198.51.100.11 53 '{ type = "dns"; query = "nx.example.test"; timeout = 1.0; }'),
$(chk_vs dns_wrong 198.51.100.11 53 '{ type = "dns"; query = "www.example.test"; expect = [ "203.0.113.9" ]; timeout = 1.0; }'),
$(chk_vs dns_many 198.51.100.11 53 "{ type = \"dns\"; query = \"many.example.test\"; timeout = 1.0;
  expect = [ $(for i in $(seq 100 107) $(seq 156 163); do printf '"203.0.113.%s", ' $i; done | sed 's/, $//') ]; }"),
$(chk_vs udp_ok 198.51.100.11 7000 '{ type = "udp"; payload = "ping"; expect = "pong"; timeout = 1.0; }'),
$(chk_vs udp_other 198.51.100.11 7000 '{ type = "udp"; payload = "hello"; expect = "pong"; timeout = 1.0; }'),
$(chk_vs udp_unreach 198.51.100.11 7001 '{ type = "udp"; payload = "ping"; timeout = 1.0; }'),
$(chk_vs ping_ok 198.51.100.11 80 '{ type = "ping"; timeout = 1.0; }'),
$(chk_vs ping6_ok 2001:db8::11 80 '{ type = "ping"; timeout = 1.0; }' 2001:db8::10),
$(chk_vs ping_down 198.51.100.13 80 '{ type = "ping"; timeout = 1.0; }'),
$(chk_vs script_ok 198.51.100.11 80 '{ type = "script"; command = "/bin/true"; timeout = 1.0; }'),
$(chk_vs script_fail 198.51.100.11 80 '{ type = "script"; command = "/bin/sh -c \"exit 1\""; timeout = 1.0; }'),
$(chk_vs script_dyn 198.51.100.11 80 '{ type = "script"; command = "/bin/sh -c \"exit 9\""; dynamic_weight = true; timeout = 1.0; }'),
$(chk_vs script_slow 198.51.100.11 80 '{ type = "script"; command = "/bin/sleep 30.123"; timeout = 0.5; }')
);
CONF
chk_vigild "$conf"
B=2.5
chk_expect \
  smtp_ok 198.51.100.11:25 up "ok" $B \
  smtp_554 198.51.100.11:2525 down "smtp greeting 554" $B \
  dns_ok 198.51.100.11:53 up "ok" $B \
  dns_nx 198.51.100.11:53 down "dns: NXDOMAIN" $B \
  dns_wrong 198.51.100.11:53 down "dns: expected address missing (203.0.113.9)" $B \
  dns_many 198.51.100.11:53 up "ok" $B \
  udp_ok 198.51.100.11:7000 up "ok" $B \
  udp_other 198.51.100.11:7000 down "unexpected reply" $B \
  udp_unreach 198.51.100.11:7001 down "port unreachable" $B \
  ping_ok 198.51.100.11:80 up "ok" $B \
  ping6_ok "[2001:db8::11]:80" up "ok" $B \
  ping_down 198.51.100.13:80 down "timeout" $B \
  script_ok 198.51.100.11:80 up "ok" $B \
  script_fail 198.51.100.11:80 down "script exit 1" $B \
  script_dyn 198.51.100.11:80 up "ok (weight 7)" $B \
  script_slow 198.51.100.11:80 down "timeout" 2 \
  || fail "states"
pass "smtp, dns, udp, ping and script checks"

vctl d1 status --json > "$T_DIR/st.json"
[ "$(json_get "[v for v in r['virtual_servers'] if v['name']=='script_dyn'][0]['real_servers'][0]['health']['dynamic_weight']" < "$T_DIR/st.json")" = 7 ] \
  || fail "dynamic weight not 7"
pass "dynamic weight = exit code - 2"
# The timed-out scripts were killed: no sleep of ours (a 30.123 s one, so no
# other sleep on the machine matches) older than the timeout survives.
sleep 1
[ -z "$(pgrep -f 'sleep 30[.]123' -O 2 2>/dev/null)" ] || fail "a timed-out script is still running"
pass "timed-out scripts are killed"
