# Shared helpers for the integration tests (bash, run as root).
# Source it from a test_*.sh; call `finish` at the end.
set -u
TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HULL="${HULL:-$TOP/build/runtime/hull}"
ROOTFS_CACHE="${HULL_TEST_ROOTFS:-/var/tmp/hull-test-rootfs}"
TEST_ROOT="${HULL_TEST_STATE:-/run/hull-test}"   # --root for every test
WORK="$(mktemp -d /var/tmp/hull-it.XXXXXX)"
chmod 755 "$WORK" # a user-namespace container's root must be able to reach its rootfs
PASSED=0
FAILED=0
CURRENT=""
_IDS=()

[ -x "$ROOTFS_CACHE/bin/busybox" ] || "$TOP/tests/integration/make-rootfs.sh" "$ROOTFS_CACHE" >/dev/null

hull() { "$HULL" --root "$TEST_ROOT" "$@"; }

# new_bundle NAME -> prints bundle dir; rootfs is a copy of the cache, the
# config is the test template (edit it with `cfg NAME JQ-FILTER`).
new_bundle() {
  local b="$WORK/$1"
  mkdir -p "$b"
  cp -a "$ROOTFS_CACHE" "$b/rootfs"
  cp "$TOP/tests/integration/config-template.json" "$b/config.json"
  echo "$b"
}

# cfg BUNDLE FILTER [jq args...]: edits BUNDLE/config.json in place with jq.
cfg() {
  local b="$1" f="$2"; shift 2
  jq "$f" "$b/config.json" "$@" > "$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}

# set_args BUNDLE ARG...: process.args = the arguments.
# (NUL-separated through stdin: jq would take "-c" & co. as its own options)
set_args() {
  local b="$1" a; shift
  a="$(printf '%s\0' "$@" | jq -Rsc 'rtrimstr("\u0000") | split("\u0000")')"
  cfg "$b" '.process.args = $a' --argjson a "$a"
}

# run_in BUNDLE ID: hull run, stdout to $OUT, stderr to $ERR, status to $RC.
run_in() {
  local b="$1" id="$2"
  _IDS+=("$id")
  OUT="$(cd "$b" && hull run "$id" 2>"$WORK/stderr" </dev/null)"; RC=$?
  ERR="$(cat "$WORK/stderr")"
}

uniq_id() { echo "it-$1-$$-$RANDOM"; }

ok() { PASSED=$((PASSED+1)); echo "ok - $CURRENT${1:+: $1}"; }
fail() { FAILED=$((FAILED+1)); echo "not ok - $CURRENT${1:+: $1}"; [ -n "${OUT:-}" ] && echo "#   stdout: ${OUT:0:500}"; [ -n "${ERR:-}" ] && echo "#   stderr: ${ERR:0:500}"; return 0; }
t() { CURRENT="$1"; }

# check DESC COMMAND...: ok when COMMAND succeeds.
check() { local d="$1"; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
# contains HAYSTACK NEEDLE
contains() { [[ "$1" == *"$2"* ]]; }
lacks() { [[ "$1" != *"$2"* ]]; }

# no_leftovers ID: no state dir, no cgroup dir named after ID, no process.
no_leftovers() {
  local id="$1"
  [ ! -e "$TEST_ROOT/$id" ] || return 1
  ! find /sys/fs/cgroup -maxdepth 3 -name "$id" 2>/dev/null | grep -q . || return 1
  ! grep -q "$WORK/.*/rootfs" /proc/self/mountinfo 2>/dev/null || return 1
  return 0
}

cleanup() {
  local id
  for id in "${_IDS[@]}"; do
    hull delete -f "$id" >/dev/null 2>&1 || true
  done
  local m
  for m in $(awk -v p="$WORK/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null
  done
  rm -rf --one-file-system "$WORK"
}

finish() {
  cleanup
  echo "# $(basename "$0"): $PASSED passed, $FAILED failed"
  echo "RESULT $PASSED $FAILED"
  [ "$FAILED" = 0 ]
}
