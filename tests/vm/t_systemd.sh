#!/usr/bin/env bash
# vm: systemd
# vigild under a real systemd (PID 1 in the VM), with the shipped unit
# pointed at this build: `systemctl start` returns once both children run
# and the IPVS table is programmed; `systemctl reload` returns once both
# children run the new generation; a broken file is refused, the unit
# stays active and its status says why; a parent whose loop stops
# (SIGSTOP) is killed by the watchdog and restarted; `systemctl stop`
# leaves no process, table entry or address behind.
# The snmp child runs under the unit as shipped, with the guest's snmpd
# as its AgentX master on Debian's socket (/var/agentx/master): VIGIL-MIB
# and VRRPv3-MIB answer through snmpd. The journal holds the event lines
# with their fields (journalctl VIGIL_INSTANCE=VI_1) at the configured
# log_facility.
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
[ "$(cat /proc/1/comm)" = systemd ] || vm_skip "PID 1 is not systemd"
vm_require_cmd systemctl ipvsadm journalctl snmpd snmpwalk

ip link add vg0 type dummy && ip addr add 192.0.2.1/24 dev vg0 && ip link set vg0 up \
  || vm_fail "dummy interface"
ip link add rs0 type dummy && ip addr add 198.51.100.11/24 dev rs0 && ip link set rs0 up \
  || vm_fail "real server interface"
python3 -m http.server --bind 198.51.100.11 80 >/dev/null 2>&1 &
www=$!
vm_on_exit kill "$www"
mkdir -p /etc/vigil
conf=/etc/vigil/vigil.conf
write_conf() {  # write_conf WEIGHT
  cat > "$conf" <<CONF
global = { router_id = "vm"; script_user = "nobody"; log_facility = "local3";
           snmp = { agentx = "/var/agentx/master"; traps = true; }; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80; start_up = true;
    real_servers = ( { address = "198.51.100.11"; port = 80; weight = $1;
      checks = ( { type = "tcp"; half_open = true; interval = 1.0; },
                 { type = "http"; interval = 1.0; } ); } ); }
);
vrrp = { instances = ( { name = "VI_1"; interface = "vg0"; vrid = 51; priority = 150;
                         advert_interval = 0.5; addresses = [ "192.0.2.10/24" ];
                         notify = { master = "/bin/true"; }; } ); };
CONF
}
write_conf 3
# snmpd as Debian sets it up (AgentX master on /var/agentx/master), the
# socket open to script_user's group as vigild(8) says.
mkdir -p /var/agentx /run/snmpd-test
cat > /run/snmpd-test/snmpd.conf <<SNMPD
agentAddress udp:127.0.0.1:161
master agentx
agentXSocket /var/agentx/master
agentXPerms 0770 0755 root nogroup
rocommunity public 127.0.0.1
SNMPD
SNMP_PERSISTENT_DIR=/run/snmpd-test snmpd -Lf /run/snmpd-test/log -C -c /run/snmpd-test/snmpd.conf \
  -p /run/snmpd-test/pid || vm_fail "snmpd did not start"
vm_on_exit sh -c 'kill "$(cat /run/snmpd-test/pid)"'
# This build's vigild where the unit expects it (the guest's root is a
# throw-away overlay): the unit's PrivateTmp hides /tmp and /var/tmp, where
# a build tree may live.
install -m 0755 "$VIGIL_BUILD/daemon/vigild" /usr/local/sbin/vigild.test || vm_fail "install vigild"
rm -f /etc/systemd/system/vigild.service
sed "s#ExecStart\(Pre\)*=[^ ]*/vigild #ExecStart\1=/usr/local/sbin/vigild.test #" "$VIGIL_BUILD/vigild.service" \
  > /etc/systemd/system/vigild.service
[ "$(grep -c "=/usr/local/sbin/vigild.test " /etc/systemd/system/vigild.service)" = 2 ] || vm_fail "unit not rewritten"
systemctl daemon-reload
VIGILCTL="$VIGIL_BUILD/ctl/vigilctl"
children_running() {
  "$VIGILCTL" status --json | python3 -c 'import json,sys
r = json.load(sys.stdin)
sys.exit(0 if sum(1 for p in r["processes"] if p["name"] in ("checker", "vrrp") and p["state"] == "running") == 2 else 1)'
}
stop_and_show() { systemctl stop vigild 2>/dev/null; journalctl -u vigild --no-pager | tail -40 >&2; }
vm_on_exit stop_and_show

# start: returns after READY=1, i.e. with both children running.
t0=$(date +%s%N)
timeout 120 systemctl start vigild || vm_fail "systemctl start failed"
vm_log "systemctl start returned after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
children_running || vm_fail "systemctl start returned before both children ran"
ipvsadm -Ln -t 192.0.2.10:80 | grep -q "198.51.100.11:80 .* 3 " || vm_fail "IPVS table not programmed at READY"
systemctl show -p StatusText vigild | grep -q "running; configuration generation 1; checker running, vrrp running" \
  || vm_fail "status text: $(systemctl show -p StatusText vigild)"
healthy() { "$VIGILCTL" status --json | python3 -c 'import json,sys
r = json.load(sys.stdin)
sys.exit(0 if all(s["health"]["state"] == "up" for v in r["virtual_servers"] for s in v["real_servers"]) else 1)'; }
vm_wait_for 20 healthy || vm_fail "the checks (half-open and http) did not pass under the unit's hardening"
vm_wait_for 10 sh -c 'journalctl -u vigild --no-pager | grep -q "notify MASTER VI_1: done"' \
  || vm_fail "the notify script did not run under the unit's hardening"
vm_log "PASS: start returns with both children running and the table programmed; checks and scripts run"

# The snmp child under the unit's hardening, through the guest's snmpd.
export MIBS=""
walk() { snmpwalk -v2c -c public -On -Oq -t 2 -r 1 127.0.0.1 "$1" 2>/dev/null; }
rs_up() { walk 1.3.6.1.3.58432.1.3.1.6 | grep -q "^.1.3.6.1.3.58432.1.3.1.6.1.1 1$"; }
vm_wait_for 15 rs_up || { tail -20 /run/snmpd-test/log >&2; vm_fail "VIGIL-MIB not answered through snmpd (vigilRsState.1.1 up)"; }
walk 1.3.6.1.2.1.207.1.1.1.1.6 | grep -q " 3$" || vm_fail "VRRPv3-MIB: VI_1 is not master(3)"
walk 1.3.6.1.3.58432.1.6.1.2.3 | grep -q '"snmp"' || vm_fail "VIGIL-MIB: no snmp process row (vigilProcName.3)"
journalctl -u vigild --no-pager | grep -q "snmp: connected to the AgentX master at /var/agentx/master" \
  || vm_fail "the snmp child did not say it connected"
# Every VIGIL-MIB row against the status, the kernel's columns included.
mibcheck() {
  "$VIGILCTL" status --json > /run/snmpd-test/before.json &&
  snmpwalk -v2c -c public -On -Oq -Ot -Oe -Ox -t 2 -r 1 127.0.0.1 1.3.6.1.3.58432 > /run/snmpd-test/walk &&
  "$VIGILCTL" status --json > /run/snmpd-test/after.json &&
  python3 "$VIGIL_SRC/tests/netns/snmp_vigil_check.py" /run/snmpd-test/walk \
    /run/snmpd-test/before.json /run/snmpd-test/after.json
}
vm_wait_for 6 mibcheck || { mibcheck; vm_fail "VIGIL-MIB disagrees with vigilctl status"; }
grep -q "^.1.3.6.1.3.58432.1.3.1.12.1.1 3$" /run/snmpd-test/walk || vm_fail "vigilRsWeightKernel.1.1 is not 3"
grep -q "^.1.3.6.1.3.58432.1.2.1.17.1 " /run/snmpd-test/walk || vm_fail "no vigilVsConns for the service in the kernel"
vm_log "PASS: the snmp child answers VIGIL-MIB and VRRPv3-MIB through snmpd under the unit as shipped"

# The journal: event fields, and the facility of log_facility (local3 = 19).
journalctl --no-pager -o cat VIGIL_INSTANCE=VI_1 VIGIL_STATE=MASTER | grep -q "VRRP instance VI_1: .* -> MASTER" \
  || vm_fail "journalctl VIGIL_INSTANCE=VI_1 VIGIL_STATE=MASTER finds no transition"
journalctl --no-pager -o cat VIGIL_RS=198.51.100.11:80 VIGIL_STATE=up VIGIL_VS=web | grep -q " UP: " \
  || vm_fail "journalctl VIGIL_RS=198.51.100.11:80 VIGIL_STATE=up finds no line"
journalctl --no-pager -o cat SYSLOG_FACILITY=19 SYSLOG_IDENTIFIER=vigild-snmp | grep -q "subagent started" \
  || vm_fail "the snmp child's lines are not at facility local3"
journalctl --no-pager -o cat SYSLOG_FACILITY=3 SYSLOG_IDENTIFIER=vigild | grep -q "UP: " \
  && vm_fail "an event line went to the daemon facility"
vm_log "PASS: the journal has the events' VIGIL_* fields, at facility local3"

# reload: returns once both children run generation 2; the weight is in the kernel.
write_conf 5
timeout 60 systemctl reload vigild || vm_fail "systemctl reload failed"
journalctl -u vigild --no-pager | grep -q "checker: configuration generation 2 in use" || vm_fail "reload returned before the checker took generation 2"
journalctl -u vigild --no-pager | grep -q "vrrp: configuration generation 2 in use" || vm_fail "reload returned before the vrrp child took generation 2"
ipvsadm -Ln -t 192.0.2.10:80 | grep -q "198.51.100.11:80 .* 5 " || vm_fail "new weight not in the kernel after reload"
vm_log "PASS: reload returns once both children run generation 2"

# a broken file: refused, still active, the status says why.
echo "broken" >> "$conf"
timeout 60 systemctl reload vigild || vm_log "systemctl reload of a broken file exited non-zero"
systemctl is-active -q vigild || vm_fail "unit not active after a refused reload"
systemctl show -p StatusText vigild | grep -q "last reload refused" || vm_fail "status text: $(systemctl show -p StatusText vigild)"
write_conf 5
vm_log "PASS: a broken file is refused; the unit stays active and says why"

# watchdog: a stopped parent is killed and the unit restarted (WatchdogSec=10s).
main=$(systemctl show -p MainPID --value vigild)
kill -STOP "$main"
vm_log "parent $main stopped; waiting for the watchdog"
restarted() { [ "$(systemctl show -p NRestarts --value vigild)" -ge 1 ] && systemctl is-active -q vigild &&
  [ "$(systemctl show -p MainPID --value vigild)" != "$main" ]; }
vm_wait_for 60 restarted || vm_fail "watchdog: not restarted ($(systemctl show -p NRestarts,ActiveState,Result vigild | tr '\n' ' '))"
journalctl -u vigild --no-pager | grep -qi "watchdog" || vm_fail "no watchdog line in the journal"
vm_wait_for 30 children_running || vm_fail "children not running after the watchdog restart"
vm_log "PASS: watchdog restarts a stopped parent"

# stop: nothing left.
timeout 60 systemctl stop vigild || vm_fail "systemctl stop failed"
pgrep -f /usr/local/sbin/vigild.test && vm_fail "vigild processes left after stop"
ipvsadm -Ln | grep -q "192.0.2.10:80" && vm_fail "IPVS service left after stop"
ip addr show dev vg0 | grep -q "192.0.2.10/" && vm_fail "virtual address left after stop"
vm_log "PASS: stop leaves nothing behind"
