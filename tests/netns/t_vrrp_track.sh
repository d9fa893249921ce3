#!/usr/bin/env bash
# Tracking moves mastership: a track file (value x weight), a track script
# (rise/fall, weight), a tracked interface with weight 0 (fault, priority
# 0 sent, fast takeover), and the instance's own interface going down
# (fault; the backup takes over after Master_Down). Effective priority is
# visible in vigilctl vrrp. v3, advert 0.5 s.
. "$(dirname "$0")/vrrp_lib.sh"
VIP=192.0.2.10
ns_add d1; ns_add d2; lan_add
lan_join d1 eth0 192.0.2.1/24
lan_join d2 eth0 192.0.2.2/24
in_ns d1 ip link add trk0 type veth peer name trk1
in_ns d1 ip link set trk0 up; in_ns d1 ip link set trk1 up
chmod 755 "$T_DIR"; touch "$T_DIR/ok"; echo 0 > "$T_DIR/prio"; chmod 644 "$T_DIR/prio"
vrrp_conf d1 "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = 150; version = 3;
    advert_interval = 0.5; addresses = [ \"$VIP/24\" ];
    track = { interfaces = ( { name = \"trk0\"; weight = 0; } );
              scripts = ( { name = \"chk_ok\"; weight = -60; } );
              files = ( { path = \"$T_DIR/prio\"; weight = 1; } ); }; }" \
  "scripts = ( { name = \"chk_ok\"; command = \"/usr/bin/test -e $T_DIR/ok\"; interval = 0.3;
                 timeout = 1.0; rise = 2; fall = 2; } );"
vrrp_conf d2 "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = 120; version = 3;
    advert_interval = 0.5; addresses = [ \"$VIP/24\" ]; }"
vigild_start d1 "$T_DIR/d1.conf"
vigild_start d2 "$T_DIR/d2.conf"
wait_for 5 is_state d1 VI_1 MASTER || fail "d1 not master"
wait_for 2 is_state d2 VI_1 BACKUP || fail "d2 not backup"
eff() { test "$(vfield d1 VI_1 'i["priority"]["effective"]')" = "$1"; }

# File: -50 x 1 -> 100 < 120: d2 takes over; 0 -> d1 preempts back.
echo -50 > "$T_DIR/prio"
wait_for 2 eff 100 || fail "file: effective priority not 100"
wait_for 4 is_state d2 VI_1 MASTER || fail "file: d2 did not take over"
wait_for 2 is_state d1 VI_1 BACKUP || fail "file: d1 did not yield"
echo 0 > "$T_DIR/prio"
wait_for 4 is_state d1 VI_1 MASTER || fail "file: d1 did not take back"
wait_for 2 eff 150 || fail "file: priority not back to 150"
pass "track file moves mastership both ways"

# Script: fails (fall 2) -> 150 - 60 = 90: d2; passes again (rise 2) -> d1.
rm "$T_DIR/ok"
wait_for 3 eff 90 || fail "script: effective priority not 90"
wait_for 4 is_state d2 VI_1 MASTER || fail "script: d2 did not take over"
touch "$T_DIR/ok"
wait_for 5 is_state d1 VI_1 MASTER || fail "script: d1 did not take back"
grep -q "vrrp script chk_ok: down" "$T_DIR/vigild-d1.log" || fail "script verdict not logged"
pass "track script moves mastership both ways"

# Tracked interface, weight 0: down -> FAULT; d1 sends priority 0 -> d2 within skew.
wait_for 2 is_state d2 VI_1 BACKUP || fail "d2 not backup"
start=$(now_ms)
in_ns d1 ip link set trk0 down
wait_for 3 is_state d1 VI_1 FAULT || fail "tracked interface down: d1 not FAULT"
wait_for 2 has_addr d2 $VIP || fail "d2 did not take over from the faulted d1"
took=$(( $(now_ms) - start ))
no_addr d1 $VIP || fail "d1 in FAULT kept the address"
in_ns d1 ip link set trk0 up; in_ns d1 ip link set trk1 up
wait_for 4 is_state d1 VI_1 MASTER || fail "d1 did not recover from FAULT"
pass "tracked interface down -> FAULT, d2 master in ${took} ms; up -> d1 back"

# Own interface down: FAULT (no advert possible); d2 after Master_Down (~1.8 s).
wait_for 2 is_state d2 VI_1 BACKUP || fail "d2 not backup"
in_ns d1 ip link set eth0 down
wait_for 3 is_state d1 VI_1 FAULT || fail "interface down: d1 not FAULT"
wait_for 3 is_state d2 VI_1 MASTER || fail "d2 did not take over after d1's interface went down"
in_ns d1 ip link set eth0 up
wait_for 6 is_state d1 VI_1 MASTER || fail "d1 did not come back after its interface came up"
wait_for 2 is_state d2 VI_1 BACKUP || fail "d2 did not yield"
pass "own interface down -> FAULT and takeover; up -> preempts again"

# All of the above ran in a vrrp child that kept uid 0 but only the
# capabilities it uses (privdrop.h): NET_ADMIN, NET_RAW, SETUID, SETGID,
# KILL, SYS_NICE, IPC_LOCK, DAC_READ_SEARCH — bits 2 5 6 7 12 13 14 23.
vpid=$(vctl d1 status --json | json_get "[p['pid'] for p in r['processes'] if p['name']=='vrrp'][0]")
[ -n "$vpid" ] && [ "$vpid" != 0 ] || fail "no vrrp pid in status"
grep -E '^Cap(Eff|Prm|Bnd)' "/proc/$vpid/status" | sed 's/^/  /'
for f in CapEff CapPrm CapBnd; do
  [ "$(awk -v f="$f:" '$1 == f { print $2 }' "/proc/$vpid/status")" = 00000000008070e4 ] \
    || fail "vrrp child $f is not the expected set"
done
pass "the vrrp child holds only its eight capabilities"
