#!/bin/bash
# Runs a Catch2 test binary (or a script that ends in one) and turns its
# summary into the suite's phase line "NAME: N passed, N failed".
#   tests/catch2-phase.sh NAME COMMAND [ARGS...]
# Catch2 2.x prints "All tests passed (N assertions in M test cases)" or
# "test cases: M | P passed | F failed".
set -uo pipefail
name="$1"; shift
out="$("$@" 2>&1)"; rc=$?
echo "$out" | tail -n 30
cases=$(grep -oE '[0-9]+ test cases?' <<<"$out" | head -n1 | awk '{print $1}')
[ -n "$cases" ] || cases=$(grep -oE 'test cases: *[0-9]+' <<<"$out" | head -n1 | grep -oE '[0-9]+')
failed=$(grep -E '^test cases:' <<<"$out" | grep -oE '[0-9]+ failed' | head -n1 | awk '{print $1}')
if [ "$rc" = 0 ]; then
  echo "$name: ${cases:-0} passed, 0 failed"
else
  failed=${failed:-1}
  passed=$(( ${cases:-0} - failed )); [ "$passed" -ge 0 ] || passed=0
  echo "$name: $passed passed, $failed failed"
fi
exit "$rc"
