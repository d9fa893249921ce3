#!/usr/bin/env bash
# Virtual routes, rules and addresses with options fail over as a unit.
# Two gateways d1 (150) and d2 (100) between network A (192.0.2.0/24,
# 2001:db8:1::/64, client c) and network B (198.51.100.0/24,
# 2001:db8:2::/64, server s). One IPv4 instance moves: its VIP (with a
# label), an excluded IPv4 and an excluded IPv6 gateway address on the
# other device, an excluded IPv6 gateway on eth0, routes (table 100 via
# s, a blackhole, an IPv6 route, an IPv6 unreachable) and rules (IPv4
# and IPv6). The client reaches 203.0.113.1 and 2001:db8:3::1 behind s
# only through the master's rule and table-100 route; after SIGTERM of
# the master everything is on d2 and gone from d1, and the client's
# traffic flows again (d2 had the operator's identical route already:
# no error, and it survives d2's stop). A start-up sweeps a crashed run's routes; a stop
# removes everything; a reload that changes nothing changes nothing.
. "$(dirname "$0")/vrrp_lib.sh"

ns_add d1; ns_add d2; ns_add c; ns_add s; lan_add
ip -n "$(ns_name lan)" link add br1 type bridge
ip -n "$(ns_name lan)" link set br1 up
lan_join d1 eth0 192.0.2.1/24 2001:db8:1::11/64
lan_join d2 eth0 192.0.2.2/24 2001:db8:1::12/64
lan_join c eth0 192.0.2.100/24 2001:db8:1::100/64
# lanb_join NODE ADDR...: a port on network B (br1)
lanb_join() {
  local node="$1"; shift
  lan_join "$node" eth1
  ip -n "$(ns_name "$node")" link set eth1 nomaster 2>/dev/null
  local peer; peer=$(ip -n "$(ns_name lan)" -o link show master br0 | tail -1 | awk -F'[:@ ]+' '{print $2}')
  ip -n "$(ns_name lan)" link set "$peer" master br1
  for a in "$@"; do
    case "$a" in *:*) ip -n "$(ns_name "$node")" addr add "$a" dev eth1 nodad ;;
      *) ip -n "$(ns_name "$node")" addr add "$a" dev eth1 ;; esac
  done
}
lanb_join d1 198.51.100.11/24 2001:db8:2::11/64
lanb_join d2 198.51.100.12/24 2001:db8:2::12/64
lanb_join s 198.51.100.100/24 2001:db8:2::100/64
for n in d1 d2; do
  in_ns $n sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
done
in_ns s ip addr add 203.0.113.1/32 dev lo
in_ns s ip addr add 2001:db8:3::1/128 dev lo
in_ns s ip route add 192.0.2.0/24 via 198.51.100.1
in_ns s ip -6 route add 2001:db8:1::/64 via 2001:db8:2::1
in_ns c ip route add 203.0.113.0/24 via 192.0.2.10
in_ns c ip -6 route add 2001:db8:3::/64 via 2001:db8:1::1

INST='{ name = "GW"; interface = "eth0"; vrid = 60; priority = PRIO; version = 3;
  advert_interval = 0.2;
  addresses = ( { address = "192.0.2.10/24"; label = "eth0:gw"; } );
  excluded_addresses = ( { address = "198.51.100.1/24"; device = "eth1"; },
    { address = "2001:db8:2::1/64"; device = "eth1"; }, "2001:db8:1::1/64",
    { address = "192.0.2.20/32"; scope = "host"; } );
  routes = ( { to = "203.0.113.0/24"; via = "198.51.100.100"; table = 100; },
    { to = "203.0.113.128/25"; type = "blackhole"; metric = 7; },
    { to = "2001:db8:3::/64"; via = "2001:db8:2::100"; device = "eth1"; table = 101; },
    { to = "2001:db8:4::/48"; type = "unreachable"; } );
  rules = ( { from = "192.0.2.100/32"; table = 100; priority = 1000; },
    { from = "2001:db8:1::100/128"; iif = "eth0"; table = 101; priority = 1001; } ); }'
for n in d1:150 d2:100; do
  vrrp_conf "${n%%:*}" "${INST/PRIO/${n##*:}}"
done

# has NODE PATTERN CMD...: CMD's output in NODE matches PATTERN (else says what is missing)
has() {
  local n=$1 pat=$2; shift 2
  in_ns $n "$@" | grep -qE -- "$pat" && return 0
  [ -n "${VERBOSE:-}" ] && log "$n: no '$pat' in: $*"
  return 1
}
# Everything GW moves is on NODE.
all_on() {
  local n=$1
  has $n "192.0.2.10/24 .* eth0:gw" ip -o -4 addr show dev eth0 &&
  has $n "192.0.2.20/32 scope host" ip -o -4 addr show dev eth0 &&
  has $n " 198.51.100.1/24" ip -o -4 addr show dev eth1 &&
  has $n " 2001:db8:2::1/64" ip -o -6 addr show dev eth1 &&
  has $n " 2001:db8:1::1/64" ip -o -6 addr show dev eth0 &&
  has $n "^203.0.113.0/24 via 198.51.100.100" ip route show table 100 &&
  has $n "^blackhole 203.0.113.128/25 metric 7" ip route show proto 78 &&
  has $n "^2001:db8:3::/64 via 2001:db8:2::100 dev eth1" ip -6 route show table 101 proto 78 &&
  has $n "^unreachable 2001:db8:4::/48" ip -6 route show proto 78 &&
  has $n "^1000:.*from 192.0.2.100 lookup 100 proto 78" ip rule show &&
  has $n "^1001:.*from 2001:db8:1::100 iif eth0 lookup 101 proto 78" ip -6 rule show
}
none_on() {
  local n=$1
  ! in_ns $n ip -o addr show | grep -qE " (192.0.2.10|192.0.2.20|198.51.100.1|2001:db8:2::1|2001:db8:1::1)/" &&
  [ -z "$(in_ns $n ip route show table all proto 78)" ] &&
  [ -z "$(in_ns $n ip -6 route show table all proto 78)" ] &&
  ! in_ns $n ip rule show | grep -q "proto 78" &&
  ! in_ns $n ip -6 rule show | grep -q "proto 78"
}
# s listens on both of its addresses behind the gateways; c connects.
bg s http python3 -m http.server --bind :: 8080
reach() {
  in_ns c timeout 1 bash -c '</dev/tcp/203.0.113.1/8080' &&
  in_ns c timeout 1 bash -c '</dev/tcp/2001:db8:3::1/8080'
}

# A crashed run's leftover on d1: a route of protocol 78 not in the configuration.
in_ns d1 ip route add 198.18.0.0/15 dev eth1 proto 78
in_ns d1 ip rule add from 198.18.0.0/15 lookup 100 priority 900 proto 78

# An operator's route on d2 identical to one GW moves: there already
# when d2 becomes master (not an error), and left alone when it stops.
in_ns d2 ip route add 203.0.113.0/24 via 198.51.100.100 table 100 proto static

vigild_start d2 "$T_DIR/d2.conf"; D2=$VIGILD_PID
vigild_start d1 "$T_DIR/d1.conf"; D1=$VIGILD_PID
wait_for 6 is_state d1 GW MASTER || fail "d1 not master"
wait_for 3 is_state d2 GW BACKUP || fail "d2 not backup"
wait_for 2 all_on d1 || { VERBOSE=1 all_on d1; fail "d1 master without all it moves"; }
none_on d2 || fail "d2 holds some of it as backup"
in_ns d1 ip route show proto 78 | grep -q 198.18 && fail "the crashed run's route survived start-up"
in_ns d1 ip rule show | grep -q "from 198.18" && fail "the crashed run's rule survived start-up"
grep -q "removed 1 stale routes and 1 stale rules" "$T_DIR/vigild-d1.log" || fail "sweep not logged"
wait_for 5 reach || fail "client cannot reach 203.0.113.1 / 2001:db8:3::1 through d1"
pass "master d1: addresses (label, scope, device, excluded, IPv6), routes, rules; sweep at start; client reaches s"

# eth1 down and up on the master: the kernel drops the route through it
# and the IPv6 address on it; d1 stays master and puts them back.
in_ns d1 ip link set eth1 down
wait_for 2 sh -c "! ip -n $(ns_name d1) route show table 100 | grep -q 203.0.113" || fail "eth1 down kept the route"
in_ns d1 ip link set eth1 up
wait_for 3 all_on d1 || { VERBOSE=1 all_on d1; fail "d1 did not restore what eth1 going down dropped"; }
is_state d1 GW MASTER || fail "d1 left MASTER over eth1"
wait_for 5 reach || fail "client cannot reach s after eth1 came back"
pass "a link of the master down and up: routes and addresses restored"

# The netlink monitor is listening once it shows a route of table 250
# added and deleted here; those lines are left out of mon.log.
mon_seen() {
  in_ns d1 ip route add blackhole 192.0.2.255/32 table 250
  in_ns d1 ip route del blackhole 192.0.2.255/32 table 250
  grep -q "Deleted.*table 250" "$T_DIR/mon.raw"
}
mon_start() {  # ip itself in the background (not a function's subshell), so kill stops it
  ip -n "$(ns_name d1)" monitor route rule address > "$T_DIR/mon.raw" 2>&1 & MON=$!
  wait_for 5 mon_seen || fail "ip monitor is not listening"
}
mon_stop() { kill $MON; wait $MON 2>/dev/null; grep -v "table 250" "$T_DIR/mon.raw" > "$T_DIR/mon.log"; }
# A reload that changes nothing: no route, rule or address event on d1
# (the vrrp child says it uses the new generation once it has applied it).
mon_start
kill -HUP $D1
wait_for 5 grep -q "vrrp: configuration generation 2 in use" "$T_DIR/vigild-d1.log" || fail "no reload"
sleep 0.5
mon_stop
[ -s "$T_DIR/mon.log" ] && fail "a reload that changed nothing changed: $(cat "$T_DIR/mon.log")"
# A reload that changes one route: only that route changes.
sed -i 's/metric = 7;/metric = 8;/' "$T_DIR/d1.conf"
mon_start
kill -HUP $D1
wait_for 5 grep -q "vrrp: configuration generation 3 in use" "$T_DIR/vigild-d1.log" || fail "no second reload"
wait_for 3 grep -q "^blackhole 203.0.113.128/25 .*metric 8" "$T_DIR/mon.raw"
sleep 0.5   # anything more would show by now
mon_stop
grep -q "Deleted blackhole 203.0.113.128/25 .*metric 7" "$T_DIR/mon.log" || fail "old route stays: $(cat "$T_DIR/mon.log")"
grep -q "^blackhole 203.0.113.128/25 .*metric 8" "$T_DIR/mon.log" || fail "new route missing: $(cat "$T_DIR/mon.log")"
[ "$(wc -l < "$T_DIR/mon.log")" -eq 2 ] || fail "more than the route changed: $(cat "$T_DIR/mon.log")"
is_state d1 GW MASTER || fail "reload moved d1 out of MASTER"
pass "reload: nothing changed -> no netlink event; one route changed -> two events"
sed -i 's/metric = 8;/metric = 7;/' "$T_DIR/d1.conf"

# Failover: SIGTERM of d1 -> d2 holds all, d1 nothing, the client's traffic flows.
kill -TERM $D1
wait_for 3 is_state d2 GW MASTER || fail "d2 did not take over"
wait_for 2 all_on d2 || { VERBOSE=1 all_on d2; fail "d2 master without all it moves"; }
wait_for 3 none_on d1 || fail "d1 kept some of it after stopping"
# The neighbours learnt the new master from its announcements on each
# device (before any traffic could teach them): s the excluded IPv4
# gateway on eth1, c the excluded IPv6 gateway on eth0.
neigh_is() { in_ns $1 ip neigh show $2 | grep -q "lladdr $3"; }
wait_for 2 neigh_is s 198.51.100.1 "$(in_ns d2 cat /sys/class/net/eth1/address)" \
  || fail "s still has the old MAC for 198.51.100.1: $(in_ns s ip neigh)"
wait_for 2 neigh_is c 2001:db8:1::1 "$(in_ns d2 cat /sys/class/net/eth0/address)" \
  || fail "c still has the old MAC for 2001:db8:1::1: $(in_ns c ip neigh)"
wait_for 3 reach || fail "client cannot reach s through d2"
pass "failover: everything moved to d2 (neighbours told on each device), nothing left on d1, client reaches s through d2"

grep -E " (err|warn).*route" "$T_DIR/vigild-d2.log" && fail "d2 complained about the route already there"
kill -TERM $D2
wait_for 3 none_on d2 || fail "d2 kept some of it after stopping"
in_ns d2 ip route show table 100 proto static | grep -q "^203.0.113.0/24" \
  || fail "stopping d2 removed the operator's own route"
pass "stop removes addresses, routes and rules; a route already there is no error and stays"
