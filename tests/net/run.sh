#!/bin/bash
# Phase "net": hull-net with real CNI plugins, as root. Everything it makes
# has a name of its own (networks hn<a..>-PID, bridges alike, containers
# net-*), traffic stays between the host and the namespaces made here, no
# outbound NAT, and the end removes its bridges, conflists, IPAM stores and
# iptables rules.  Last line: "net: N passed, N failed".
source "$(dirname "$0")/../integration/lib.sh"
HN="${HULL_NET:-$TOP/build/hooks/net/hull-net}"
CONF="$WORK/net.d"; ST="$WORK/net-state"; mkdir -p "$CONF"
A="hna$$"; B="hnb$$"; C="hnc$$"
hn() { "$HN" --cni-config-dir "$CONF" --state-dir "$ST" "$@"; }
PORT=$((20000 + $$ % 20000))

net_cleanup() {
  local n r
  for n in "$A" "$B" "$C" hnbad$$ hnnop$$ hnfw$$; do
    ip link del "$n" 2>/dev/null
    rm -rf "/var/lib/cni/networks/$n"
    # rules the plugins keep per bridge/network (isolation chains, comments)
    for t in filter nat; do
      iptables-save -t "$t" | grep -E -- "(^| )($n)( |$)|\"name: \\\\\"$n\\\\\"" | grep '^-A' | sed 's/^-A/-D/' |
        while read -r r; do eval iptables -t "$t" "$r" 2>/dev/null; done
    done
  done
}
trap net_cleanup EXIT

# bundle NAME ARGS...: a bundle running ARGS
bundle() { local b; b=$(new_bundle "$1"); shift; set_args "$b" "$@"; echo "$b"; }
# start BUNDLE ID: hull run -d
start() { _IDS+=("$2"); (cd "$1" && hull run -d "$2" </dev/null >"$WORK/$2.out" 2>"$WORK/$2.err"); }
ipam_ips() { ls "/var/lib/cni/networks/$1" 2>/dev/null | grep -E '^[0-9.]+$' | sort; }
hosts_names() { awk 'NR>2 {print $2}' "$ST/networks/$1/hosts" 2>/dev/null | sort; }
not() { ! "$@"; }
has_link() { ip link show "$1" >/dev/null 2>&1; }
# get HOST PATH: HTTP GET over busybox nc (its wget crashes in this static build)
get() { echo "printf 'GET $2 HTTP/1.0\\r\\n\\r\\n' | nc -w 3 $1 80 | tail -n1"; }
veths_on() { ip -o link show master "$1" 2>/dev/null | grep -c veth; }

t "attach: hooks, own network namespace, hosts/resolv.conf/hostname"
hn create "$A" >/dev/null && hn create "$B" >/dev/null && hn create "$C" >/dev/null
check "three networks, three distinct subnets" [ "$(jq -r '.plugins[0].ipam.ranges[0][0].subnet' "$CONF"/hn?$$.conflist | sort -u | wc -l)" = 3 ]
S=$(bundle srv httpd -f -p 80 -h /)
cfg "$S" '.linux.namespaces |= map(select(.type != "network"))'
hn attach "$S" --network "$A" --name srv --publish "127.0.0.1:$PORT:80"; rc=$?
check "attach succeeds" [ "$rc" = 0 ]
check "createRuntime hook: hull-net hook add" [ "$(jq -r '.hooks.createRuntime[-1].args[1:3] | join(" ")' "$S/config.json")" = "hook add" ]
check "poststop hook: hull-net hook del" [ "$(jq -r '.hooks.poststop[-1].args[1:3] | join(" ")' "$S/config.json")" = "hook del" ]
check "a network namespace was added" [ "$(jq '[.linux.namespaces[] | select(.type == "network")] | length' "$S/config.json")" = 1 ]
check "/etc/hosts is the network's hosts file" [ "$(jq -r '.mounts[] | select(.destination == "/etc/hosts") | .source' "$S/config.json")" = "$ST/networks/$A/hosts" ]
hn attach "$S" --network "$A" --name srv --publish "127.0.0.1:$PORT:80"
check "attach twice: still one hook pair" [ "$(jq '.hooks.createRuntime | length' "$S/config.json")" = 1 ]

t "two containers on one network reach each other by name over TCP"
start "$S" net-srv-$$
check "server runs" [ "$(hull state net-srv-$$ 2>/dev/null | jq -r .status)" = running ]
E=$(bundle echo sh -c 'while true; do echo hello-from-echo | nc -l -p 7000; done')
hn attach "$E" --network "$A" --name echo-srv && start "$E" net-echo-$$
K=$(bundle cli sh -c "hostname; nc -w 5 echo-srv 7000 </dev/null; $(get srv /etc/hostname)")
hn attach "$K" --network "$A" --name cli
ID=net-cli-$$; run_in "$K" "$ID"
check "client exits 0" [ "$RC" = 0 ]
check "its hostname is its name" [ "$(sed -n 1p <<<"$OUT")" = cli ]
check "nc by name reaches the other container" [ "$(sed -n 2p <<<"$OUT")" = hello-from-echo ]
check "HTTP by name gets the server's /etc/hostname" [ "$(sed -n 3p <<<"$OUT")" = srv ]
check "the client's entry left the hosts file" [ "$(hosts_names "$A" | tr '\n' ' ')" = "echo-srv srv " ]

t "the host reaches a published port on 127.0.0.1"
got=""
for i in $(seq 50); do got="$(curl -s -m 2 "http://127.0.0.1:$PORT/etc/hostname")" && [ -n "$got" ] && break; sleep 0.1; done
check "curl 127.0.0.1:$PORT gets the container's file" [ "$got" = srv ]

t "inspect, check, ls"
ip_srv="$(hn inspect net-srv-$$ | jq -r '.[0].result.ips[0].address' | cut -d/ -f1)"
check "inspect shows the address" grep -q "^${ip_srv}[[:space:]]srv$" "$ST/networks/$A/hosts"
ERR="$(hn check net-srv-$$ 2>&1)"; rc=$?
check "check of a running container passes" [ "$rc" = 0 ]
check "ls lists the container" contains "$(hn ls)" "net-srv-$$"

t "ADD twice and DEL of a never-attached container are harmless"
pid=$(hull state net-srv-$$ | jq .pid)
echo "{\"id\":\"net-srv-$$\",\"pid\":$pid}" | hn hook add --network "$A" --name srv; rc=$?
check "second ADD succeeds" [ "$rc" = 0 ]
check "same address kept" [ "$(hn inspect net-srv-$$ | jq -r '.[0].result.ips[0].address' | cut -d/ -f1)" = "$ip_srv" ]
check "IPAM holds one address per container" [ "$(ipam_ips "$A" | wc -l)" = 2 ]
echo '{"id":"net-never-'$$'","pid":0}' | hn hook del --network "$A"; rc=$?
check "DEL of a container never set up succeeds" [ "$rc" = 0 ]
check "hosts file untouched" [ "$(hosts_names "$A" | tr '\n' ' ')" = "echo-srv srv " ]

t "a second network isolates its containers"
I=$(bundle iso sh -c "nc -w 3 $ip_srv 80 </dev/null; echo rc=\$?; grep -c srv /etc/hosts")
hn attach "$I" --network "$B" --name iso
run_in "$I" net-iso-$$
check "the other network's server is unreachable" contains "$OUT" "rc=1"
check "its name is not in this network's hosts" [ "$(tail -n1 <<<"$OUT")" = 0 ]
P=$(bundle peer sh -c "$(get "$ip_srv" /etc/hostname)")
hn attach "$P" --network "$A" --name peer
run_in "$P" net-peer-$$
check "control: the same request from the server's network works" [ "$OUT" = srv ]

t "20 containers attached and detached in parallel"
for i in $(seq 20); do
  b=$(bundle "par$i" sleep 1000); hn attach "$b" --network "$C" --name "par$i" >/dev/null || echo "attach $i failed"
done
for i in $(seq 20); do start "$WORK/par$i" "net-par$i-$$" & done; wait
n=0; for i in $(seq 20); do [ "$(hull state "net-par$i-$$" 2>/dev/null | jq -r .status)" = running ] && n=$((n+1)); done
check "all 20 run" [ "$n" = 20 ]
check "IPAM: 20 distinct addresses" [ "$(ipam_ips "$C" | uniq | wc -l)" = 20 ]
check "hosts: the 20 names" [ "$(hosts_names "$C" | wc -l)" = 20 ]
check "hosts addresses = IPAM addresses" [ "$(awk 'NR>2 {print $1}' "$ST/networks/$C/hosts" | sort | tr '\n' ' ')" = "$(ipam_ips "$C" | tr '\n' ' ')" ]
check "20 veths on the bridge" [ "$(veths_on "$C")" = 20 ]
for i in $(seq 20); do hull delete -f "net-par$i-$$" & done; wait
check "IPAM empty after delete" [ -z "$(ipam_ips "$C")" ]
check "hosts file has no entries" [ -z "$(hosts_names "$C")" ]
check "no veth left on the bridge" [ "$(veths_on "$C")" = 0 ]
check "no cached results left" [ -z "$(ls "$ST/containers/$C" 2>/dev/null)" ]
check "the bridge stays" has_link "$C"

t "a broken conflist: one clear error, nothing changed"
echo '{"cniVersion": "1.0.0", "name": "hnbad'$$'", "plugins": [' > "$CONF/hnbad$$.conflist"
X=$(bundle bad true); sum="$(md5sum < "$X/config.json")"
ERR="$(hn attach "$X" --network "hnbad$$" 2>&1)"; rc=$?
check "attach fails" [ "$rc" != 0 ]
check "one line naming the file and the problem" [ "$(grep -c . <<<"$ERR")" = 1 ] && contains "$ERR" "hnbad$$.conflist: invalid JSON"
check "config.json unchanged" [ "$(md5sum < "$X/config.json")" = "$sum" ]

t "a missing plugin: one clear error, nothing made"
jq -n --arg n "hnnop$$" '{cniVersion:"1.0.0", name:$n, plugins:[{type:"bridge", bridge:$n, ipam:{type:"host-local", subnet:"10.78.1.0/24"}}, {type:"nosuchplugin"}]}' > "$CONF/hnnop$$.conflist"
ERR="$(hn attach "$X" --network "hnnop$$" 2>&1)"; rc=$?
check "attach fails" [ "$rc" != 0 ]
check "names the plugin" contains "$ERR" 'plugin "nosuchplugin" not found in CNI_PATH'
# the same discovered only when the hook runs: the container is not made
cp "$CONF/hnnop$$.conflist" "$WORK/nop.save"; jq '.plugins = [.plugins[0]]' "$WORK/nop.save" > "$CONF/hnnop$$.conflist"
hn attach "$X" --network "hnnop$$" >/dev/null; cp "$WORK/nop.save" "$CONF/hnnop$$.conflist"
ID=net-nop-$$; run_in "$X" "$ID"
check "run fails" [ "$RC" != 0 ]
check "one error line naming hook and plugin" [ "$(grep -c . <<<"$ERR")" = 1 ] && contains "$ERR" 'createRuntime hook #0' && contains "$ERR" '"nosuchplugin" not found'
check "no container left" no_leftovers "$ID"
check "no bridge made" not has_link "hnnop$$"

t "a plugin failing mid-chain: its name, CNI code and message; ADD rolled back"
jq -n --arg n "hnfw$$" '{cniVersion:"1.0.0", name:$n, plugins:[{type:"bridge", bridge:$n, isGateway:true, ipam:{type:"host-local", ranges:[[{subnet:"10.78.2.0/24"}]]}}, {type:"tuning", mac:"not-a-mac"}]}' > "$CONF/hnfw$$.conflist"
Y=$(bundle fw true); hn attach "$Y" --network "hnfw$$" >/dev/null
ID=net-fw-$$; run_in "$Y" "$ID"
check "run fails" [ "$RC" != 0 ]
check "plugin name and CNI code shown" contains "$ERR" "plugin tuning failed (CNI code"
check "IPAM reservation released" [ -z "$(ipam_ips "hnfw$$")" ]
check "no veth left" [ "$(veths_on "hnfw$$")" = 0 ]
check "no container left" no_leftovers "$ID"
ip link del "hnfw$$" 2>/dev/null

t "kill -9 of hull during create, then delete -f releases the address"
Z=$(bundle crash sleep 1000); hn attach "$Z" --network "$A" --name crash
cfg "$Z" '.hooks.createRuntime += [{"path":"/bin/sh","args":["sh","-c","echo $$ > '"$WORK"'/crash.hook; exec sleep 1000"]}]'
ID=net-crash-$$; _IDS+=("$ID")
(cd "$Z" && exec "$HULL" --root "$TEST_ROOT" create "$ID" </dev/null >/dev/null 2>&1) & hpid=$!
for i in $(seq 100); do [ -s "$WORK/crash.hook" ] && break; sleep 0.1; done
check "address reserved while create hangs" grep -q crash "$ST/networks/$A/hosts"
kill -9 "$hpid"; wait "$hpid" 2>/dev/null; kill -9 "$(cat "$WORK/crash.hook")" 2>/dev/null
ERR="$(hull delete -f "$ID" 2>&1)"; rc=$?
check "delete -f succeeds" [ "$rc" = 0 ]
check "hosts entry gone" not grep -q crash "$ST/networks/$A/hosts"
check "IPAM: only the two servers" [ "$(ipam_ips "$A" | wc -l)" = 2 ]
check "no container left" no_leftovers "$ID"

t "after delete nothing is left"
hull delete -f net-srv-$$ >/dev/null 2>&1; hull delete -f net-echo-$$ >/dev/null 2>&1
check "IPAM stores empty" [ -z "$(ipam_ips "$A")$(ipam_ips "$B")" ]
check "no veth on the bridges" [ "$(veths_on "$A")$(veths_on "$B")" = 00 ]
check "hosts files without entries" [ -z "$(hosts_names "$A")$(hosts_names "$B")" ]
check "no cached results" [ -z "$(hn ls | awk 'f && NF {print} /^CONTAINER/ {f=1}')" ]
check "no iptables rule names a container address" not grep -q -E "${ip_srv}[/ ]" <<<"$(iptables-save)"
check "published port closed" not curl -s -m 2 "http://127.0.0.1:$PORT/" >/dev/null

cleanup
net_cleanup; trap - EXIT
echo "net: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
