#!/bin/bash
# Installs the named Debian packages that are not installed yet (apt-get,
# without recommends; CI machines are fresh Debian 12). One place for the
# test scripts' "fetch what I need" step. Progress goes to stderr.
#   tests/apt-need.sh PKG...
# Exit status: 0 when every package is installed afterwards.
set -uo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0
[ "$(id -u)" = 0 ] || { echo "apt-need: run as root to install ${missing[*]}" >&2; exit 1; }
echo "# apt-get install ${missing[*]}" >&2
get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >&2; }
# no package lists yet, or old ones that name versions the mirror dropped: update
[ -n "$(ls /var/lib/apt/lists/*Packages* 2>/dev/null)" ] || apt-get -o DPkg::Lock::Timeout=600 update >&2
get || { apt-get -o DPkg::Lock::Timeout=600 update >&2 && get; }
