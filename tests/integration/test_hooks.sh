#!/bin/bash
# The hook runner: six lists in order with the status of each point, where
# each runs (namespaces), its environment, args, timeouts (the hook's whole
# process group), failure text, teardown (poststop hooks run), and output
# that never reaches the container's streams.
source "$(dirname "$0")/lib.sh"
H="$WORK/hooks-out"; mkdir -p "$H"

# hook JSON: hook PATH-IN-HOST SCRIPT [extra jq fields as JSON]
hook() { jq -nc --arg s "$1" --argjson x "${2:-{\}}" '{path:"/bin/sh", args:["sh","-c",$s]} + $x'; }
set_hooks() { # BUNDLE LIST HOOK-JSON...
  local b="$1" l="$2"; shift 2
  local arr; arr="$(printf '%s\n' "$@" | jq -sc .)"
  cfg "$b" ".hooks[\$l] = \$a" --arg l "$l" --argjson a "$arr"
}
# gone PID: no such process, or a zombie nobody reaped yet
gone() { [ -n "$1" ] && { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status"; }; }
# a hook that records "NAME STATUS" of its stdin state into FILE (host path)
rec() { hook "echo \"$2 \$(cat | sed -n 's/.*\"status\":\"\\([a-z]*\\)\".*/\\1/p')\" >> $1"; }

t "all six lists run in order, each with the status of its point"
B=$(new_bundle order); set_args "$B" true
O="$H/order"
set_hooks "$B" prestart "$(rec "$O" prestart)" "$(rec "$O" prestart2)"
set_hooks "$B" createRuntime "$(rec "$O" createRuntime)"
set_hooks "$B" createContainer "$(rec "$O" createContainer)"
# startContainer runs after pivot_root: its path and output file are the container's
set_hooks "$B" startContainer "$(hook 'echo "startContainer $(cat | sed -n "s/.*\"status\":\"\([a-z]*\)\".*/\1/p")" >> /order-in')"
set_hooks "$B" poststart "$(rec "$O" poststart)"
set_hooks "$B" poststop "$(rec "$O" poststop)"
run_in "$B" "$(uniq_id order)"
check "run succeeds" [ "$RC" = 0 ]
check "runtime-namespace hooks in order with their status" [ "$(cat "$O" 2>/dev/null | tr '\n' ,)" = "prestart creating,prestart2 creating,createRuntime creating,createContainer creating,poststart running,poststop stopped," ]
check "startContainer ran in the container with status created" [ "$(cat "$B/rootfs/order-in" 2>/dev/null)" = "startContainer created" ]

t "namespaces: createRuntime in the runtime's, createContainer in the container's"
B=$(new_bundle ns); set_args "$B" true
set_hooks "$B" createRuntime "$(hook "readlink /proc/self/ns/uts > $H/ns-rt")"
set_hooks "$B" createContainer "$(hook "readlink /proc/self/ns/uts > $H/ns-cc; readlink /proc/self/ns/mnt >> $H/ns-cc")"
set_hooks "$B" startContainer "$(hook 'hostname > /ns-sc')"
run_in "$B" "$(uniq_id ns)"
check "run succeeds" [ "$RC" = 0 ]
check "createRuntime: the host's uts namespace" [ "$(cat "$H/ns-rt" 2>/dev/null)" = "$(readlink /proc/self/ns/uts)" ]
check "createContainer: not the host's uts namespace" [ -s "$H/ns-cc" ] && [ "$(head -n1 "$H/ns-cc")" != "$(readlink /proc/self/ns/uts)" ]
check "createContainer: not the host's mount namespace" [ "$(sed -n 2p "$H/ns-cc")" != "$(readlink /proc/self/ns/mnt)" ]
check "startContainer: sees the container's hostname" [ "$(cat "$B/rootfs/ns-sc" 2>/dev/null)" = hull ]

t "args and env"
B=$(new_bundle env); set_args "$B" true
cfg "$B" '.process.env += ["FROM_PROCESS=yes"]'
set_hooks "$B" createRuntime "$(hook "echo \"\$0 \$HULL_HOOK_MARK \${FROM_PROCESS:-none}\" > $H/env-rt")" \
  "$(hook "echo \"\$0 \$ONLY \${HULL_HOOK_MARK:-none}\" > $H/env-set" '{"env":["ONLY=this"]}')"
set_hooks "$B" createContainer "$(hook "echo \"\${HULL_HOOK_MARK:-none} \$FROM_PROCESS\" > $H/env-cc")"
_IDS+=("$(uniq_id env)"); ID="${_IDS[-1]}"
OUT="$(cd "$B" && HULL_HOOK_MARK=mark "$HULL" --root "$TEST_ROOT" run "$ID" 2>&1 </dev/null)"; RC=$?
check "run succeeds" [ "$RC" = 0 ]
check "args[0] is the hook's argv[0]; no env: hull's environment" [ "$(cat "$H/env-rt" 2>/dev/null)" = "sh mark none" ]
check "env given: exactly that" [ "$(cat "$H/env-set" 2>/dev/null)" = "sh this none" ]
check "createContainer, no env: the container's environment" [ "$(cat "$H/env-cc" 2>/dev/null)" = "none yes" ]

t "hook output goes to hull's log, never to the container's streams"
B=$(new_bundle out); set_args "$B" echo PROCESS
set_hooks "$B" createRuntime "$(hook 'echo RT-OUT; echo RT-ERR >&2')"
set_hooks "$B" createContainer "$(hook 'echo CC-OUT; echo CC-ERR >&2')"
set_hooks "$B" poststart "$(hook 'echo PS-OUT; echo PS-ERR >&2')"
_IDS+=("$(uniq_id out)"); ID="${_IDS[-1]}"
OUT="$(cd "$B" && hull --debug --log "$H/out.log" run "$ID" 2>"$H/out.err" </dev/null)"; RC=$?; ERR="$(cat "$H/out.err")"
check "run succeeds" [ "$RC" = 0 ]
check "container stdout is only the process's" [ "$OUT" = PROCESS ]
check "nothing of the hooks on stderr" lacks "$ERR" "-OUT" && lacks "$ERR" "-ERR"
check "runtime hooks' output in the log" contains "$(cat "$H/out.log")" "RT-OUT" && contains "$(cat "$H/out.log")" "PS-ERR"

t "a failing createRuntime hook: named, with runc's text; torn down; poststop runs"
B=$(new_bundle fail); set_args "$B" true
set_hooks "$B" createRuntime "$(hook true)" "$(hook 'echo partial; echo boom >&2; exit 3')"
set_hooks "$B" poststop "$(hook "echo released > $H/fail-poststop")"
ID=$(uniq_id fail); run_in "$B" "$ID"
check "run fails" [ "$RC" != 0 ]
check "names list, index and path" contains "$ERR" "error running createRuntime hook #1 (/bin/sh)"
check "runc's text: exit status, stdout, stderr" contains "$ERR" "error running hook: exit status 3, stdout: partial, stderr: boom"
check "one error line" [ "$(grep -c . <<<"$ERR")" = 1 ]
check "poststop hooks ran" [ "$(cat "$H/fail-poststop" 2>/dev/null)" = released ]
check "nothing left" no_leftovers "$ID"

t "a hook killed by a signal"
B=$(new_bundle sig); set_args "$B" true
set_hooks "$B" prestart "$(hook 'kill -9 $$')"
ID=$(uniq_id sig); run_in "$B" "$ID"
check "run fails" [ "$RC" != 0 ]
check "says the signal" contains "$ERR" "error running prestart hook #0 (/bin/sh): error running hook: signal: killed"
check "nothing left" no_leftovers "$ID"

t "a hook that cannot be executed"
B=$(new_bundle noexec); set_args "$B" true
set_hooks "$B" createRuntime '{"path":"/nonexistent/hook"}'
ID=$(uniq_id noexec); run_in "$B" "$ID"
check "run fails" [ "$RC" != 0 ]
check "names the path and the cause" contains "$ERR" "createRuntime hook #0 (/nonexistent/hook): fork/exec /nonexistent/hook: no such file or directory"
check "nothing left" no_leftovers "$ID"

t "timeout kills the hook and its children"
B=$(new_bundle tmo); set_args "$B" true
set_hooks "$B" createRuntime "$(hook "sleep 1000 & echo \$! > $H/tmo-child; echo \$\$ > $H/tmo-hook; wait" '{"timeout":1}')"
set_hooks "$B" poststop "$(hook "echo released > $H/tmo-poststop")"
ID=$(uniq_id tmo); run_in "$B" "$ID"
check "run fails" [ "$RC" != 0 ]
check "runc's timeout text" contains "$ERR" "error running createRuntime hook #0 (/bin/sh): hook ran past specified timeout of 1.0s"
check "the hook is gone" gone "$(cat "$H/tmo-hook")"
check "its child is gone" gone "$(cat "$H/tmo-child")"
check "poststop hooks ran" [ "$(cat "$H/tmo-poststop" 2>/dev/null)" = released ]
check "nothing left" no_leftovers "$ID"

t "a hook that leaves a child holding its output does not hang hull"
B=$(new_bundle bg); set_args "$B" true
set_hooks "$B" createRuntime "$(hook "sleep 1000 & echo \$! > $H/bg-child")"
ID=$(uniq_id bg); run_in "$B" "$ID"
check "run succeeds" [ "$RC" = 0 ]
kill "$(cat "$H/bg-child")" 2>/dev/null

t "a failing createContainer hook tears down, poststop runs"
B=$(new_bundle ccfail); set_args "$B" true
set_hooks "$B" createContainer "$(hook 'echo inside >&2; exit 4')"
set_hooks "$B" poststop "$(hook "echo released > $H/cc-poststop")"
ID=$(uniq_id ccfail); run_in "$B" "$ID"
check "run fails" [ "$RC" != 0 ]
check "names it" contains "$ERR" "error running createContainer hook #0 (/bin/sh): error running hook: exit status 4, stdout: , stderr: inside"
check "poststop hooks ran" [ "$(cat "$H/cc-poststop" 2>/dev/null)" = released ]
check "nothing left" no_leftovers "$ID"

t "a failing startContainer hook fails start and tears down"
B=$(new_bundle scfail); set_args "$B" sleep 100
set_hooks "$B" startContainer "$(hook 'exit 5')"
set_hooks "$B" poststop "$(hook "echo released > $H/sc-poststop")"
ID=$(uniq_id scfail); _IDS+=("$ID")
(cd "$B" && hull create "$ID" </dev/null >/dev/null 2>&1)
ERR="$(hull start "$ID" 2>&1)"; RC=$?
check "start fails" [ "$RC" != 0 ]
check "names it" contains "$ERR" "error running startContainer hook #0 (/bin/sh): error running hook: exit status 5"
check "poststop hooks ran" [ "$(cat "$H/sc-poststop" 2>/dev/null)" = released ]
check "nothing left" no_leftovers "$ID"

t "a failing poststart hook fails start; the container is killed and deleted (runc, crun)"
B=$(new_bundle psfail); set_args "$B" sleep 100
set_hooks "$B" poststart "$(hook 'exit 6')"
set_hooks "$B" poststop "$(hook "echo released > $H/ps-poststop")"
ID=$(uniq_id psfail); _IDS+=("$ID")
(cd "$B" && hull create --pid-file "$H/ps-pid" "$ID" </dev/null >/dev/null 2>&1)
ERR="$(hull start "$ID" 2>&1)"; RC=$?
check "start fails" [ "$RC" != 0 ]
check "names it" contains "$ERR" "error running poststart hook #0 (/bin/sh): error running hook: exit status 6"
check "the process is gone" gone "$(cat "$H/ps-pid")"
check "the container is deleted" contains "$(hull state "$ID" 2>&1)" "does not exist"
check "poststop hooks ran" [ "$(cat "$H/ps-poststop" 2>/dev/null)" = released ]
check "nothing left" no_leftovers "$ID"

t "a failing poststop hook: a warning, the others still run, delete succeeds"
B=$(new_bundle psfail2); set_args "$B" true
set_hooks "$B" poststop "$(hook 'exit 7')" "$(hook "echo second > $H/ps2")"
ID=$(uniq_id psfail2); run_in "$B" "$ID"
check "run succeeds" [ "$RC" = 0 ]
check "warning names the hook" contains "$ERR" "poststop hook #0 (/bin/sh)"
check "the next poststop hook ran" [ "$(cat "$H/ps2" 2>/dev/null)" = second ]
check "nothing left" no_leftovers "$ID"

finish
