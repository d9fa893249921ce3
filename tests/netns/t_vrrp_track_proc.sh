#!/usr/bin/env bash
# Tracked processes move mastership from the kernel's process events:
# d1 (priority 150) tracks a process with weight -60 (90 < d2's 120 while
# it is missing), fork_delay 0.3 s and terminate_delay 1 s. Starting it
# makes d1 preempt after the fork delay; killing it keeps d1 master for
# the terminate delay, then d2 takes over. A sync group's own track block
# (weight 0, reverse: fault while a second process runs) moves its member
# on d1 to FAULT when that process starts and back when it exits.
# The vrrp child runs in a network namespace: its connector socket is
# opened in the initial one. v3, advert 0.2 s.
. "$(dirname "$0")/vrrp_lib.sh"
VIP=192.0.2.10; VIP2=192.0.2.20
ns_add d1; ns_add d2; lan_add
lan_join d1 eth0 192.0.2.1/24
lan_join d2 eth0 192.0.2.2/24
# Process names no other process on the host has (comm: 15 bytes at most).
PA="vgta$$"; PB="vgtb$$"
cp /bin/sleep "$T_DIR/$PA"; cp /bin/sleep "$T_DIR/$PB"
inst() {  # NAME VRID VIP PRIO [TRACK]
  echo "{ name = \"$1\"; interface = \"eth0\"; vrid = $2; priority = $4; version = 3;
    advert_interval = 0.2; addresses = [ \"$3/24\" ]; ${5:-} }"
}
vrrp_conf d1 "$(inst VI_1 51 $VIP 150 'track = { processes = ( { name = "pa"; weight = -60; } ); };'),
  $(inst VI_2 52 $VIP2 150)" \
  "processes = ( { name = \"pa\"; process = \"$PA\"; fork_delay = 0.3; terminate_delay = 1.0; },
                 { name = \"pb\"; process = \"$T_DIR/$PB\"; params = [ \"30\" ]; } );
   sync_groups = ( { name = \"G\"; instances = [ \"VI_2\" ];
     track = { processes = ( { name = \"pb\"; weight = 0; reverse = true; } ); }; } );"
vrrp_conf d2 "$(inst VI_1 51 $VIP 120), $(inst VI_2 52 $VIP2 120)"
vigild_start d1 "$T_DIR/d1.conf"
vigild_start d2 "$T_DIR/d2.conf"
eff() { test "$(vfield d1 VI_1 'i["priority"]["effective"]')" = "$1"; }
wait_for 5 is_state d2 VI_1 MASTER || fail "d2 not master while the process is missing"
wait_for 2 eff 90 || fail "effective priority not 90 without the process"
wait_for 5 is_state d1 VI_2 MASTER || fail "d1 not master of VI_2"
grep -q "vrrp: .*process events" "$T_DIR/vigild-d1.log" && fail "no process events in d1"

# Start: up after fork_delay (0.3 s), d1 preempts at once (priority 150).
start=$(now_ms)
"$T_DIR/$PA" 60 & PID_A=$!; T_PIDS+=("$PID_A")
wait_for 3 has_addr d1 $VIP || fail "d1 did not take over when the process started"
took=$(( $(now_ms) - start ))
[ "$took" -ge 250 ] || fail "d1 took over in $took ms, before the fork delay"
[ "$took" -le 1500 ] || fail "d1 took over in $took ms"
wait_for 2 eff 150 || fail "effective priority not 150 with the process"
wait_for 2 no_addr d2 $VIP || fail "d2 kept the address"
pass "process started: d1 master in $took ms (fork_delay 0.3 s)"

# Kill: still up for terminate_delay (1 s), then 90: d2 preempts.
start=$(now_ms)
kill "$PID_A"; wait "$PID_A" 2>/dev/null
sleep 0.5
has_addr d1 $VIP || fail "d1 lost the address before the terminate delay"
wait_for 3 has_addr d2 $VIP || fail "d2 did not take over when the process exited"
took=$(( $(now_ms) - start ))
[ "$took" -ge 950 ] || fail "d2 took over in $took ms, before the terminate delay"
[ "$took" -le 2500 ] || fail "d2 took over in $took ms"
wait_for 2 eff 90 || fail "effective priority not back to 90"
grep -q "vrrp process pa: down (0 running)" "$T_DIR/vigild-d1.log" || fail "verdict not logged"
pass "process killed: d2 master in $took ms (terminate_delay 1 s)"

# Group track, reverse weight 0: pb running (argv[0] and params match) -> FAULT.
"$T_DIR/$PB" 31 & PID_X=$!; T_PIDS+=("$PID_X")     # other params: no match
sleep 0.5
is_state d1 VI_2 MASTER || fail "a process with other parameters matched"
start=$(now_ms)
"$T_DIR/$PB" 30 & PID_B=$!; T_PIDS+=("$PID_B")
wait_for 3 is_state d1 VI_2 FAULT || fail "group tracker: d1 VI_2 not FAULT while pb runs"
wait_for 2 has_addr d2 $VIP2 || fail "d2 did not take VI_2"
took=$(( $(now_ms) - start ))
kill "$PID_B" "$PID_X"; wait "$PID_B" "$PID_X" 2>/dev/null
wait_for 3 is_state d1 VI_2 MASTER || fail "d1 VI_2 did not come back when pb exited"
pass "sync group tracker (reverse, weight 0): FAULT and takeover in $took ms, back on exit"
