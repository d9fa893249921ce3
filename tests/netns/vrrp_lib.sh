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

node_pids() {
  vctl "$1" status --json 2>/dev/null | json_get '" ".join(str(p["pid"]) for p in sorted(r["processes"], key=lambda p: p["name"] != "vrrp") if p["pid"] > 0)'
}

# vigild_crash NODE [PIDS]: PIDS from node_pids, taken beforehand for exact timing.
vigild_crash() {
  local pids="${2:-$(node_pids "$1")}"
  [ -n "$pids" ] || fail "no pids for $1"
  kill -KILL $pids
}
