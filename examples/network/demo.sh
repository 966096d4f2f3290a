#!/bin/bash
# Networking with hull-net: a server and a client on the default network
# hull0 talking by name, and busybox httpd published on 127.0.0.1:8080 and
# fetched from the host. Everything it started is deleted at the end; the
# bridge hull0 (and its conflist in /etc/cni/net.d) stays for next time.
#   sudo examples/network/demo.sh
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
TOP="$(cd "$HERE/../.." && pwd)"
HULL="$("$TOP/examples/setup.sh" containernetworking-plugins iptables curl)"
NET="$TOP/build/hooks/net/hull-net"
W="$(mktemp -d /var/tmp/hull-net-demo.XXXXXX)"
ROOT="$W/state"   # hull's --root for the demo
trap 'for c in demo-web demo-echo demo-client; do "$HULL" --root "$ROOT" delete -f $c 2>/dev/null || true; done; rm -rf "$W"' EXIT

bundle() { # NAME COMMAND...: a busybox bundle running COMMAND
  local b="$W/$1"; shift
  [ -d "$W/rootfs" ] || "$TOP/tests/integration/make-rootfs.sh" "$W/rootfs" >/dev/null
  mkdir -p "$b"; cp -a "$W/rootfs" "$b/rootfs"
  (cd "$b" && "$HULL" spec)
  local args; args="$(printf '%s\0' "$@" | jq -Rsc 'rtrimstr("\u0000") | split("\u0000")')"
  jq --argjson a "$args" '.process.terminal = false | .root.readonly = false | .process.args = $a' \
    < "$b/config.json" > "$b/c.json" && mv "$b/c.json" "$b/config.json"
  echo "$b"
}

echo "== a server: answers one line to whoever connects (nc), named echo"
B=$(bundle echo sh -c 'while true; do echo "hello from $(hostname)" | nc -l -p 7000; done')
"$NET" attach "$B" --name echo
"$HULL" --root "$ROOT" run -d -b "$B" demo-echo

echo "== busybox httpd, named web, published on 127.0.0.1:8080"
B=$(bundle web sh -c 'echo "<h1>hello from hull</h1>" > /index.html; exec httpd -f -p 80 -h /')
"$NET" attach "$B" --name web --publish 127.0.0.1:8080:80
"$HULL" --root "$ROOT" run -d -b "$B" demo-web

echo "== a client on the same network: by name, over TCP"
B=$(bundle client sh -c 'echo "I am $(hostname), my hosts file:"; cat /etc/hosts; echo "nc echo 7000 says:"; nc echo 7000 </dev/null')
"$NET" attach "$B" --name client
"$HULL" --root "$ROOT" run -b "$B" demo-client

echo "== hull-net ls"
"$NET" ls

echo "== from the host: curl http://127.0.0.1:8080/"
for i in $(seq 50); do curl -sf http://127.0.0.1:8080/ && break; sleep 0.1; done

echo "== delete"
"$HULL" --root "$ROOT" delete -f demo-web
"$HULL" --root "$ROOT" delete -f demo-echo
echo "left on the host:"
echo "  containers attached: $("$NET" ls | awk 'f && NF {n++} /^CONTAINER/ {f=1} END {print n+0}')"
echo "  addresses reserved on hull0: $(ls /var/lib/cni/networks/hull0 2>/dev/null | grep -c -E '^[0-9.]+$' || true)"
echo "  veths on hull0: $(ip -o link show master hull0 2>/dev/null | grep -c veth || true)"
echo "  port 8080 answers: $(curl -s -m 2 -o /dev/null http://127.0.0.1:8080/ && echo yes || echo no)"
echo "  bridge: $(ip -br addr show hull0 | awk '{print $1, $3}') (kept for the next containers)"
