# shellcheck shell=bash
# Helpers for the tests that inject faults at random moments
# (tests/netns/t_faults_*.sh, tests/vm/t_faults_*.sh). Builtins only, no
# fork: they run between kills, and a fork is slow under qemu TCG.
#
#   child_of PID NAME   sets CHILD to the pid of vigild PID's child NAME
#                       (checker|vrrp), or to nothing when none runs
#   nap MS              sleeps MS milliseconds

child_of() {
  local c kids=() argv=()
  CHILD=
  # The file has no final newline: read fails but fills the array.
  read -r -a kids < "/proc/$1/task/$1/children" 2>/dev/null || true
  for c in "${kids[@]}"; do
    mapfile -t -d '' argv < "/proc/$c/cmdline" 2>/dev/null || continue
    if [ "${argv[1]:-}" = --child ] && [ "${argv[2]:-}" = "$2" ]; then
      CHILD=$c
      return
    fi
  done
}

# A read that times out on a pipe nobody writes to.
nap() {
  local s
  [ -n "${_NAP_FD:-}" ] || exec {_NAP_FD}<> <(:)
  printf -v s '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
  read -r -t "$s" -u "$_NAP_FD" _ || true
}
