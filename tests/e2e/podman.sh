#!/bin/bash
# podman 4.3 with hull as its OCI runtime. All podman state (storage, run
# dir, tmp dir, containers.conf) lives under a temporary directory; podman has
# no daemon, conmon processes are stopped with their containers.
ENGINE=podman
source "$(dirname "$0")/lib.sh"
need_pkgs podman conmon catatonit busybox-static

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
pm() { podman --runtime "$RUNTIME" --cgroup-manager cgroupfs "$@"; }
# every container in our own cgroup parent (removed at the end)
prun() { pm run --network none --cgroup-parent "/$TAG" "$@"; }
IMG=localhost/hull-e2e/busybox
echo "# runtime: $HULL"

t "image from busybox-static"
make_rootfs_tar
O pm import --change 'CMD ["sh"]' "$WORK/rootfs.tar" "$IMG"
check "podman import" [ "$RC" = 0 ]

t "run: stdout, stderr, exit code"
OUT="$(prun --rm "$IMG" sh -c 'echo out; echo err >&2; exit 3' 2>"$WORK/err")"; RC=$?
check "stdout" [ "$OUT" = out ]
check "stderr" [ "$(cat "$WORK/err")" = err ]
check "exit code 3" [ "$RC" = 3 ]

t "stdin"
OUT="$(echo hello-stdin | prun -i --rm "$IMG" cat 2>&1)"
check "piped through" [ "$OUT" = hello-stdin ]

t "-t"
O prun -t --rm "$IMG" sh -c 'tty; test -t 0 && echo isatty'
check "/dev/pts" contains "$OUT" /dev/pts/
check "stdin is a tty" contains "$OUT" isatty

t "detached, exec, exec -t, stop, rm"
O prun -d --name "$TAG-d" "$IMG" sleep 1000
check "run -d" [ "$RC" = 0 ]
O pm exec "$TAG-d" sh -c 'echo in-exec; exit 5'
check "exec output" contains "$OUT" in-exec
check "exec exit code" [ "$RC" = 5 ]
O pm exec -t "$TAG-d" tty
check "exec -t" contains "$OUT" /dev/pts/
O pm exec -e FOO=bar -w /tmp -u 1:1 "$TAG-d" sh -c 'echo $FOO $(pwd) $(id -u):$(id -g)'
check "exec -e -w -u" [ "$OUT" = "bar /tmp 1:1" ]

t "pause / unpause"
O pm pause "$TAG-d"
check "pause" [ "$RC" = 0 ]
check "status paused" [ "$(pm inspect -f '{{.State.Status}}' "$TAG-d")" = paused ]
O pm unpause "$TAG-d"
check "unpause" [ "$RC" = 0 ]
check "status running" [ "$(pm inspect -f '{{.State.Status}}' "$TAG-d")" = running ]

t "top, stats, update, kill -s"
O pm top "$TAG-d"
check "top lists sleep" contains "$OUT" "sleep 1000"
O pm stats --no-stream --format '{{.Name}} {{.PIDs}}' "$TAG-d"
check "stats" contains "$OUT" "$TAG-d 1"
O pm update --cpus 0.5 "$TAG-d"
check "update --cpus" [ "$RC" = 0 ]
O pm exec "$TAG-d" cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us
check "quota updated" [ "$OUT" = 50000 ]
O pm kill -s KILL "$TAG-d"
check "kill -s KILL" [ "$RC" = 0 ]
wait_for 20 sh -c "[ \"\$(podman --runtime $RUNTIME inspect -f '{{.State.Status}}' $TAG-d)\" = exited ]"
check "exited 137" [ "$(pm inspect -f '{{.State.ExitCode}}' "$TAG-d")" = 137 ]

t "restart, stop, rm"
O pm restart "$TAG-d"
check "restart" [ "$RC" = 0 ]
check "running again" [ "$(pm inspect -f '{{.State.Status}}' "$TAG-d")" = running ]
O pm stop -t 1 "$TAG-d"
check "stop" [ "$RC" = 0 ]
O pm rm "$TAG-d"
check "rm" [ "$RC" = 0 ]

t "--memory and an OOM kill"
O prun --name "$TAG-oom" --memory 32m "$IMG" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; tail /dev/zero'
check "limit in the cgroup" contains "$OUT" 33554432
check "killed: 137" [ "$RC" = 137 ]
# (podman's OOMKilled comes from conmon, which misses v1 OOM events on this
# hybrid host with runc as well; docker.sh and containerd.sh check the report)
pm rm -f "$TAG-oom" >/dev/null 2>&1

t "resources: --pids-limit, --cpus, --ulimit"
O prun --rm --pids-limit 42 --cpus 1.5 --ulimit nofile=123:456 --ulimit nproc=4096:4096 "$IMG" sh -c 'cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us; ulimit -n; ulimit -Hn'
check "--pids-limit" [ "$(sed -n 1p <<<"$OUT")" = 42 ]
check "--cpus" [ "$(sed -n 2p <<<"$OUT")" = 150000 ]
check "--ulimit" [ "$(sed -n 3,4p <<<"$OUT" | tr '\n' ' ')" = "123 456 " ]

t "security"
O prun --rm --cap-drop CHOWN "$IMG" chown 1 /tmp
check "--cap-drop CHOWN refuses chown" [ "$RC" != 0 ]
O prun --rm "$IMG" chown 1 /tmp
check "chown allowed by default" [ "$RC" = 0 ]
O prun --rm --read-only "$IMG" touch /x
check "--read-only" contains "$OUT" "Read-only file system"
O prun --rm --user 1000:1000 "$IMG" sh -c 'echo $(id -u):$(id -g)'
check "--user" [ "$OUT" = 1000:1000 ]
O prun --rm --privileged "$IMG" sh -c 'mkdir -p /mnt && mount -t tmpfs none /mnt && echo mounted; ls /dev | wc -l'
check "--privileged can mount" contains "$OUT" mounted
check "--privileged sees host devices" [ "${OUT##*$'\n'}" -gt 20 ]

t "environment, cwd, mounts, devices, sysctl, pid host"
mkdir -p "$WORK/vol"
O prun --rm -e FOO=bar -w /tmp --tmpfs /scratch -v "$WORK/vol:/data" --device /dev/null:/dev/hullnull \
  --sysctl kernel.shm_rmid_forced=1 "$IMG" sh -c 'echo $FOO $(pwd); grep -c " /scratch tmpfs " /proc/mounts; echo written > /data/f;
    test -c /dev/hullnull && echo x > /dev/hullnull && echo dev-ok; cat /proc/sys/kernel/shm_rmid_forced'
check "-e -w" [ "$(sed -n 1p <<<"$OUT")" = "bar /tmp" ]
check "--tmpfs" [ "$(sed -n 2p <<<"$OUT")" = 1 ]
check "volume written through" [ "$(cat "$WORK/vol/f" 2>/dev/null)" = written ]
check "--device" [ "$(sed -n 3p <<<"$OUT")" = dev-ok ]
check "--sysctl" [ "$(sed -n 4p <<<"$OUT")" = 1 ]
O prun --rm --pid host "$IMG" cat /proc/1/comm
check "--pid host" [ "$OUT" = "$(cat /proc/1/comm)" ]

t "errors"
O prun --rm "$IMG" nosuchcmd
check "nosuchcmd exits 127" [ "$RC" = 127 ]
O prun --rm "$IMG" /etc/passwd
check "not executable exits 126" [ "$RC" = 126 ]

t "20 containers in parallel"
PAR=()
for i in $(seq 20); do prun --rm "$IMG" sh -c "echo par-$i" >"$WORK/par-$i" 2>&1 & PAR+=($!); done
wait "${PAR[@]}"  # not a bare wait: the daemon is our child too
n=0; OUT=""
for i in $(seq 20); do if [ "$(cat "$WORK/par-$i")" = "par-$i" ]; then n=$((n+1)); else OUT+="[$i: $(cat -A "$WORK/par-$i")] "; fi; done
check "20 of 20 ran" [ "$n" = 20 ]

t "--init"
O prun --rm --init "$IMG" cat /proc/1/comm
check "pid 1 is podman's init (catatonit)" [ "$OUT" = podman-init ]

t "cleanup"
pm rm -af >/dev/null 2>&1
pm rmi -af >/dev/null 2>&1
# conmon's own (empty) cgroup, which podman leaves under the parent by design
for d in $(tag_cgroups); do rmdir "$d/conmon" 2>/dev/null; done
rmdir_parent_cgroups
check "no process, mount or cgroup left" nothing_left
finish
