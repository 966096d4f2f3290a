#!/bin/bash
# An isolated CI build with hull: builds examples/hello-c (or SRC) in a
# container and puts the program in OUT_DIR.
#   examples/ci-build/build.sh [--image NAME[:TAG]] [SRC] OUT_DIR
#     host toolchain (default): /usr and /etc/ld.so.cache bind-mounted read-only,
#                               no image needed
#     --image NAME:            the toolchain comes from an image imported with
#                               hull-storage (make one with make-image.sh)
# Either way: the source is read-only, a named volume "ci-cache" (hull-storage)
# keeps the object files between runs, OUT_DIR gets the output only when the
# build succeeds, the network is a new namespace with only lo, memory and
# pids are limited. The build's output and exit status pass through; a failed
# build leaves no container, mount, cgroup or output behind.
# (the cache volume is "ci-cache", or "ci-cache-NAME-TAG" with --image)
#   BREAK_BUILD=1 examples/ci-build/build.sh /tmp/out   # a failing build
set -euo pipefail
TOP="$(cd "$(dirname "$0")/../.." && pwd)"
HULL="${HULL:-$TOP/build/runtime/hull}"
HS="${HULL_STORAGE_BIN:-$TOP/build/hooks/storage/hull-storage}"
export HULL_STORAGE="${HULL_STORAGE:-/var/lib/hull/storage}"
IMAGE=""
if [ "${1:-}" = --image ]; then IMAGE="$2"; shift 2; fi
if [ $# = 1 ]; then SRC="$TOP/examples/hello-c"; OUT_DIR="$1"
elif [ $# = 2 ]; then SRC="$(cd "$1" && pwd)"; OUT_DIR="$2"
else sed -n '2,17p' "$0" >&2; exit 2; fi
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
OUT_DIR="$(mkdir -p "$(dirname "$OUT_DIR")" && cd "$(dirname "$OUT_DIR")" && pwd)/$(basename "$OUT_DIR")"

ID="ci-build-$$"
STATE="${HULL_ROOT:-/run/hull}"
WORK="$(mktemp -d /var/tmp/hull-ci.XXXXXX)"
STAGE="$OUT_DIR.partial.$$"   # the output appears in OUT_DIR only on success
BUNDLE="$WORK/bundle"
cleanup() {
  "$HULL" --root "$STATE" delete -f "$ID" >/dev/null 2>&1 || true
  [ -z "$IMAGE" ] || "$HS" bundle rm "$BUNDLE" >/dev/null 2>&1 || true
  rm -rf "$WORK" "$STAGE"
}
trap cleanup EXIT
mkdir -p "$STAGE"

# created on first use, kept across runs; one per toolchain
CACHE_VOL="ci-cache${IMAGE:+-${IMAGE//[^A-Za-z0-9_.-]/-}}"
CACHE="$("$HS" volume path "$CACHE_VOL")"
# What runs inside: show the network the build sees, then make.
MAKE_VARS="OBJ=/cache/obj${BREAK_BUILD:+-broken} OUT=/out CC=gcc${BREAK_BUILD:+ CFLAGS=-DBREAK_BUILD}"
SCRIPT="echo \"network interfaces: \$(ls /sys/class/net)\"; exec make -C /src $MAKE_VARS"

if [ -z "$IMAGE" ]; then
  # A bare rootfs: only mount points and the merged-/usr symlinks; the
  # toolchain is the host's /usr, read-only.
  mkdir -p "$BUNDLE/rootfs"/{usr,etc,src,out,cache,tmp,proc,sys,dev}
  for l in bin lib lib64 sbin; do ln -s "usr/$l" "$BUNDLE/rootfs/$l"; done
  touch "$BUNDLE/rootfs/etc/ld.so.cache"
  "$HULL" spec --bundle "$BUNDLE" 2>/dev/null || (cd "$BUNDLE" && "$HULL" spec)
  ro_binds='[{"destination":"/usr","type":"bind","source":"/usr","options":["rbind","ro","nosuid","nodev"]},
             {"destination":"/etc/ld.so.cache","type":"bind","source":"/etc/ld.so.cache","options":["bind","ro"]}]'
else
  # The image's own toolchain over an overlay rootfs (hull-storage bundle).
  "$HS" bundle create --image "$IMAGE" "$BUNDLE" -- /bin/sh >/dev/null
  ro_binds='[]'
fi
jq --arg script "$SCRIPT" --arg src "$SRC" --arg cache "$CACHE" --arg out "$STAGE" \
   --argjson ro "$ro_binds" '
  .process.terminal = false
  | .process.args = ["/bin/sh", "-c", $script]
  | .process.env = ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "LC_ALL=C"]
  | .process.cwd = "/"
  | .root.readonly = true
  | .hostname = "ci-build"
  | .mounts += $ro + [
      {destination: "/src",   type: "bind",  source: $src,   options: ["rbind", "ro", "nosuid", "nodev"]},
      {destination: "/cache", type: "bind",  source: $cache, options: ["rbind", "rw", "nosuid", "nodev"]},
      {destination: "/out",   type: "bind",  source: $out,   options: ["rbind", "rw", "nosuid", "nodev"]},
      {destination: "/tmp",   type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "size=256m"]}]
  | .linux.namespaces |= (map(select(.type != "network")) + [{type: "network"}])
  | .linux.resources.memory = {limit: 536870912}
  | .linux.resources.pids = {limit: 256}
' "$BUNDLE/config.json" > "$WORK/config.json" && mv "$WORK/config.json" "$BUNDLE/config.json"

set +e
(cd "$BUNDLE" && "$HULL" --root "$STATE" run "$ID" </dev/null)
rc=$?
set -e
if [ "$rc" = 0 ]; then
  rm -rf "$OUT_DIR" && mv "$STAGE" "$OUT_DIR"
  echo "ci-build: ok, output in $OUT_DIR: $(ls "$OUT_DIR" | tr '\n' ' ')"
else
  echo "ci-build: build failed with exit status $rc (no output kept)" >&2
fi
exit "$rc"
