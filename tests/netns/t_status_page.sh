#!/usr/bin/env bash
# The status page as a person sees it, in headless Chromium: two
# directors (VRRP master at 150, backup at 100) with one virtual server
# whose second real server refuses connections. Each director's page
# renders with nothing in the browser console, loads nothing but itself,
# runs no script, and shows its VRRP state, the master it sees with its
# priority, and the down server with its reason. vigild runs as a dry run
# (no IPVS in this kernel: counters are shown as absent); the counters and
# charts against a real IPVS table are checked in vm/t_vigild_nat.
# VIGIL_STATUS_SCREENSHOT=FILE.png keeps the backup's page as a picture.
# python3-selenium is a Debian package: the system python3 runs it, not
# another one first on PATH.
. "$(dirname "$0")/vrrp_lib.sh"

command -v chromium >/dev/null && command -v chromedriver >/dev/null \
  && /usr/bin/python3 -c 'import selenium' 2>/dev/null \
  || fail "chromium, chromium-driver or python3-selenium missing (./setup.sh)"

ns_add d1; ns_add d2; ns_add rs1; ns_add rs2; lan_add
lan_join d1 eth0 192.0.2.1/24 198.51.100.1/24
lan_join d2 eth0 192.0.2.2/24 198.51.100.2/24
lan_join rs1 eth0 198.51.100.11/24
lan_join rs2 eth0 198.51.100.12/24      # up, but nothing listens on :80
mkdir -p "$T_DIR/www"; echo ok > "$T_DIR/www/health"
bg rs1 http1 python3 -m http.server 80 --bind 198.51.100.11 --directory "$T_DIR/www"

for n in d1:150 d2:100; do
  node=${n%%:*} prio=${n##*:}
  cat > "$T_DIR/$node.conf" <<CONF
global = { control_socket = "$T_DIR/$node.sock"; router_id = "$node"; script_user = "nobody";
           http = { listen = "127.0.0.1:9650"; }; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80;
    real_servers = (
      { address = "198.51.100.11"; port = 80; checks = ( { type = "http"; path = "/health"; interval = 0.5; } ); },
      { address = "198.51.100.12"; port = 80; checks = ( { type = "tcp"; interval = 0.5; timeout = 1; } ); } ); }
);
vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = $prio; version = 3;
                          advert_interval = 0.5; addresses = [ "192.0.2.10/24" ]; } ); };
CONF
  vigild_start "$node" "$T_DIR/$node.conf" --dry-run
done
is_state() { [ "$(vstate "$1" "$2")" = "$3" ]; }
wait_for 8 is_state d1 VI_1 MASTER || fail "d1 not master"
wait_for 5 is_state d2 VI_1 BACKUP || fail "d2 not backup"
rs_state() { vctl "$1" status --json | json_get "r['virtual_servers'][0]['real_servers'][$2]['health']['state']"; }
for n in d1 d2; do
  wait_for 8 eval '[ "$(rs_state '$n' 0)" = up ] && [ "$(rs_state '$n' 1)" = down ]' \
    || fail "$n: real servers not up and down"
done
pass "two directors, one real server down"

browse() {  # browse NODE [options] TEXT...
  local node=$1; shift
  mkdir -p "$T_DIR/$node.browser"
  in_ns "$node" timeout 60 /usr/bin/python3 "$VIGIL_SRC/tests/netns/status_browser.py" \
    http://127.0.0.1:9650/ "$T_DIR/$node.browser" "$@" > "$T_DIR/$node.browser.out" 2>&1
  local rc=$?
  cat "$T_DIR/$node.browser.out"
  return $rc
}
shot=()
[ -n "${VIGIL_STATUS_SCREENSHOT:-}" ] && shot=(--screenshot "$VIGIL_STATUS_SCREENSHOT")
browse d2 "${shot[@]}" "VI_1" "BACKUP" "192.0.2.1 (150)" "100 / 100" \
  "198.51.100.12:80" "down" "connect refused" "198.51.100.11:80" "up" \
  "quorum up" "configuration $T_DIR/d2.conf" \
  || fail "d2's page in Chromium"
# The backup's row says BACKUP and the down row its reason, in one line each.
grep -q 'VI_1.*BACKUP.*192\.0\.2\.1 (150)' "$T_DIR/d2.browser/page.txt" || fail "d2: VRRP row"
grep -q '198\.51\.100\.12:80.*down.*connect refused' "$T_DIR/d2.browser/page.txt" || fail "d2: down row"
pass "backup's page: BACKUP, master 192.0.2.1 (150), 198.51.100.12 down (connect refused), console clean"
browse d1 --width 400 "MASTER" "this director" "connect refused" || fail "d1's page in Chromium"
grep -q 'VI_1.*MASTER.*192\.0\.2\.1 (150, this director)' "$T_DIR/d1.browser/page.txt" || fail "d1: VRRP row"
pass "master's page on a phone-sized window: MASTER, this director, console clean"
