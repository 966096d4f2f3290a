#!/bin/bash
# Builds the unit tests with -fsanitize=address,undefined in their own build
# dir and runs them; any sanitizer report fails the run.
#   tests/fuzz/asan-unit.sh [catch2 args...]      (env ASAN_BUILD = build dir)
set -euo pipefail
TOP="$(cd "$(dirname "$0")/../.." && pwd)"
B="${ASAN_BUILD:-$TOP/build-asan}"
if [ ! -f "$B/build.ninja" ]; then
  meson setup "$B" "$TOP" -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
    -Dcpp_args=-fno-sanitize-recover=all >/dev/null
fi
ninja -C "$B" -j2 tests/unit_tests >/dev/null
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
cd "$TOP"
"$B/tests/unit_tests" "$@"
