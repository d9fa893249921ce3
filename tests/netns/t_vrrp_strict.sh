#!/usr/bin/env bash
# Strict mode's non-accept mode (RFC 5798 §6.4.2, §6.4.3) between two
# vigild. VI_1 (vrid 51, .10) has no accept, VI_2 (vrid 52, .20) has
# accept = true; a listens on TCP 8080 and is master of both, b backup.
#   - a client connects to .20 but not to .10, and still resolves .10 to
#     the master's MAC (ARP is answered); the master's own connection
#     from .10 is dropped too; VRRP runs (b stays backup)
#   - the backup, sent .10 at its own MAC, does not answer
#   - failover to b: the same holds there
#   - a reload giving VI_1 accept opens .10 (and an unchanged one puts a
#     deleted table back); a user's own nft table is
#     never touched; stop removes table inet vigil, and a table left by
#     a SIGKILL is replaced (or removed) at the next start
. "$(dirname "$0")/vrrp_lib.sh"
command -v nft >/dev/null || skip "no nft program (package nftables)"
V1=192.0.2.10; V2=192.0.2.20

ns_add a; ns_add b; ns_add c; lan_add
lan_join a eth0 192.0.2.1/24
lan_join b eth0 192.0.2.2/24
lan_join c eth0 192.0.2.100/24

strict_conf() {  # strict_conf NODE PRIO VI_1-EXTRA
  vrrp_conf "$1" "
    { name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = $2; advert_interval = 0.5;
      addresses = [ \"$V1/24\" ]; $3 },
    { name = \"VI_2\"; interface = \"eth0\"; vrid = 52; priority = $2; advert_interval = 0.5;
      accept = true; addresses = [ \"$V2/24\" ]; }"
  sed -i 's/^global = {/global = { vrrp_strict = true;/' "$T_DIR/$1.conf"
}
strict_conf a 150 ""; strict_conf b 100 ""

# Something listening on every address of a and b.
for n in a b; do
  bg $n srv-$n python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', 8080)); s.listen(16)
while True: s.accept()[0].close()"
done
# connects NODE DST [SRC]: a TCP connection to DST:8080 opens within 1 s.
connects() {
  in_ns "$1" python3 -c "
import socket, sys
s = socket.socket(); s.settimeout(1)
if len(sys.argv) > 2: s.bind((sys.argv[2], 0))
s.connect((sys.argv[1], 8080))" "$2" ${3:-} 2>/dev/null
}
mac() { in_ns "$1" cat /sys/class/net/eth0/address; }
arp_is() { in_ns c ip neigh show "$1" dev eth0 | grep -q "lladdr $2"; }
has_table() { in_ns "$1" nft list table inet vigil >/dev/null 2>&1; }

in_ns a nft add table inet user '{ comment "not vigil'"'"'s"; }'
in_ns a nft add chain inet user in '{ type filter hook input priority 10; policy accept; }'
in_ns a nft add rule inet user in ip saddr 203.0.113.7 counter drop
user_before=$(in_ns a nft list table inet user)

vigild_start a "$T_DIR/a.conf"; A=$VIGILD_PID
vigild_start b "$T_DIR/b.conf"; B=$VIGILD_PID
wait_for 5 is_state a VI_1 MASTER || fail "a not master of VI_1"
wait_for 5 is_state a VI_2 MASTER || fail "a not master of VI_2"
wait_for 3 is_state b VI_1 BACKUP || fail "b not backup"
has_table a && has_table b || fail "no table inet vigil"
in_ns a nft list set inet vigil vip4 | grep -q "$V1" || fail "a: $V1 not in the set"
in_ns a nft list set inet vigil vip4 | grep -q "$V2" && fail "a: $V2 (accept) in the set"
[ "$(vfield a VI_1 '(i["strict"], i["accept"])')" = "(True, False)" ] || fail "vigilctl: VI_1 not strict without accept"
[ "$(vfield a VI_2 '(i["strict"], i["accept"])')" = "(True, True)" ] || fail "vigilctl: VI_2 not strict with accept"
pass "table inet vigil in place on both, $V1 only"

connects c $V2 || fail "master with accept: client cannot connect to $V2"
connects c $V1 && fail "master without accept: client connected to $V1"
arp_is $V1 "$(mac a)" || fail "master did not answer ARP for $V1"
connects a 192.0.2.2 $V1 && fail "master: a connection from $V1 went out"
connects c 192.0.2.1 || fail "the master's own address refused"
sleep 1.5
is_state b VI_1 BACKUP || fail "b left BACKUP: VRRP blocked?"
pass "master: $V2 (accept) connects, $V1 dropped both ways, ARP answered, VRRP passes"

in_ns c ip neigh replace $V1 lladdr "$(mac b)" dev eth0 nud permanent
connects c $V1 && fail "backup answered for $V1"
in_ns c ip neigh del $V1 dev eth0
pass "backup: $V1 sent to its MAC is not answered"

kill -TERM $A; wait $A 2>/dev/null
wait_for 3 is_state b VI_1 MASTER || fail "b did not take over"
wait_for 3 no_addr a $V1 || fail "a kept $V1"
has_table a && fail "a stopped with table inet vigil left"
[ "$(in_ns a nft list table inet user)" = "$user_before" ] || fail "user's table changed"
in_ns c ip neigh flush dev eth0
wait_for 3 connects c $V2 || fail "b master with accept: cannot connect to $V2"
connects c $V1 && fail "b master without accept: connected to $V1"
arp_is $V1 "$(mac b)" || fail "b did not answer ARP for $V1"
pass "stop removed a's table, user's table intact; failover: b drops $V1, takes $V2"

strict_conf b 100 "accept = true;"
vctl b reload > /dev/null || fail "reload refused"
wait_for 3 connects c $V1 || fail "after reload with accept, $V1 still dropped"
has_table b && fail "b: table kept though no instance needs it"
pass "reload: VI_1 with accept connects; the table goes"

strict_conf b 100 ""
vctl b reload > /dev/null || fail "reload refused"
wait_for 3 has_table b || fail "b: table not back after reload"
connects c $V1 && fail "b: $V1 connects after reload without accept"
in_ns b nft delete table inet vigil
vctl b reload > /dev/null || fail "reload refused"
wait_for 3 has_table b || fail "b: an unchanged reload did not put a deleted table back"
vigild_crash b
sleep 0.5
has_table b || fail "SIGKILL removed the table?"
in_ns b nft add element inet vigil vip4 '{ 192.0.2.99 }'
in_ns b ip addr flush dev eth0 to $V1/32
in_ns b ip addr flush dev eth0 to $V2/32
vigild_start b "$T_DIR/b.conf"; B=$VIGILD_PID
wait_for 5 is_state b VI_1 MASTER || fail "b not master after restart"
in_ns b nft list set inet vigil vip4 | grep -q 192.0.2.99 && fail "leftover table not replaced"
[ "$(in_ns b nft list tables | grep -c vigil)" = 1 ] || fail "more than one vigil table"
connects c $V1 && fail "after restart, $V1 connects"
kill -TERM $B; wait $B 2>/dev/null
has_table b && fail "b: table left after stop"
pass "a leftover table is replaced at start and removed at stop"
