#!/bin/busybox sh
# Stage 1 of the v2 test VM (the initramfs's /init; built by build-vm.sh).
# Boot protocol shared with vm-run.sh: three 9p shares -- "hostroot" (the
# host's /, read-only), "host" (the test directory, read-write, mounted at the
# path named in ctl/dir) and "ctl" (dir, cmd, cgroup_opts in; rc out).
export PATH=/bin
fail() { echo "v2vm init: $*" >&2; echo 125 >/ctl/rc; sync; poweroff -f; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
K=$(cat /etc/kver)
for m in $(cat /etc/modules); do insmod "/lib/modules/$K/$m" 2>/dev/null; done
O=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o $O,cache=none ctl /ctl || fail "no ctl share"
mount -t 9p -o $O,ro,cache=loose hostroot /lower || fail "no hostroot share"
mount -t tmpfs -o mode=755 upper /upper
mkdir -p /upper/data /upper/work
mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work overlay /newroot ||
  fail "overlay over the host root failed"
mount -t tmpfs -o mode=755,nosuid,nodev run /newroot/run
mkdir -p /newroot/run/vmrun
mount --move /ctl /newroot/run/vmrun
D=$(cat /newroot/run/vmrun/dir)
if [ -n "$D" ]; then
  mkdir -p "/newroot$D"
  mount -t 9p -o $O,cache=mmap host "/newroot$D" || fail "cannot mount $D"
fi
cp /bin/busybox /newroot/run/busybox
cp /stage2 /newroot/run/stage2
[ -f /etc/moddir ] && cp /etc/moddir /newroot/run/moddir
for f in dev proc sys; do mount --move /$f /newroot/$f; done
exec switch_root /newroot /run/busybox sh /run/stage2
