#!/bin/bash
# Behaving like runc where containers depend on it (issue 13, part A): the
# --preserve-fds deadlock, mounts leaking into the host's mount table, a
# pre-existing frozen cgroup, HOME, the environment, a missing cwd, configs
# without /proc or /sys, loopback, sysctl vs hostname, ioPriority, scheduler.
source "$(dirname "$0")/lib.sh"

# hull with a time limit, so a hang fails one check instead of the suite.
th() { timeout 30 "$HULL" --root "$TEST_ROOT" "$@"; }
# run_in with a time limit.
run_in() {
  local b="$1" id="$2"
  _IDS+=("$id")
  OUT="$(cd "$b" && th run "$id" 2>"$WORK/stderr" </dev/null)"
  RC=$?
  ERR="$(cat "$WORK/stderr")"
  [ "$RC" != 124 ] || ERR="timed out after 30 s; $ERR"
}
# host_mounts_under DIR: how many mounts of ours are at or below DIR.
host_mounts_under() { awk -v p="$1/" 'index($5, p) == 1' /proc/self/mountinfo | wc -l; }

# ------------------------------------------------------------- preserve-fds
t "run --preserve-fds with more fds than are open fails at once"
B=$(new_bundle pfds)
set_args "$B" sh -c 'ls /proc/self/fd | tr "\n" " "'
ID=$(uniq_id pfds)
run_in_fds() { # run with N preserved fds, fds 3 and 4 open
  local n="$1"
  _IDS+=("$ID")
  # to files, not $(...): a hung init would hold the pipe open forever
  (cd "$B" && timeout -s KILL 30 "$HULL" --root "$TEST_ROOT" run --preserve-fds "$n" "$ID" \
    3</dev/null 4</dev/null >"$WORK/stdout" 2>"$WORK/stderr" </dev/null)
  RC=$?
  OUT="$(cat "$WORK/stdout")"
  ERR="$(cat "$WORK/stderr")"
}
run_in_fds 100
if [ "$RC" = 137 ]; then fail "hung (deadlock)"
elif [ "$RC" != 0 ] && contains "$ERR" "--preserve-fds 100" && contains "$ERR" "fd 5 is not open"; then
  ok "clear error: $ERR"
else fail "rc=$RC"; fi
check "nothing left behind" no_leftovers "$ID"
run_in_fds 2
if [ "$RC" = 0 ] && contains "$OUT" "0 1 2 3 4 "; then ok "--preserve-fds 2 passes fds 3 and 4"
else fail "rc=$RC"; fi

# ------------------------------------------------------ host mount namespace
t "no mount namespace: a failed create leaves no mount in the host"
B=$(new_bundle hostmnt)
cfg "$B" '.linux.namespaces = [{type: "pid"}, {type: "uts"}, {type: "network"}] |
  .linux.maskedPaths = [] | .linux.readonlyPaths = [] |
  .hooks = {prestart: [{path: "/bin/false"}], poststop: [{path: "/bin/true"}]}'
run_in "$B" "$(uniq_id hostmnt)"
n=$(host_mounts_under "$B/rootfs")
if [ "$RC" != 0 ] && [ "$n" = 0 ]; then ok "create failed, 0 mounts left"
else fail "rc=$RC, $n mounts left under the rootfs"; fi
cfg "$B" 'del(.hooks.prestart)'
set_args "$B" sh -c 'grep -c . /proc/self/mountinfo'
run_in "$B" "$(uniq_id hostmnt)"
n=$(host_mounts_under "$B/rootfs")
if [ "$RC" = 0 ] && [ "$n" = 0 ]; then ok "run and delete: 0 mounts left"
else fail "rc=$RC, $n mounts left under the rootfs"; fi

# -------------------------------------------------------------- frozen cgroup
t "run -d into a pre-existing frozen cgroup fails, as runc"
CGP="/hull-it-frozen-$$"
if [ -d /sys/fs/cgroup/freezer ]; then
  FDIR=/sys/fs/cgroup/freezer$CGP; mkdir -p "$FDIR"; echo FROZEN > "$FDIR/freezer.state"
else
  FDIR=/sys/fs/cgroup$CGP; mkdir -p "$FDIR"; echo 1 > "$FDIR/cgroup.freeze"
fi
B=$(new_bundle frozen)
cfg "$B" '.linux.cgroupsPath = $p' --arg p "$CGP"
set_args "$B" sleep 100
ID=$(uniq_id frozen)
_IDS+=("$ID")
OUT="$(cd "$B" && timeout 30 "$HULL" --root "$TEST_ROOT" run -d "$ID" 2>&1 </dev/null)"; RC=$?
if [ "$RC" = 1 ] && contains "$OUT" "container's cgroup unexpectedly frozen"; then ok "refused: $OUT"
else fail "rc=$RC: $OUT"; fi
check "no state dir" test ! -e "$TEST_ROOT/$ID"
check "no process in the cgroup" test -z "$(cat "$FDIR/cgroup.procs" 2>/dev/null)"
[ -f "$FDIR/freezer.state" ] && echo THAWED > "$FDIR/freezer.state"
[ -f "$FDIR/cgroup.freeze" ] && echo 0 > "$FDIR/cgroup.freeze"
for d in /sys/fs/cgroup/*"$CGP" /sys/fs/cgroup"$CGP"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done

# ----------------------------------------------------------------------- HOME
t "HOME from /etc/passwd of the rootfs"
B=$(new_bundle home)
set_args "$B" sh -c 'echo "HOME=$HOME"'
run_in "$B" "$(uniq_id home)"
if [ "$RC" = 0 ] && [ "$OUT" = "HOME=/root" ]; then ok "root: /root"; else fail "rc=$RC"; fi
cfg "$B" '.process.user = {uid: 1, gid: 1}'
run_in "$B" "$(uniq_id home)"
if [ "$RC" = 0 ] && [ "$OUT" = "HOME=/usr/sbin" ]; then ok "daemon: /usr/sbin"; else fail "rc=$RC"; fi
cfg "$B" '.process.user = {uid: 4242, gid: 4242}'
run_in "$B" "$(uniq_id home)"
if [ "$RC" = 0 ] && [ "$OUT" = "HOME=/" ]; then ok "no passwd entry: /"; else fail "rc=$RC"; fi
cfg "$B" '.process.env += ["HOME=/set/by/config"]'
run_in "$B" "$(uniq_id home)"
if [ "$RC" = 0 ] && [ "$OUT" = "HOME=/set/by/config" ]; then ok "config wins"; else fail "rc=$RC"; fi

t "duplicate env entries: the last one wins, as runc"
B=$(new_bundle envdup)
cfg "$B" '.process.env += ["FOO=1", "BAR=x", "FOO=2"]'
set_args "$B" sh -c 'env | grep -c "^FOO="; echo "FOO=$FOO BAR=$BAR"'
run_in "$B" "$(uniq_id envdup)"
if [ "$RC" = 0 ] && [ "$OUT" = $'1\nFOO=2 BAR=x' ]; then ok; else fail "rc=$RC"; fi

# ------------------------------------------------------------------------ cwd
t "a missing process.cwd is created (0755, root), as runc"
B=$(new_bundle cwd)
cfg "$B" '.process.cwd = "/new/work dir" | .process.user = {uid: 1000, gid: 1000}'
set_args "$B" sh -c 'pwd; stat -c "%a %u %g" "/new/work dir" /new'
run_in "$B" "$(uniq_id cwd)"
if [ "$RC" = 0 ] && [ "$OUT" = $'/new/work dir\n755 0 0\n755 0 0' ]; then ok
else fail "rc=$RC"; fi

# ---------------------------------------------------------- no /proc or /sys
t "a config without /proc, /sys and /sys/fs/cgroup mounts starts"
B=$(new_bundle noproc)
cfg "$B" '.mounts |= map(select(.destination != "/proc" and .destination != "/sys" and
  .destination != "/sys/fs/cgroup"))'
set_args "$B" sh -c 'echo started; ls /proc | wc -l'
run_in "$B" "$(uniq_id noproc)"
if [ "$RC" = 0 ] && [ "$OUT" = $'started\n0' ]; then ok; else fail "rc=$RC"; fi

# ------------------------------------------------------------------- loopback
t "lo is up in a new network namespace"
B=$(new_bundle lo)
set_args "$B" sh -c 'cat /sys/class/net/lo/operstate /sys/class/net/lo/flags'
run_in "$B" "$(uniq_id lo)"
flags=$(echo "$OUT" | tail -1)
if [ "$RC" = 0 ] && [ -n "$flags" ] && (( flags & 1 )); then ok "flags $flags"
else fail "rc=$RC"; fi

# --------------------------------------------------------------------- sysctl
t "sysctl kernel.hostname is refused (runc), kernel.domainname must agree with domainname"
B=$(new_bundle sysctl)
for v in other hull; do # a different value and the hostname field's own value
  cfg "$B" ".linux.sysctl = {\"kernel.hostname\": \"$v\"}"
  ID=$(uniq_id sysctl)
  run_in "$B" "$ID"
  if [ "$RC" != 0 ] && contains "$ERR" 'linux.sysctl["kernel.hostname"]' &&
    contains "$ERR" 'conflicts with the OCI "hostname" field' && [ "$(grep -c . <<<"$ERR")" = 1 ]; then
    ok "$v: $ERR"; else fail "kernel.hostname=$v: rc=$RC $ERR"; fi
  check "nothing left ($v)" no_leftovers "$ID"
done
cfg "$B" '.linux.sysctl = {"kernel.domainname": "dom"} | .domainname = "other"'
run_in "$B" "$(uniq_id sysctl)"
if [ "$RC" != 0 ] && contains "$ERR" "conflicts with domainname"; then ok "domainname differs"
else fail "rc=$RC"; fi
cfg "$B" '.domainname = "dom"'
set_args "$B" sh -c 'hostname; cat /proc/sys/kernel/domainname'
run_in "$B" "$(uniq_id sysctl)"
if [ "$RC" = 0 ] && [ "$OUT" = $'hull\ndom' ]; then ok "equal values run"; else fail "rc=$RC"; fi

# ----------------------------------------------------------- ioPriority/sched
t "ioPriority IOPRIO_CLASS_IDLE needs no priority"
B=$(new_bundle ioidle)
cfg "$B" '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE"}'
set_args "$B" sh -c 'ionice -p $$ 2>/dev/null || echo no-ionice'
run_in "$B" "$(uniq_id ioidle)"
if [ "$RC" = 0 ]; then ok "${OUT:-started}"; else fail "rc=$RC"; fi
cfg "$B" '.process.ioPriority = {class: "IOPRIO_CLASS_BE"}'
run_in "$B" "$(uniq_id ioidle)"
if [ "$RC" != 0 ] && contains "$ERR" "process.ioPriority.priority"; then ok "BE still needs one"
else fail "rc=$RC"; fi

t "scheduler SCHED_FIFO / SCHED_RR"
B=$(new_bundle sched)
# prints "rt_priority policy" of the shell itself, then of a child shell
printf '%s\n' 'set -- $(cat /proc/$$/stat); echo "${40} ${41}"' > "$B/rootfs/self.sh"
printf '%s\n' '. /self.sh' 'sh /self.sh' > "$B/rootfs/sched.sh"
set_args "$B" sh /sched.sh
if [ -f /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]; then
  # real-time group scheduling: the container's cgroup needs a budget
  cfg "$B" '.process.scheduler = {policy: "SCHED_FIFO", priority: 10}'
  ID=$(uniq_id sched); run_in "$B" "$ID"
  if [ "$RC" != 0 ] && contains "$ERR" "process.scheduler" && contains "$ERR" "realtimeRuntime"; then
    ok "no budget: clear error"; else fail "rc=$RC"; fi
  check "no budget: nothing left behind" no_leftovers "$ID"
  # A new parent has no budget of its own (runc leaves parents alone too):
  # one clear error naming the field and the parent, nothing left behind.
  RT_P="hull-it-rtp-$$"
  cfg "$B" '.linux.resources.cpu = {realtimeRuntime: 10000, realtimePeriod: 1000000} |
    .linux.cgroupsPath = "/" + $p + "/sub/" + $p' --arg p "$RT_P"
  ID=$(uniq_id sched); run_in "$B" "$ID"
  if [ "$RC" != 0 ] && [ "$(wc -l <<<"$ERR")" = 1 ] &&
    contains "$ERR" "linux.resources.cpu.realtimeRuntime: cpu.rt_runtime_us = 10000" &&
    contains "$ERR" "/sys/fs/cgroup/cpu/$RT_P/sub has 0 microseconds"; then
    ok "parent without budget: $ERR"; else fail "rc=$RC"; fi
  check "parent without budget: no cgroup left" [ ! -e "/sys/fs/cgroup/cpu/$RT_P" ]
  cfg "$B" 'del(.linux.cgroupsPath)'
fi
cfg "$B" '.process.scheduler = {policy: "SCHED_FIFO", priority: 10} | .process.user = {uid: 1000, gid: 1000}'
run_in "$B" "$(uniq_id sched)"
if [ "$RC" = 0 ] && [ "$OUT" = $'10 1\n10 1' ]; then ok "SCHED_FIFO 10 for a non-root user, inherited"
else fail "rc=$RC"; fi
cfg "$B" '.process.scheduler = {policy: "SCHED_RR", priority: 5, flags: ["SCHED_FLAG_RESET_ON_FORK"]}'
run_in "$B" "$(uniq_id sched)"
if [ "$RC" = 0 ] && [ "$OUT" = $'5 2\n0 0' ]; then ok "SCHED_RR 5 + RESET_ON_FORK (a child is back to normal)"
else fail "rc=$RC"; fi

# ------------------------------------------------------- socket activation
t "socket activation: LISTEN_FDS fds come first, then --preserve-fds (runc)"
B=$(new_bundle listen)
set_args "$B" sh -c 'echo "${LISTEN_FDS:-none} ${LISTEN_PID:-none}"; cat <&3 2>/dev/null || echo no-fd3; cat <&4 2>/dev/null || echo no-fd4'
# run_listen PID-FOR-LISTEN_PID ARGS...: hull run with fds 3 and 4 open and
# LISTEN_FDS=1; "self" means hull's own pid (exec keeps the shell's pid).
run_listen() {
  local who="$1"; shift
  ID=$(uniq_id listen)
  _IDS+=("$ID")
  (cd "$B" && timeout -s KILL 30 bash -c 'p=$1; shift; [ "$p" = self ] && p=$$
    export LISTEN_PID=$p LISTEN_FDS=1; exec "$@"' _ "$who" "$HULL" --root "$TEST_ROOT" run "$@" "$ID" \
    3<<<"fd3" 4<<<"fd4" >"$WORK/stdout" 2>"$WORK/stderr" </dev/null)
  RC=$?
  OUT="$(cat "$WORK/stdout")"
  ERR="$(cat "$WORK/stderr")"
}
run_listen self
check "fd 3 passed, LISTEN_FDS=1 LISTEN_PID=1 set, fd 4 not" [ "$RC" = 0 -a "$OUT" = $'1 1\nfd3\nno-fd4' ]
run_listen self --preserve-fds 1
check "with --preserve-fds 1: fd 4 too" [ "$RC" = 0 -a "$OUT" = $'1 1\nfd3\nfd4' ]
run_listen 1
check "LISTEN_PID of another process: nothing passed" [ "$RC" = 0 -a "$OUT" = $'none none\nno-fd3\nno-fd4' ]
run_listen self --preserve-fds 2
check "--preserve-fds 2 after the activation fd: fd 5 is not open" [ "$RC" != 0 ] && contains "$ERR" "--preserve-fds 2: fd 5 is not open"
check "nothing left behind" no_leftovers "$ID"

finish
