#!/bin/bash
# Turns a capture (HULL_CAPTURE=DIR tests/e2e/run.sh) into the corpus the unit
# tests parse: per engine, the config.json files that differ in shape (the
# set of keys and options used, ignoring ids and paths), the exec
# process.json files likewise, and every distinct command line with ids and
# temporary paths replaced.
#   tests/e2e/pick-corpus.sh CAPTURE_DIR tests/unit/configs/engines
set -euo pipefail
SRC="$1" DST="$2"
mkdir -p "$DST"
for e in podman containerd docker buildah; do
  [ -d "$SRC/$e" ] || continue
  for kind in config process; do
    n=0; declare -A seen=()
    for f in $(ls "$SRC/$e"/*."$kind".json 2>/dev/null | sort); do
      # shape: every key path, plus the values that choose behaviour
      shape=$(jq -c '. as $d | ([paths(scalars) | map(if type == "number" then 0 else . end) | join(".")] | unique)
        + [$d.process.terminal?, ($d.linux.devices? // [] | length), ($d.process.capabilities.bounding? // [] | length),
           ($d.mounts? // [] | map(.type) | sort), ($d.process.rlimits? // [] | map(.type) | sort)]' "$f" | sha256sum | cut -c1-16)
      [ -n "${seen[$shape]:-}" ] && continue
      seen[$shape]=1; n=$((n+1))
      jq -S . "$f" > "$DST/$e-$(printf %02d $n).$kind.json"
    done
    unset seen
  done
  # command lines: one per line, arguments space-separated, ids and temp paths generalized
  for f in "$SRC/$e"/*.argv; do tr '\n' ' ' < "$f"; echo; done |
    sed -E 's|/var/tmp/hull-e2e-[a-z]+\.[A-Za-z0-9]+|$WORK|g; s/[0-9a-f]{64}/<ID>/g; s/hulle2e-[a-z]+-[0-9]+/<TAG>/g; s/ +$//' |
    sort -u > "$DST/$e.argv"
done
