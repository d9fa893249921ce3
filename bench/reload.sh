#!/usr/bin/env bash
# Benchmark (reload under load): a director with a 2,000 x 20 IPVS table
# and one VRRPv3 master (advert 0.1 s) on a LAN with a peer that
# timestamps its adverts; per contender, in one VM boot: exec -> table
# complete (three start-ups, each in fresh namespaces; the median is
# compared), then three reloads that each change one real server's weight:
# SIGHUP -> that weight in the kernel, and the longest gap between the
# master's adverts from the SIGHUP to 3 s after the change landed.
# vigild as shipped, vigild with vrrp_realtime and vrrp_mlock off (as
# keepalived runs by default), then keepalived 2.2.7 (checker and vrrp
# processes), each in fresh namespaces. Runs inside the Debian kernel under qemu TCG
# (tests/vm/run-vm.sh): only ratios from the same boot mean anything.
#
#   bench/reload.sh [SERVICES DESTS RELOADS]   (defaults 2000 20 3)
#   BENCH_QUIET=S   the quiet window before the reloads (default 10 s)
#   BENCH_STARTS=N  start-ups timed per contender (default 3)
#   the build is $VIGIL_BUILD (default ./build); the VM run is bounded by
#   VIGIL_VM_TIMEOUT (default here 900 s)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export VIGIL_SRC=$src VIGIL_BUILD=${VIGIL_BUILD:-$src/build}
# run-vm.sh passes only VIGIL_* variables into the guest
export VIGIL_BENCH_ARGS="${*:-2000 20 3}" VIGIL_BENCH_QUIET=${BENCH_QUIET:-10}
export VIGIL_BENCH_STARTS=${BENCH_STARTS:-3}
export VIGIL_VM_TIMEOUT=${VIGIL_VM_TIMEOUT:-900}
exec bash "$src/tests/vm/run-vm.sh" "$src/bench/vm/reload-guest.sh"
