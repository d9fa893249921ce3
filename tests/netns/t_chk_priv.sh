#!/usr/bin/env bash
# The checker child runs without root: a non-zero uid, CAP_NET_RAW as its
# only effective and permitted capability, no_new_privs — and its probes
# still work, ping included (a raw socket: a new namespace's
# net.ipv4.ping_group_range admits nobody to ping sockets). A check script
# runs as the same user. With script_security, a world-writable script,
# or one in a world-writable directory, is refused at load (`vigild -t`
# exits 1 with FILE:LINE); with script_security = false it loads.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
chk_net
bg rs1 http python3 -m http.server --bind 198.51.100.11 --directory "$T_DIR" 80
wait_for 5 port_up rs1 80 || fail "http.server did not start"

scripts="$T_DIR/scripts"; mkdir -m 755 "$scripts"; mkdir -m 1777 "$T_DIR/out"
cat > "$scripts/whoami.sh" <<'SH'
#!/bin/sh
id -u > "$1"
SH
chmod 755 "$scripts/whoami.sh"
conf="$T_DIR/vigil.conf"
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; script_user = "no-such-user-vigil"; };
virtual_servers = (
  { name = "web"; address = "192.0.2.10"; port = 80; check_interval = 0.5;
    real_servers = (
      { address = "198.51.100.11"; port = 80;
        checks = ( { type = "http"; path = "/vigil.conf"; timeout = 1.0; },
                   { type = "ping"; timeout = 1.0; },
                   { type = "script"; command = "$scripts/whoami.sh $T_DIR/out/uid"; timeout = 1.0; } ); } ); }
);
CONF
chk_vigild "$conf"
chk_expect web 198.51.100.11:80 up ok 3 || fail "http + ping + script checks not up"

vctl d1 status --json > "$T_DIR/st.json"
pid=$(json_get "[p['pid'] for p in r['processes'] if p['name']=='checker'][0]" < "$T_DIR/st.json")
[ -n "$pid" ] && [ "$pid" != 0 ] || fail "no checker pid in status"
st=/proc/$pid/status
grep -E '^(Uid|Gid|Cap|NoNewPrivs)' "$st" | sed 's/^/  /'
nobody=$(id -u nobody)
read -r _ ruid euid suid fsuid < <(grep '^Uid:' "$st")
[ "$ruid $euid $suid $fsuid" = "$nobody $nobody $nobody $nobody" ] \
  || fail "checker uids are '$ruid $euid $suid $fsuid', want nobody ($nobody) everywhere"
[ "$(awk '/^CapEff:/ {print $2}' "$st")" = 0000000000002000 ] || fail "CapEff is not cap_net_raw alone"
[ "$(awk '/^CapPrm:/ {print $2}' "$st")" = 0000000000002000 ] || fail "CapPrm is not cap_net_raw alone"
[ "$(awk '/^CapInh:/ {print $2}' "$st")" = 0000000000000000 ] || fail "CapInh not empty"
[ "$(awk '/^CapBnd:/ {print $2}' "$st")" = 0000000000002000 ] || fail "CapBnd is not cap_net_raw alone"
[ "$(awk '/^NoNewPrivs:/ {print $2}' "$st")" = 1 ] || fail "no_new_privs not set"
grep -q "script_user 'no-such-user-vigil' does not exist; running as 'nobody'" "$T_DIR/vigild-d1.log" \
  || fail "no warning about the missing script_user"
wait_for 3 test -s "$T_DIR/out/uid" || fail "the check script did not run"
[ "$(cat "$T_DIR/out/uid")" = "$nobody" ] || fail "check script ran as uid $(cat "$T_DIR/out/uid")"
pass "checker: uid nobody, CapEff/CapPrm/CapBnd = cap_net_raw, no_new_privs; http, ping, script up"

# A reload goes through the unprivileged checker (it re-reads the file).
sed -i 's/check_interval = 0.5;/check_interval = 0.4;/' "$conf"
vctl d1 reload >/dev/null || fail "reload refused"
checker_gen() {
  vctl d1 status --json | json_get "[p['generation'] for p in r['processes'] if p['name']=='checker'][0]" | grep -qx 2
}
wait_for 5 checker_gen \
  || fail "the checker did not take the reload"
pass "reload re-read by the unprivileged checker"

# script_security at load.
bad="$T_DIR/bad"; mkdir -m 755 "$bad"; mkdir -m 777 "$bad/open"
printf '#!/bin/sh\nexit 0\n' > "$bad/ww.sh"; chmod 777 "$bad/ww.sh"
printf '#!/bin/sh\nexit 0\n' > "$bad/open/x.sh"; chmod 755 "$bad/open/x.sh"
cat > "$T_DIR/bad.conf" <<CONF
virtual_servers = (
  { address = "192.0.2.10"; port = 80; on_quorum_down = "$bad/open/x.sh";
    real_servers = ( { address = "198.51.100.11"; port = 80;
      checks = ( { type = "script"; command = "$bad/ww.sh"; } ); } ); }
);
CONF

out=$("$VIGILD" -t -f "$T_DIR/bad.conf" 2>&1); rc=$?

echo "$out" | sed 's/^/  /'
[ $rc = 1 ] || fail "vigild -t exit $rc on a world-writable script, want 1"
echo "$out" | grep -qF "$T_DIR/bad.conf:2: virtual server 192.0.2.10:80: on_quorum_down \"$bad/open/x.sh\": refused by script_security: directory $bad/open is writable by a non-root user" \
  || fail "no error for the script in a world-writable directory"
echo "$out" | grep -qF "$T_DIR/bad.conf:4: real server 198.51.100.11:80: script check: command \"$bad/ww.sh\": refused by script_security: $bad/ww.sh is writable by a non-root user" \
  || fail "no error for the world-writable script"
sed -i '1i global = { script_security = false; };' "$T_DIR/bad.conf"
"$VIGILD" -t -f "$T_DIR/bad.conf" >/dev/null 2>&1 || fail "script_security = false still refuses"
pass "script_security: refused at load with FILE:LINE, allowed when off"
