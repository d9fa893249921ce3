#!/usr/bin/env bash
# Benchmark (scale-out behind ECMP): the test bed of tests/vm/ecmp_lib.sh
# (router with FRR, three directors each with vigild + FRR, three DR real
# servers, a client), in one VM boot. Per trial, with the client making
# short requests (a new connection each, 1 s timeout) the whole time:
#   kill:   SIGKILL d3's vigild -> the router has 2 paths (ms); restart it
#           -> 3 paths again (ms, includes its checks' first verdicts)
#   quorum: d2's checks refused (nft) -> 2 paths (ms); allowed -> 3 paths
#   term:   SIGTERM d1's vigild -> 2 paths (ms); restart -> 3 paths
# and the requests that failed in each trial's window. Paths are polled
# every 10 ms in the router's namespace. Runs under qemu TCG
# (tests/vm/run-vm.sh): absolute times include the emulator.
#
#   bench/ecmp.sh [TRIALS]   (default 10)
#   the build is $VIGIL_BUILD (default ./build)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export VIGIL_SRC=$src VIGIL_BUILD=${VIGIL_BUILD:-$src/build}
export VIGIL_BENCH_TRIALS=${1:-10}
export VIGIL_VM_TIMEOUT=${VIGIL_VM_TIMEOUT:-900}
exec bash "$src/tests/vm/run-vm.sh" "$src/bench/vm/ecmp-guest.sh"
