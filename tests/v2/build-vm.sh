#!/bin/bash
# Builds what tests/v2/vm-run.sh boots: Debian's kernel (from the
# linux-image-amd64 package, unpacked into the cache -- nothing is installed
# into /boot) and a small busybox initramfs whose /init mounts the host's /
# read-only over 9p with a tmpfs overlay on top, so host binaries run as they
# are, on a kernel booted with cgroup_no_v1=all (pure cgroup v2).
#   tests/v2/build-vm.sh            # build unless the cache is usable
#   FORCE=1 tests/v2/build-vm.sh
#   VM_KERNEL_FROM=package ...     # unpack the package even when the kernel is installed
# Cache: $HULL_VM_CACHE (default /var/cache/hull-v2vm): vmlinuz, vmlinux (when
# it can be extracted: boots faster), initramfs.cpio.gz, kver. Modules come
# from the host's /lib/modules/KVER when that kernel is installed, else from
# the unpacked package ($HULL_VM_CACHE/pkg). A cache made by another script is
# used when it follows the same boot protocol (see vm-run.sh), which /init
# declares; otherwise it is rebuilt.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
C="${HULL_VM_CACHE:-/var/cache/hull-v2vm}"
say() { echo "build-vm: $*" >&2; }

# usable: kernel + initramfs whose /init speaks vm-run.sh's protocol, modules present
usable() {
  local k
  [ -s "$C/vmlinuz" ] && [ -s "$C/initramfs.cpio.gz" ] && [ -s "$C/kver" ] || return 1
  k="$(cat "$C/kver")"
  [ -f "/lib/modules/$k/modules.dep" ] || [ -f "$C/pkg/lib/modules/$k/modules.dep" ] || return 1
  # the protocol: 9p tags hostroot, host and ctl; ctl/dir, ctl/cmd, ctl/rc
  zcat "$C/initramfs.cpio.gz" | cpio -i --to-stdout --quiet init 2>/dev/null |
    grep -q 'mount_tag\|hostroot' || return 1
}

mkdir -p "$C"
exec 8>"$C/.build.lock"
flock 8
if [ "${FORCE:-0}" != 1 ] && usable; then say "cache $C is usable (kernel $(cat "$C/kver"))"; exit 0; fi

# ------------------------------------------------------------ host tools
need=(qemu-system-x86 qemu-system-data busybox-static cpio kmod util-linux xz-utils zstd)
"$HERE/../apt-need.sh" "${need[@]}"

# ------------------------------------------- Debian's kernel, unpacked
# linux-image-amd64 depends on the current linux-image-VERSION-amd64.
pkg="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ {print $2; exit}')"
[ -n "$pkg" ] || { apt-get update >&2; pkg="$(apt-cache depends linux-image-amd64 | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ {print $2; exit}')"; }
[ -n "$pkg" ] || { say "apt knows no linux-image-amd64"; exit 1; }
KVER="${pkg#linux-image-}"
STAGE="$(mktemp -d "$C/.stage.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
if [ "${VM_KERNEL_FROM:-auto}" != package ] && [ -f "/lib/modules/$KVER/modules.dep" ] && [ -s "/boot/vmlinuz-$KVER" ]; then
  say "kernel $KVER: installed on this machine"
  KIMG="/boot/vmlinuz-$KVER"; MODROOT=/
else
  say "kernel $KVER: apt-get download $pkg"
  (cd "$STAGE" && apt-get download "$pkg" >&2)
  rm -rf "$C/pkg"; mkdir -p "$STAGE/pkg"
  dpkg-deb -x "$STAGE"/linux-image-*.deb "$STAGE/pkg"
  depmod -b "$STAGE/pkg" "$KVER"
  mv "$STAGE/pkg" "$C/pkg"
  KIMG="$C/pkg/boot/vmlinuz-$KVER"; MODROOT="$C/pkg"
fi
MODS="$MODROOT/lib/modules/$KVER"

# ------------------------------------------------------------ initramfs
R="$STAGE/root"
mkdir -p "$R"/{bin,dev,proc,sys,etc,lower,upper,newroot,ctl,"lib/modules/$KVER"}
cp /bin/busybox "$R/bin/"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
ln -s bin "$R/sbin"
# what /init needs before the host root is mounted, in load order
: >"$R/etc/modules"
for m in virtio_pci virtio_console virtio_rng 9pnet_virtio 9p overlay; do
  modprobe -d "$MODROOT" -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" {print $2}' | while read -r f; do
    rel="${f#"$MODS"/}"
    mkdir -p "$R/lib/modules/$KVER/$(dirname "$rel")"
    cp -n "$f" "$R/lib/modules/$KVER/$rel"
    grep -qxF "$rel" "$R/etc/modules" || echo "$rel" >>"$R/etc/modules"
  done
done
echo "$KVER" >"$R/etc/kver"
# the package's modules, when the kernel is not installed on the host: stage 2
# binds them over /lib/modules/KVER so the guest loads veth, bridge, ... on demand
[ "$MODROOT" = / ] || echo "$C/pkg/lib/modules/$KVER" >"$R/etc/moddir"
cp "$HERE/vm-init.sh" "$R/init"
cp "$HERE/vm-stage2.sh" "$R/stage2"
chmod 755 "$R/init"
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$STAGE/initramfs.cpio.gz"

# An uncompressed ELF vmlinux boots faster under TCG (no decompressor run in
# emulation): find the compressed payload in the bzImage and unpack it.
vmlinux_from() {
  local m off
  for m in '\xfd7zXZ\x00:xz' '\x28\xb5\x2f\xfd:zstd' '\x1f\x8b\x08:gzip'; do
    for off in $(LC_ALL=C grep -obUaP "${m%:*}" "$1" | cut -d: -f1 | head -n 3); do
      tail -c +$((off + 1)) "$1" | "${m##*:}" -dc 2>/dev/null >"$2" || true
      [ "$(head -c 4 "$2" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] && return 0
    done
  done
  rm -f "$2"; return 1
}
cp "$KIMG" "$STAGE/vmlinuz"
if vmlinux_from "$STAGE/vmlinuz" "$STAGE/vmlinux"; then mv "$STAGE/vmlinux" "$C/vmlinux"; else rm -f "$C/vmlinux"; fi
mv "$STAGE/vmlinuz" "$C/vmlinuz"
mv "$STAGE/initramfs.cpio.gz" "$C/initramfs.cpio.gz"
echo "$KVER" >"$C/kver"
say "ready: $C (kernel $KVER$([ -f "$C/vmlinux" ] && echo ', vmlinux extracted'))"
