#!/bin/bash
# buildah 1.28 with hull as the OCI runtime (--runtime PATH --isolation oci):
# a base image made from busybox-static with `buildah from scratch`, then
# `buildah bud` of Containerfiles whose RUN steps write files, fail, and see
# no network. Storage lives under a temporary directory.
ENGINE=buildah
source "$(dirname "$0")/lib.sh"
need_pkgs buildah busybox-static

printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' "$WORK/runroot" "$WORK/storage" > "$WORK/storage.conf"
printf 'unqualified-search-registries = []\n' > "$WORK/registries.conf"
cat > "$WORK/containers.conf" <<C
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$WORK/tmp"
C
export CONTAINERS_CONF="$WORK/containers.conf" CONTAINERS_STORAGE_CONF="$WORK/storage.conf"
export CONTAINERS_REGISTRIES_CONF="$WORK/registries.conf" TMPDIR="$WORK"
bh() { buildah "$@"; }
BUDFLAGS=(--runtime "$RUNTIME" --isolation oci --network none --cgroup-parent "/$TAG" --layers=false)
IMG=localhost/hull-e2e/busybox
echo "# runtime: $HULL"

t "base image from scratch"
make_rootfs_tar
CTR="$(bh from scratch 2>/dev/null)"
O bh add "$CTR" "$WORK/rootfs.tar" /
check "buildah add rootfs" [ "$RC" = 0 ]
bh config --cmd sh --env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$CTR" >/dev/null 2>&1
O bh commit --rm "$CTR" "$IMG"
check "buildah commit" [ "$RC" = 0 ]

t "bud: RUN steps write files"
mkdir -p "$WORK/ctx1"
cat > "$WORK/ctx1/Containerfile" <<'F'
FROM localhost/hull-e2e/busybox
RUN echo built > /built.txt && id -u > /uid.txt
RUN mkdir -p /opt/app && echo second >> /built.txt
WORKDIR /opt/app
RUN pwd > where.txt
F
O bh bud "${BUDFLAGS[@]}" -t localhost/hull-e2e/built "$WORK/ctx1"
check "bud succeeds" [ "$RC" = 0 ]
CTR="$(bh from localhost/hull-e2e/built 2>/dev/null)"
MNT="$(bh mount "$CTR" 2>/dev/null)"
check "RUN wrote /built.txt" [ "$(cat "$MNT/built.txt" 2>/dev/null)" = "built
second" ]
check "RUN ran as root" [ "$(cat "$MNT/uid.txt" 2>/dev/null)" = 0 ]
check "WORKDIR honoured" [ "$(cat "$MNT/opt/app/where.txt" 2>/dev/null)" = /opt/app ]
bh umount "$CTR" >/dev/null 2>&1

t "buildah run"
O bh run --runtime "$RUNTIME" --isolation oci --network none "$CTR" -- sh -c 'cat /built.txt; exit 4'
check "output" contains "$OUT" second
check "exit code 4" [ "$RC" = 4 ]
bh rm "$CTR" >/dev/null 2>&1

t "bud: a failing RUN fails the build with its exit code"
mkdir -p "$WORK/ctx2"
printf 'FROM localhost/hull-e2e/busybox\nRUN echo before\nRUN exit 42\nRUN echo never > /never\n' > "$WORK/ctx2/Containerfile"
O bh bud "${BUDFLAGS[@]}" -t localhost/hull-e2e/failed "$WORK/ctx2"
check "bud fails" [ "$RC" != 0 ]
check "names the step's exit code 42" contains "$OUT" "exit status 42"
check "later steps did not run" lacks "$OUT" never

t "bud: RUN with the network none"
mkdir -p "$WORK/ctx3"
printf 'FROM localhost/hull-e2e/busybox\nRUN cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " > /ifaces\n' > "$WORK/ctx3/Containerfile"
O bh bud "${BUDFLAGS[@]}" -t localhost/hull-e2e/net "$WORK/ctx3"
check "bud succeeds" [ "$RC" = 0 ]
CTR="$(bh from localhost/hull-e2e/net 2>/dev/null)"
MNT="$(bh mount "$CTR" 2>/dev/null)"
check "only lo in the RUN step" [ "$(cat "$MNT/ifaces" 2>/dev/null)" = lo ]
bh umount "$CTR" >/dev/null 2>&1

t "bud: a missing command exits 127"
mkdir -p "$WORK/ctx4"
printf 'FROM localhost/hull-e2e/busybox\nRUN ["nosuchcmd"]\n' > "$WORK/ctx4/Containerfile"
O bh bud "${BUDFLAGS[@]}" -t localhost/hull-e2e/nosuch "$WORK/ctx4"
check "bud fails" [ "$RC" != 0 ]
check "with runc's wording" contains "$OUT" "executable file not found in \$PATH"

t "cleanup"
bh rm -a >/dev/null 2>&1
bh rmi -af >/dev/null 2>&1
rmdir_parent_cgroups
check "no process, mount or cgroup left" nothing_left
finish
