#!/usr/bin/env bash
# Scripts never run as root, whichever process starts them: with a
# script_user that does not exist, a VRRP track script (run by the vrrp
# child, which keeps uid 0) and a notify script (run by the parent) both
# run as "nobody" with nobody's groups, and the vrrp child says so.
. "$(dirname "$0")/vrrp_lib.sh"
ns_add d1; lan_add
lan_join d1 eth0 192.0.2.1/24
chmod 755 "$T_DIR"; mkdir -m 1777 "$T_DIR/out"
cat > "$T_DIR/ids.sh" <<'SH'
#!/bin/sh
echo "$(id -u) $(id -G)" > "$1.tmp" && mv "$1.tmp" "$1"
SH
chmod 755 "$T_DIR/ids.sh"
vrrp_conf d1 "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = 150; version = 3;
    advert_interval = 0.5; addresses = [ \"192.0.2.10/24\" ];
    track = { scripts = ( { name = \"ids\"; weight = -10; } ); };
    notify = { master = \"$T_DIR/ids.sh $T_DIR/out/notify\"; }; }" \
  "scripts = ( { name = \"ids\"; command = \"$T_DIR/ids.sh $T_DIR/out/track\"; interval = 0.3; } );"
sed -i 's/script_user = "nobody"/script_user = "no-such-user-vigil"/' "$T_DIR/d1.conf"
vigild_start d1 "$T_DIR/d1.conf"
wait_for 5 is_state d1 VI_1 MASTER || fail "d1 not master"

want="$(id -u nobody) $(id -G nobody)"
wait_for 3 test -s "$T_DIR/out/track" || fail "the track script did not run"
[ "$(cat "$T_DIR/out/track")" = "$want" ] \
  || fail "track script ran as '$(cat "$T_DIR/out/track")', want '$want'"
wait_for 3 test -s "$T_DIR/out/notify" || fail "the notify script did not run"
[ "$(cat "$T_DIR/out/notify")" = "$want" ] \
  || fail "notify script ran as '$(cat "$T_DIR/out/notify")', want '$want'"
grep -q "vrrp: script_user 'no-such-user-vigil' does not exist; track scripts run as 'nobody'" \
  "$T_DIR/vigild-d1.log" || fail "no warning about the missing script_user"
pass "unknown script_user: track and notify scripts run as nobody ($want)"
