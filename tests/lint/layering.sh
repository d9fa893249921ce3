#!/bin/sh
# The module direction is enforced by the top CMakeLists at configure time.
# This proves the check bites: each forbidden link, added by the probe
# option, must stop the configuration with a "layering:" message, and the
# tree as it is must configure. Uses a scratch build directory.
src="$1"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
if ! cmake -S "$src" -B "$tmp/ok" >"$tmp/log" 2>&1; then
  cat "$tmp/log"; echo "the tree as it is does not configure"; exit 1
fi
for probe in vigil_vrrp_run:vigil_ipvs vigil_vrrp:vigil_checkers vigil_checkers:vigil_ipvs \
             vigil_config:vigil_proc vigil_vrrp_run:vigil_daemon vigil_convert:vigil_vrrp \
             vigil_snmp:vigil_vrrp vigil_snmp:vigil_daemon vigil_vrrp_run:vigil_snmp; do
  if cmake -S "$src" -B "$tmp/p" -DVIGIL_LAYERING_PROBE="$probe" >"$tmp/log" 2>&1 ||
     ! grep -q "layering:" "$tmp/log"; then
    echo "a forbidden link was not caught: $probe"; fail=1
  else
    echo "caught: $probe"
  fi
  rm -rf "$tmp/p"
done
exit $fail
