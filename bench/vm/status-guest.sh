#!/usr/bin/env bash
# Guest side of bench/status.sh: a director (namespace bench-d) with a
# SERVICES x DESTS IPVS table (bench/vm/gen-tables.py: destinations that
# never carry traffic), global.http on 127.0.0.1:9650, a VRRPv3 master
# (advert 0.1 s) and a "probe" virtual server whose one real server, on
# the peer, has a tcp check every 0.1 s; the peer (bench-p) timestamps the
# master's adverts and opens and closes that real server's listener.
#
#   1. per page (/metrics, /, /status.json): REQUESTS requests back to
#      back: wall time per request, body size, the parent's CPU per request
#   2. quiet window: the listener closed 6 times; per close, the time until
#      the parent logs the real server DOWN; the longest advert gap
#   3. the same with /metrics scraped back to back the whole time
#   4. the same with / loaded back to back the whole time
#
# With VIGIL_BENCH_HOST=1 (bench/status.sh --host) it runs on the host as a
# dry run in namespaces of its own: no IPVS, so no counters (the dump and
# its lookups are not measured), but the rendering, VRRP and the checks are.
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
HOST=${VIGIL_BENCH_HOST:-}
[ -n "$HOST" ] || vm_require_guest
vm_require_cmd tcpdump python3
read -r NS ND NREQ <<<"${VIGIL_BENCH_ARGS:-1000 10 20}"
VIGILD="$VIGIL_BUILD/daemon/vigild"
B="$VIGIL_SRC/bench/vm"
T=$(mktemp -d /tmp/status.XXXXXX)
D=bench-d P=bench-p DRY=()
if [ -n "$HOST" ]; then
  D=vigil-sbench-d$$ P=vigil-sbench-p$$ DRY=(--dry-run)
else
  vm_require_cmd ipvsadm
  modprobe ip_vs
  modprobe ip_vs_wlc
fi
vm_on_exit sh -c "ip netns del $D 2>/dev/null; ip netns del $P 2>/dev/null; true"
ip netns add $D; ip netns add $P
ip -n $D link set lo up; ip -n $P link set lo up
ip link add eth0 netns $D type veth peer name eth0 netns $P
ip -n $D addr add 198.51.100.1/24 dev eth0; ip -n $D link set eth0 up
ip -n $P addr add 198.51.100.2/24 dev eth0; ip -n $P link set eth0 up
inns() { ip netns exec $D "$@"; }

python3 "$B/gen-tables.py" "$NS" "$ND" "$T" "$T/vigil.sock"
python3 - "$T/vigil.conf" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('global = { control_socket', 'global = { http = { listen = "127.0.0.1:9650"; }; control_socket', 1)
i = s.rindex(")")
s = s[:i] + ''',
  { name = "probe"; address = "198.51.100.10"; port = 80; real_servers = (
    { address = "198.51.100.2"; port = 8080; checks = ( { type = "tcp"; interval = 0.1; timeout = 0.5; } ); } ); }
''' + s[i:]
s += '''vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = 150;
  version = 3; advert_interval = 0.1; initial_state = "master"; addresses = [ "198.51.100.10/24" ]; } ); };
'''
open(p, "w").write(s)
PY
ip netns exec $P tcpdump -tt -n -l --immediate-mode -i eth0 'ip proto 112 and src host 198.51.100.1' \
  > "$T/adv.txt" 2> "$T/tcpdump.err" &
vm_on_exit sh -c "kill $! 2>/dev/null; true"
sleep 1
t0=$(date +%s.%N)
inns "$VIGILD" -n -l "${DRY[@]}" -f "$T/vigil.conf" -p "$T/vigild.pid" > "$T/vigild.log" 2>&1 &
PID=$!   # the namespace wrapper; the parent's own pid is in its pid file
vm_on_exit sh -c "kill $PID 2>/dev/null; sleep 1; kill -9 $PID 2>/dev/null; true"
lastvip=$(python3 -c "i=$NS-1; print('192.0.2.%d:%d' % (1 + i % 250, 1000 + i // 250))")
if [ -n "$HOST" ]; then
  vm_wait_for 300 grep -q "ipvs: [0-9]* operations" "$T/vigild.log" || vm_fail "no first pass"
else
  vm_wait_for 300 sh -c "[ \$(ip netns exec $D ipvsadm -L -n -t $lastvip 2>/dev/null | grep -c -- '->') -ge $ND ]" \
    || { tail -20 "$T/vigild.log"; vm_fail "table not complete"; }
fi
vm_wait_for 10 sh -c "ip -n $D -o addr show dev eth0 | grep -q ' 198.51.100.10/'" || vm_fail "no VRRP master"
vm_log "table of $NS x $ND and VRRP master up after $(python3 -c "import time; print('%.1f' % (time.time() - $t0))") s${HOST:+ (dry run on the host)}"
sleep 3   # the start-up's kernel work (estimators of 11,000 entries) settles
PID=$(cat "$T/vigild.pid")

# 1. per request
for path in /metrics / /status.json; do
  vm_log "$path: $(inns python3 "$B/status-scrape.py" "http://127.0.0.1:9650$path" "$NREQ" 0 "$PID")"
done

# 2-4. adverts and check reporting, quiet and under back-to-back requests.
# Each close of the listener -> the parent's "198.51.100.2:8080 DOWN" line.
window() {  # window NAME [PATH]: one flapping run, scraping PATH meanwhile
  local name=$1 path=${2:-} spid=
  : > "$T/peer-$name.txt"
  local a; a=$(date +%s.%N)
  local mark; mark=$(wc -l < "$T/vigild.log")
  if [ -n "$path" ]; then
    inns python3 "$B/status-scrape.py" "http://127.0.0.1:9650$path" 0 15 "$PID" > "$T/scrape-$name.txt" &
    spid=$!
  fi
  ip netns exec $P python3 "$B/status-peer.py" 198.51.100.2 8080 6 1.2 1.2 > "$T/peer-$name.txt"
  [ -n "$spid" ] && wait "$spid"
  local b; b=$(date +%s.%N)
  tail -n +"$((mark + 1))" "$T/vigild.log" > "$T/log-$name.txt"
  python3 - "$T" "$name" "$a" "$b" <<'PY'
import datetime, re, sys, time
t, name, a, b = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
downs = [float(l.split()[1]) for l in open("%s/peer-%s.txt" % (t, name)) if l.startswith("down")]
day = datetime.datetime.fromtimestamp(a).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
logged = []
for l in open("%s/log-%s.txt" % (t, name)):
    m = re.match(r"(\d\d):(\d\d):(\d\d\.\d+) .*198\.51\.100\.2:8080 DOWN", l)
    if m:
        logged.append(day + int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)))
delays = []
for d in downs:
    after = [x for x in logged if x >= d - 0.002]
    delays.append((min(after) - d) * 1e3 if after else float("nan"))
ts = [float(l.split()[0]) for l in open(t + "/adv.txt") if l[:1].isdigit()]
gaps = [y - x for x, y in zip(ts, ts[1:]) if y > a and x < b]
scr = ""
try:
    scr = "; scraping: " + open("%s/scrape-%s.txt" % (t, name)).read().strip()
except OSError:
    pass
print("%s: close -> DOWN logged (ms) %s; adverts %d, longest gap %.0f ms, gaps > 150 ms %d%s"
      % (name, " ".join("%.0f" % x for x in delays), len(gaps) + 1,
         max(gaps) * 1e3 if gaps else float("nan"), sum(1 for g in gaps if g > 0.15), scr))
PY
}
vm_log "$(window quiet)"
vm_log "$(window metrics /metrics)"
vm_log "$(window page /)"
vm_log "$(window quiet2)"
vm_log "parent: $(ps -o rss=,vsz= -p "$PID" | awk '{ printf "RSS %d KiB, VSZ %d KiB", $1, $2 }')"
