#!/bin/sh
# vigil-convert over keepalived's own samples (when installed) and the
# realistic configurations in this directory. For each: the exit code is
# the expected one, every "not converted" line names a line of a real
# file, and vigild -t accepts the output. The realistic ones must also
# give exactly NAME.expected (output) and NAME.stderr (what was not
# converted); VIGIL_CONVERT_UPDATE=1 rewrites those instead.
#   check-convert.sh VIGIL-CONVERT VIGILD DIR [SAMPLES-DIR]
conv="$1"; vigild="$2"; here="$3"
samples="${4:-/usr/share/doc/keepalived/samples}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

# Every stderr line is FILE:LINE: not converted: ... (or FILE: error: ...)
# and FILE has that line; paths are relative to the converted file's dir.
names_real_lines() {
  dir="$1"; err="$2"
  while IFS= read -r l; do
    case "$l" in
      *": not converted: "*|*": error: "*) ;;
      *) echo "  unexpected stderr line: $l"; return 1 ;;
    esac
    file=${l%%:*}; rest=${l#*:}; line=${rest%%:*}
    [ -f "$dir/$file" ] || { echo "  no such file: $l"; return 1; }
    case "$line" in
      ''|*[!0-9]*) continue ;;
    esac
    n=$(wc -l < "$dir/$file")
    if [ "$line" -lt 1 ] || [ "$line" -gt "$n" ]; then
      echo "  no line $line in $file: $l"; return 1
    fi
  done < "$err"
}

# convert DIR NAME EXPECTED-EXITS [GOLDEN]: runs and checks one file.
convert() {
  dir="$1"; name="$2"; want="$3"; golden="$4"
  (cd "$dir" && "$conv" -i lb1 -o "$tmp/out.conf" "$name" 2>"$tmp/err"); rc=$?
  ok=1
  case " $want " in *" $rc "*) ;; *) echo "  exit $rc, expected $want"; ok=0 ;; esac
  names_real_lines "$dir" "$tmp/err" || ok=0
  if [ "$rc" != 1 ] && ! "$vigild" -t -f "$tmp/out.conf" >"$tmp/t" 2>&1; then
    echo "  vigild -t refuses the output:"; sed 's/^/    /' "$tmp/t"; ok=0
  fi
  if [ -n "$golden" ] && [ -n "$VIGIL_CONVERT_UPDATE" ]; then
    cp "$tmp/out.conf" "$golden.expected"; cp "$tmp/err" "$golden.stderr"
  elif [ -n "$golden" ]; then
    diff -u "$golden.expected" "$tmp/out.conf" || ok=0
    diff -u "$golden.stderr" "$tmp/err" || ok=0
  fi
  if [ $ok = 1 ]; then echo "ok: $dir/$name (exit $rc)"; else echo "FAIL: $dir/$name"; cat "$tmp/err"; fail=1; fi
  rm -f "$tmp/out.conf"
}

if [ -d "$samples" ]; then
  for f in "$samples"/keepalived.conf.*; do
    name=${f##*/}
    want="0 2"
    convert "$samples" "$name" "$want"
  done
else
  echo "skipped: no keepalived samples in $samples"
fi

for f in "$here"/*.conf; do
  name=${f##*/}
  want=$(sed -n 's/^[!#] expect-exit: \([0-9]\).*/\1/p' "$f")
  convert "$here" "$name" "${want:-0}" "${f%.conf}"
done
exit $fail
