#!/usr/bin/env bash
# The parent's loop never waits for a periodic dump of the kernel's table
# (lvs_stats_recent, lvs_stats_kick). With a 2,000 x 20 table and the
# status page on, the charts take a sample every 5 s and the connection
# table is looked at every 30 s; each used to dump the whole table on the
# loop (about a second under emulation, ~60 ms natively), and every
# request, check result and signal waited for it. Now the dump runs on a
# thread of its own:
# - a cheap control request (`removals`), sent every 50 ms for 12 s (two
#   chart samples), is answered within 400 ms every time (it took about
#   1 s at each sample before);
# - the dumps did happen: the counters' dump count grew by the charts'
#   samples over the window;
# - a graceful removal's look at its real server's connections (every
#   0.5 s) asks the kernel for that service's destinations alone: a few
#   netlink requests from the loop's thread, not a dump of the whole
#   table (2,001 requests each look before).
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd ipvsadm python3 strace

VIGILD="$VIGIL_BUILD/daemon/vigild"
T=$(mktemp -d /tmp/parent-periodic.XXXXXX)
SOCK=$T/vigil.sock
HTTP=127.0.0.1:9681
modprobe ip_vs
modprobe ip_vs_wlc
vm_on_exit rm -rf "$T"
vm_on_exit ipvsadm -C
ip link set lo up

python3 "$VIGIL_SRC/bench/vm/gen-tables.py" 2000 20 "$T" "$SOCK" > /dev/null
sed -i "1s|^global = { |global = { http = { listen = \"$HTTP\"; }; |" "$T/vigil.conf"
grep -q "^global = { http = " "$T/vigil.conf" || vm_fail "could not add global.http"

"$VIGILD" -n -l -f "$T/vigil.conf" -p "$T/vigild.pid" > "$T/vigild.log" 2>&1 &
PID=$!
vm_on_exit sh -c "kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; true"
vm_wait_for 60 grep -q "ipvs: [0-9]* operations" "$T/vigild.log" \
    || { cat "$T/vigild.log"; vm_fail "vigild did not program the table"; }
vm_wait_for 20 test -S "$SOCK" || vm_fail "no control socket"
dumps() {
    python3 - "$SOCK" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
s.sendall(b'{"cmd":"status"}\n'); b = b""
while not b.endswith(b"\n"):
    c = s.recv(1 << 20)
    if not c:
        break
    b += c
print(json.loads(b)["ipvs"]["counters"]["dumps"])
PY
}
d0=$(dumps)

# removals every 50 ms for 12 s; each reply's round trip
python3 - "$SOCK" > "$T/rtt.txt" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
rtts, end = [], time.monotonic() + 12
while time.monotonic() < end:
    t0 = time.monotonic()
    s.sendall(b'{"cmd":"removals"}\n')
    b = b""
    while not b.endswith(b"\n"):
        c = s.recv(65536)
        if not c:
            sys.exit("closed")
        b += c
    rtts.append(time.monotonic() - t0)
    time.sleep(0.05)
rtts.sort()
print("%d %.0f %.0f" % (len(rtts), rtts[len(rtts) // 2] * 1e3, rtts[-1] * 1e3))
PY
read -r n median worst < "$T/rtt.txt"
d1=$(dumps)
vm_log "removals: $n requests, median $median ms, worst $worst ms; counter dumps $d0 -> $d1"
[ "$n" -ge 50 ] || vm_fail "only $n requests answered in 12 s"
[ "$worst" -le 400 ] || vm_fail "a request waited $worst ms: the loop was held (a dump on it?)"
# each status request dumps (its cache is older than 2 s); between them
# the charts took two or three samples, each a dump
[ $((d1 - d0)) -ge 3 ] || vm_fail "dumps $d0 -> $d1: the charts' samples were not taken"
vm_log "PASS: the parent answered every request within 400 ms while the periodic dumps ran"

# The netlink requests of the loop's thread (strace without -f: the
# counters' own thread is left out) over a graceful removal of a real
# server without connections: it ends at its first look.
strace -qq -yy -e trace=sendmsg,sendto -e signal=none -p "$PID" -o "$T/strace.txt" &
SP=$!
vm_on_exit sh -c "kill $SP 2>/dev/null; true"
sleep 2                                  # attached
"$VIGIL_BUILD/ctl/vigilctl" -s "$SOCK" remove 192.0.2.1:1000 203.0.113.1:8000 --graceful \
    --timeout 30 > "$T/remove.out" 2>&1 || { cat "$T/remove.out"; vm_fail "graceful removal failed"; }
sleep 1
kill "$SP"; wait "$SP" 2>/dev/null || true
nl=$(grep -c "NETLINK" "$T/strace.txt" || true)
vm_log "graceful removal: $nl netlink requests from the loop's thread ($(tr '\n' ' ' < "$T/remove.out" | cut -c1-120))"
ipvsadm -L -n -t 192.0.2.1:1000 | grep -q "203.0.113.1:8000" && vm_fail "the real server is still in the kernel"
[ "$nl" -ge 1 ] || vm_fail "no netlink request seen: strace did not trace the loop"
[ "$nl" -le 50 ] || vm_fail "$nl netlink requests for one graceful removal: a dump of the whole table"
vm_log "PASS: a graceful removal's looks ask for one service's destinations"
