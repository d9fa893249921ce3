#!/usr/bin/env bash
# Builds vigil with -fsanitize=address,undefined in its own tree and runs
# the unit and netns tests there. Any sanitizer report fails the test.
set -euo pipefail
src="$1"; build="$2"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
export ASAN_OPTIONS="abort_on_error=0:halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
exec ctest --test-dir "$build" -L 'unit|netns' --output-on-failure
