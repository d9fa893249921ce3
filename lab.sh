#!/usr/bin/env bash
# lab.sh -- vigil's main job in one command, on any Linux box with qemu:
# boots the VM test bed (tests/vm/run-vm.sh: the Debian kernel, which has
# IPVS, under qemu TCG, the host's root read-only over 9p) and runs a real
# installation in it (tests/vm/lab_guest.sh): two vigild directors (VRRP
# sync group, LVS-NAT, IPVS connection sync), three nginx real servers and
# a client under traffic; it tells what happens with numbers, then leaves
# the lab running.
#
#   ./lab.sh [--once]   start the lab and tell the story; --once: check the
#                       numbers, stop the VM, exit 0 when all is as expected
#   ./lab.sh shell      a root shell in the running lab (Ctrl-] leaves it)
#   ./lab.sh status     is it running; the status page's address and state
#   ./lab.sh stop       stop the VM
#
# Needs what ./setup.sh installs (it builds build/ if missing). The status
# page of the director holding the VIP is on 127.0.0.1:$VIGIL_LAB_PORT
# (default 9650; --once takes the next free port when it is in use).
# Environment: VIGIL_BUILD (default ./build), VIGIL_LAB_DIR (state, default
# /var/tmp/vigil-lab), VIGIL_LAB_PORT, VIGIL_LAB_HOURS (how long a lab left
# running lives, default 24).
set -euo pipefail
cd "$(dirname "$0")"
src=$PWD
build=${VIGIL_BUILD:-$src/build}
state=${VIGIL_LAB_DIR:-/var/tmp/vigil-lab}
port=${VIGIL_LAB_PORT:-9650}
hours=${VIGIL_LAB_HOURS:-24}

say() { printf 'lab: %s\n' "$*"; }
die() { printf 'lab: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '10,15s/^# \{0,1\}//p' "$0"; exit 2; }

running() { [ -s "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; }
port_busy() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

ensure_build() {
  if [ ! -x "$build/daemon/vigild" ] || [ ! -x "$build/ctl/vigilctl" ]; then
    say "building vigil in $build"
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
    cmake --build "$build" -j"$(nproc)" > /dev/null
  fi
}

# probe: the status page answers from the host; prints its summary line.
probe() {
  local body
  body=$(curl -s -m 3 "http://127.0.0.1:$port/status.json" 2> /dev/null) || return 1
  [ -n "$body" ] || return 1
  printf 'http://127.0.0.1:%s/ answers from the host (/status.json: %d bytes, %s)\n' \
    "$port" "${#body}" "$(grep -o '"state": *"[A-Z]*"' <<< "$body" | sed 's/.*: *"//; s/"$//' | sort | uniq -c | awk '{ printf "%s%d %s", (NR > 1 ? ", " : ""), $1, $2 }')"
}

# follow PID: shows the story from the console log until the lab is ready
# (0) or the VM exits (its run-vm.sh status); checks the status page from
# the host on the way (REACHED=1 once it answered).
REACHED=0
follow() {
  local pid=$1 line part="" next=0 fd got
  exec {fd}< <(tail -n +1 -F --pid="$pid" "$state/console.log" 2> /dev/null)
  while :; do
    if read -r -t 1 -u "$fd" line; then
      line=$part$line
      part=""
      case $line in
        'lab| ready'*) say "${line#lab| }"; return 0 ;;
        'lab| '*) say "${line#lab| }" ;;
        run-vm:*|*VIGIL-VM-INIT-ERROR*|*FAIL*|*'Kernel panic'*) printf '%s\n' "$line" ;;
      esac
    elif [ $? -gt 128 ]; then
      part+=$line   # a read timed out in the middle of a line
    else
      break   # EOF: the VM is gone
    fi
    if [ "$REACHED" = 0 ] && [ "$SECONDS" -ge "$next" ]; then
      next=$((SECONDS + 2))
      if got=$(probe); then REACHED=1; say "status page: $got"; fi
    fi
  done
  wait "$pid" 2> /dev/null
}

start() {
  local once=$1 pid rc
  command -v qemu-system-x86_64 > /dev/null || die "qemu-system-x86_64 missing: run ./setup.sh"
  ensure_build
  if [ "$once" = 1 ]; then
    state=$(mktemp -d /var/tmp/vigil-lab-once.XXXXXX)
    trap 'kill -TERM "$(cat "$state/pid" 2> /dev/null)" 2> /dev/null || true; rm -rf "$state"' EXIT
    local i
    for ((i = 0; i < 20; i++)); do port_busy "$port" || break; port=$((port + 1)); done
  else
    ! running || die "a lab is already running (./lab.sh status, ./lab.sh shell, ./lab.sh stop)"
    mkdir -p "$state"
    chmod 0700 "$state"
    rm -f "$state/shell.sock" "$state/console.log"
  fi
  port_busy "$port" && die "127.0.0.1:$port is in use: set VIGIL_LAB_PORT"
  echo "$port" > "$state/port"
  say "booting the VM (qemu TCG: about 20 s), then the installation and the story (about 90 s)"
  VIGIL_BUILD=$build VIGIL_SRC=$src VIGIL_LAB_ONCE=$once VIGIL_LAB_PORT=$port \
  VIGIL_VM_TIMEOUT=$([ "$once" = 1 ] && echo 400 || echo $((hours * 3600))) \
  VIGIL_VM_QEMU_ARGS="-netdev user,id=lab,restrict=on,hostfwd=tcp:127.0.0.1:$port-10.0.2.15:8080
    -device virtio-net-pci,netdev=lab -device virtio-serial-pci
    -chardev socket,id=labsh,path=$state/shell.sock,server=on,wait=off
    -device virtconsole,chardev=labsh" \
    setsid bash "$src/tests/vm/run-vm.sh" "$src/tests/vm/lab_guest.sh" \
    > "$state/console.log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$state/pid"
  rc=0
  follow "$pid" || rc=$?
  if [ "$once" = 1 ]; then
    if [ "$rc" = 0 ] && [ "$REACHED" = 0 ]; then
      say "FAIL: the status page never answered on 127.0.0.1:$port"
      rc=1
    fi
    [ "$rc" = 0 ] || tail -n 60 "$state/console.log"
    exit "$rc"
  fi
  if ! running; then
    tail -n 60 "$state/console.log"
    die "the lab's VM stopped (console: $state/console.log)"
  fi
  say "the lab runs (for ${hours} h at most): ./lab.sh shell, ./lab.sh status, ./lab.sh stop"
}

status() {
  if ! running; then say "not running"; exit 1; fi
  port=$(cat "$state/port")
  say "running: VM pid $(cat "$state/pid"), console $state/console.log"
  say "status page: $(probe || echo "http://127.0.0.1:$port/ does not answer")"
}

stop() {
  running || { say "not running"; return 0; }
  local pid i
  pid=$(cat "$state/pid")
  kill -TERM "$pid"   # run-vm.sh stops qemu and removes its job dir
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  rm -f "$state/pid" "$state/shell.sock"
  say "stopped"
}

case ${1:-} in
  "") start 0 ;;
  --once) start 1 ;;
  shell) running || die "not running: ./lab.sh"; exec python3 "$src/tests/vm/lab_shell.py" "$state/shell.sock" ;;
  status) status ;;
  stop) stop ;;
  *) usage ;;
esac
