# shellcheck shell=bash
# The bed of the t_faults_*.sh tests: a NAT pair of directors under
# traffic, inside the VM (real IPVS). Source it after tests/vm/lib.sh.
#
#   client ── brx ─┬─ d1 eth0 192.0.2.1  eth1 198.51.100.2 ─┬─ bri ─┬─ rs1 198.51.100.11
#   192.0.2.100    └─ d2 eth0 192.0.2.2  eth1 198.51.100.3 ─┘       ├─ rs2 198.51.100.12
#                                                                   └─ rs3 198.51.100.13
#
#   VIP 192.0.2.10 (VRRP EXT, vrid 51) and the real servers'
#   gateway 198.51.100.1 (VRRP INT, vrid 52) in sync group G1;
#   d1 priority 150, d2 100; EXT steers the IPVS sync daemon (on eth1).
#
# Two NAT services on the VIP, round robin over the three real servers
# (tests/vm/faults_rs.py): "web" on port 80 and "echo" on port 7, each
# real server with a TCP check (interval 1 s, timeout 3 s, fall 3: TCG is
# slow, a check must not fail for that alone). The client
# (tests/vm/faults_client.py) polls the web service and holds sessions
# on the echo one.
#
#   faults_bed                  namespaces, links, real servers, configs
#   faults_rs_net NAME ADDR     one more real-server namespace on bri
#   faults_rs_serve NAME ADDR   its servers (redefine for other ones)
#   faults_dump                 at exit (unless FAULTS_PASSED=1): the logs' ends
#   faults_start NODE           vigild in NODE; its pid in PID_<NODE>, log $T/NODE.log
#   faults_ready                d1 MASTER, d2 BACKUP, both tables full, sync daemons up
#   faults_client               starts the client, waits for its sessions
#   vstatus NODE PYEXPR         `vigilctl status --json` of NODE, r -> PYEXPR
#   gstate NODE, gsince_us NODE sync group G1's state, and since when (wall clock, us)
#   cstat PYEXPR                the client's numbers, r -> PYEXPR
#   table NODE                  NODE's IPVS services and destinations (ipvsadm -Ln)
#   conns NODE                  NODE's established echo connections: client:port -> rs
#   child_pid NODE NAME         CHILD= pid of NODE's child NAME (checker|vrrp), or empty
# and tests/kill_lib.sh (nap MS).
FAULTS_SRC="${VIGIL_SRC:?}/tests/vm"
. "$VIGIL_SRC/tests/kill_lib.sh"
VIGILD="$VIGIL_BUILD/daemon/vigild"
VIGILCTL="$VIGIL_BUILD/ctl/vigilctl"
VIP=192.0.2.10
RS_ADDRS=(198.51.100.11 198.51.100.12 198.51.100.13)

# faults_vrrp PRIORITY: the pair's VRRP section — sync group G1 of EXT (the
# VIP, and the IPVS sync daemon on eth1) and INT (the real servers' gateway).
faults_vrrp() {
  local p=$1
  cat <<CONF
vrrp = {
  instances = (
    { name = "EXT"; interface = "eth0"; vrid = 51; priority = $p; version = 3;
      advert_interval = 0.5; addresses = [ "$VIP/24" ];
      ipvs_sync = { interface = "eth1"; syncid = 51; }; },
    { name = "INT"; interface = "eth1"; vrid = 52; priority = $p; version = 3;
      advert_interval = 0.5; addresses = [ "198.51.100.1/24" ]; }
  );
  sync_groups = ( { name = "G1"; instances = [ "EXT", "INT" ]; } );
};
CONF
}

faults_conf() {  # faults_conf NODE PRIORITY
  local n=$1 p=$2 vs="" rs name port a
  for port in 80 7; do
    rs=""
    for a in "${RS_ADDRS[@]}"; do
      rs+="{ address = \"$a\"; port = $port;
             checks = ( { type = \"tcp\"; interval = 1.0; timeout = 3.0; fall = 3; } ); },"
    done
    name="web"; [ $port = 7 ] && name="echo"
    vs+="{ name = \"$name\"; address = \"$VIP\"; port = $port; scheduler = \"rr\";
      forwarding = \"nat\"; real_servers = ( ${rs%,} ); },"
  done
  cat > "$T/$n.conf" <<CONF
global = { control_socket = "$T/$n.sock"; router_id = "$n"; script_user = "nobody"; ${FAULTS_GLOBAL_EXTRA:-} };
virtual_servers = ( ${vs%,} );
$(faults_vrrp "$p")
CONF
  "$VIGILD" -t -f "$T/$n.conf" >&2 || vm_fail "$n.conf refused"
}

# faults_link NS IF BRIDGE ADDR/LEN
faults_link() {
  ip link add "v$1$2" type veth peer name "$2" netns "$1"
  ip link set "v$1$2" master "$3" up
  ip -n "$1" addr add "$4" dev "$2"
  ip -n "$1" link set "$2" up
}

faults_bed() {
  modprobe ip_vs
  modprobe ip_vs_rr
  T=$(mktemp -d /tmp/faults.XXXXXX); chmod 755 "$T"
  vm_on_exit rm -rf "$T"
  vm_on_exit faults_dump
  local br
  for br in brx bri; do
    ip link add "$br" type bridge
    ip link set "$br" up
    vm_on_exit ip link del "$br"
  done
  vm_netns_add client
  faults_link client eth0 brx 192.0.2.100/24
  local i=0 n
  for n in d1 d2; do
    i=$((i + 1))
    vm_netns_add "$n"
    faults_link "$n" eth0 brx "192.0.2.$i/24"
    faults_link "$n" eth1 bri "198.51.100.$((i + 1))/24"
    ip netns exec "$n" sysctl -qw net.ipv4.ip_forward=1
    faults_conf "$n" $((200 - 50 * i))
  done
  i=0
  for a in "${RS_ADDRS[@]}"; do
    i=$((i + 1))
    faults_rs_net "rs$i" "$a"
    faults_rs_serve "rs$i" "$a"
  done
  i=0
  for a in "${RS_ADDRS[@]}"; do
    i=$((i + 1))
    vm_wait_for 30 listening "rs$i" "$a" "$FAULTS_RS_PORT" || vm_fail "rs$i not listening"
  done
}

# faults_rs_net NAME ADDR: a real server's namespace on bri, routed via the
# directors' INT address.
faults_rs_net() {
  vm_netns_add "$1"
  faults_link "$1" eth0 bri "$2/24"
  ip -n "$1" route add default via 198.51.100.1
}

# faults_rs_serve NAME ADDR: start its servers (a bed of another kind of
# real server redefines this and FAULTS_RS_PORT, the port to wait for).
FAULTS_RS_PORT=7
faults_rs_serve() {
  ip netns exec "$1" python3 "$FAULTS_SRC/faults_rs.py" "$1" "$2" > "$T/$1.log" 2>&1 &
  vm_on_exit kill $!
}

# listening NS ADDR PORT: something in NS accepts TCP on ADDR:PORT.
listening() {
  ip netns exec "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null
}

# At exit, unless the test set FAULTS_PASSED: the ends of the logs.
faults_dump() {
  [ -z "${FAULTS_PASSED:-}" ] || return 0
  local f
  for f in "$T"/d1.log "$T"/d2.log "$T"/client.log; do
    [ -s "$f" ] || continue
    echo "---- $f (last 150 lines)"
    tail -n 150 "$f"
  done
}

faults_start() {
  local n=$1
  ip netns exec "$n" "$VIGILD" -n -l -f "$T/$n.conf" -p "$T/$n.pid" >> "$T/$n.log" 2>&1 &
  printf -v "PID_$n" '%s' $!
  vm_on_exit sh -c "kill -9 $! 2>/dev/null || true"
}

vstatus() {
  ip netns exec "$1" "$VIGILCTL" -s "$T/$1.sock" status --json 2>/dev/null \
    | python3 -c "import json,sys; r=json.load(sys.stdin); print($2)" 2>/dev/null
}
gstate() {
  ip netns exec "$1" "$VIGILCTL" -s "$T/$1.sock" vrrp 2>/dev/null | awk '$1 == "G1" { print $2 }'
}
gsince_us() { vstatus "$1" 'int(r["vrrp"]["sync_groups"][0]["since"] * 1e6)'; }
is_gstate() { [ "$(gstate "$1")" = "$2" ]; }

table() {
  ip netns exec "$1" ipvsadm -Ln | awk '$1 ~ /^(TCP|->)$/ && $2 !~ /^Remote/ { print $1, $2, $3, $4 }'
}
# Six destinations (three real servers in two services), each weight 1.
table_full() { [ "$(table "$1" | awk '$1 == "->" && $4 == 1' | wc -l)" = 6 ]; }
daemons() { ip netns exec "$1" ipvsadm -L -n --daemon 2>/dev/null | tr '\n' ' '; }
is_sync() { daemons "$1" | grep -q "$2 sync daemon (mcast=eth1, syncid=51[,)]"; }

conns() {
  ip netns exec "$1" ipvsadm -Lnc | awk '$1 == "TCP" && $3 == "ESTABLISHED" && $5 == "'$VIP':7" { print $4, $6 }' | sort
}

child_pid() { local parent="PID_$1"; child_of "${!parent}" "$2"; }

faults_ready() {
  vm_wait_for 30 is_gstate d1 MASTER || { tail -n 30 "$T/d1.log"; vm_fail "d1 not MASTER"; }
  vm_wait_for 30 is_gstate d2 BACKUP || { tail -n 30 "$T/d2.log"; vm_fail "d2 not BACKUP"; }
  local n
  for n in d1 d2; do
    vm_wait_for 30 table_full "$n" || { table "$n"; tail -n 30 "$T/$n.log"; vm_fail "$n: table not full"; }
  done
  vm_wait_for 15 is_sync d1 master || vm_fail "d1: no master sync daemon: $(daemons d1)"
  vm_wait_for 15 is_sync d2 backup || vm_fail "d2: no backup sync daemon: $(daemons d2)"
}

cstat() { python3 -c "import json,sys; r=json.load(open('$T/client.json')); print($1)"; }

faults_client() {
  ip netns exec client python3 "$FAULTS_SRC/faults_client.py" --vip "$VIP" --out "$T/client.json" \
    > "$T/client.log" 2>&1 &
  CLIENT_PID=$!
  vm_on_exit sh -c "kill $CLIENT_PID 2>/dev/null || true"
  going() {
    [ -s "$T/client.json" ] && [ "$(cstat 'r["ok"] > 10 and sum(s["echoes"] > 5 for s in r["sessions"]) == 3' 2>/dev/null)" = True ]
  }
  vm_wait_for 30 going \
    || { cat "$T/client.log" "$T/client.json"; vm_fail "the client did not get going"; }
}

# faults_client_stop: ends the client, waits for its last numbers.
faults_client_stop() {
  kill -TERM "$CLIENT_PID"
  local i
  for ((i = 0; i < 200; i++)); do
    kill -0 "$CLIENT_PID" 2>/dev/null || break
    sleep 0.1
  done
}
