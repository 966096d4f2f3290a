#!/bin/bash
# Config fields that must be applied, never parsed and dropped:
# linux.memoryPolicy, process.execCPUAffinity, linux.netDevices,
# linux.intelRdt, and `hull features` owning up to them.
source "$(dirname "$0")/lib.sh"

hull() { timeout -k 5 30 "$HULL" --root "$TEST_ROOT" "$@"; }
sh_in() { cfg "$1" '.process.args = ["/bin/sh", "-c", $c]' --arg c "$2"; }
# expect_error DESC BUNDLE TEXT: run fails with one line naming TEXT, nothing left.
expect_error() {
  local d="$1" b="$2" text="$3" id
  id="$(uniq_id err)"
  run_in "$b" "$id"
  if [ "$RC" = 0 ]; then fail "$d: run succeeded"; return; fi
  if ! contains "$ERR" "$text"; then fail "$d: stderr lacks \"$text\""; return; fi
  if [ "$(grep -c . <<<"$ERR")" != 1 ]; then fail "$d: more than one error line"; return; fi
  if ! no_leftovers "$id"; then fail "$d: leftovers"; return; fi
  ok "$d"
}
wait_stopped() { for _ in $(seq 100); do [ "$(hull state "$1" 2>/dev/null | jq -r .status)" = stopped ] && return 0; sleep 0.1; done; return 1; }
NUMA='head -n 1 /proc/self/numa_maps | cut -d " " -f 2'

t "linux.memoryPolicy"
B="$(new_bundle mpol)"
sh_in "$B" "$NUMA"
cfg "$B" '.linux.memoryPolicy = {"mode":"MPOL_INTERLEAVE","nodes":"0"}'
run_in "$B" "$(uniq_id mpol)"
check "interleave applied" [ "$OUT" = interleave:0 ]
cfg "$B" '.linux.memoryPolicy = {"mode":"MPOL_BIND","nodes":"0","flags":["MPOL_F_STATIC_NODES"]}'
run_in "$B" "$(uniq_id mpol)"
check "bind with static nodes applied" [ "$OUT" = bind=static:0 ]
cfg "$B" '.linux.memoryPolicy = {"mode":"MPOL_PREFERRED","nodes":"0","flags":["MPOL_F_RELATIVE_NODES"]} | .process.args = ["sleep","30"]'
ID="$(uniq_id mpolx)"
_IDS+=("$ID")
(cd "$B" && hull run -d "$ID" </dev/null >/dev/null 2>&1)
OUT="$(hull exec "$ID" sh -c "$NUMA" 2>&1)"
check "exec gets it too" [ "$OUT" = prefer=relative:0 ]
hull delete -f "$ID" >/dev/null 2>&1
cfg "$B" '.linux.memoryPolicy = {"mode":"MPOL_DEFAULT","nodes":"0-7"} | .process.args = ["true"]'
expect_error "a mode that takes no nodes refuses some" "$B" "MPOL_DEFAULT mode requires 0 nodes but got 8"
cfg "$B" '.linux.memoryPolicy = {"mode":"MPOL_BIND","nodes":"0-9876543210"}'
expect_error "a node number out of range" "$B" "invalid memory policy node"

t "process.execCPUAffinity"
if [ "$(nproc)" -ge 2 ]; then
  B="$(new_bundle affinity)"
  sh_in "$B" 'grep Cpus_allowed_list /proc/self/status'
  ID="$(uniq_id aff)"
  _IDS+=("$ID")
  OUT="$(cd "$B" && taskset -c 0 "$HULL" --root "$TEST_ROOT" run "$ID" </dev/null 2>&1)"
  check "without it, a caller's taskset does not leak in" [ "$OUT" = "Cpus_allowed_list:	$(grep Cpus_allowed_list /proc/self/status | cut -f2)" ]
  cfg "$B" '.process.execCPUAffinity = {"initial":"1","final":"0"}'
  ID="$(uniq_id aff2)"
  _IDS+=("$ID")
  (cd "$B" && hull create "$ID" </dev/null >"$WORK/aff.out" 2>&1)
  PID="$(hull state "$ID" | jq .pid)"
  check "initial: the init runs there until exec" [ "$(grep Cpus_allowed_list "/proc/$PID/status" | cut -f2)" = 1 ]
  hull start "$ID"
  wait_stopped "$ID"
  check "final: the process after exec" [ "$(cat "$WORK/aff.out")" = "Cpus_allowed_list:	0" ]
  hull delete -f "$ID" >/dev/null 2>&1
  cfg "$B" '.process.execCPUAffinity = {"initial":"100000"}'
  expect_error "a CPU out of range" "$B" "process.execCPUAffinity.initial"
else
  echo "# one CPU: execCPUAffinity checks skipped"
fi

t "linux.netDevices"
# Everything happens in a network namespace the test makes, never on the host's.
NS="hull-pb-$$"
ip netns add "$NS"
inns() { nsenter --net="/run/netns/$NS" "$@"; }
hull_ns() { inns timeout -k 5 30 "$HULL" --root "$TEST_ROOT" "$@"; }
inns ip link add pbdummy0 type veth peer name pbpeer0 # no dummy module on every kernel
inns ip link set pbdummy0 mtu 1789 address 00:11:22:33:44:55
inns ip addr add 10.1.2.3/24 brd 10.1.2.254 dev pbdummy0
inns ip addr add 127.0.0.33/8 dev pbdummy0 scope host
B="$(new_bundle netdev)"
cfg "$B" '.linux.netDevices = {"pbdummy0": {"name": "ctr0"}} | .process.args = ["sleep", "30"]'
ID="$(uniq_id netdev)"
_IDS+=("$ID")
(cd "$B" && hull_ns run -d "$ID" </dev/null >/dev/null 2>"$WORK/stderr")
RC=$?
ERR="$(cat "$WORK/stderr")"
check "runs" [ "$RC" = 0 ]
OUT="$(hull_ns exec "$ID" ip addr show dev ctr0 2>&1)"
check "moved in, renamed" contains "$OUT" "ctr0"
check "mtu and mac kept" bash -c '[[ "$1" == *"mtu 1789"* && "$1" == *"00:11:22:33:44:55"* ]]' _ "$OUT"
check "global address kept, with its broadcast" contains "$OUT" "inet 10.1.2.3/24 brd 10.1.2.254"
check "host-scope address not carried" lacks "$OUT" "127.0.0.33"
check "gone from the runtime's namespace" bash -c '! nsenter --net="/run/netns/$1" ip link show pbdummy0 >/dev/null 2>&1' _ "$NS"
hull_ns delete -f "$ID" >/dev/null 2>&1
check "back under its own name after delete" bash -c 'nsenter --net="/run/netns/$1" ip link show pbdummy0 >/dev/null 2>&1' _ "$NS"
B="$(new_bundle netdev-missing)"
cfg "$B" '.linux.netDevices = {"pbnosuch9": {}}'
ID="$(uniq_id netdevx)"
OUT="$(cd "$B" && hull_ns run "$ID" 2>&1 </dev/null)"
RC=$?
check "missing interface: one error naming the field" bash -c '[ "$1" != 0 ] && [[ "$2" == *linux.netDevices* && "$2" == *pbnosuch9* ]] && [ "$(grep -c . <<<"$2")" = 1 ]' _ "$RC" "$OUT"
check "missing interface: nothing left" no_leftovers "$ID"
ip netns del "$NS"

t "linux.intelRdt"
B="$(new_bundle rdt)"
cfg "$B" '.linux.intelRdt = {"l3CacheSchema": "L3:0=f"}'
if grep -q " - resctrl " /proc/self/mountinfo; then
  sh_in "$B" 'true'
  ID="$(uniq_id rdt)"
  run_in "$B" "$ID"
  check "runs where resctrl is mounted" [ "$RC" = 0 ]
  check "its group is removed on delete" [ ! -e "$(awk '$9 == "resctrl" {print $5}' /proc/self/mountinfo | head -1)/$ID" ]
else
  expect_error "no resctrl: one clear error naming the field" "$B" "linux.intelRdt"
fi

t "hull features owns up to them"
F="$("$HULL" features)"
check "memoryPolicy modes listed" bash -c 'jq -e ".linux.memoryPolicy.modes | index(\"MPOL_INTERLEAVE\")" <<<"$1" >/dev/null' _ "$F"
check "memoryPolicy flags listed" bash -c 'jq -e ".linux.memoryPolicy.flags | index(\"MPOL_F_STATIC_NODES\")" <<<"$1" >/dev/null' _ "$F"
check "netDevices enabled" bash -c 'jq -e ".linux.netDevices.enabled == true" <<<"$1" >/dev/null' _ "$F"
check "intelRdt enabled, with schemata and monitoring" bash -c 'jq -e ".linux.intelRdt | .enabled and .schemata and .monitoring" <<<"$1" >/dev/null' _ "$F"
check "idmap mounts enabled" bash -c 'jq -e ".linux.mountExtensions.idmap.enabled == true" <<<"$1" >/dev/null' _ "$F"

finish
