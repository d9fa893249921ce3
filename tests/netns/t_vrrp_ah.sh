#!/usr/bin/env bash
# VRRPv2 with IPsec AH authentication against keepalived 2.2.7, both roles:
# vigild (150) preempts keepalived (100) and keepalived yields, with never
# both holding the address; TERM of vigild -> keepalived master at once;
# vigild restarted (its sequence numbers start again) preempts again;
# keepalived restarted at 200 (its numbers start again) preempts vigild;
# a replayed keepalived advert and one with a forged sequence number are
# counted as authentication failures and change nothing; SIGKILL of
# keepalived -> vigild master within the bound. Neither side complains of
# the other's AH headers.
. "$(dirname "$0")/vrrp_lib.sh"
[ -x $KA ] || skip "no keepalived"
command -v tcpdump >/dev/null || skip "no tcpdump"
INJ="python3 $VIGIL_SRC/tests/netns/vrrp_inject.py"
VIP=192.0.2.10

ns_add v; ns_add k; ns_add x; lan_add
lan_join v eth0 192.0.2.1/24
lan_join k eth0 192.0.2.2/24
lan_join x eth0 192.0.2.9/24

ka_conf() {  # ka_conf PRIO
  cat > "$T_DIR/ka.conf" <<CONF
global_defs { router_id ka; }
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority $1
  advert_int 1
  version 2
  authentication {
    auth_type AH
    auth_pass s3cret
  }
  virtual_ipaddress { $VIP/24 }
}
CONF
}
vrrp_conf v "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = 150;
    version = 2; advert_interval = 1.0; addresses = [ \"$VIP/24\" ];
    authentication = { type = \"ah\"; password = \"s3cret\"; }; }"

# Both routers holding the address at one sample is a double master.
watch_single() {  # watch_single SECS WHAT
  local end=$(( $(now_ms) + $1 * 1000 ))
  while [ "$(now_ms)" -lt $end ]; do
    if has_addr v $VIP && has_addr k $VIP; then fail "$2: both hold $VIP"; fi
    sleep 0.1
  done
}
auth_rejects() { vfield v VI_1 "i['rejected'].get('auth_pass', 0)"; }
auth_rejects_are() { [ "$(auth_rejects)" = "$1" ]; }

ka_conf 100
ka_start ka-a
wait_for 8 ka_state ka-a MASTER || fail "keepalived alone not master"
vigild_start v "$T_DIR/v.conf"; V=$VIGILD_PID
wait_for 6 is_state v VI_1 MASTER || fail "vigild (150) did not preempt keepalived"
wait_for 3 ka_state ka-a BACKUP || fail "keepalived did not yield to vigild"
wait_for 3 no_addr k $VIP || fail "keepalived kept the address"
watch_single 3 "vigild master"
ka_state ka-a BACKUP && is_state v VI_1 MASTER || fail "roles changed while watched"
pass "AH: vigild (150) master, keepalived (100) backup, one master"

start=$(now_ms)
kill -TERM $V; wait $V 2>/dev/null
wait_for 3 has_addr k $VIP || fail "keepalived did not take over after TERM of vigild"
pass "AH: vigild TERM (priority 0) -> keepalived master in $(( $(now_ms) - start )) ms"

mv "$T_DIR/vigild-v.log" "$T_DIR/vigild-v-1.txt"
vigild_start v "$T_DIR/v.conf"; V=$VIGILD_PID
wait_for 8 is_state v VI_1 MASTER || fail "restarted vigild did not preempt"
wait_for 3 ka_state ka-a BACKUP || fail "keepalived did not yield to the restarted vigild"
wait_for 3 no_addr k $VIP || fail "keepalived kept the address"
watch_single 2 "restarted vigild master"
pass "AH: vigild restarted (numbering from 1) -> preempts keepalived again"

kill -TERM $KA_PID; wait $KA_PID 2>/dev/null
ka_conf 200
ka_start ka-b
wait_for 8 ka_state ka-b MASTER || fail "restarted keepalived (200) did not preempt"
wait_for 3 is_state v VI_1 BACKUP || fail "vigild did not yield to keepalived"
wait_for 2 no_addr v $VIP || fail "vigild kept the address"
[ "$(vfield v VI_1 'i["master"]["address"]')" = 192.0.2.2 ] || fail "vigild does not see keepalived as master"
watch_single 2 "keepalived master"
pass "AH: keepalived (200) master, vigild backup"

# A replay: one of keepalived's adverts, sent again from x a while later;
# then the same with a fresh sequence number its ICV does not cover.
rej0=$(auth_rejects)
in_ns lan timeout 5 tcpdump -i br0 -c 1 -w "$T_DIR/ka-adv.pcap" 'ip proto 51 and src 192.0.2.2' \
  >/dev/null 2>&1 || fail "no AH advert from keepalived captured"
sleep 1.5
in_ns x $INJ --replay "$T_DIR/ka-adv.pcap"
in_ns x $INJ --replay "$T_DIR/ka-adv.pcap" --seq-add 1000
wait_for 3 auth_rejects_are $((rej0 + 2)) || fail "replay and forged number not counted as auth failures: $(vfield v VI_1 'i["rejected"]')"
grep -q "rejected: auth_pass: AH sequence number replayed" "$T_DIR/vigild-v.log" \
  || fail "no log line for the replay"
is_state v VI_1 BACKUP && ka_state ka-b MASTER || fail "the injected adverts changed a state"
pass "AH: a replayed advert and a forged sequence number are auth failures; no state change"

sleep 1
start=$(now_ms)
ka_crash
wait_for 5 has_addr v $VIP || fail "vigild did not take over after SIGKILL of keepalived"
took=$(master_ms v VI_1 $start)
[ $took -le 4000 ] || fail "takeover took $took ms (bound 3.41 s + margin)"
in_ns k ip addr del $VIP/24 dev eth0 2>/dev/null
pass "AH: keepalived SIGKILL -> vigild master in ${took} ms"

# Only the two injected adverts were refused, on either side.
[ "$(auth_rejects)" = $((rej0 + 2)) ] || fail "vigild refused keepalived's own adverts: $(vfield v VI_1 'i["rejected"]')"
[ "$(vfield v VI_1 'sum(i["rejected"].values())')" = $((rej0 + 2)) ] \
  || fail "vigild rejected other adverts: $(vfield v VI_1 'i["rejected"]')"
[ "$rej0" = 0 ] || fail "vigild refused $rej0 of keepalived's adverts before the injection"
# ("IPSEC-AH : Syncing seq_num" is keepalived's master hearing a lower one.)
bad=$(ka_invalid; grep -hE "IPSEC-AH : (invalid|sequence)|AH header|auth" "$T_DIR"/ka-*.log || true)
[ -z "$bad" ] || fail "keepalived complained: $bad"
pass "AH: no authentication complaint on either side"
