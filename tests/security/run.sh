#!/bin/bash
# Runs every tests/security/test_*.sh (or those named) as root against the
# real hull binary (env HULL) and prints "N passed, N failed".
HERE="$(cd "$(dirname "$0")" && pwd)"
[ "$(id -u)" = 0 ] || { echo "security tests must run as root" >&2; exit 2; }
P=0; F=0; BAD=()
if [ $# -gt 0 ]; then tests=("$@"); else tests=("$HERE"/test_*.sh); fi
for t in "${tests[@]}"; do
  [ -f "$t" ] || t="$HERE/$t"
  echo "## $(basename "$t")"
  out="$(bash "$t" 2>&1)"; rc=$?
  echo "$out" | grep -v '^RESULT '
  read -r p f <<<"$(echo "$out" | awk '/^RESULT /{p=$2; f=$3} END{print p+0, f+0}')"
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "not ok - $(basename "$t") exited $rc"; fi
  P=$((P+p)); F=$((F+f)); [ "$f" = 0 ] || BAD+=("$(basename "$t")")
done
[ ${#BAD[@]} = 0 ] || echo "# failing: ${BAD[*]}"
echo "security: $P passed, $F failed"
[ "$F" = 0 ]
