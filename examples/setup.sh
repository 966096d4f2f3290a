#!/bin/bash
# Installs what hull needs on a fresh Debian 12 machine (apt-get, only what
# is missing) and builds it into build/. Used by the README's two commands.
#   examples/setup.sh [extra-package ...]
set -euo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
PKGS=(g++ meson ninja-build pkg-config git libseccomp-dev libcap-dev nlohmann-json3-dev
      libcli11-dev libarchive-dev libssl-dev catch2 busybox-static jq iproute2 util-linux procps go-md2man "$@")
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== apt-get install ${missing[*]}" >&2
  [ "$(id -u)" = 0 ] || { echo "run as root (apt-get is needed)" >&2; exit 1; }
  [ -n "$(ls /var/lib/apt/lists/*Packages* 2>/dev/null)" ] || apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "${missing[@]}" >&2 ||
    { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "${missing[@]}" >&2; }
fi
cd "$TOP"
[ -f build/build.ninja ] || meson setup build >&2
ninja -C build >&2
echo "$TOP/build/runtime/hull"
