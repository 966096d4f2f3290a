#!/bin/bash
# docker 20.10 (Debian's docker.io: /usr/sbin/dockerd, client /usr/bin/docker)
# with hull as the default runtime. dockerd (and the containerd it starts)
# keep all state under a temporary directory, listen on a private socket, and
# touch no network: --bridge=none, --iptables=false, containers --network none.
ENGINE=docker
source "$(dirname "$0")/lib.sh"
need_pkgs docker.io busybox-static
DOCKER=/usr/bin/docker   # not /usr/local/bin/docker (a client-only binary)

cat > "$WORK/daemon.json" <<C
{
  "runtimes": {"hull": {"path": "$RUNTIME"}},
  "default-runtime": "hull",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "cgroup-parent": "/$TAG",
  "storage-driver": "vfs",
  "bridge": "none",
  "iptables": false,
  "ip6tables": false,
  "ip-forward": false,
  "ip-masq": false,
  "userland-proxy": false,
  "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 4096, "Hard": 4096}},
  "log-driver": "json-file",
  "features": {"buildkit": false}
}
C
export DOCKER_HOST="unix://$WORK/docker.sock"
start_daemon "$WORK/dockerd.log" /usr/sbin/dockerd --config-file "$WORK/daemon.json" \
  --data-root "$WORK/data" --exec-root "$WORK/exec" --pidfile "$WORK/dockerd.pid" \
  -H "$DOCKER_HOST"
eng() { "$DOCKER" "$@"; }
erun() { eng run --network none "$@"; }
# docker wants a terminal on its own stdin for -t
tty_run() { script -qec "$(printf '%q ' "$DOCKER" run --network none -t "$@")" /dev/null; }
tty_exec() { script -qec "$(printf '%q ' "$DOCKER" exec -t "$@")" /dev/null; }
IMG=hull-e2e/busybox:latest
echo "# runtime: $HULL"

t "daemon and image"
wait_for 60 "$DOCKER" version
check "dockerd answers" [ $? = 0 ] || { tail -20 "$WORK/dockerd.log"; }
make_image_tar
O eng load -i "$IMAGE_TAR"
check "docker load" [ "$RC" = 0 ]
check "default runtime is hull" [ "$(eng info -f '{{.DefaultRuntime}}')" = hull ]

cli_checks_io
cli_checks_lifecycle

t "--memory and an OOM kill"
O erun --name "$TAG-oom" --memory 32m --memory-swap 32m "$IMG" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; tail /dev/zero'
check "limit in the cgroup" contains "$OUT" 33554432
check "killed: 137" [ "$RC" = 137 ]
check "reported as OOMKilled" [ "$(eng inspect -f '{{.State.OOMKilled}}' "$TAG-oom")" = true ]
eng rm -f "$TAG-oom" >/dev/null 2>&1

cli_checks_resources
cli_checks_security
# docker --privileged grants every capability docker knows, bounding set or
# not: on a host whose bounding set lacks one (this VM: CAP_SYS_RESOURCE) runc
# refuses to start it, and so must the runtime under test.
O erun --rm --privileged "$IMG" sh -c 'mkdir -p /mnt && mount -t tmpfs none /mnt && echo mounted; ls /dev | wc -l'
if grep -q '^CapBnd:.*000001ffffffffff' /proc/self/status; then
  check "--privileged can mount" contains "$OUT" mounted
  check "--privileged sees host devices" [ "${OUT##*$'\n'}" -gt 20 ]
else
  check "--privileged refused: a capability outside the bounding set" [ "$RC" != 0 ]
  check "with errno words" contains "$OUT" "operation not permitted"
fi

cli_checks_env_errors_parallel

t "--init"
O erun --rm --init "$IMG" cat /proc/1/comm
check "pid 1 is docker-init" contains "$OUT" docker-init

t "cleanup"
eng rm -f $(eng ps -aq) >/dev/null 2>&1
for p in "${_PIDS[@]}"; do stop_pid "$p"; done; _PIDS=()
rmdir_parent_cgroups
check "no process, mount or cgroup left" nothing_left
finish
