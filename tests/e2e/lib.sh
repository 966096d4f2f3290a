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
need_pkgs() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "# apt-get install ${missing[*]}"
  [ -n "$(ls /var/lib/apt/lists/*Packages* 2>/dev/null)" ] || apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >/dev/null; }
}

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

finish() {
  cleanup
  echo "$ENGINE: $PASSED passed, $FAILED failed"
  [ "$FAILED" = 0 ]
}
