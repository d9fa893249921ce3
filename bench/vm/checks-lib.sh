# bench/vm/checks-lib.sh — shared by bench/checks.sh (host) and
# bench/vm/checks-guest.sh (VM): a namespace with lo up and an nginx
# answering every 127.0.0.0/8 address on port 8000, and the measurement
# of one checker program: CPU seconds (utime + stime of /proc/PID/stat)
# over a window after a warm-up, its RSS, and probes per second.
# Needs: BENCH_DIR (scratch), NS (namespace name).
CLK_TCK=$(getconf CLK_TCK)
in_ns() { ip netns exec "$NS" "$@"; }

bench_ns() {  # bench_ns NAME: a fresh namespace (IPVS state is per namespace)
  NS=$1
  ip netns add "$NS"
  ip -n "$NS" link set lo up
  # Every probe, connect or half-open, draws one SYN-ACK from the real
  # servers' port: that is what is counted (nginx only sees connections).
  in_ns nft -f - <<'NFT'
table inet bench {
  counter synack { }
  chain out {
    type filter hook output priority 0;
    tcp sport 8000 tcp flags & (syn | ack) == syn | ack counter name synack
  }
}
NFT
}

bench_nginx() {  # serves 200 "ok" on 0.0.0.0:8000 in $NS
  local d="$BENCH_DIR/nginx-$NS"
  mkdir -p "$d"
  cat > "$d/nginx.conf" <<CONF
worker_processes 2;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 16384; }
worker_rlimit_nofile 40000;
http {
  access_log off;
  client_body_temp_path $d; proxy_temp_path $d; fastcgi_temp_path $d;
  uwsgi_temp_path $d; scgi_temp_path $d;
  # Keep-alive for the checks that ask for it (reuse_connection); the
  # others send "Connection: close" (vigild) or speak HTTP/1.0 (keepalived).
  server { listen 8000 backlog=8192 reuseport; keepalive_timeout 300s; keepalive_requests 1000000;
           location / { return 200 "ok\n"; } }
  server { listen 127.0.0.1:8001; location / { stub_status; } }
}
CONF
  in_ns nginx -c "$d/nginx.conf" -e "$d/error.log" || return 1
}
bench_nginx_stop() { kill "$(cat "$BENCH_DIR/nginx-$NS/nginx.pid")" 2>/dev/null || true; }

# checker_pid VIGILD_PID: the pid of its child started with "--child
# checker", waiting up to 60 s (found in /proc rather than through status,
# whose reply for thousands of servers would itself show in the parent's
# CPU); empty when none came.
checker_pid() {
  local c
  for _ in $(seq 1 300); do
    for c in $(ps -o pid= --ppid "$1"); do
      tr '\0' ' ' < "/proc/$c/cmdline" 2>/dev/null | grep -q -- "--child checker" && { echo "$c"; return; }
    done
    sleep 0.2
  done
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
now_s() { date +%s.%N; }
# Probes that reached the real servers so far: SYN-ACKs sent (one per TCP
# probe, connect or half-open), or with PROBES=requests the HTTP requests
# nginx served (a reused connection carries many) less those of this count.
probes() {
  if [ "${PROBES:-synack}" = requests ]; then
    in_ns curl -s http://127.0.0.1:8001/ | awk 'NR == 3 { print $3 }'
  else
    in_ns nft list counter inet bench synack | awk '$1 == "packets" { print $2 }'
  fi
}

# measure LABEL N WARMUP SECS PID [PID2]: prints one result line: cpu s
# per 10,000 probes (probes counted by probes() over the window),
# share of one core, RSS of PID (and PID2's cpu), probes/s against N.
measure() {
  local label=$1 n=$2 warm=$3 secs=$4 pid=$5 pid2=${6:-}
  sleep "$warm"
  ${MEASURE_START_HOOK:-true}   # e.g. a state dump that opens vigild's lateness window
  local c1 c1b=0 t1 c2 c2b=0 t2
  local a1 a2
  a1=$(probes); c1=$(cpu_ticks "$pid"); [ -n "$pid2" ] && c1b=$(cpu_ticks "$pid2"); t1=$(now_s)
  sleep "$secs"
  # probes() takes a process start: read it first at both ends, so
  # its delay shifts the probe window rather than lengthening it.
  a2=$(probes); c2=$(cpu_ticks "$pid"); [ -n "$pid2" ] && c2b=$(cpu_ticks "$pid2"); t2=$(now_s)
  awk -v l="$label" -v n="$n" -v c="$((c2 - c1))" -v cb="$((c2b - c1b))" -v hz="$CLK_TCK" \
      -v t1="$t1" -v t2="$t2" -v acc="$((a2 - a1))" -v rss="$(rss_kb "$pid")" -v two="${pid2:+1}" 'BEGIN {
    wall = t2 - t1; cpu = c / hz; probes = acc
    printf "%-22s %6d checks %6.0f probes/s  %5.1f s  checker cpu %6.2f s = %5.1f%% core  %6.3f s/10k probes  rss %6d KiB",
      l, n, probes / wall, wall, cpu, 100 * cpu / wall, cpu / probes * 10000, rss
    if (two) printf "  (+parent %.2f s = %.3f s/10k)", cb / hz, cb / hz / probes * 10000
    printf "\n" }'
}
