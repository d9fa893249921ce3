#!/usr/bin/env bash
# Guest side of bench/ecmp.sh (see there). Prints one line per event and
# trial, then a summary: min / median / max ms, requests failed, and the
# long-lived connections that still echo.
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
ECMP_SYNC=${VIGIL_BENCH_SYNC:-1}
. "$VIGIL_SRC/tests/vm/ecmp_lib.sh"
TRIALS=${VIGIL_BENCH_TRIALS:-10}
HOLDN=${VIGIL_BENCH_HOLD:-200}
MODES=${VIGIL_BENCH_MODES:-ecmp vrrp}
ECMP_T=$(mktemp -d /tmp/ecmp.XXXXXX)
vm_on_exit rm -rf "$ECMP_T"
RES=$ECMP_T/results
: > "$RES"

ecmp_topology
# setup MODE: starts the directors of MODE and defines ready/gone.
setup() {
  export ECMP_MODE=$1
  if [ "$ECMP_MODE" = ecmp ]; then
    N=3
    for i in 1 2 3; do ecmp_vigild "$i"; done
    ready() { ecmp_paths_are 3; }
    gone() { ecmp_paths_are 2; }
  else
    N=2
    ecmp_vrrp_router
    for i in 1 2; do ecmp_vigild "$i"; done
    M1=$(ecmp_mac 1); M2=$(ecmp_mac 2)
    # The router learns the VIP's MAC from the master's gratuitous ARP and
    # from its own requests; ready: d1's, gone: d2's.
    ready() { [ "$(ecmp_vip_mac)" = "$M1" ]; }
    gone() { [ "$(ecmp_vip_mac)" = "$M2" ]; }
    vm_wait_for 60 ip netns exec client python3 -c \
      "import socket; socket.create_connection(('$ECMP_VIP', 80), timeout=1).close()" >/dev/null 2>&1 \
      || vm_fail "the VIP does not answer"
  fi
  wait_ms ready 60 >/dev/null || vm_fail "$ECMP_MODE: not ready at start"
  echo "mode $ECMP_MODE: $N directors, sync $ECMP_SYNC, BFD ${ECMP_BFD_MS} ms, $HOLDN long-lived connections"
  [ "$ECMP_MODE" != ecmp ] || [ "$ECMP_BFD_MS" = 0 ] ||
    echo "BFD sessions up at the router: $(ip netns exec rt vtysh -N rt -c 'show bfd peers brief' 2>/dev/null | grep -c ' up ')"
}
# teardown: stops every director's vigild (the next mode starts afresh).
teardown() {
  local i p
  for i in 1 2 3; do
    p=$(eval echo "\${VPID$i:-}")
    [ -n "$p" ] || continue
    kill -TERM "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    eval "VPID$i="
  done
}
# wait_ms FN SECONDS: polls FN every 10 ms; prints the ms it took.
wait_ms() {
  local t0 end; t0=$(ecmp_ms); end=$(( t0 + $2 * 1000 ))
  while [ "$(ecmp_ms)" -lt "$end" ]; do
    "$1" && { echo $(( $(ecmp_ms) - t0 )); return 0; }
    sleep 0.01
  done
  return 1
}
declare -a K0

known() { ip netns exec "d$1" cat /proc/net/ip_vs_conn_sync | awk '$5 == "2328" && $8 == "ESTABLISHED"' | wc -l; }
# Every director knows the holder's connections: HOLDN more established
# ones than before it opened them (K0: the counts before).
all_known() {
  local i
  for ((i = 1; i <= N; i++)); do [ "$(known "$i")" -ge $(( K0[i] + HOLDN )) ] || return 1; done
}

block() { ip netns exec d2 nft -f - <<'NFT'
table inet block {
  chain out {
    type filter hook output priority 0;
    ip daddr 198.51.100.0/24 tcp dport 80 reject with tcp reset
  }
}
NFT
}

# trial EVENT: one director goes (kill: SIGKILL of its vigild; link: its
# link pulled; quorum: its checks refused; term: SIGTERM), comes back;
# records the ms to gone and to ready again, the short requests, and
# (kill, link) the long-lived connections that echo after it went and
# after it came back: "dead" are those the director had scheduled itself.
trial() {
  local ev=$1 v=1 down up t s1=- s2=- hold= i
  case $ev in kill|link) hold=1 ;; esac
  if [ "$ECMP_MODE" = ecmp ]; then
    case $ev in quorum) v=2 ;; term) v=1 ;; *) v=3 ;; esac
  fi
  if [ -n "$hold" ]; then
    for ((i = 1; i <= N; i++)); do K0[i]=$(known "$i"); done
    ecmp_hold "$HOLDN" "$ECMP_T/hold"
    vm_wait_for 20 all_known || echo "warning: not every director knows every connection"
    ecmp_local_ports "$v" 9000 > "$ECMP_T/dead.ports"
  fi
  ecmp_client 120 "$ECMP_T/client"
  sleep 1
  case $ev in
    kill) kill -9 "$(eval echo "\$VPID$v")" ;;
    link) ip link set "vd$v" down ;;
    quorum) block ;;
    term) kill -TERM "$(eval echo "\$VPID$v")"; wait "$(eval echo "\$VPID$v")" 2>/dev/null || true ;;
  esac
  down=$(wait_ms gone 20) || down=timeout
  [ "$ev" != link ] || [ -z "${VIGIL_BENCH_DEBUG:-}" ] ||
    grep -iE "bfd|hold|down" /run/frr/rt/frr.log | tail -n 8
  sleep 1
  if [ -n "$hold" ]; then ecmp_probe "$ECMP_T/hold" 1; s1=$(ecmp_survival "$ECMP_T/hold" 1 "$ECMP_T/dead.ports"); fi
  case $ev in
    kill|term) ecmp_vigild "$v" ;;
    link) ip link set "vd$v" up ;;
    quorum) ip netns exec d2 nft delete table inet block ;;
  esac
  up=$(wait_ms ready 40) || up=timeout
  sleep 1
  if [ -n "$hold" ]; then
    ecmp_probe "$ECMP_T/hold" 2; s2=$(ecmp_survival "$ECMP_T/hold" 2 "$ECMP_T/dead.ports")
    kill "$ECMP_HOLD_PID"; wait "$ECMP_HOLD_PID" 2>/dev/null || true
  fi
  kill -INT "$ECMP_CLIENT_PID" 2>/dev/null || true
  wait "$ECMP_CLIENT_PID" || true
  t=$(cat "$ECMP_T/client")
  echo "$ECMP_MODE/$ev down_ms=$down up_ms=$up $t gone:${s1// /,} back:${s2// /,}" | tee -a "$RES"
  sleep 2
}

for mode in $MODES; do
  setup "$mode"
  if [ "$mode" = ecmp ]; then events=${VIGIL_BENCH_EVENTS:-kill link quorum term}
  else events="kill link"; fi
  for ((k = 1; k <= TRIALS; k++)); do
    for ev in $events; do
      case "$mode/$ev" in vrrp/quorum|vrrp/term) continue ;; esac
      trial "$ev"
    done
  done
  teardown
done
python3 - "$RES" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split()
    rows[f[0]].append(dict(x.split("=", 1) for x in f[1:] if "=" in x and ":" not in x.split("=")[0])
                      | {k: v for k, v in (x.split(":", 1) for x in f[1:] if x.startswith(("gone:", "back:")))})
def frac(rs, when, who):
    ok = n = 0
    for r in rs:
        for part in r.get(when, "-").split(","):
            if part.startswith(who + "="):
                a, b = part.split("=")[1].split("/")
                ok += int(a); n += int(b)
    return "%d/%d" % (ok, n)
for ev, rs in rows.items():
    for k in ("down_ms", "up_ms"):
        v = sorted(int(r[k]) for r in rs if r[k].isdigit())
        if v:
            print("%-11s %-7s n=%d min=%d median=%d max=%d" % (ev, k, len(v), v[0],
                  int(statistics.median(v)), v[-1]))
    ok = sum(int(r.get("ok", 0)) for r in rs); fail = sum(int(r.get("fail", 0)) for r in rs)
    print("%-11s requests ok=%d failed=%d" % (ev, ok, fail))
    if any(r.get("gone", "-") != "-" for r in rs):
        print("%-11s long-lived echoing after it went: its own %s, the others' %s; after it came back: its own %s, the others' %s"
              % (ev, frac(rs, "gone", "dead"), frac(rs, "gone", "others"),
                 frac(rs, "back", "dead"), frac(rs, "back", "others")))
PY
