#!/bin/bash
# What a user gets besides the binary: --version, man pages that match
# --help, shell completion, `meson install` (DESTDIR, --prefix).
#   tests/ship/run.sh            (env HULL; build dir = the binary's build dir)
# Prints TAP-like lines and last "ship: N passed, N failed".
set -uo pipefail
TOP="$(cd "$(dirname "$0")/../.." && pwd)"
HULL="$(realpath -e "${HULL:-$TOP/build/runtime/hull}")" || { echo "ship: 0 passed, 1 failed"; exit 1; }
BUILD="$(dirname "$(dirname "$HULL")")"
MAN="$TOP/docs/man"
P=0; F=0
ok() { P=$((P + 1)); echo "ok - $1"; }
fail() { F=$((F + 1)); echo "not ok - $1"; }
check() { local d="$1"; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
T="$(mktemp -d /var/tmp/hull-ship.XXXXXX)"
trap 'rm -rf "$T"' EXIT

# flags_of PROGRAM [CMD]: every -x/--long flag in the CLI11 help, one per line
flags_of() { "$@" --help 2>/dev/null | awk '/^  +-/ {n = split($1, f, ","); for (i = 1; i <= n; i++) {sub(/[ =].*/, "", f[i]); print f[i]}}' | grep -vx -- '-h\|--help'; }
# commands_of PROGRAM: the subcommand names (aliases too)
commands_of() { "$1" --help 2>/dev/null | awk '/^Subcommands:/ {s = 1; next} /^[A-Z]/ {s = 0} s && /^  [a-z]/ {l = $0; sub(/^ +/, "", l); sub(/  .*/, "", l); gsub(/,/, " ", l); print l}'; }

# ---------------------------------------------------------------- version
want_ver="$(sed -nE "s/^ *version: *'([^']+)'.*/\1/p" "$TOP/meson.build" | head -n1)"
out="$("$HULL" --version)"
check "--version line 1 is 'hull version $want_ver' (meson.build)" [ "$(sed -n 1p <<<"$out")" = "hull version $want_ver" ]
if git -C "$TOP" rev-parse HEAD >/dev/null 2>&1; then
  c="$(sed -n 2p <<<"$out")"; c="${c#commit: }"
  check "--version commit ($c) is a prefix of the checkout's HEAD" \
    bash -c '[ -n "$1" ] && [[ "$(git -C "$2" rev-parse HEAD)" == "$1"* ]]' _ "$c" "$TOP"
fi
check "--version line 3 is the spec version" grep -qE '^spec: 1\.[0-9]+\.[0-9]+' <<<"$out"

# -------------------------------------------------------- man pages vs --help
page_has() { grep -qE -- "\*\*$2\*\*" "$MAN/$1.md"; }
missing=()
for f in $(flags_of "$HULL"); do page_has hull.8 "$f" || missing+=("$f"); done
check "hull.8 documents every global flag${missing:+ (missing: ${missing[*]})}" [ ${#missing[@]} = 0 ]
mapfile -t lines < <(commands_of "$HULL")
[ ${#lines[@]} -ge 10 ] || fail "hull --help lists the commands (got ${#lines[@]})"
for l in "${lines[@]}"; do
  read -r cmd aliases <<<"$l"
  if [ ! -f "$MAN/hull-$cmd.8.md" ]; then fail "man page hull-$cmd.8 exists"; continue; fi
  missing=()
  for f in $(flags_of "$HULL" "$cmd"); do page_has "hull-$cmd.8" "$f" || missing+=("$f"); done
  check "hull-$cmd.8 documents every flag of 'hull $cmd --help'${missing:+ (missing: ${missing[*]})}" [ ${#missing[@]} = 0 ]
  check "hull.8 lists the command $cmd" page_has hull.8 "$cmd"
  grep -q "'hull-$cmd.8'" "$MAN/meson.build" || fail "docs/man/meson.build builds hull-$cmd.8"
done
# the hook programs: a page each, with their flags
for exe in $(find "$BUILD/hooks" -maxdepth 2 -type f -name 'hull-*' -perm -u+x 2>/dev/null); do
  n="$(basename "$exe")"
  if [ ! -f "$MAN/$n.8.md" ]; then fail "man page $n.8 exists"; continue; fi
  missing=()
  for f in $(flags_of "$exe"); do page_has "$n.8" "$f" || missing+=("$f"); done
  check "$n.8 documents every flag of '$n --help'${missing:+ (missing: ${missing[*]})}" [ ${#missing[@]} = 0 ]
done
if [ -f "$BUILD/docs/man/hull-run.8" ]; then
  out="$(MANWIDTH=100 man -l "$BUILD/docs/man/hull-run.8" 2>/dev/null)"
  check "man -l hull-run.8 renders its flags" bash -c '[[ "$1" == *"--bundle"* && "$1" == *"--detach"* && "$1" == *"NAME"* ]]' _ "$out"
else
  fail "the build made docs/man/hull-run.8 (is go-md2man installed?)"
fi

# ------------------------------------------------------------- completion
comp() { # words...: prints bash completion candidates for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _hull; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$TOP/runtime/completion/hull.bash" "$@"
}
ln -s "$HULL" "$T/hull"
out="$(PATH="$T:$PATH" comp hull '')"
missing=(); for l in "${lines[@]}"; do for c in $l; do grep -qx -- "$c" <<<"$out" || missing+=("$c"); done; done
check "bash completion offers every command${missing:+ (missing: ${missing[*]})}" [ ${#missing[@]} = 0 ]
out="$(PATH="$T:$PATH" comp hull run --)"
missing=(); for f in $(flags_of "$HULL" run); do [[ "$f" == --* ]] && { grep -qx -- "$f" <<<"$out" || missing+=("$f"); }; done
check "bash completion offers run's flags${missing:+ (missing: ${missing[*]})}" [ ${#missing[@]} = 0 ]
if [ "$(id -u)" = 0 ] && [ -x /var/tmp/hull-test-rootfs/bin/busybox ]; then
  R="$T/root"; B="$T/bundle"; id="ship-comp-$$"
  mkdir -p "$B"; cp -a /var/tmp/hull-test-rootfs "$B/rootfs"; cp "$TOP/tests/integration/config-template.json" "$B/config.json"
  if "$HULL" --root "$R" create -b "$B" "$id" >/dev/null 2>&1; then
    out="$(PATH="$T:$PATH" comp hull --root "$R" kill ship-comp)"
    check "bash completion offers container ids from 'hull list -q'" [ "$out" = "$id" ]
    "$HULL" --root "$R" delete -f "$id" >/dev/null 2>&1
  else
    fail "create a container for the completion test"
  fi
fi

# ------------------------------------------------------------- meson install
D="$T/destdir"
if DESTDIR="$D" meson install -C "$BUILD" --no-rebuild >"$T/install.log" 2>&1; then
  prefix="$(meson introspect "$BUILD" --buildoptions | jq -r '.[] | select(.name == "prefix") | .value')"
  sbindir="$(meson introspect "$BUILD" --buildoptions | jq -r '.[] | select(.name == "sbindir") | .value')"
  mandir="$(meson introspect "$BUILD" --buildoptions | jq -r '.[] | select(.name == "mandir") | .value')"
  S="$D$prefix/$sbindir"
  check "DESTDIR install: hull in $prefix/$sbindir" [ -x "$S/hull" ]
  check "DESTDIR install: the installed hull runs" bash -c '"$1" --version | grep -q "^hull version"' _ "$S/hull"
  check "DESTDIR install: man pages hull.8 and hull-run.8" [ -s "$D$prefix/$mandir/man8/hull.8" -a -s "$D$prefix/$mandir/man8/hull-run.8" ]
  check "DESTDIR install: bash completion" [ -s "$D$prefix/share/bash-completion/completions/hull" ]
  conf="$(find "$D" -path '*/containers/containers.conf.d/50-hull.conf' | head -n1)"
  check "DESTDIR install: podman's containers.conf.d names $prefix/$sbindir/hull" \
    grep -qF "hull = [\"$prefix/$sbindir/hull\"]" "${conf:-/dev/null}"
  check "DESTDIR install: nothing outside DESTDIR (the log names only paths under it)" \
    bash -c '! grep -E "^Installing .* to " "$1" | grep -v " to $2"' _ "$T/install.log" "$D"
  for exe in $(find "$BUILD/hooks" -maxdepth 2 -type f -name 'hull-*' -perm -u+x 2>/dev/null); do
    n="$(basename "$exe")"
    check "DESTDIR install: $n in bin or sbin" bash -c '[ -x "$1/bin/$2" ] || [ -x "$1/sbin/$2" ]' _ "$D$prefix" "$n"
  done
  # hull-net's default network: its template in <sysconfdir>/cni/net.d, the
  # directory hull-net reads (/etc/cni/net.d for the /usr prefix); the
  # installed hull-net, pointed at that directory, writes hull0 from it.
  sysconfdir="$(meson introspect "$BUILD" --buildoptions | jq -r '.[] | select(.name == "sysconfdir") | .value')"
  [[ "$sysconfdir" == /* ]] || sysconfdir="$prefix/$sysconfdir"
  NETD="$D$sysconfdir/cni/net.d"
  check "DESTDIR install: hull-net's default network template in $sysconfdir/cni/net.d" [ -s "$NETD/hull0.conflist.template" ]
  check "hull-net --help names that directory for the /usr prefix (/etc/cni/net.d) and the template" \
    bash -c '"$1" --help | grep -q -- "--cni-config-dir /etc/cni/net.d" && "$1" --help | grep -q "NAME.conflist.template"' _ "$S/hull-net"
  if "$S/hull-net" --cni-config-dir "$NETD" --state-dir "$T/net-state" create hull0 >"$T/create.out" 2>&1; then
    check "the installed hull-net writes hull0.conflist from the template, with a free 10.77.K.0/24" \
      bash -c 'jq -e ".plugins[0].ipam.ranges[0][0].subnet | test(\"^10\\\\.77\\\\.[0-9]+\\\\.0/24$\")" "$1/hull0.conflist" >/dev/null &&
        [ "$(jq -S "del(.plugins[0].ipam.ranges)" "$1/hull0.conflist")" = "$(jq -S "del(.plugins[0].ipam.ranges)" "$1/hull0.conflist.template")" ]' _ "$NETD"
  else
    fail "hull-net create hull0 with the installed template: $(cat "$T/create.out")"
  fi
else
  fail "DESTDIR meson install"; tail -n 20 "$T/install.log"
fi
# --prefix: a fresh configuration (not built) must plan every file under it
if meson setup "$T/pfx" "$TOP" --prefix=/opt/hull-prefix-test -Dtests=false >"$T/setup.log" 2>&1; then
  outside="$(meson introspect "$T/pfx" --installed | jq -r '.[]' | grep -v '^/opt/hull-prefix-test/')"
  check "--prefix /opt/...: every installed file under the prefix${outside:+ (outside: $outside)}" [ -z "$outside" ]
  check "--prefix /opt/...: hull goes to /opt/hull-prefix-test/sbin" \
    bash -c 'meson introspect "$1" --installed | jq -r ".[]" | grep -qx /opt/hull-prefix-test/sbin/hull' _ "$T/pfx"
else
  fail "meson setup --prefix"; tail -n 5 "$T/setup.log"
fi

echo "ship: $P passed, $F failed"
[ "$F" = 0 ]
