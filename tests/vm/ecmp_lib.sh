# shellcheck shell=bash
# The scale-out test bed (tests/vm/t_ecmp.sh, bench/ecmp.sh), inside the VM:
#
#   client 203.0.113.2 ── rt (FRR bgpd+zebra, AS 65000, ECMP, L4 flow hash)
#                          │ 198.51.100.1
#   ───────────────────── br0 (in the VM's own namespace) ──────────────────
#     d1 .11  d2 .12  d3 .13          r1 .21  r2 .22  r3 .23
#     vigild + FRR (AS 6500N)         http :80, echo :9000 (conn-hold),
#     VIP 192.0.2.100 local, IPVS mh  VIP on lo (DR), default via the router
#
# Each director runs its own vigild (announce = 192.0.2.100, services :80
# and :9000) and its own FRR (zebra + bgpd + bfdd, one eBGP session to the
# router with BFD); FRR redistributes the kernel route vigild puts on
# vigil0 (route-map: match interface vigil0). With ECMP_SYNC=1 (default)
# every director runs both IPVS sync daemons (announce.ipvs_sync on eth0,
# syncid 14). ECMP_BFD_MS (default 300) is BFD's interval; 0: no BFD, the
# router then notices a dead link by the BGP hold time (3 s).
# Source lib.sh first. Functions fail the test (vm_fail).

ECMP_VIP=192.0.2.100
ECMP_T=${ECMP_T:-/tmp/ecmp}
VIGILD="$VIGIL_BUILD/daemon/vigild"
VIGILCTL="$VIGIL_BUILD/ctl/vigilctl"
ECMP_SYNC=${ECMP_SYNC:-1}
ECMP_BFD_MS=${ECMP_BFD_MS:-300}

ecmp_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }

# ecmp_frr NS ASN ROUTER_ID NEIGHBOR NEIGHBOR_ASN... : zebra + bgpd (+
# bfdd) in NS. Timers: keepalive 1 s, hold 3 s; no advertisement delay;
# BFD every ECMP_BFD_MS ms, down after 3 missed (a pulled link is seen in
# 3 intervals instead of the hold time).
ecmp_frr() {
  local ns=$1 asn=$2 id=$3 dir=/run/frr/$1; shift 3
  mkdir -p "$dir"; chown frr:frr /run/frr "$dir"
  {
    echo "frr defaults datacenter"
    echo "hostname $ns"
    echo "log file $dir/frr.log informational"
    if [ "$ECMP_BFD_MS" != 0 ]; then
      echo "bfd"
      echo " profile fast"
      echo "  detect-multiplier 3"
      echo "  receive-interval $ECMP_BFD_MS"
      echo "  transmit-interval $ECMP_BFD_MS"
    fi
    echo "router bgp $asn"
    echo " bgp router-id $id"
    echo " no bgp ebgp-requires-policy"
    echo " bgp bestpath as-path multipath-relax"
    while [ $# -ge 2 ]; do
      echo " neighbor $1 remote-as $2"
      echo " neighbor $1 timers 1 3"
      echo " neighbor $1 timers connect 1"
      echo " neighbor $1 advertisement-interval 0"
      [ "$ECMP_BFD_MS" = 0 ] || echo " neighbor $1 bfd profile fast"
      shift 2
    done
    echo " address-family ipv4 unicast"
    echo "  maximum-paths 16"
    [ "$asn" = 65000 ] || echo "  redistribute kernel route-map VIGIL"
    echo " exit-address-family"
    echo "route-map VIGIL permit 10"
    echo " match interface vigil0"
  } > "$dir/frr.conf"
  chown frr:frr "$dir/frr.conf"
  ip netns exec "$ns" /usr/lib/frr/zebra -d -N "$ns" -f "$dir/frr.conf" -i "$dir/zebra.pid" \
    -u frr -g frr 2>>"$ECMP_T/frr-$ns.err" || vm_fail "zebra did not start in $ns"
  ip netns exec "$ns" /usr/lib/frr/bgpd -d -N "$ns" -f "$dir/frr.conf" -i "$dir/bgpd.pid" \
    -u frr -g frr 2>>"$ECMP_T/frr-$ns.err" || vm_fail "bgpd did not start in $ns"
  if [ "$ECMP_BFD_MS" != 0 ]; then
    ip netns exec "$ns" /usr/lib/frr/bfdd -d -N "$ns" -f "$dir/frr.conf" -i "$dir/bfdd.pid" \
      -u frr -g frr 2>>"$ECMP_T/frr-$ns.err" || vm_fail "bfdd did not start in $ns"
  fi
  vm_on_exit sh -c "kill \$(cat $dir/bgpd.pid $dir/zebra.pid $dir/bfdd.pid 2>/dev/null) 2>/dev/null || true"
}

# ecmp_veth NS ADDR: NS on br0 with ADDR/24.
ecmp_veth() {
  ip link add "v$1" type veth peer name eth0 netns "$1"
  ip link set "v$1" master br0 up
  ip -n "$1" addr add "$2/24" dev eth0
  ip -n "$1" link set eth0 up
}

ecmp_topology() {
  mkdir -p "$ECMP_T"; chmod 755 "$ECMP_T"
  modprobe tun; modprobe ip_vs; modprobe ip_vs_mh
  ip link add br0 type bridge; ip link set br0 up
  vm_on_exit ip link del br0
  vm_netns_add rt; ecmp_veth rt 198.51.100.1
  ip netns exec rt sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
  vm_netns_add client
  ip link add crt netns rt type veth peer name eth0 netns client
  ip -n rt addr add 203.0.113.1/24 dev crt; ip -n rt link set crt up
  ip -n client addr add 203.0.113.2/24 dev eth0; ip -n client link set eth0 up
  ip -n client route add default via 203.0.113.1
  local i
  for i in 1 2 3; do
    vm_netns_add "r$i"; ecmp_veth "r$i" "198.51.100.2$i"
    ip -n "r$i" addr add "$ECMP_VIP/32" dev lo
    ip netns exec "r$i" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
    ip -n "r$i" route add default via 198.51.100.1
    mkdir -p "$ECMP_T/www$i"; echo "r$i" > "$ECMP_T/www$i/index.html"
    ip netns exec "r$i" python3 -m http.server 80 --directory "$ECMP_T/www$i" \
      > "$ECMP_T/http-r$i.log" 2>&1 &
    vm_on_exit sh -c "kill $! 2>/dev/null || true"
    ip netns exec "r$i" "$VIGIL_BUILD/tests/tools/conn-hold" server 0.0.0.0 9000 \
      > "$ECMP_T/echo-r$i.log" 2>&1 &
    vm_on_exit sh -c "kill $! 2>/dev/null || true"
    vm_netns_add "d$i"; ecmp_veth "d$i" "198.51.100.1$i"
    # The VIP is local by a local route, not an address: zebra would
    # prefer the connected route of an address to vigild's kernel route
    # and redistribute neither (docs/scale-out.md).
    ip -n "d$i" route add local "$ECMP_VIP/32" dev lo table local
    ip netns exec "d$i" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
  done
  ecmp_frr rt 65000 198.51.100.1 198.51.100.11 65001 198.51.100.12 65002 198.51.100.13 65003
  for i in 1 2 3; do ecmp_frr "d$i" "6500$i" "198.51.100.1$i" 198.51.100.1 65000; done
}

# ecmp_role I SYNC: the director's role. ECMP_MODE=ecmp (default): it
# announces the VIP (SYNC: its ipvs_sync). ECMP_MODE=vrrp, the
# active-backup pair to compare with: a VRRP instance holds the VIP on
# eth0 (d1 priority 150, d2 100; adverts every 0.5 s) and steers the sync
# daemon; the router reaches the VIP on its LAN (ecmp_vrrp_router).
ecmp_role() {
  if [ "${ECMP_MODE:-ecmp}" = ecmp ]; then
    echo "announce = { addresses = ( { address = \"$ECMP_VIP\"; } ); $2 };"
    return
  fi
  local sync=
  [ "$ECMP_SYNC" = 0 ] || sync='ipvs_sync = { interface = "eth0"; syncid = 14; };'
  cat <<VRRP
vrrp = { instances = ( { name = "VI"; interface = "eth0"; vrid = 60; version = 3;
  priority = $(( $1 == 1 ? 150 : 100 )); advert_interval = 0.5;
  addresses = [ "$ECMP_VIP/32" ]; $sync } ); };
VRRP
}

# ecmp_vrrp_router: for ECMP_MODE=vrrp, the VIP is on the router's LAN (the
# VRRP master answers ARP for it) and not local on the directors by a
# route (the master has it as an address).
ecmp_vrrp_router() {
  local i
  ip -n rt route add "$ECMP_VIP/32" dev eth0
  for i in 1 2 3; do ip -n "d$i" route del local "$ECMP_VIP/32" dev lo table local; done
}

# ecmp_vip_mac: the MAC address the router sends the VIP's packets to.
ecmp_vip_mac() { ip -n rt neigh show "$ECMP_VIP" | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'; }
ecmp_mac() { ip -n "d$1" link show eth0 | awk '/ether/ { print $2 }'; }

# ecmp_vigild I: writes d$I's config and starts its vigild (same real
# server order on every director: mh then maps a flow to the same server).
ecmp_vigild() {
  local i=$1 dir="$ECMP_T/d$1" sync=
  mkdir -p "$dir"; chmod 755 "$dir"
  [ "$ECMP_SYNC" = 0 ] || sync='ipvs_sync = { interface = "eth0"; syncid = 14; };'
  cat > "$dir/vigil.conf" <<CONF
global = { router_id = "d$i"; control_socket = "$dir/vigil.sock"; };
virtual_servers = (
  { name = "web"; address = "$ECMP_VIP"; port = 80; scheduler = "mh"; mh_port = true; forwarding = "dr";
    check_interval = 0.5; quorum = 2;
    real_servers = (
      { address = "198.51.100.21"; port = 80; checks = ( { type = "tcp"; timeout = 0.5; } ); },
      { address = "198.51.100.22"; port = 80; checks = ( { type = "tcp"; timeout = 0.5; } ); },
      { address = "198.51.100.23"; port = 80; checks = ( { type = "tcp"; timeout = 0.5; } ); } ); },
  { name = "echo"; address = "$ECMP_VIP"; port = 9000; scheduler = "mh"; mh_port = true; forwarding = "dr";
    check_interval = 0.5;
    real_servers = (
      { address = "198.51.100.21"; port = 9000; checks = ( { type = "tcp"; timeout = 0.5; } ); },
      { address = "198.51.100.22"; port = 9000; checks = ( { type = "tcp"; timeout = 0.5; } ); },
      { address = "198.51.100.23"; port = 9000; checks = ( { type = "tcp"; timeout = 0.5; } ); } ); }
);
$(ecmp_role "$i" "$sync")
CONF
  ip netns exec "d$i" "$VIGILD" -n -l -f "$dir/vigil.conf" -p "$dir/vigild.pid" \
    >> "$dir/vigild.log" 2>&1 &
  eval "VPID$i=$!"
  vm_on_exit sh -c "kill $! 2>/dev/null || true"
}

# ecmp_paths: the number of next hops the router has for the VIP.
ecmp_paths() {
  local r; r=$(ip -n rt route show "$ECMP_VIP/32" proto bgp)
  case $r in
    "") echo 0 ;;
    *nexthop*) grep -c nexthop <<<"$r" ;;
    *) echo 1 ;;
  esac
}
ecmp_paths_are() { [ "$(ecmp_paths)" = "$1" ]; }

# ecmp_wait_paths N SECONDS: polls every 10 ms until the router has N
# paths; prints the ms it took. Bounded by the clock, not a count (under
# TCG one poll takes tens of ms).
ecmp_wait_paths() {
  local n=$1 t0 end; t0=$(ecmp_ms); end=$(( t0 + $2 * 1000 ))
  while [ "$(ecmp_ms)" -lt "$end" ]; do
    ecmp_paths_are "$n" && { echo $(( $(ecmp_ms) - t0 )); return 0; }
    sleep 0.01
  done
  return 1
}

# ecmp_status I: d$I's announce state as "announced reason".
ecmp_status() {
  "$VIGILCTL" -s "$ECMP_T/d$1/vigil.sock" status --json | python3 -c \
    "import json,sys; a=json.load(sys.stdin)['announce']['addresses'][0]; print(a['announced'], a['reason'])"
}

# ecmp_client SECONDS OUT: short requests (a new connection each, 2 s
# timeout: emulation on a loaded host is slow)
# from the client for SECONDS (or until SIGINT), in the background;
# "ok=N fail=M by=r1:a,r2:b,r3:c" in OUT at the end, and for failures
# " errors=" each one's kind and when (s after the start).
ecmp_client() {
  ip netns exec client python3 - "$1" "$ECMP_VIP" > "$2" 2>&1 <<'PY' &
import sys, time, socket, signal, collections
end = time.monotonic() + float(sys.argv[1]); vip = sys.argv[2]
stop = []
signal.signal(signal.SIGINT, lambda *a: stop.append(1))
ok = fail = 0; by = collections.Counter(); errs = []; t0 = time.monotonic()
while time.monotonic() < end and not stop:
    try:
        s = socket.create_connection((vip, 80), timeout=2)
        s.settimeout(2)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            b = s.recv(4096)
            if not b: break
            data += b
        s.close()
        by[data.split(b"\r\n\r\n", 1)[1].strip().decode()] += 1; ok += 1
    except Exception as e:
        fail += 1
        errs.append("%s@%.2f" % (type(e).__name__, time.monotonic() - t0))
print("ok=%d fail=%d by=%s%s" % (ok, fail, ",".join("%s:%d" % kv for kv in sorted(by.items())),
                                 " errors=" + ",".join(errs[:10]) if errs else ""))
PY
  ECMP_CLIENT_PID=$!
}

# ecmp_hold N DIR: N long-lived connections from the client to VIP:9000
# (tests/vm/ecmp_hold.py), in the background; waits until they are open.
# ECMP_HOLD_PID is the holder; kill -USR1 it for a probe round.
ecmp_hold() {
  mkdir -p "$2"; rm -f "$2"/ready "$2"/probe.*
  ip netns exec client python3 "$VIGIL_SRC/tests/vm/ecmp_hold.py" "$ECMP_VIP" 9000 "$1" "$2" \
    > "$2/hold.log" 2>&1 &
  ECMP_HOLD_PID=$!
  vm_on_exit sh -c "kill $ECMP_HOLD_PID 2>/dev/null || true"
  vm_wait_for 90 test -e "$2/ready" || vm_fail "the holder did not open its connections"
}

# ecmp_probe DIR K: probe round K of the holder; waits for its result.
ecmp_probe() {
  kill -USR1 "$ECMP_HOLD_PID"
  vm_wait_for 30 test -e "$1/probe.$2" || vm_fail "probe round $2 gave no result"
}

# ecmp_local_ports I PORT: the client ports of the established connections
# to PORT that director I scheduled itself (origin LOCAL, not learned by
# sync), one a line, from /proc/net/ip_vs_conn_sync.
ecmp_local_ports() {
  ip netns exec "d$1" cat /proc/net/ip_vs_conn_sync | awk -v vp="$(printf %04X "$2")" \
    '$1 == "TCP" && $5 == vp && $8 == "ESTABLISHED" && $9 == "LOCAL" { print $3 }' |
    while read -r h; do echo $(( 16#$h )); done
}

# ecmp_survival DIR K PORTS_FILE: "dead=OK/N others=OK/M" for probe round
# K: the connections whose client port is in PORTS_FILE (the dead
# director's) and the others.
ecmp_survival() {
  awk 'NR == FNR { dead[$1] = 1; next }
       { if ($1 in dead) { n++; if ($2 == "ok") ok++ } else { m++; if ($2 == "ok") mok++ } }
       END { printf "dead=%d/%d others=%d/%d\n", ok, n, mok, m }' "$3" "$1/probe.$2"
}
