#!/bin/bash
# Fault injection: every command killed (SIGKILL) at named steps
# (HULL_FAULT_STEP) and at random delays, then `delete -f`, then the host is
# checked for anything left (processes, cgroups in every hierarchy, mounts,
# state dirs and fifos, seccomp-cache temporaries, hook-made resources) and
# the id is created again. Plus full disk, read-only root, corrupt state,
# racing commands and signal forwarding of `run`. Last line:
#   faults: N passed, N failed
# Knobs: RANDOM_KILLS (per command, default 6); FAULT_POINTS: only these
# kill points, as CMD:STEP words (CMD:random for its random ones; default
# all); FAULT_CASES: only these cases of cases.sh (default all: corrupt race
# start-delete kill-delete exec disk readonly hook-kill signals). The v2 VM
# (tests/v2/run.sh) runs a reduced set: it is emulated, hence slow.
# CGROUP_SNAPSHOT=1 (where nothing else makes cgroups, as in the VM): at the
# end every cgroup directory must be one that existed at the start.
set -u
TOP="$(cd "$(dirname "$0")/../.." && pwd)"
HULL="${HULL:-$TOP/build/runtime/hull}"
ROOTFS_CACHE="${HULL_TEST_ROOTFS:-/var/tmp/hull-test-rootfs}"
ROOT="${HULL_TEST_STATE:-/run/hull-faults}.$$"
WORK="$(mktemp -d /var/tmp/hull-faults.XXXXXX)"
chmod 755 "$WORK"
RK="${RANDOM_KILLS:-6}"
P=0; F=0; KP=0
[ -x "$ROOTFS_CACHE/bin/busybox" ] || "$TOP/tests/integration/make-rootfs.sh" "$ROOTFS_CACHE" >/dev/null
h() { "$HULL" --root "$ROOT" "$@"; }
ok() { P=$((P + 1)); echo "ok - $*"; }
bad() { F=$((F + 1)); echo "not ok - $*"; }
PFX="flt$$"
want_point() { [ -z "${FAULT_POINTS:-}" ] || [[ " $FAULT_POINTS " == *" $1 "* ]]; }
want_case() { [ -z "${FAULT_CASES:-}" ] || [[ " $FAULT_CASES " == *" $1 "* ]]; }

# The bundle: sleeps; a createRuntime hook makes a resource (a file named
# after the id), poststop removes it; a seccomp section made unique per
# create (errnoRet) so the cache writes a new entry every time.
B="$WORK/bundle"; mkdir -p "$B" "$WORK/res"
cp -a "$ROOTFS_CACHE" "$B/rootfs"
printf '#!/bin/sh\nid=$(jq -r .id) && touch "%s/res/$id"\n' "$WORK" > "$WORK/res-make"
printf '#!/bin/sh\nid=$(jq -r .id) && rm -f "%s/res/$id"\n' "$WORK" > "$WORK/res-drop"
chmod 755 "$WORK/res-make" "$WORK/res-drop"
jq --arg w "$WORK" --arg mark "HULLFAULT=$PFX" '
  .process.terminal = false | .process.args = ["sleep", "1000"] | .process.env += [$mark]
  | .hooks = {createRuntime: [{path: ($w + "/res-make"), env: ["PATH=/usr/bin:/bin"]}],
              poststop: [{path: ($w + "/res-drop"), env: ["PATH=/usr/bin:/bin"]}]}
  | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mknodat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}
' "$TOP/tests/integration/config-template.json" > "$B/config.json"
unique_seccomp() { jq --argjson n "$((RANDOM % 4000 + 1))" '.linux.seccomp.syscalls[0].errnoRet = $n' "$B/config.json" > "$B/c.json" && mv "$B/c.json" "$B/config.json"; }

# leftovers ID: prints what is left of ID on the host (nothing = clean).
leftovers() {
  local id="$1" p
  [ -e "$ROOT/$id" ] && echo "state dir $ROOT/$id: $(ls -A "$ROOT/$id" | tr '\n' ' ')"
  find "$ROOT/seccomp-cache" -name '.*' -type f 2>/dev/null | sed 's/^/seccomp temp: /'
  find /sys/fs/cgroup -maxdepth 6 -type d -name "$id" 2>/dev/null | sed 's/^/cgroup: /'
  grep -F "$WORK/" /proc/self/mountinfo | awk -v t="$WORK/tiny" '$5 != t {print "mount: " $5}'
  [ -e "$WORK/res/$id" ] && echo "hook resource $WORK/res/$id"
  for p in $( { grep -lzsx -- "$id" /proc/[0-9]*/cmdline; grep -lzsx "HULLFAULT=$PFX" /proc/[0-9]*/environ; } 2>/dev/null | cut -d/ -f3 | sort -u); do
    [ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
    [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] && continue
    [ -e "/proc/$p" ] && echo "process $p: $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)"
  done
}

# clean_and_reuse WHAT ID: delete -f, check nothing is left, create again.
clean_and_reuse() {
  local what="$1" id="$2" left e
  e="$(h delete -f "$id" 2>&1)" || { bad "$what: delete -f failed: $e"; return; }
  left="$(leftovers "$id")"
  if [ -n "$left" ]; then bad "$what: left behind: $(echo "$left" | head -5 | tr '\n' ';')"; return; fi
  # (output to files: a container's init keeps create's stdout open)
  (cd "$B" && h create "$id") >/dev/null 2>"$WORK/reuse.err" || { bad "$what: id not reusable: $(cat "$WORK/reuse.err")"; h delete -f "$id" >/dev/null 2>&1; return; }
  e="$(h delete -f "$id" 2>&1)" || { bad "$what: delete -f of the new container failed: $e"; h delete -f "$id" >/dev/null 2>&1; return; }
  left="$(leftovers "$id")"
  [ -z "$left" ] || { bad "$what: reuse left: $left"; return; }
  ok "$what"
}

# shown WHAT ID STATUSES: before delete -f, `state` and `list` show what a
# killed command left (a half-made container is not hidden), with a status
# among STATUSES.
shown() {
  local what="$1" id="$2" st
  [ -e "$ROOT/$id" ] || return 0 # killed before it claimed the id
  st="$(h state "$id" 2>&1 | jq -r .status 2>/dev/null)"
  if [[ " $3 " != *" $st "* ]]; then bad "$what: state shows '$st' ($(h state "$id" 2>&1 | head -1)), not one of $3"; return; fi
  h list 2>/dev/null | grep -q "^$id " || { bad "$what: list hides it"; return; }
  ok "$what: state and list show it ($st)"
}

# setup CMD ID: what must exist before CMD runs.
setup() {
  case "$1" in
  create | run | run-d) ;;
  start) (cd "$B" && h create "$2") ;;
  *) (cd "$B" && h run -d "$2") ;;
  esac
}
# action CMD ID: the command to cut (in the background, its pid in $!).
action() {
  case "$1" in
  create) cd "$B" && exec "$HULL" --root "$ROOT" create "$2" ;;
  run) cd "$B" && exec "$HULL" --root "$ROOT" run "$2" </dev/null ;;
  run-d) cd "$B" && exec "$HULL" --root "$ROOT" run -d "$2" ;;
  start) exec "$HULL" --root "$ROOT" start "$2" ;;
  exec) exec "$HULL" --root "$ROOT" exec "$2" sleep 1000 ;;
  delete) exec "$HULL" --root "$ROOT" delete -f "$2" ;;
  update) exec "$HULL" --root "$ROOT" update --pids-limit 200 "$2" ;;
  pause) exec "$HULL" --root "$ROOT" pause "$2" ;;
  kill) exec "$HULL" --root "$ROOT" kill "$2" KILL ;;
  esac
}

STEPS_CREATE="create.claimed file.tmp create.recorded create.config create.fifo create.cgroup create.seccomp create.cloned create.pid_saved create.hooks create.hooks_done create.ready create.saved"
STEPS_START="start.locked start.claimed start.released start.saved"
declare -A STEPS=(
  [create]="$STEPS_CREATE"
  [run]="$STEPS_CREATE run.created $STEPS_START run.started"
  [run-d]="$STEPS_CREATE run.created $STEPS_START run.started"
  [start]="$STEPS_START file.tmp"
  [exec]="exec.loaded exec.forked exec.placed exec.running"
  [delete]="delete.locked delete.killed delete.cgroup delete.poststop delete.record"
  [update]="update.locked update.applied"
  [pause]="pause.locked pause.frozen"
  [kill]="kill.loaded"
)

cg_dirs() { find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort; }
[ "${CGROUP_SNAPSHOT:-0}" = 1 ] && cg_dirs > "$WORK/cgroups.before"

echo "# kill points"
for cmd in create run run-d start exec delete update pause kill; do
  id="$PFX-$cmd"
  for step in ${STEPS[$cmd]}; do
    want_point "$cmd:$step" || continue
    unique_seccomp
    setup "$cmd" "$id" >/dev/null 2>&1
    HULL_FAULT_STEP="$step" action "$cmd" "$id" >/dev/null 2>&1 &
    pid=$!
    # the step may never come (run waits for its process): kill it anyway
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
    kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    KP=$((KP + 1))
    case $step in
    create.*) shown "$cmd killed at $step" "$id" "creating stopped" ;;
    *) shown "$cmd killed at $step" "$id" "creating created running paused stopped" ;;
    esac
    clean_and_reuse "$cmd killed at $step" "$id"
  done
  # random points over the command's typical duration
  want_point "$cmd:random" || continue
  unique_seccomp
  setup "$cmd" "$id" >/dev/null 2>&1
  t0=$(date +%s%N); action "$cmd" "$id" >/dev/null 2>&1 & pid=$!
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.01; done
  dur=$((($(date +%s%N) - t0) / 1000)); kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  h delete -f "$id" >/dev/null 2>&1
  [ "$dur" -gt 1000000 ] && dur=1000000
  for _ in $(seq 1 "$RK"); do
    unique_seccomp
    setup "$cmd" "$id" >/dev/null 2>&1
    us=$((RANDOM * 32768 + RANDOM)); us=$((us % (dur + 1)))
    action "$cmd" "$id" >/dev/null 2>&1 & pid=$!
    sleep "$(printf '0.%06d' "$us")"
    kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    KP=$((KP + 1))
    shown "$cmd killed after ${us}us" "$id" "creating created running paused stopped"
    clean_and_reuse "$cmd killed after ${us}us (of ~${dur}us)" "$id"
  done
done
echo "# $KP kill points"

. "$TOP/tests/faults/cases.sh"

if [ "${CGROUP_SNAPSHOT:-0}" = 1 ]; then
  new="$(cg_dirs | comm -13 "$WORK/cgroups.before" -)"
  [ -z "$new" ] && ok "no cgroup directory left under /sys/fs/cgroup ($(wc -l < "$WORK/cgroups.before") before and after)" ||
    bad "cgroup directories left: $(echo "$new" | head -5 | tr '\n' ' ')"
fi

rm -rf "$ROOT" "$WORK"
echo "faults: $P passed, $F failed"
[ "$F" = 0 ]
