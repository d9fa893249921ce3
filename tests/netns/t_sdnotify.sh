#!/usr/bin/env bash
# What vigild tells systemd (sdnotify.c), read from a stand-in for the
# notification socket: READY=1 only once both children said READY;
# a reload says RELOADING=1 (with MONOTONIC_USEC) and READY=1 only once
# both children run the new generation; a refused reload says READY=1 at
# once with the refusal in STATUS; WATCHDOG=1 at half of WATCHDOG_USEC;
# STOPPING=1 at TERM.
. "$(dirname "$0")/lib.sh"
ns_add d1; lan_add
lan_join d1 eth0 192.0.2.1/24
conf="$T_DIR/d1.conf"
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; router_id = "d1"; script_user = "nobody"; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80;
    real_servers = ( { address = "198.51.100.11"; port = 80; } ); }
);
vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = 100;
                         addresses = [ "192.0.2.10/24" ]; } ); };
CONF
msgs="$T_DIR/notify.log"
bg d1 notify python3 "$(dirname "$0")/notify_listen.py" "$T_DIR/notify.sock" "$msgs"
wait_for 3 test -S "$T_DIR/notify.sock" || fail "no notification socket"
NOTIFY_SOCKET="$T_DIR/notify.sock" WATCHDOG_USEC=1000000 vigild_start d1 "$conf" --dry-run
log_has() { grep -q "$1" "$T_DIR/vigild-d1.log"; }
wait_for 5 grep -q "READY=1" "$msgs" || fail "no READY=1"
# The time of a log line (HH:MM:SS.mmm today) in seconds since the epoch.
log_time() {
  local t; t=$(grep "$1" "$T_DIR/vigild-d1.log" | head -1 | cut -d' ' -f1)
  [ -n "$t" ] && date -d "today $t" +%s.%N
}
ready_at=$(grep "READY=1" "$msgs" | head -1 | cut -d' ' -f1)
for child in checker vrrp; do
  t=$(log_time "$child: running") || fail "$child never ran"
  awk -v r="$ready_at" -v c="$t" 'BEGIN { exit !(r >= c - 0.001) }' \
    || fail "READY=1 at $ready_at, before the $child was running ($t)"
done
grep "STATUS=running" "$msgs" | grep -q "checker running, vrrp running" || fail "no running STATUS"
pass "READY=1 once both children are ready"

# The spacing from the listener's own timestamps, not a count in a window
# of the test's sleep.
from=$(wc -l < "$msgs")   # after READY=1: every child answers
wds() { tail -n +$((from + 1)) "$msgs" | grep "WATCHDOG=1"; }
wd_ge() { [ "$(wds | wc -l)" -ge "$1" ]; }
wait_for 5 wd_ge 5 || fail "$(wds | wc -l) WATCHDOG=1 in 5 s with WATCHDOG_USEC=1 s"
gap=$(wds | head -5 | awk '{ t[NR] = $1 } END { printf "%d", (t[5] - t[1]) / 4 * 1000 }')
[ "$gap" -ge 400 ] && [ "$gap" -le 700 ] || fail "WATCHDOG=1 every $gap ms with WATCHDOG_USEC=1 s (expected every 500 ms)"
pass "WATCHDOG=1 every half watchdog interval (every $gap ms over four)"

# A reload: RELOADING=1 first, READY=1 only after both children confirm.
lines=$(wc -l < "$msgs")
kill -HUP "$(cat "$T_DIR/d1.pid")"
wait_for 5 sh -c "tail -n +$((lines + 1)) '$msgs' | grep -v WATCHDOG | grep -q 'READY=1'" \
  || fail "no READY=1 after the reload"
after=$(tail -n +$((lines + 1)) "$msgs" | grep -v WATCHDOG)
echo "$after" | head -1 | grep -q "RELOADING=1|MONOTONIC_USEC=[0-9]" || fail "the reload did not start with RELOADING=1 and MONOTONIC_USEC: $after"
log_has "checker: configuration generation 2 in use" && log_has "vrrp: configuration generation 2 in use" \
  || fail "READY=1 before both children took generation 2"
pass "reload: RELOADING=1, then READY=1 once both children run generation 2"

# A refused reload: RELOADING=1, READY=1 at once, the refusal in STATUS.
lines=$(wc -l < "$msgs")
cp "$conf" "$conf.good"; echo "broken" >> "$conf"
kill -HUP "$(cat "$T_DIR/d1.pid")"
wait_for 3 sh -c "tail -n +$((lines + 1)) '$msgs' | grep -q 'READY=1'" || fail "no READY=1 after a refused reload"
tail -n +$((lines + 1)) "$msgs" | grep -q "STATUS=.*last reload refused (1 errors)" || fail "the refusal is not in STATUS"
pass "refused reload: READY=1 at once, STATUS says why"

kill -TERM "$(cat "$T_DIR/d1.pid")"
wait_for 5 grep -q "STOPPING=1" "$msgs" || fail "no STOPPING=1"
pass "STOPPING=1 at TERM"
