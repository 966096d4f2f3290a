# Helpers shared by the tests/security attacks; sources the integration lib.
# HULL defaults to the lead's build; the CVE tests attack a copy of it.
HERE_SEC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${HULL:=$(cd "$HERE_SEC/../.." && pwd)/build/runtime/hull}"
export HULL
source "$HERE_SEC/../integration/lib.sh"
[ -x "$HULL" ] || { echo "not ok - hull binary $HULL not found"; echo "RESULT 0 1"; exit 1; }
# The seccomp notify listener (built by meson next to the unit tests).
LISTENER="${HULL_SECCOMP_LISTENER:-$(dirname "$(dirname "$HULL")")/tests/seccomp_listener}"

# expect_refused_or DESC CHECK-CMD...: ok when hull refused (RC != 0 with a
# message) or when it ran and CHECK-CMD passes.
expect_refused_or() {
  local d="$1"; shift
  if [ "$RC" != 0 ] && [ -n "$ERR" ]; then ok "$d (refused: ${ERR:0:120})"
  elif [ "$RC" = 0 ] && "$@"; then ok "$d"
  else fail "$d"; fi
}

# set_args BUNDLE ARG...: process.args = the arguments. Redefined here: jq
# would parse arguments such as "-c" as its own options.
set_args() {
  local b="$1"; shift
  local a='[]' x
  for x in "$@"; do a="$(jq -c --arg x "$x" '. + [$x]' <<<"$a")"; done
  jq --argjson a "$a" '.process.args = $a' "$b/config.json" > "$b/config.json.new" &&
    mv "$b/config.json.new" "$b/config.json"
}

# has_exec: the hull under test has an `exec` subcommand.
has_exec() { "$HULL" --help 2>/dev/null | grep -qE '^[[:space:]]+exec[[:space:]]'; }
