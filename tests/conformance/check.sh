#!/bin/bash
# Runs the OCI runtime-tools validation programs of required.txt against a
# hull binary and fails unless every one is green (allowing only the listed
# assertion numbers to fail). Builds the suite first if needed
# (build-suite.sh, cache $HULL_CONFORMANCE_DIR, default /var/cache/hull-conformance).
#   tests/conformance/check.sh /path/to/hull [required-file]
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
RT="$1"; REQ="${2:-$HERE/required.txt}"
"$HERE/build-suite.sh" || { echo "conformance: could not build the suite"; echo "conformance: 0 passed, 1 failed"; exit 1; }
# A private copy (rebuilding build/ during a run must not change the binary
# under test), called through a wrapper that gives it a private --root.
BIN="$(mktemp -d /var/tmp/hull-conf-bin.XXXXXX)"; cp "$RT" "$BIN/hull.bin"
printf '#!/bin/sh\nexec %q --root %q "$@"\n' "$BIN/hull.bin" "$BIN/state" > "$BIN/hull"; chmod 755 "$BIN/hull"
OUT="$(mktemp -d /var/tmp/hull-conf.XXXXXX)"
chmod 755 "$OUT" # bundles live below: user-namespace containers must reach them
names=(); declare -A allow
while read -r name rest; do
  case "$name" in ''|'#'*) continue;; esac
  names+=("$name"); allow[$name]="${rest#allow=}"
done < "$REQ"
OUT_DIR="$OUT" "$HERE/run-programs.sh" "$BIN/hull" "${names[@]}"
P=0; F=0
for n in "${names[@]}"; do
  tap="$OUT/tap/$n.tap"; rc=$(cat "$OUT/tap/$n.rc" 2>/dev/null || echo 127)
  bad=$(grep -E '^not ok [0-9]+' "$tap" 2>/dev/null | grep -v '# TODO' | awk '{print $3}')
  unexpected=()
  for b in $bad; do
    [[ ",${allow[$n]}," == *",$b,"* ]] || unexpected+=("$b")
  done
  fail=0
  [ "$rc" = 0 ] || fail=1
  ((${#unexpected[@]} == 0)) || fail=1
  if [ "$fail" = 1 ]; then
    F=$((F+1)); echo "REQUIRED FAIL: $n (rc=$rc${unexpected:+, failing assertions: ${unexpected[*]}})"
  else
    P=$((P+1))
  fi
done
rm -rf "$BIN"
[ -n "${KEEP:-}" ] || rm -rf --one-file-system "$OUT"
echo "conformance (required programs): $P passed, $F failed"
[ "$F" = 0 ]
