#!/usr/bin/env bash
# Half-open TCP checks (`half_open = true`): a SYN from the checker's raw
# socket, a SYN-ACK = up, a RST = refused, an ICMP error = unreachable,
# silence = timeout; IPv4 and IPv6; bind_address. The real server is a
# python listener that logs every accept(): a half-open probe must never
# reach the application, and leave no half-open request behind on the
# server (our kernel answers the SYN-ACK with a RST).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
chk_net
in_ns d1 ip addr add 198.51.100.2/24 dev eth0

listener() {  # listener ADDR PORT FAMILY: logs "accept" per connection
  bg rs1 "acc$2" python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if sys.argv[3] == "6" else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(64)
while True:
    c, a = s.accept(); print("accept", a, flush=True); c.close()' "$1" "$2" "$3"
}
listener 198.51.100.11 80 4
listener 2001:db8::11 8080 6
listener 198.51.100.11 90 4
in_ns rs1 nft -f - <<'NFT' || fail "nft"
table inet t {
  chain in {
    type filter hook input priority 0;
    ip daddr 198.51.100.12 drop
    tcp dport 82 reject with icmp type host-unreachable
    tcp dport 8082 reject with icmpv6 type addr-unreachable
  }
}
NFT
wait_for 5 port_up rs1 80 || fail "listener 80 did not start"
wait_for 5 port_up rs1 8080 || fail "listener 8080 did not start"
wait_for 5 port_up rs1 90 || fail "listener 90 did not start"

H='type = "tcp"; half_open = true; timeout = 1.0;'
conf="$T_DIR/vigil.conf"
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
$(chk_vs up4      198.51.100.11 80 "{ $H }"),
$(chk_vs refused4 198.51.100.11 81 "{ $H }"),
$(chk_vs drop4    198.51.100.12 80 "{ $H }"),
$(chk_vs unreach4 198.51.100.11 82 "{ $H }"),
$(chk_vs bound4   198.51.100.11 80 "{ $H bind_address = \"198.51.100.2\"; }"),
$(chk_vs connect  198.51.100.12 80 "{ $H connect_address = \"198.51.100.11\"; connect_port = 90; }"),
$(chk_vs up6      2001:db8::11 8080 "{ $H }" 2001:db8::10),
$(chk_vs refused6 2001:db8::11 8081 "{ $H }" 2001:db8::10),
$(chk_vs unreach6 2001:db8::11 8082 "{ $H }" 2001:db8::10),
$(chk_vs full     198.51.100.11 80 '{ type = "tcp"; timeout = 1.0; }')
);
CONF
chk_vigild "$conf"
B=2.5
chk_expect \
  up4 198.51.100.11:80 up "ok" $B \
  refused4 198.51.100.11:81 down "connect refused" $B \
  drop4 198.51.100.12:80 down "timeout (waiting for the SYN-ACK)" $B \
  unreach4 198.51.100.11:82 down "unreachable" $B \
  bound4 198.51.100.11:80 up "ok" $B \
  connect 198.51.100.12:80 up "ok" $B \
  up6 "[2001:db8::11]:8080" up "ok" $B \
  refused6 "[2001:db8::11]:8081" down "connect refused" $B \
  unreach6 "[2001:db8::11]:8082" down "unreachable" $B \
  full 198.51.100.11:80 up "ok" $B \
  || fail "states"
pass "half-open: SYN-ACK up, RST refused, ICMP unreachable, silence timeout (IPv4, IPv6)"

# The applications: the half-open probes never reach accept(); the full
# check (same address and port as up4 and bound4) does, once per interval.
n80_ge() { [ "$(grep -c accept "$T_DIR/acc80.log" || true)" -ge "$1" ]; }
wait_for 8 n80_ge 4
n80=$(grep -c accept "$T_DIR/acc80.log" || true)
n8080=$(grep -c accept "$T_DIR/acc8080.log" || true)
n90=$(grep -c accept "$T_DIR/acc90.log" || true)
log "accepts: port 80 $n80 (full check only), port 8080 $n8080, port 90 $n90"
[ "$n8080" = 0 ] && [ "$n90" = 0 ] || fail "a half-open probe reached the application"
[ "$n80" -ge 4 ] || fail "the full check did not reach the application ($n80)"
grep -q "198.51.100.1'" "$T_DIR/acc80.log" || fail "full check came from an unexpected address"
! grep -q "198.51.100.2'" "$T_DIR/acc80.log" || fail "the bound half-open probe reached the application"
# No half-open request is left on the server: each SYN-ACK met a RST.
left=$(in_ns rs1 ss -Htn state syn-recv | wc -l)
[ "$left" -le 2 ] || fail "$left connections left in SYN-RECV on the server"
pass "probes stay below the application; the server keeps no half-open requests ($left in flight)"

# The state dump counts what the shared raw sockets saw.
kill -USR1 "$(cat "$T_DIR/d1.pid")"
wait_for 5 grep -q "half-open tcp: source ports" "$T_DIR/vigild-d1.log" || fail "no half-open line in the state dump"
grep -o "half-open tcp: .*" "$T_DIR/vigild-d1.log" | tail -1 | tee "$T_DIR/dump.txt"
grep -q " 0 malformed" "$T_DIR/dump.txt" || fail "malformed segments counted"
pass "state dump: half-open counters"

# Segments to the probes' port that are not answers: 3 SYN-ACKs acking
# nothing we sent (stray) and 2 with a TCP header cut to 10 bytes
# (malformed), sent raw from the real server. Each is counted and dropped;
# the checks go on.
sport=$(sed -n 's/.*source ports \([0-9]*\) (IPv4).*/\1/p' "$T_DIR/dump.txt")
[ -n "$sport" ] || fail "no source port in the dump"
in_ns rs1 python3 - "$sport" <<'PY' || fail "injection"
import socket, struct, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
def ip(payload):   # the kernel fills in the length, id and checksum
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0, 0, 64, 6, 0,
                       socket.inet_aton("198.51.100.11"), socket.inet_aton("198.51.100.1")) + payload
for i in range(3):
    tcp = struct.pack("!HHIIBBHHH", 80, port, 1000 + i, 0xdead0000 + i, 5 << 4, 0x12, 1024, 0, 0)
    s.sendto(ip(tcp), ("198.51.100.1", 0))
for i in range(2):
    s.sendto(ip(struct.pack("!HHIH", 80, port, 7, 0)), ("198.51.100.1", 0))
PY
st() { vctl d1 status --json | json_get "r['checker']['half_open_$1']"; }
counted() { [ "$(st "$1")" -ge "$2" ]; }
# The dump also sends the checker's counters now (else every 5 s): asked
# again until the checker has read the segments.
dump_counted() { kill -USR1 "$(cat "$T_DIR/d1.pid")"; sleep 0.3; counted malformed 2; }
wait_for 8 dump_counted || fail "malformed segments not counted (status: $(st malformed))"
log "status: sent $(st sent), replies $(st replies), stray $(st stray), malformed $(st malformed), dropped $(st dropped)"
[ "$(st stray)" -ge 3 ] || fail "stray segments not counted"
chk_expect up4 198.51.100.11:80 up "ok" 30 || fail "up4 disturbed by the injected segments"
pass "stray and malformed segments are counted (vigilctl status) and dropped"
