# Shared helpers for the engine end-to-end tests (bash, run as root).
# A script sets ENGINE, sources this, runs its checks and calls `finish`.
# HULL selects the runtime binary (HULL=/usr/sbin/runc runs the same checks
# with runc); HULL_CAPTURE=DIR records every runtime call's argv and
# config.json there (how tests/unit/configs/engines was made).
set -u
TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HULL="${HULL:-$TOP/build/runtime/hull}"
[ -x "$HULL" ] || { echo "runtime $HULL not found (build hull first)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "e2e tests must run as root" >&2; exit 2; }
WORK="$(mktemp -d "/var/tmp/hull-e2e-$ENGINE.XXXXXX")"
chmod 755 "$WORK"
TAG="hulle2e-$ENGINE-$$"   # names our cgroup parent, namespaces, ids
PASSED=0
FAILED=0
CURRENT=""
_PIDS=()                   # daemons we started, stopped at the end
IMAGE_TAR="$WORK/busybox-image.tar"

ok() { PASSED=$((PASSED+1)); echo "ok - $CURRENT${1:+: $1}"; }
fail() {
  FAILED=$((FAILED+1)); echo "not ok - $CURRENT${1:+: $1}"
  [ -n "${OUT:-}" ] && echo "#   out: ${OUT:0:600}"
  return 0
}
t() { CURRENT="$1"; }
check() { local d="$1"; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
contains() { [[ "$1" == *"$2"* ]]; }
lacks() { [[ "$1" != *"$2"* ]]; }
# O CMD...: runs CMD, stdout+stderr into $OUT, status into $RC
O() { OUT="$("$@" 2>&1 </dev/null)"; RC=$?; }
# wait_for SECONDS CMD...: polls CMD until it succeeds
wait_for() {
  local n=$(($1 * 5)); shift
  while ((n-- > 0)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

# need_pkgs PKG...: apt-get install what is missing (CI machines are fresh Debian 12).
need_pkgs() { "$TOP/tests/apt-need.sh" "$@" 2>&1 | grep '^# apt-get'; return "${PIPESTATUS[0]}"; }

# The runtime the engine is given: hull itself, or a wrapper that records
# every call (argv, and config.json / process.json) into $HULL_CAPTURE.
RUNTIME="$HULL"
if [ -n "${HULL_CAPTURE:-}" ]; then
  mkdir -p "$HULL_CAPTURE/$ENGINE"
  RUNTIME="$WORK/hull-capture"
  cat > "$RUNTIME" <<W
#!/bin/bash
n="$HULL_CAPTURE/$ENGINE/\$(date +%s%N)-\$\$"
printf '%s\n' "\$@" > "\$n.argv"
b="\$PWD"; prev=""; cmd=""
for a in "\$@"; do
  case "\$prev" in -b|--bundle) b="\$a";; -p|--process) cp "\$a" "\$n.process.json" 2>/dev/null;; esac
  case "\$a" in --bundle=*) b="\${a#--bundle=}";; create|run) [ -z "\$cmd" ] && cmd=\$a;; esac
  prev="\$a"
done
[ -n "\$cmd" ] && cp "\$b/config.json" "\$n.config.json" 2>/dev/null
exec "$HULL" "\$@"
W
  chmod 755 "$RUNTIME"
fi

# A busybox root filesystem from busybox-static, as a plain tar.
make_rootfs_tar() {
  "$TOP/tests/integration/make-rootfs.sh" "$WORK/rootfs" >/dev/null
  tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
}

# A docker-archive ("docker save" format) of that rootfs as
# hull-e2e/busybox:latest, for `docker load` and `ctr images import`.
make_image_tar() {
  make_rootfs_tar
  local d="$WORK/image" l c
  mkdir -p "$d"
  l=$(sha256sum "$WORK/rootfs.tar" | cut -d' ' -f1)
  mkdir -p "$d/$l"; cp "$WORK/rootfs.tar" "$d/$l/layer.tar"
  printf '{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"2024-01-01T00:00:00Z","created_by":"hull e2e: busybox-static"}]}' "$l" > "$d/config.json"
  c=$(sha256sum "$d/config.json" | cut -d' ' -f1)
  mv "$d/config.json" "$d/$c.json"
  printf '[{"Config":"%s.json","RepoTags":["hull-e2e/busybox:latest"],"Layers":["%s/layer.tar"]}]' "$c" "$l" > "$d/manifest.json"
  tar -C "$d" -cf "$IMAGE_TAR" manifest.json "$c.json" "$l/layer.tar"
}

# start_daemon LOG CMD...: starts CMD in the background, remembers its pid.
start_daemon() {
  local log="$1"; shift
  "$@" >"$log" 2>&1 </dev/null &
  _PIDS+=($!)
}

stop_pid() { # PID: SIGTERM, then SIGKILL after 30 s
  local p="$1" n=150
  kill -TERM "$p" 2>/dev/null || return 0
  while ((n-- > 0)) && kill -0 "$p" 2>/dev/null; do sleep 0.2; done
  kill -KILL "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  return 0
}

# Processes whose command line or cwd mentions our WORK dir (daemons, shims,
# conmon, containers): reported by the leftover check, killed by cleanup.
work_pids() {
  local p
  for p in /proc/[0-9]*; do
    p="${p#/proc/}"
    [ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
    if { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q -- "$WORK"; then echo "$p"; fi
  done
}
work_mounts() { awk -v p="$WORK/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | sort -r; }
tag_cgroups() { find /sys/fs/cgroup -maxdepth 3 -type d -name "$TAG*" 2>/dev/null; }

remove_cgroups() {
  local d
  for d in $(tag_cgroups); do
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
}

# rmdir_parent_cgroups: the engine's (empty) cgroup parent, which engines
# leave behind by design; a container cgroup still in it keeps it (and fails
# nothing_left).
rmdir_parent_cgroups() {
  local d
  for d in $(tag_cgroups); do rmdir "$d" 2>/dev/null; done
  return 0
}

# nothing_left: no process, mount or cgroup of ours (checked by each script
# after it stopped its engine).
nothing_left() {
  local left=""
  [ -z "$(work_pids)" ] || left+=" processes: $(work_pids | tr '\n' ' ')"
  [ -z "$(work_mounts)" ] || left+=" mounts: $(work_mounts | tr '\n' ' ')"
  [ -z "$(tag_cgroups)" ] || left+=" cgroups: $(tag_cgroups | tr '\n' ' ')"
  OUT="$left"
  [ -z "$left" ]
}

cleanup() {
  local p m
  for p in "${_PIDS[@]}"; do stop_pid "$p"; done
  for p in $(work_pids); do kill -KILL "$p" 2>/dev/null; done
  for m in $(work_mounts); do umount -l "$m" 2>/dev/null; done
  remove_cgroups
  rm -rf --one-file-system "$WORK" 2>/dev/null
}

trap 'echo "# interrupted: cleaning up"; cleanup; exit 1' TERM INT

# ------------------------------------------------------- docker-CLI engines
# The checks podman.sh and docker.sh share (their CLIs take the same flags).
# The script defines eng ARGS... (the engine's CLI), erun ARGS... (`eng run`
# with the script's network and cgroup flags), tty_run ARGS... and tty_exec
# ARGS... (run -t / exec -t on a terminal), and sets IMG.
status_is() { [ "$(eng inspect -f '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ]; }

cli_checks_io() {
  t "run: stdout, stderr, exit code"
  OUT="$(erun --rm "$IMG" sh -c 'echo out; echo err >&2; exit 3' 2>"$WORK/err")"; RC=$?
  check "stdout" [ "$OUT" = out ]
  check "stderr" [ "$(cat "$WORK/err")" = err ]
  check "exit code 3" [ "$RC" = 3 ]

  t "stdin"
  OUT="$(echo hello-stdin | erun -i --rm "$IMG" cat 2>&1)"
  check "piped through" [ "$OUT" = hello-stdin ]

  t "-t"
  O tty_run --rm "$IMG" sh -c 'tty; test -t 0 && echo isatty'
  check "/dev/pts" contains "$OUT" /dev/pts/
  check "stdin is a tty" contains "$OUT" isatty
}

cli_checks_lifecycle() { # detached container $TAG-d: exec, pause, top, stats, update, kill, restart, stop, rm
  t "detached, exec, exec -t, stop, rm"
  O erun -d --name "$TAG-d" "$IMG" sleep 1000
  check "run -d" [ "$RC" = 0 ]
  O eng exec "$TAG-d" sh -c 'echo in-exec; exit 5'
  check "exec output" contains "$OUT" in-exec
  check "exec exit code" [ "$RC" = 5 ]
  O tty_exec "$TAG-d" tty
  check "exec -t" contains "$OUT" /dev/pts/
  O eng exec -e FOO=bar -w /tmp -u 1:1 "$TAG-d" sh -c 'echo $FOO $(pwd) $(id -u):$(id -g)'
  check "exec -e -w -u" [ "$OUT" = "bar /tmp 1:1" ]

  t "pause / unpause"
  O eng pause "$TAG-d"
  check "pause" [ "$RC" = 0 ]
  check "status paused" status_is "$TAG-d" paused
  O eng unpause "$TAG-d"
  check "unpause" [ "$RC" = 0 ]
  check "status running" status_is "$TAG-d" running

  t "top, stats, update, kill -s"
  O eng top "$TAG-d"
  check "top lists sleep" contains "$OUT" "sleep 1000"
  O eng stats --no-stream --format '{{.Name}} {{.PIDs}}' "$TAG-d"
  check "stats" contains "$OUT" "$TAG-d 1"
  O eng update --cpus 0.5 "$TAG-d"
  check "update --cpus" [ "$RC" = 0 ]
  O eng exec "$TAG-d" cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us
  check "quota updated" [ "$OUT" = 50000 ]
  O eng kill -s KILL "$TAG-d"
  check "kill -s KILL" [ "$RC" = 0 ]
  wait_for 20 status_is "$TAG-d" exited
  check "exited 137" [ "$(eng inspect -f '{{.State.ExitCode}}' "$TAG-d")" = 137 ]

  t "restart, stop, rm"
  O eng restart "$TAG-d"
  check "restart" [ "$RC" = 0 ]
  check "running again" status_is "$TAG-d" running
  O eng stop -t 1 "$TAG-d"
  check "stop" [ "$RC" = 0 ]
  O eng rm "$TAG-d"
  check "rm" [ "$RC" = 0 ]
}

cli_checks_resources() { # [extra run flags...]
  t "resources: --pids-limit, --cpus, --ulimit"
  O erun --rm --pids-limit 42 --cpus 1.5 --ulimit nofile=123:456 "$@" "$IMG" sh -c 'cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us; ulimit -n; ulimit -Hn'
  check "--pids-limit" [ "$(sed -n 1p <<<"$OUT")" = 42 ]
  check "--cpus" [ "$(sed -n 2p <<<"$OUT")" = 150000 ]
  check "--ulimit" [ "$(sed -n 3,4p <<<"$OUT" | tr '\n' ' ')" = "123 456 " ]
}

cli_checks_security() { # (--privileged differs between the engines: the script's own)
  t "security"
  O erun --rm --cap-drop CHOWN "$IMG" chown 1 /tmp
  check "--cap-drop CHOWN refuses chown" [ "$RC" != 0 ]
  O erun --rm "$IMG" chown 1 /tmp
  check "chown allowed by default" [ "$RC" = 0 ]
  O erun --rm --read-only "$IMG" touch /x
  check "--read-only" contains "$OUT" "Read-only file system"
  O erun --rm --user 1000:1000 "$IMG" sh -c 'echo $(id -u):$(id -g)'
  check "--user" [ "$OUT" = 1000:1000 ]
}

cli_checks_env_errors_parallel() {
  t "environment, cwd, mounts, devices, sysctl, pid host"
  mkdir -p "$WORK/vol"
  O erun --rm -e FOO=bar -w /tmp --tmpfs /scratch -v "$WORK/vol:/data" --device /dev/null:/dev/hullnull \
    --sysctl kernel.shm_rmid_forced=1 "$IMG" sh -c 'echo $FOO $(pwd); grep -c " /scratch tmpfs " /proc/mounts; echo written > /data/f;
      test -c /dev/hullnull && echo x > /dev/hullnull && echo dev-ok; cat /proc/sys/kernel/shm_rmid_forced'
  check "-e -w" [ "$(sed -n 1p <<<"$OUT")" = "bar /tmp" ]
  check "--tmpfs" [ "$(sed -n 2p <<<"$OUT")" = 1 ]
  check "volume written through" [ "$(cat "$WORK/vol/f" 2>/dev/null)" = written ]
  check "--device" [ "$(sed -n 3p <<<"$OUT")" = dev-ok ]
  check "--sysctl" [ "$(sed -n 4p <<<"$OUT")" = 1 ]
  O erun --rm --pid host "$IMG" cat /proc/1/comm
  check "--pid host" [ "$OUT" = "$(cat /proc/1/comm)" ]

  t "errors"
  O erun --rm "$IMG" nosuchcmd
  check "nosuchcmd exits 127" [ "$RC" = 127 ]
  O erun --rm "$IMG" /etc/passwd
  check "not executable exits 126" [ "$RC" = 126 ]

  t "20 containers in parallel"
  local i n PAR=()
  for i in $(seq 20); do erun --rm "$IMG" sh -c "echo par-$i" >"$WORK/par-$i" 2>&1 & PAR+=($!); done
  wait "${PAR[@]}"  # not a bare wait: the daemon is our child too
  n=0; OUT=""
  for i in $(seq 20); do if [ "$(cat "$WORK/par-$i")" = "par-$i" ]; then n=$((n+1)); else OUT+="[$i: $(cat -A "$WORK/par-$i")] "; fi; done
  check "20 of 20 ran" [ "$n" = 20 ]
}

finish() {
  cleanup
  echo "$ENGINE: $PASSED passed, $FAILED failed"
  [ "$FAILED" = 0 ]
}
