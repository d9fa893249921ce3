#!/usr/bin/env bash
# Guest side of bench/reload.sh: a director running a big IPVS table and a
# VRRPv3 master together, reloaded three times while a peer on its LAN
# timestamps every advert. vigild first, then keepalived, each in fresh
# namespaces (IPVS state is per namespace; a fresh one has no destination
# trash list to tax whoever runs second). vigild runs twice: as shipped
# (the vrrp child SCHED_RR with its memory locked) and with neither, as
# keepalived runs by default.
#
#   director (bench-dN): the contender; eth0 198.51.100.1/24, VIP .10
#     | veth
#   peer (bench-pN): tcpdump -tt of the director's adverts (proto 112)
#
# Per contender: exec -> table complete, $STARTS times in fresh namespaces
# (the last start goes on); a quiet window (the longest advert
# gap with nothing happening: the emulator's own noise); then per reload a
# weight edit, SIGHUP, the edited real server polled every 20 ms until it
# carries the new weight (bench/vm/ipvs-watch.py, netlink, that one
# service), the longest gap between the master's adverts from the
# SIGHUP to 3 s after the weight landed, and each process's CPU time and
# run-queue wait over that window (every thread's /proc/PID/task/*/schedstat).
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd ipvsadm tcpdump python3 busybox
read -r NS ND NRELOAD <<<"${VIGIL_BENCH_ARGS:-2000 20 3}"
QUIET=${VIGIL_BENCH_QUIET:-10}   # s of the quiet window
STARTS=${VIGIL_BENCH_STARTS:-3}  # start-ups timed per contender (the last one goes on)
AFTER=3                          # s after the weight landed that count
ADV=0.1
VIP=198.51.100.10
VIGILD="$VIGIL_BUILD/daemon/vigild"
KA=/usr/sbin/keepalived
B="$VIGIL_SRC/bench/vm"
T=$(mktemp -d /tmp/reload.XXXXXX)
modprobe ip_vs
modprobe ip_vs_wlc

python3 "$B/gen-tables.py" "$NS" "$ND" "$T" "$T/vigil.sock"
cat >> "$T/vigil.conf" <<CONF
vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = 150;
  version = 3; advert_interval = $ADV; initial_state = "master"; addresses = [ "$VIP/24" ]; } ); };
CONF
cat >> "$T/keepalived.conf" <<CONF
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int $ADV
  version 3
  virtual_ipaddress { $VIP/24 }
}
CONF
ls -l "$T"/vigil.conf "$T"/keepalived.conf >&2
# A syslog for both daemons (there is none in the VM): without one,
# keepalived writes every line to the serial console instead.
busybox syslogd -n -O "$T/syslog.txt" &
vm_on_exit sh -c "kill $! 2>/dev/null; true"

ms() { echo $(( $(date +%s%N) / 1000000 )); }   # wait_until's clock
N=0 D='' P='' DUMP_PID=''
vm_on_exit sh -c 'for n in $(ip netns list | grep -o "^bench-[dp][0-9]*"); do ip netns del "$n"; done'
# settle: until the guest's CPUs were at least 90 % idle over two
# consecutive half seconds (at most 60 s): a deleted namespace with a
# 42,000-entry table is torn down by the kernel's workers after `ip netns
# del` returns, seconds under TCG, and would tax whoever starts next.
settle() {
  python3 - <<'PY'
import time
def sample():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return f[3] + f[4], sum(f)
ok, t_end = 0, time.time() + 60
a = sample()
while ok < 2 and time.time() < t_end:
    time.sleep(0.5)
    b = sample()
    ok = ok + 1 if b[1] > a[1] and (b[0] - a[0]) / (b[1] - a[1]) >= 0.9 else 0
    a = b
PY
}
# fresh_ns: new director and peer namespaces joined by a veth pair, the
# previous contender's deleted first (its table flushed: the kernel's
# per-service rate estimators would run over it) and its teardown let
# finish; tcpdump in the peer.
fresh_ns() {
  if [ -n "$D" ]; then
    kill "$DUMP_PID" 2>/dev/null || true
    ip netns exec "$D" ipvsadm -C 2>/dev/null || true
    ip netns del "$D"; ip netns del "$P"
    settle
  fi
  N=$((N + 1)); D=bench-d$N; P=bench-p$N
  ip netns add "$D"; ip netns add "$P"
  ip -n "$D" link set lo up; ip -n "$P" link set lo up
  ip link add eth0 netns "$D" type veth peer name eth0 netns "$P"
  ip -n "$D" addr add 198.51.100.1/24 dev eth0; ip -n "$D" link set eth0 up
  ip -n "$P" addr add 198.51.100.2/24 dev eth0; ip -n "$P" link set eth0 up
  sleep 1                        # let the deleted namespaces' teardown finish
  ip netns exec "$P" tcpdump -tt -n -l --immediate-mode -i eth0 \
    'ip proto 112 and src host 198.51.100.1' > "$T/adv-$N.txt" 2> "$T/tcpdump-$N.err" &
  DUMP_PID=$!
  vm_on_exit sh -c "kill $DUMP_PID 2>/dev/null; true"
  sleep 1
}
inns() { ip netns exec "$D" "$@"; }
has_vip() { inns ip -o addr show dev eth0 | grep -q " $VIP/"; }
lastvip=$(python3 -c "i=$NS-1; print('192.0.2.%d:%d' % (1 + i % 250, 1000 + i // 250))")
last_done() { [ "$(inns ipvsadm -L -n -t "$lastvip" 2>/dev/null | grep -c -- '->')" -ge $((ND + 1)) ]; }
vigild_done() { grep -q "ipvs: [0-9]* operations" "$1"; }
# wait_until START_MS CMD...: CMD every 0.1 s (as bench/ipvs-start.sh); ms
wait_until() {
  local t0=$1; shift
  for _ in $(seq 1 1200); do
    if "$@"; then echo $(( $(ms) - t0 )); return 0; fi
    sleep 0.1
  done
  echo "timeout"; return 1
}
# target K: the service and real server reload K edits (the last, a middle
# and the first service, so the position in the file does not favour anyone)
target() {
  python3 - "$NS" "$ND" "$1" <<'PY'
import sys
ns, nd, k = (int(x) for x in sys.argv[1:4])
s, d = [(ns - 1, nd - 1), (ns // 2, nd // 2), (0, 0)][(k - 1) % 3]
print("%d %d 192.0.2.%d:%d 203.0.113.%d:%d" % (s, d, 1 + s % 250, 1000 + s // 250, 1 + d % 250, 8000 + d // 250))
PY
}
# set_weight FILE vigil|keepalived SVC DEST WEIGHT: edits that real server
# only, in either language (gen-tables.py's layout), and checks the edit.
set_weight() {
  python3 - "$@" <<'PY'
import re, sys
path, kind, s, d, w = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
a, p = "192.0.2.%d" % (1 + s % 250), 1000 + s // 250
lines = open(path).read().split("\n")
head = ('  { address = "%s"; port = %d;' % (a, p)) if kind == "vigil" else ("virtual_server %s %d {" % (a, p))
i = next(n for n, l in enumerate(lines) if l.startswith(head))
pat = re.compile(r"weight( = |\s+)\d+")
hits = [n for n in range(i + 1, len(lines)) if pat.search(lines[n])]
n = hits[d]
lines[n] = pat.sub(lambda m: "weight%s%d" % (m.group(1), w), lines[n])
open(path, "w").write("\n".join(lines))
PY
}
# gap_in A B: over [A, B] (epoch s): the longest gap (ms) between
# consecutive adverts that overlaps it, when it ended (ms after A), how
# many gaps exceeded 1.5 x the advert interval, and the adverts counted
gap_in() {
  python3 - "$T/adv-$N.txt" "$1" "$2" "$ADV" <<'PY'
import sys
a, b, adv = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
ts = []
for line in open(sys.argv[1]):
    try:
        ts.append(float(line.split()[0]))
    except (ValueError, IndexError):
        pass
gaps = [(y - x, y) for x, y in zip(ts, ts[1:]) if y > a and x < b]
g, end = max(gaps) if gaps else (float("nan"), a)
print("%.0f %.0f %d %d" % (g * 1e3, (end - a) * 1e3, sum(1 for x, _ in gaps if x > 1.5 * adv),
                          sum(1 for t in ts if a <= t <= b)))
PY
}
# timeline LOG EPOCH0 UNTIL_MS TITLE: vigild's log lines (local time of
# day, ms) from EPOCH0 on, as ms after it
timeline() {
  python3 - "$@" <<'PY' >&2 || true
import datetime, re, sys
log, e0, until, title = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
d = datetime.datetime.fromtimestamp(e0)
h0 = d.hour * 3600 + d.minute * 60 + d.second + d.microsecond / 1e6
print(title)
for l in open(log):
    if not re.match(r"\d\d:\d\d:\d\d\.\d{3} ", l):
        continue
    h, m, s = l[:12].split(":")
    t = ((int(h) * 3600 + int(m) * 60 + float(s)) - h0) * 1e3
    if -50 <= t <= until:
        print("  %+7.0f  %s" % (t, l.rstrip()[13:].split(": ", 1)[-1][:110]))
PY
}
R=$T/results.txt
: > "$R"
# procs WHO PID: the contender's parent, checker and vrrp process ids
procs() {
  if [ "$1" = keepalived ]; then
    echo "$2 $(cat "$T/kc.pid") $(cat "$T/kv.pid")"
  else
    echo "$2 $(pgrep -P "$2" -f -- '--child checker') $(pgrep -P "$2" -f -- '--child vrrp')"
  fi
}
# sched PID...: each one's CPU time and run-queue wait so far (ns). The
# CPU is utime + stime of /proc/PID/stat (10 ms ticks), which counts every
# thread, those that ended too: vigild loads the configuration on a worker
# thread that is joined before the window closes, and /proc/PID/schedstat
# is the main thread's alone. The wait is summed over the threads alive
# at the reading (/proc/PID/task/*/schedstat). "0 0" for a process gone.
TICK_NS=$(( 1000000000 / $(getconf CLK_TCK) ))
sched() {
  local p f run wait rest cpu w st
  for p in "$@"; do
    cpu=0
    if st=$(cat "/proc/$p/stat" 2>/dev/null); then
      read -r -a f <<< "${st##*) }"     # after "pid (comm) ": f[0] is the state
      cpu=$(( (f[11] + f[12]) * TICK_NS ))
    fi
    w=0
    for f in /proc/"$p"/task/*/schedstat; do
      read -r run wait rest < "$f" 2>/dev/null || continue
      w=$(( w + wait ))
    done
    echo -n "${cpu:-0} $w "
  done
}

# start_once WHO: a fresh namespace pair, WHO started there, timed from
# exec to its table complete; sets pid, conf, kind, log
start_once() {
  local who=$1 t0 t_start
  fresh_ns
  log=$T/$who.log kind=vigil
  t0=$(date +%s.%N)
  if [ "$who" != keepalived ]; then
    conf=$T/$who.conf
    ip netns exec "$D" "$VIGILD" -n -l -f "$conf" -p "$T/$who.pid" > "$log" 2>&1 &
    pid=$!
    t_start=$(wait_until $(( ${t0/./} / 1000000 )) vigild_done "$log")
  else
    conf=$T/keepalived.conf kind=keepalived
    ip netns exec "$D" "$KA" -n -l -f "$conf" -p "$T/k.pid" -c "$T/kc.pid" -r "$T/kv.pid" \
      > "$log" 2>&1 &
    pid=$!
    t_start=$(wait_until $(( ${t0/./} / 1000000 )) last_done)
  fi
  vm_on_exit sh -c "kill -TERM $pid 2>/dev/null; true"
  [ "$(inns ipvsadm -S -n | wc -l)" -ge $((NS * (ND + 1))) ] || vm_fail "$who: table incomplete"
  vm_log "$who start -> table complete: $t_start ms"
  echo "start $who $t_start" >> "$R"
  [ "$kind" = keepalived ] || timeline "$log" "$t0" "$t_start" "$who start-up, log lines after exec (ms):"
}

run() {  # run vigild|vigild-nort|keepalived
  local who=$1 conf log pid kind s
  # STARTS start-ups, each in fresh namespaces (one start is too noisy
  # under TCG to take a ratio from); the last one goes on to the reloads
  for s in $(seq 1 "$STARTS"); do
    start_once "$who"
    if [ "$s" -lt "$STARTS" ]; then kill -TERM "$pid"; wait "$pid" || true; fi
  done
  vm_wait_for 20 has_vip || vm_fail "$who: never master"
  # scheduling of every process of the contender (policy, rt priority)
  for p in $(ip netns pids "$D"); do
    [ "$p" = "$DUMP_PID" ] || ps -o pid=,cls=,rtprio=,ni=,args= -p "$p" 2>/dev/null | cut -c1-90 >&2 || true
  done
  sleep 2
  local q0 q1 g at over n
  q0=$(date +%s.%N); sleep "$QUIET"; q1=$(date +%s.%N)
  read -r g at over n <<<"$(gap_in "$q0" "$q1")"
  vm_log "$who quiet ${QUIET} s: longest advert gap $g ms, $over over 1.5x ($n adverts)"
  echo "quiet $who $g $over $n" >> "$R"
  local k s d svc rs out hup landed polls took pids s0 cpu
  for k in $(seq 1 "$NRELOAD"); do
    read -r s d svc rs <<<"$(target "$k")"
    set_weight "$conf" "$kind" "$s" "$d" $((k + 1))
    sleep 1
    pids=$(procs "$kind" "$pid")
    # shellcheck disable=SC2086  # three pids
    s0=$(sched $pids)
    out=$(ip netns exec "$D" python3 "$B/ipvs-watch.py" "$pid" "$svc" "$rs" $((k + 1)) 0.02 120) \
      || vm_fail "$who reload $k: weight $((k + 1)) of $rs in $svc never seen"
    read -r hup landed polls <<<"$out"
    sleep $((AFTER + 1))            # the window's end, and tcpdump's last lines
    # shellcheck disable=SC2086
    cpu=$(python3 -c 'import sys; a, b = sys.argv[1].split(), sys.argv[2].split()
print(" ".join("%.0f" % ((int(y) - int(x)) / 1e6) for x, y in zip(a, b)))' "$s0" "$(sched $pids)")
    read -r g at over n <<<"$(gap_in "$hup" "$(python3 -c "print($landed + $AFTER)")")"
    took=$(python3 -c "print('%.0f' % (($landed - $hup) * 1e3))")
    vm_log "$who reload $k ($rs in $svc weight $((k + 1))): SIGHUP -> weight in kernel" \
        "$took ms ($polls polls); longest advert gap $g ms ending at +$at ms, $over over 1.5x ($n adverts)"
    echo "reload $who $k $took $g $at $over $n $cpu" >> "$R"
    vm_log "$who reload $k: CPU / run-queue wait (ms) parent, checker, vrrp: $cpu"
    [ "$kind" = keepalived ] || timeline "$log" "$hup" $((took + AFTER * 1000)) \
        "$who reload $k, log lines after SIGHUP (ms):"
  done
  kill -TERM "$pid"; wait "$pid" || true
}

# vigild as shipped (vrrp child SCHED_RR, memory locked), vigild without
# either (keepalived's default: its processes run SCHED_OTHER), keepalived
cp "$T/vigil.conf" "$T/vigild.conf"
sed '1s/^global = { /global = { vrrp_realtime = false; vrrp_mlock = false; /' "$T/vigil.conf" \
  > "$T/vigild-nort.conf"
grep -q '^global = { vrrp_realtime = false;' "$T/vigild-nort.conf" || vm_fail "vigild-nort.conf"
# Each program's first run reads its binary and libraries through the
# guest's 9p root, seconds under TCG: every contender's is read once
# before any is timed (and both configuration files, checked).
"$VIGILD" -t -f "$T/vigild.conf" > /dev/null || vm_fail "vigild -t refused the file"
if [ -x "$KA" ]; then "$KA" -t -f "$T/keepalived.conf" > /dev/null 2>&1 || true; fi
run vigild
run vigild-nort
if [ -x "$KA" ]; then run keepalived; else vm_log "no keepalived: vigild alone"; fi

echo "==== bench/reload: ${NS} x ${ND} table + VRRPv3 master, advert ${ADV}s; ${NRELOAD} reloads"
python3 - "$R" "$ADV" "$QUIET" <<'PY'
import collections, sys
adv, quiet_s = float(sys.argv[2]) * 1e3, sys.argv[3]
start, quiet, rel = collections.defaultdict(list), {}, collections.defaultdict(list)
for l in open(sys.argv[1]):
    p = l.split()
    if p[0] == "start":
        start[p[1]].append(float(p[2]))
    elif p[0] == "quiet":
        quiet[p[1]] = p[2:]
    else:
        rel[p[1]].append(p[2:])
def median(xs):
    xs = sorted(xs)
    return (xs[(len(xs) - 1) // 2] + xs[len(xs) // 2]) / 2
for who in start:
    print("  %-12s start -> table complete %6.0f ms (median of %s)"
          % (who, median(start[who]), " ".join("%.0f" % x for x in start[who])))
    g, over, n = quiet[who]
    print("  %-12s quiet %s s: longest advert gap %s ms (%.1fx the interval), %s over 1.5x, %s adverts"
          % (who, quiet_s, g, float(g) / adv, over, n))
    for k, took, g, at, over, n, *cpu in rel[who]:
        print("  %-12s reload %s: SIGHUP -> weight %6s ms; longest gap %5s ms (%.1fx) ending +%s ms; %s over 1.5x"
              % (who, k, took, g, float(g) / adv, at, over))
        print("  %-12s          CPU / run-queue wait in the window: parent %s/%s, checker %s/%s, vrrp %s/%s ms"
              % ((who,) + tuple(cpu)))
ka = "keepalived"
for who in [w for w in start if w != ka and ka in start]:
    print("  %s / keepalived: start %.2f (medians); reloads %s; longest gaps %s" % (
        who, median(start[who]) / median(start[ka]),
        " ".join("%.2f" % (float(a[1]) / float(b[1])) for a, b in zip(rel[who], rel[ka])),
        " ".join("%.2f" % (float(a[2]) / float(b[2])) for a, b in zip(rel[who], rel[ka]))))
PY
