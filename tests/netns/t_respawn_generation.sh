#!/usr/bin/env bash
# A respawned child runs the generation the parent validated, never what
# is on disk. The file is edited without a reload (priority 150 -> 60, a
# real server removed), then made unreadable to script_user and broken;
# each child is SIGKILLed and comes back running generation 1: the
# priority stays 150, the checker starts (it no longer reads the file as
# script_user) and still checks both real servers. A reload then takes
# the fixed file as generation 2.
. "$(dirname "$0")/vrrp_lib.sh"
ns_add d1; lan_add
lan_join d1 eth0 192.0.2.1/24
in_ns d1 ip addr add 198.51.100.11/32 dev lo
in_ns d1 ip addr add 198.51.100.12/32 dev lo
conf="$T_DIR/d1.conf"
write_conf() {  # write_conf PRIORITY REAL-SERVERS
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; router_id = "d1"; script_user = "nobody"; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80; protocol = "tcp";
    real_servers = ( $2 ); }
);
vrrp = { instances = ( { name = "VI_1"; interface = "eth0"; vrid = 51; priority = $1;
                         advert_interval = 0.5; addresses = [ "192.0.2.10/24" ]; } ); };
CONF
}
two='{ address = "198.51.100.11"; port = 80; checks = ( { type = "tcp"; interval = 0.5; } ); },
     { address = "198.51.100.12"; port = 80; checks = ( { type = "tcp"; interval = 0.5; } ); }'
one='{ address = "198.51.100.11"; port = 80; checks = ( { type = "tcp"; interval = 0.5; } ); }'
write_conf 150 "$two"
chmod 644 "$conf"
vigild_start d1 "$conf" --dry-run
wait_for 5 is_state d1 VI_1 MASTER || fail "d1 not master"
eff() { test "$(vfield d1 VI_1 'i["priority"]["effective"]')" = "$1"; }
wait_for 2 eff 150 || fail "priority not 150"

pid_of() { vctl d1 status --json 2>/dev/null | json_get "[p['pid'] for p in r['processes'] if p['name']=='$1'][0]"; }
running() {
  vctl d1 status --json > "$T_DIR/st.json" 2>/dev/null &&
  [ "$(json_get "[p for p in r['processes'] if p['name']=='$1'][0]['state']" < "$T_DIR/st.json")" = running ] &&
  [ "$(json_get "[p for p in r['processes'] if p['name']=='$1'][0]['pid']" < "$T_DIR/st.json")" != "$2" ]
}
checked() {  # the checker now running says it probes both real servers
  local pid; pid=$(pid_of checker)
  grep -q "vigild-checker\[$pid\] info: checker ready: 1 virtual servers, 2 probes" "$T_DIR/vigild-d1.log"
}
respawn() {  # respawn CHILD: SIGKILL it, wait for a new pid running
  local old; old=$(pid_of "$1")
  [ -n "$old" ] && [ "$old" != 0 ] || fail "no pid for $1"
  kill -KILL "$old"
  wait_for 5 running "$1" "$old" || fail "$1 did not come back after SIGKILL"
}

# 1. Edited on disk, no reload.
write_conf 60 "$one"
respawn vrrp
wait_for 6 is_state d1 VI_1 MASTER || fail "the respawned vrrp child is not master"
eff 150 || fail "the respawned vrrp child took the edited file: priority $(vfield d1 VI_1 'i["priority"]["effective"]')"
respawn checker
wait_for 4 checked || fail "the respawned checker does not check both real servers of generation 1"
pass "edited file, no reload: respawned children run generation 1"

# 2. Unreadable to script_user, and broken.
echo "this is not a configuration" >> "$conf"
chmod 600 "$conf"
respawn checker
respawn vrrp
wait_for 6 is_state d1 VI_1 MASTER || fail "after a broken file the vrrp child is not master"
eff 150 || fail "after a broken file the vrrp child lost its priority"
wait_for 4 checked || fail "after a broken file the checker does not check"
grep -n "cannot\|error" "$T_DIR/vigild-d1.log" | grep -iv "check.*failed\|connect" | grep -i "conf" \
  && fail "a child complained about the file (above)"
grep -n "not readable" "$T_DIR/vigild-d1.log" && fail "a child warned about the file's mode (above)"
pass "unreadable and broken file, no reload: children respawn with generation 1"

# 3. A reload of the fixed file is generation 2, everywhere.
write_conf 60 "$one"
vctl d1 reload >/dev/null || fail "reload refused"
wait_for 3 eff 60 || fail "generation 2 did not reach the vrrp child"
grep -q "vrrp: configuration generation 2 in use" "$T_DIR/vigild-d1.log" || fail "vrrp did not confirm generation 2"
grep -q "checker: configuration generation 2 in use" "$T_DIR/vigild-d1.log" || fail "checker did not confirm generation 2"
pass "a reload takes the fixed file as generation 2"
