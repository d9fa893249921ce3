#!/bin/sh
# Every example configuration shipped in etc/ must pass vigild -t.
vigild="$1"; dir="$2"; rc=0
for f in "$dir"/*.conf; do
  if "$vigild" -t -f "$f"; then echo "ok: $f"; else echo "FAIL: $f"; rc=1; fi
done
exit $rc
