#!/bin/bash
# tests/storage: hull-storage end to end (as root): images written here by
# mkimage.py (and by buildah when installed), no registry.
# Final line: "storage: N passed, N failed".
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
TOP="$(cd "$HERE/../.." && pwd)"
HULL="${HULL:-$TOP/build/runtime/hull}"
HS_BIN="${HULL_STORAGE:-$TOP/build/hooks/storage/hull-storage}"
[ "$(id -u)" = 0 ] || { echo "storage tests must run as root" >&2; echo "storage: 0 passed, 1 failed"; exit 2; }
WORK="$(mktemp -d /var/tmp/hull-st.XXXXXX)"
chmod 755 "$WORK"
STORE="$WORK/store"
STATE="${HULL_TEST_STATE:-/run/hull-test}-storage"
MARKER="hull-storage-escape-$$"
export MARKER
PASSED=0 FAILED=0 IDS=()
hs() { "$HS_BIN" --storage "$STORE" "$@"; }
ok() { PASSED=$((PASSED+1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED+1)); echo "not ok - $1"; [ -n "${2:-}" ] && echo "#   ${2:0:600}"; return 0; }
check() { local d="$1"; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
# expect_out DESC WANT: the last run exited 0 and printed WANT
expect_out() { if [ "$RC" = 0 ] && [ "$OUT" = "$2" ]; then ok "$1"; else fail "$1" "rc=$RC out=$OUT"; fi; }
jqe() { jq -e "$@" >/dev/null; }
mk() { python3 "$HERE/mkimage.py" "$@"; }
# run_bundle DIR ID: hull run in DIR; OUT, RC
run_bundle() {
  IDS+=("$2")
  OUT="$(cd "$1" && timeout 30 "$HULL" --root "$STATE" run "$2" </dev/null 2>&1)"; RC=$?
}
cleanup() {
  for id in "${IDS[@]}"; do "$HULL" --root "$STATE" delete -f "$id" >/dev/null 2>&1; done
  for m in $(awk -v p="$WORK/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null
  done
  rm -rf "$WORK" "/tmp/$MARKER" "/$MARKER" "/var/tmp/$MARKER"
}
trap cleanup EXIT
no_mounts_under() { ! awk -v p="$1" 'index($5, p) == 1' /proc/self/mountinfo | grep -q .; }
count() { find "$1" -mindepth 1 -maxdepth 1 | wc -l; }

echo "# layered image: whiteouts, opaque dir, hard link, three layers"
mk layered "$WORK/layered" && mk layered "$WORK/layered.tar" --tar
OUT="$(hs image import "$WORK/layered" 2>&1)"
check "import OCI layout dir" [ "$OUT" = "layered:test" ]
R="$WORK/b1/rootfs"
hs bundle create --image layered:test "$WORK/b1" >/dev/null 2>&1
check "bundle create makes an overlay rootfs" grep -q " $R .* overlay " /proc/self/mountinfo
check "upper layer's file wins (etc/keep)" [ "$(cat "$R/etc/keep" 2>/dev/null)" = "keep v3" ]
check "added file present" [ -f "$R/etc/added" ]
check "whiteout deletes etc/gone" [ ! -e "$R/etc/gone" ]
check "whiteout deletes dir/b, keeps dir/a" bash -c "[ ! -e '$R/dir/b' ] && [ -f '$R/dir/a' ]"
check "hard link kept" [ "$(stat -c %h "$R/dir/a" 2>/dev/null)" = 2 ]
check "opaque dir hides old entries" bash -c "[ -f '$R/opq/new' ] && [ ! -e '$R/opq/old1' ] && [ ! -e '$R/opq/sub' ]"
L2="$(jq -r '.layers[1]' "$STORE"/images/*.json)"
check "layer holds an overlay whiteout (char 0/0)" [ "$(stat -c '%F %t:%T' "$STORE/layers/$L2/etc/gone" 2>/dev/null)" = "character special file 0:0" ]
check "layer holds trusted.overlay.opaque=y" python3 -c 'import os,sys; sys.exit(os.getxattr(sys.argv[1], "trusted.overlay.opaque") != b"y")' "$STORE/layers/$L2/opq"
NL=$(count "$STORE/layers")
OUT="$(hs image import --name layered:tar "$WORK/layered.tar" 2>&1)"
check "import oci-archive of the same image" [ "$OUT" = "layered:tar" ]
check "same layers are not unpacked twice" [ "$(count "$STORE/layers")" = "$NL" ]

echo "# config.json from the image config"
C="$WORK/b1/config.json"
check "args = Cmd" [ "$(jq -c .process.args "$C")" = '["/bin/busybox","sh","-c","echo hello from image"]' ]
check "Env merged" jqe '.process.env | index("FOO=bar") != null' "$C"
check "WorkingDir" [ "$(jq -r .process.cwd "$C")" = /work ]
check "labels as annotations, StopSignal" jqe '.annotations["org.example.test"] == "yes" and .annotations["org.opencontainers.image.stopSignal"] == "SIGINT"' "$C"
check "rootfs writable" [ "$(jq -r .root.readonly "$C")" = false ]
run_bundle "$WORK/b1" "st-img-$$"
expect_out "hull runs the image's command" "hello from image"

echo "# two bundles of one image share layers, not writes"
hs bundle create --image layered:test "$WORK/b2" -- /bin/busybox sh -c 'echo two > /etc/mine; cat /etc/keep' >/dev/null
hs bundle create --image layered:test "$WORK/b3" -- /bin/busybox sh -c 'cat /etc/mine 2>&1; ls /etc' >/dev/null
check "second bundle adds no layer" [ "$(count "$STORE/layers")" = "$NL" ]
lower() { grep " $1/rootfs " /proc/self/mountinfo | grep -o 'lowerdir=[^,]*'; }
check "both overlays use the same lower dirs" [ "$(lower "$WORK/b2")" = "$(lower "$WORK/b3")" ]
run_bundle "$WORK/b2" "st-w2-$$"
expect_out "bundle 2 writes" "keep v3"
run_bundle "$WORK/b3" "st-w3-$$"
check "bundle 3 does not see bundle 2's write" bash -c '[[ "$1" == *"No such file"* ]]' _ "$OUT"
check "the write landed in bundle 2's upper dir only" bash -c "[ -f '$WORK/b2/upper/etc/mine' ] && ! find '$STORE/layers' -name mine | grep -q ."
echo "# store size, two bundles of one image: layers $(du -sk "$STORE/layers" | cut -f1) kB, uppers $(du -sk "$WORK/b2/upper" | cut -f1) kB + $(du -sk "$WORK/b3/upper" | cut -f1) kB"

echo "# docker save archive"
mk docker "$WORK/docker.tar"
check "import docker save" [ "$(hs image import "$WORK/docker.tar" 2>&1)" = "dockerimg:v1" ]
hs bundle create --image dockerimg:v1 "$WORK/bd" >/dev/null 2>&1
run_bundle "$WORK/bd" "st-dk-$$"
expect_out "docker image runs" "d"

echo "# volumes, binds, tmpfs"
mkdir -p "$WORK/hostro" && echo hostdata > "$WORK/hostro/f"
hs bundle create --image layered:test "$WORK/v1" --volume data:/data --bind "$WORK/hostro:/hostro:ro" --tmpfs /scratch \
  -- /bin/busybox sh -c 'echo persisted > /data/v; cat /hostro/f; { echo x > /hostro/g; } 2>/dev/null || echo ro-ok; grep -q " /scratch tmpfs" /proc/mounts && echo tmpfs-ok' >/dev/null
run_bundle "$WORK/v1" "st-v1-$$"
expect_out "bind ro, tmpfs mounted" "$(printf 'hostdata\nro-ok\ntmpfs-ok')"
check "volume created on first use" [ -f "$STORE/volumes/data/data/v" ]
OUT="$(hs volume rm data 2>&1)"; RC=$?
check "volume in use is not removed" bash -c '[ "$1" != 0 ] && [[ "$2" == *"in use by bundle"* ]] && [ -d "$3" ]' _ "$RC" "$OUT" "$STORE/volumes/data"
hs bundle rm "$WORK/v1"
hs bundle create --image layered:test "$WORK/v2" --volume data:/data:ro -- /bin/busybox cat /data/v >/dev/null
run_bundle "$WORK/v2" "st-v2-$$"
expect_out "volume data persists into the next container" persisted
hs bundle rm "$WORK/v2"
check "volume rm after its bundles are gone" bash -c "'$HS_BIN' --storage '$STORE' volume rm data && [ ! -e '$STORE/volumes/data' ]"

echo "# --overlay: scratch copy of a host dir (createContainer hook, poststop cleanup)"
mkdir -p "$WORK/src" && echo orig > "$WORK/src/file"
hs bundle create --image layered:test "$WORK/o1" --overlay "$WORK/src:/src" \
  -- /bin/busybox sh -c 'echo changed > /src/file; echo new > /src/new; cat /src/file' >/dev/null
run_bundle "$WORK/o1" "st-ov-$$"
expect_out "container writes its overlay copy" changed
check "host directory untouched" bash -c "[ \"\$(cat '$WORK/src/file')\" = orig ] && [ ! -e '$WORK/src/new' ]"
check "poststop removed the scratch dir" [ ! -e "$WORK/o1/overlays/0" ]
check "no overlay mount left on the host" no_mounts_under "$WORK/o1/rootfs/"

echo "# image rm / prune, bundle rm"
OUT="$(hs image rm layered:test 2>&1)"; RC=$?
check "image rm refused while a bundle uses it" bash -c '[ "$1" != 0 ] && [[ "$2" == *"in use by bundle"* ]]' _ "$RC" "$OUT"
for b in b1 b2 b3 bd o1; do hs bundle rm "$WORK/$b"; done
check "bundle rm leaves no mount" no_mounts_under "$WORK/"
check "bundle rm removes the directories" bash -c "! ls -d '$WORK'/b1 '$WORK'/b2 '$WORK'/o1 2>/dev/null | grep -q ."
hs image rm layered:test && hs image rm layered:tar && hs image rm dockerimg:v1
hs image prune >/dev/null
check "image rm + prune leave no layer" [ "$(count "$STORE/layers")" = 0 ]

echo "# hostile archives: refused, one clear line, nothing outside the store"
hostile() { # KIND EXPECTED-TEXT [--tar]
  local k="$1" want="$2" src="$WORK/h-$1"; shift 2
  [ "${1:-}" = --tar ] && src="$src.tar"
  mk "$k" "$src" "$@" >/dev/null
  local before; before=$(count "$STORE/layers")
  OUT="$(cd "$WORK" && hs image import "$src" 2>&1)"; RC=$?
  if [ "$RC" != 0 ] && [[ "$OUT" == *"$want"* ]] && [ "$(echo "$OUT" | wc -l)" = 1 ] &&
     [ ! -e "/tmp/$MARKER" ] && [ ! -e "$WORK/$MARKER" ] && [ ! -e "/$MARKER" ] && [ ! -e "$WORK/h-$MARKER" ] &&
     [ "$(count "$STORE/tmp")" = 0 ] && [ "$(count "$STORE/layers")" -le "$((before + 1))" ] &&
     ! hs image ls -q | grep -q "h-$k"; then
    ok "hostile $k refused: $OUT"
  else
    fail "hostile $k" "rc=$RC $OUT"
  fi
}
hostile dotdot 'path contains ".."'
hostile absolute 'absolute path'
hostile symlink-through 'goes through symlink "lnk"'
hostile symlink-up 'leaves the image root'
hostile hardlink-escape 'leaves the layer'
hostile device 'device node not allowed'
hostile duplicate 'duplicate entry'
hostile digest-mismatch 'digest mismatch'
hostile truncated 'truncated'
hostile archive-dotdot 'path contains ".."' --tar
hostile dotdot 'path contains ".."' --tar

echo "# kill -9 mid-import, then the same import works"
mk big "$WORK/big.tar" --tar
killed=no
for attempt in 1 2 3; do
  "$HS_BIN" --storage "$STORE" image import --name big:1 "$WORK/big.tar" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 2000); do
    if ls "$STORE/tmp" 2>/dev/null | grep -q "^layer\.$pid\."; then kill -9 $pid; killed=yes; break; fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.005
  done
  wait $pid 2>/dev/null
  [ $killed = yes ] && break
  hs image rm big:1 >/dev/null 2>&1; hs image prune >/dev/null 2>&1
done
check "import was killed while unpacking a layer" [ $killed = yes ]
check "killed import left no image" bash -c "! '$HS_BIN' --storage '$STORE' image ls -q | grep -q big"
OUT="$(hs image import --name big:1 "$WORK/big.tar" 2>&1)"; RC=$?
expect_out "the same import then works" big:1
check "the dead import's staging is gone" [ "$(count "$STORE/tmp")" = 0 ]
check "the layer is complete" [ "$(find "$STORE/layers" -path '*/many/*' | wc -l)" = 10000 ]

echo "# interrupted bundle create is undone by the next command"
hs bundle create --image big:1 "$WORK/bk" -- /bin/busybox true >/dev/null
rec="$(grep -l "\"$WORK/bk\"" "$STORE"/bundles/*.json)"
hs bundle rm "$WORK/bk"
# what a kill -9 between mount and rename leaves: a mounted staging dir and a "creating" record of a dead pid
( exit 0 ) & dead=$!; wait $dead
mkdir -p "$WORK/.bk.hull-tmp/rootfs" && mount -t tmpfs none "$WORK/.bk.hull-tmp/rootfs"
jq -n --arg d "$WORK/bk" --arg s "$WORK/.bk.hull-tmp" --argjson p "$dead" \
  '{dir:$d, staging:$s, image:"x", volumes:["data"], state:"creating", pid:$p}' > "$rec"
hs volume ls >/dev/null
check "stale staging unmounted and removed" bash -c "[ ! -e '$WORK/.bk.hull-tmp' ] && [ ! -e '$rec' ]"
check "bundle create of the same dir then works" hs bundle create --image big:1 "$WORK/bk" -- /bin/busybox true
hs bundle rm "$WORK/bk"

echo "# examples/ci-build (host toolchain): cache reuse, exit status, a failed build leaves nothing"
CI=(env HULL="$HULL" HULL_STORAGE_BIN="$HS_BIN" HULL_STORAGE="$STORE" HULL_ROOT="$STATE" "$TOP/examples/ci-build/build.sh")
OUT="$("${CI[@]}" "$WORK/ci-out" 2>&1)"; RC=$?
check "first build compiles and runs the program" bash -c '[ "$1" = 0 ] && [[ "$2" == *"-c -o /cache/obj/main.o"* ]] && [ -x "$3/hello" ]' _ "$RC" "$OUT" "$WORK/ci-out"
check "the build sees only lo" bash -c '[[ "$1" == *"network interfaces: lo"* ]]' _ "$OUT"
OUT="$("${CI[@]}" "$WORK/ci-out" 2>&1)"; RC=$?
check "second build reuses the cache volume (no compile)" bash -c '[ "$1" = 0 ] && [[ "$2" != *" -c -o "* ]] && [[ "$2" == *"2 + 3 = 5"* ]]' _ "$RC" "$OUT"
OUT="$(BREAK_BUILD=1 "${CI[@]}" "$WORK/ci-bad" 2>&1)"; RC=$?
check "failing build: status and compiler error pass through" bash -c '[ "$1" = 2 ] && [[ "$2" == *"deliberately broken build"* ]]' _ "$RC" "$OUT"
check "failing build: no output, container, mount or staging left" bash -c \
  "[ ! -e '$WORK/ci-bad' ] && ! ls -d '$WORK'/ci-bad.partial.* 2>/dev/null && [ -z \"\$('$HULL' --root '$STATE' list -q)\" ] && ! grep -q hull-ci /proc/self/mountinfo"

if command -v buildah >/dev/null; then
  echo "# an image made by buildah (from scratch + busybox-static), pushed as oci-archive"
  B=(buildah --root "$WORK/bah/root" --runroot "$WORK/bah/run" --storage-driver vfs)
  if c=$("${B[@]}" from scratch 2>/dev/null) && "${B[@]}" copy "$c" /bin/busybox /bin/busybox >/dev/null &&
     "${B[@]}" config --cmd '["/bin/busybox","echo","built by buildah"]' "$c" &&
     "${B[@]}" commit -q "$c" bah:1 >/dev/null 2>&1 && "${B[@]}" push -q bah:1 "oci-archive:$WORK/bah.tar" >/dev/null 2>&1; then
    hs image import --name bah:1 "$WORK/bah.tar" >/dev/null
    hs bundle create --image bah:1 "$WORK/bb" >/dev/null
    run_bundle "$WORK/bb" "st-bah-$$"
    expect_out "buildah image runs" "built by buildah"
    hs bundle rm "$WORK/bb"
  else
    fail "buildah could not build the test image"
  fi
  "${B[@]}" rm -a >/dev/null 2>&1; "${B[@]}" rmi -a -f >/dev/null 2>&1
fi

echo "storage: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
