#!/usr/bin/env bash
# Guest side of bench/ecmp.sh (see there). Prints one line per event and
# trial, then a summary: min / median / max ms and requests failed.
set -euo pipefail
. "${VIGIL_SRC:?}/tests/vm/lib.sh"
vm_require_guest
. "$VIGIL_SRC/tests/vm/ecmp_lib.sh"
TRIALS=${VIGIL_BENCH_TRIALS:-10}
ECMP_T=$(mktemp -d /tmp/ecmp.XXXXXX)
vm_on_exit rm -rf "$ECMP_T"
RES=$ECMP_T/results
: > "$RES"

ecmp_topology
for i in 1 2 3; do ecmp_vigild "$i"; done
ecmp_wait_paths 3 60 >/dev/null || vm_fail "no 3 paths at start"

# trial EVENT UNDO: EVENT makes one director go, UNDO brings it back;
# records the ms to 2 paths, to 3 again, and the failed requests.
trial() {
  local ev=$1 undo=$2 n=$3 down up t
  ecmp_client 30 "$ECMP_T/client"
  sleep 1
  eval "$ev"
  down=$(ecmp_wait_paths 2 20) || down=timeout
  sleep 1
  eval "$undo"
  up=$(ecmp_wait_paths 3 30) || up=timeout
  sleep 1
  kill -INT "$ECMP_CLIENT_PID" 2>/dev/null || true
  wait "$ECMP_CLIENT_PID" || true
  t=$(cat "$ECMP_T/client")
  echo "$n down_ms=$down up_ms=$up $t" | tee -a "$RES"
}
block() { ip netns exec d2 nft -f - <<'NFT'
table inet block {
  chain out {
    type filter hook output priority 0;
    ip daddr 198.51.100.0/24 tcp dport 80 reject with tcp reset
  }
}
NFT
}
for ((k = 1; k <= TRIALS; k++)); do
  trial 'kill -9 $VPID3' 'ecmp_vigild 3' kill
  trial block 'ip netns exec d2 nft delete table inet block' quorum
  trial 'kill -TERM $VPID1; wait $VPID1 2>/dev/null || true' 'ecmp_vigild 1' term
done
python3 - "$RES" <<'PY'
import sys, statistics, re, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split()
    kv = dict(x.split("=", 1) for x in f[1:] if "=" in x)
    rows[f[0]].append(kv)
for ev, rs in rows.items():
    for k in ("down_ms", "up_ms"):
        v = sorted(int(r[k]) for r in rs if r[k].isdigit())
        if v:
            print("%-6s %-7s n=%d min=%d median=%d max=%d" % (ev, k, len(v), v[0],
                  int(statistics.median(v)), v[-1]))
    ok = sum(int(r.get("ok", 0)) for r in rs); fail = sum(int(r.get("fail", 0)) for r in rs)
    print("%-6s requests ok=%d failed=%d" % (ev, ok, fail))
PY
