#!/bin/bash
# The demo: builds hull, makes a bundle from Debian's busybox-static and runs
# a container that shows it is isolated (hostname, pid 1, its own mounts).
#   sudo examples/busybox/demo.sh
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
TOP="$(cd "$HERE/../.." && pwd)"
HULL="$("$TOP/examples/setup.sh")"
B="${DEMO_BUNDLE:-/var/tmp/hull-demo}"
rm -rf "$B"; mkdir -p "$B"
"$TOP/tests/integration/make-rootfs.sh" "$B/rootfs"
cd "$B"
"$HULL" spec                      # runc-style default config.json
jq '.process.terminal = false | .hostname = "hull-demo"
    | .process.args = ["/bin/sh", "-c", "echo \"hostname: $(hostname)\"; echo \"my pid: $$\"; echo \"processes:\"; ps -o pid,user,args; echo \"mounts:\"; cut -d\" \" -f2,3 /proc/mounts; echo \"uid: $(id)\""]' \
   config.json > config.json.new && mv config.json.new config.json
echo "== hull run -b $B demo"
exec "$HULL" run -b "$B" "hull-demo-$$"
