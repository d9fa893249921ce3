#!/usr/bin/env bash
# Preemption: with preempt = false a higher-priority director that starts
# later stays BACKUP while the current master lives, and takes over only
# when it stops; with preempt_delay = 2 a higher one waits 2 s, then
# preempts. v3, advert 0.5 s.
. "$(dirname "$0")/vrrp_lib.sh"
VIP=192.0.2.10
ns_add d1; ns_add d2; lan_add
lan_join d1 eth0 192.0.2.1/24
lan_join d2 eth0 192.0.2.2/24
conf() {  # NODE PRIO EXTRA
  vrrp_conf $1 "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = $2; version = 3;
      advert_interval = 0.5; addresses = [ \"$VIP/24\" ]; $3 }"
}
conf d1 150 "preempt = false;"
conf d2 100 "preempt = false;"
vigild_start d2 "$T_DIR/d2.conf"; D2=$VIGILD_PID
wait_for 4 is_state d2 VI_1 MASTER || fail "d2 alone not master"
vigild_start d1 "$T_DIR/d1.conf"; D1=$VIGILD_PID
wait_for 3 is_state d1 VI_1 BACKUP || fail "d1 not backup"
sleep 3
is_state d1 VI_1 BACKUP && is_state d2 VI_1 MASTER || fail "no-preempt: d1 (150) took over from d2 (100)"
[ "$(vfield d1 VI_1 'i["master"]["address"]')" = 192.0.2.2 ] || fail "d1 does not see d2 as master"
pass "preempt = false: d1 (150) stays backup behind d2 (100)"
kill -TERM $D2; wait $D2 2>/dev/null
wait_for 2 is_state d1 VI_1 MASTER || fail "d1 did not take over when d2 stopped"
pass "preempt = false: d1 takes over when d2 stops"

# preempt_delay: d2 (100, preempt) is master; d1 (150) waits 2 s before preempting.
kill -TERM $D1; wait $D1 2>/dev/null
conf d1 150 "preempt = true; preempt_delay = 2.0;"
conf d2 100 ""
vigild_start d2 "$T_DIR/d2.conf"
wait_for 4 is_state d2 VI_1 MASTER || fail "d2 alone not master"
start=$(now_ms)
vigild_start d1 "$T_DIR/d1.conf"
wait_for 2 is_state d1 VI_1 BACKUP || fail "d1 not backup"
wait_for 5 is_state d1 VI_1 MASTER || fail "d1 did not preempt after the delay"
took=$(( $(now_ms) - start ))
[ $took -ge 1900 ] || fail "preempted after ${took} ms, before preempt_delay"
wait_for 2 is_state d2 VI_1 BACKUP || fail "d2 did not yield"
pass "preempt_delay 2 s: d1 preempted after ${took} ms"
