#!/bin/sh
# Captures the VRRP adverts keepalived sends, for the reference packets in
# tests/unit/test_vrrp_pkt.c. Needs root, ip(8), tcpdump and keepalived.
# One namespace "vigvrrpcap0" holds a veth pair vkc0 <-> vkc1: keepalived
# runs on vkc0 (config: vrrp-keepalived.conf), tcpdump listens on vkc1.
# Everything created is removed on exit, whatever happened.
# Usage: vrrp-capture.sh OUT.pcap
set -eu
NS=vigvrrpcap0
OUT=${1:?usage: $0 OUT.pcap}
DIR=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d /tmp/vigvrrpcap.XXXXXX)
KPID=""
TPID=""
cleanup() {
	[ -n "$KPID" ] && kill "$KPID" 2>/dev/null || true
	[ -n "$TPID" ] && kill "$TPID" 2>/dev/null || true
	sleep 0.5
	[ -n "$KPID" ] && kill -9 "$KPID" 2>/dev/null || true
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add vkc0 type veth peer name vkc1
ip netns exec "$NS" sysctl -qw net.ipv6.conf.vkc0.accept_dad=0
ip netns exec "$NS" sysctl -qw net.ipv6.conf.vkc1.accept_dad=0
ip -n "$NS" addr add 192.0.2.1/24 dev vkc0
ip -n "$NS" addr add 2001:db8::1/64 dev vkc0 nodad
ip -n "$NS" link set vkc0 up
ip -n "$NS" link set vkc1 up
sleep 1

ip netns exec "$NS" timeout 25 tcpdump -i vkc1 -U -n -w "$OUT" \
	'ip proto 112 or ip6 proto 112' 2>"$TMP/tcpdump.err" &
TPID=$!
sleep 1
ip netns exec "$NS" timeout 20 /usr/sbin/keepalived -n -l -D -P \
	-f "$DIR/vrrp-keepalived.conf" -p "$TMP/k.pid" -r "$TMP/v.pid" \
	>"$TMP/keepalived.log" 2>&1 &
KPID=$!
sleep 10
# SIGTERM: a master sends its priority-0 adverts before it exits.
kill -TERM "$KPID" 2>/dev/null || true
wait "$KPID" 2>/dev/null || true
KPID=""
sleep 1
kill "$TPID" 2>/dev/null || true
wait "$TPID" 2>/dev/null || true
TPID=""
grep -v -e ARP -e Neighbour "$TMP/keepalived.log" >&2
