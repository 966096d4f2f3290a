#!/bin/bash
# Runs runtime-tools validation programs (built by build-suite.sh) against one
# runtime and keeps each program's TAP output and exit status.
#   tests/conformance/run-programs.sh RUNTIME PROGRAM...
# Env: OUT_DIR (required; gets tap/NAME.tap, tap/NAME.rc, tap/NAME.err),
#      HULL_CONFORMANCE_DIR (suite cache), TIMEOUT (seconds per program, 120).
# Prints one line per program and last "N passed, N failed" (programs: a
# program passes when it exits 0 with no "not ok" outside TODO).
# Runs are serialised by a lock: the cgroup programs use fixed cgroup paths.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 RUNTIME PROGRAM..." >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run-programs.sh must run as root" >&2; exit 2; }
RT="$(realpath -e "$1")" || { echo "no runtime $1" >&2; exit 2; }
shift
SUITE="${HULL_CONFORMANCE_DIR:-/var/cache/hull-conformance}/suite"
[ -x "$SUITE/runtimetest" ] || { echo "no suite in $SUITE: run tests/conformance/build-suite.sh" >&2; exit 2; }
: "${OUT_DIR:?OUT_DIR must be set}"
mkdir -p "$OUT_DIR/tap" "$OUT_DIR/bundles"
TMPD="$(cd "$OUT_DIR/bundles" && pwd -P)"
exec 9>"${HULL_CONFORMANCE_DIR:-/var/cache/hull-conformance}/.run.lock"
flock -w 3600 9 || { echo "another conformance run holds the lock" >&2; exit 2; }

# After each program: delete its containers (their bundles are under TMPD),
# undo mounts it left below TMPD (deepest first), remove the bundles.
tidy() {
  local id m
  for id in $("$RT" list -f json 2>/dev/null | jq -r --arg p "$TMPD/" '.[]? | select((.bundle // "") | startswith($p)) | .id'); do
    timeout 20 "$RT" delete -f "$id" >/dev/null 2>&1
  done
  for m in $(awk -v p="$TMPD/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
  done
  if awk -v p="$TMPD/" 'index($5, p) == 1 {f = 1} END {exit !f}' /proc/self/mountinfo; then
    echo "# mounts remain under $TMPD; bundles kept" >&2
  else
    rm -rf --one-file-system "${TMPD:?}"/* 2>/dev/null
  fi
}

P=0; F=0
tidy
for n in "$@"; do
  tap="$OUT_DIR/tap/$n.tap"
  if [ -x "$SUITE/validation/$n.t" ]; then
    (cd "$SUITE" && RUNTIME="$RT" TMPDIR="$TMPD" exec timeout -k 10 "${TIMEOUT:-120}" "./validation/$n.t") \
      >"$tap" 2>"$OUT_DIR/tap/$n.err" </dev/null
    rc=$?
  else
    echo "no program $n in $SUITE" >"$OUT_DIR/tap/$n.err"; : >"$tap"; rc=127
  fi
  echo "$rc" >"$OUT_DIR/tap/$n.rc"
  tidy
  bad=$(grep -E '^not ok' "$tap" | grep -vc '# TODO')
  oks=$(grep -cE '^ok' "$tap")
  if [ "$rc" = 0 ] && [ "$bad" = 0 ]; then P=$((P + 1)); v=PASS; else F=$((F + 1)); v=FAIL; fi
  printf '%-36s %s  ok=%s not_ok=%s rc=%s\n' "$n" "$v" "$oks" "$bad" "$rc"
done
# the cgroup programs leave their fixed, empty cgroup directories behind
for d in /sys/fs/cgroup/*/testdir /sys/fs/cgroup/*/cgrouptest /sys/fs/cgroup/testdir /sys/fs/cgroup/cgrouptest; do
  [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
done
echo "$P passed, $F failed"
[ "$F" = 0 ]
