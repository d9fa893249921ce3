#!/usr/bin/env bash
# The IPVS connection-sync daemon follows a VRRP instance's state (issue:
# VRRP, ipvs_sync): two directors in namespaces on one bridge inside the
# VM (real IPVS); the master runs the master sync daemon, the backup the
# backup one; when the master stops, the roles swap within the failover
# bound, and the stopped director's sync daemon is gone.
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd ipvsadm

VIGILD="$VIGIL_BUILD/daemon/vigild"
T=$(mktemp -d /tmp/vrrp-sync.XXXXXX); chmod 755 "$T"
vm_on_exit rm -rf "$T"
modprobe ip_vs

ip link add br0 type bridge; ip link set br0 up
vm_on_exit ip link del br0
i=0
for n in d1 d2; do
  i=$((i + 1))
  vm_netns_add "$n"
  ip link add "v$n" type veth peer name eth0 netns "$n"
  ip link set "v$n" master br0 up
  ip -n "$n" addr add "192.0.2.$i/24" dev eth0; ip -n "$n" link set eth0 up
  cat > "$T/$n.conf" <<CONF
global = { control_socket = "$T/$n.sock"; router_id = "$n"; };
vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = $((200 - 50 * i));
  version = 3; advert_interval = 0.1; addresses = [ "192.0.2.10/24" ];
  ipvs_sync = { interface = "eth0"; syncid = 51; }; } ); };
CONF
done
start() {
  ip netns exec "$1" "$VIGILD" -n -l -f "$T/$1.conf" -p "$T/$1.pid" > "$T/$1.log" 2>&1 &
  eval "PID_$1=$!"
  vm_on_exit sh -c "kill -9 $! 2>/dev/null || true"
}
daemons() { ip netns exec "$1" ipvsadm -L -n --daemon 2>/dev/null | tr '\n' ' '; }
is_sync() { daemons "$1" | grep -q "$2 sync daemon (mcast=eth0, syncid=51[,)]"; }
no_sync() { [ -z "$(daemons "$1" | tr -d ' ')" ]; }

start d1; start d2
vm_wait_for 10 is_sync d1 master || { cat "$T/d1.log"; vm_fail "d1: no master sync daemon: $(daemons d1)"; }
vm_wait_for 10 is_sync d2 backup || { cat "$T/d2.log"; vm_fail "d2: no backup sync daemon: $(daemons d2)"; }
is_sync d1 backup && vm_fail "d1 runs a backup sync daemon beside its master one"
vm_log "PASS: master d1 runs the master sync daemon, backup d2 the backup one"

kill -TERM "$PID_d1"
vm_wait_for 5 is_sync d2 master || { cat "$T/d2.log"; vm_fail "d2 did not start the master sync daemon: $(daemons d2)"; }
vm_wait_for 5 sh -c "! ip netns exec d2 ipvsadm -L -n --daemon | grep -q 'backup sync daemon'" \
  || vm_fail "d2 kept its backup sync daemon: $(daemons d2)"
vm_wait_for 5 no_sync d1 || vm_fail "the stopped d1 left a sync daemon: $(daemons d1)"
vm_log "PASS: on failover the sync daemon roles follow; the stopped director runs none"
