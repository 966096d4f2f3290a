#!/bin/bash
# podman 4.3 with hull as its OCI runtime. All podman state (storage, run
# dir, tmp dir, containers.conf) lives under a temporary directory; podman has
# no daemon, conmon processes are stopped with their containers.
ENGINE=podman
source "$(dirname "$0")/lib.sh"
need_pkgs podman conmon catatonit busybox-static
# conmon writes a file "oom" into its working directory when a container is
# OOM-killed (podman 4.3 gives it no persist dir): keep that inside WORK.
cd "$WORK" || exit 2

cat > "$WORK/containers.conf" <<C
[containers]
netns = "none"
# within the VM's hard nofile (20000); CAP_SYS_RESOURCE is not in the bounding set
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$WORK/events.log"
tmp_dir = "$WORK/tmp"
volume_path = "$WORK/volumes"
runtime_supports_json = ["hull", "hull-capture", "runc", "crun"]
[network]
network_config_dir = "$WORK/net"
cni_plugin_dirs = ["/usr/lib/cni"]
C
printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' "$WORK/runroot" "$WORK/storage" > "$WORK/storage.conf"
printf 'unqualified-search-registries = []\n' > "$WORK/registries.conf"
export CONTAINERS_CONF="$WORK/containers.conf" CONTAINERS_STORAGE_CONF="$WORK/storage.conf"
export CONTAINERS_REGISTRIES_CONF="$WORK/registries.conf"
eng() { podman --runtime "$RUNTIME" --cgroup-manager cgroupfs "$@"; }
# every container in our own cgroup parent (removed at the end)
erun() { eng run --network none --cgroup-parent "/$TAG" "$@"; }
tty_run() { erun -t "$@"; }
tty_exec() { eng exec -t "$@"; }
IMG=localhost/hull-e2e/busybox
echo "# runtime: $HULL"

t "image from busybox-static"
make_rootfs_tar
O eng import --change 'CMD ["sh"]' "$WORK/rootfs.tar" "$IMG"
check "podman import" [ "$RC" = 0 ]

cli_checks_io
cli_checks_lifecycle

t "--memory and an OOM kill"
O erun --name "$TAG-oom" --memory 32m "$IMG" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; tail /dev/zero'
check "limit in the cgroup" contains "$OUT" 33554432
check "killed: 137" [ "$RC" = 137 ]
# (podman's OOMKilled comes from conmon, which misses v1 OOM events on this
# hybrid host with runc as well; docker.sh and containerd.sh check the report)
eng rm -f "$TAG-oom" >/dev/null 2>&1

cli_checks_resources --ulimit nproc=4096:4096
cli_checks_security
O erun --rm --privileged "$IMG" sh -c 'mkdir -p /mnt && mount -t tmpfs none /mnt && echo mounted; ls /dev | wc -l'
check "--privileged can mount" contains "$OUT" mounted
check "--privileged sees host devices" [ "${OUT##*$'\n'}" -gt 20 ]

cli_checks_env_errors_parallel

t "--init"
O erun --rm --init "$IMG" cat /proc/1/comm
check "pid 1 is podman's init (catatonit)" [ "$OUT" = podman-init ]

t "cleanup"
eng rm -af >/dev/null 2>&1
eng rmi -af >/dev/null 2>&1
# conmon's own (empty) cgroup, which podman leaves under the parent by design
for d in $(tag_cgroups); do rmdir "$d/conmon" 2>/dev/null; done
rmdir_parent_cgroups
check "no process, mount or cgroup left" nothing_left
finish
