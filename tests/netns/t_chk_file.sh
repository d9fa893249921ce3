#!/usr/bin/env bash
# file checks (keepalived's FILE_CHECK): the checker reads a number from a
# file at every check, as its unprivileged user. With dynamic_weight the
# real server's weight is its configured weight plus number x weight
# (reverse: minus), kept within 0..65535, and a number too low for any
# weight takes the server down; with weight 0 the file is an on/off
# switch. Seen in `vigilctl status --json` and in the IPVS changes the
# parent would make (--dry-run).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
chk_net

fdir="$T_DIR/files"; mkdir -p "$fdir"; chmod 755 "$fdir"
echo 0 > "$fdir/w"
echo 3 > "$fdir/r"
F='type = "file"; interval = 0.3;'
rsv() {  # rsv NAME FILE-CHECK: real server weight 10 with one file check
  echo "{ name = \"$1\"; address = \"192.0.2.10\"; port = $(( $(echo "$1" | cksum | cut -d' ' -f1) % 60000 + 1024 ));
    real_servers = ( { address = \"198.51.100.11\"; port = 80; weight = 10; checks = ( $2 ); } ); }"
}
conf="$T_DIR/vigil.conf"
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
$(rsv dyn "{ $F path = \"$fdir/w\"; weight = 5; dynamic_weight = true; }"),
$(rsv rev "{ $F path = \"$fdir/r\"; weight = 2; reverse = true; dynamic_weight = true; }"),
$(rsv switch "{ $F path = \"$fdir/maintenance\"; weight = 0; }")
);
CONF
chk_vigild "$conf"
chk_expect \
  dyn 198.51.100.11:80 up "ok (value 0, weight 10)" 1.5 \
  rev 198.51.100.11:80 up "ok (value 3, weight 4)" 1.5 \
  switch 198.51.100.11:80 up "ok (value 0)" 1.5 \
  || fail "states at start"

dynw() {  # dynw VS: the dynamic weight the parent holds for the real server
  vctl d1 status --json | json_get "[v for v in r['virtual_servers'] if v['name']=='$1'][0]['real_servers'][0]['health']['dynamic_weight']"
}
[ "$(dynw dyn)" = 10 ] || fail "dyn: dynamic weight $(dynw dyn), not 10"
[ "$(dynw rev)" = 4 ] || fail "rev: dynamic weight $(dynw rev), not 4"
pass "weights from the files at start: 10 + 0 x 5, 10 - 3 x 2"

t0=$(now_ms)
echo 3 > "$fdir/w"
CHK_T0=$t0
chk_expect dyn 198.51.100.11:80 up "ok (value 3, weight 25)" 1.5 || fail "dyn did not follow the file to 3"
wait_for 2 grep -q "198.51.100.11:80 weight 25" "$T_DIR/vigild-d1.log" || fail "no IPVS change to weight 25"
log "weight 25 in the table $(( $(now_ms) - t0 )) ms after the write (interval 0.3 s)"
echo -4 > "$fdir/w"
CHK_T0=$(now_ms)
chk_expect dyn 198.51.100.11:80 up "ok (value -4, weight 0)" 1.5 || fail "dyn: weight not kept at 0"
echo 99999 > "$fdir/w"
CHK_T0=$(now_ms)
chk_expect dyn 198.51.100.11:80 up "ok (value 99999, weight 65535)" 1.5 || fail "dyn: weight not kept at 65535"
echo -20000 > "$fdir/w"
CHK_T0=$(now_ms)
chk_expect dyn 198.51.100.11:80 down "file value -20000" 1.5 || fail "dyn did not go down"
echo 1 > "$fdir/w"
CHK_T0=$(now_ms)
chk_expect dyn 198.51.100.11:80 up "ok (value 1, weight 15)" 1.5 || fail "dyn did not come back"
pass "the weight follows the file; a number below any weight takes the server down"

echo 1 > "$fdir/maintenance"
CHK_T0=$(now_ms)
chk_expect switch 198.51.100.11:80 down "file value 1" 1.5 || fail "switch: not down on 1"
grep -q "switch 198.51.100.11:80 DOWN: file value 1" "$T_DIR/vigild-d1.log" || fail "no DOWN line"
rm "$fdir/maintenance"
CHK_T0=$(now_ms)
chk_expect switch 198.51.100.11:80 up "ok (value 0)" 1.5 || fail "switch: not up once the file is gone"
pass "weight 0: the file is an on/off switch"
