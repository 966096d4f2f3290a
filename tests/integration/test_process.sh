#!/bin/bash
# Process setup seen from inside real containers: capabilities (all five
# sets), user/groups/umask, rlimits, oomScoreAdj, noNewPrivileges, ioPriority,
# scheduler, personality, env/cwd, exit codes and the exec failure paths.
source "$(dirname "$0")/lib.sh"

# run_in with a time limit, so a hang fails one check instead of the suite.
run_in() {
  local b="$1" id="$2"
  _IDS+=("$id")
  OUT="$(cd "$b" && timeout 30 "$HULL" --root "$TEST_ROOT" run "$id" 2>"$WORK/stderr" </dev/null)"
  RC=$?
  ERR="$(cat "$WORK/stderr")"
  [ "$RC" != 124 ] || ERR="timed out after 30 s; $ERR"
}

# status_field OUT NAME: the value of "NAME:\t..." in /proc/self/status text.
status_field() { awk -v k="$2:" '$1 == k {print $2}' <<<"$1"; }
# caps_of HEX: sorted comma list of capability names (libcap's capsh decodes).
caps_of() { capsh --decode="0x$1" | sed 's/^[^=]*=\{0,1\}//' | tr ',' '\n' | grep . | sort | paste -sd, -; }
# names ...: the same form from config names (CAP_KILL -> cap_kill).
names() { printf '%s\n' "$@" | tr 'A-Z' 'a-z' | grep . | sort | paste -sd, -; }
# expect_caps DESC SET HEX NAME...: the set in the container equals NAME...
expect_caps() {
  local d="$1" set="$2" hex="$3"; shift 3
  local got want
  if ! [[ "$hex" =~ ^[0-9a-f]{16}$ ]]; then fail "$d $set: no $set line in the output"; return; fi
  got="$(caps_of "$hex")"
  want="$(names "$@")"
  if [ "$got" = "$want" ]; then ok "$d $set"; else fail "$d $set: got [$got] want [$want]"; fi
}
# set_caps BUNDLE BOUNDING EFFECTIVE PERMITTED INHERITABLE AMBIENT (space separated names)
set_caps() {
  local b="$1"
  cfg "$b" '.process.capabilities = {bounding: ($b|split(" ")|map(select(.!=""))),
      effective: ($e|split(" ")|map(select(.!=""))), permitted: ($p|split(" ")|map(select(.!=""))),
      inheritable: ($i|split(" ")|map(select(.!=""))), ambient: ($a|split(" ")|map(select(.!="")))}' \
    --arg b "$2" --arg e "$3" --arg p "$4" --arg i "$5" --arg a "$6"
}
STATUS='grep -E "^(Cap|NoNewPrivs)" /proc/self/status'

# ---------------------------------------------------------------- capabilities
t "default template caps (root)"
B=$(new_bundle caps-default)
set_args "$B" sh -c "$STATUS"
run_in "$B" "$(uniq_id caps)"
if [ "$RC" = 0 ]; then
  three=(CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)
  expect_caps "root" CapBnd "$(status_field "$OUT" CapBnd)" "${three[@]}"
  expect_caps "root" CapPrm "$(status_field "$OUT" CapPrm)" "${three[@]}"
  expect_caps "root" CapEff "$(status_field "$OUT" CapEff)" "${three[@]}"
  expect_caps "root" CapInh "$(status_field "$OUT" CapInh)"
  expect_caps "root" CapAmb "$(status_field "$OUT" CapAmb)"
else fail "run failed rc=$RC"; fi

t "all five sets as root"
B=$(new_bundle caps-root)
set_caps "$B" "CAP_KILL CAP_CHOWN CAP_NET_RAW CAP_SETUID" "CAP_KILL" "CAP_KILL CAP_CHOWN" \
  "CAP_KILL CAP_NET_RAW" "CAP_KILL"
set_args "$B" sh -c "$STATUS"
run_in "$B" "$(uniq_id caps)"
if [ "$RC" = 0 ]; then
  expect_caps "root" CapBnd "$(status_field "$OUT" CapBnd)" CAP_KILL CAP_CHOWN CAP_NET_RAW CAP_SETUID
  expect_caps "root" CapInh "$(status_field "$OUT" CapInh)" CAP_KILL CAP_NET_RAW
  expect_caps "root" CapAmb "$(status_field "$OUT" CapAmb)" CAP_KILL
  # execve as uid 0: P' = I | bounding | ambient (root's fI/fP are all set),
  # but noNewPrivileges (on in the template) caps P' at the old permitted
  # set; E' = P' for root.
  expect_caps "root+nnp" CapPrm "$(status_field "$OUT" CapPrm)" CAP_KILL CAP_CHOWN
  expect_caps "root+nnp" CapEff "$(status_field "$OUT" CapEff)" CAP_KILL CAP_CHOWN
else fail "run failed rc=$RC"; fi
cfg "$B" '.process.noNewPrivileges = false'
run_in "$B" "$(uniq_id caps)"
if [ "$RC" = 0 ]; then
  expect_caps "root" CapPrm "$(status_field "$OUT" CapPrm)" CAP_KILL CAP_CHOWN CAP_NET_RAW CAP_SETUID
  expect_caps "root" CapEff "$(status_field "$OUT" CapEff)" CAP_KILL CAP_CHOWN CAP_NET_RAW CAP_SETUID
  expect_caps "root" CapAmb "$(status_field "$OUT" CapAmb)" CAP_KILL
else fail "run failed rc=$RC"; fi

t "non-root user keeps the configured caps"
B=$(new_bundle caps-user)
cfg "$B" '.process.user = {uid: 1000, gid: 1000, additionalGids: [5, 10]}'
set_caps "$B" "CAP_KILL CAP_NET_BIND_SERVICE CAP_NET_RAW" "CAP_KILL CAP_NET_BIND_SERVICE" \
  "CAP_KILL CAP_NET_BIND_SERVICE" "CAP_NET_BIND_SERVICE" "CAP_NET_BIND_SERVICE"
set_args "$B" sh -c "$STATUS; echo uid=\$(id -u) gid=\$(id -g) groups=\$(id -G)"
run_in "$B" "$(uniq_id caps)"
if [ "$RC" = 0 ]; then
  expect_caps "uid 1000" CapBnd "$(status_field "$OUT" CapBnd)" CAP_KILL CAP_NET_BIND_SERVICE CAP_NET_RAW
  expect_caps "uid 1000" CapInh "$(status_field "$OUT" CapInh)" CAP_NET_BIND_SERVICE
  expect_caps "uid 1000" CapAmb "$(status_field "$OUT" CapAmb)" CAP_NET_BIND_SERVICE
  # execve as non-root without file caps: P' = E' = ambient
  expect_caps "uid 1000" CapPrm "$(status_field "$OUT" CapPrm)" CAP_NET_BIND_SERVICE
  expect_caps "uid 1000" CapEff "$(status_field "$OUT" CapEff)" CAP_NET_BIND_SERVICE
  check "uid/gid/groups" contains "$OUT" "uid=1000 gid=1000 groups=1000 5 10"
else fail "run failed rc=$RC"; fi

t "ambient without inheritable is skipped"
B=$(new_bundle caps-amb)
cfg "$B" '.process.user = {uid: 1000, gid: 1000}'
set_caps "$B" "CAP_KILL CAP_NET_RAW" "CAP_KILL" "CAP_KILL CAP_NET_RAW" "CAP_NET_RAW" "CAP_KILL CAP_NET_RAW"
set_args "$B" sh -c "$STATUS"
run_in "$B" "$(uniq_id caps)"
if [ "$RC" = 0 ]; then
  expect_caps "uid 1000" CapAmb "$(status_field "$OUT" CapAmb)" CAP_NET_RAW
  expect_caps "uid 1000" CapEff "$(status_field "$OUT" CapEff)" CAP_NET_RAW
else fail "run failed rc=$RC"; fi

t "no capabilities section: nothing at all"
B=$(new_bundle caps-none)
cfg "$B" 'del(.process.capabilities)'
set_args "$B" sh -c "$STATUS"
run_in "$B" "$(uniq_id caps)"
if [ "$RC" = 0 ]; then
  for s in CapBnd CapPrm CapEff CapInh CapAmb; do
    expect_caps "root" $s "$(status_field "$OUT" $s)"
  done
else fail "run failed rc=$RC"; fi

t "unknown capabilities are ignored with one warning (runc, crun)"
B=$(new_bundle caps-bad)
set_caps "$B" "CAP_KILL CAP_TEST UNKNOWN_CAP" "CAP_KILL CAP_TEST" "CAP_KILL UNKNOWN_CAP" "CAP_TEST" "CAP_TEST"
set_args "$B" sh -c "$STATUS"
ID=$(uniq_id caps)
run_in "$B" "$ID"
check "runs" [ "$RC" = 0 ]
check "one warning naming them, sorted" [ "$ERR" = "hull[warning]: ignoring unknown or unavailable capabilities: [CAP_TEST UNKNOWN_CAP]" ]
if [ "$RC" = 0 ]; then
  expect_caps "unknown" CapBnd "$(status_field "$OUT" CapBnd)" CAP_KILL
  expect_caps "unknown" CapEff "$(status_field "$OUT" CapEff)" CAP_KILL
  expect_caps "unknown" CapPrm "$(status_field "$OUT" CapPrm)" CAP_KILL
  expect_caps "unknown" CapInh "$(status_field "$OUT" CapInh)"
  expect_caps "unknown" CapAmb "$(status_field "$OUT" CapAmb)"
fi

# ------------------------------------------------------------- user and umask
t "umask"
B=$(new_bundle umask)
set_args "$B" sh -c 'umask'
run_in "$B" "$(uniq_id umask)"
check "default 0022" [ "$RC" = 0 -a "$OUT" = "0022" ]
cfg "$B" '.process.user.umask = 63' # 0077
run_in "$B" "$(uniq_id umask)"
check "configured 0077" [ "$RC" = 0 -a "$OUT" = "0077" ]

t "uid/gid without additionalGids clears the runtime's groups"
B=$(new_bundle user)
cfg "$B" '.process.user = {uid: 65534, gid: 65534}'
set_args "$B" sh -c 'echo $(id -u) $(id -g) $(id -G)'
run_in "$B" "$(uniq_id user)"
check "65534 65534 65534" [ "$RC" = 0 -a "$OUT" = "65534 65534 65534" ]

# --------------------------------------------------------------------- rlimits
t "rlimits"
B=$(new_bundle rlimits)
cfg "$B" '.process.rlimits = [{type: "RLIMIT_NOFILE", hard: 4000, soft: 3000},
  {type: "RLIMIT_CORE", hard: 4096, soft: 1024}, {type: "RLIMIT_CPU", hard: 120, soft: 60},
  {type: "RLIMIT_NPROC", hard: 5000, soft: 4000}]'
set_args "$B" sh -c 'echo $(ulimit -Sn) $(ulimit -Hn) $(ulimit -Sc) $(ulimit -Hc) $(ulimit -St) $(ulimit -Ht) $(ulimit -Su) $(ulimit -Hu)'
run_in "$B" "$(uniq_id rl)"
# busybox reports the core size in 512-byte blocks
check "soft/hard values" [ "$RC" = 0 -a "$OUT" = "3000 4000 2 8 60 120 4000 5000" ]

t "unknown rlimit is an error"
B=$(new_bundle rlimits-bad)
cfg "$B" '.process.rlimits = [{type: "RLIMIT_TEST", hard: 1024, soft: 1024}]'
ID=$(uniq_id rl)
run_in "$B" "$ID"
check "non-zero exit" [ "$RC" != 0 ]
check "error names the limit" contains "$ERR" "RLIMIT_TEST"
check "no leftovers" no_leftovers "$ID"

t "rlimit the kernel refuses names the limit"
B=$(new_bundle rlimits-eperm)
# above fs.nr_open: setrlimit fails with EPERM
cfg "$B" '.process.rlimits = [{type: "RLIMIT_NOFILE", hard: 1073741824000, soft: 1024}]'
ID=$(uniq_id rl)
run_in "$B" "$ID"
check "non-zero exit" [ "$RC" != 0 ]
check "error names setrlimit RLIMIT_NOFILE" contains "$ERR" "setrlimit RLIMIT_NOFILE"
check "no leftovers" no_leftovers "$ID"

# -------------------------------------------------- oomScoreAdj, noNewPrivileges
t "oomScoreAdj"
B=$(new_bundle oom)
cfg "$B" '.process.oomScoreAdj = 423'
set_args "$B" cat /proc/self/oom_score_adj
run_in "$B" "$(uniq_id oom)"
check "423" [ "$RC" = 0 -a "$OUT" = "423" ]

t "noNewPrivileges"
B=$(new_bundle nnp)
set_args "$B" sh -c "$STATUS"
run_in "$B" "$(uniq_id nnp)"
check "true -> 1" [ "$RC" = 0 -a "$(status_field "$OUT" NoNewPrivs)" = 1 ]
cfg "$B" '.process.noNewPrivileges = false'
run_in "$B" "$(uniq_id nnp)"
check "false -> 0" [ "$RC" = 0 -a "$(status_field "$OUT" NoNewPrivs)" = 0 ]

t "no caps + noNewPrivileges: a setuid-root binary gains nothing"
B=$(new_bundle nnp-suid)
SUID_SRC="$WORK/suid.c"
cat >"$SUID_SRC" <<'C'
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
  char l[256];
  FILE *f = fopen("/proc/self/status", "r");
  printf("euid=%d\n", (int)geteuid());
  while (f && fgets(l, sizeof l, f))
    if (!strncmp(l, "CapEff:", 7)) fputs(l, stdout);
  return 0;
}
C
if gcc -static -O2 -o "$B/rootfs/bin/suidprobe" "$SUID_SRC" 2>/dev/null; then
  chown 0:0 "$B/rootfs/bin/suidprobe" && chmod 4755 "$B/rootfs/bin/suidprobe"
  cfg "$B" '.process.user = {uid: 1000, gid: 1000} | .process.capabilities.effective = [] |
    .process.capabilities.permitted = [] | .process.capabilities.inheritable = [] |
    .process.capabilities.ambient = []'
  set_args "$B" /bin/suidprobe
  run_in "$B" "$(uniq_id suid)"
  check "euid stays 1000, CapEff 0" [ "$RC" = 0 -a "$(sed -n 1p <<<"$OUT")" = "euid=1000" \
    -a "$(caps_of "$(awk '/CapEff/ {print $2}' <<<"$OUT")")" = "" ]
  # control: without noNewPrivileges the same binary does become root (bounding caps only)
  cfg "$B" '.process.noNewPrivileges = false'
  run_in "$B" "$(uniq_id suid)"
  check "control: without NNP euid=0 with the bounding caps" [ "$RC" = 0 -a \
    "$(sed -n 1p <<<"$OUT")" = "euid=0" -a \
    "$(caps_of "$(awk '/CapEff/ {print $2}' <<<"$OUT")")" = "$(names CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)" ]
else
  fail "gcc -static is not available to build the setuid probe"
fi

t "seccomp without noNewPrivileges: filter loads, no extra caps leak"
B=$(new_bundle seccomp-nonnp)
cfg "$B" '.process.noNewPrivileges = false | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
  syscalls: [{names: ["mknodat", "mknod"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
set_caps "$B" "CAP_KILL CAP_NET_BIND_SERVICE" "CAP_KILL" "CAP_KILL CAP_NET_BIND_SERVICE" \
  "CAP_NET_BIND_SERVICE" "CAP_NET_BIND_SERVICE"
set_args "$B" sh -c "$STATUS; grep '^Seccomp:' /proc/self/status"
for u in 0 1000; do
  cfg "$B" '.process.user = {uid: ($u|tonumber), gid: ($u|tonumber)}' --arg u "$u"
  run_in "$B" "$(uniq_id secc)"
  if [ "$RC" = 0 ]; then
    check "uid $u: filter active" [ "$(status_field "$OUT" Seccomp)" = 2 ]
    check "uid $u: NoNewPrivs 0" [ "$(status_field "$OUT" NoNewPrivs)" = 0 ]
    if [ "$u" = 0 ]; then
      expect_caps "uid 0" CapPrm "$(status_field "$OUT" CapPrm)" CAP_KILL CAP_NET_BIND_SERVICE
    else
      expect_caps "uid 1000" CapPrm "$(status_field "$OUT" CapPrm)" CAP_NET_BIND_SERVICE
      expect_caps "uid 1000" CapEff "$(status_field "$OUT" CapEff)" CAP_NET_BIND_SERVICE
    fi
  else fail "uid $u: run failed rc=$RC"; fi
done

# ------------------------------------------- ioPriority, scheduler, personality
t "ioPriority"
B=$(new_bundle ioprio)
cfg "$B" '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 6}'
set_args "$B" ionice
run_in "$B" "$(uniq_id io)"
check "best-effort prio 6" [ "$RC" = 0 -a "$OUT" = "best-effort: prio 6" ]
cfg "$B" '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0}'
run_in "$B" "$(uniq_id io)"
check "idle" [ "$RC" = 0 ] && check "idle output" contains "$OUT" "idle"
cfg "$B" '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 9}'
ID=$(uniq_id io)
run_in "$B" "$ID"
check "priority 9 is an error" [ "$RC" != 0 ] && check "error names ioPriority" contains "$ERR" "ioPriority"
check "no leftovers" no_leftovers "$ID"

# /proc/self/stat: field 19 nice, 40 rt_priority, 41 policy (comm has no spaces here)
SCHED='awk "{print \$19, \$40, \$41}" /proc/self/stat'
t "scheduler"
B=$(new_bundle sched)
cfg "$B" '.process.scheduler = {policy: "SCHED_BATCH", nice: 7}'
set_args "$B" sh -c "$SCHED"
run_in "$B" "$(uniq_id sched)"
check "SCHED_BATCH nice 7" [ "$RC" = 0 -a "$OUT" = "7 0 3" ]
# Real-time policies need an RT budget in the cpu cgroup (v1, RT_GROUP_SCHED):
# a parent with some, and the container asks for a share of it.
RT_PARENT=""
if [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]; then
  RT_PARENT="hull-it-rt-$$"
  mkdir -p "/sys/fs/cgroup/cpu/$RT_PARENT"
  echo 100000 >"/sys/fs/cgroup/cpu/$RT_PARENT/cpu.rt_runtime_us"
  cfg "$B" '.linux.cgroupsPath = "/" + $p + "/" + $id |
    .linux.resources.cpu = {realtimeRuntime: 10000, realtimePeriod: 1000000}' \
    --arg p "$RT_PARENT" --arg id "rt-$$"
fi
cfg "$B" '.process.scheduler = {policy: "SCHED_FIFO", priority: 12}'
run_in "$B" "$(uniq_id sched)"
check "SCHED_FIFO priority 12" [ "$RC" = 0 -a "$OUT" = "0 12 1" ]
cfg "$B" '.process.scheduler = {policy: "SCHED_RR", priority: 3, flags: ["SCHED_FLAG_RESET_ON_FORK"]}'
# (ash execs its last command in place, so the first awk is the forked child)
set_args "$B" sh -c "$SCHED; awk '{print \$41}' /proc/\$\$/stat"
run_in "$B" "$(uniq_id sched)"
check "RESET_ON_FORK: sh is RR, its child is back to OTHER" [ "$RC" = 0 -a "$(echo $OUT)" = "0 0 0 2" ]
cfg "$B" '.process.scheduler = {policy: "SCHED_FIFO", priority: 1000}'
ID=$(uniq_id sched)
run_in "$B" "$ID"
check "priority 1000 is refused" [ "$RC" != 0 ] && check "error names sched_setattr" contains "$ERR" "sched_setattr SCHED_FIFO"
check "no leftovers" no_leftovers "$ID"
[ -z "$RT_PARENT" ] || rmdir "/sys/fs/cgroup/cpu/$RT_PARENT"

t "personality"
B=$(new_bundle pers)
cfg "$B" '.linux.personality = {domain: "LINUX32"}'
set_args "$B" uname -m
run_in "$B" "$(uniq_id pers)"
check "LINUX32 -> i686" [ "$RC" = 0 -a "$OUT" = "i686" ]
cfg "$B" '.linux.personality = {domain: "LINUX"}'
run_in "$B" "$(uniq_id pers)"
check "LINUX -> $(uname -m)" [ "$RC" = 0 -a "$OUT" = "$(uname -m)" ]

# ------------------------------------------------------- env, cwd, exec, exit
t "env and cwd"
B=$(new_bundle envcwd)
mkdir -p "$B/rootfs/srv/app"
cfg "$B" '.process.env += ["FOO=bar baz"] | .process.cwd = "/srv/app"'
set_args "$B" sh -c 'echo "$FOO|$(pwd)|$TERM"'
run_in "$B" "$(uniq_id env)"
check "FOO, cwd, TERM" [ "$RC" = 0 -a "$OUT" = "bar baz|/srv/app|xterm" ]

t "PATH lookup uses the container's PATH"
B=$(new_bundle path)
mkdir -p "$B/rootfs/opt/tools"
printf '#!/bin/sh\necho from-opt\n' >"$B/rootfs/opt/tools/mytool"
chmod 755 "$B/rootfs/opt/tools/mytool"
cfg "$B" '.process.env = ["PATH=/opt/tools:/bin"]'
set_args "$B" mytool
run_in "$B" "$(uniq_id path)"
check "found in /opt/tools" [ "$RC" = 0 -a "$OUT" = "from-opt" ]
cfg "$B" '.process.env = ["HOME=/"]'
set_args "$B" sh -c 'echo ok'
run_in "$B" "$(uniq_id path)"
check "no PATH in env: default PATH finds sh" [ "$RC" = 0 -a "$OUT" = "ok" ]

t "exit code passthrough"
B=$(new_bundle exit)
set_args "$B" sh -c 'exit 7'
run_in "$B" "$(uniq_id exit)"
check "rc 7" [ "$RC" = 7 ]
set_args "$B" sh -c 'exit 0'
run_in "$B" "$(uniq_id exit)"
check "rc 0" [ "$RC" = 0 ]
set_args "$B" sh -c 'exit 255'
run_in "$B" "$(uniq_id exit)"
check "rc 255" [ "$RC" = 255 ]

t "missing executable"
B=$(new_bundle noexec)
set_args "$B" nosuchcmd
ID=$(uniq_id noexec)
run_in "$B" "$ID"
check "non-zero exit" [ "$RC" != 0 ]
check "runc's message" contains "$ERR" 'exec: "nosuchcmd": executable file not found in $PATH'
check "no leftovers" no_leftovers "$ID"
set_args "$B" /no/such/file
ID=$(uniq_id noexec)
run_in "$B" "$ID"
check "absolute: stat error" contains "$ERR" 'exec: "/no/such/file": stat /no/such/file: no such file or directory'
check "no leftovers (absolute)" no_leftovers "$ID"
printf 'not a program\n' >"$B/rootfs/etc/notexec"
set_args "$B" /etc/notexec
ID=$(uniq_id noexec)
run_in "$B" "$ID"
check "not executable: permission denied" contains "$ERR" 'exec: "/etc/notexec": permission denied'
check "no leftovers (not executable)" no_leftovers "$ID"

finish
