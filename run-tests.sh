#!/usr/bin/env bash
# Runs the whole suite through ctest: unit, lint, netns, vm, sanitize and
# fuzz labels. Installs what is missing first (./setup.sh). Ends with ctest's
# summary; exits non-zero on any failure.
#   ./run-tests.sh            everything, two tests at a time
#   ./run-tests.sh -L unit    only a label (any ctest arguments pass through)
set -euo pipefail
cd "$(dirname "$0")"

need_setup=0
for p in libnl-genl-3-dev libnl-route-3-dev libev-dev libconfig-dev libjson-c-dev libcmocka-dev mandoc libnftables-dev \
         qemu-system-x86 linux-image-amd64 busybox-static ipvsadm keepalived prometheus \
         libsnmp-dev snmpd snmp snmptrapd smitools clang libclang-rt-14-dev \
         chromium chromium-driver python3-selenium fonts-dejavu-core frr; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_setup=1
done
if [ $need_setup = 1 ]; then
  ./setup.sh
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

# Two tests at a time: the vm label's guest runs beside the host's tests
# (tests/CMakeLists.txt: resource locks keep each bed to one test at a time).
if [ $# -eq 0 ]; then
  set -- --output-on-failure --parallel 2
fi
exec ctest --test-dir build "$@"
