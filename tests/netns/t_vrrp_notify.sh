#!/usr/bin/env bash
# Notification paths and announcement options beside keepalived 2.2.7, the
# same transitions on both: the notify FIFO lines and the generic notify
# script's arguments have keepalived's words and order; vigild's adverts
# leave from the configured source (keepalived's mcast_src_ip); the
# start-up delay holds the instance in INIT; becoming master sends
# garp.count gratuitous ARPs and another burst garp.delay later; a master
# hearing a lower master sends garp.lower_prio_count of them.
# (keepalived 2.2.7 itself never comes up as a lower master here: an
# injected advert plays that part.)
. "$(dirname "$0")/vrrp_lib.sh"
[ -x $KA ] || skip "no keepalived"
command -v tcpdump >/dev/null || skip "no tcpdump"
VIP=192.0.2.10
INJ="python3 $VIGIL_SRC/tests/netns/vrrp_inject.py"

ns_add v; ns_add k; lan_add
lan_join v eth0 192.0.2.1/24 192.0.2.11/24
lan_join k eth0 192.0.2.2/24
VMAC=$(in_ns v cat /sys/class/net/eth0/address)

# The notify script both run: its arguments, one line per call.
mkdir -m 1777 "$T_DIR/notes"
cat > "$T_DIR/rec.sh" <<EOF
#!/bin/sh
tag=\$1; shift
echo "\$*" >> "$T_DIR/notes/\$tag.txt"
EOF
chmod 755 "$T_DIR/rec.sh"
mkfifo "$T_DIR/v.fifo" "$T_DIR/k.fifo"
bg v fifo-v cat "$T_DIR/v.fifo"
bg k fifo-k cat "$T_DIR/k.fifo"
capture lan "$T_DIR/arp.txt" -i br0 -n -e -tt -l arp
capture lan "$T_DIR/vrrp-src.txt" -i br0 -n -tt -l -c 3 'ip proto 112 and src 192.0.2.11'

ka_conf() {  # ka_conf STATE PRIO
  cat > "$T_DIR/ka.conf" <<CONF
global_defs {
  router_id ka
  notify_fifo $T_DIR/k.fifo
  script_user root
  enable_script_security
}
vrrp_instance VI_1 {
  state $1
  interface eth0
  virtual_router_id 51
  priority $2
  advert_int 1
  version 3
  notify "$T_DIR/rec.sh k"
  virtual_ipaddress { $VIP/24 }
}
CONF
}
cat > "$T_DIR/v.conf" <<CONF
global = { control_socket = "$T_DIR/v.sock"; router_id = "v"; script_user = "nobody";
  notify_fifo = "$T_DIR/v.fifo"; vrrp_startup_delay = 2.0; };
vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = 150;
  version = 3; advert_interval = 1.0; addresses = [ "$VIP/24" ]; source = "192.0.2.11";
  garp = { count = 2; delay = 2.0; lower_prio_count = 1; };
  notify = { all = "$T_DIR/rec.sh v"; }; } ); };
CONF

ka_conf BACKUP 100
ka_start ka-a
wait_for 6 ka_state ka-a MASTER || fail "keepalived alone not master"
vigild_start v "$T_DIR/v.conf"; V=$VIGILD_PID
wait_for 6 grep -q "VI_1: INIT -> BACKUP" "$T_DIR/vigild-v.log" || fail "vigild's instance never started"
# From the vrrp child's start (vigil.conf(5): the delay counts from
# there) to the instance's, by vigild's own clock.
waited=$(awk '/vrrp: instances start in/ && !s { split($1, a, ":"); s = a[1] * 3600 + a[2] * 60 + a[3] }
  /VI_1: INIT -> BACKUP/ && !e { split($1, a, ":"); e = a[1] * 3600 + a[2] * 60 + a[3] }
  END { printf "%d", (e - s) * 1000 }' "$T_DIR/vigild-v.log")
[ "$waited" -ge 1950 ] && [ "$waited" -le 2600 ] || fail "the instance started $waited ms after the vrrp child, not 2 s"
pass "vrrp_startup_delay: the instance starts ${waited} ms after the vrrp child"

wait_for 6 is_state v VI_1 MASTER || fail "vigild (150) did not preempt keepalived"
wait_for 3 ka_state ka-a BACKUP || fail "keepalived did not yield to vigild"
became=$(date +%s.%N)
wait_for 3 test -s "$T_DIR/vrrp-src.txt" || fail "no advert from 192.0.2.11 (source)"
grep -q "192.0.2.11 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 150" "$T_DIR/vrrp-src.txt" \
  || fail "adverts not sent from the configured source: $(cat "$T_DIR/vrrp-src.txt")"
pass "source: adverts leave from 192.0.2.11 (mcast_src_ip)"

# Gratuitous ARPs from vigild's MAC: 2 at once, 2 more 2 s later (the
# count polled, then a settle so that a fifth would show).
garps() { grep -i "^[0-9.]* $VMAC > ff:ff:ff:ff:ff:ff.*Request who-has $VIP tell $VIP" "$T_DIR/arp.txt"; }
n_ge() { [ "$(garps | wc -l)" -ge "$1" ]; }
wait_for 5 n_ge 4 || fail "second GARP burst missing: $(garps)"
sleep 0.5
n=$(garps | wc -l)
[ "$n" = 4 ] || fail "becoming master: $n gratuitous ARPs, want 2 + 2: $(garps)"
gap=$(garps | awk 'NR==2 { a = $1 } NR==3 { printf "%d", ($1 - a) * 1000 }')
[ "$gap" -ge 1800 ] && [ "$gap" -le 2600 ] || fail "second burst after $gap ms, not garp.delay 2 s"
pass "garp: count 2 at once, another 2 after ${gap} ms (garp_master_delay)"

# A lower master is heard (an advert of priority 100 from k's address):
# vigild re-announces with one gratuitous ARP (garp_lower_prio_repeat).
before=$(garps | wc -l)
in_ns k $INJ --src 192.0.2.2 --vrid 51 --prio 100 --addr $VIP
wait_for 3 n_ge $((before + 1)) || fail "no gratuitous ARP for the lower master"
sleep 0.5
n=$(( $(garps | wc -l) - before ))
[ "$n" = 1 ] || fail "lower master heard: $n gratuitous ARPs, want garp.lower_prio_count 1"
is_state v VI_1 MASTER || fail "vigild lost MASTER"
pass "garp: a lower master heard -> 1 gratuitous ARP (garp_lower_prio_repeat)"

kill -TERM $V; wait $V 2>/dev/null
wait_for 4 has_addr k $VIP || fail "keepalived did not take over"
wait_for 2 grep -q "MASTER 100" "$T_DIR/fifo-k.log"
wait_for 3 grep -qx 'INSTANCE "VI_1" STOP 150' "$T_DIR/fifo-v.log"
wait_for 3 grep -qx 'INSTANCE VI_1 STOP 150' "$T_DIR/notes/v.txt"
wait_for 3 grep -qx 'INSTANCE VI_1 MASTER 100' "$T_DIR/notes/k.txt"
sleep 0.5

# FIFO lines and script arguments: the same words on both.
cat "$T_DIR/fifo-v.log" "$T_DIR/fifo-k.log" "$T_DIR/notes/"*.txt | sed 's/^/  /'
want_v='INSTANCE "VI_1" BACKUP 150
INSTANCE "VI_1" MASTER 150
INSTANCE "VI_1" STOP 150'
[ "$(cat "$T_DIR/fifo-v.log")" = "$want_v" ] || fail "vigild's FIFO lines differ: $(cat "$T_DIR/fifo-v.log")"
grep -qx 'INSTANCE "VI_1" BACKUP 100' "$T_DIR/fifo-k.log" && grep -qx 'INSTANCE "VI_1" MASTER 100' "$T_DIR/fifo-k.log" \
  || fail "keepalived's FIFO lines are not the reference format: $(cat "$T_DIR/fifo-k.log")"
[ "$(cat "$T_DIR/notes/v.txt")" = "$(tr -d '"' <<< "$want_v")" ] \
  || fail "vigild's notify arguments differ: $(cat "$T_DIR/notes/v.txt")"
grep -qx 'INSTANCE VI_1 MASTER 100' "$T_DIR/notes/k.txt" \
  || fail "keepalived's notify arguments are not the reference: $(cat "$T_DIR/notes/k.txt")"
pass "notify FIFO and generic notify script: keepalived's words and order"
