#!/usr/bin/env bash
# The guest kernel's IPVS works: ip_vs loads, ipvsadm programs a virtual
# service with one NAT real server, `ipvsadm -S -n` shows exactly that, and
# `ipvsadm -C` empties the table again.
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "${VIGIL_SRC:?}/tests/vm/lib.sh"

vm_require_guest
vm_require_cmd ipvsadm modprobe

modprobe ip_vs || vm_fail "modprobe ip_vs failed"
grep -q '^ip_vs ' /proc/modules || vm_fail "ip_vs not in /proc/modules after modprobe"
vm_on_exit ipvsadm -C

ipvsadm -A -t 192.0.2.10:80 -s wlc || vm_fail "ipvsadm -A"
ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.11:80 -m -w 3 || vm_fail "ipvsadm -a"

expected='-A -t 192.0.2.10:80 -s wlc
-a -t 192.0.2.10:80 -r 198.51.100.11:80 -m -w 3
'
vm_capture actual ipvsadm -S -n
vm_expect_eq "ipvsadm -S -n" "$expected" "$actual"

# The scheduler module must have been auto-loaded by the kernel (kmod path).
grep -q '^ip_vs_wlc ' /proc/modules || vm_fail "ip_vs_wlc was not auto-loaded"

ipvsadm -C || vm_fail "ipvsadm -C"
vm_capture actual ipvsadm -S -n
vm_expect_eq "ipvsadm -S -n after -C" "" "$actual"

vm_log "PASS"
