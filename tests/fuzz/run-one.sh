#!/usr/bin/env bash
# Runs one libFuzzer harness for a few seconds: first over its seed corpus
# (tests/fuzz/corpus/<name>/, read only: what it finds goes to a work
# directory in the build tree), then on mutations of it. A crash, a leak,
# undefined behaviour or an input that takes over 10 s makes libFuzzer
# exit non-zero, and the test fails with the input saved beside the work
# directory (libFuzzer prints its path).
#   run-one.sh HARNESS SOURCE_DIR WORK_DIR SECONDS
set -euo pipefail
bin="$1"; src="$2"; work="$3"; secs="$4"
name=$(basename "$bin")
out="$work/$name"
rm -rf "$out/new"
mkdir -p "$out/new" "$out/artifacts"

args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
      -artifact_prefix="$out/artifacts/")
dict="$src/$name.dict"
[ -f "$dict" ] && args+=(-dict="$dict")
dirs=("$out/new")
[ -d "$src/corpus/$name" ] && dirs+=("$src/corpus/$name")

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:handle_abort=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$src/lsan.supp:print_suppressions=0"
cd "$out"
exec "$bin" "${args[@]}" "${dirs[@]}"
