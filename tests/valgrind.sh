#!/usr/bin/env bash
# The daemon's netns tests whose bounds allow for it, again with every
# vigild process under valgrind's memcheck (lib.sh, VIGIL_VALGRIND=1):
# an invalid access or a definite leak in any process fails the test.
# Bounds are stretched six times (VIGIL_TIME_SCALE); tests that measure
# protocol timing (failover within its bound) are left to the other labels.
set -euo pipefail
build="$1"
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 1; }
export VIGIL_VALGRIND=1 VIGIL_TIME_SCALE=6
exec ctest --test-dir "$build" -L netns --output-on-failure \
  -R '^netns/(t_supervise|t_status_http|t_chk_http|t_chk_tls|t_respawn_generation)$'
