#!/bin/bash
# What engines (containerd's shim, conmon/podman, docker, buildah) send and
# parse on hull's command line, checked by hand: --root creation, --log JSON
# on every command, --version, kill forms, ps JSON, update -r, delete -f of a
# gone container, checkpoint probing, runc's errno wording.
source "$(dirname "$0")/lib.sh"

t "--root is created with its parents, mode 0700"
B=$(new_bundle root); set_args "$B" true
NEWROOT="$WORK/state/a/b/runc/default"
ID=$(uniq_id root)
(cd "$B" && "$HULL" --root "$NEWROOT" run "$ID" >/dev/null 2>"$WORK/err"); RC=$?; ERR="$(cat "$WORK/err")"
check "run with a missing --root parent succeeds" [ "$RC" = 0 ]
check "--root is mode 0700" [ "$(stat -c %a "$NEWROOT" 2>/dev/null)" = 700 ]
check "its new parent is mode 0700" [ "$(stat -c %a "$WORK/state/a/b" 2>/dev/null)" = 700 ]
check "nothing left in it" [ -z "$(ls -A "$NEWROOT" 2>/dev/null)" ]

t "linux.devices fileMode with file-type bits (podman's 0o20666)"
B=$(new_bundle devmode); set_args "$B" stat -c '%F %a %t:%T' /dev/hullnull
cfg "$B" '.linux.devices = [{"type":"c","path":"/dev/hullnull","major":1,"minor":3,"fileMode":8630}]'
run_in "$B" "$(uniq_id devmode)"
check "created as a character device with mode 666" [ "$OUT" = "character special file 666 1:3" ]

t "--log FILE --log-format json: every command's error lands there"
LOG="$WORK/log.json"
for cmd in "state" "kill" "delete" "start" "pause" "resume" "ps" "exec" "update --memory 1m" "events --stats"; do
  : > "$LOG"
  # shellcheck disable=SC2086
  if [ "${cmd%% *}" = exec ]; then
    hull --log "$LOG" --log-format json exec it-nosuch-$$ true >/dev/null 2>&1; RC=$?
  else
    hull --log "$LOG" --log-format json $cmd it-nosuch-$$ >/dev/null 2>&1; RC=$?
  fi
  OUT="$(cat "$LOG")"
  check "$cmd: fails" [ "$RC" != 0 ]
  check "$cmd: one JSON error line naming the container" \
    [ "$(jq -r 'select(.level=="error") | .msg' "$LOG" 2>/dev/null | grep -c 'does not exist')" = 1 ]
done
: > "$LOG"
hull --log "$LOG" --log-format json state --no-such-flag x >/dev/null 2>&1
OUT="$(cat "$LOG")"
check "a flag error reaches the log too" [ "$(jq -r .level "$LOG" 2>/dev/null)" = error ]
check "log lines carry level, msg, time" [ "$(jq -c 'keys' "$LOG" 2>/dev/null | head -n1)" = '["level","msg","time"]' ]

t "--version in runc's form"
OUT="$("$HULL" --version)"
check "first line: hull version X" [ "$(sed -n 1p <<<"$OUT" | grep -cE '^hull version [0-9]')" = 1 ]
check "spec line" contains "$OUT" $'\nspec: 1.'
check "libseccomp line" contains "$OUT" $'\nlibseccomp: 2.'

t "delete --force of a container that is already gone"
hull delete --force it-gone-$$ >/dev/null 2>&1; RC=$?
check "succeeds" [ "$RC" = 0 ]
hull delete it-gone-$$ >/dev/null 2>&1; RC=$?
check "without --force it fails" [ "$RC" != 0 ]

gone() { [ ! -e "/proc/$1/stat" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
t "kill forms: 9, KILL, SIGKILL, --all"
for sig in 9 KILL SIGKILL --all; do
  B=$(new_bundle "kill$RANDOM"); set_args "$B" sh -c 'sleep 100 & sleep 100'
  ID=$(uniq_id kill); _IDS+=("$ID")
  (cd "$B" && hull create "$ID" >/dev/null 2>&1 && hull start "$ID")
  PID=$(hull state "$ID" | jq .pid)
  if [ "$sig" = --all ]; then
    wait_ok() { [ "$(pgrep -c -P "$PID" 2>/dev/null)" -ge 1 ]; }
    for i in $(seq 50); do wait_ok && break; sleep 0.1; done
    CHILD=$(pgrep -P "$PID" | head -n1)
    hull kill --all "$ID" KILL; RC=$?
  else
    hull kill "$ID" "$sig"; RC=$?
  fi
  check "kill $sig accepted" [ "$RC" = 0 ]
  for i in $(seq 50); do [ "$(hull state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
  check "kill $sig stopped it" [ "$(hull state "$ID" | jq -r .status)" = stopped ]
  if [ "$sig" = --all ]; then check "kill --all reached the child too" gone "$CHILD"; fi
  hull delete "$ID" >/dev/null 2>&1
done

t "ps --format json: a JSON array of host pids"
B=$(new_bundle ps); set_args "$B" sh -c 'sleep 100 & sleep 100'
ID=$(uniq_id ps); _IDS+=("$ID")
(cd "$B" && hull create "$ID" >/dev/null 2>&1 && hull start "$ID")
PID=$(hull state "$ID" | jq .pid)
for i in $(seq 50); do [ "$(pgrep -c -P "$PID")" -ge 1 ] && break; sleep 0.1; done
OUT="$(hull ps --format json "$ID")"
check "an array of numbers" [ "$(jq -r 'type + ":" + (map(type) | unique | join(","))' <<<"$OUT")" = "array:number" ]
check "holds the init's host pid" [ "$(jq --argjson p "$PID" 'index($p) != null' <<<"$OUT")" = true ]
check "and its child" [ "$(jq length <<<"$OUT")" = 2 ]

t "update --resources - and --resources=FILE"
CG=$(awk -F: '$2 ~ /(^|,)pids(,|$)/ {print $3}' "/proc/$PID/cgroup")
echo '{"pids":{"limit":77}}' | hull update --resources - "$ID"; RC=$?
check "update -r - succeeds" [ "$RC" = 0 ]
check "pids.max from stdin" [ "$(cat "/sys/fs/cgroup/pids$CG/pids.max")" = 77 ]
echo '{"pids":{"limit":78}}' > "$WORK/res.json"
hull update --resources="$WORK/res.json" "$ID"; RC=$?
check "update --resources=FILE succeeds" [ "$RC" = 0 ]
check "pids.max from the file" [ "$(cat "/sys/fs/cgroup/pids$CG/pids.max")" = 78 ]
hull delete -f "$ID" >/dev/null 2>&1

t "checkpoint: probed with --help, refused clearly"
"$HULL" checkpoint --help >/dev/null 2>&1; RC=$?
check "checkpoint --help exits non-zero (podman: not supported)" [ "$RC" != 0 ]
"$HULL" restore --help >/dev/null 2>&1; RC=$?
check "restore --help exits non-zero" [ "$RC" != 0 ]
ERR="$(hull checkpoint --image-path /tmp/x some-id 2>&1)"; RC=$?
check "checkpoint fails" [ "$RC" != 0 ]
check "with one line saying why" [ "$(wc -l <<<"$ERR")" = 1 ]
check "naming CRIU" contains "$ERR" CRIU

t "runc's lowercase errno words (docker maps them to 127/126)"
B=$(new_bundle nosuch); set_args "$B" nosuchcmd
run_in "$B" "$(uniq_id nosuch)"
check "executable file not found in \$PATH" contains "$ERR" 'exec: "nosuchcmd": executable file not found in $PATH'
B=$(new_bundle noexec); set_args "$B" /etc/passwd
run_in "$B" "$(uniq_id noexec)"
check "permission denied" contains "$ERR" 'exec: "/etc/passwd": permission denied'
B=$(new_bundle nofile); set_args "$B" /no/such
run_in "$B" "$(uniq_id nofile)"
check "no such file or directory" contains "$ERR" 'no such file or directory'

finish
