#!/bin/bash
# The whole test suite, as CI runs it (as root, on Debian 12). Installs what
# is missing, builds, then runs each phase and prints one total line.
#   sudo tests/run-all.sh            # everything
#   PHASES="unit integration" tests/run-all.sh
set -uo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
export HULL_SHARED="${HULL_SHARED:-$TOP/../shared}"
cd "$TOP"
# test-only tools: clang (fuzz), capsh, the containers-common seccomp profile, hyperfine
HULL="$(examples/setup.sh clang libclang-rt-14-dev libcap2-bin golang-github-containers-common hyperfine strace)" || { echo "setup failed"; exit 1; }
export HULL
PHASES="${PHASES:-unit asan integration security conformance v2 fuzz}"
P=0; F=0; FAILED=()
phase() { # NAME COMMAND...: runs it, counts its "N passed, N failed" line
  local name="$1"; shift
  echo; echo "######## $name"
  local log; log="$(mktemp)"
  "$@" 2>&1 | tee "$log"; local rc=${PIPESTATUS[0]}
  local line; line="$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)"
  local p f
  p=$(sed -nE 's/(^|.*[^0-9])([0-9]+) passed.*/\2/p' <<<"$line"); f=$(sed -nE 's/.*[^0-9]([0-9]+) failed.*/\1/p' <<<"$line")
  p=${p:-0}; f=${f:-0}
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  P=$((P+p)); F=$((F+f)); [ "$rc" = 0 ] || FAILED+=("$name")
  rm -f "$log"
}
catch2() { # NAME COMMAND...: Catch2 prints "All tests passed (N assertions in M test cases)"
  local name="$1"; shift
  local out rc; out="$("$@" 2>&1)"; rc=$?
  echo "$out" | tail -n 30
  local cases; cases=$(grep -oE '[0-9]+ test cases' <<<"$out" | head -n1 | awk '{print $1}')
  local failed; failed=$(grep -oE '[0-9]+ failed' <<<"$out" | head -n1 | awk '{print $1}')
  if [ "$rc" = 0 ]; then echo "$name: ${cases:-0} passed, 0 failed"; else echo "$name: $(( ${cases:-0} - ${failed:-1} )) passed, ${failed:-1} failed"; fi
  return $rc
}
for ph in $PHASES; do
  case $ph in
    unit) phase unit catch2 unit build/tests/unit_tests;;
    integration) phase integration tests/integration/run.sh;;
    security) phase security tests/security/run.sh;;
    conformance) phase conformance tests/conformance/check.sh "$HULL";;
    v2) phase v2 env CONFORMANCE="${V2_CONFORMANCE:-0}" tests/v2/run.sh;;  # runtime-tools cannot validate v2 cgroups
    fuzz) phase fuzz tests/fuzz/run.sh;;
    asan) phase asan catch2 asan tests/fuzz/asan-unit.sh;;
    *) echo "unknown phase $ph"; F=$((F+1));;
  esac
done
echo
[ ${#FAILED[@]} = 0 ] || echo "failing phases: ${FAILED[*]}"
echo "all: $P passed, $F failed"
[ "$F" = 0 ] && [ ${#FAILED[@]} = 0 ]
