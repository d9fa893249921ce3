#!/usr/bin/env bash
# A reload of an unchanged file changes nothing observable: for each
# configuration below (the shipped example, a VRRP pair with every kind of
# tracker, a sync group, version 2 with a password and IPv6, and checks of
# every kind against real servers: passing, failing, rising), both
# directors are reloaded three times and, before and after, no VRRP
# transition, no priority change, no IPVS operation, no check state, time
# of change or rise/fall count reset (reload_snapshot.py), and no
# address, route or rule added or removed (ip monitor): the pair's VI_1
# also moves an excluded address, a route and a rule.
. "$(dirname "$0")/vrrp_lib.sh"
SNAP="python3 $(dirname "$0")/reload_snapshot.py"
ns_add d1; ns_add d2; ns_add rs1; lan_add
lan_join d1 eth0 192.0.2.1/24 198.51.100.1/24 2001:db8::1/64
lan_join d2 eth0 192.0.2.2/24 198.51.100.2/24 2001:db8::2/64
lan_join rs1 eth0 198.51.100.11/24 198.51.100.12/24 2001:db8::11/64
in_ns d1 ip link add trk0 type veth peer name trk1
in_ns d1 ip link set trk0 up; in_ns d1 ip link set trk1 up
chmod 755 "$T_DIR"; touch "$T_DIR/ok"; echo 5 > "$T_DIR/prio"; chmod 644 "$T_DIR/prio"
mkdir -p "$T_DIR/www"; echo OK > "$T_DIR/www/health"
bg rs1 http python3 -m http.server --bind 198.51.100.11 --directory "$T_DIR/www" 8080
wait_for 5 in_ns rs1 sh -c 'ss -Hltn "sport = :8080" | grep -q LISTEN' || fail "no web server"

snapshot() {  # snapshot NODE FILE
  vctl "$1" status --json > "$T_DIR/$1.st.json" && vctl "$1" vrrp --json > "$T_DIR/$1.vr.json" &&
    $SNAP take "$T_DIR/$1.st.json" "$T_DIR/$1.vr.json" > "$2"
}
# invariant NAME NODE...: reload each node three times; nothing may change.
# settled NODE: no real server still pending its first verdict.
settled() {
  vctl "$1" status --json > "$T_DIR/$1.st.json" &&
  [ "$(json_get "sum(1 for v in r.get('virtual_servers', []) for s in v['real_servers'] if (s.get('health') or {}).get('state') in (None, 'pending'))" < "$T_DIR/$1.st.json")" = 0 ]
}
invariant() {
  local name="$1" n; shift
  for n in "$@"; do wait_for 25 settled "$n" || fail "$name: $n's checks did not settle"; done
  # and the elections are over: two snapshots a second apart agree
  stable() {
    for n in "$@"; do snapshot "$n" "$T_DIR/$n.s1" || return 1; done
    sleep 1
    for n in "$@"; do
      snapshot "$n" "$T_DIR/$n.s2" && $SNAP same "$T_DIR/$n.s1" "$T_DIR/$n.s2" > /dev/null || return 1
    done
  }
  sleep 1
  wait_for 20 stable "$@" || fail "$name: the nodes did not settle"
  for n in "$@"; do snapshot "$n" "$T_DIR/$n.before" || fail "$name: no status from $n"; done
  for n in "$@"; do wc -l < "$T_DIR/vigild-$n.log" > "$T_DIR/$n.lines"; done
  local mons=()
  for n in "$@"; do
    ip -n "$(ns_name "$n")" monitor address route rule > "$T_DIR/$n.mon" 2>&1 & mons+=($!)
  done
  sleep 0.3
  for i in 1 2 3; do
    for n in "$@"; do vctl "$n" reload >/dev/null || fail "$name: $n refused the reload"; done
    sleep 0.7
  done
  for n in "$@"; do
    wait_for 10 grep -q "vrrp: configuration generation 4 in use\|checker: configuration generation 4 in use" \
      "$T_DIR/vigild-$n.log" || fail "$name: $n's children did not take generation 4"
  done
  sleep 1
  kill "${mons[@]}"; wait "${mons[@]}" 2>/dev/null
  for n in "$@"; do
    [ -s "$T_DIR/$n.mon" ] && fail "$name: the reloads changed $n's addresses, routes or rules: $(cat "$T_DIR/$n.mon")"
    tail -n +"$(( $(cat "$T_DIR/$n.lines") + 1 ))" "$T_DIR/vigild-$n.log" | grep -E " -> " \
      && fail "$name: $n logged a transition or a priority change during the reloads (above)"
  done
  for n in "$@"; do
    snapshot "$n" "$T_DIR/$n.after" || fail "$name: no status from $n after the reloads"
    $SNAP same "$T_DIR/$n.before" "$T_DIR/$n.after" || fail "$name: the reloads changed $n (above)"
    grep -q "vrrp: configuration generation 4 in use\|checker: configuration generation 4 in use" \
      "$T_DIR/vigild-$n.log" || fail "$name: $n's children did not take generation 4"
  done
  pass "$name: three reloads of the unchanged file changed nothing"
  for n in "$@"; do kill -TERM "$(cat "$T_DIR/$n.pid")"; done
  for n in "$@"; do wait_for 5 test ! -e "$T_DIR/$n.pid" || fail "$name: $n did not stop"; done
  for n in "$@"; do mv "$T_DIR/vigild-$n.log" "$T_DIR/$name-$n.log.old"; done
}

# 1. The shipped example, as it is (its own addresses; --dry-run).
sed -e "s#/run/vigil/vigil.sock#$T_DIR/d1.sock#" -e 's#script_user     = "vigil"#script_user = "nobody"#' \
  "$VIGIL_SRC/etc/vigil.conf" > "$T_DIR/d1.conf"
vigild_start d1 "$T_DIR/d1.conf" --dry-run
wait_for 5 test -S "$T_DIR/d1.sock" || fail "example: no control socket"
invariant example d1

# 2. A VRRP pair: every tracker kind, a sync group, v2 with a password, IPv6.
pair() {  # pair NODE PRIORITY EXTRA-TRACK
  vrrp_conf "$1" "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = $2; version = 3;
      advert_interval = 0.5; addresses = [ \"192.0.2.10/24\" ]; $3 },
    { name = \"VI_2\"; interface = \"eth0\"; vrid = 52; priority = $2; version = 2;
      authentication = { type = \"pass\"; password = \"s3cret\"; }; addresses = [ \"192.0.2.20/24\" ]; },
    { name = \"VI_6\"; interface = \"eth0\"; vrid = 56; priority = $2; version = 3;
      advert_interval = 0.5; addresses = [ \"2001:db8::10/64\" ]; }" \
    "sync_groups = ( { name = \"G\"; instances = [ \"VI_1\", \"VI_2\" ]; } );
     scripts = ( { name = \"chk_ok\"; command = \"/usr/bin/test -e $T_DIR/ok\"; interval = 0.3;
                   rise = 2; fall = 2; },
                 { name = \"chk_bad\"; command = \"/usr/bin/test -e $T_DIR/missing\"; interval = 0.3; } );"
}
MOVES='excluded_addresses = ( "2001:db8::30/64", { address = "198.51.100.30/24"; label = "eth0:x"; } );
  routes = ( { to = "203.0.113.0/24"; via = "198.51.100.254"; table = 100; } );
  rules = ( { from = "192.0.2.0/24"; table = 100; priority = 100; } );'
pair d1 150 "$MOVES"' track = { interfaces = ( { name = "trk0"; weight = -5; } );
  scripts = ( { name = "chk_ok"; weight = -60; }, { name = "chk_bad"; weight = -10; } );
  files = ( { path = "'"$T_DIR"'/prio"; weight = 1; } ); };'
pair d2 120 "$MOVES"
vigild_start d1 "$T_DIR/d1.conf" --dry-run --vrrp-only
vigild_start d2 "$T_DIR/d2.conf" --dry-run --vrrp-only
wait_for 6 is_state d1 VI_1 MASTER || fail "pair: d1 not master"
wait_for 3 is_state d2 VI_1 BACKUP || fail "pair: d2 not backup"
invariant pair d1 d2

# 3. Checks of every kind against a real server: passing, failing, a slow rise.
cat > "$T_DIR/d1.conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; router_id = "d1"; script_user = "nobody"; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80; check_interval = 0.5;
    real_servers = (
      { address = "198.51.100.11"; port = 8080; checks = (
          { type = "http"; path = "/health"; expect = "OK"; rise = 3; fall = 2; },
          { type = "tcp"; half_open = true; } ); },
      { address = "198.51.100.12"; port = 8080; checks = ( { type = "tcp"; fall = 3; } ); },
      { address = "198.51.100.11"; port = 8081; checks = (
          { type = "http"; path = "/health"; reuse_connection = true; connect_port = 8080; rise = 50; } ); },
      { address = "198.51.100.12"; port = 8081; checks = ( { type = "ping"; } ); },
      { address = "198.51.100.11"; port = 9; checks = (
          { type = "script"; command = "/usr/bin/test -e $T_DIR/ok"; } ); }
    ); }
);
CONF
vigild_start d1 "$T_DIR/d1.conf" --dry-run --checker-only
wait_for 5 test -S "$T_DIR/d1.sock" || fail "checks: no control socket"
invariant checks d1
