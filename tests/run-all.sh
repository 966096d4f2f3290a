#!/bin/bash
# The whole test suite, as CI runs it (as root, on Debian 12). Installs what
# is missing, builds once, then runs the phases -- those that share no state
# side by side -- and prints each phase's result and duration, then one
# total line "all: N passed, N failed" (exit status non-zero on any failure).
#   sudo tests/run-all.sh                       # everything
#   PHASES="unit integration" tests/run-all.sh  # a subset, in that order
#   JOBS=1 tests/run-all.sh                     # one phase at a time
# Knobs: JOBS (phases at once, default 3), FUZZ_SECONDS (default 60),
# PHASE_TIMEOUT (seconds per phase, default 2700), V2_CONFORMANCE (default 0).
set -uo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
cd "$TOP"
T_START=$SECONDS
# test-only tools: clang (fuzz), capsh, the containers-common seccomp profile, hyperfine
HULL="$(examples/setup.sh clang libclang-rt-14-dev libcap2-bin golang-github-containers-common hyperfine strace man-db python3 buildah containernetworking-plugins iptables curl)" ||
  { echo "setup failed"; echo "all: 0 passed, 1 failed"; exit 1; }
export HULL
# Built once here, so that concurrent phases do not race to create them.
[ -x /var/tmp/hull-test-rootfs/bin/busybox ] || tests/integration/make-rootfs.sh /var/tmp/hull-test-rootfs >/dev/null
export FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
JOBS="${JOBS:-3}"
PHASE_TIMEOUT="${PHASE_TIMEOUT:-2700}"

# ---------------------------------------------------------------- phases
# One line per phase:  def NAME MODE COMMAND...
#   MODE par:  may run beside other phases. It must keep its state apart:
#              its --root is $HULL_TEST_STATE (set per phase below), its
#              container ids, cgroup names and temp dirs are unique to it.
#   MODE solo: runs alone, after the parallel phases (timing-sensitive ones).
# COMMAND runs from the top of the repository and must end its output with a
# line "NAME: N passed, N failed" and exit non-zero when anything failed.
# Order matters a little: the longest phases first.
NAMES=(); declare -A MODE=() CMD=()
def() { NAMES+=("$1"); MODE[$1]="$2"; CMD[$1]="$(printf '%q ' "${@:3}")"; }
def v2          par  env CONFORMANCE="${V2_CONFORMANCE:-0}" tests/v2/run.sh  # runtime-tools cannot validate v2 cgroups
def conformance par  tests/conformance/check.sh "$HULL"
def e2e         par  tests/e2e/run.sh  # podman, containerd, docker, buildah driving hull
def deb         par  tests/deb/run.sh  # dpkg-buildpackage, lintian, apt install ./hull_*.deb, podman --runtime hull, purge
def integration par  tests/integration/run.sh
def security    par  tests/security/run.sh
def asan        par  tests/catch2-phase.sh asan tests/fuzz/asan-unit.sh
def fuzz        par  tests/fuzz/run.sh "$FUZZ_SECONDS"
def unit        par  tests/catch2-phase.sh unit build/tests/unit_tests
def bench       solo env RUNS=3 WARMUP=1 SCALE_N=10 SCALE_RUNS=2 bench/compare  # proves the bench runs; never a timing
def ship        par  tests/ship/run.sh
def storage     par  tests/storage/run.sh
def net         par  tests/net/run.sh  # own bridges/networks (hn*-PID), loopback and its namespaces only
def faults      par  tests/faults/run.sh  # kill points, races, full disk, corrupt state (own --root and id prefix)

# ---------------------------------------------------------------- runner
read -r -a WANT <<<"${PHASES:-${NAMES[*]}}"
LOGS="$(mktemp -d /var/tmp/hull-ci-logs.XXXXXX)"
STATE="/run/hull-ci.$$"
P=0; F=0; FAILED=(); SUMMARY=()
declare -A START=() PIDNAME=()

launch() { # NAME: starts the phase in the background, output to its log
  local n="$1"
  START[$n]=$SECONDS
  mkdir -p "$STATE/$n"
  HULL_TEST_STATE="$STATE/$n" timeout -k 60 "$PHASE_TIMEOUT" bash -c "${CMD[$n]}" >"$LOGS/$n.log" 2>&1 </dev/null &
  PIDNAME[$!]="$n"
  echo "== started $n (${MODE[$n]})"
}

collect() { # NAME RC: prints the phase's log and counts its result line
  local n="$1" rc="$2" secs=$((SECONDS - START[$1]))
  echo; echo "######## $n (exit $rc, ${secs}s)"
  cat "$LOGS/$n.log"
  [ "$rc" = 124 ] && echo "$n: timed out after ${PHASE_TIMEOUT}s"
  local line p f
  line="$(grep -E '[0-9]+ passed, [0-9]+ failed' "$LOGS/$n.log" | tail -n 1)"
  p=$(sed -nE 's/(^|.*[^0-9])([0-9]+) passed.*/\2/p' <<<"$line"); f=$(sed -nE 's/.*[^0-9]([0-9]+) failed.*/\1/p' <<<"$line")
  p=${p:-0}; f=${f:-0}
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  P=$((P + p)); F=$((F + f)); [ "$rc" = 0 ] || FAILED+=("$n")
  SUMMARY+=("$(printf '%-12s %6ss  %4s passed, %3s failed%s' "$n" "$secs" "$p" "$f" "$([ "$rc" = 0 ] || echo "  (exit $rc)")")")
  rm -rf --one-file-system "${STATE:?}/$n" 2>/dev/null
}

wait_one() { # waits for any running phase and collects it
  local pid rc
  wait -n -p pid "${!PIDNAME[@]}"; rc=$?
  collect "${PIDNAME[$pid]}" "$rc"
  unset "PIDNAME[$pid]"
}

solo=()
for n in "${WANT[@]}"; do
  if [ -z "${MODE[$n]:-}" ]; then
    echo "unknown phase $n (phases: ${NAMES[*]})"; F=$((F + 1)); FAILED+=("$n"); continue
  fi
  [ "${MODE[$n]}" = solo ] && { solo+=("$n"); continue; }
  while [ "${#PIDNAME[@]}" -ge "$JOBS" ]; do wait_one; done
  launch "$n"
done
while [ "${#PIDNAME[@]}" -gt 0 ]; do wait_one; done
for n in "${solo[@]}"; do
  launch "$n"; wait_one
done
rm -rf "$LOGS"; rmdir "$STATE" 2>/dev/null

echo
echo "######## summary (JOBS=$JOBS)"
printf '%s\n' "${SUMMARY[@]}"
echo "total time: $((SECONDS - T_START))s (setup and build included)"
[ ${#FAILED[@]} = 0 ] || echo "failing phases: ${FAILED[*]}"
echo "all: $P passed, $F failed"
[ "$F" = 0 ] && [ ${#FAILED[@]} = 0 ]
