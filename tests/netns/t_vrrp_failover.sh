#!/usr/bin/env bash
# VRRP v3 election and failover, three directors on one LAN: the highest
# priority wins; notify scripts run with TYPE NAME STATE PRIORITY; SIGKILL
# of the master -> the next one holds the address within
# 3 x advert + skew (+ margin); TERM of a master -> the next takes over
# within its skew time (priority-0 advert); the best one preempts when it
# comes back. vigilctl vrrp shows states, priorities, master and counters.
. "$(dirname "$0")/vrrp_lib.sh"

VIP=192.0.2.10
ns_add d1; ns_add d2; ns_add d3; lan_add
lan_join d1 eth0 192.0.2.1/24
lan_join d2 eth0 192.0.2.2/24
lan_join d3 eth0 192.0.2.3/24

# Notify scripts run as script_user (nobody): a world-writable log.
chmod 755 "$T_DIR"; mkdir -m 1777 "$T_DIR/notify"
cat > "$T_DIR/notify.sh" <<'SH'
#!/bin/sh
echo "$(cat /proc/sys/kernel/hostname 2>/dev/null) $*" >> "$(dirname "$0")/notify/$2.$4.log"
SH
chmod 755 "$T_DIR/notify.sh"

for n in d1:150 d2:120 d3:100; do
  node=${n%%:*}; prio=${n##*:}
  vrrp_conf "$node" "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = $prio;
      version = 3; advert_interval = 1.0; addresses = [ \"$VIP/24\" ];
      notify = { master = \"$T_DIR/notify.sh\"; backup = \"$T_DIR/notify.sh\";
                 stop = \"$T_DIR/notify.sh\"; fault = \"$T_DIR/notify.sh\"; }; }"
done
# The lowest priority starts first and becomes master; the others preempt it.
vigild_start d3 "$T_DIR/d3.conf"
wait_for 6 has_addr d3 $VIP || fail "d3 alone did not become master"
vigild_start d2 "$T_DIR/d2.conf"; D2=$VIGILD_PID
vigild_start d1 "$T_DIR/d1.conf"; D1=$VIGILD_PID
wait_for 8 is_state d1 VI_1 MASTER || fail "d1 (150) not master"
wait_for 3 is_state d3 VI_1 BACKUP || fail "d3 did not yield to d1"
wait_for 3 is_state d2 VI_1 BACKUP || fail "d2 not backup"
has_addr d1 $VIP || fail "d1 master without the address"
wait_for 2 no_addr d3 $VIP || fail "d3 kept the address"
has_addr d2 $VIP && fail "d2 holds the address as backup"
pass "election by priority: d1 (150) master, d2 and d3 backup"

# Status: master seen, counters, master-down timer.
wait_for 2 vis d2 VI_1 'i["master"] and i["master"]["address"]' 192.0.2.1 \
  || fail "d2 does not report d1 as master"
vjson d2 VI_1
[ "$(json_get 'r["instances"][0]["priority"]["effective"]' < "$T_DIR/d2.vrrp.json")" = 120 ] || fail "priority"
json_get 'r["instances"][0]["master_down_timer"] > 0' < "$T_DIR/d2.vrrp.json" | grep -q True || fail "no master-down timer"
wait_for 3 vis d2 VI_1 'i["adverts"]["received"] >= 2' True || fail "d2 counts no adverts"
wait_for 3 vis d1 VI_1 'i["adverts"]["sent"] >= 2' True || fail "d1 counts no adverts sent"
vctl d1 vrrp | grep -q "^VI_1 .* MASTER .*150/150" || fail "human table lacks the master line"
vctl d1 status --json | json_get 'r["vrrp"]["instances"][0]["state"]' | grep -q MASTER || fail "status lacks the vrrp section"
vctl d1 vrrp NOPE > /dev/null 2>&1 && fail "unknown instance accepted"
pass "vigilctl vrrp: master seen, priorities, timer, counters, table, status section"

# Notify: d3 ran master then backup, with the right arguments.
wait_for 3 test -s "$T_DIR/notify/VI_1.150.log" || fail "d1 notify master missing"
grep -q "INSTANCE VI_1 MASTER 150" "$T_DIR/notify/VI_1.150.log" || fail "d1 notify args: $(cat "$T_DIR/notify/VI_1.150.log")"
grep -q "INSTANCE VI_1 BACKUP 100" "$T_DIR/notify/VI_1.100.log" || fail "d3 notify backup missing"
grep -q "INSTANCE VI_1 MASTER 100" "$T_DIR/notify/VI_1.100.log" || fail "d3 notify master missing"
pass "notify scripts ran with INSTANCE NAME STATE PRIORITY"

# SIGKILL of the master: d2 within 3 x 1 + (256-120)/256 = 3.53 s (+0.5 s margin).
pids=$(node_pids d1)
start=$(now_ms)
vigild_crash d1 "$pids"
wait_for 5 has_addr d2 $VIP || fail "d2 did not take the address after SIGKILL of d1"
took=$(( $(now_ms) - start ))
log "d2 holds $VIP ${took} ms after SIGKILL of the master"
[ $took -le 4030 ] || fail "takeover after SIGKILL took ${took} ms (bound 3531 + 500)"
is_state d3 VI_1 BACKUP || fail "d3 left BACKUP"
pass "SIGKILL: backup took over in ${took} ms (bound 3531 ms)"
in_ns d1 ip addr del $VIP/24 dev eth0   # the crashed node's leftover (a dead box has none)

# Graceful stop of d2: priority 0 -> d3 within skew (156/256 = 0.61 s) + margin.
start=$(now_ms)
kill -TERM $D2
wait_for 3 has_addr d3 $VIP || fail "d3 did not take over after TERM of d2"
# When d3 became master, by its own log (the poll's forks are slow under
# load); without the priority-0 advert it would take Master_Down, 3.61 s.
became=$(log_ms "$T_DIR/vigild-d3.log" "VI_1: BACKUP -> MASTER") || fail "d3 logged no BACKUP -> MASTER"
took=$((became - start))
log "d3 master ${took} ms after TERM of the master"
[ $took -le 1300 ] || fail "graceful takeover took ${took} ms (skew 609 ms; Master_Down 3610 ms)"
wait_for 3 no_addr d2 $VIP || fail "d2 kept the address after TERM"
wait_for 3 grep -q "INSTANCE VI_1 STOPPED 120" "$T_DIR/notify/VI_1.120.log" || fail "stop notify missing"
pass "TERM: d3 took over in ${took} ms, d2 released the address and ran notify stop"

# d1 comes back with a stale address left by its crash: removed, then preempts.
in_ns d1 ip addr add $VIP/24 dev eth0
vigild_start d1 "$T_DIR/d1.conf"
wait_for 3 grep -q "removed stale address $VIP" "$T_DIR/vigild-d1.log" || fail "stale address not removed"
wait_for 6 is_state d1 VI_1 MASTER || fail "d1 did not preempt"
wait_for 3 is_state d3 VI_1 BACKUP || fail "d3 did not yield"
wait_for 2 no_addr d3 $VIP || fail "d3 kept the address"
pass "restart: stale address removed; d1 preempts d3"

# Reload: an unchanged instance keeps its state (no transition, no advert
# storm); a changed one (priority 150 -> 90) restarts and d3 (100) wins.
tr=$(vfield d1 VI_1 'i["transitions"]')
vctl d1 reload > /dev/null || fail "reload refused"
sleep 1.5
is_state d1 VI_1 MASTER || fail "unchanged reload moved d1 out of MASTER"
[ "$(vfield d1 VI_1 'i["transitions"]')" = "$tr" ] || fail "unchanged reload made a transition"
sed -i 's/priority = 150;/priority = 90;/' "$T_DIR/d1.conf"
vctl d1 reload > /dev/null || fail "second reload refused"
wait_for 3 is_state d3 VI_1 MASTER || fail "d3 did not take over from the reconfigured d1"
wait_for 2 is_state d1 VI_1 BACKUP || fail "d1 (90) not backup after reload"
vis d1 VI_1 'i["priority"]["base"]' 90 || fail "new base priority not shown"
pass "reload: unchanged instance kept its state; changed priority took effect"
