#!/bin/bash
# Makes a small toolchain image with buildah -- from scratch, plus the files
# of the host's gcc, binutils, libc headers, make and a static busybox for
# /bin/sh -- saves it as an oci-archive and imports it with hull-storage.
#   examples/ci-build/make-image.sh [NAME[:TAG]]     (default ci-toolchain:1)
set -euo pipefail
TOP="$(cd "$(dirname "$0")/../.." && pwd)"
HS="${HULL_STORAGE_BIN:-$TOP/build/hooks/storage/hull-storage}"
NAME="${1:-ci-toolchain:1}"
command -v buildah >/dev/null || { echo "buildah is needed (apt-get install buildah)" >&2; exit 2; }
W="$(mktemp -d /var/tmp/hull-ci-image.XXXXXX)"
B=(buildah --root "$W/root" --runroot "$W/run" --storage-driver vfs)
trap '"${B[@]}" rm -a >/dev/null 2>&1; "${B[@]}" rmi -a -f >/dev/null 2>&1; rm -rf "$W"' EXIT

PKGS="gcc-12 cpp-12 libgcc-12-dev libgcc-s1 libcc1-0 binutils binutils-common binutils-x86-64-linux-gnu
      libbinutils libctf0 libctf-nobfd0 libgprofng0 libsframe0 libjansson4 libc6 libc6-dev libc-dev-bin
      linux-libc-dev libcrypt1 libcrypt-dev libisl23 libmpc3 libmpfr6 libgmp10 zlib1g libzstd1 libstdc++6
      make libasan8 liblsan0 libtsan2 libubsan1 libitm1 libatomic1 libquadmath0 libgomp1 libhwasan0"
# Every file of those packages (merged /usr: /lib -> /usr/lib), but no docs.
for p in $PKGS; do dpkg -L "$p" 2>/dev/null || true; done |
  sed -E 's#^/(bin|lib|lib64|sbin)/#/usr/\1/#' | grep -vE '^/usr/share/(doc|man|info|locale|lintian|bug|gdb)' |
  sort -u | while read -r f; do [ -f "$f" ] || [ -L "$f" ] && echo "${f#/}"; done > "$W/files"

c="$("${B[@]}" from scratch)"
mnt="$("${B[@]}" mount "$c")"
mkdir -p "$mnt"/usr/{bin,lib,lib64,sbin} "$mnt"/{etc,tmp,src,out,cache}
for l in bin lib lib64 sbin; do ln -s "usr/$l" "$mnt/$l"; done
tar -C / -cf - --no-recursion -T "$W/files" | tar -C "$mnt" -xf - --keep-directory-symlink
cp /bin/busybox "$mnt/usr/bin/busybox"
for a in sh ls cat echo mkdir rm; do [ -e "$mnt/usr/bin/$a" ] || ln -s busybox "$mnt/usr/bin/$a"; done
ln -sf x86_64-linux-gnu-gcc-12 "$mnt/usr/bin/gcc"
ln -sf gcc "$mnt/usr/bin/cc"
chroot "$mnt" /sbin/ldconfig 2>/dev/null || true
"${B[@]}" umount "$c" >/dev/null
"${B[@]}" config --cmd '["/bin/sh"]' --env PATH=/usr/bin:/bin --workingdir /src \
  --label org.example.purpose=ci-toolchain "$c"
"${B[@]}" commit -q "$c" "$NAME" >/dev/null
"${B[@]}" push -q "$NAME" "oci-archive:$W/image.tar" >/dev/null
echo "image archive: $(du -h "$W/image.tar" | cut -f1)"
"$HS" image import --name "$NAME" "$W/image.tar"
