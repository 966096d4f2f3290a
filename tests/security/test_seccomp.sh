#!/bin/bash
# seccomp end to end: the containers-common profile, restrictive profiles
# that must not break setup, errnoRet, kill actions, SCMP_ACT_NOTIFY with a
# listener that answers, the compiled-filter cache (warm, corrupted,
# foreign), and clear errors for bad profiles.
source "$(dirname "$0")/lib.sh"
TOPDIR="$(cd "$HERE_SEC/../.." && pwd)"
with_sc() { cfg "$1" '.linux.seccomp = $sc' --argjson sc "$2"; }
allow() { echo '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],"syscalls":'"$1"'}'; }

t "containers-common default profile runs a shell"
if [ -r /usr/share/containers/seccomp.json ]; then
  b="$(new_bundle default)"
  with_sc "$b" "$("$TOPDIR/bench/seccomp-to-oci.sh")"
  set_args "$b" sh -c 'ls / >/dev/null && echo SHELL_OK; mount -t tmpfs x /mnt 2>&1; true'
  run_in "$b" "$(uniq_id sca)"
  if [ "$RC" = 0 ] && contains "$OUT" SHELL_OK; then ok; else fail; fi
else fail "/usr/share/containers/seccomp.json missing (golang-github-containers-common)"; fi

t "a profile denying getcwd, setgroups, capset, prctl, chdir does not break setup (noNewPrivileges)"
b="$(new_bundle restrictive)"
with_sc "$b" "$(allow '[{"names":["getcwd","setgroups","setresuid","setresgid","capset","prctl","chdir","mount","pivot_root"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]')"
cfg "$b" '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [100]} | .process.noNewPrivileges = true'
set_args "$b" sh -c 'cd /tmp 2>/dev/null || echo CHDIR_DENIED; id -u; echo STARTED'
run_in "$b" "$(uniq_id scb)"
if [ "$RC" = 0 ] && contains "$OUT" STARTED && contains "$OUT" CHDIR_DENIED && contains "$OUT" 1000; then ok; else fail; fi

t "a profile without noNewPrivileges loads too (root)"
b="$(new_bundle nonnp)"
with_sc "$b" "$(allow '[{"names":["getcwd"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]')"
cfg "$b" '.process.noNewPrivileges = false'
set_args "$b" sh -c 'grep Seccomp: /proc/self/status'
run_in "$b" "$(uniq_id scc)"
if [ "$RC" = 0 ] && contains "$OUT" "2"; then ok; else fail; fi

t "errnoRet reaches the process, defaultErrnoRet too"
b="$(new_bundle errno)"
with_sc "$b" "$(allow '[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":18}]')"
set_args "$b" sh -c 'mkdir /tmp/x 2>&1; true'
run_in "$b" "$(uniq_id scd)"
if [ "$RC" = 0 ] && contains "$OUT" "cross-device"; then ok; else fail; fi

t "SCMP_ACT_KILL_PROCESS kills the container process with SIGSYS"
b="$(new_bundle kill)"
with_sc "$b" "$(allow '[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_KILL_PROCESS"}]')"
set_args "$b" mkdir /tmp/x
run_in "$b" "$(uniq_id sce)"
if [ "$RC" = 159 ]; then ok; else fail "rc=$RC (want 128+SIGSYS)"; fi

t "arguments: only personality(0xffffffff) is allowed through a MASKED_EQ/EQ rule"
b="$(new_bundle args)"
with_sc "$b" "$(allow '[{"names":["uname"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":0,"value":0,"valueTwo":0,"op":"SCMP_CMP_NE"}]}]')"
set_args "$b" sh -c 'uname -s; echo END'
run_in "$b" "$(uniq_id scf)"
if [ "$RC" = 0 ] && contains "$OUT" "END" && ! contains "$OUT" "Linux"; then ok; else fail; fi

t "SCMP_ACT_NOTIFY: the listener gets the state and the fd, and answers mkdir"
if [ -x "$LISTENER" ]; then
  b="$(new_bundle notify)"
  sock="$WORK/listener.sock"; statef="$WORK/listener.state"
  "$LISTENER" "$sock" "$statef" errno=122 2>"$WORK/listener.err" &
  lp=$!
  for i in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
  with_sc "$b" "$(allow '[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_NOTIFY"}]' | jq -c --arg p "$sock" '. + {listenerPath: $p, listenerMetadata: "hull-test-meta"}')"
  set_args "$b" sh -c 'mkdir /tmp/notified 2>&1; [ -d /tmp/notified ] || echo NOT_CREATED'
  id="$(uniq_id scg)"
  run_in "$b" "$id"
  wait $lp 2>/dev/null
  if [ "$RC" = 0 ] && contains "$OUT" "quota" && contains "$OUT" NOT_CREATED; then ok "mkdir answered by the listener"; else fail; fi
  st="$(cat "$statef" 2>/dev/null)"
  if jq -e --arg id "$id" '.fds == ["seccompFd"] and .metadata == "hull-test-meta" and .state.id == $id and (.pid > 0) and .ociVersion != null' <<<"$st" >/dev/null 2>&1
  then ok "seccomp state document"; else fail "state: ${st:0:300}"; fi
else fail "listener $LISTENER not built"; fi

t "unknown syscall names are skipped"
b="$(new_bundle unknownname)"
with_sc "$b" "$(allow '[{"names":["no_such_syscall_hull","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]')"
run_in "$b" "$(uniq_id sch)"
check "runs" [ "$RC" = 0 ]

t "bad profiles: one clear error naming the field, nothing left behind"
for bad in '{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_BOGUS"]}:flags' \
           '{"defaultAction":"SCMP_ACT_BOGUS"}:defaultAction' \
           '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_SOMETIMES"}]}]}:op' \
           '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_VAX"]}:architectures'; do
  b="$(new_bundle bad$RANDOM)"
  with_sc "$b" "${bad%:*}"
  id="$(uniq_id sci)"; run_in "$b" "$id"
  if [ "$RC" != 0 ] && contains "$ERR" "${bad##*:}" && [ "$(wc -l <<<"$ERR")" -le 2 ] && no_leftovers "$id"; then ok "${bad##*:}"; else fail "${bad##*:}"; fi
done

t "the compiled filter is cached, and corrupt or foreign cache files are rebuilt"
b="$(new_bundle cache)"
PROF="$(allow '[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":18}]' | jq -c '. + {listenerMetadata: "cache-test-'$$'"}')"
with_sc "$b" "$PROF"
set_args "$b" sh -c 'mkdir /tmp/x 2>&1; true'
run_in "$b" "$(uniq_id scj)"
f="$(grep -l . "$TEST_ROOT"/seccomp-cache/*.bpf 2>/dev/null | xargs -r ls -t | head -1)"
if [ "$RC" = 0 ] && [ -n "$f" ] && [ "$(head -c 7 "$f")" = HULLBPF ]; then ok "cache file $(basename "$f")"; else fail "no cache file"; fi
if [ -n "$f" ]; then
  good="$(sha256sum < "$f")"
  printf '\xff\xff\xff\xff' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
  run_in "$b" "$(uniq_id scj)"
  if [ "$RC" = 0 ] && contains "$OUT" "cross-device" && [ "$(sha256sum < "$f")" = "$good" ]; then ok "corrupt file ignored and rewritten"; else fail "after corruption"; fi
  head -c 4096 /dev/urandom > "$f"
  run_in "$b" "$(uniq_id scj)"
  if [ "$RC" = 0 ] && contains "$OUT" "cross-device" && [ "$(sha256sum < "$f")" = "$good" ]; then ok "foreign file ignored and rewritten"; else fail "after foreign file"; fi
fi

finish
