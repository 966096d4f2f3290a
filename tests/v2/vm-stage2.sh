# Stage 2 of the v2 test VM: PID 1 in the overlay of the host's root, with
# busybox at /run/busybox. Mounts cgroup2 (every controller enabled for the
# children of the root), the usual pseudo file systems, runs ctl/cmd with its
# output on the virtio ports "stdout" and "stderr", writes its status to ctl/rc
# and powers off.
b=/run/busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8
opts=$($b cat /run/vmrun/cgroup_opts 2>/dev/null)
$b mount -t cgroup2 -o "${opts:-nsdelegate,memory_recursiveprot}" cgroup2 /sys/fs/cgroup ||
  $b mount -t cgroup2 cgroup2 /sys/fs/cgroup
for c in $($b cat /sys/fs/cgroup/cgroup.controllers); do echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control; done 2>/dev/null
$b mkdir -p /dev/pts /dev/shm /dev/mqueue /tmp /var/tmp
$b mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
$b mount -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm
$b mount -t mqueue mqueue /dev/mqueue
$b mount -t tmpfs -o mode=1777,nosuid,nodev tmp /tmp
$b mount -t bpf -o mode=700 bpf /sys/fs/bpf 2>/dev/null
$b mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
for l in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 stderr:/proc/self/fd/2; do
  $b ln -sf "${l#*:}" "/dev/${l%%:*}"
done
# the kernel's modules when it is not installed on the host (build-vm.sh)
K=$($b uname -r)
if [ -f /run/moddir ] && [ ! -f "/lib/modules/$K/modules.dep" ]; then
  $b mkdir -p "/lib/modules/$K" && $b mount --bind "$($b cat /run/moddir)" "/lib/modules/$K"
fi
# device nodes of modules loaded on demand (fuse, loop-control, net/tun, ...)
while read -r _ name dev; do
  case $dev in [cb][0-9]*:[0-9]*) ;; *) continue;; esac
  [ -e "/dev/$name" ] && continue
  $b mkdir -p "$($b dirname "/dev/$name")"
  mm=${dev#?}; $b mknod "/dev/$name" "${dev%"$mm"}" "${mm%%:*}" "${mm#*:}"
done <"/lib/modules/$K/modules.devname" 2>/dev/null
$b hostname v2vm
$b ip link set lo up 2>/dev/null
out=/dev/console; err=/dev/console
for p in /sys/class/virtio-ports/*; do
  case "$($b cat "$p/name" 2>/dev/null)" in stdout) out=/dev/${p##*/};; stderr) err=/dev/${p##*/};; esac
done
/bin/bash /run/vmrun/cmd </dev/null >"$out" 2>"$err"
echo $? >/run/vmrun/rc
$b sync
$b umount -l /run/vmrun 2>/dev/null
$b poweroff -f
