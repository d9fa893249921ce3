#!/usr/bin/env bash
# A converted director does what the keepalived one did. For each
# configuration, vigil-convert writes vigil.conf, `vigild -t` accepts it,
# then keepalived with the original and vigild with the conversion run
# side by side in the same boot, each in a namespace of its own shaped the
# same (dummy eth0 to eth3 and any other interface an instance names,
# as keepalived refuses to start without them; every other address
# behind an unreachable route, so every probe fails at once and both
# conclude every check "down": no race between two check schedules), and:
#   - the kernel's IPVS tables (`ipvsadm -S -n`) are the same once both
#     have concluded every check (vigild: `vigilctl status --json` has no
#     check pending; keepalived: its retries spent, see convert_equiv.py
#     timing): services, schedulers, persistence, flags, real servers,
#     forwarding methods and weights, after the failures (inhibit, sorry
#     servers, quorum);
#   - the last VRRP advert of each VRID, interface and address family on
#     the wire is the same: source and destination, version, VRID,
#     priority, authentication type, interval and addresses.
# A difference is a failure unless the converter reported a construct
# ("FILE:LINE: not converted: ...") inside the keepalived block of that
# service or VRRP instance (convert_equiv.py explain).
#
# The suite runs a representative subset (keepalived's samples of every
# checker, groups, fwmark, inhibit, quorum, sync groups and scripts, and
# the realistic configurations of tests/convert); VIGIL_EQUIV_ALL=1 runs
# every Debian sample too (docs/migration.md has that run's result).
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd keepalived ipvsadm tcpdump python3 busybox

VIGILD="$VIGIL_BUILD/daemon/vigild"
VIGILCTL="$VIGIL_BUILD/ctl/vigilctl"
CONVERT="$VIGIL_BUILD/convert/vigil-convert"
PY="$VIGIL_SRC/tests/vm/convert_equiv.py"
SAMPLES=/usr/share/doc/keepalived/samples
T=$(mktemp -d /tmp/convert-equiv.XXXXXX)
vm_on_exit rm -rf "$T"
modprobe ip_vs
PIDS=()
stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}
NSS=()   # the namespaces this test made
ns_del_all() { local n; for n in "${NSS[@]}"; do ip netns del "$n" 2>/dev/null; done; NSS=(); true; }
vm_on_exit ns_del_all
vm_on_exit stop_all
# keepalived logs through syslog only: one syslogd for all, told apart by pid.
busybox syslogd -n -O "$T/syslog" &
vm_on_exit kill "$!"
ka_log() {  # ka_log K: keepalived's lines of configuration K
  # Its children's pids from its own lines: a keepalived that exited
  # (a configuration it refuses) has removed its pid files.
  local w="$T/$1" pids
  [ -s "$w/ka.main" ] || return 0
  pids=$(cat "$w/ka.main")
  pids+=$(grep -E "\[$pids\]:" "$T/syslog" | grep -oP 'child process, pid=\K[0-9]+' | sed 's/^/|/' | tr -d '\n')
  # each message once (a refused send repeats every advert interval)
  grep -E "\[($pids)\]:" "$T/syslog" | awk '!seen[substr($0, index($0, "]: "))]++' | tail -n 80
}

# A namespace shaped like the hosts the samples were written for: the
# interfaces they name (keepalived refuses to start without them: its VRRP
# process exits with "Non-existent interface specified in configuration"),
# eth0 to eth3 and any other the conversion names as an instance's
# interface (eth4, eth0.1), the first one with the unicast source of
# tests/convert/dr-fwmark.conf. Past eth3 an interface gets a /32, so
# that no connected route reaches the real servers (every probe must
# still fail at once).
ns_ifaces() {  # ns_ifaces CONV: "NAME NUMBER" of each interface to make
  local n=4 f
  printf 'eth%s %s\n' 0 0 1 1 2 2 3 3
  for f in $(grep -oP '^\s*interface = "\K[^"]+(?=";$)' "$1" | sort -u); do
    case "$f" in eth[0-3]) ;; *) echo "$f $n"; n=$((n + 1)) ;; esac
  done
}
ns_make() {  # ns_make NAME CONV
  ip netns add "$1"
  NSS+=("$1")
  local f i a
  {
    echo "link set lo up"
    while read -r f i; do
      printf 'link add %s address 02:00:5e:00:00:%02x type dummy\n' "$f" "$i"   # the same link-local
      echo "link set $f multicast on up"
      if [ "$i" -lt 4 ]; then
        echo "addr add 203.0.113.$((i * 64 + 1))/26 dev $f"
      else
        echo "addr add 192.0.2.$((200 + i))/32 dev $f"
      fi
      printf 'addr add 2001:db8:ffff:%x::1/64 dev %s nodad\n' "$i" "$f"
    done < <(ns_ifaces "$2")
    echo "route add unreachable default"
    echo "route add unreachable ::/0"
    # The checks' source addresses are the host's own (keepalived retries
    # a check that cannot bind without a verdict: docs/migration.md).
    for a in $(grep -oP 'bind_address = "\K[^"]+' "$2"); do echo "addr add $a dev lo"; done
  } | ip -n "$1" -b -
}

# The converted file with a control socket of its own.
own_socket() {  # own_socket IN OUT SOCK
  if grep -q '^global = {' "$1"; then
    sed "0,/^global = {/s||global = {\n  control_socket = \"$3\";|" "$1" > "$2"
  else
    { echo "global = { control_socket = \"$3\"; };"; cat "$1"; } > "$2"
  fi
}

capture() {  # capture NS DIR: VRRP (and AH) on every interface, from now on
  ip netns exec "$1" tcpdump -U -n -i any -y LINUX_SLL2 -w "$2/any.pcap" \
    'ip proto 112 or ip proto 51 or ip6 proto 112 or ip6 proto 51' 2>/dev/null &
  PIDS+=("$!")
}

convert() {  # convert K: configuration K converted and checked; false if not to run
  local k="$1" dir="${dirs[$1]}" name="${names[$1]}" w="$T/$1" rc=0
  mkdir -p "$w/ka" "$w/vg"
  (cd "$dir" && "$CONVERT" -i lb1 -o "$w/conv.conf" "$name" 2>"$w/report") || rc=$?
  if [ "$rc" = 1 ]; then
    vm_log "$name: not convertible (exit 1), as the converter said:"
    sed 's/^/    /' "$w/report" >&2
    return 1
  fi
  own_socket "$w/conv.conf" "$w/vigil.conf" "$w/vigil.sock"
  if ! "$VIGILD" -t -f "$w/vigil.conf" > "$w/vigild-t.log" 2>&1; then
    vm_log "FAIL: $name: vigild -t refuses the conversion:"; sed 's/^/    /' "$w/vigild-t.log" >&2
    fail=1; return 1
  fi
  stub_programs "$w/conv.conf" "$dir/$name"
}

start() {  # start K: both daemons of configuration K, each in its namespace
  local k="$1" dir="${dirs[$1]}" name="${names[$1]}" w="$T/$1"
  ns_make "ka$k" "$w/conv.conf"; ns_make "vg$k" "$w/conv.conf"
  capture "ka$k" "$w/ka"; capture "vg$k" "$w/vg"
  sleep 0.3   # tcpdump listening before the first advert
  t0[k]=${EPOCHSECONDS}
  ip netns exec "ka$k" sh -c 'cd "$1" && exec keepalived -n -D -i lb1 -f "$2" -p "$3/ka.pid" \
    -c "$3/ka-chk.pid" -r "$3/ka-vrrp.pid"' sh "$dir" "$name" "$w" > "$w/keepalived.log" 2>&1 &
  PIDS+=("$!")
  echo "$!" > "$w/ka.main"   # keepalived's own pid: ip netns exec and sh exec it
  ip netns exec "vg$k" "$VIGILD" -n -l -f "$w/vigil.conf" -p "$w/vigild.pid" > "$w/vigild.log" 2>&1 &
  PIDS+=("$!")
}

# The programs a configuration names exist, as on the director it was
# written for, and fail (keepalived disables a script it cannot find at
# start, where vigil runs it and counts the failure: docs/migration.md),
# except those its header lists as passing ("! equiv-pass: PROGRAM...":
# a track script that must pass for an instance to be master, so that
# its adverts are compared).
stub_programs() {  # stub_programs CONV ORIGINAL
  local p u pass
  pass=" $(sed -n 's/^[!#] equiv-pass: //p' "$2" | tr '\n' ' ') "
  # ... and so do the users scripts run as.
  for u in $(grep -oP '\bscript_user = "\K[^"]+' "$1"); do
    id "$u" > /dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin "$u"
  done
  for p in $(grep -oP '\b(command|notify_up|notify_down|on_quorum_up|on_quorum_down|master|backup|fault|stop|all) = "\K/[^" ]+' "$1" | sort -u); do
    [ -e "$p" ] && continue
    case "$pass" in *" $p "*) u=0 ;; *) u=1 ;; esac
    mkdir -p "${p%/*}" && printf '#!/bin/sh\nexit %s\n' "$u" > "$p" && chmod 755 "$p"
  done
}

table() {  # table NS: the IPVS table, sorted
  ip netns exec "$1" ipvsadm -S -n | sort
}
vg_settled() {  # vg_settled K: vigild has concluded every check
  "$VIGILCTL" -s "$T/$1/vigil.sock" status --json > "$T/$1/status.json" 2>/dev/null &&
    ! grep -qE '"state": ?"unknown"' "$T/$1/status.json"
}
since() { echo $((EPOCHSECONDS - t0[$1])); }
same_table() {  # same_table K: both IPVS tables are the same now
  table "ka$1" > "$T/$1/ka.table"; table "vg$1" > "$T/$1/vg.table"
  cmp -s "$T/$1/ka.table" "$T/$1/vg.table"
}
same_adverts() {  # same_adverts K: the last adverts of each side are the same
  local w="$T/$1"
  : > "$w/ka.adverts"; : > "$w/vg.adverts"
  grep -q '^vrrp' "$w/conv.conf" || return 0
  python3 "$PY" adverts "ka$1" "$w/ka/any.pcap" "$w/ka.adverts" \
    "vg$1" "$w/vg/any.pcap" "$w/vg.adverts"
  cmp -s "$w/ka.adverts" "$w/vg.adverts"
}

# compare K: once both have concluded, the same or the difference reported.
compare() {
  local k="$1" name="${names[$1]}" w="$T/$1" ok=1 min
  min=${chk_min[k]%.*}
  [ "${vrrp_min[k]%.*}" -le "$min" ] || min=${vrrp_min[k]%.*}
  vm_wait_for $((${chk_max[k]%.*} + 20)) vg_settled "$k" ||
    vm_log "$name: vigild still has checks pending"
  local settled_at; settled_at=$(since "$k")
  while [ "$(since "$k")" -lt "$min" ]; do sleep 0.5; done
  # Equal now, or after keepalived's slowest retries (bounded).
  local deadline=$((t0[k] + ${chk_max[k]%.*} + ${vrrp_min[k]%.*} + 5))
  until same_table "$k"; do
    [ "$EPOCHSECONDS" -lt "$deadline" ] || break
    sleep 1
  done
  until same_adverts "$k"; do
    [ "$EPOCHSECONDS" -lt "$deadline" ] || break
    sleep 2
  done
  diff -u "$w/ka.table" "$w/vg.table" > "$w/diff" || true
  diff -u "$w/ka.adverts" "$w/vg.adverts" >> "$w/diff" || true
  if [ -s "$w/diff" ]; then
    sed 's/^/    /' "$w/diff" >&2
    python3 "$PY" explain "$w/diff" "$w/report" "${dirs[k]}" >&2 || ok=0
  fi
  if ! kill -0 "$(cat "$w/ka.main")" 2>/dev/null; then   # nothing to compare with
    vm_log "$name: keepalived has exited (its log below says why)"; ok=0
  fi
  if grep -q '^vrrp' "$w/conv.conf" && [ ! -s "$w/ka.adverts" ]; then
    vm_log "$name: no advert from either (no instance is master)"
  fi
  if [ $ok = 1 ]; then
    vm_log "ok: $name ($(wc -l < "$w/ka.table") table lines, $(wc -l < "$w/ka.adverts") adverts; vigild concluded at $settled_at s, compared at $(since "$k") s)"
  else
    vm_log "FAIL: $name"
    vm_log "  keepalived's log:"; ka_log "$k" | sed 's/^/    /' >&2
    vm_log "  vigild's log:"; tail -n 30 "$w/vigild.log" | sed 's/^/    /' >&2
    fail=1
  fi
}

SUBSET="HTTP_GET.port SSL_GET UDP_CHECK PING_CHECK misc_check fwmark inhibit quorum
  virtual_server_group vrrp.sync vrrp.scripts IPv6"
REALISTIC="nat-web.conf dr-fwmark.conf ipv6.conf dns-udp.conf lvs-features.conf
  sync-notify.conf web-checks.conf gateway-moves.conf"
names=() dirs=()
ALL=${VIGIL_EQUIV_ALL:-0}
[ -z "${VIGIL_EQUIV_ONLY:-}" ] || ALL=1
if [ -d "$SAMPLES" ]; then
  for f in "$SAMPLES"/keepalived.conf.*; do
    case " $(echo $SUBSET) " in
      *" ${f##*keepalived.conf.} "*) ;;
      *) [ "$ALL" = 1 ] || continue ;;
    esac
    dirs+=("$SAMPLES"); names+=("${f##*/}")
  done
else
  vm_log "no $SAMPLES (keepalived's samples): only the realistic configurations"
fi
for f in "$VIGIL_SRC"/tests/convert/*.conf; do
  case " $(echo $REALISTIC) " in
    *" ${f##*/} "*) ;;
    *) [ "$ALL" = 1 ] || continue ;;
  esac
  dirs+=("$VIGIL_SRC/tests/convert"); names+=("${f##*/}")
done
if [ -n "${VIGIL_EQUIV_ONLY:-}" ]; then   # VIGIL_EQUIV_ONLY="NAME...": only these
  for k in "${!names[@]}"; do
    case " $VIGIL_EQUIV_ONLY " in *" ${names[k]} "*) ;; *) unset 'names[k]' 'dirs[k]' ;; esac
  done
fi
[ "${#names[@]}" -gt 0 ] || vm_fail "no configuration to compare (VIGIL_EQUIV_ONLY names files, e.g. vmac.conf)"

# In batches that run at once (the guest has 1 GB and 2 slow CPUs).
BATCH=${VIGIL_EQUIV_BATCH:-10}
declare -a chk_min chk_max vrrp_min t0
fail=0
run_batch() {
  local k convs=()
  started=()
  for k in "$@"; do convert "$k" && started+=("$k") && convs+=("$T/$k/conv.conf"); done
  [ ${#started[@]} -gt 0 ] || return 0
  local i=0 a b c
  while read -r a b c; do
    k=${started[i]}; chk_min[k]=$a; chk_max[k]=$b; vrrp_min[k]=$c
    i=$((i + 1))
  done < <(python3 "$PY" timing "${convs[@]}")
  for k in "${started[@]}"; do start "$k"; done
  vm_log "batch of ${#started[@]} started: $(cut -d' ' -f1-3 /proc/loadavg) load, $(free -m | awk '/^Mem/ {print $7}') MB available"
  for k in "${started[@]}"; do compare "$k"; done
  stop_all
  ns_del_all
}
batch=()
for k in "${!names[@]}"; do
  batch+=("$k")
  [ ${#batch[@]} -lt "$BATCH" ] || { run_batch "${batch[@]}"; batch=(); }
done
[ ${#batch[@]} = 0 ] || run_batch "${batch[@]}"
[ $fail = 0 ] || vm_fail "converted directors differ from keepalived's (above)"
vm_log "PASS: ${#names[@]} configurations: the same IPVS tables and adverts, or the difference reported"
