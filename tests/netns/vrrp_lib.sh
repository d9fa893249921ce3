# tests/netns/vrrp_lib.sh — helpers shared by the t_vrrp_*.sh tests, on top of lib.sh.
#
#   vrrp_conf NODE INSTANCES [EXTRA]   writes $T_DIR/NODE.conf: global (socket,
#                                      router_id, script_user nobody) + vrrp
#   has_addr NODE ADDR [IF]            ADDR is on IF (default eth0) in NODE
#   vstate NODE INST                   the instance's state per `vigilctl vrrp`
#   vjson NODE [INST]                  `vigilctl vrrp --json` into $T_DIR/NODE.vrrp.json
#   vigild_crash NODE                  SIGKILL to all of NODE's vigild processes
#                                      (the vrrp child first: no graceful stop)
#   masters INST NODE...               how many NODEs say INST is MASTER
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vrrp_conf() {
  local node="$1" insts="$2" extra="${3:-}"
  cat > "$T_DIR/$node.conf" <<CONF
global = { control_socket = "$T_DIR/$node.sock"; router_id = "$node"; script_user = "nobody"; };
vrrp = {
  instances = ( $insts );
  $extra
};
CONF
}

has_addr() { in_ns "$1" ip -o addr show dev "${3:-eth0}" | grep -q " ${2}/"; }
no_addr() { ! has_addr "$@"; }

vjson() {
  if [ -n "${2:-}" ]; then vctl "$1" vrrp "$2" --json > "$T_DIR/$1.vrrp.json" 2>/dev/null
  else vctl "$1" vrrp --json > "$T_DIR/$1.vrrp.json" 2>/dev/null; fi
}

vstate() {
  vjson "$1" "$2" || { echo UNKNOWN; return; }
  json_get 'r["instances"][0]["state"]' < "$T_DIR/$1.vrrp.json"
}

# vfield NODE INST PYEXPR-on-instance-as-i
vfield() {
  vjson "$1" "$2" || return 1
  json_get "(lambda i: $3)(r['instances'][0])" < "$T_DIR/$1.vrrp.json"
}

# vis NODE INST EXPR VALUE: EXPR (on instance i) prints VALUE; re-evaluated by wait_for.
vis() { test "$(vfield "$1" "$2" "$3")" = "$4"; }

is_state() { [ "$(vstate "$1" "$2")" = "$3" ]; }

masters() {
  local inst="$1" n=0; shift
  for node in "$@"; do [ "$(vstate "$node" "$inst")" = MASTER ] && n=$((n + 1)); done
  echo $n
}

# master_ms NODE INST START: ms from START (now_ms) to NODE's last
# "INST: X -> MASTER" line, by vigild's own log: a takeover's time without
# the polling's (slow under load).
master_ms() {
  local at; at=$(log_ms "$T_DIR/vigild-$1.log" "$2: [A-Z]* -> MASTER") || { echo 999999; return; }
  echo $((at - $3))
}

node_pids() {
  vctl "$1" status --json 2>/dev/null | json_get '" ".join(str(p["pid"]) for p in sorted(r["processes"], key=lambda p: p["name"] != "vrrp") if p["pid"] > 0)'
}

# vigild_crash NODE [PIDS]: PIDS from node_pids, taken beforehand for exact timing.
vigild_crash() {
  local pids="${2:-$(node_pids "$1")}"
  [ -n "$pids" ] || fail "no pids for $1"
  kill -KILL $pids
}

# keepalived as a peer (t_vrrp_keepalived*.sh): KA_CONF is its config;
# ka_start LOGNAME runs it in node k; ka_state LOGNAME STATE checks the
# last state its log entered for instance $KA_INST (default VI_1);
# ka_crash SIGKILLs it and its VRRP child.
KA=/usr/sbin/keepalived
ka_start() {
  rm -f "$T_DIR/ka.pid" "$T_DIR/ka-vrrp.pid"
  bg k "$1" $KA -n -l -D -P -f "$T_DIR/ka.conf" -p "$T_DIR/ka.pid" -r "$T_DIR/ka-vrrp.pid"
  KA_PID=$BG_PID
}
ka_state() {
  grep -E "\(${KA_INST:-VI_1}\) Entering (MASTER|BACKUP|FAULT) STATE" "$T_DIR/$1.log" | tail -1 \
    | grep -q "Entering $2"
}
ka_crash() {
  local p; p=$(cat "$T_DIR/ka-vrrp.pid" 2>/dev/null)
  [ -n "$p" ] && kill -KILL "$p"
  kill -KILL "$KA_PID"
}
# What keepalived logs when it dislikes a packet or a setting.
ka_invalid() {
  grep -iE "invalid|bogus|mismatch|wrong|not present|bad |error|ignoring" "$T_DIR"/ka-*.log \
    | grep -v "Unable to load module" || true
}
