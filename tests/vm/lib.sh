# shellcheck shell=bash
# Helpers for tests that run inside the VM (tests/vm/t_*.sh, started by
# run-vm.sh). Source it with:
#     . "${VIGIL_SRC:?}/tests/vm/lib.sh"
# It installs an EXIT trap that runs the cleanups registered with vm_on_exit
# (last registered first) and keeps the script's exit status.
# Exit statuses: 0 pass, 1 fail (vm_fail), 77 skip (vm_skip).

if [[ -n ${_VM_LIB_LOADED:-} ]]; then return 0; fi
_VM_LIB_LOADED=1

VM_TEST_NAME=${VM_TEST_NAME:-$(basename -- "$0" .sh)}
_vm_t0=${EPOCHREALTIME/./}

# vm_log MSG...: timestamped message (seconds since the test started) on stderr.
vm_log() {
    local now=${EPOCHREALTIME/./} us
    us=$((now - _vm_t0))
    printf '[%s %d.%03ds] %s\n' "$VM_TEST_NAME" $((us / 1000000)) $((us / 1000 % 1000)) "$*" >&2
}

# vm_fail MSG...: report and exit 1.
vm_fail() { vm_log "FAIL: $*"; exit 1; }

# vm_skip MSG...: report and exit 77 (ctest SKIP_RETURN_CODE).
vm_skip() { vm_log "SKIP: $*"; exit 77; }

# vm_in_guest: true when running inside run-vm.sh's VM.
vm_in_guest() { [[ -e /run/vigil/stage2.sh ]] && grep -q 'vigil\.job=' /proc/cmdline 2>/dev/null; }

# vm_require_guest: skip unless inside the VM (these tests reconfigure the
# kernel as root; never let them loose on a developer's host).
vm_require_guest() {
    vm_in_guest || vm_skip "not inside the test VM: run via tests/vm/run-vm.sh $0"
}

# vm_require_cmd CMD...: skip when a command is missing.
vm_require_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || vm_skip "$c not installed"
    done
}

# --- cleanup stack -------------------------------------------------------------------
_VM_CLEANUPS=()

# vm_on_exit CMD [ARGS...]: run CMD ARGS at exit (LIFO). Failures are logged, not fatal.
vm_on_exit() {
    local q
    printf -v q ' %q' "$@"
    _VM_CLEANUPS+=("${q# }")
}

_vm_run_cleanups() {
    local rc=$? i
    set +e
    for ((i = ${#_VM_CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${_VM_CLEANUPS[i]}" || vm_log "cleanup failed: ${_VM_CLEANUPS[i]}"
    done
    _VM_CLEANUPS=()
    exit "$rc"
}
trap _vm_run_cleanups EXIT

# --- network namespaces ----------------------------------------------------------------
# vm_netns_add NAME: create a namespace with lo up; deleted at exit.
vm_netns_add() {
    local ns=${1:?vm_netns_add NAME}
    ip netns add "$ns" || vm_fail "ip netns add $ns"
    vm_on_exit ip netns delete "$ns"
    ip -n "$ns" link set lo up || vm_fail "lo up in $ns"
}

# --- a NAT director ------------------------------------------------------------------
#   client (203.0.113.2) --- this namespace (VIP on lo, 203.0.113.1,
#   198.51.100.1 on br0) --- br0 --- real servers (vm_nat_rs)
# vm_nat_lan VIP: makes this namespace the director of that picture.
vm_nat_lan() {
    local vip=${1:?vm_nat_lan VIP}
    sysctl -qw net.ipv4.ip_forward=1
    ip addr add "$vip/32" dev lo
    vm_netns_add client
    ip link add dcl type veth peer name eth0 netns client
    ip addr add 203.0.113.1/24 dev dcl; ip link set dcl up
    ip -n client addr add 203.0.113.2/24 dev eth0; ip -n client link set eth0 up
    ip -n client route add 192.0.2.0/24 via 203.0.113.1
    ip link add br0 type bridge; ip addr add 198.51.100.1/24 dev br0; ip link set br0 up
    vm_on_exit ip link del br0
}

# vm_nat_rs NAME ADDR: a real-server namespace on br0, routed via the director.
vm_nat_rs() {
    local n=${1:?vm_nat_rs NAME ADDR} a=${2:?vm_nat_rs NAME ADDR}
    vm_netns_add "$n"
    ip link add "v$n" type veth peer name eth0 netns "$n"
    ip link set "v$n" master br0 up
    ip -n "$n" addr add "$a/24" dev eth0; ip -n "$n" link set eth0 up
    ip -n "$n" route add default via 198.51.100.1
}

# --- waiting -------------------------------------------------------------------------
# vm_wait_for SECONDS CMD [ARGS...]: run CMD every VM_WAIT_INTERVAL (default
# 0.1 s) until it succeeds (return 0) or SECONDS pass (return 1). The loop is
# bounded both by the deadline and by an iteration cap.
vm_wait_for() {
    local secs=${1:?vm_wait_for SECONDS CMD...} interval=${VM_WAIT_INTERVAL:-0.1}
    shift
    local deadline=$(( ${EPOCHREALTIME/./} + secs * 1000000 ))
    local max_iter=$(( secs * 1000 + 1 )) i
    for ((i = 0; i < max_iter; i++)); do
        if "$@"; then return 0; fi
        (( ${EPOCHREALTIME/./} < deadline )) || break
        sleep "$interval"
    done
    vm_log "timed out after ${secs}s waiting for: $*"
    return 1
}

# --- assertions -------------------------------------------------------------------------
# vm_expect_eq LABEL EXPECTED ACTUAL: exact comparison; shows a diff and fails.
vm_expect_eq() {
    local label=$1 expected=$2 actual=$3
    if [[ $expected != "$actual" ]]; then
        vm_log "mismatch in $label:"
        diff -u --label expected --label actual <(printf '%s' "$expected") <(printf '%s' "$actual") >&2 || true
        vm_fail "$label differs from the expected text"
    fi
    vm_log "ok: $label"
}

# vm_capture VAR CMD [ARGS...]: run CMD, store its exact stdout (trailing
# newlines kept) in VAR; fails the test if CMD fails.
vm_capture() {
    local __var=$1 __out
    shift
    __out=$("$@"; rc=$?; printf x; exit "$rc") || vm_fail "command failed: $*"
    printf -v "$__var" '%s' "${__out%x}"
}
