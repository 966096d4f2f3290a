#!/bin/bash
# Where runc's own integration suite (tests/integration/*.bats of runc 1.1)
# passed with runc and failed with hull: each check here is one of those
# behaviours, so hull keeps matching runc without needing runc's suite.
source "$(dirname "$0")/lib.sh"

# ------------------------------------------------------- seccomp ENOSYS stub
t "seccomp: a syscall newer than the profile's last one fails with ENOSYS, not the default errno"
B=$(new_bundle enosys)
cp "$TOP/build/tests/raw_syscall" "$B/rootfs/bin/raw_syscall"
set_args "$B" sh -c 'raw_syscall 1000; raw_syscall 110'
cfg "$B" '.linux.seccomp = {defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  syscalls: [{action: "SCMP_ACT_ALLOW", names: ["execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list",
    "rseq", "prlimit64", "readlink", "readlinkat", "getrandom", "mprotect", "mmap", "munmap", "read", "write", "writev",
    "close", "fstat", "newfstatat", "openat", "futex", "exit", "exit_group", "uname", "getpid", "getuid", "geteuid",
    "getgid", "getegid", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "ioctl", "fcntl", "wait4", "clone", "vfork",
    "sendmsg", "sendto", "lseek", "dup2", "dup3", "getcwd", "stat", "lstat", "access", "faccessat", "faccessat2",
    "setpgid"]}]}'
# getppid (110) is not allowed and below the last listed syscall: EPERM
ID=$(uniq_id enosys)
run_in "$B" "$ID"
if [ "$RC" = 0 ] && [ "$OUT" = $'ENOSYS\nEPERM' ]; then ok; else fail "rc=$RC"; fi

# ----------------------------------------------------- device cgroup rules
t "linux.devices are not allowed by the device cgroup unless resources.devices allows them"
B=$(new_bundle devdeny)
# the template denies all devices; /dev/kmsg is created but stays denied
cfg "$B" '.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11}]
  | .process.capabilities |= with_entries(.value += ["CAP_SYSLOG"])'
set_args "$B" sh -c 'echo hull-parity-test > /dev/kmsg && echo written; head -c 1 /dev/kmsg >/dev/null && echo read; ls -l /dev/kmsg | cut -c1'
run_in "$B" "$(uniq_id devdeny)"
if [ "$RC" = 0 ] && [ "$OUT" = c ] && contains "$ERR" "Operation not permitted"; then ok; else fail "rc=$RC"; fi
B=$(new_bundle devallow)
cfg "$B" '.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11}]
  | .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "r"}]
  | .process.capabilities |= with_entries(.value += ["CAP_SYSLOG"])'
set_args "$B" sh -c 'echo x > /dev/kmsg && echo written; timeout 1 head -c 1 /dev/kmsg >/dev/null; echo read $?'
run_in "$B" "$(uniq_id devallow)"
t "an allow rule for reading a linux.devices node lets it be read, not written"
if [ "$RC" = 0 ] && [ "$OUT" = "read 0" ]; then ok; else fail "rc=$RC"; fi

# ------------------------------------------------------------------ hooks
t "createContainer hooks run in the rootfs directory"
B=$(new_bundle hookcwd)
cfg "$B" '.hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", "touch ./made-by-hook"]}]'
set_args "$B" ls /made-by-hook
run_in "$B" "$(uniq_id hookcwd)"
if [ "$RC" = 0 ] && [ "$OUT" = /made-by-hook ] && [ ! -e "$B/made-by-hook" ]; then ok; else fail "rc=$RC"; fi

t "a hook killed by a signal is reported with Go's signal name (bad system call)"
B=$(new_bundle hooksig)
cfg "$B" '.process.noNewPrivileges = false
  | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_KILL"}]}
  | .hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "mkdir /dev/shm/foo"]}]'
run_in "$B" "$(uniq_id hooksig)"
if [ "$RC" != 0 ] && contains "$ERR" "error running hook: signal: bad system call"; then ok; else fail "rc=$RC"; fi

# ------------------------------------------------------ stdio / tty owner
t "a non-root process owns its terminal (group kept) and its stdio, not /dev/null"
B=$(new_bundle ttyowner)
cfg "$B" '.process.terminal = true | .process.user = {uid: 1000, gid: 100}'
set_args "$B" sh -c 'stat -c %u:%g $(tty)'
SOCK="$WORK/tty.sock"
"$TOP/build/tests/console_receiver" "$SOCK" > "$WORK/console.out" 2>&1 &
RPID=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
ID=$(uniq_id ttyowner); _IDS+=("$ID")
(cd "$B" && timeout 30 "$HULL" --root "$TEST_ROOT" run --console-socket "$SOCK" "$ID" </dev/null >/dev/null 2>"$WORK/stderr"); RC=$?
wait "$RPID" 2>/dev/null
OUT=$(tr -d '\r' < "$WORK/console.out"); ERR=$(cat "$WORK/stderr")
if [ "$RC" = 0 ] && contains "$OUT" "1000:5"; then ok "terminal"; else fail "terminal: rc=$RC"; fi
B=$(new_bundle stdioowner)
cfg "$B" '.process.user = {uid: 1000, gid: 100}'
set_args "$B" sh -c 'stat -Lc %u /proc/self/fd/1 /proc/self/fd/0'
run_in "$B" "$(uniq_id stdioowner)"
if [ "$RC" = 0 ] && [ "$OUT" = $'1000\n0' ]; then ok "pipe stdout chowned, /dev/null stdin not"; else fail "stdio: rc=$RC"; fi

# ----------------------------------------------------------------- update
t "update --memory -1 lifts memory+swap as well (cgroup v1 with swap accounting)"
if [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]; then
  B=$(new_bundle memunl)
  set_args "$B" sleep 300
  cfg "$B" '.linux.resources.memory = {limit: 52428800, swap: 96468992}'
  ID=$(uniq_id memunl); _IDS+=("$ID")
  (cd "$B" && hull run -d "$ID" </dev/null >/dev/null 2>&1)
  PID=$(hull state "$ID" | jq -r .pid)
  MEMCG=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" {print $3}' /proc/"$PID"/cgroup)
  ERR=$(hull update --memory -1 "$ID" 2>&1); RC=$?
  if [ "$RC" = 0 ] && [ "$(cat "$MEMCG/memory.limit_in_bytes")" -gt 1000000000000 ] &&
     [ "$(cat "$MEMCG/memory.memsw.limit_in_bytes")" -gt 1000000000000 ]; then ok; else fail "rc=$RC"; fi
  hull delete -f "$ID" >/dev/null 2>&1
else
  ok "this kernel has no swap accounting: nothing to check"
fi

t "update of a smaller cpu period with a quota under a parent quota (v1: quota written first on EINVAL)"
if [ -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
  POD=hull-it-pod-$$
  mkdir -p /sys/fs/cgroup/cpu/$POD
  echo 50000 > /sys/fs/cgroup/cpu/$POD/cpu.cfs_quota_us
  B=$(new_bundle cpupod)
  set_args "$B" sleep 300
  ID=$(uniq_id cpupod); _IDS+=("$ID")
  # 50% as 500000/1000000: a period of 10000 with that quota would be 5000%
  cfg "$B" '.linux.cgroupsPath = $p | .linux.resources.cpu = {quota: 500000, period: 1000000}' --arg p "/$POD/$ID"
  (cd "$B" && hull run -d "$ID" </dev/null >/dev/null 2>&1)
  hull update --cpu-quota 60000 "$ID" >/dev/null 2>&1 # above the parent's 50%: refused
  ERR=$(hull update --cpu-period 10000 --cpu-quota 3000 "$ID" 2>&1); RC=$?
  CG=/sys/fs/cgroup/cpu/$POD/$ID
  if [ "$RC" = 0 ] && [ "$(cat $CG/cpu.cfs_period_us) $(cat $CG/cpu.cfs_quota_us)" = "10000 3000" ]; then ok; else fail "rc=$RC"; fi
  hull delete -f "$ID" >/dev/null 2>&1
  for d in /sys/fs/cgroup/*/$POD; do rmdir "$d" 2>/dev/null; done
else
  ok "no cgroup v1 cpu controller: nothing to check"
fi

# ------------------------------------------------------------------- exec
t "exec --pid-file in a missing directory fails with 255 and ends the process"
B=$(new_bundle execpid)
set_args "$B" sleep 300
ID=$(uniq_id execpid); _IDS+=("$ID")
(cd "$B" && hull run -d "$ID" </dev/null >/dev/null 2>&1)
# time-limited: a hull that ignores the pid file runs sleep in the foreground
ERR=$(timeout 20 "$HULL" --root "$TEST_ROOT" exec --pid-file "$WORK/no/such/dir/pid" "$ID" sleep 4242 2>&1 </dev/null)
RC=$?
OUT=$(hull ps "$ID" 2>&1)
if [ "$RC" = 255 ] && contains "$ERR" "pid file" && lacks "$OUT" "sleep 4242"; then ok; else fail "rc=$RC"; fi
hull delete -f "$ID" >/dev/null 2>&1

# ----------------------------------------------------------------- wording
t "linux.resources.unified on cgroup v1 is an 'invalid configuration'"
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
  B=$(new_bundle unifiedv1)
  cfg "$B" '.linux.resources.unified = {"memory.min": "131072"}'
  ID=$(uniq_id unifiedv1)
  run_in "$B" "$ID"
  if [ "$RC" != 0 ] && contains "$ERR" "invalid configuration" && contains "$ERR" "linux.resources.unified" &&
     no_leftovers "$ID"; then ok; else fail "rc=$RC"; fi
else
  ok "cgroup v2 host: unified is valid here"
fi

t "a container created in a cgroup that has processes warns that it is not empty"
B=$(new_bundle sharedcg)
set_args "$B" sleep 300
ID1=$(uniq_id sharedcg1); ID2=$(uniq_id sharedcg2); _IDS+=("$ID1" "$ID2")
cfg "$B" '.linux.cgroupsPath = $p' --arg p "/hull-it-shared-$$"
(cd "$B" && hull run -d "$ID1" </dev/null >/dev/null 2>&1)
# to a file: a $(...) would wait for the detached container, which inherits it
(cd "$B" && hull run -d "$ID2" </dev/null >/dev/null 2>"$WORK/shared.err"); RC=$?
ERR=$(cat "$WORK/shared.err")
if [ "$RC" = 0 ] && contains "$ERR" "container's cgroup is not empty: 1 process(es) found"; then ok; else fail "rc=$RC"; fi
hull delete -f "$ID2" >/dev/null 2>&1; hull delete -f "$ID1" >/dev/null 2>&1
t "a container in a fresh cgroup does not warn"
B=$(new_bundle freshcg)
set_args "$B" true
run_in "$B" "$(uniq_id freshcg)"
if [ "$RC" = 0 ] && lacks "$ERR" "not empty"; then ok; else fail "rc=$RC"; fi

# --------------------------------------------------------- seccomp notify
t "exec hands its own seccomp notify fd to the agent (process pid on top, state running)"
LISTENER="$TOP/build/tests/seccomp_listener"
AGENT="$WORK/agent.sock"
B=$(new_bundle notifyexec)
set_args "$B" sleep 300
cfg "$B" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $a,
  syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}' --arg a "$AGENT"
"$LISTENER" "$AGENT" "$WORK/state-init.json" errno=1 >/dev/null 2>&1 & LPID1=$!
for _ in $(seq 50); do [ -S "$AGENT" ] && break; sleep 0.1; done
ID=$(uniq_id notifyexec); _IDS+=("$ID")
(cd "$B" && timeout 30 "$HULL" --root "$TEST_ROOT" run -d "$ID" </dev/null >/dev/null 2>"$WORK/notify.err")
for _ in $(seq 50); do [ -s "$WORK/state-init.json" ] && break; sleep 0.1; done
rm -f "$AGENT"
"$LISTENER" "$AGENT" "$WORK/state-exec.json" errno=18 >/dev/null 2>&1 & LPID2=$!
for _ in $(seq 50); do [ -S "$AGENT" ] && break; sleep 0.1; done
ERR=$(timeout 30 "$HULL" --root "$TEST_ROOT" exec "$ID" mkdir /tmp/x 2>&1 </dev/null); RC=$?
INIT=$(hull state "$ID" | jq -r .pid)
if [ "$RC" != 0 ] && contains "$ERR" "cross-device link" &&
   [ "$(jq -r .state.status "$WORK/state-exec.json" 2>/dev/null)" = running ] &&
   [ "$(jq -r .state.pid "$WORK/state-exec.json" 2>/dev/null)" = "$INIT" ] &&
   [ "$(jq -r .pid "$WORK/state-exec.json" 2>/dev/null)" != "$INIT" ]; then ok; else fail "rc=$RC: $ERR"; fi
hull delete -f "$ID" >/dev/null 2>&1
kill "$LPID1" "$LPID2" 2>/dev/null; wait "$LPID1" "$LPID2" 2>/dev/null

t "seccomp notify errors use runc's words (no agent; the write syscall)"
B=$(new_bundle noagent)
cfg "$B" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $a,
  syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}' --arg a "$WORK/no-agent.sock"
ID=$(uniq_id noagent)
run_in "$B" "$ID"
if [ "$RC" != 0 ] && contains "$ERR" "failed to connect with seccomp agent" && contains "$ERR" "no such file or directory" &&
   no_leftovers "$ID"; then ok "no agent"; else fail "no agent: rc=$RC"; fi
cfg "$B" '.linux.seccomp.syscalls[0].names = ["write"]'
run_in "$B" "$(uniq_id noagent)"
if [ "$RC" != 0 ] && contains "$ERR" "SCMP_ACT_NOTIFY cannot be used for the write syscall"; then ok "write"; else fail "write: rc=$RC"; fi

t "exec --cgroup: runc's words for .., a missing sub-cgroup, an unknown controller; / is the container's own"
B=$(new_bundle execcg)
set_args "$B" sleep 300
ID=$(uniq_id execcg); _IDS+=("$ID")
(cd "$B" && hull run -d "$ID" </dev/null >/dev/null 2>&1)
E1=$(hull exec --cgroup .. "$ID" true 2>&1 </dev/null)
E2=$(hull exec --cgroup nonexistent "$ID" true 2>&1 </dev/null)
E3=$(hull exec --cgroup whaaat:/ "$ID" true 2>&1 </dev/null)
OUT=$(hull exec --cgroup / "$ID" echo top 2>&1 </dev/null); RC=$?
if contains "$E1" " .. is not a sub cgroup path" && contains "$E2" "/nonexistent/cgroup.procs: no such file" &&
   contains "$E2" "adding pid " && contains "$E3" "unknown controller " && [ "$RC" = 0 ] && [ "$OUT" = top ]; then ok
else ERR="$E1 | $E2 | $E3"; fail "rc=$RC"; fi
hull delete -f "$ID" >/dev/null 2>&1

finish
