#!/usr/bin/env bash
# Receive validation: adverts with a bad TTL, a bad checksum, an unknown
# VRID, a count/length mismatch, and a v2 PASS mismatch (sent by
# vrrp_inject.py, all with a priority that would win) are counted by
# reason and change nothing; a well-formed advert from the same tool
# (the positive control) does move the master.
. "$(dirname "$0")/vrrp_lib.sh"
INJ="python3 $VIGIL_SRC/tests/netns/vrrp_inject.py"

ns_add d1; ns_add x; lan_add
lan_join d1 eth0 192.0.2.1/24
lan_join x eth0 192.0.2.9/24
vrrp_conf d1 '{ name = "VI_1"; interface = "eth0"; vrid = 51; priority = 100; version = 3;
                advert_interval = 1.0; addresses = [ "192.0.2.10/24" ]; },
              { name = "VI_2"; interface = "eth0"; vrid = 52; priority = 100; version = 2;
                advert_interval = 1.0; addresses = [ "192.0.2.20/24" ];
                authentication = { type = "pass"; password = "s3cret"; }; }'
vigild_start d1 "$T_DIR/d1.conf"
wait_for 6 is_state d1 VI_1 MASTER || fail "VI_1 not master"
wait_for 2 is_state d1 VI_2 MASTER || fail "VI_2 not master"
tr1=$(vfield d1 VI_1 'i["transitions"]')

in_ns x $INJ --src 192.0.2.9 --vrid 51 --prio 254 --addr 192.0.2.10 --ttl 64 --count 3
in_ns x $INJ --src 192.0.2.9 --vrid 51 --prio 254 --addr 192.0.2.10 --bad-checksum --count 2
in_ns x $INJ --src 192.0.2.9 --vrid 51 --prio 254 --addr 192.0.2.10 --bad-length
in_ns x $INJ --src 192.0.2.9 --vrid 99 --prio 254 --addr 192.0.2.10
in_ns x $INJ --src 192.0.2.9 --vrid 52 --version 2 --prio 254 --addr 192.0.2.20 --auth-pass wrong
in_ns x $INJ --src 192.0.2.9 --vrid 52 --version 2 --prio 254 --addr 192.0.2.20 --auth-pass s3cret --interval 3
in_ns x $INJ --src 192.0.2.9 --vrid 51 --version 2 --prio 254 --addr 192.0.2.10
in_ns x $INJ --src 192.0.2.9 --vrid 51 --prio 254 --addr 192.0.2.11

counted() { test "$(vfield d1 VI_1 "i['rejected'].get('$1', 0)")" = "$2"; }
wait_for 3 counted ttl 3 || fail "bad TTL not counted: $(vfield d1 VI_1 'i["rejected"]')"
# The child pushes its counters once a second: each may lag the first by one push.
wait_for 2 counted checksum 2 || fail "bad checksum not counted"
wait_for 2 counted count 1 || fail "length mismatch not counted"
wait_for 2 counted version 1 || fail "version mismatch not counted: $(vfield d1 VI_1 'i["rejected"]')"
wait_for 2 counted addr_mismatch 1 || fail "address list mismatch not counted"
counted2() { test "$(vfield d1 VI_2 "i['rejected'].get('$1', 0)")" = "$2"; }
wait_for 2 counted2 auth_pass 1 || fail "v2 PASS mismatch not counted"
wait_for 2 counted2 interval 1 || fail "v2 interval mismatch not counted"
vjson d1
json_get '[x for x in r["interfaces"] if x["family"]=="inet"][0]["rejected"].get("unknown_vrid")' \
  < "$T_DIR/d1.vrrp.json" | grep -qx 1 || fail "unknown VRID not counted on the interface"
is_state d1 VI_1 MASTER && is_state d1 VI_2 MASTER || fail "a rejected packet changed state"
[ "$(vfield d1 VI_1 'i["transitions"]')" = "$tr1" ] || fail "transitions changed"
has_addr d1 192.0.2.10 || fail "address lost"
grep -q "advert from 192.0.2.9 rejected: ttl" "$T_DIR/vigild-d1.log" || fail "no log line for the reject"
n=$(grep -c "VI_1: advert from .* rejected" "$T_DIR/vigild-d1.log")
[ "$n" -le 2 ] || fail "rejects not rate-limited ($n lines)"
vctl d1 vrrp | grep -q "ttl=3" || fail "table does not show rejects"
pass "TTL, checksum, length, VRID, version, address, PASS, interval rejects counted; no state change"

# Positive control: the same tool's well-formed advert with priority 254 wins.
in_ns x $INJ --src 192.0.2.9 --vrid 51 --prio 254 --addr 192.0.2.10
wait_for 2 is_state d1 VI_1 BACKUP || fail "a valid higher advert did not move d1 to BACKUP"
pass "a well-formed advert from the tool is accepted (d1 -> BACKUP)"
