#!/bin/bash
# containerd 1.6 (containerd-shim-runc-v2) driven with ctr, hull as the
# runc binary (--runc-binary). containerd runs with its root, state and socket
# under a temporary directory and without the CRI plugin; every container
# lives in a namespace named for this run, so its cgroups are /<namespace>/ID.
ENGINE=containerd
source "$(dirname "$0")/lib.sh"
need_pkgs containerd busybox-static

cat > "$WORK/config.toml" <<C
version = 2
root = "$WORK/root"
state = "$WORK/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$WORK/containerd.sock"
[ttrpc]
  address = "$WORK/containerd.sock.ttrpc"
[debug]
  address = "$WORK/debug.sock"
C
start_daemon "$WORK/containerd.log" containerd --config "$WORK/config.toml"
NS="$TAG"
c() { ctr --address "$WORK/containerd.sock" -n "$NS" "$@"; }
# runc state under our WORK dir; its parent does not exist yet (the shim's --root)
crun_() { c run --runc-binary "$RUNTIME" --runc-root "$WORK/runc/$NS" --snapshotter native "$@"; }
IMG=docker.io/hull-e2e/busybox:latest
echo "# runtime: $HULL"

t "daemon and image"
wait_for 60 ctr --address "$WORK/containerd.sock" version
check "containerd answers" [ $? = 0 ] || tail -20 "$WORK/containerd.log"
make_image_tar
O c images import --snapshotter native "$IMAGE_TAR"
check "ctr images import" [ "$RC" = 0 ]

t "run: stdout, stderr, exit code"
OUT="$(crun_ --rm "$IMG" "$TAG-r1" sh -c 'echo out; echo err >&2; exit 3' 2>"$WORK/err" </dev/null)"; RC=$?
check "stdout" [ "$OUT" = out ]
check "stderr" [ "$(cat "$WORK/err")" = err ]
check "exit code 3" [ "$RC" = 3 ]

t "stdin"
# (ctr does not close the task's stdin at EOF: read one line)
OUT="$(echo hello-stdin | crun_ --rm "$IMG" "$TAG-r2" sh -c 'read x; echo got-$x' 2>&1)"
check "piped through" [ "$OUT" = got-hello-stdin ]

t "-t"
O script -qec "ctr --address $WORK/containerd.sock -n $NS run --runc-binary $RUNTIME --runc-root $WORK/runc/$NS --snapshotter native -t --rm $IMG $TAG-r3 sh -c 'tty; test -t 0 && echo isatty'" /dev/null
check "/dev/pts" contains "$OUT" /dev/pts/
check "stdin is a tty" contains "$OUT" isatty

t "detached, exec, exec -t, ps, pause, kill, delete"
O crun_ -d --cgroup "/$TAG/$TAG-d" "$IMG" "$TAG-d" sleep 1000
check "run -d" [ "$RC" = 0 ]
O c task exec --exec-id e1 "$TAG-d" sh -c 'echo in-exec; exit 5'
check "exec output" contains "$OUT" in-exec
check "exec exit code" [ "$RC" = 5 ]
O script -qec "ctr --address $WORK/containerd.sock -n $NS task exec -t --exec-id e2 $TAG-d tty" /dev/null
check "exec -t" contains "$OUT" /dev/pts/
O c task exec --exec-id e3 --cwd /tmp --user 1:1 "$TAG-d" sh -c 'echo $(pwd) $(id -u):$(id -g)'
check "exec --cwd --user" [ "$OUT" = "/tmp 1:1" ]
O c task ps "$TAG-d"
check "task ps (runtime ps)" [ "$RC" = 0 ] && check "lists the init" [ "$(echo "$OUT" | sed -n 2p | awk '{print $1}')" = "$(c task ls | awk -v id="$TAG-d" '$1==id{print $2}')" ]
O c task pause "$TAG-d"
check "pause" [ "$RC" = 0 ]
check "status PAUSED" contains "$(c task ls)" PAUSED
O c task resume "$TAG-d"
check "resume" [ "$RC" = 0 ]
check "status RUNNING" contains "$(c task ls)" RUNNING
O c task metrics "$TAG-d"
check "metrics (stats)" contains "$OUT" memory
# (ctr 1.6 has no task update; docker.sh's update goes through the same shim)
O c task kill -s SIGKILL "$TAG-d"
check "kill -s SIGKILL" [ "$RC" = 0 ]
wait_for 20 sh -c "ctr --address $WORK/containerd.sock -n $NS task ls | grep $TAG-d | grep -q STOPPED"
check "task stopped" [ $? = 0 ]
O c task delete "$TAG-d"
check "task delete prints 137" contains "$OUT" 137

t "restart: start the same container again"
O c task start -d "$TAG-d"
check "task start again" [ "$RC" = 0 ]
check "running" contains "$(c task ls)" RUNNING
O c task kill -s SIGKILL "$TAG-d"
wait_for 20 sh -c "ctr --address $WORK/containerd.sock -n $NS task ls | grep $TAG-d | grep -q STOPPED"
O c task delete "$TAG-d"
O c container rm "$TAG-d"
check "container rm" [ "$RC" = 0 ]

t "--memory-limit, --cpus (host side of the cgroup) and an OOM kill"
O crun_ -d --memory-limit 33554432 --cpus 1.5 "$IMG" "$TAG-res" sleep 1000
CG=$(find /sys/fs/cgroup/memory -type d -name "$TAG-res" | head -n1)
check "memory limit in the cgroup" [ "$(cat "$CG/memory.limit_in_bytes" 2>/dev/null)" = 33554432 ]
check "--cpus in the cgroup" [ "$(cat "${CG/memory/cpu}/cpu.cfs_quota_us" 2>/dev/null)" = 150000 ]
c task kill -s SIGKILL "$TAG-res" >/dev/null 2>&1
wait_for 20 sh -c "ctr --address $WORK/containerd.sock -n $NS task ls | grep $TAG-res | grep -q STOPPED"
c task delete "$TAG-res" >/dev/null 2>&1; c container rm "$TAG-res" >/dev/null 2>&1
ctr --address "$WORK/containerd.sock" -n "$NS" events > "$WORK/events" 2>&1 &
EVPID=$!
O crun_ --rm --memory-limit 33554432 "$IMG" "$TAG-oom" sh -c 'tail /dev/zero'
check "killed: 137" [ "$RC" = 137 ]
wait_for 10 grep -q /tasks/oom "$WORK/events"
check "an OOM event" [ $? = 0 ]
kill "$EVPID" 2>/dev/null; wait "$EVPID" 2>/dev/null

t "resources and security"
O crun_ --rm --cap-drop CAP_CHOWN "$IMG" "$TAG-cap" chown 1 /tmp
check "--cap-drop CAP_CHOWN refuses chown" [ "$RC" != 0 ]
O crun_ --rm "$IMG" "$TAG-cap2" chown 1 /tmp
check "chown allowed by default" [ "$RC" = 0 ]
O crun_ --rm --read-only "$IMG" "$TAG-ro" touch /x
check "--read-only" contains "$OUT" "Read-only file system"
O crun_ --rm --privileged --cap-drop CAP_SYS_RESOURCE "$IMG" "$TAG-priv" sh -c 'mkdir -p /mnt && mount -t tmpfs none /mnt && echo mounted; ls /dev | wc -l'
check "--privileged can mount" contains "$OUT" mounted
check "--privileged sees host devices" [ "${OUT##*$'\n'}" -gt 20 ]

t "environment, cwd, mounts, devices"
O crun_ --rm --env FOO=bar --cwd /tmp "$IMG" "$TAG-env" sh -c 'echo $FOO $(pwd)'
check "--env --cwd" [ "$OUT" = "bar /tmp" ]
O crun_ --rm --mount type=tmpfs,src=tmpfs,dst=/scratch,options=nosuid "$IMG" "$TAG-tmpfs" sh -c 'grep " /scratch " /proc/mounts'
check "tmpfs mount" contains "$OUT" "tmpfs /scratch tmpfs"
mkdir -p "$WORK/vol"
O crun_ --rm --mount "type=bind,src=$WORK/vol,dst=/data,options=rbind:rw" "$IMG" "$TAG-vol" sh -c 'echo written > /data/f'
check "bind mount written through" [ "$(cat "$WORK/vol/f" 2>/dev/null)" = written ]
O crun_ --rm --device /dev/null "$IMG" "$TAG-dev" sh -c 'test -c /dev/null && echo x > /dev/null && echo ok'
check "--device" [ "$OUT" = ok ]
# (no host pid check: ctr has no --pid host, and --with-ns pid:/proc/1/ns/pid
# fails with runc on this host: "can't get final child's PID from pipe")

t "errors"
O crun_ --rm "$IMG" "$TAG-nosuch" nosuchcmd
check "nosuchcmd fails" [ "$RC" != 0 ]
check "with runc's wording" contains "$OUT" "executable file not found in \$PATH"
c container rm "$TAG-nosuch" >/dev/null 2>&1

t "20 containers in parallel"
PAR=()
for i in $(seq 20); do crun_ --rm "$IMG" "$TAG-par$i" sh -c "echo par-$i" >"$WORK/par-$i" 2>&1 </dev/null & PAR+=($!); done
wait "${PAR[@]}"  # not a bare wait: the daemon is our child too
n=0; OUT=""
for i in $(seq 20); do if [ "$(cat "$WORK/par-$i")" = "par-$i" ]; then n=$((n+1)); else OUT+="[$i: $(cat -A "$WORK/par-$i")] "; fi; done
check "20 of 20 ran" [ "$n" = 20 ]

t "cleanup"
for id in $(c task ls -q 2>/dev/null); do c task kill -s SIGKILL "$id"; c task delete -f "$id"; done >/dev/null 2>&1
for id in $(c container ls -q 2>/dev/null); do c container rm "$id"; done >/dev/null 2>&1
c images rm "$IMG" >/dev/null 2>&1
for p in "${_PIDS[@]}"; do stop_pid "$p"; done; _PIDS=()
rmdir_parent_cgroups
check "no process, mount or cgroup left" nothing_left
finish
