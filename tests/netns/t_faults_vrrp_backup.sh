#!/usr/bin/env bash
# The backup's vrrp child SIGKILLed 100 times at random moments never
# disturbs the master. Two directors, v3, advert 0.2 s; each kill comes
# 0-500 ms after the previous child's replacement appeared, wherever it is
# in its life (starting, waiting for its configuration, in BACKUP). The
# parent starts a child killed from outside again after 0.1 s (vigild(8)),
# so the 100 kills take about a minute. A respawned child starts from INIT,
# enters BACKUP and must hear the master before its Master_Down timer runs
# out. Watched from the LAN
# (tcpdump on the bridge) and from both daemons:
#   - the master's adverts keep flowing, never a gap the backup's
#     Master_Down_Interval could see; the backup sends no advert and no
#     gratuitous ARP for the address;
#   - the master's state, transition count and log do not move; the
#     backup never logs MASTER, and its last child is back in BACKUP.
# Twice: the master at the higher priority (150 over 100, preempt on),
# then the harder case, the backup at the higher one with preempt = false
# (vigil.conf(5): a higher priority takes over only with preempt).
. "$(dirname "$0")/vrrp_lib.sh"
. "$VIGIL_SRC/tests/kill_lib.sh"
command -v tcpdump >/dev/null || skip "no tcpdump"
VIP=192.0.2.10
ADV=0.2; ADV_MS=200
ns_add d1; ns_add d2; lan_add
lan_join d1 eth0 192.0.2.1/24
lan_join d2 eth0 192.0.2.2/24
mac2=$(in_ns d2 cat /sys/class/net/eth0/address)
conf() {  # NODE PRIO EXTRA
  vrrp_conf "$1" "{ name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = $2; version = 3;
      advert_interval = $ADV; addresses = [ \"$VIP/24\" ]; $3 }"
}
skew_ms() { echo $(( (256 - $1) * ADV_MS / 256 )); }   # Skew_Time of priority $1

# run LABEL PRIO1 PRIO2 EXTRA2: d1 master at PRIO1, d2 backup at PRIO2 (with EXTRA2).
run() {
  local label=$1 p1=$2 p2=$3 extra=$4
  conf d1 "$p1" ""; conf d2 "$p2" "$extra"
  capture lan "$T_DIR/$label.pcap.txt" -i br0 -n -l -e -tt 'ip proto 112 or arp'
  local dump=$CAPTURE_PID
  vigild_start d1 "$T_DIR/d1.conf"; local d1=$VIGILD_PID
  wait_for 5 is_state d1 VI_1 MASTER || fail "$label: d1 not master"
  vigild_start d2 "$T_DIR/d2.conf"; local d2=$VIGILD_PID
  wait_for 5 is_state d2 VI_1 BACKUP || fail "$label: d2 not backup"
  sleep 1
  local tr0 since0 lines0 hits=0 last=
  tr0=$(vfield d1 VI_1 'i["transitions"]'); since0=$(vfield d1 VI_1 'i["since"]')
  lines0=$(wc -l < "$T_DIR/vigild-d1.log")
  local t0=$EPOCHREALTIME deadline=$((SECONDS + 120))
  while [ "$hits" -lt 100 ] && [ $SECONDS -lt $deadline ]; do
    child_of "$d2" vrrp
    if [ -z "$CHILD" ] || [ "$CHILD" = "$last" ]; then nap 10; continue; fi
    last=$CHILD
    nap $((RANDOM % 501))
    kill -KILL "$CHILD" 2>/dev/null && hits=$((hits + 1))
  done
  local t1=$EPOCHREALTIME
  log "$label: $hits kills of the backup's vrrp child in $(( (${t1/./} - ${t0/./}) / 1000 )) ms" \
    "(restart delays: $(grep -o 'vrrp: restarting in [0-9.]* s' "$T_DIR/vigild-d2.log" | awk '{ print $4 }' | sort | uniq -c | awk '{ printf "%s x %s s ", $1, $2 }'))"
  [ "$hits" = 100 ] || fail "$label: only $hits kills in 120 s: the children came back too slowly"
  # The last child is back and in BACKUP.
  back() { child_of "$d2" vrrp; [ -n "$CHILD" ] && is_state d2 VI_1 BACKUP && \
    grep -q "vigild-vrrp\[$CHILD\] info: VI_1: INIT -> BACKUP" "$T_DIR/vigild-d2.log"; }
  wait_for 40 back || fail "$label: the backup's vrrp child did not come back in BACKUP"
  local t2=$EPOCHREALTIME
  sleep 1
  kill "$dump"; wait "$dump" 2>/dev/null

  # The LAN: the master's adverts, and nothing from the backup.
  local bound=$(( 3 * ADV_MS + $(skew_ms "$p2") ))
  local gaps
  gaps=$(awk -v a="${t0}" -v b="${t2}" '/VRRPv3, Advertisement/ && $0 ~ / 192\.0\.2\.1 > 224\.0\.0\.18/ {
      if ($1 >= a && $1 <= b) { if (last) { g = ($1 - last) * 1000; if (g > max) max = g } n++; last = $1 }
    } END { printf "%d %d", n, max }' "$T_DIR/$label.pcap.txt")
  log "$label: ${gaps% *} adverts from the master during the run, largest gap ${gaps#* } ms (Master_Down_Interval ${bound} ms)"
  [ "${gaps% *}" -gt 100 ] || fail "$label: too few master adverts seen: ${gaps% *}"
  [ "${gaps#* }" -lt "$bound" ] || fail "$label: a gap of ${gaps#* } ms in the master's adverts"
  grep -E " 192\.0\.2\.2 > 224\.0\.0\.18: VRRP" "$T_DIR/$label.pcap.txt" && fail "$label: the backup sent adverts"
  grep -iE "^[0-9.]+ $mac2 .*ARP.*$VIP" "$T_DIR/$label.pcap.txt" && fail "$label: the backup sent ARP for $VIP"
  pass "$label: the master's adverts never paused; the backup sent no advert and no ARP"

  # The daemons.
  [ "$(vstate d1 VI_1)" = MASTER ] || fail "$label: d1 is no longer master"
  [ "$(vfield d1 VI_1 'i["transitions"]')" = "$tr0" ] || fail "$label: d1's transition count moved"
  [ "$(vfield d1 VI_1 'i["since"]')" = "$since0" ] || fail "$label: d1's state changed since"
  tail -n +"$((lines0 + 1))" "$T_DIR/vigild-d1.log" | grep -E "VRRP|VI_1" \
    && fail "$label: the master logged VRRP events during the kills"
  grep -E "MASTER" "$T_DIR/vigild-d2.log" && fail "$label: the backup logged MASTER"
  pass "$label: master undisturbed, $hits respawned backups never became master"

  kill -TERM "$d2" "$d1"; wait "$d2" "$d1" 2>/dev/null
  mv "$T_DIR/vigild-d1.log" "$T_DIR/$label-d1.log.txt"; mv "$T_DIR/vigild-d2.log" "$T_DIR/$label-d2.log.txt"
}

run lower 150 100 ""
run higher-nopreempt 150 200 "preempt = false;"
