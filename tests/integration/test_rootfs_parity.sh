#!/bin/bash
# Rootfs corners where runc's behaviour is the contract: bind mounts whose
# destination in the rootfs is a dangling symlink, /proc as a symlink,
# --no-pivot hiding the host's procfs and sysfs.
source "$(dirname "$0")/lib.sh"

hull() { timeout -k 5 30 "$HULL" --root "$TEST_ROOT" "$@"; }
sh_in() { cfg "$1" '.process.args = ["/bin/sh", "-c", $c]' --arg c "$2"; }
add_mount() { cfg "$1" '.mounts += [$m]' --argjson m "$2"; }

echo hello >"$WORK/file"
mkdir -p "$WORK/dir"
echo indir >"$WORK/dir/inner"

t "bind mount through a dangling symlink component"
B="$(new_bundle dangling-mid)"
rm -f "$B/rootfs/etc/hosts"
ln -s /tmp/foo/bar "$B/rootfs/jump"
ln -s /jump/baz/hosts "$B/rootfs/etc/hosts"
rm -rf "$B/rootfs/tmp/foo"
add_mount "$B" "{\"destination\":\"/etc/hosts\",\"source\":\"$WORK/file\",\"options\":[\"bind\"]}"
sh_in "$B" 'cat /tmp/foo/bar/baz/hosts; cat /proc/self/mountinfo'
run_in "$B" "$(uniq_id dmid)"
check "runs" [ "$RC" = 0 ]
check "the missing path is created inside the rootfs and mounted" bash -c '[[ "$1" == hello* ]] && grep -q " /tmp/foo/bar/baz/hosts " <<<"$1"' _ "$OUT"
check "created in the bundle's rootfs, not on the host" [ -f "$B/rootfs/tmp/foo/bar/baz/hosts" ]

t "bind mount through a trailing dangling symlink"
B="$(new_bundle dangling-end)"
rm -f "$B/rootfs/etc/hosts"
ln -s /tmp/hosts "$B/rootfs/etc/hosts"
add_mount "$B" "{\"destination\":\"/etc/hosts\",\"source\":\"$WORK/file\",\"options\":[\"bind\"]}"
sh_in "$B" 'cat /tmp/hosts'
run_in "$B" "$(uniq_id dend)"
check "file source: target file created, mounted" bash -c '[ "$1" = 0 ] && [ "$2" = hello ]' _ "$RC" "$OUT"
rm -rf "$B/rootfs/tmp/hosts"
cfg "$B" '.mounts[-1].source = $s' --arg s "$WORK/dir"
sh_in "$B" 'cat /tmp/hosts/inner'
run_in "$B" "$(uniq_id dend2)"
check "directory source: target directory created, mounted" bash -c '[ "$1" = 0 ] && [ "$2" = indir ]' _ "$RC" "$OUT"

t "/proc is a symlink"
mkdir -p "$WORK/victim"
B="$(new_bundle proc-link)"
rm -rf "$B/rootfs/proc"
mkdir -p "$B/rootfs/bad-proc"
ln -s /bad-proc "$B/rootfs/proc"
ID="$(uniq_id proclink)"
run_in "$B" "$ID"
check "refused with runc's words" bash -c '[ "$1" != 0 ] && [[ "$2" == *"must be mounted on ordinary directory"* ]]' _ "$RC" "$ERR"
check "one error line" [ "$(grep -c . <<<"$ERR")" = 1 ]
check "nothing left behind" no_leftovers "$ID"
check "nothing mounted through the link" [ -z "$(ls -A "$B/rootfs/bad-proc")" ]

t "--no-pivot"
B="$(new_bundle nopivot)"
# runc's no_pivot.bats: a process that makes its own user+mount+pid namespace
# must not be able to mount a fresh procfs, which it could if the host's
# fully visible /proc were still in the mount namespace under the chroot.
sh_in "$B" 'unshare -mrpf sh -c "mount -t proc none /proc && echo MOUNTED" 2>&1; cat /proc/self/mountinfo'
cfg "$B" '.process.capabilities.bounding += ["CAP_SETFCAP"] | .process.capabilities.permitted += ["CAP_SETFCAP"]'
ID="$(uniq_id nopivot)"
_IDS+=("$ID")
OUT="$(cd "$B" && hull run --no-pivot "$ID" 2>"$WORK/stderr" </dev/null)"
RC=$?
ERR="$(cat "$WORK/stderr")"
check "runs" [ "$RC" = 0 ]
check "a nested procfs mount is refused" bash -c '[[ "$1" != *MOUNTED* ]] && [[ "$1" == *"ermission denied"* ]]' _ "$OUT"
check "host mounts unchanged after the run" no_leftovers "$ID"

finish
