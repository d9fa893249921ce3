#!/usr/bin/env bash
# The sanitize label: vigil built with -fsanitize=address,undefined in a
# tree of its own, and the unit and netns tests run again from it. Any
# sanitizer report fails the test.
#   sanitize.sh SOURCE_DIR BUILD_DIR build|unit|netns
# "build" is the fixture the two others require (ctest runs it first).
set -euo pipefail
src="$1"; build="$2"; what="$3"
export ASAN_OPTIONS="abort_on_error=0:halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# The instrumented daemons run two to three times slower, beside the VM
# on a loaded host: the tests' waits (wait_for, chk_expect) are doubled.
# Bounds that measure a protocol's timing are not stretched.
export VIGIL_TIME_SCALE=${VIGIL_TIME_SCALE:-2}
case "$what" in
build)
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON >/dev/null
	exec cmake --build "$build" -j"$(nproc)" >/dev/null ;;
unit|netns)
	exec ctest --test-dir "$build" -L "^$what\$" --output-on-failure ;;
*)
	echo "sanitize.sh: unknown step $what" >&2; exit 2 ;;
esac
