#!/bin/bash
# Converts a containers-common / moby seccomp profile (archMap, includes,
# excludes) into the OCI linux.seccomp object for this host's architecture
# and a capability set, the way podman and docker do before calling the runtime.
#   seccomp-to-oci.sh [PROFILE] [CAP,CAP,...] > seccomp.json
# Default profile: /usr/share/containers/seccomp.json (Debian package
# golang-github-containers-common); default caps: the OCI/runc default set.
set -euo pipefail
PROFILE="${1:-/usr/share/containers/seccomp.json}"
CAPS="${2:-CAP_AUDIT_WRITE,CAP_KILL,CAP_NET_BIND_SERVICE}"
case "$(uname -m)" in
  x86_64) ARCH=amd64 SCMP=SCMP_ARCH_X86_64 ;;
  aarch64) ARCH=arm64 SCMP=SCMP_ARCH_AARCH64 ;;
  *) ARCH="$(uname -m)" SCMP="SCMP_ARCH_$(uname -m | tr a-z A-Z)" ;;
esac
jq --arg arch "$ARCH" --arg scmp "$SCMP" --arg caps "$CAPS" '
  ($caps | split(",")) as $have
  | def ok(f): (f // {}) as $c
      | (($c.arches // []) | length == 0 or index($arch) != null)
        and (($c.caps // []) | all(. as $x | $have | index($x) != null));
    def bad(f): (f // {}) as $c
      | (($c.arches // []) | index($arch) != null)
        or (($c.caps // []) | any(. as $x | $have | index($x) != null));
  {
    defaultAction,
    architectures: ([.archMap[] | select(.architecture == $scmp)
                     | [.architecture] + (.subArchitectures // [])] | add // [$scmp]),
    syscalls: [.syscalls[] | select(ok(.includes) and (bad(.excludes) | not))
               | {names, action} + (if .errnoRet then {errnoRet} else {} end)
                 + (if (.args // []) | length > 0 then {args: [.args[] | {index, value, valueTwo, op}]} else {} end)]
  } + (if .defaultErrnoRet then {defaultErrnoRet} else {} end)
' "$PROFILE"
