#!/bin/bash
# Builds the Debian package the way a user would (dpkg-buildpackage -b -us
# -uc, from a copy of the tree so nothing lands beside the clone), unpacks it
# into a scratch root (dpkg -x: the machine's packages stay untouched) and
# checks what it holds; runs lintian when KEEP_LINTIAN != 0.
#   tests/deb/run.sh        (as root: installs missing build dependencies)
# Prints "ok"/"not ok" lines and last "deb: N passed, N failed".
set -uo pipefail
TOP="$(cd "$(dirname "$0")/../.." && pwd)"
P=0; F=0
ok() { P=$((P + 1)); echo "ok - $1"; }
fail() { F=$((F + 1)); echo "not ok - $1"; }
check() { local d="$1"; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
end() { echo "deb: $P passed, $F failed"; [ "$F" = 0 ]; exit; }
# A fixed place (one build at a time): the compiler flags name the source
# path, and ccache only hits when it stays the same from run to run.
T=/var/tmp/hull-deb-work
exec 7>/var/tmp/hull-deb-work.lock; flock 7
rm -rf --one-file-system "$T"; mkdir -p "$T"
trap 'rm -rf --one-file-system "$T"' EXIT

# the tools, then the Build-Depends dpkg-checkbuilddeps reports missing
need=(dpkg-dev debhelper lintian)
missing=(); for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
install() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@" >&2; }
((${#missing[@]} == 0)) || install "${missing[@]}" || { fail "apt-get install ${missing[*]}"; end; }
unmet="$(cd "$TOP" && dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' | sed -E 's/\([^)]*\)//g')"
[ -z "$unmet" ] || install $unmet || { fail "apt-get install the build dependencies: $unmet"; end; }

# a copy of the working tree (without build output); the commit from git here
mkdir -p "$T/src/hull"
tar -C "$TOP" --exclude='./build*' --exclude='./obj-*' --exclude=./.git --exclude='./debian/hull' \
  --exclude='./debian/.debhelper' -cf - . | tar -C "$T/src/hull" -xf -
commit="$(git -C "$TOP" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
if ! (cd "$T/src/hull" && HULL_COMMIT="$commit" CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" \
      dpkg-buildpackage -b -us -uc -j2 >"$T/build.log" 2>&1); then
  tail -n 40 "$T/build.log"; fail "dpkg-buildpackage -b -us -uc"; end
fi
deb="$(ls "$T"/src/hull_*.deb 2>/dev/null | head -n1)"
check "dpkg-buildpackage -b -us -uc gives hull_*.deb ($(basename "${deb:-none}"))" [ -n "$deb" ]
[ -n "$deb" ] || end

ver="$(sed -nE "s/^ *version: *'([^']+)'.*/\1/p" "$TOP/meson.build" | head -n1)"
check "package version $(dpkg-deb -f "$deb" Version) is meson.build's $ver" [ "$(dpkg-deb -f "$deb" Version)" = "$ver" ]
deps="$(dpkg-deb -f "$deb" Depends)"
check "Depends names libseccomp2, libcap2 and libc6 ($deps)" \
  bash -c '[[ "$1" == *libseccomp2* && "$1" == *libcap2* && "$1" == *libc6* ]]' _ "$deps"
check "no file under /usr/local" bash -c '! dpkg-deb -c "$1" | grep -q "\./usr/local"' _ "$deb"

R="$T/root"
dpkg -x "$deb" "$R"
check "hull in /usr/sbin" [ -x "$R/usr/sbin/hull" ]
out="$("$R/usr/sbin/hull" --version 2>&1)"
check "packaged hull --version: version $ver, commit $commit" \
  bash -c '[ "$(sed -n 1p <<<"$1")" = "hull version $2" ] && [ "$(sed -n 2p <<<"$1")" = "commit: $3" ]' _ "$out" "$ver" "$commit"
check "man pages hull.8 and hull-run.8" [ -s "$R/usr/share/man/man8/hull.8.gz" -a -s "$R/usr/share/man/man8/hull-run.8.gz" ]
check "man hull-run shows run's flags" bash -c 'MANWIDTH=100 man -l "$1" 2>/dev/null | grep -q -- "--detach"' _ "$R/usr/share/man/man8/hull-run.8.gz"
check "bash completion" [ -s "$R/usr/share/bash-completion/completions/hull" ]
check "podman learns the runtime: /etc/containers/containers.conf.d/50-hull.conf names /usr/sbin/hull" \
  grep -qF 'hull = ["/usr/sbin/hull"]' "$R/etc/containers/containers.conf.d/50-hull.conf"
for exe in $(find "$TOP/hooks" -name meson.build -exec sed -nE "s/.*executable\('(hull-[a-z0-9-]+)'.*/\1/p" {} +); do
  check "$exe in /usr/bin or /usr/sbin" bash -c '[ -x "$1/usr/bin/$2" ] || [ -x "$1/usr/sbin/$2" ]' _ "$R" "$exe"
done
# the packaged binary runs a container
if [ "$(id -u)" = 0 ]; then
  [ -x /var/tmp/hull-test-rootfs/bin/busybox ] || "$TOP/tests/integration/make-rootfs.sh" /var/tmp/hull-test-rootfs >/dev/null
  B="$T/bundle"; mkdir -p "$B"; cp -a /var/tmp/hull-test-rootfs "$B/rootfs"
  jq '.process.args = ["echo", "from-the-package"]' "$TOP/tests/integration/config-template.json" >"$B/config.json"
  out="$(cd "$B" && "$R/usr/sbin/hull" --root "$T/state" run "deb-$$" 2>&1 </dev/null)"
  check "the packaged hull runs a container" [ "$out" = from-the-package ]
  "$R/usr/sbin/hull" --root "$T/state" delete -f "deb-$$" >/dev/null 2>&1
fi
if [ "${KEEP_LINTIAN:-1}" != 0 ] && command -v lintian >/dev/null; then
  lintian --fail-on error --suppress-tags-from-file /dev/null "$deb" >"$T/lintian.log" 2>&1; rc=$?
  sed 's/^/# lintian: /' "$T/lintian.log" | head -n 30
  check "lintian reports no error" [ "$rc" = 0 ]
fi
end
