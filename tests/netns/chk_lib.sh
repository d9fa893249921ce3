# tests/netns/chk_lib.sh — what the t_chk_*.sh tests share on top of lib.sh:
# a director namespace d1 (198.51.100.1, 2001:db8::1) and a real-server
# namespace rs1 (198.51.100.11, 2001:db8::11) on one LAN; vigild runs in
# d1 with --checker-only --dry-run (no IPVS, no VRRP needed), and
# chk_expect waits for states and reasons through `vigilctl status --json`.
CHK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

chk_net() {
  ns_add d1
  ns_add rs1
  lan_add
  lan_join d1 eth0 198.51.100.1/24 2001:db8::1/64
  lan_join rs1 eth0 198.51.100.11/24 198.51.100.12/24 2001:db8::11/64
}

chk_vigild() {  # chk_vigild CONF
  vigild_start d1 "$1" --checker-only --dry-run
  CHK_T0=$(now_ms)
}

# chk_expect [VS RS STATE REASON BOUND]... (bounds in s after CHK_T0)
chk_expect() {
  python3 "$CHK_DIR/chk_expect.py" "$CHK_T0" ip netns exec "$(ns_name d1)" \
    "$VIGILCTL" -s "$T_DIR/d1.sock" status --json -- "$@"
}

# wait until a TCP port listens in a namespace
port_up() { in_ns "$1" ss -Hltn "sport = :$2" | grep -q LISTEN; }
uport_up() { in_ns "$1" ss -Hlun "sport = :$2" | grep -q UNCONN; }

# chk_vs NAME RS_ADDR RS_PORT CHECK [VS_ADDR]: one virtual server (port from
# the name's checksum, so unique per name) with one real server and check.
chk_vs() {
  echo "{ name = \"$1\"; address = \"${5:-192.0.2.10}\"; port = $(( $(echo "$1" | cksum | cut -d' ' -f1) % 60000 + 1024 )); check_interval = 0.5;
    real_servers = ( { address = \"$2\"; port = $3; checks = ( $4 ); } ); }"
}
