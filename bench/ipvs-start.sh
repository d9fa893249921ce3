#!/usr/bin/env bash
# Benchmark (IPVS glue): programming an empty IPVS table with N services x
# M destinations by vigild, by ipvsadm-restore, by keepalived, and by the
# raw batched netlink sender (the kernel's ceiling), all in the same VM
# boot; then a reload that changes one real server's weight in a bigger
# table. Runs inside the Debian kernel under qemu (tests/vm/run-vm.sh):
# timings are emulated, only ratios from the same boot mean anything.
#
#   bench/ipvs-start.sh [SERVICES DESTS RELOAD_SERVICES RELOAD_DESTS]
#   (defaults 1000 10 2000 20; the build is ./build)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export VIGIL_SRC=$src VIGIL_BUILD=${VIGIL_BUILD:-$src/build}
export BENCH_ARGS="${*:-1000 10 2000 20}"
exec bash "$src/tests/vm/run-vm.sh" "$src/bench/vm/ipvs-start-guest.sh"
