#!/usr/bin/env bash
# mkinitrd.sh KVER OUTPUT -- build the tiny initramfs used by run-vm.sh.
#
# The initramfs holds a static busybox, the few modules needed to reach the
# host's root over virtio-9p (plus overlayfs), and two scripts:
#   /init       stage 1 (busybox sh): mount the host root read-only over 9p,
#               put a tmpfs overlay on top, mount /tmp /run /dev/shm ...,
#               then switch_root into it;
#   /stage2.sh  stage 2 (the host's bash, as PID 1 on the new root): set up
#               loopback, run the job written by run-vm.sh, print the result
#               marker, power off.
#   /systemd-job.sh  with vigil.systemd=1 on the command line, stage 1 hands
#               over to systemd as PID 1 instead, and this runs the job as a
#               oneshot unit after multi-user.target (then powers off).
# After switch_root the guest runs the host's own binaries, kmod and
# /lib/modules, so module auto-loading (ip_vs, schedulers, veth...) works.
#
# run-vm.sh caches the result keyed on KVER + the hash of THIS file, so any
# change here (including to the embedded scripts) forces a rebuild.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 KERNEL_VERSION OUTPUT.cpio.gz" >&2
    exit 2
fi
kver=$1
out=$2
moddir=/lib/modules/$kver

# Modules to load, in any order: dependencies are resolved from modules.dep.
wanted=(virtio_pci 9pnet_virtio 9p overlay)

busybox=
for b in /bin/busybox /usr/bin/busybox; do
    if [[ -x $b ]] && file -L "$b" 2>/dev/null | grep -q 'statically linked'; then
        busybox=$b
        break
    fi
done
if [[ -z $busybox ]]; then
    # `file` may be missing: fall back to checking for a dynamic loader.
    for b in /bin/busybox /usr/bin/busybox; do
        if [[ -x $b ]] && ! ldd "$b" >/dev/null 2>&1; then busybox=$b; break; fi
    done
fi
[[ -n $busybox ]] || { echo "mkinitrd: no static busybox (apt-get install busybox-static)" >&2; exit 1; }
[[ -r $moddir/modules.dep ]] || { echo "mkinitrd: $moddir/modules.dep missing" >&2; exit 1; }

if command -v cpio >/dev/null 2>&1; then
    cpio_cmd=(cpio --null -o -H newc -R 0:0 --quiet)
else
    cpio_cmd=("$busybox" cpio -0 -o -H newc)   # Debian's cpio package missing
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-mkinitrd.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,lower,rw,newroot,modules}

cp "$busybox" "$root/bin/busybox"
# Applet links (bounded by the applet list itself).
while IFS= read -r applet; do
    [[ -n $applet && $applet != busybox ]] || continue
    ln -sf busybox "$root/bin/$applet"
done < <("$busybox" --list)

# --- module dependency resolution (post-order DFS over modules.dep) --------
declare -A dep_of=() path_of=() seen=()
while IFS= read -r line; do
    mod_path=${line%%:*}
    deps=${line#*:}
    name=${mod_path##*/}
    name=${name%%.ko*}
    name=${name//-/_}
    path_of[$name]=$mod_path
    dep_of[$name]=$deps
done < "$moddir/modules.dep"

is_builtin() {
    local n=$1
    [[ -r $moddir/modules.builtin ]] || return 1
    grep -Eq "/${n//_/[-_]}\\.ko\$" "$moddir/modules.builtin"
}

order=()
visit() {  # depth is bounded by the (acyclic, finite) modules.dep graph
    local n=$1 d dn
    [[ -z ${seen[$n]:-} ]] || return 0
    seen[$n]=1
    if [[ -z ${path_of[$n]:-} ]]; then
        if is_builtin "$n"; then return 0; fi
        echo "mkinitrd: module $n neither in modules.dep nor built in" >&2
        exit 1
    fi
    for d in ${dep_of[$n]}; do
        dn=${d##*/}; dn=${dn%%.ko*}; dn=${dn//-/_}
        visit "$dn"
    done
    order+=("$n")
}
for m in "${wanted[@]}"; do visit "$m"; done

: > "$root/modules.order"
for n in "${order[@]}"; do
    src=$moddir/${path_of[$n]}
    dst=$root/modules/$n.ko
    case $src in
        *.ko)     cp "$src" "$dst" ;;
        *.ko.xz)  xz -dc "$src" > "$dst" ;;
        *.ko.zst) zstd -qdc "$src" > "$dst" ;;
        *.ko.gz)  gzip -dc "$src" > "$dst" ;;
        *) echo "mkinitrd: unknown module format: $src" >&2; exit 1 ;;
    esac
    echo "$n" >> "$root/modules.order"
done

# --- stage 1 ---------------------------------------------------------------
cat > "$root/init" <<'EOF_INIT'
#!/bin/sh
# vigil VM stage 1 (busybox). Any failure: message, power off (or panic).
export PATH=/bin
die() {
    echo "VIGIL-VM-INIT-ERROR: $*"
    echo o > /proc/sysrq-trigger 2>/dev/null
    sleep 5
    exit 1   # init exiting panics; panic=-1 + qemu -no-reboot ends the VM
}
mount -t proc proc /proc || die "mount /proc"
mount -t sysfs sysfs /sys || die "mount /sys"
mount -t devtmpfs devtmpfs /dev || die "mount /dev"

while read -r m; do
    insmod "/modules/$m.ko" || die "insmod $m"
done < /modules.order

job=
systemd=
for w in $(cat /proc/cmdline); do
    case $w in
        vigil.job=*) job=${w#vigil.job=} ;;
        vigil.systemd=1) systemd=1 ;;
    esac
done
[ -n "$job" ] || die "no vigil.job= on the kernel command line"

# The virtio-9p device shows up a moment after the driver loads: retry.
i=0
until mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /lower 2>/dev/null; do
    i=$((i + 1))
    [ $i -le 100 ] || die "cannot mount the host root over 9p"
    usleep 50000
done

mount -t tmpfs -o mode=0755 rw /rw || die "tmpfs /rw"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot \
    || die "overlay on /newroot"

for d in proc sys dev; do
    mount --move /$d /newroot/$d || die "move /$d"
done
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /newroot/tmp || die "tmpfs /tmp"
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /newroot/run || die "tmpfs /run"
mkdir -p /newroot/dev/shm /newroot/dev/pts /newroot/run/netns /newroot/run/vigil
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /newroot/dev/shm || die "tmpfs /dev/shm"
mount -t devpts -o mode=0620,ptmxmode=0666,gid=5 devpts /newroot/dev/pts || die "devpts"
# devtmpfs lacks these; bash process substitution needs /dev/fd.
ln -sfn /proc/self/fd /newroot/dev/fd
ln -sfn /proc/self/fd/0 /newroot/dev/stdin
ln -sfn /proc/self/fd/1 /newroot/dev/stdout
ln -sfn /proc/self/fd/2 /newroot/dev/stderr

# Host paths under /tmp that the job needs (hidden by the tmpfs above):
# give each a private writable overlay of the host directory.
n=0
if [ -r "/lower$job/expose" ]; then
    while IFS= read -r p; do
        [ -n "$p" ] || continue
        n=$((n + 1))
        mkdir -p "/rw/x$n/u" "/rw/x$n/w" "/newroot$p"
        if [ -d "/lower$p" ]; then
            mount -t overlay -o "lowerdir=/lower$p,upperdir=/rw/x$n/u,workdir=/rw/x$n/w" overlay "/newroot$p" \
                || die "overlay for $p"
        fi
    done < "/lower$job/expose"
fi

cp /stage2.sh /newroot/run/vigil/stage2.sh || die "copy stage2"
if [ "$systemd" = 1 ]; then
    # systemd as PID 1: the job is a oneshot unit after multi-user.target
    # that prints the result marker on the console and powers off; units
    # of the host image that only slow the boot or wait on a tty are masked.
    u=/newroot/etc/systemd/system
    mkdir -p "$u/multi-user.target.wants"
    cp /systemd-job.sh /newroot/run/vigil/systemd-job.sh || die "copy systemd-job"
    cat > "$u/vigil-vm-job.service" <<EOF_UNIT
[Unit]
Description=vigil VM job
After=multi-user.target
[Service]
Type=oneshot
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
ExecStart=/bin/bash /run/vigil/systemd-job.sh $job
ExecStopPost=/bin/systemctl poweroff --force --force
EOF_UNIT
    ln -sf ../vigil-vm-job.service "$u/multi-user.target.wants/vigil-vm-job.service"
    for m in getty@tty1.service serial-getty@ttyS0.service console-getty.service \
             postgresql.service e2scrub_reap.service nginx.service keepalived.service \
             dnsmasq.service snmpd.service snmptrapd.service snmptrapd.socket frr.service \
             apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
             man-db.timer logrotate.timer dpkg-db-backup.timer systemd-tmpfiles-clean.timer; do
        ln -sf /dev/null "$u/$m"
    done
    exec switch_root /newroot /lib/systemd/systemd --log-level=warning
fi
exec switch_root /newroot /bin/bash /run/vigil/stage2.sh "$job"
die "switch_root failed"
EOF_INIT

# --- stage 2 ---------------------------------------------------------------
cat > "$root/stage2.sh" <<'EOF_STAGE2'
#!/bin/bash
# vigil VM stage 2: PID 1 on the host's root (read-only 9p + tmpfs overlay).
job=$1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=dumb SHELL=/bin/bash USER=root LOGNAME=root
umask 022
echo vigil-vm > /proc/sys/kernel/hostname
ip link set lo up || echo "VIGIL-VM-WARNING: cannot bring lo up"
mkdir -p "$HOME" 2>/dev/null
printf '\n[vigil-vm] up: kernel %s, job %s\n' "$(uname -r)" "$job"
rc=0
if [ -r "$job/job.sh" ]; then
    bash "$job/job.sh" < /dev/null 2>&1 || rc=$?
else
    echo "VIGIL-VM-INIT-ERROR: $job/job.sh not readable in the guest"
    rc=1
fi
printf '\nVIGIL-VM-EXIT=%d\n' "$rc"
sync
# Power off; meanwhile block on a FIFO with bash builtins only (exec may fail
# once the 9p device is shut down). If we ever get past this, PID 1 exits,
# the kernel panics and panic=-1 + qemu -no-reboot still end the VM.
mkfifo /run/vigil/hold
echo o > /proc/sysrq-trigger
read -r -t 60 _ <> /run/vigil/hold
EOF_STAGE2
# --- systemd mode: the job unit's command -------------------------------------
cat > "$root/systemd-job.sh" <<'EOF_SDJOB'
#!/bin/bash
# vigil VM job under systemd (vigil.systemd=1): runs the job, prints the
# result marker on the console; the unit's ExecStopPost powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=dumb
printf '\n[vigil-vm] up under systemd: kernel %s, job %s\n' "$(uname -r)" "$1"
rc=0
bash "$1/job.sh" < /dev/null 2>&1 || rc=$?
printf '\nVIGIL-VM-EXIT=%d\n' "$rc"
sync
EOF_SDJOB
chmod 0755 "$root/init" "$root/stage2.sh" "$root/systemd-job.sh"

# Sorted names, root ownership.
(cd "$root" && find . -print0 | LC_ALL=C sort -z | "${cpio_cmd[@]}") | gzip -6 -n > "$out"
echo "mkinitrd: built $out for $kver (modules: ${order[*]})" >&2
