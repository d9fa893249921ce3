#!/usr/bin/env bash
# Benchmark (health checkers): many real servers checked every second —
# TCP and HTTP checks against one nginx answering every 127.0.0.0/8
# address in a namespace of its own — measuring the checker's CPU seconds
# per 10,000 probes, its share of one core, its RSS and (vigild) how late
# probes start against their schedule (p99, from the engine's histogram
# in the SIGUSR1 state dump).
#
#   bench/checks.sh host [N:KIND...]  vigild alone on this kernel (no IPVS:
#                                 --checker-only --dry-run); KIND tcp, half
#                                 (half-open tcp) or http; default 10000:tcp
#   bench/checks.sh vm [ARGS]     vigild against keepalived 2.2.7 in the VM
#                                 (keepalived's checker needs IPVS); see
#                                 bench/vm/checks-guest.sh for ARGS
# The build is $VIGIL_BUILD (default ./build). Root, needs nginx.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export VIGIL_SRC=$src VIGIL_BUILD=${VIGIL_BUILD:-$src/build}
mode=${1:-host}; shift || true
if [ "$mode" = vm ]; then
  # run-vm.sh passes only VIGIL_* variables into the guest
  export VIGIL_BENCH_ARGS="${*:-}" VIGIL_BENCH_WARM=${BENCH_WARM:-15} VIGIL_BENCH_SECS=${BENCH_SECS:-30}
  export VIGIL_VM_TIMEOUT=${VIGIL_VM_TIMEOUT:-1500}
  exec bash "$src/tests/vm/run-vm.sh" "$src/bench/vm/checks-guest.sh"
fi
WARM=${BENCH_WARM:-15} SECS=${BENCH_SECS:-40}
BENCH_DIR=$(mktemp -d /tmp/bench-checks.XXXXXX); chmod 755 "$BENCH_DIR"
. "$src/bench/vm/checks-lib.sh"
VPID=""
cleanup() {
  [ -n "$VPID" ] && kill "$VPID" 2>/dev/null
  sleep 1
  bench_nginx_stop
  ip netns del "$NS" 2>/dev/null
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
bench_ns "vgbench$$"
bench_nginx || { cat "$BENCH_DIR"/nginx-*/error.log; exit 1; }
run_vigild() {  # run_vigild N tcp|http
  local n=$1 kind=$2 sock="$BENCH_DIR/vigil.sock"
  python3 "$src/bench/vm/gen-checks.py" "$n" "$kind" "$BENCH_DIR" "$sock"
  ip netns exec "$NS" "$VIGIL_BUILD/daemon/vigild" -n -l -f "$BENCH_DIR/vigil.conf" -p "$BENCH_DIR/v.pid" \
    --checker-only --dry-run > "$BENCH_DIR/vigild.log" 2>&1 &
  VPID=$!
  local cpid
  cpid=$(checker_pid "$VPID")
  [ "${cpid:-0}" != 0 ] || { tail "$BENCH_DIR/vigild.log"; echo "no checker pid"; return 1; }
  case $kind in http|reuse) PROBES=requests ;; *) PROBES=synack ;; esac
  MEASURE_START_HOOK="kill -USR1 $VPID" measure "vigild $kind (host)" "$n" "$WARM" "$SECS" "$cpid" "$VPID"
  up=$(grep -c " UP: " "$BENCH_DIR/vigild.log" || true)
  kill -USR1 "$VPID"; sleep 2
  echo "    $up/$n up; $(grep -o 'lateness: .*' "$BENCH_DIR/vigild.log" | tail -1)"
  grep -o 'half-open tcp: .*' "$BENCH_DIR/vigild.log" | tail -1 | sed 's/^/    /' || true
  kill "$VPID"; wait "$VPID" 2>/dev/null || true; VPID=""
}
for spec in ${*:-10000:tcp}; do
  run_vigild "${spec%%:*}" "${spec##*:}"
done
