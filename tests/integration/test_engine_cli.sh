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

finish
