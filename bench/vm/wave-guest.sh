#!/usr/bin/env bash
# Guest side of `bench/health-wave.sh vm`: a machine behind every service
# fails and comes back. SERVICES virtual servers × DESTS real servers
# (127.0.1.J:8000, the same machines behind every service, one nginx
# answering them all); real server 2 (127.0.1.2) of every service has an
# HTTP check of the service's own path (/vs/N: one probe per service, as
# services on one machine have; identical checks would be one probe in
# vigild) every INTERVAL s, the others none (always up). The machine
# fails (an nftables reject: connections refused) until the kernel has
# none of its destinations left, then comes back until it has all again,
# WAVES times. Reported per contender: how long each took (the kernel's
# table polled once a second), and the CPU
# of each of the director's processes over it, less its idle CPU over as
# long (keepalived's checker both checks and programs IPVS; vigild's
# parent programs IPVS). vigild (and the build in
# VIGIL_BENCH_OLD, when set) against keepalived 2.2.7's checker, each in
# a fresh namespace of the same boot: compare ratios, not absolutes (TCG).
#
#   VIGIL_BENCH_ARGS="SERVICES DESTS" (default 2000 20)
#   VIGIL_BENCH_INTERVAL (default 20), VIGIL_BENCH_WAVES (default 3)
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
vm_require_cmd keepalived nginx python3
read -r N_VS N_RS <<< "${VIGIL_BENCH_ARGS:-2000 20}"
INTERVAL=${VIGIL_BENCH_INTERVAL:-20} WAVES=${VIGIL_BENCH_WAVES:-3}
BENCH_DIR=$(mktemp -d /tmp/bench.XXXXXX); chmod 755 "$BENCH_DIR"
. "$VIGIL_SRC/bench/vm/checks-lib.sh"
modprobe ip_vs; modprobe ip_vs_rr
ulimit -n 65536

python3 - "$N_VS" "$N_RS" "$INTERVAL" "$BENCH_DIR" <<'EOF'
import sys
n_vs, n_rs, iv, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(d + "/vigil.conf", "w") as v, open(d + "/keepalived.conf", "w") as k:
    v.write('global = { control_socket = "%s/v.sock"; };\nvirtual_servers = (\n' % d)
    k.write("global_defs {\n  router_id bench\n}\n")
    for i in range(n_vs):
        a, p = "192.0.2.%d" % (1 + i % 250), 80 + i // 250
        v.write('  { address = "%s"; port = %d; scheduler = "rr"; forwarding = "nat"; '
                'check_interval = %s; real_servers = (\n' % (a, p, iv))
        k.write("virtual_server %s %d {\n  delay_loop %s\n  lb_algo rr\n  lb_kind NAT\n"
                "  protocol TCP\n" % (a, p, iv))
        for j in range(n_rs):
            chk = j == 1
            v.write('    { address = "127.0.1.%d"; port = 8000;%s }%s\n'
                    % (1 + j, ' checks = ( { type = "http"; path = "/vs/%d"; timeout = 3.0; } );' % i
                       if chk else "", "," if j + 1 < n_rs else ""))
            k.write("  real_server 127.0.1.%d 8000 {\n    weight 1\n%s  }\n"
                    % (1 + j, "    HTTP_GET {\n      url {\n        path /vs/%d\n        status_code 200\n"
                       "      }\n      connect_timeout 3\n      retry 0\n    }\n" % i if chk else ""))
        v.write("  ) }%s\n" % ("," if i + 1 < n_vs else ""))
        k.write("}\n")
    v.write(");\n")
EOF

NSN=0
fresh() {
  NSN=$((NSN + 1)); bench_ns "wave$NSN"
  vm_on_exit ip netns del "$NS"
  bench_nginx || { cat "$BENCH_DIR/nginx-$NS/error.log"; vm_fail "nginx"; }
  vm_on_exit kill "$(cat "$BENCH_DIR/nginx-$NS/nginx.pid")"
}
# Destinations in the kernel: all, or those of the failing machine (127.0.1.2:8000).
count() { in_ns python3 -c "
import sys
n = 0
for l in open('/proc/net/ip_vs'):
    f = l.split()
    if f and f[0] == '->' and (sys.argv[1] == 'all' and f[1] != 'RemoteAddress:Port' or f[1] == '7F000102:1F40'):
        n += 1
print(n)" "$1"; }
wait_count() {  # wait_count all|rs N SECS: polls once a second; prints the seconds it took
  local t0 t; t0=$(now_s)
  for _ in $(seq 1 "$3"); do
    [ "$(count "$1")" = "$2" ] && { awk -v a="$t0" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; return 0; }
    sleep 1
  done
  return 1
}
fail_rs() { in_ns nft -f - <<'NFT'
table ip wave {
  chain out {
    type filter hook output priority 0;
    ip daddr 127.0.1.2 tcp dport 8000 reject with tcp reset
  }
}
NFT
}
heal_rs() { in_ns nft delete table ip wave; }
# run LABEL PARENT CHECKER: the waves against the running director. CPU
# per process (utime + stime) over each half wave, less that process's
# idle CPU (checks going on, nothing failing) over as long.
run() {
  local label=$1 pp=$2 cp=$3
  wait_count all $((N_VS * N_RS)) 300 > /dev/null || vm_fail "$label: table not complete"
  sleep $((INTERVAL + 5))          # every check has its verdict
  local p0 c0 p1 c1 p2 c2 ip ic w down up
  # The parent's main thread: its loop (the counters' periodic dump runs on a thread of its own).
  cpu_main() { awk '{ print $14 + $15 }' "/proc/$1/task/$1/stat"; }
  p0=$(cpu_main "$pp"); c0=$(cpu_ticks "$cp"); sleep 30
  ip=$(( $(cpu_main "$pp") - p0 )); ic=$(( $(cpu_ticks "$cp") - c0 ))   # ticks per 30 s
  for w in $(seq 1 "$WAVES"); do
    p0=$(cpu_main "$pp"); c0=$(cpu_ticks "$cp"); fail_rs
    down=$(wait_count rs 0 $((INTERVAL * 4 + 30))) || vm_fail "$label: the machine's destinations stayed"
    p1=$(cpu_main "$pp"); c1=$(cpu_ticks "$cp"); heal_rs
    up=$(wait_count rs "$N_VS" $((INTERVAL * 4 + 30))) || vm_fail "$label: the machine's destinations did not come back"
    p2=$(cpu_main "$pp"); c2=$(cpu_ticks "$cp")
    awk -v l="$label" -v w="$w" -v d="$down" -v u="$up" -v hz="$CLK_TCK" \
        -v pd="$((p1 - p0))" -v cd="$((c1 - c0))" -v pu="$((p2 - p1))" -v cu="$((c2 - c1))" \
        -v ip="$ip" -v ic="$ic" 'BEGIN {
      printf "%s wave %d: down in %4.1f s, CPU less idle: parent %5.2f s, checker %5.2f s | up in %4.1f s: parent %5.2f s, checker %5.2f s\n",
        l, w, d, (pd - ip * d / 30) / hz, (cd - ic * d / 30) / hz, u, (pu - ip * u / 30) / hz, (cu - ic * u / 30) / hz }'
  done
  awk -v l="$label" -v hz="$CLK_TCK" -v ip="$ip" -v ic="$ic" 'BEGIN {
    printf "%s idle: parent %.2f s, checker %.2f s of CPU per 10 s\n", l, ip / hz / 3, ic / hz / 3 }'
}

run_vigild() {  # LABEL BUILD
  fresh
  ip netns exec "$NS" "$2/daemon/vigild" -n -l -f "$BENCH_DIR/vigil.conf" -p "$BENCH_DIR/v$NSN.pid" \
    > "$BENCH_DIR/vigild$NSN.log" 2>&1 &
  local pid=$! cpid
  cpid=$(checker_pid "$pid")
  [ -n "$cpid" ] || vm_fail "$1: no checker"
  run "$1" "$pid" "$cpid"
  grep -c "ipvs: [0-9]* operations" "$BENCH_DIR/vigild$NSN.log" | sed "s/^/  $1: passes that changed the table: /"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run_keepalived() {
  fresh
  ip netns exec "$NS" keepalived -n -l -C -f "$BENCH_DIR/keepalived.conf" \
    -p "$BENCH_DIR/k$NSN.pid" -c "$BENCH_DIR/kc$NSN.pid" > "$BENCH_DIR/keepalived$NSN.log" 2>&1 &
  local pid=$! cpid=""
  for _ in $(seq 1 300); do
    cpid=$(cat "$BENCH_DIR/kc$NSN.pid" 2>/dev/null) && [ -n "$cpid" ] && break
    sleep 0.2
  done
  [ -n "$cpid" ] || vm_fail "keepalived: no checker"
  run keepalived "$pid" "$cpid"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

vm_log "$N_VS services x $N_RS destinations, one machine checked every $INTERVAL s in each, $WAVES waves"
run_vigild vigild "$VIGIL_BUILD"
[ -z "${VIGIL_BENCH_OLD:-}" ] || run_vigild "vigild (before)" "$VIGIL_BENCH_OLD"
run_keepalived
