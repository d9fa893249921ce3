#!/usr/bin/env bash
# Benchmark (status and metrics at scale): a director with 1,000 virtual
# servers x 10 real servers in a real IPVS table, a VRRPv3 master (advert
# 0.1 s) and one real server with a tcp check every 0.1 s whose listener a
# peer opens and closes: the time and the parent's CPU per /metrics
# scrape, per status page (/) and per /status.json; then whether scraping
# back to back delays VRRP adverts (the longest gap seen by the peer) or
# check reporting (a listener's close -> the parent's DOWN line), against
# the same measures with nothing scraping. Runs inside the Debian kernel
# under qemu TCG (tests/vm/run-vm.sh): absolute numbers are the
# emulator's, ratios from the same boot are what mean something.
#
#   bench/status.sh [--host] [SERVICES DESTS REQUESTS]   (defaults 1000 10 20)
#   --host: on this machine, as a dry run in namespaces (no IPVS counters)
#   the build is $VIGIL_BUILD (default ./build); the VM run is bounded by
#   VIGIL_VM_TIMEOUT (default here 900 s). Wrap it in
#   flock /var/tmp/vigil-vm.lock when others share the machine.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export VIGIL_SRC=$src VIGIL_BUILD=${VIGIL_BUILD:-$src/build}
host=
[ "${1:-}" = --host ] && { host=1; shift; }
# run-vm.sh passes only VIGIL_* variables into the guest
export VIGIL_BENCH_ARGS="${*:-1000 10 20}"
[ -n "$host" ] && VIGIL_BENCH_HOST=1 exec bash "$src/bench/vm/status-guest.sh"
export VIGIL_VM_TIMEOUT=${VIGIL_VM_TIMEOUT:-900}
exec bash "$src/tests/vm/run-vm.sh" "$src/bench/vm/status-guest.sh"
