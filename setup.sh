#!/usr/bin/env bash
# Installs every build and test dependency (Debian 12, as root), builds
# vigil and installs it. Safe to run again: apt skips what is there, the
# build is incremental, the install overwrites.
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  build-essential cmake pkg-config git clang libclang-rt-14-dev
  libnl-3-dev libnl-genl-3-dev libnl-route-3-dev libev-dev libssl-dev libconfig-dev
  libjson-c-dev libsystemd-dev libcap-dev libc-ares-dev libcmocka-dev libnftables-dev
  mandoc valgrind
  qemu-system-x86 linux-image-amd64 busybox-static cpio ipvsadm
  python3 keepalived iproute2 nftables tcpdump procps psmisc strace
  dnsmasq nginx-light openssl stress-ng curl
  prometheus frr
  chromium chromium-driver python3-selenium fonts-dejavu-core
  libsnmp-dev snmpd snmp snmptrapd smitools
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Packages that bring services must not keep them running on a director
  # under test: the tests start their own instances in namespaces.
  for svc in keepalived nginx dnsmasq prometheus snmpd snmptrapd frr; do
    systemctl disable --now "$svc" >/dev/null 2>&1 || true
  done
fi

# The unprivileged user the checker child and scripts run as.
getent passwd vigil >/dev/null || useradd --system --no-create-home --shell /usr/sbin/nologin vigil

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
cmake --install build >/dev/null
echo "setup: vigil built and installed ($(command -v vigild))"
