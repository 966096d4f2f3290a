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
dk() { "$DOCKER" "$@"; }
drun() { dk run --network none "$@"; }
IMG=hull-e2e/busybox:latest
echo "# runtime: $HULL"

t "daemon and image"
wait_for 60 "$DOCKER" version
check "dockerd answers" [ $? = 0 ] || { tail -20 "$WORK/dockerd.log"; }
make_image_tar
O dk load -i "$IMAGE_TAR"
check "docker load" [ "$RC" = 0 ]
check "default runtime is hull" [ "$(dk info -f '{{.DefaultRuntime}}')" = hull ]

t "run: stdout, stderr, exit code"
OUT="$(drun --rm "$IMG" sh -c 'echo out; echo err >&2; exit 3' 2>"$WORK/err")"; RC=$?
check "stdout" [ "$OUT" = out ]
check "stderr" [ "$(cat "$WORK/err")" = err ]
check "exit code 3" [ "$RC" = 3 ]

t "stdin"
OUT="$(echo hello-stdin | drun -i --rm "$IMG" cat 2>&1)"
check "piped through" [ "$OUT" = hello-stdin ]

t "-t"
O script -qec "$DOCKER run --network none -t --rm $IMG sh -c 'tty; test -t 0 && echo isatty'" /dev/null
check "/dev/pts" contains "$OUT" /dev/pts/
check "stdin is a tty" contains "$OUT" isatty

t "detached, exec, exec -t, stop, rm"
O drun -d --name "$TAG-d" "$IMG" sleep 1000
check "run -d" [ "$RC" = 0 ]
O dk exec "$TAG-d" sh -c 'echo in-exec; exit 5'
check "exec output" contains "$OUT" in-exec
check "exec exit code" [ "$RC" = 5 ]
O script -qec "$DOCKER exec -t $TAG-d tty" /dev/null
check "exec -t" contains "$OUT" /dev/pts/
O dk exec -e FOO=bar -w /tmp -u 1:1 "$TAG-d" sh -c 'echo $FOO $(pwd) $(id -u):$(id -g)'
check "exec -e -w -u" [ "$OUT" = "bar /tmp 1:1" ]

t "pause / unpause"
O dk pause "$TAG-d"
check "pause" [ "$RC" = 0 ]
check "status paused" [ "$(dk inspect -f '{{.State.Status}}' "$TAG-d")" = paused ]
O dk unpause "$TAG-d"
check "unpause" [ "$RC" = 0 ]
check "status running" [ "$(dk inspect -f '{{.State.Status}}' "$TAG-d")" = running ]

t "top, stats, update, kill -s"
O dk top "$TAG-d"
check "top lists sleep" contains "$OUT" "sleep 1000"
O dk stats --no-stream --format '{{.Name}} {{.PIDs}}' "$TAG-d"
check "stats" contains "$OUT" "$TAG-d 1"
O dk update --cpus 0.5 "$TAG-d"
check "update --cpus" [ "$RC" = 0 ]
O dk exec "$TAG-d" cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us
check "quota updated" [ "$OUT" = 50000 ]
O dk kill -s KILL "$TAG-d"
check "kill -s KILL" [ "$RC" = 0 ]
wait_for 20 sh -c "[ \"\$($DOCKER inspect -f '{{.State.Status}}' $TAG-d)\" = exited ]"
check "exited 137" [ "$(dk inspect -f '{{.State.ExitCode}}' "$TAG-d")" = 137 ]

t "restart, stop, rm"
O dk restart "$TAG-d"
check "restart" [ "$RC" = 0 ]
check "running again" [ "$(dk inspect -f '{{.State.Status}}' "$TAG-d")" = running ]
O dk stop -t 1 "$TAG-d"
check "stop" [ "$RC" = 0 ]
O dk rm "$TAG-d"
check "rm" [ "$RC" = 0 ]

t "--memory and an OOM kill"
O drun --name "$TAG-oom" --memory 32m --memory-swap 32m "$IMG" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; tail /dev/zero'
check "limit in the cgroup" contains "$OUT" 33554432
check "killed: 137" [ "$RC" = 137 ]
check "reported as OOMKilled" [ "$(dk inspect -f '{{.State.OOMKilled}}' "$TAG-oom")" = true ]
dk rm -f "$TAG-oom" >/dev/null 2>&1

t "resources: --pids-limit, --cpus, --ulimit"
O drun --rm --pids-limit 42 --cpus 1.5 --ulimit nofile=123:456 "$IMG" sh -c 'cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us; ulimit -n; ulimit -Hn'
check "--pids-limit" [ "$(sed -n 1p <<<"$OUT")" = 42 ]
check "--cpus" [ "$(sed -n 2p <<<"$OUT")" = 150000 ]
check "--ulimit" [ "$(sed -n 3,4p <<<"$OUT" | tr '\n' ' ')" = "123 456 " ]

t "security"
O drun --rm --cap-drop CHOWN "$IMG" chown 1 /tmp
check "--cap-drop CHOWN refuses chown" [ "$RC" != 0 ]
O drun --rm "$IMG" chown 1 /tmp
check "chown allowed by default" [ "$RC" = 0 ]
O drun --rm --read-only "$IMG" touch /x
check "--read-only" contains "$OUT" "Read-only file system"
O drun --rm --user 1000:1000 "$IMG" sh -c 'echo $(id -u):$(id -g)'
check "--user" [ "$OUT" = 1000:1000 ]
# docker --privileged grants every capability docker knows, bounding set or
# not: on a host whose bounding set lacks one (this VM: CAP_SYS_RESOURCE) runc
# refuses to start it, and so must the runtime under test.
O drun --rm --privileged "$IMG" sh -c 'mkdir -p /mnt && mount -t tmpfs none /mnt && echo mounted; ls /dev | wc -l'
if grep -q '^CapBnd:.*000001ffffffffff' /proc/self/status; then
  check "--privileged can mount" contains "$OUT" mounted
  check "--privileged sees host devices" [ "${OUT##*$'\n'}" -gt 20 ]
else
  check "--privileged refused: a capability outside the bounding set" [ "$RC" != 0 ]
  check "with errno words" contains "$OUT" "operation not permitted"
fi

t "environment, cwd, mounts, devices, sysctl, pid host"
mkdir -p "$WORK/vol"
O drun --rm -e FOO=bar -w /tmp --tmpfs /scratch -v "$WORK/vol:/data" --device /dev/null:/dev/hullnull \
  --sysctl kernel.shm_rmid_forced=1 "$IMG" sh -c 'echo $FOO $(pwd); grep -c " /scratch tmpfs " /proc/mounts; echo written > /data/f;
    test -c /dev/hullnull && echo x > /dev/hullnull && echo dev-ok; cat /proc/sys/kernel/shm_rmid_forced'
check "-e -w" [ "$(sed -n 1p <<<"$OUT")" = "bar /tmp" ]
check "--tmpfs" [ "$(sed -n 2p <<<"$OUT")" = 1 ]
check "volume written through" [ "$(cat "$WORK/vol/f" 2>/dev/null)" = written ]
check "--device" [ "$(sed -n 3p <<<"$OUT")" = dev-ok ]
check "--sysctl" [ "$(sed -n 4p <<<"$OUT")" = 1 ]
O drun --rm --pid host "$IMG" cat /proc/1/comm
check "--pid host" [ "$OUT" = "$(cat /proc/1/comm)" ]

t "errors"
O drun --rm "$IMG" nosuchcmd
check "nosuchcmd exits 127" [ "$RC" = 127 ]
O drun --rm "$IMG" /etc/passwd
check "not executable exits 126" [ "$RC" = 126 ]

t "20 containers in parallel"
PAR=()
for i in $(seq 20); do drun --rm "$IMG" sh -c "echo par-$i" >"$WORK/par-$i" 2>&1 & PAR+=($!); done
wait "${PAR[@]}"  # not a bare wait: the daemon is our child too
n=0; OUT=""
for i in $(seq 20); do if [ "$(cat "$WORK/par-$i")" = "par-$i" ]; then n=$((n+1)); else OUT+="[$i: $(cat -A "$WORK/par-$i")] "; fi; done
check "20 of 20 ran" [ "$n" = 20 ]

t "--init"
O drun --rm --init "$IMG" cat /proc/1/comm
check "pid 1 is docker-init" contains "$OUT" docker-init

t "cleanup"
dk rm -f $(dk ps -aq) >/dev/null 2>&1
for p in "${_PIDS[@]}"; do stop_pid "$p"; done; _PIDS=()
rmdir_parent_cgroups
check "no process, mount or cgroup left" nothing_left
finish
