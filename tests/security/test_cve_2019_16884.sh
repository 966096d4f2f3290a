#!/bin/bash
# CVE-2019-16884 / CVE-2019-19921 class: /proc or a mount target in the
# rootfs is a symlink to a host path, or is swapped during setup. Mounts
# never land outside the rootfs and /proc is a real procfs.
source "$(dirname "$0")/lib.sh"

HOSTDIR="$WORK/host-target"; mkdir -p "$HOSTDIR"; touch "$HOSTDIR/untouched"
host_clean() { [ -e "$HOSTDIR/untouched" ] && [ "$(ls -A "$HOSTDIR")" = untouched ] && ! mountpoint -q "$HOSTDIR"; }
proc_real='[ "$(stat -f -c %T /proc)" = proc ] && [ -r /proc/self/status ] && echo PROC_OK'

t "rootfs /proc is a symlink to a host directory"
b="$(new_bundle procsym)"
rmdir "$b/rootfs/proc"; ln -s "$HOSTDIR" "$b/rootfs/proc"
set_args "$b" sh -c "$proc_real; touch /proc/escaped 2>/dev/null; true"
run_in "$b" "$(uniq_id 16884a)"
expect_refused_or "procfs stays inside, is real" contains "$OUT" PROC_OK
check "host directory untouched" host_clean

t "rootfs /proc is a relative symlink climbing out"
b="$(new_bundle procrel)"
rmdir "$b/rootfs/proc"; ln -s "../../../../../../../../$HOSTDIR" "$b/rootfs/proc"
set_args "$b" sh -c "$proc_real; true"
run_in "$b" "$(uniq_id 16884b)"
expect_refused_or "procfs stays inside, is real" contains "$OUT" PROC_OK
check "host directory untouched" host_clean

t "rootfs /proc is a symlink to /sys (a fake procfs target)"
b="$(new_bundle procsys)"
rmdir "$b/rootfs/proc"; ln -s /sys "$b/rootfs/proc"
set_args "$b" sh -c "$proc_real; true"
run_in "$b" "$(uniq_id 16884c)"
expect_refused_or "/proc is a real procfs" contains "$OUT" PROC_OK

t "a bind mount whose target is an absolute symlink to a host path"
b="$(new_bundle bindsym)"
SRC="$WORK/bind-src"; mkdir -p "$SRC"; echo inside > "$SRC/marker"
ln -s "$HOSTDIR" "$b/rootfs/evil"
cfg "$b" '.mounts += [{"destination": "/evil", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]' --arg s "$SRC"
set_args "$b" sh -c 'cat /evil/marker; touch /evil/written; true'
run_in "$b" "$(uniq_id 16884d)"
expect_refused_or "mount resolved inside the rootfs" contains "$OUT" inside
check "host directory untouched" host_clean

t "a tmpfs mount target that is a relative symlink climbing out"
b="$(new_bundle tmpsym)"
ln -s "../../../../../../../../$HOSTDIR" "$b/rootfs/evil2"
cfg "$b" '.mounts += [{"destination": "/evil2", "type": "tmpfs", "source": "tmpfs"}]'
set_args "$b" sh -c 'touch /evil2/written && echo WROTE_INSIDE; true'
run_in "$b" "$(uniq_id 16884e)"
expect_refused_or "tmpfs stays inside" contains "$OUT" WROTE_INSIDE
check "host directory untouched" host_clean

t "/proc swapped between a directory and a host symlink during setup"
b="$(new_bundle race)"
set_args "$b" sh -c "$proc_real; true"
( end=$((SECONDS + 6)); while [ $SECONDS -lt $end ]; do
    rm -rf "$b/rootfs/proc" 2>/dev/null; ln -sfn "$HOSTDIR" "$b/rootfs/proc" 2>/dev/null
    rm -f "$b/rootfs/proc" 2>/dev/null; mkdir -p "$b/rootfs/proc" 2>/dev/null
  done ) &
swapper=$!
bad=0; runs=0; real=0
while kill -0 $swapper 2>/dev/null; do
  run_in "$b" "$(uniq_id 16884f)"; runs=$((runs+1))
  # (the swapper may also delete the mounted /proc from the host side after
  # setup; only a mount on the host target is an escape)
  [ "$RC" = 0 ] && contains "$OUT" PROC_OK && real=$((real+1))
  host_clean || bad=$((bad+1))
done
wait $swapper
if [ "$bad" = 0 ]; then ok "$runs runs, $real saw a real /proc, none mounted on the host target"; else fail "$bad bad outcomes in $runs runs"; fi
check "host directory untouched" host_clean

finish
