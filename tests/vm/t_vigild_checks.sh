#!/usr/bin/env bash
# vigild programs IPVS from real health checks (issue: health checkers).
# Two real servers (python http.server in namespaces) behind a NAT
# service with HTTP checks (interval 1 s, timeout 1 s, rise 2, fall 2), a
# sorry server in a third namespace, quorum 1. A client namespace
# fetches through the VIP after every step and must get answers only
# from the servers that are alive, never an error:
#   stop rs1      -> rs1 leaves the table within interval*fall+timeout+margin
#   start rs1     -> back after rise passes
#   stop rs1, rs2 -> quorum lost: the sorry server alone, on_quorum_down ran
#   start rs2     -> quorum regained: sorry server out, on_quorum_up ran
# (At start the servers are pending until their first pass: the sorry
# server serves, with no command run, until the quorum is first reached.)
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd ipvsadm python3

VIGILD="$VIGIL_BUILD/daemon/vigild"
VIGILCTL="$VIGIL_BUILD/ctl/vigilctl"
T=$(mktemp -d /tmp/vigild-checks.XXXXXX)
chmod 755 "$T"   # the checker runs as nobody and re-reads the file
SOCK="$T/vigil.sock"
MARGIN=2         # s: TCG is slow; the bound is the spec's plus this
modprobe ip_vs
modprobe ip_vs_rr
vm_on_exit ipvsadm -C
vm_on_exit rm -rf "$T"

# client --- director (this namespace) --- br0 --- rs1, rs2, sorry
vm_nat_lan 192.0.2.10
declare -A ADDR=([rs1]=198.51.100.11 [rs2]=198.51.100.12 [sorry]=198.51.100.99)
declare -A PIDS=()
for n in rs1 rs2 sorry; do
  vm_nat_rs "$n" "${ADDR[$n]}"
  mkdir -p "$T/www-$n"; echo "$n" > "$T/www-$n/index.html"
done
serve() {  # serve NAME: (re)starts its http.server, waits until it listens
  ip netns exec "$1" python3 -m http.server 80 --bind "${ADDR[$1]}" --directory "$T/www-$1" \
    >> "$T/http-$1.log" 2>&1 &
  PIDS[$1]=$!
  vm_on_exit sh -c "kill ${PIDS[$1]} 2>/dev/null || true"
  vm_wait_for 10 ip netns exec "$1" python3 -c "import socket; socket.create_connection(('${ADDR[$1]}', 80), 1)" \
    2>/dev/null || vm_fail "$1 not listening"
}
halt() { kill "${PIDS[$1]}"; wait "${PIDS[$1]}" 2>/dev/null || true; }
serve rs1; serve rs2; serve sorry

mkdir -m 1777 "$T/out"; mkdir -m 755 "$T/bin"
for s in up down; do
  printf '#!/bin/sh\necho "$1 $(id -u)" > %s/out/quorum-%s\n' "$T" "$s" > "$T/bin/$s.sh"
  chmod 755 "$T/bin/$s.sh"
done
cat > "$T/vigil.conf" <<CONF
global = { control_socket = "$SOCK"; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80; scheduler = "rr"; forwarding = "nat";
    check_interval = 1.0; quorum = 1; hysteresis = 0;
    sorry_server = { address = "198.51.100.99"; port = 80; };
    on_quorum_up = "$T/bin/up.sh"; on_quorum_down = "$T/bin/down.sh";
    real_servers = (
      { address = "198.51.100.11"; port = 80;
        checks = ( { type = "http"; path = "/index.html"; expect = "rs1"; timeout = 1.0; rise = 2; fall = 2; } ); },
      { address = "198.51.100.12"; port = 80;
        checks = ( { type = "http"; path = "/index.html"; expect = "rs2"; timeout = 1.0; rise = 2; fall = 2; } ); } ); }
);
CONF
"$VIGILD" -t -f "$T/vigil.conf" || vm_fail "config refused"
"$VIGILD" -n -l -f "$T/vigil.conf" -p "$T/vigild.pid" >> "$T/vigild.log" 2>&1 &
PID=$!
vm_on_exit sh -c "kill $PID 2>/dev/null || true; sleep 1; kill -9 $PID 2>/dev/null || true"
fail() { ipvsadm -Ln || true; tail -n 40 "$T/vigild.log"; vm_fail "$*"; }

# fetch N: N new connections from the client; prints "rs1=a rs2=b sorry=c err=d"
fetch() {
  ip netns exec client python3 - "$1" <<'PY'
import sys, urllib.request, collections
c = collections.Counter()
for _ in range(int(sys.argv[1])):
    try:
        c[urllib.request.urlopen("http://192.0.2.10/", timeout=3).read().decode().strip()] += 1
    except Exception:
        c["err"] += 1
print(" ".join("%s=%d" % (k, c[k]) for k in ("rs1", "rs2", "sorry", "err")))
PY
}
dests() { ipvsadm -Ln | awk '$1 == "->" && $2 ~ /^198/ { print $2 }' | sort | tr '\n' ' '; }
has() { [ "$(dests)" = "$1" ]; }
ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }
expect_fetch() {  # expect_fetch N WANT LABEL
  local got; got=$(fetch "$1")
  vm_log "$3: $got"
  [ "$got" = "$2" ] || fail "$3: the client got '$got', want '$2'"
}
quorum() { "$VIGILCTL" -s "$SOCK" status --json | python3 -c \
  "import json,sys; q=json.load(sys.stdin)['virtual_servers'][0]['quorum']; print(q['up'], q['alive_weight'], q['sorry_server_in'])"; }

# Start: both pass twice (rise 2) and go in; until then the sorry server serves.
vm_wait_for 20 has "198.51.100.11:80 198.51.100.12:80 " || fail "both real servers not in the table"
expect_fetch 10 "rs1=5 rs2=5 sorry=0 err=0" "both up"
vm_log "quorum (up alive sorry_in): $(quorum)"
[ "$(quorum)" = "True 2 False" ] || fail "status quorum: $(quorum)"
# Until the first passes the servers were pending (start_up = false): the
# first evaluation found no quorum (sorry server in, no command), the
# first passes regained it, a real change that runs on_quorum_up.
vm_wait_for 5 test -s "$T/out/quorum-up" || fail "on_quorum_up did not run when the first passes came"
[ ! -e "$T/out/quorum-down" ] || fail "on_quorum_down ran at start (the first evaluation runs nothing)"
rm -f "$T/out/quorum-up"

# Stop rs1: gone within interval*fall + timeout (+ margin).
bound=$(( (1 * 2 + 1 + MARGIN) * 1000 ))
halt rs1; t0=$(ms)
vm_wait_for 15 has "198.51.100.12:80 " || fail "rs1 still in the table"
took=$(( $(ms) - t0 ))
vm_log "rs1 left the table after ${took} ms (bound ${bound} ms)"
[ "$took" -le "$bound" ] || fail "rs1 left after ${took} ms, over ${bound} ms"
expect_fetch 10 "rs1=0 rs2=10 sorry=0 err=0" "rs1 stopped"

# Start rs1: back after rise (2) passes, not on the first one.
serve rs1; t0=$(ms)
vm_wait_for 15 has "198.51.100.11:80 198.51.100.12:80 " || fail "rs1 not back"
took=$(( $(ms) - t0 ))
vm_log "rs1 back in the table after ${took} ms (rise 2 at 1 s: 1..$(( 2 + 1 + MARGIN )) s)"
[ "$took" -le $(( (2 + 1 + MARGIN) * 1000 )) ] || fail "rs1 came back late: ${took} ms"
grep -q "web 198.51.100.11:80 UP: ok (2/2)" "$T/vigild.log" || fail "rs1 did not come up on its second pass"
expect_fetch 10 "rs1=5 rs2=5 sorry=0 err=0" "rs1 back"

# Stop both: quorum lost, the sorry server alone, on_quorum_down ran.
halt rs1; halt rs2; t0=$(ms)
vm_wait_for 15 has "198.51.100.99:80 " || fail "the sorry server is not alone in the table"
took=$(( $(ms) - t0 ))
vm_log "sorry server in after ${took} ms"
[ "$took" -le "$bound" ] || fail "quorum loss took ${took} ms, over ${bound} ms"
vm_wait_for 5 test -s "$T/out/quorum-down" || fail "on_quorum_down did not run"
[ "$(cat "$T/out/quorum-down")" = "web $(id -u nobody)" ] || fail "on_quorum_down wrote '$(cat "$T/out/quorum-down")'"
[ "$(quorum)" = "False 0 True" ] || fail "status quorum: $(quorum)"
expect_fetch 10 "rs1=0 rs2=0 sorry=10 err=0" "all stopped"

# Start rs2: quorum back, sorry server out, on_quorum_up ran.
serve rs2
vm_wait_for 15 has "198.51.100.12:80 " || fail "rs2 did not replace the sorry server"
vm_wait_for 5 test -s "$T/out/quorum-up" || fail "on_quorum_up did not run"
[ "$(cat "$T/out/quorum-up")" = "web $(id -u nobody)" ] || fail "on_quorum_up wrote '$(cat "$T/out/quorum-up")'"
expect_fetch 10 "rs1=0 rs2=10 sorry=0 err=0" "rs2 back"
[ "$(grep -c 'quorum lost' "$T/vigild.log")" = 1 ] || fail "quorum lost logged other than once"
vm_log "PASS: checks drive IPVS: removal, return after rise, sorry server and quorum commands"
