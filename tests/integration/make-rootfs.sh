#!/bin/bash
# Builds a minimal busybox rootfs (from Debian's busybox-static) into DIR.
#   make-rootfs.sh DIR
set -euo pipefail
D="$1"
BB=/bin/busybox
[ -x "$BB" ] || { echo "busybox-static is not installed (apt-get install busybox-static)" >&2; exit 1; }
mkdir -p "$D"/{bin,sbin,dev,proc,sys,etc,tmp,root,var,run,home}
cp "$BB" "$D/bin/busybox"
for a in $("$D/bin/busybox" --list); do
  [ "$a" = busybox ] || [ -e "$D/bin/$a" ] || ln -s busybox "$D/bin/$a"
done
chmod 1777 "$D/tmp"
cat > "$D/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$D/etc/group" <<'G'
root:x:0:
daemon:x:1:
users:x:100:
nogroup:x:65534:
G
echo "hull-test" > "$D/etc/hostname"
