#!/bin/bash
# Runs the engine end-to-end tests (or the ones named: podman containerd
# docker buildah) concurrently -- they share no state -- and prints
# "e2e: N passed, N failed". HULL=/usr/sbin/runc runs the same checks with runc.
HERE="$(cd "$(dirname "$0")" && pwd)"
[ "$(id -u)" = 0 ] || { echo "e2e tests must run as root" >&2; exit 2; }
if [ $# -gt 0 ]; then engines=("$@"); else engines=(podman containerd docker buildah); fi
LOGS="$(mktemp -d)"
declare -A PID
for e in "${engines[@]}"; do
  timeout -k 30 "${E2E_TIMEOUT:-900}" bash "$HERE/$e.sh" >"$LOGS/$e.log" 2>&1 &
  PID[$e]=$!
done
P=0; F=0; BAD=()
for e in "${engines[@]}"; do
  wait "${PID[$e]}"; rc=$?
  echo "## $e"
  cat "$LOGS/$e.log"
  line="$(grep -E "^$e: [0-9]+ passed, [0-9]+ failed" "$LOGS/$e.log" | tail -n 1)"
  p=$(sed -nE 's/.*: ([0-9]+) passed.*/\1/p' <<<"$line"); f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
  p=${p:-0}; f=${f:-0}
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "not ok - $e.sh exited $rc"; fi
  P=$((P+p)); F=$((F+f)); [ "$f" = 0 ] || BAD+=("$e")
done
rm -rf "$LOGS"
[ ${#BAD[@]} = 0 ] || echo "# failing: ${BAD[*]}"
echo "e2e: $P passed, $F failed"
[ "$F" = 0 ]
