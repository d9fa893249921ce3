#!/usr/bin/env bash
# Benchmark (issue: 100,000 concurrent connections): a vigild director
# pair (LVS-NAT, then LVS-DR, IPVS connection sync) holds N TCP
# connections opened by tests/tools/conn-hold; records the set-up rate,
# the counts as vigild and ipvsadm show them, the kernel's connection-entry
# memory, vigild's memory and CPU while holding, and the share of held
# connections that still carry data after the master's vigild is killed.
# Runs inside the Debian kernel under qemu (tests/vm/run-vm.sh), guest
# script bench/vm/conns-guest.sh (its header lists the knobs).
#
#   bench/conns.sh [N [CASES]]      defaults: 100000 "nat dr ka-nat"
#   (the build is ./build or $VIGIL_BUILD; VIGIL_VM_MEM default 3072)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export VIGIL_SRC=$src VIGIL_BUILD=${VIGIL_BUILD:-$src/build}
export VIGIL_BENCH_ARGS="${1:-100000} ${2:-nat dr ka-nat}"
export VIGIL_VM_MEM=${VIGIL_VM_MEM:-3072} VIGIL_VM_TIMEOUT=${VIGIL_VM_TIMEOUT:-3000}
[ -x "$VIGIL_BUILD/tests/tools/conn-hold" ] || { echo "conns: build first (cmake --build build)" >&2; exit 1; }
exec bash "$src/tests/vm/run-vm.sh" "$src/bench/vm/conns-guest.sh"
