# tests/netns/lib.sh — the harness for tests on the host kernel.
#
# A test sources this, builds its little network out of namespaces, runs
# daemons in them and asserts. Everything it creates is named with a
# per-test prefix and removed by the EXIT trap, whatever happens; every
# wait is bounded. Addresses come only from documentation prefixes.
#
#   ns_add NAME                 a namespace with lo up
#   lan_add                     a bridge (in its own namespace)
#   lan_join NAME IF ADDR/LEN   a veth from NAME to the bridge
#   in_ns NAME CMD...           run CMD inside NAME
#   bg NAME LOG CMD...          start CMD in NAME in the background, killed at exit
#   wait_for SECS CMD...        poll CMD until it succeeds, or fail
#   fail MSG / pass MSG / skip MSG
set -u

T_NAME=$(basename "$0" .sh)
T_PREFIX="vg$$"
T_DIR=$(mktemp -d "/tmp/vigil-${T_NAME}.XXXXXX")
# The checker child runs unprivileged and re-reads its configuration here.
chmod 755 "$T_DIR"
T_NAMESPACES=()
T_PIDS=()
declare -A T_VIGILD=()   # node -> pid of the last vigild started there
VIGIL_BUILD=${VIGIL_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
VIGIL_SRC=${VIGIL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VIGILD="$VIGIL_BUILD/daemon/vigild"
VIGILCTL="$VIGIL_BUILD/ctl/vigilctl"

log()  { echo "[$T_NAME $(date +%T.%N | cut -c1-12)] $*"; }
skip() { log "SKIP: $*"; exit 77; }
fail() { log "FAIL: $*"; exit 1; }
pass() { log "PASS: $*"; }

t_cleanup() {
  local rc=$?
  set +e
  for pid in "${T_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  local deadline=$((SECONDS + 5))
  for pid in "${T_PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  for ns in "${T_NAMESPACES[@]}"; do
    # Anything still running in the namespace goes with it.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  # A valgrind report (VIGIL_VALGRIND=1: its logs hold only errors) fails it.
  for f in "$T_DIR"/vg/valgrind-*.log; do
    [ -s "$f" ] || continue
    echo "---- valgrind report $f"; cat "$f"
    [ $rc -eq 0 ] && rc=1
  done
  # A sanitizer report in any daemon's log fails the test (sanitize label).
  if grep -l -E "ERROR: (Address|Leak)Sanitizer|runtime error:" "$T_DIR"/*.log 2>/dev/null; then
    echo "sanitizer report in the logs above"
    [ $rc -eq 0 ] && rc=1
  fi
  if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
    for f in "$T_DIR"/*.log; do
      [ -f "$f" ] || continue
      echo "---- $f (last 40 lines)"; tail -n 40 "$f"
    done
  fi
  rm -rf "$T_DIR"
  exit $rc
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || skip "needs root"
ip netns list >/dev/null 2>&1 || skip "no network namespace support"
[ -x "$VIGILD" ] || fail "no vigild at $VIGILD (build first)"

ns_add() {
  local ns="$T_PREFIX-$1"
  ip netns add "$ns" || fail "ip netns add $ns"
  T_NAMESPACES+=("$ns")
  ip -n "$ns" link set lo up
}
ns_name() { echo "$T_PREFIX-$1"; }
in_ns() { local ns="$T_PREFIX-$1"; shift; ip netns exec "$ns" "$@"; }

lan_add() {
  ns_add lan
  ip -n "$T_PREFIX-lan" link add br0 type bridge
  ip -n "$T_PREFIX-lan" link set br0 up
}

# lan_join NODE IFNAME ADDR/LEN [ADDR/LEN...]
lan_join() {
  local node="$1" ifname="$2"; shift 2
  local peer="p${#T_NAMESPACES[@]}x$RANDOM"
  ip link add "$ifname" netns "$T_PREFIX-$node" type veth peer name "$peer" netns "$T_PREFIX-lan" \
    || fail "veth $node/$ifname"
  ip -n "$T_PREFIX-lan" link set "$peer" master br0 up
  ip -n "$T_PREFIX-$node" link set "$ifname" up
  for a in "$@"; do
    case "$a" in
      *:*) ip -n "$T_PREFIX-$node" addr add "$a" dev "$ifname" nodad ;;
      *) ip -n "$T_PREFIX-$node" addr add "$a" dev "$ifname" ;;
    esac
  done
}

# bg NODE LOGNAME CMD... ; sets BG_PID
bg() {
  local node="$1" logname="$2"; shift 2
  ip netns exec "$T_PREFIX-$node" "$@" >"$T_DIR/$logname.log" 2>&1 &
  BG_PID=$!
  T_PIDS+=("$BG_PID")
}

# capture NODE FILE TCPDUMP-ARGS...: tcpdump in NODE writing to FILE,
# killed at exit, returning once it is listening (its "listening on" line:
# a packet sent after that is in FILE). Sets CAPTURE_PID.
capture() {
  local node="$1" file="$2"; shift 2
  ip netns exec "$T_PREFIX-$node" tcpdump "$@" > "$file" 2> "$file.err" &   # $! is tcpdump
  CAPTURE_PID=$!
  T_PIDS+=("$CAPTURE_PID")
  wait_for 5 grep -q "listening on" "$file.err" || fail "tcpdump did not start: $(cat "$file.err")"
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# log_ms FILE PATTERN: the time (epoch ms, as now_ms) of the last line of
# a vigild log matching PATTERN, from its HH:MM:SS.mmm stamp; empty when
# none. Measures a daemon's own moment, not when a poll noticed it.
log_ms() {
  local t; t=$(grep -- "$2" "$1" | tail -n 1 | cut -d' ' -f1)
  [ -n "$t" ] || return 1
  local ms; ms=$(date -d "today $t" +%s%3N) || return 1
  # a stamp from before midnight read after it
  [ "$ms" -gt "$(now_ms)" ] && ms=$((ms - 86400000))
  echo "$ms"
}

# wait_for SECS CMD...: polls CMD every 0.1 s; fails after SECS (may be
# fractional) times VIGIL_TIME_SCALE (default 1; the valgrind label sets it).
wait_for() {
  local ms end
  ms=$(awk -v s="$1" -v k="${VIGIL_TIME_SCALE:-1}" 'BEGIN { printf "%d", s * k * 1000 }'); shift
  end=$(( $(now_ms) + ms ))
  while [ "$(now_ms)" -lt $end ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  "$@" >/dev/null 2>&1
}

# vigild helpers: one daemon per node, its files under $T_DIR/NODE.*
# With VIGIL_VALGRIND=1 each vigild and its children run under valgrind's
# memcheck; an invalid access or a definite leak fails the test at exit.
# A new vigild on a node first waits (bounded) for the node's previous one
# to be gone: a test that stops one with SIGTERM and starts the next at once
# would otherwise race its exit (slow under the sanitizers) and be refused
# as "already running".
vigild_start() {
  local node="$1" conf="$2"; shift 2
  local pre=() prev="${T_VIGILD[$node]:-}"
  if [ -n "$prev" ] && kill -0 "$prev" 2>/dev/null; then
    wait_for 10 eval "! kill -0 $prev" || fail "the previous vigild on $node (pid $prev) is still running"
  fi
  if [ -n "${VIGIL_VALGRIND:-}" ]; then
    # The checker writes its report as script_user.
    mkdir -p "$T_DIR/vg" && chmod 1777 "$T_DIR/vg"
    pre=(valgrind --quiet --trace-children=yes --child-silent-after-fork=yes --vgdb=no
      --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
      --log-file="$T_DIR/vg/valgrind-$node.%p.log")
  fi
  bg "$node" "vigild-$node" "${pre[@]}" "$VIGILD" -n -l -f "$conf" -p "$T_DIR/$node.pid" "$@"
  VIGILD_PID=$BG_PID
  T_VIGILD[$node]=$BG_PID
}
vctl() { local node="$1"; shift; in_ns "$node" "$VIGILCTL" -s "$T_DIR/$node.sock" "$@"; }
# json_get FILE-or-- PYTHON-EXPR: evaluates EXPR with the reply as `r`.
json_get() { python3 -c "import json,sys; r=json.load(sys.stdin); print($1)"; }
