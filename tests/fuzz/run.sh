#!/bin/bash
# Builds the libFuzzer target over the spec parser with clang (ASan + UBSan +
# LeakSanitizer) in its own build dir and runs it for a bounded time; fails
# on any crash, leak, sanitizer report or escaped exception.
#   tests/fuzz/run.sh [SECONDS]      (default 180; env FUZZ_BUILD = build dir)
# Needs: apt-get install clang libclang-rt-14-dev
set -euo pipefail
TOP="$(cd "$(dirname "$0")/../.." && pwd)"
SECS="${1:-${FUZZ_SECONDS:-180}}"
B="${FUZZ_BUILD:-$TOP/build-fuzz}"
command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
if [ ! -f "$B/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$B" "$TOP" -Dfuzz=true -Dtests=false \
    -Dbuildtype=debugoptimized -Db_ndebug=false -Db_sanitize=address,undefined -Db_lundef=false \
    "-Dcpp_args=['-fsanitize=fuzzer-no-link','-fno-sanitize-recover=all']" >/dev/null
fi
ninja -C "$B" -j2 tests/fuzz/fuzz_spec >/dev/null

# Seeds: every config the tests ship (read-only); new inputs go to a work corpus.
SEEDS="$B/fuzz-seeds"
CORPUS="$B/fuzz-corpus"
rm -rf "$SEEDS"; mkdir -p "$SEEDS" "$CORPUS"
n=0
while IFS= read -r -d '' f; do cp "$f" "$SEEDS/seed-$n.json"; n=$((n+1)); done < <(
  find "$TOP/tests/unit/configs" "$TOP/tests/integration" -name '*.json' -print0 2>/dev/null)
if [ -r /usr/share/containers/seccomp.json ] && command -v jq >/dev/null; then
  jq --slurpfile sc <("$TOP/bench/seccomp-to-oci.sh") '.linux.seccomp = $sc[0]' \
    "$TOP/tests/integration/config-template.json" > "$SEEDS/seed-seccomp.json" || true
fi
echo "fuzz: $(ls "$SEEDS" | wc -l) seeds, running ${SECS}s"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
cd "$B"
set +e
./tests/fuzz/fuzz_spec -max_total_time="$SECS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$CORPUS" "$SEEDS" >"$B/fuzz.log" 2>&1
rc=$?
set -e
tail -15 "$B/fuzz.log"
if [ "$rc" != 0 ]; then
  echo "fuzz: FAILED (exit $rc); crash inputs: $(ls "$B"/crash-* "$B"/leak-* "$B"/timeout-* 2>/dev/null | tr '\n' ' ')"
  echo "fuzz: 0 passed, 1 failed"
  exit 1
fi
echo "fuzz: no crash, leak or sanitizer report in ${SECS}s"
echo "fuzz: 1 passed, 0 failed"
