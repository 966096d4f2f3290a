#!/bin/bash
# Runs the OCI runtime-tools validation programs of required.txt against a
# hull binary and fails unless every one is green (allowing only the listed
# assertion numbers to fail). Builds the suite first if needed.
#   tests/conformance/check.sh /path/to/hull [required-file]
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
TOP="$(cd "$HERE/../.." && pwd)"
SHARED="${HULL_SHARED:-$TOP/../shared}"
RT="$1"; REQ="${2:-$HERE/required.txt}"
W="${HULL_CONFORMANCE_DIR:-/var/cache/hull-conformance}"
[ -x "$W/suite/runtimetest" ] || bash "$SHARED/conformance/build-suite.sh" >&2 || exit 1
# a private copy: rebuilding build/ during a run must not change the binary under test
BIN="$(mktemp -d /var/tmp/hull-conf-bin.XXXXXX)"; cp "$RT" "$BIN/hull"
OUT="$(mktemp -d /var/tmp/hull-conf.XXXXXX)"
chmod 755 "$OUT" # bundles live below: user-namespace containers must reach them
names=(); declare -A allow
while read -r name rest; do
  case "$name" in ''|'#'*) continue;; esac
  names+=("$name"); allow[$name]="${rest#allow=}"
done < "$REQ"
OUT_DIR="$OUT" bash "$SHARED/conformance/run-suite.sh" "$BIN/hull" "${names[@]}"
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
echo "conformance (required programs): $P passed, $F failed"
[ "$F" = 0 ]
