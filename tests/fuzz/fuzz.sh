#!/usr/bin/env bash
# The "fuzz" ctest label: builds the libFuzzer harnesses with clang in a
# build tree of their own (VIGIL_FUZZ=ON: ASan, UBSan, coverage) and runs
# each for VIGIL_FUZZ_SECONDS (default 8) through that tree's ctest
# (run-one.sh). Any crash, leak, undefined behaviour or hang fails it.
#   fuzz.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$1"; build="$2"
if ! command -v clang >/dev/null; then
	echo "fuzz: clang is missing (./setup.sh installs clang and libclang-rt-14-dev)" >&2
	exit 1
fi
cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DVIGIL_FUZZ=ON -DVIGIL_FUZZ_SECONDS="${VIGIL_FUZZ_SECONDS:-8}" >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzzers >/dev/null
exec ctest --test-dir "$build" -L fuzz --output-on-failure
