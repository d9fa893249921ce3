#!/usr/bin/env bash
# Guest side of `bench/checks.sh vm`: vigild and keepalived 2.2.7 doing
# the same checks in the same VM boot, each in a fresh namespace (IPVS
# state is per namespace: no destination trash list left by the other)
# with its own nginx. keepalived runs only its checker (-C); vigild runs
# --checker-only and programs IPVS for real. Under TCG everything is
# slower than on hardware: compare the two, not the absolute numbers.
#
#   VIGIL_BENCH_ARGS="SPEC..." with SPEC = N:tcp|N:half|N:http|N:reuse (default
#   all four at 250; half is vigild's half-open check against keepalived's
#   TCP_CHECK, reuse its HTTP check with reuse_connection against HTTP_GET;
#   under TCG 1,000 checks a second saturate either program, which then
#   runs fewer probes than scheduled; probes are counted as SYN-ACKs anyway)
#   VIGIL_BENCH_WARM / VIGIL_BENCH_SECS: warm-up and window, s (default 15 / 30)
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd keepalived nginx python3
WARM=${VIGIL_BENCH_WARM:-15} SECS=${VIGIL_BENCH_SECS:-30}
BENCH_DIR=$(mktemp -d /tmp/bench.XXXXXX); chmod 755 "$BENCH_DIR"
. "$VIGIL_SRC/bench/vm/checks-lib.sh"
modprobe ip_vs; modprobe ip_vs_rr
ulimit -n 65536
NSN=0
fresh() {
  NSN=$((NSN + 1)); bench_ns "bench$NSN"
  vm_on_exit ip netns del "$NS"
  bench_nginx || { cat "$BENCH_DIR/nginx-$NS/error.log"; vm_fail "nginx"; }
  vm_on_exit bench_nginx_stop_ns "$NS"
}
bench_nginx_stop_ns() { kill "$(cat "$BENCH_DIR/nginx-$1/nginx.pid")" 2>/dev/null || true; }
dests() { in_ns awk '$1 == "->" && $2 ~ /^7F/' /proc/net/ip_vs | wc -l; }

run_vigild() {  # N KIND
  local n=$1 kind=$2 sock="$BENCH_DIR/v$NSN.sock" cpid="" i
  python3 "$VIGIL_SRC/bench/vm/gen-checks.py" "$n" "$kind" "$BENCH_DIR" "$sock"
  ip netns exec "$NS" "$VIGIL_BUILD/daemon/vigild" -n -l -f "$BENCH_DIR/vigil.conf" \
    -p "$BENCH_DIR/v.pid" --checker-only > "$BENCH_DIR/vigild$NSN.log" 2>&1 &
  local pid=$!
  for i in $(seq 1 300); do
    cpid=$(in_ns "$VIGIL_BUILD/ctl/vigilctl" -s "$sock" status --json 2>/dev/null | python3 -c \
      "import json,sys; print([p['pid'] for p in json.load(sys.stdin)['processes'] if p['name']=='checker'][0])" 2>/dev/null) \
      && [ "${cpid:-0}" != 0 ] && break
    sleep 0.2
  done
  MEASURE_START_HOOK="kill -USR1 $pid" measure "vigild $kind" "$n" "$WARM" "$SECS" "$cpid" "$pid"
  kill -USR1 "$pid"; sleep 3
  echo "    in IPVS: $(dests)/$n; $(grep -o 'lateness: .*' "$BENCH_DIR/vigild$NSN.log" | tail -1)"
  grep -o 'half-open tcp: .*' "$BENCH_DIR/vigild$NSN.log" | tail -1 | sed 's/^/    /' || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run_keepalived() {  # N KIND
  local n=$1 kind=$2 cpid="" i
  python3 "$VIGIL_SRC/bench/vm/gen-checks.py" "$n" "$kind" "$BENCH_DIR" /dev/null
  ip netns exec "$NS" keepalived -n -l -C -f "$BENCH_DIR/keepalived.conf" \
    -p "$BENCH_DIR/k$NSN.pid" -c "$BENCH_DIR/kc$NSN.pid" > "$BENCH_DIR/keepalived$NSN.log" 2>&1 &
  local pid=$!
  for i in $(seq 1 300); do
    cpid=$(cat "$BENCH_DIR/kc$NSN.pid" 2>/dev/null) && [ -n "$cpid" ] && break
    sleep 0.2
  done
  measure "keepalived $kind" "$n" "$WARM" "$SECS" "$cpid" "$pid"
  echo "    in IPVS: $(dests)/$n"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for spec in ${VIGIL_BENCH_ARGS:-250:tcp 250:half 250:http 250:reuse}; do
  n=${spec%%:*} kind=${spec##*:}
  case $kind in http|reuse) PROBES=requests ;; *) PROBES=synack ;; esac
  fresh; run_vigild "$n" "$kind"
  fresh; run_keepalived "$n" "$kind"
done
