#!/usr/bin/env bash
# The lab (./lab.sh), inside the VM: a complete vigil installation under
# traffic, and the story an operator wants to see, told with numbers.
#
#   client ── brx ─┬─ d1 (vigild, MASTER) ─┬─ bri ─┬─ rs1 rs2 rs3 (nginx)
#   (lab0: the     └─ d2 (vigild, BACKUP) ─┘       └─ rs4 (added later)
#    host's port)
#
# The bed is tests/vm/faults_lib.sh's NAT pair (sync group G1 of EXT, the
# VIP 192.0.2.10, and INT, the real servers' gateway; IPVS connection
# sync), here with nginx real servers, HTTP checks, one service "web" on
# VIP:80 and each director's status page on port 8080. The VM's user-mode
# network card is moved into the client namespace, which forwards
# 10.0.2.15:8080 to VIP:8080: the host's 127.0.0.1:PORT reaches the status
# page of whichever director holds the VIP.
#
# The story: traffic balanced; rs2 dies (nginx killed, link cut) and is
# removed; rs4 is added at run time; the master d1's vigild is SIGKILLed
# and d2 takes the VIP; requests failed over the whole story.
# Lines for the operator start with "lab| " (lab.sh shows those).
# VIGIL_LAB_ONCE=1: check the numbers and exit (0: 0 failed requests and
# every step in its bound); otherwise leave everything running and serve
# root shells on /dev/hvc0 (./lab.sh shell).
set -euo pipefail
VM_TEST_NAME=lab
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd ipvsadm python3 nginx nft
. "$VIGIL_SRC/tests/vm/faults_lib.sh"

say() { printf 'lab| %s\n' "$*"; }
now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }
ONCE=${VIGIL_LAB_ONCE:-1}
LAB_RS=("${RS_ADDRS[@]}")           # the real servers in the configuration
bad=()                              # steps out of their bound (--once fails)

# --- the pieces faults_lib.sh lets a bed redefine ---------------------------
FAULTS_RS_PORT=80
faults_rs_serve() {  # NAME ADDR: nginx answering its own name
  local d=$T/$1
  mkdir -p "$d/www"
  echo "$1" > "$d/www/index.html"
  cat > "$d/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen $2:80; root $d/www; location / { } }
}
CONF
  ip netns exec "$1" nginx -c "$d/nginx.conf" -e "$d/error.log" > "$d/out.log" 2>&1 &
  printf -v "NGINX_$1" '%s' $!
  vm_on_exit sh -c "kill $! 2>/dev/null || true"
}

faults_conf() {  # NODE PRIORITY: one web service over LAB_RS, HTTP checks
  local n=$1 p=$2 rs="" a
  for a in "${LAB_RS[@]}"; do
    rs+="{ address = \"$a\"; port = 80; checks = ( { type = \"http\"; path = \"/\";
           interval = 0.5; timeout = 1.0; fall = 2; rise = 2; } ); },"
  done
  cat > "$T/$n.conf" <<CONF
global = { control_socket = "$T/$n.sock"; router_id = "$n"; script_user = "nobody";
  http = { listen = "0.0.0.0:8080"; }; };
virtual_servers = (
  { name = "web"; address = "$VIP"; port = 80; scheduler = "rr"; forwarding = "nat";
    real_servers = ( ${rs%,} ); }
);
$(faults_vrrp "$p")
CONF
  "$VIGILD" -t -f "$T/$n.conf" >&2 || vm_fail "$n.conf refused"
}

ctl() { local n=$1; shift; ip netns exec "$n" "$VIGILCTL" -s "$T/$n.sock" "$@"; }
# rs_in NODE ADDR: NODE's kernel table has ADDR:80 with a weight above 0.
rs_in() { ip netns exec "$1" ipvsadm -Ln | awk -v a="$2:80" '$2 == a && $4 > 0 { f = 1 } END { exit !f }'; }
rs_out() { ! rs_in "$@"; }
holds_vip() { ip -n "$1" -o addr show | grep -q " $VIP/"; }
served() { cstat "r['by_rs']"; }
# per_rs BEFORE AFTER: "rs1 N, rs2 N..." from two by_rs snapshots.
per_rs() {
  python3 -c "import ast,sys; a=ast.literal_eval(sys.argv[1]); b=ast.literal_eval(sys.argv[2]);
print(', '.join('%s %d' % (k, b[k] - a.get(k, 0)) for k in sorted(b) if b[k] - a.get(k, 0)))" "$1" "$2"
}
failed() { cstat 'r["failed"]'; }
# slow_since MS: ok requests slower than 0.5 s that started after MS.
slow_since() { cstat "'%d (slowest %.1f s)' % (sum(1 for t, d in r['slow'] if t * 1e3 >= $1), max([d for t, d in r['slow'] if t * 1e3 >= $1] or [0]))"; }
bound() {  # bound WHAT MS LIMIT_MS
  if [ "$2" -gt "$3" ]; then bad+=("$1 took $2 ms (bound $3 ms)"); fi
}

# --- the host's door: the VM's network card, in the client namespace --------
host_port() {
  local nic=$1
  [ -n "$nic" ] || { say "no network card: no status page from the host"; return 0; }
  ip link set "$nic" netns client name lab0
  ip -n client addr add 10.0.2.15/24 dev lab0
  ip -n client link set lab0 up
  ip netns exec client sysctl -qw net.ipv4.ip_forward=1
  ip netns exec client nft -f - <<NFT
table ip lab {
  chain pre { type nat hook prerouting priority dstnat; policy accept;
    iifname "lab0" tcp dport 8080 dnat to $VIP:8080; }
  chain post { type nat hook postrouting priority srcnat; policy accept;
    ip saddr 10.0.2.0/24 oifname "eth0" masquerade; }
}
NFT
}

# --- the bed ----------------------------------------------------------------
say "booted: kernel $(uname -r); setting up two directors, three nginx real servers, a client"
# The VM's network card (virtio_net), before the bed adds links of its own.
modprobe virtio_net 2>/dev/null || true
nic=""
for try in 1 2 3 4 5 6 7 8 9 10; do
  for d in /sys/class/net/*; do
    case $(readlink "$d/device/driver" 2>/dev/null) in */virtio_net) nic=${d##*/} ;; esac
  done
  [ -z "$nic" ] || break
  sleep 0.2
done
faults_bed
host_port "$nic"
for n in d1 d2; do
  # A connection to a removed real server is dropped at its next packet, so
  # the client's retransmitted SYN is scheduled again (not sent to the dead).
  ip netns exec "$n" sysctl -qw net.ipv4.vs.expire_nodest_conn=1
done
faults_rs_net rs4 198.51.100.14
faults_rs_serve rs4 198.51.100.14
faults_start d1
vm_wait_for 30 is_gstate d1 MASTER || vm_fail "d1 not MASTER"
faults_start d2
vm_wait_for 30 is_gstate d2 BACKUP || vm_fail "d2 not BACKUP"
three_up() { [ "$(ip netns exec "$1" ipvsadm -Ln | awk '$1 == "->" && $4 == 1' | wc -l)" = 3 ]; }
for n in d1 d2; do
  vm_wait_for 30 three_up "$n" || { ip netns exec "$n" ipvsadm -Ln; vm_fail "$n: three real servers expected up"; }
done
vm_wait_for 15 is_sync d1 master || vm_fail "d1: no master sync daemon: $(daemons d1)"
vm_wait_for 15 is_sync d2 backup || vm_fail "d2: no backup sync daemon: $(daemons d2)"
say "d1 MASTER (holds VIP $VIP), d2 BACKUP; IPVS sync daemons: d1 master, d2 backup on eth1"
say "status page: http://127.0.0.1:${VIGIL_LAB_PORT:-9650}/ (/status.json, /metrics) from the host, served by the director holding the VIP"
ip netns exec client python3 "$FAULTS_SRC/faults_client.py" --vip "$VIP" --out "$T/client.json" \
  --sessions 0 --interval 0.02 --timeout 10 > "$T/client.log" 2>&1 &
CLIENT_PID=$!
vm_on_exit sh -c "kill $CLIENT_PID 2>/dev/null || true"
vm_wait_for 30 sh -c "[ -s $T/client.json ]" || vm_fail "the client did not start"

# --- 1. balanced -----------------------------------------------------------
a=$(served); sleep 5; b=$(served)
say "1. traffic: a client sends one HTTP request after another to $VIP:80 (new connection each)"
say "   in 5 s, served by: $(per_rs "$a" "$b")   (scheduler rr), failed so far: $(failed)"

# --- 2. a real server dies ---------------------------------------------------
f0=$(failed); t0=$(now_ms)
eval kill -KILL "\$NGINX_rs2"
ip -n rs2 link set eth0 down
vm_wait_for 20 rs_out d1 198.51.100.12 || vm_fail "rs2 not removed from d1's table"
took=$(( $(now_ms) - t0 ))
bound "removing rs2" "$took" 6000
a=$(served); sleep 3; b=$(served)
say "2. rs2 killed (nginx SIGKILL, link cut): removed from the IPVS table after $took ms"
say "   (HTTP check every 0.5 s, timeout 1 s, fall 2); requests failed meanwhile: $(( $(failed) - f0 )),"
say "   slow (> 0.5 s, a SYN retransmitted): $(slow_since "$t0"); next 3 s served by: $(per_rs "$a" "$b")"

# --- 3. a real server added at run time -------------------------------------
f0=$(failed); t0=$(now_ms)
how="vigilctl add web 198.51.100.14:80 check http ..., on both directors"
for n in d1 d2; do
  ctl "$n" add web 198.51.100.14:80 check http path / interval 0.5 timeout 1.0 fall 2 rise 2 \
    > /dev/null || vm_fail "vigilctl add refused on $n"
done
vm_wait_for 20 rs_in d1 198.51.100.14 || vm_fail "rs4 not in d1's table"
took=$(( $(now_ms) - t0 ))
bound "adding rs4" "$took" 8000
has_rs4() { [ "$(cstat "r['by_rs'].get('rs4', 0)")" -gt 0 ]; }
vm_wait_for 10 has_rs4 || vm_fail "rs4 gets no traffic"
took2=$(( $(now_ms) - t0 ))
a=$(served); sleep 3; b=$(served)
say "3. rs4 added at run time ($how): in the table after $took ms"
say "   (its check passed twice), first request served at $took2 ms; next 3 s: $(per_rs "$a" "$b")"

# --- 4. the master director's daemon dies --------------------------------------
# SIGKILL to vigild, as an OOM kill or a crash would: its children follow
# (PR_SET_PDEATHSIG), the vrrp child releases the group with priority 0,
# so d2 takes over after its skew time, not after Master_Down_Interval.
vm_wait_for 15 rs_in d2 198.51.100.14 || vm_fail "rs4 not in d2's table"
synced=$(ip netns exec d2 ipvsadm -Lnc | grep -c " $VIP:80 " || true)
f0=$(failed); t0=$(now_ms)
kill -KILL "$PID_d1"
vm_wait_for 10 holds_vip d2 || vm_fail "d2 did not take the VIP"
took=$(( $(now_ms) - t0 ))
bound "failover" "$took" 3000
vm_wait_for 10 is_gstate d2 MASTER || vm_fail "d2 not MASTER"
vm_wait_for 10 is_sync d2 master || vm_fail "d2: no master sync daemon: $(daemons d2)"
a=$(served); sleep 4; b=$(served)
ff=$(( $(failed) - f0 ))
say "4. d1's vigild SIGKILLed (its children follow; the vrrp child releases the VIP):"
say "   d2 holds the VIP after $took ms and runs the master sync daemon; it had $synced connections"
say "   synced from d1; requests failed meanwhile: $ff, slow: $(slow_since "$t0")"
if [ "$ff" -gt 0 ]; then
  # The client has one request in flight at a time. One set up through d1
  # and continued through d2 is unknown to d2 when the kernel had not sent
  # its sync yet: the sync daemon sends a partly filled buffer when it is
  # 2 s old, so a connection younger than that may be lost at a failover.
  say "   (the request in flight while the VIP moved: set up through d1, not yet synced to d2;"
  say "    the kernel sends connection sync in batches up to 2 s old)"
fi
[ "$ff" -le 1 ] || bad+=("$ff requests failed at the failover (at most the one in flight expected)")
say "   next 4 s through d2: $(per_rs "$a" "$b")"

# --- the end of the story -----------------------------------------------------
total=$(cstat 'r["ok"] + r["failed"]'); nf=$(failed)
say "requests: $total sent, $nf failed over the whole story"
if [ "$nf" != 0 ]; then
  say "   failures (start, seconds, error): $(cstat 'r["failures"][-5:]')"
fi
[ $((nf - ff)) = 0 ] || bad+=("$((nf - ff)) requests failed outside the failover")
if [ "$ONCE" = 1 ]; then
  FAULTS_PASSED=1
  [ ${#bad[@]} = 0 ] || { for x in "${bad[@]}"; do say "FAIL: $x"; done; exit 1; }
  say "PASS"
  exit 0
fi

# --- left running ---------------------------------------------------------------
FAULTS_PASSED=1
cat > "$T/labrc" <<RC
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=xterm
export T=$T VIP=$VIP
PS1='lab:\w# '
ns() { local n=\$1; shift; ip netns exec "\$n" "\$@"; }
vigilctl() { local n=\$1; shift; ip netns exec "\$n" $VIGILCTL -s "$T/\$n.sock" "\$@"; }
cd "$T"
cat "$T/motd"
RC
cat > "$T/motd" <<'MOTD'
vigil lab: a root shell in the VM (Ctrl-] leaves it; the lab keeps running).
  namespaces  client, d1 d2 (directors), rs1..rs4 (nginx); d1's vigild was killed
  ns NS CMD            e.g. ns d2 ipvsadm -Ln, ns client curl -s http://192.0.2.10/
  vigilctl NODE ARGS   e.g. vigilctl d2 status, vigilctl d2 vrrp
  this directory       configurations (d1.conf d2.conf), logs (d1.log d2.log), client.json
MOTD
say "ready: the lab runs; ./lab.sh shell, ./lab.sh status, ./lab.sh stop"
modprobe virtio_console 2>/dev/null || true
vm_wait_for 5 test -c /dev/hvc0 || vm_fail "no /dev/hvc0 for the shell"
while :; do   # one root shell at a time on the console port; a new one when it exits
  setsid -w -c bash --rcfile "$T/labrc" -i <> /dev/hvc0 >&0 2>&1 || true
  sleep 1
done
