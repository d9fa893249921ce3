#!/usr/bin/env bash
# Benchmark (scale-out behind ECMP): the test bed of tests/vm/ecmp_lib.sh
# (router with FRR, three directors each with vigild + FRR, three DR real
# servers, a client), in one VM boot. Per trial, with the client making
# short requests (a new connection each, 1 s timeout) the whole time:
#   kill:   SIGKILL d3's vigild -> the router has 2 paths (ms); restart it
#           -> 3 paths again (ms, includes its checks' first verdicts)
#   link:   d3's link pulled (its veth on the bridge down) -> 2 paths (the
#           router's BFD, 300 ms x 3); link back -> 3 paths
#   quorum: d2's checks refused (nft) -> 2 paths (ms); allowed -> 3 paths
#   term:   SIGTERM d1's vigild -> 2 paths (ms); restart -> 3 paths
# and the requests that failed in each trial's window. For kill and link,
# the client also holds VIGIL_BENCH_HOLD (default 200) long-lived
# connections to the echo service (:9000), opened before the event and
# probed one by one (a byte and its echo, 5 s) after the director went
# and after it came back: "its own" are those the director that went had
# scheduled (its IPVS table, origin LOCAL), "the others'" the rest (some
# of which the router's hash also moves). Every director runs both sync
# daemons (announce.ipvs_sync); VIGIL_BENCH_SYNC=0 runs without.
# Paths are polled every 10 ms in the router's namespace.
#
# VIGIL_BENCH_MODE=vrrp runs the same scenario (kill, link) on an
# active-backup pair instead: d1 (priority 150) and d2 hold the VIP by
# VRRP (adverts every 0.5 s, sync daemon master/backup following it), the
# router reaches the VIP on its LAN; "gone" is the router's ARP entry for
# the VIP moving to d2, "ready" back to d1 (preemption).
#
# Runs under qemu TCG (tests/vm/run-vm.sh): absolute times include the
# emulator.
#
#   bench/ecmp.sh [TRIALS]   (default 10)
#   the build is $VIGIL_BUILD (default ./build)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export VIGIL_SRC=$src VIGIL_BUILD=${VIGIL_BUILD:-$src/build}
export VIGIL_BENCH_TRIALS=${1:-10}
export VIGIL_VM_TIMEOUT=${VIGIL_VM_TIMEOUT:-900}
exec bash "$src/tests/vm/run-vm.sh" "$src/bench/vm/ecmp-guest.sh"
