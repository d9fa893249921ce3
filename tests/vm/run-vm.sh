#!/usr/bin/env bash
# run-vm.sh SCRIPT [ARGS...] -- run SCRIPT as root inside a throw-away VM that
# boots the host's Debian kernel (which has IPVS) under qemu TCG.
#
# The guest sees the host's root read-only over virtio-9p with a tmpfs overlay
# on top (writes vanish at power-off), fresh tmpfs on /tmp, /run, /dev/shm.
# SCRIPT runs with `bash`, cwd = $VIGIL_SRC, every VIGIL_* variable passed
# through; its output is streamed to our stdout and its exit status is ours.
#
# Exit status: the script's; 77 = skipped (also when qemu or a suitable kernel
# is missing); 1 when the guest gave no result (boot failure, panic, timeout).
#
# Environment:
#   VIGIL_SRC         source dir (default: two levels above this file)
#   VIGIL_BUILD       build dir  (default: $VIGIL_SRC/build)
#   VIGIL_VM_TIMEOUT  seconds for the whole VM run (default 540)
#   VIGIL_VM_CACHE    initramfs cache + per-run job dirs (default /var/tmp/vigil-vm)
#   VIGIL_VM_KERNEL   force a kernel version (default: newest with IPVS modules)
#   VIGIL_VM_APPEND   extra kernel command line words
#   VIGIL_VM_MEM      guest memory in MiB (default 1024)
#   VIGIL_VM_QEMU_ARGS  extra qemu arguments, split on white space (devices,
#                     e.g. the lab's user-mode network and shell port)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say()  { printf 'run-vm: %s\n' "$*" >&2; }
skip() { say "SKIP: $*"; exit 77; }
die()  { say "ERROR: $*"; exit 1; }

if [[ $# -lt 1 ]]; then
    echo "usage: $0 SCRIPT [ARGS...]" >&2
    exit 2
fi
script=$1
shift

# --- prerequisites -----------------------------------------------------------
qemu=$(command -v qemu-system-x86_64 || true)
[[ -n $qemu ]] || skip "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
command -v timeout >/dev/null || skip "timeout(1) not found"

pick_kernel() {
    local v best=
    if [[ -n ${VIGIL_VM_KERNEL:-} ]]; then
        echo "$VIGIL_VM_KERNEL"
        return 0
    fi
    while IFS= read -r v; do
        [[ -n $v ]] || continue
        if [[ -r /boot/vmlinuz-$v && -d /lib/modules/$v/kernel/net/netfilter/ipvs ]]; then
            best=$v
        fi
    done < <(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V)
    [[ -n $best ]] || return 1
    echo "$best"
}
kver=$(pick_kernel) || skip "no /boot/vmlinuz-<ver> with IPVS modules in /lib/modules/<ver> (apt-get install linux-image-amd64)"
kernel=/boot/vmlinuz-$kver
[[ -r $kernel ]] || skip "$kernel not readable"
[[ -d /lib/modules/$kver/kernel/net/netfilter/ipvs ]] || skip "kernel $kver has no IPVS modules"

[[ -f $script ]] || die "no such script: $script"
script=$(realpath -- "$script")

VIGIL_SRC=$(realpath -m -- "${VIGIL_SRC:-$here/../..}")
VIGIL_BUILD=$(realpath -m -- "${VIGIL_BUILD:-$VIGIL_SRC/build}")
export VIGIL_SRC VIGIL_BUILD
[[ -d $VIGIL_SRC ]] || die "VIGIL_SRC=$VIGIL_SRC is not a directory"

timeout_s=${VIGIL_VM_TIMEOUT:-540}
[[ $timeout_s =~ ^[0-9]+$ && $timeout_s -gt 0 ]] || die "VIGIL_VM_TIMEOUT must be a positive integer"

cache=$(realpath -m -- "${VIGIL_VM_CACHE:-/var/tmp/vigil-vm}")
# The job dir goes on the kernel command line: keep it to a plain path.
[[ $cache =~ ^/[A-Za-z0-9._/+-]+$ ]] || die "VIGIL_VM_CACHE=$cache: use a path without spaces or special characters"
mkdir -p -- "$cache"

# --- per-run job dir + cleanup ---------------------------------------------------
jobdir=
vm_pid=
# shellcheck disable=SC2317  # invoked by the traps below
cleanup() {
    if [[ -n $vm_pid ]] && kill -0 "$vm_pid" 2>/dev/null; then
        kill -TERM "$vm_pid" 2>/dev/null || true   # timeout(1) forwards it to qemu
    fi
    if [[ -n $jobdir ]]; then rm -rf -- "$jobdir"; fi
    if [[ -n ${initrd_tmp:-} ]]; then rm -f -- "$initrd_tmp"; fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

# --- initramfs (cached on kernel version + generator hash) ----------------------
gen=$here/mkinitrd.sh
[[ -r $gen ]] || die "$gen missing"
key=$(sha256sum "$gen" | cut -c1-16)
initrd=$cache/initrd-$kver-$key.cpio.gz
initrd_tmp=
if [[ ! -s $initrd ]]; then
    say "building initramfs for $kver (cache miss: $initrd)"
    initrd_tmp=$(mktemp "$cache/.initrd.XXXXXX")
    timeout 120 bash "$gen" "$kver" "$initrd_tmp" || die "initramfs build failed"
    mv -f -- "$initrd_tmp" "$initrd"   # atomic: safe with parallel runs
    initrd_tmp=
    for old in "$cache"/initrd-"$kver"-*.cpio.gz; do
        [[ -e $old && $old != "$initrd" ]] && rm -f -- "$old"
    done
fi

jobdir=$(mktemp -d "$cache/run.XXXXXX")
chmod 0755 "$jobdir"

# The guest's /tmp is a fresh tmpfs: a script under /tmp is copied in, and
# VIGIL_SRC / VIGIL_BUILD / the job dir under /tmp get an overlay of the host
# directory at the same path (see "expose" in mkinitrd.sh).
under_tmp() { [[ $1 == /tmp/* || $1 == /tmp ]]; }
if under_tmp "$script"; then
    cp -- "$script" "$jobdir/"
    script=$jobdir/${script##*/}
fi
expose=()
for p in "$VIGIL_SRC" "$VIGIL_BUILD" "$jobdir"; do
    under_tmp "$p" || continue
    [[ $p != /tmp ]] || die "$p: cannot use /tmp itself as a source/build dir"
    [[ $p =~ ^/[A-Za-z0-9._/+-]+$ ]] || die "$p is under /tmp and has special characters: move it"
    expose+=("$p")
done
: > "$jobdir/expose"
if [[ ${#expose[@]} -gt 0 ]]; then
    # Keep only the outermost directories (no overlay nested in another).
    prev=
    while IFS= read -r p; do
        if [[ -n $prev && $p == "$prev"/* ]]; then continue; fi
        echo "$p" >> "$jobdir/expose"
        prev=$p
    done < <(printf '%s\n' "${expose[@]}" | LC_ALL=C sort -u)
fi

{
    echo '# generated by run-vm.sh'
    while IFS= read -r v; do
        printf 'export %s=%q\n' "$v" "${!v}"
    done < <(compgen -e | grep '^VIGIL_' | LC_ALL=C sort)
    printf 'cd -- %q || exit 1\n' "$VIGIL_SRC"
    printf 'exec bash --'
    printf ' %q' "$script" "$@"
    printf '\n'
} > "$jobdir/job.sh"

# --- boot --------------------------------------------------------------------------
log=$jobdir/console.log
rcfile=$jobdir/qemu.rc
pidfile=$jobdir/qemu.pid
append="console=ttyS0 quiet panic=-1 oops=panic vigil.job=$jobdir ${VIGIL_VM_APPEND:-}"
# A script with the line "# vm: systemd" runs under systemd as PID 1.
if grep -q '^# vm: systemd$' "$script"; then
    append+=" vigil.systemd=1 systemd.show_status=0"
fi
mem=${VIGIL_VM_MEM:-1024}
[[ $mem =~ ^[0-9]+$ && $mem -ge 256 ]] || die "VIGIL_VM_MEM must be a number of MiB >= 256"
read -r -d "" -a extra <<< "${VIGIL_VM_QEMU_ARGS:-}" || true
# shellcheck disable=SC2054  # the commas are qemu option syntax
qemu_cmd=(
    "$qemu" -nodefaults -accel tcg,thread=multi -cpu max -m "$mem" -smp 2
    -nographic -serial mon:stdio -no-reboot
    -kernel "$kernel" -initrd "$initrd"
    -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap
    -append "$append" "${extra[@]}"
)
say "kernel $kver, script ${script#"$VIGIL_SRC"/}, timeout ${timeout_s}s"
t0=$(date +%s)
set +e
{
    timeout --kill-after=10 "$timeout_s" "${qemu_cmd[@]}" < /dev/null &
    echo $! > "$pidfile"
    wait $!
    echo $? 2>/dev/null > "$rcfile" || true   # job dir may be gone after a signal
} | sed -u -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' | tee "$log" &
pipe_pid=$!
# Wait for the pid file so the cleanup trap can stop the VM (bounded).
for ((i = 0; i < 100; i++)); do
    [[ -s $pidfile ]] && break
    sleep 0.05
done
vm_pid=$(cat "$pidfile" 2>/dev/null)
wait "$pipe_pid"
set -e
vm_pid=
t1=$(date +%s)

qemu_rc=$(cat "$rcfile" 2>/dev/null || echo "?")
marker=$(grep -aoE 'VIGIL-VM-EXIT=[0-9]+' "$log" | tail -n 1 || true)
if [[ -z $marker ]]; then
    case $qemu_rc in
        124|137) die "no result from the guest: timed out after ${timeout_s}s (VIGIL_VM_TIMEOUT)" ;;
        *) die "no result marker from the guest (qemu exit $qemu_rc after $((t1 - t0))s): boot failure or kernel panic? see output above" ;;
    esac
fi
rc=${marker#VIGIL-VM-EXIT=}
if [[ $qemu_rc == 124 || $qemu_rc == 137 ]]; then
    say "warning: guest did not power off in time (script result still used)"
fi
case $rc in
    0)  say "PASS ($((t1 - t0))s)" ;;
    77) say "SKIPPED by the guest script ($((t1 - t0))s)" ;;
    *)  say "FAIL: guest script exited $rc ($((t1 - t0))s)" ;;
esac
exit "$rc"
