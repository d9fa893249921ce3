#!/usr/bin/env bash
# Benchmark (the director's work when real servers change health): a
# machine behind every service fails and comes back.
#
#   bench/health-wave.sh vm [SERVICES DESTS]
#       vigild against keepalived 2.2.7 in the VM (real IPVS), same boot:
#       see bench/vm/wave-guest.sh. BENCH_INTERVAL (check interval, 20 s),
#       BENCH_WAVES (3); BENCH_OLD=BUILD_DIR adds another vigild build.
#   bench/health-wave.sh host [BUILD_DIR...]
#       vigild alone, natively, in a dry run (no IPVS here), each build in
#       turn (default ./build): 2,000 virtual servers × 20 real servers,
#       each real server with a file check every second (the file a
#       switch: up while it holds 0). Real server j of every virtual
#       server reads file rs-j, except real server 0 of the first, which
#       reads its own. The parent's CPU (utime+stime from /proc) over:
#         solo  one real server of one virtual server down and up again, FLIPS times
#         wave  real server 1 of every virtual server down and up again, WAVES times
#       less its idle CPU over as long, and the passes it made (its "ipvs:
#       N operations" lines). What is measured is the building and
#       comparing of tables, which a dry run does as a real one.
#       BENCH_VS, BENCH_RS, BENCH_FLIPS, BENCH_WAVES change the sizes.
# Root.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-host}; shift || true
if [ "$mode" = vm ]; then
  export VIGIL_SRC=$src VIGIL_BUILD=${VIGIL_BUILD:-$src/build}
  # run-vm.sh passes only VIGIL_* variables into the guest
  export VIGIL_BENCH_ARGS="${*:-2000 20}" VIGIL_BENCH_INTERVAL=${BENCH_INTERVAL:-20}
  export VIGIL_BENCH_WAVES=${BENCH_WAVES:-3} VIGIL_BENCH_OLD=${BENCH_OLD:-}
  export VIGIL_VM_TIMEOUT=${VIGIL_VM_TIMEOUT:-1500}
  exec bash "$src/tests/vm/run-vm.sh" "$src/bench/vm/wave-guest.sh"
fi
N_VS=${BENCH_VS:-2000} N_RS=${BENCH_RS:-20} FLIPS=${BENCH_FLIPS:-10} WAVES=${BENCH_WAVES:-3}
[ $# -gt 0 ] || set -- "$src/build"
dir=$(mktemp -d /tmp/bench-hpass.XXXXXX); chmod 755 "$dir"
VPID=""
cleanup() { [ -n "$VPID" ] && kill "$VPID" 2>/dev/null; sleep 0.5; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$dir"; }
trap cleanup EXIT

mkdir "$dir/f"
python3 - "$N_VS" "$N_RS" "$dir" <<'EOF'
import sys
n_vs, n_rs, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with open(d + "/vigil.conf", "w") as f:
    f.write('global = { control_socket = "%s/vigil.sock"; };\nvirtual_servers = (\n' % d)
    for i in range(n_vs):
        f.write('  { address = "192.0.2.%d"; port = %d; check_interval = 1.0; real_servers = (\n'
                % (1 + i % 250, 80 + i // 250))
        for j in range(n_rs):
            path = "%s/f/solo" % d if i == 0 and j == 0 else "%s/f/rs-%d" % (d, j)
            f.write('    { address = "198.51.%d.%d"; port = 80; checks = ( { type = "file"; '
                    'path = "%s"; weight = 0; } ); }%s\n'
                    % (100 + j // 250, 1 + j % 250, path, "," if j + 1 < n_rs else ""))
        f.write('  ) }%s\n' % ("," if i + 1 < n_vs else ""))
    f.write(");\n")
EOF
for j in $(seq 0 $((N_RS - 1))); do echo 0 > "$dir/f/rs-$j"; done
echo 0 > "$dir/f/solo"
chmod -R a+rX "$dir/f"

# CPU of all the process's threads, ms (schedstat: nanoseconds on a CPU)
cpu_ms() { cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { printf "%d", s / 1e6 }'; }
count() { grep -c -- "$1" "$dir/vigild.log" || true; }
ops() { awk '/ipvs: [0-9]+ operations/ { for (i = 2; i <= NF; i++) if ($i == "operations") s += $(i - 1) }
  END { print s + 0 }' "$dir/vigild.log"; }
wait_ops() {  # wait_ops N SECS
  local end=$((SECONDS + $2))
  while [ "$(ops)" -lt "$1" ]; do
    [ $SECONDS -lt $end ] || { echo "timeout waiting for $1 operations ($(ops))" >&2; return 1; }
    sleep 0.1
  done
}
wait_count() {  # wait_count PATTERN N SECS
  local end=$((SECONDS + $3))
  while [ "$(count "$1")" -lt "$2" ]; do
    [ $SECONDS -lt $end ] || { echo "timeout waiting for $2 × '$1' ($(count "$1"))" >&2; return 1; }
    sleep 0.2
  done
}

for build in "$@"; do
  : > "$dir/vigild.log"
  "$build/daemon/vigild" -n -l --dry-run -f "$dir/vigil.conf" -p "$dir/v.pid" > "$dir/vigild.log" 2>&1 &
  VPID=$!
  total=$((N_VS * N_RS))
  wait_count " UP: " $total 300
  sleep 3
  c0=$(cpu_ms $VPID); sleep 10; idle=$(( $(cpu_ms $VPID) - c0 ))   # ms per 10 s
  # Progress is read from the operations applied (a dry run logs each
  # pass's count): the transition lines of a flapping server are rate-limited.
  # solo: each flip is one operation (the destination out, then in)
  p0=$(count "ipvs: [0-9]* operations"); o0=$(ops)
  t0=$SECONDS; c0=$(cpu_ms $VPID)
  for k in $(seq 1 "$FLIPS"); do
    echo 1 > "$dir/f/solo"; wait_ops $((o0 + 2 * k - 1)) 30
    echo 0 > "$dir/f/solo"; wait_ops $((o0 + 2 * k)) 30
  done
  solo_ms=$(( $(cpu_ms $VPID) - c0 )); solo_s=$((SECONDS - t0))
  solo_p=$(( $(count "ipvs: [0-9]* operations") - p0 ))
  # wave: N_VS operations down, as many up
  p0=$(count "ipvs: [0-9]* operations"); o0=$(ops)
  t0=$SECONDS; c0=$(cpu_ms $VPID)
  for k in $(seq 1 "$WAVES"); do
    echo 1 > "$dir/f/rs-1"; wait_ops $((o0 + (2 * k - 1) * N_VS)) 60
    echo 0 > "$dir/f/rs-1"; wait_ops $((o0 + 2 * k * N_VS)) 60
  done
  wave_ms=$(( $(cpu_ms $VPID) - c0 )); wave_s=$((SECONDS - t0))
  wave_p=$(( $(count "ipvs: [0-9]* operations") - p0 ))
  kill $VPID; wait $VPID 2>/dev/null || true; VPID=""
  awk -v b="$build" -v idle="$idle" -v sm="$solo_ms" -v ss="$solo_s" -v sp="$solo_p" \
      -v f="$FLIPS" -v wm="$wave_ms" -v ws="$wave_s" -v wp="$wave_p" -v w="$WAVES" -v n="$N_VS" 'BEGIN {
    si = sm - idle * ss / 10; wi = wm - idle * ws / 10
    printf "%s\n  idle: %d ms CPU per 10 s\n", b, idle
    printf "  solo: %d transitions, %d passes, %.2f ms CPU per transition (less idle)\n", 2 * f, sp, si / (2 * f)
    printf "  wave: %d transitions, %d passes, %.0f ms CPU per wave of %d (less idle)\n", 2 * w * n, wp, wi / (2 * w), n
  }'
done
