#!/usr/bin/env bash
# Real servers across a WAN (LVS-TUN) and on the director's LAN (LVS-DR),
# set up with the commands of docs/wan-dr.md:
#
#   client 203.0.113.2 ── router ──┬── lan 192.0.2.0/24: director 192.0.2.1
#                     (20 ms to    │   (VIPs .10 and .11 on lo), dr1 .21, dr2 .22
#                      the site)   └── site 198.51.100.0/24: w1 .11 (ipip),
#                                      w2 .12 (gue, port 6080), w3 .13 (gre)
#
# "wan" (192.0.2.10:80, tun) round robin over w1..w3, each encapsulated its
# own way; "lan" (192.0.2.11:80, dr) over dr1, dr2 with the VIP on lo and
# arp_ignore 1 / arp_announce 2. Every real server filters by strict
# rp_filter, as many distributions ship, and the tunnel ends are loose.
# Proves: the HTTP checks reach every real server (through the router for
# the remote site) and vigild puts all five in the table; every request
# from the client is answered, spread evenly, by each real server; the
# replies go straight from the real servers to the client (the router
# forwards them from the site and the LAN, the director sends none); the
# router still reaches both VIPs at the director's MAC (no real server
# answered or announced one); a remote server whose service stops is
# taken out by its check and the traffic goes on without it.
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd ipvsadm python3 nft

VIGILD="$VIGIL_BUILD/daemon/vigild"
VIGILCTL="$VIGIL_BUILD/ctl/vigilctl"
T=$(mktemp -d /tmp/wan.XXXXXX); chmod 755 "$T"
SOCK="$T/vigil.sock"
vm_on_exit rm -rf "$T"
modprobe ip_vs; modprobe ip_vs_rr
for m in ipip fou ip_gre; do modprobe "$m" || vm_skip "no $m module"; done

# --- the networks -----------------------------------------------------------------
# link NS IF BRIDGE ADDR/LEN: a veth from NS's IF into BRIDGE (root namespace).
link() {
  ip link add "v$1$2" type veth peer name "$2" netns "$1"
  ip link set "v$1$2" master "$3" up
  ip -n "$1" addr add "$4" dev "$2"; ip -n "$1" link set "$2" up
}
for br in lan site; do
  ip link add "$br" type bridge; ip link set "$br" up
  vm_on_exit ip link del "$br"
done
for n in client router dir dr1 dr2 w1 w2 w3; do vm_netns_add "$n"; done
ip link add eth0 netns client type veth peer name eth0 netns router
ip -n client addr add 203.0.113.2/24 dev eth0; ip -n client link set eth0 up
ip -n client route add default via 203.0.113.1
ip -n router addr add 203.0.113.1/24 dev eth0; ip -n router link set eth0 up
link router lan0 lan 192.0.2.254/24
link router site0 site 198.51.100.254/24
ip netns exec router sysctl -qw net.ipv4.ip_forward=1
# The site's replies carry a VIP the router routes to the LAN: strict
# uRPF on the router would drop them (docs/wan-dr.md, "The path").
ip netns exec router sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.site0.rp_filter=0
tc -n router qdisc add dev site0 root netem delay 20ms 2>/dev/null || vm_log "no netem: the site is 0 ms away"
link dir eth0 lan 192.0.2.1/24
ip -n dir route add default via 192.0.2.254
ip -n dir addr add 192.0.2.10/32 dev lo; ip -n dir addr add 192.0.2.11/32 dev lo

# A real server's own network: its address and its gateway, a strict
# rp_filter as shipped by many distributions, and an HTTP server naming it
# on every address (the check's and the VIP's).
rs_net() {  # rs_net NAME BRIDGE ADDR GATEWAY
  link "$1" eth0 "$2" "$3/24"
  ip -n "$1" route add default via "$4"
  ip netns exec "$1" sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.rp_filter=1 \
    net.ipv4.conf.eth0.rp_filter=1
  mkdir -p "$T/$1"; echo "$1" > "$T/$1/index.html"
  ip netns exec "$1" python3 -m http.server 80 --directory "$T/$1" > "$T/$1.log" 2>&1 &
  printf -v "HTTP_$1" '%s' $!
  vm_on_exit sh -c "kill $! 2>/dev/null || true"
}

# --- the real servers, as docs/wan-dr.md sets them up --------------------------------
# LVS-DR on the LAN: the VIP on lo; answer ARP only for addresses of the
# asking interface, and never announce the VIP as an ARP source.
dr_rs() {  # dr_rs NAME ADDR
  rs_net "$1" lan "$2" 192.0.2.254
  ip netns exec "$1" sh -ec '
    sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
    sysctl -qw net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
    ip addr add 192.0.2.11/32 dev lo'
}
# LVS-TUN across the WAN: the decapsulating device up with the VIP on it,
# loose rp_filter there (the inner source is a client reached via eth0),
# the MSS the clients may send lowered by the encapsulation's overhead.
tun_rs() {  # tun_rs NAME ADDR ipip|gue|gre
  rs_net "$1" site "$2" 198.51.100.254
  case $3 in
    ipip) dev=tunl0; mss=1440 ;;
    gue)  dev=tunl0; mss=1428; ip netns exec "$1" ip fou add port 6080 gue ;;
    gre)  dev=gre0;  mss=1436 ;;
  esac
  ip netns exec "$1" sh -ec "
    ip link set $dev up
    ip addr add 192.0.2.10/32 dev $dev
    sysctl -qw net.ipv4.conf.$dev.rp_filter=2
    sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
    ip route change default via 198.51.100.254 advmss $mss"
}
dr_rs dr1 192.0.2.21; dr_rs dr2 192.0.2.22
tun_rs w1 198.51.100.11 ipip; tun_rs w2 198.51.100.12 gue; tun_rs w3 198.51.100.13 gre

# The router counts the replies it forwards to the client, by where they
# come from; the director counts what it sends from a VIP.
ip netns exec router nft -f - <<'NFT'
table ip t {
  chain through { type filter hook forward priority 0;
    iifname "site0" ip saddr 192.0.2.10 tcp sport 80 counter
    iifname "lan0" ip saddr 192.0.2.11 tcp sport 80 counter
  }
}
NFT
ip netns exec dir nft -f - <<'NFT'
table ip t {
  chain sent { type filter hook output priority 0; ip saddr { 192.0.2.10, 192.0.2.11 } counter; }
  chain through { type filter hook forward priority 0; ip saddr { 192.0.2.10, 192.0.2.11 } counter; }
}
NFT
counters() {  # counters NS: the packet counts of its rules, in order
  ip netns exec "$1" nft list table ip t | grep -o 'packets [0-9]*' | awk '{ printf "%s ", $2 }'
}

# --- the director --------------------------------------------------------------------
check='checks = ( { type = "http"; path = "/"; status = [ 200 ]; interval = 1.0; timeout = 3.0; fall = 2; } );'
cat > "$T/vigil.conf" <<CONF
global = { control_socket = "$SOCK"; };
virtual_servers = (
  { name = "wan"; address = "192.0.2.10"; port = 80; scheduler = "rr"; forwarding = "tun";
    real_servers = (
      { address = "198.51.100.11"; port = 80; $check },
      { address = "198.51.100.12"; port = 80; tunnel = { type = "gue"; port = 6080; }; $check },
      { address = "198.51.100.13"; port = 80; tunnel = { type = "gre"; }; $check } ); },
  { name = "lan"; address = "192.0.2.11"; port = 80; scheduler = "rr"; forwarding = "dr";
    real_servers = (
      { address = "192.0.2.21"; port = 80; $check },
      { address = "192.0.2.22"; port = 80; $check } ); }
);
CONF
"$VIGILD" -t -f "$T/vigil.conf" || vm_fail "configuration refused"
ip netns exec dir "$VIGILD" -n -l -f "$T/vigil.conf" -p "$T/vigild.pid" > "$T/vigild.log" 2>&1 &
vm_on_exit sh -c "kill $! 2>/dev/null || true"
vm_on_exit dump
dump() {
  [ -z "${PASSED:-}" ] || return 0
  tail -n 40 "$T/vigild.log"; ip netns exec dir ipvsadm -Ln
}

vctl() { ip netns exec dir "$VIGILCTL" -s "$SOCK" "$@"; }
# ups: the real servers whose checks pass, as sorted "vs:address" words.
ups() {
  vctl status --json 2>/dev/null | python3 -c 'import json,sys
r = json.load(sys.stdin)
print(" ".join(sorted(v["name"] + ":" + s["address"] for v in r["virtual_servers"]
                      for s in v["real_servers"] if s["health"]["up"] and s["health"]["passes"] > 0)))'
}
all_up="lan:192.0.2.21:80 lan:192.0.2.22:80 wan:198.51.100.11:80 wan:198.51.100.12:80 wan:198.51.100.13:80"
is_all_up() { [ "$(ups)" = "$all_up" ]; }
vm_wait_for 30 is_all_up || vm_fail "checks: up are only '$(ups)'"
table() { ip netns exec dir ipvsadm -Ln | awk '$1 == "->" && $2 != "RemoteAddress:Port" { print $2, $3, $4 }' | sort; }
expected_table="192.0.2.21:80 Route 1
192.0.2.22:80 Route 1
198.51.100.11:80 Tunnel 1
198.51.100.12:80 Tunnel 1
198.51.100.13:80 Tunnel 1"
is_table() { [ "$(table)" = "$expected_table" ]; }
vm_wait_for 10 is_table || vm_expect_eq "IPVS table" "$expected_table" "$(table)"
saved=$(ip netns exec dir ipvsadm -S -n)
vm_log "$(grep -- -r <<< "$saved" | tr '\n' ';')"
grep -Eq -- '-r 198\.51\.100\.12:80 .*gue.*6080' <<< "$saved" || vm_fail "w2 is not sent GUE to port 6080"
grep -Eq -- '-r 198\.51\.100\.13:80 .*gre' <<< "$saved" || vm_fail "w3 is not sent GRE"
vm_log "PASS: the checks reach all five real servers (three across the router), all in the table"

# fetch VIP N: N requests from the client, one connection each; prints the
# answers counted by real server, and "failed=K" for those unanswered.
fetch() {
  ip netns exec client python3 - "$1" "$2" <<'PY'
import collections, sys, urllib.request
c = collections.Counter()
for _ in range(int(sys.argv[2])):
    try:
        c[urllib.request.urlopen("http://%s/" % sys.argv[1], timeout=5).read().decode().strip()] += 1
    except OSError:
        c["failed"] += 1
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))
PY
}
before_router=$(counters router)
got=$(fetch 192.0.2.10 30)
[ "$got" = "w1=10 w2=10 w3=10" ] || vm_fail "wan: 10 answers from each of w1 (ipip), w2 (gue), w3 (gre) expected, got '$got'"
vm_log "PASS: wan (tun): $got"
got=$(fetch 192.0.2.11 20)
[ "$got" = "dr1=10 dr2=10" ] || vm_fail "lan: 10 answers from each of dr1, dr2 expected, got '$got'"
vm_log "PASS: lan (dr): $got"

read -r site lan <<< "$(counters router)"
read -r site0 lan0 <<< "$before_router"
read -r dout dfwd <<< "$(counters dir)"
vm_log "replies forwarded by the router: $((site - site0)) from the site, $((lan - lan0)) from the LAN; sent by the director from a VIP: $dout, forwarded $dfwd"
# Each answered request is at least SYN-ACK, the response and FIN-ACK.
{ [ $((site - site0)) -ge 90 ] && [ $((lan - lan0)) -ge 60 ]; } || vm_fail "the replies did not come through the router from the real servers"
{ [ "$dout" = 0 ] && [ "$dfwd" = 0 ]; } || vm_fail "the director sent or forwarded packets from a VIP"
ip netns exec dir ipvsadm -Ln --stats --exact | awk '($1 == "TCP" || $1 == "->") && $5 ~ /^[0-9]+$/ && $5 != 0 { bad = 1 } END { exit bad }' \
  || { ip netns exec dir ipvsadm -Ln --stats --exact; vm_fail "IPVS saw outbound packets"; }
mac=$(ip -n dir -br link show eth0 | awk '{ print $3 }')
for vip in 192.0.2.10 192.0.2.11; do
  got=$(ip -n router neigh show "$vip" dev lan0 | awk '{ print $3 }')
  [ "$got" = "$mac" ] || vm_fail "the router reaches $vip at '$got', not the director's $mac: a real server answered or announced the VIP"
done
vm_log "PASS: the replies went from the real servers through the router to the client, none through the director; the router reaches both VIPs at the director's MAC"

# A remote real server whose service stops: its check takes it out.
kill "${HTTP_w2:?}"
t0=${EPOCHREALTIME/./}
w2_out() { ! table | grep -q '^198\.51\.100\.12:80 Tunnel [1-9]'; }
vm_wait_for 20 w2_out \
  || { table; vm_fail "w2 stopped answering but stays in the table"; }
vm_log "w2 out of the table $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms after its server stopped"
got=$(fetch 192.0.2.10 20)
[ "$got" = "w1=10 w3=10" ] || vm_fail "wan without w2: 10 answers from each of w1 and w3 expected, got '$got'"
vm_log "PASS: w2's check took it out; the client's requests all answered by w1 and w3 ($got)"
PASSED=1
