#!/bin/bash
# Builds the OCI runtime-tools validation suite from Debian's source package
# of runtime-tools, with Debian's Go toolchain and Go library packages (no
# network access for Go: GOPROXY=off, GOPATH mode).
#   tests/conformance/build-suite.sh           # build unless the cache is usable
#   FORCE=1 tests/conformance/build-suite.sh   # rebuild
# Cache: $HULL_CONFORMANCE_DIR (default /var/cache/hull-conformance). The
# result is $DIR/suite/: runtimetest, oci-runtime-tool, rootfs-amd64.tar.gz,
# validation/<program>.t, SOURCE. A suite already there (built by an earlier
# run or another script with that layout) is used when every program
# tests/conformance/required.txt names is in it; otherwise it is rebuilt.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DIR="${HULL_CONFORMANCE_DIR:-/var/cache/hull-conformance}"
SRCPKG=golang-github-opencontainers-runtime-tools
# Debian source versions, preferred first: trixie's (0.9.0 + 109 upstream
# commits), then bookworm's.
SRC_VERSIONS="${SRC_VERSIONS:-0.9.0.109.ge931285-1 0.9.0+git20220423.g0105384-2}"
say() { echo "build-suite: $*" >&2; }

# usable: the suite in $1 has runtimetest, the rootfs and every required program
usable() {
  local s="$1" n
  [ -x "$s/runtimetest" ] && [ -s "$s/rootfs-amd64.tar.gz" ] || return 1
  while read -r n _; do
    case "$n" in ''|'#'*) continue;; esac
    [ -x "$s/validation/$n.t" ] || return 1
  done < "$HERE/required.txt"
}

mkdir -p "$DIR"
exec 8>"$DIR/.build.lock"
flock 8 # one build at a time; a second caller waits and then finds the suite
if [ "${FORCE:-0}" != 1 ] && usable "$DIR/suite"; then
  say "suite in $DIR/suite is usable ($(cat "$DIR/suite/SOURCE" 2>/dev/null || echo 'source unknown'))"
  exit 0
fi

# ------------------------------------------------------------- Debian packages
need=(golang-go golang-github-opencontainers-runtime-tools-dev golang-github-opencontainers-specs-dev
  golang-github-opencontainers-selinux-dev golang-github-google-uuid-dev golang-gopkg-yaml.v2-dev
  golang-github-mrunalp-fileutils-dev golang-github-urfave-cli-dev golang-github-stretchr-testify-dev
  golang-github-hashicorp-go-multierror-dev golang-github-sirupsen-logrus-dev
  golang-github-xeipuuv-gojsonschema-dev golang-github-blang-semver-dev golang-gocapability-dev
  golang-golang-x-sys-dev busybox-static patch xz-utils jq debian-archive-keyring)
"$HERE/../apt-need.sh" "${need[@]}"

# ------------------------------------------------------- the Debian source
# apt-get source through a private configuration (deb-src lines, lists and
# downloads under $DIR/apt): the machine's apt sources stay as they are, and
# apt checks each file against the signed Sources index.
A="$DIR/apt"
mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/parts" "$DIR/src"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
{
  echo "deb-src [signed-by=$KEYRING] http://deb.debian.org/debian trixie main"
  echo "deb-src [signed-by=$KEYRING] http://deb.debian.org/debian bookworm main"
} > "$A/sources.list"
APT=(-o "Dir::Etc::SourceList=$A/sources.list" -o "Dir::Etc::SourceParts=$A/parts"
  -o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache")
have_source() { [ -s "$DIR/src/${SRCPKG}_${1%-*}.orig.tar.xz" ] && [ -s "$DIR/src/${SRCPKG}_$1.debian.tar.xz" ]; }
VER=""
for v in $SRC_VERSIONS; do
  if ! have_source "$v"; then
    [ -n "$(ls "$A"/lists/*Sources* 2>/dev/null)" ] || apt-get "${APT[@]}" update >&2
    say "apt-get source --download-only $SRCPKG=$v"
    # a missing .dsc on the mirror does not make the tarballs unusable
    (cd "$DIR/src" && apt-get "${APT[@]}" source --download-only "$SRCPKG=$v" >&2) || true
  fi
  if have_source "$v"; then VER="$v"; break; fi
done
[ -n "$VER" ] || { say "could not download the Debian source of $SRCPKG ($SRC_VERSIONS)"; exit 1; }
ORIG="$DIR/src/${SRCPKG}_${VER%-*}.orig.tar.xz"
DEBTAR="$DIR/src/${SRCPKG}_$VER.debian.tar.xz"
# verify the tarballs against the Sources index when apt knows them (awk reads
# to the end: an early exit would kill apt-cache with SIGPIPE under pipefail)
for f in "$ORIG" "$DEBTAR"; do
  want=$(apt-cache "${APT[@]}" showsrc "$SRCPKG" 2>/dev/null |
    awk -v f="${f##*/}" '/^Checksums-Sha256:/ {in_ = 1; next} /^[^ ]/ {in_ = 0} in_ && $3 == f && !w {w = $1} END {print w}')
  if [ -n "$want" ] && [ "$want" != "$(sha256sum < "$f" | cut -d' ' -f1)" ]; then
    say "sha256 of ${f##*/} does not match Debian's Sources index"; exit 1
  fi
done
say "Debian source $SRCPKG $VER"

# ------------------------------------------------------------------ build
WORK="$(mktemp -d "$DIR/.work.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
GP="$WORK/go"
SRC="$GP/src/github.com/opencontainers/runtime-tools"
mkdir -p "$SRC" "$GP/src/github.com/mndrix/tap-go"
tar -xf "$ORIG" -C "$SRC" --strip-components=1
tar -xf "$DEBTAR" -C "$SRC"
if [ -f "$SRC/debian/patches/series" ]; then
  grep -vE '^[[:space:]]*(#|$)' "$SRC/debian/patches/series" | while read -r p _; do
    say "patch $p"; patch -s -p1 -d "$SRC" < "$SRC/debian/patches/$p"
  done
fi
cp "$HERE/tap/tap.go" "$GP/src/github.com/mndrix/tap-go/"

export GO111MODULE=off GOPROXY=off GOFLAGS= GOPATH="$GP:/usr/share/gocode" GOCACHE="$DIR/go-cache"
OUT="$WORK/suite"
mkdir -p "$OUT/validation"
LD="-X main.version=$(cat "$SRC/VERSION" 2>/dev/null || echo 0) -X main.gitCommit=debian-$VER"
cd "$SRC"
say "go build oci-runtime-tool, runtimetest"
go build -ldflags "$LD" -o "$OUT/oci-runtime-tool" ./cmd/oci-runtime-tool
# runtimetest runs inside the containers' busybox rootfs: static
CGO_ENABLED=0 go build -tags 'netgo osusergo' -ldflags "$LD" -o "$OUT/runtimetest" ./cmd/runtimetest
count=0
for f in $(find validation -name '*.go' -not -path '*/util/*' | sort); do
  go build -ldflags "$LD" -o "$OUT/validation/$(basename "$f" .go).t" "./$f"
  count=$((count + 1))
done
say "built $count validation programs"

# --------------------------------------------- the containers' root file system
# What upstream ships as rootfs-amd64.tar.gz: busybox and its applet links,
# /etc/passwd and /etc/group with the ids the tests use.
R="$WORK/rootfs"
mkdir -p "$R"/{bin,dev,proc,sys,etc,root,tmp}
cp /bin/busybox "$R/bin/"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
chmod 1777 "$R/tmp"
printf '%s\n' root:x:0:0:root:/root:/bin/sh bin:x:1:1:bin:/bin:/bin/false daemon:x:2:2:daemon:/sbin:/bin/false \
  nobody:x:65534:65534:nobody:/nonexistent:/bin/false > "$R/etc/passwd"
printf '%s\n' root:x:0:root bin:x:1:root,bin,daemon daemon:x:2:root,bin,daemon sys:x:3:root,bin adm:x:4:root,daemon \
  tty:x:5: disk:x:6:root wheel:x:10:root users:x:100: nogroup:x:65533: nobody:x:65534: > "$R/etc/group"
tar -C "$R" --numeric-owner --owner=0 --group=0 -czf "$OUT/rootfs-amd64.tar.gz" .
echo "$SRCPKG $VER (built by hull tests/conformance/build-suite.sh)" > "$OUT/SOURCE"

usable "$OUT" || { say "the new suite lacks a required program"; exit 1; }
rm -rf "$DIR/suite.old"
[ -d "$DIR/suite" ] && mv "$DIR/suite" "$DIR/suite.old"
mv "$OUT" "$DIR/suite"
rm -rf "$DIR/suite.old"
say "suite ready: $DIR/suite"
