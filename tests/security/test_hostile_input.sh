#!/bin/bash
# Hostile input, table-driven: every row is a bad id, path, config.json,
# process.json, resources file or signal that hull must refuse with ONE
# stderr line naming the cause (the row's expected text), a non-zero exit,
# no crash/exception text, within a timeout, and nothing left behind: no
# file in its own --root (but whole seccomp-cache entries), no cgroup dir in
# any hierarchy, no mount under the work dir, no process, no new link.
"$(dirname "$0")/../apt-need.sh" jq iproute2 procps python3 coreutils >/dev/null ||
  { echo "not ok - apt-get install jq iproute2 procps python3"; echo "RESULT 0 1"; exit 1; }
source "$(dirname "$0")/lib.sh"

R="$WORK/root" # own --root: anything in it after a refusal is a leftover
TAG="hx$$"     # in every id and cgroupsPath: what find/grep look for
N=0
hx() { "$HULL" --root "$R" "$@"; }
HX=("$HULL" --root "$R") # for timeout, which runs no function
links() { ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | sort; }
LINKS0="$(links)"

# What a refused command left behind (one line each), nothing when clean.
leftovers() {
  local x
  x="$(ls -A "$R" 2>/dev/null | grep -vx -e seccomp-cache -e "${LIVE:-seccomp-cache}")"; [ -z "$x" ] || echo "state: $x"
  x="$(ls -A "$R/seccomp-cache" 2>/dev/null | grep -vE '^[0-9a-f]{64}\.bpf$')"; [ -z "$x" ] || echo "seccomp-cache: $x"
  x="$(find /sys/fs/cgroup -mindepth 2 -type d -name "*$TAG*" 2>/dev/null)"; [ -z "$x" ] || echo "cgroup: $x"
  x="$(grep -F "$WORK/" /proc/self/mountinfo)"; [ -z "$x" ] || echo "mount: $x"
  x="$(pgrep -f -- "--root $R" | grep -vx "$$")"; [ -z "$x" ] || echo "process: $x"
  x="$(grep -l "$TAG" /proc/[0-9]*/cgroup 2>/dev/null)"; [ -z "$x" ] || echo "process in a container cgroup: $x"
  x="$(comm -13 <(echo "$LINKS0") <(links) | grep -vE '^(veth|hn|cni|hull0|docker|podman|br-|virbr|tap)')"; [ -z "$x" ] ||
    echo "link: $x"
  return 0
}

# Whatever a row left, removed so the next row starts clean.
scrub() {
  local id
  for id in $(ls -A "$R" 2>/dev/null | grep -vx -e seccomp-cache -e "${LIVE:-seccomp-cache}"); do hx delete -f "$id" >/dev/null 2>&1; done
  pkill -KILL -f -- "--root $R" 2>/dev/null
  find /sys/fs/cgroup -depth -mindepth 2 -type d -name "*$TAG*" -exec rmdir {} \; 2>/dev/null
  local m
  for m in $(awk -v p="$WORK/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null
  done
  find "$R" -mindepth 1 -maxdepth 1 ! -name seccomp-cache ! -name "${LIVE:-seccomp-cache}" -exec rm -rf {} + 2>/dev/null
}

# refuse DESC EXPECT CMD...: CMD fails with one stderr line holding EXPECT.
refuse() {
  local d="$1" want="$2" why="" n left
  shift 2
  CURRENT="$d"
  N=$((N + 1))
  timeout -k 5 30 "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
  RC=$?
  ERR="$(cat "$WORK/err")"
  OUT=""
  n=$(wc -l <"$WORK/err")
  [ -s "$WORK/err" ] && [ "$(tail -c1 "$WORK/err" | od -An -c | tr -d ' ')" != '\n' ] && n=$((n + 1))
  if [ "$RC" = 0 ]; then why="exit 0"
  elif [ "$RC" = 124 ] || [ "$RC" = 137 ]; then why="hung (killed after 30 s)"
  elif [ "$RC" -gt 128 ] && [ "$RC" != 255 ]; then why="died of signal $((RC - 128))"; fi
  [ "$n" = 1 ] || why="$why; $n stderr lines"
  grep -qE 'terminate called|basic_string|basic_filebuf|json\.exception|std::|what\(\)|Aborted|core dumped|Segmentation' \
    "$WORK/err" && why="$why; C++/crash text"
  [[ "$ERR" == *"$want"* ]] || why="$why; no \"$want\""
  left="$(leftovers)"
  [ -z "$left" ] || why="$why; left: ${left//$'\n'/ | }"
  scrub
  if [ -z "$why" ]; then ok; else fail "${why#; }"; fi
}

# The config rows run in this bundle; each resets its config first.
B=$(new_bundle cfg)
set_args "$B" true
cp "$B/config.json" "$WORK/template.json"
# cfg_refuse DESC EXPECT JQ-FILTER: `run` of the template edited by the filter.
cfg_refuse() {
  jq "$3" "$WORK/template.json" >"$B/config.json" || { fail "$1: bad jq filter"; return; }
  refuse "config: $1" "$2" bash -c 'cd "$1" && shift && exec "$@"' _ "$B" "$HULL" --root "$R" run "$TAG-c$N"
}
# raw_refuse DESC EXPECT FILE: `run` with FILE as config.json.
raw_refuse() {
  cp "$3" "$B/config.json"
  refuse "config text: $1" "$2" bash -c 'cd "$1" && shift && exec "$@"' _ "$B" "$HULL" --root "$R" run "$TAG-r$N"
}

## ids
LONG="$(printf 'x%.0s' $(seq 1100))"
for id in "" . .. "a/b" "../$TAG" "$TAG/../x" $'a\x01b' $'a\nb' $'a\xff' "a b" "a:b" "ünï" "$LONG"; do
  want="invalid container id format"
  [ -z "$id" ] && want="container id cannot be empty"
  refuse "create id $(printf %q "$id" | cut -c1-30)" "$want" \
    bash -c 'cd "$1" && shift && exec "$@"' _ "$B" "$HULL" --root "$R" create "$id"
  for cmd in state start kill delete; do
    refuse "$cmd id $(printf %q "$id" | cut -c1-30)" "$want" "${HX[@]}" $cmd "$id"
  done
done
for cmd in state start kill delete pause resume ps events exec update; do
  extra=()
  [ $cmd = exec ] && extra=(true)
  [ $cmd = update ] && extra=(--pids-limit 5)
  refuse "$cmd of an unknown id" "container \"$TAG-none\" does not exist" "${HX[@]}" $cmd "$TAG-none" "${extra[@]}"
done

## command line: one line, not CLI11's two (the usage hint)
refuse "create without an id" "id is required" "${HX[@]}" create
refuse "kill without an id" "id is required" "${HX[@]}" kill
refuse "an unknown flag" "--bogus" "${HX[@]}" create --bogus "$TAG-f"
refuse "too many arguments" "not expected" "${HX[@]}" state a b c
refuse "no command" "subcommand is required" "${HX[@]}"

## global paths: --log that cannot be opened fails (as runc), a FIFO does not hang
mkfifo "$WORK/fifo"
touch "$WORK/file"
refuse "--log in a missing dir" "open $WORK/nodir/log: no such file or directory" \
  "${HX[@]}" --log "$WORK/nodir/log" list
refuse "--log a directory" "open $WORK: is a directory" "${HX[@]}" --log "$WORK" list
refuse "--log a FIFO without reader" "open $WORK/fifo: no such device or address" \
  "${HX[@]}" --log "$WORK/fifo" state x
refuse "--log under /proc" "open /proc/$TAG/log: no such file or directory" \
  "${HX[@]}" --log "/proc/$TAG/log" list
refuse "--root a file" "$WORK/file/$TAG-rf: not a directory" \
  bash -c 'cd "$1" && shift && exec "$@"' _ "$B" "$HULL" --root "$WORK/file" create "$TAG-rf"
refuse "--root under /proc/sys" "/proc/sys/$TAG: no such file or directory" \
  bash -c 'cd "$1" && shift && exec "$@"' _ "$B" "$HULL" --root "/proc/sys/$TAG" create "$TAG-rp"
refuse "--bundle missing" "no such file or directory" "${HX[@]}" create -b "$WORK/nodir" "$TAG-b1"
refuse "--bundle a file" "not a directory" "${HX[@]}" create -b "$WORK/file" "$TAG-b2"
refuse "--bundle a FIFO" "not a directory" "${HX[@]}" create -b "$WORK/fifo" "$TAG-b3"
refuse "--pid-file in a missing dir" "$WORK/nodir/pid: no such file or directory" \
  "${HX[@]}" create -b "$B" --pid-file "$WORK/nodir/pid" "$TAG-p1"
refuse "--pid-file a directory" "is a directory" "${HX[@]}" create -b "$B" --pid-file "$WORK" "$TAG-p2"
check "a refused --pid-file leaves no temporary file" [ ! -e "$WORK.tmp" ]
refuse "--console-socket without process.terminal" "--console-socket: cannot use console socket" \
  "${HX[@]}" create -b "$B" --console-socket "$WORK/nosock" "$TAG-cs"

## process.user ranges: (uid_t)-1 is "unchanged" to setresuid, the process would stay root
cfg_refuse "uid 4294967295" "process.user.uid: 4294967295 out of range" '.process.user.uid = 4294967295'
cfg_refuse "gid 4294967295" "process.user.gid: 4294967295 out of range" '.process.user.gid = 4294967295'
cfg_refuse "additionalGids 4294967295" "process.user.additionalGids[0]: 4294967295 out of range" \
  '.process.user.additionalGids = [4294967295]'
cfg_refuse "uid -1" "process.user.uid: value -1 out of range" '.process.user.uid = -1'
cfg_refuse "uid 1.5" "process.user.uid: expected integer, got 1.5" '.process.user.uid = 1.5'
cfg_refuse "uid 1e400" "process.user.uid: value 1.797" '.process.user.uid = 1e400'

## config.json text
: >"$WORK/c-empty"
echo 'not json' >"$WORK/c-notjson"
jq -c . "$WORK/template.json" | head -c 300 >"$WORK/c-trunc"
(jq -c . "$WORK/template.json"; echo garbage) >"$WORK/c-trail"
jq -c . "$WORK/template.json" | sed 's/"hostname":"hull"/"hostname":"h\xff\xfe"/' >"$WORK/c-utf8"
python3 -c "print('[' * 100000 + ']' * 100000)" >"$WORK/c-deep"
python3 -c "print('{\"a\":' * 100000 + '1' + '}' * 100000)" >"$WORK/c-deepobj"
echo '{"ociVersion": "1.0.0", "root": {"path": "rootfs"}, "process": {"cwd": "/", "args": ["true"], "user": {"uid": 1E777777, "gid": 0}}}' >"$WORK/c-hugeexp"
# 100 MB that turns out not to be JSON at its end
python3 -c "import sys; sys.stdout.write('{\"annotations\": {' + ','.join('\"k%d\": \"%s\"' % (i, 'v' * 90) for i in range(1000000)) + ', !}')" >"$WORK/c-big"
raw_refuse "empty" "config.json: invalid JSON" "$WORK/c-empty"
raw_refuse "not JSON" "config.json: invalid JSON" "$WORK/c-notjson"
raw_refuse "truncated" "config.json: invalid JSON" "$WORK/c-trunc"
raw_refuse "trailing garbage" "config.json: invalid JSON" "$WORK/c-trail"
raw_refuse "invalid UTF-8" "config.json: invalid JSON" "$WORK/c-utf8"
raw_refuse "100k nested arrays" "config.json: expected object, got array" "$WORK/c-deep"
raw_refuse "100k nested objects" "config.json: ociVersion: missing required field" "$WORK/c-deepobj"
raw_refuse "number 1E777777" "config.json: invalid JSON" "$WORK/c-hugeexp"
rm -f "$B/config.json"
mkfifo "$B/config.json"
refuse "config.json a FIFO without writer" "config.json: invalid JSON" \
  bash -c 'cd "$1" && shift && exec "$@"' _ "$B" "$HULL" --root "$R" run "$TAG-ff"
rm -f "$B/config.json"
refuse "config.json missing" "open $B/config.json: no such file or directory" \
  bash -c 'cd "$1" && shift && exec "$@"' _ "$B" "$HULL" --root "$R" run "$TAG-nf"
ln -s /etc "$B/config.json"
refuse "config.json a symlink to a directory" "config.json: is a directory" \
  bash -c 'cd "$1" && shift && exec "$@"' _ "$B" "$HULL" --root "$R" run "$TAG-sd"
rm -f "$B/config.json"
raw_refuse "100 MB, broken at its end" "config.json: invalid JSON" "$WORK/c-big"
rm -f "$WORK/c-big"
for v in '"x"' '[]' 'null' '5' 'true'; do
  echo "$v" >"$WORK/c-type"
  raw_refuse "top level $v" "config.json: expected object, got" "$WORK/c-type"
done

## wrong types and values at every level
cfg_refuse "no ociVersion" "ociVersion: missing required field" 'del(.ociVersion)'
cfg_refuse "ociVersion 2.0.0" "ociVersion: unsupported version \"2.0.0\"" '.ociVersion = "2.0.0"'
cfg_refuse "ociVersion 0.1" "ociVersion: unsupported version" '.ociVersion = "0.1.0"'
cfg_refuse "ociVersion a number" "ociVersion: expected string, got 5" '.ociVersion = 5'
cfg_refuse "run without process" "config.json: process: missing, and run has nothing to start" 'del(.process)'
cfg_refuse "process an array" "process: expected object, got array" '.process = []'
cfg_refuse "process.args a string" "process.args: expected array" '.process.args = "true"'
cfg_refuse "process.args empty" "process.args: must not be empty" '.process.args = []'
cfg_refuse "process.env entry without =" 'process.env[1]: "FOO" is not NAME=value' '.process.env = ["PATH=/bin", "FOO"]'
cfg_refuse "process.env entry with an empty name" 'process.env[0]: "=x" is not NAME=value' '.process.env = ["=x"]'
cfg_refuse "process.args[0] a number" "process.args[0]: expected string" '.process.args = [5]'
cfg_refuse "args[0] missing" 'exec: "/nonexist": stat /nonexist: no such file or directory' '.process.args = ["/nonexist"]'
cfg_refuse "args[0] not in PATH" 'exec: "nosuchcmd": executable file not found in $PATH' '.process.args = ["nosuchcmd"]'
cfg_refuse "args[0] not executable" 'exec: "/etc/passwd": permission denied' '.process.args = ["/etc/passwd"]'
cfg_refuse "args[0] a directory" 'exec: "/etc"' '.process.args = ["/etc"]'
cfg_refuse "args[0] with a NUL" "process.args[0]: must not contain a NUL character" '.process.args = ["/bin/true\u0000x"]'
cfg_refuse "env with a NUL" "process.env[0]: must not contain a NUL character" '.process.env = ["A=b\u0000c"]'
cfg_refuse "device major past 12 bits" "linux.devices[0].major: 99999999999 out of range (0 to 4095)" \
  '.linux.devices = [{"type": "c", "path": "/dev/x", "major": 99999999999, "minor": 1}]'
cfg_refuse "device minor negative" "linux.devices[0].minor: -1 out of range" \
  '.linux.devices = [{"type": "c", "path": "/dev/x", "major": 1, "minor": -1}]'
cfg_refuse "process.cwd relative" "process.cwd: must be an absolute path" '.process.cwd = "rel"'
cfg_refuse "process.env[0] a number" "process.env[0]: expected string, got 1" '.process.env = [1]'
cfg_refuse "process.terminal a string" "process.terminal: expected boolean" '.process.terminal = "yes"'
cfg_refuse "rlimit unknown" "process.rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\"" \
  '.process.rlimits = [{"type": "RLIMIT_BOGUS", "hard": 1, "soft": 1}]'
cfg_refuse "rlimit soft > hard" "process.rlimits[0]: soft limit 2 exceeds hard limit 1" \
  '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 1, "soft": 2}]'
cfg_refuse "rlimit negative" "process.rlimits[0].hard: value -1 out of range" \
  '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": -1, "soft": 1}]'
cfg_refuse "rlimit 2^64" "process.rlimits[0].hard: value 1.8446744073709552e+19 out of range" \
  '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 18446744073709551616, "soft": 1}]'
cfg_refuse "rlimit duplicate" "process.rlimits[1].type: duplicate rlimit" \
  '.process.rlimits += [{"type": "RLIMIT_NOFILE", "hard": 10, "soft": 10}]'
cfg_refuse "oomScoreAdj 5000" "process.oomScoreAdj: 5000 out of range" '.process.oomScoreAdj = 5000'
cfg_refuse "hostname a number" "hostname: expected string, got 5" '.hostname = 5'
cfg_refuse "root missing" "root: missing required field" 'del(.root)'
cfg_refuse "root.path empty" "root.path: must not be empty" '.root.path = ""'
cfg_refuse "root.path missing dir" "root.path: rootfs" '.root.path = "nonexist"'
touch "$B/afile"
mkfifo "$B/afifo"
cfg_refuse "root.path a file" "root.path: rootfs" '.root.path = "afile"'
cfg_refuse "root.path a FIFO" "root.path: rootfs" '.root.path = "afifo"'
cfg_refuse "root.path /" "pivot_root" '.root.path = "/"'
cfg_refuse "annotations a list" "annotations: expected object" '.annotations = ["a"]'
cfg_refuse "annotation value a number" "annotations[\"a\"]: expected string" '.annotations = {"a": 1}'
cfg_refuse "sysctl of the host" "linux.sysctl[\"vm.overcommit_memory\"]: not namespaced" '.linux.sysctl = {"vm.overcommit_memory": "1"}'
cfg_refuse "sysctl key with ../" "linux.sysctl: sysctl \"net/../../../tmp/x\": invalid key" '.linux.sysctl = {"net/../../../tmp/x": "1"}'
cfg_refuse "sysctl value refused" "linux.sysctl[\"kernel.shmmax\"]: write sysctl /proc/sys/kernel/shmmax: invalid argument" \
  '.linux.sysctl = {"kernel.shmmax": "abc"}'
cfg_refuse "sysctl unknown key" "linux.sysctl[\"net.ipv4.nosuch\"]" '.linux.sysctl = {"net.ipv4.nosuch": "1"}'
cfg_refuse "rootfsPropagation unknown" "linux.rootfsPropagation: unknown rootfs propagation" '.linux.rootfsPropagation = "bogus"'
cfg_refuse "personality unknown" "linux.personality.domain: unknown personality domain" '.linux.personality = {"domain": "BOGUS"}'
cfg_refuse "timeOffsets without a time namespace" "linux.timeOffsets: requires a new time namespace" \
  '.linux.timeOffsets = {"monotonic": {"secs": 1}}'
cfg_refuse "consoleSize negative" "process.consoleSize.height: value -1 out of range" '.process.consoleSize = {"height": -1, "width": 1}'

## mounts
cfg_refuse "mounts a number" "mounts: expected array, got 5" '.mounts = 5'
cfg_refuse "mount a number" "mounts[0]: expected object, got 5" '.mounts = [5]'
cfg_refuse "mount destination relative" "mounts[7].destination: must be an absolute path" \
  '.mounts += [{"destination": "rel/x", "type": "tmpfs", "source": "tmpfs"}]'
cfg_refuse "mount destination empty" "mounts[7].destination: must not be empty" \
  '.mounts += [{"destination": "", "type": "tmpfs", "source": "tmpfs"}]'
cfg_refuse "mount options a string" "mounts[7].options: expected array" \
  '.mounts += [{"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": "ro"}]'
cfg_refuse "mount option unknown" "mount tmpfs to /x: invalid argument" \
  '.mounts += [{"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["bogusopt"]}]'
cfg_refuse "mount type unknown" "mount bogusfs to /x: no such device" \
  '.mounts += [{"destination": "/x", "type": "bogusfs", "source": "none"}]'
cfg_refuse "bind source missing" "bind mount /nonexist to /x: stat /nonexist: no such file or directory" \
  '.mounts += [{"destination": "/x", "type": "bind", "source": "/nonexist", "options": ["bind"]}]'

## namespaces and id mappings
cfg_refuse "namespace duplicate" "linux.namespaces[6].type: duplicate namespace \"pid\"" \
  '.linux.namespaces += [{"type": "pid"}]'
cfg_refuse "namespace unknown" "linux.namespaces[0].type: unknown namespace type \"bogus\"" \
  '.linux.namespaces = [{"type": "bogus"}]'
cfg_refuse "namespace path relative" "linux.namespaces[0].path: must be an absolute path" \
  'del(.hostname) | .linux.namespaces = [{"type": "network", "path": "rel"}, {"type": "mount"}]'
cfg_refuse "namespace path missing" "/nonexist: no such file or directory" \
  'del(.hostname) | .linux.namespaces = [{"type": "network", "path": "/nonexist"}, {"type": "mount"}]'
cfg_refuse "namespace path not a namespace" "linux.namespaces[0].path: /etc/passwd is not a namespace file" \
  'del(.hostname) | .linux.namespaces = [{"type": "network", "path": "/etc/passwd"}, {"type": "mount"}]'
cfg_refuse "namespace path of another type" "linux.namespaces[0].path: /proc/self/ns/uts is not a network namespace" \
  'del(.hostname) | .linux.namespaces = [{"type": "network", "path": "/proc/self/ns/uts"}, {"type": "mount"}]'
cfg_refuse "network namespace path a FIFO" "linux.namespaces[0].path: $WORK/fifo is not a namespace file" \
  'del(.hostname) | .linux.namespaces = [{"type": "network", "path": "'"$WORK"'/fifo"}, {"type": "mount"}]'
cfg_refuse "pid namespace path a FIFO" "linux.namespaces[0].path: $WORK/fifo is not a namespace file" \
  'del(.hostname) | .linux.namespaces = [{"type": "pid", "path": "'"$WORK"'/fifo"}, {"type": "mount"}]'
cfg_refuse "user namespace without mappings" "linux.uidMappings: required for a new user namespace" \
  '.linux.namespaces += [{"type": "user"}]'
cfg_refuse "mappings without a user namespace" "linux.uidMappings: requires a user namespace" \
  '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
cfg_refuse "mapping past 2^32" "linux.uidMappings[0]: hostID + size exceeds the 32-bit id range" \
  '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 4294967295, "size": 4294967295}] | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
cfg_refuse "container ranges overlap" "linux.uidMappings[1]: containerID range overlaps linux.uidMappings[0]" \
  '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}, {"containerID": 10, "hostID": 200000, "size": 10}] | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
cfg_refuse "host ranges overlap" "linux.gidMappings[1]: hostID range overlaps linux.gidMappings[0]" \
  '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 70000, "hostID": 100500, "size": 10}]'
cfg_refuse "341 mappings" "linux.uidMappings: 341 mappings, more than the kernel's 340" \
  '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [range(341) as $i | {"containerID": $i, "hostID": (100000 + $i), "size": 1}] | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
cfg_refuse "mapping size 0" "linux.uidMappings[0].size: must be greater than 0" \
  '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 1, "size": 0}] | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'

## seccomp
cfg_refuse "seccomp defaultAction unknown" "linux.seccomp.defaultAction: unknown seccomp action" \
  '.linux.seccomp = {"defaultAction": "SCMP_ACT_BOGUS"}'
cfg_refuse "seccomp arch unknown" "linux.seccomp.architectures[0]: unknown seccomp architecture" \
  '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_BOGUS"]}'
cfg_refuse "seccomp rule action unknown" "linux.seccomp.syscalls[0].action: unknown seccomp action" \
  '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_BOGUS"}]}'
cfg_refuse "seccomp arg index 9" "linux.seccomp.syscalls[0].args[0].index: 9 out of range" \
  '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 9, "value": 1, "op": "SCMP_CMP_EQ"}]}]}'
cfg_refuse "seccomp operator unknown" "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator" \
  '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_BOGUS"}]}]}'
cfg_refuse "seccomp NOTIFY as default" "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action" \
  '.linux.seccomp = {"defaultAction": "SCMP_ACT_NOTIFY"}'
cfg_refuse "seccomp flag unknown" "linux.seccomp.flags[0]: unknown seccomp flag" \
  '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_BOGUS"]}'
cfg_refuse "seccomp listener missing" "seccomp listener /nonexist: no such file or directory" \
  '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/nonexist", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_NOTIFY"}]}'
cfg_refuse "seccomp errnoRet -1" "linux.seccomp.syscalls[0].errnoRet: value -1 out of range" \
  '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": -1}]}'
cfg_refuse "seccomp errnoRet 99999" "errnoRet 99999 out of range (0 to 4094)" \
  '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 99999}]}'
cfg_refuse "seccomp defaultErrnoRet 65537" "linux.seccomp.defaultAction: errnoRet 65537 out of range" \
  '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 65537, "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}'
# 6000 rules: more than the kernel loads (4096 instructions)
jq -c '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [range(6000) as $i | {"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": $i, "op": "SCMP_CMP_EQ"}]}]}' \
  "$WORK/template.json" >"$WORK/c-seccomp-huge"
raw_refuse "seccomp filter too large" "linux.seccomp: the filter compiles to" "$WORK/c-seccomp-huge"

## hooks
cfg_refuse "hook path relative" "hooks.prestart[0].path: must be an absolute path" '.hooks.prestart = [{"path": "rel/hook"}]'
cfg_refuse "hook binary missing" "error running createRuntime hook #0 (/nonexist): fork/exec /nonexist: no such file or directory" \
  '.hooks.createRuntime = [{"path": "/nonexist"}]'
cfg_refuse "hook a directory" "fork/exec /etc: permission denied" '.hooks.createRuntime = [{"path": "/etc"}]'
cfg_refuse "hook timeout 0" "hooks.createRuntime[0].timeout: must be greater than 0, got 0" \
  '.hooks.createRuntime = [{"path": "/bin/true", "timeout": 0}]'
cfg_refuse "hook timeout -1" "hooks.createRuntime[0].timeout: must be greater than 0, got -1" \
  '.hooks.createRuntime = [{"path": "/bin/true", "timeout": -1}]'
cfg_refuse "hook runs past its timeout" "hook ran past specified timeout of 1.0s" \
  '.hooks.createRuntime = [{"path": "/bin/sleep", "args": ["sleep", "100"], "timeout": 1}]'
cfg_refuse "hook fails with multi-line output" "exit status 1, stdout: line1\\nline2, stderr" \
  '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "printf \"line1\\nline2\\n\"; exit 1"]}]'
cfg_refuse "createContainer hook missing" "error running createContainer hook #0" '.hooks.createContainer = [{"path": "/nonexist"}]'
cfg_refuse "startContainer hook missing" "error running startContainer hook #0" '.hooks.startContainer = [{"path": "/nonexist"}]'
cfg_refuse "poststart hook missing" "error running poststart hook #0" '.hooks.poststart = [{"path": "/nonexist"}]'

## cgroups and resources
cfg_refuse "memory.limit 1 byte" "linux.resources.memory.limit" '.linux.resources.memory.limit = 1'
cfg_refuse "memory.limit -2" "linux.resources.memory.limit: memory.limit_in_bytes = -2: invalid argument" '.linux.resources.memory.limit = -2'
cfg_refuse "memory.limit a string" "linux.resources.memory.limit: expected integer, got \"64M\"" '.linux.resources.memory.limit = "64M"'
cfg_refuse "memory.swap below limit" "linux.resources.memory.swap" \
  '.linux.resources.memory.swap = 1 | .linux.resources.memory.limit = 10000000'
cfg_refuse "cpu.period 1" "linux.resources.cpu.period: cpu.cfs_period_us = 1: invalid argument" '.linux.resources.cpu.period = 1'
cfg_refuse "cpu.cpus 99999" "linux.resources.cpu.cpus" '.linux.resources.cpu.cpus = "99999"'
cfg_refuse "cpu.mems garbage" "linux.resources.cpu.mems: invalid list \"abc\"" '.linux.resources.cpu.mems = "abc"'
cfg_refuse "blockIO.weight 5000" "linux.resources.blockIO.weight: " '.linux.resources.blockIO.weight = 5000'
cfg_refuse "hugepage size unknown" "linux.resources.hugepageLimits[0]: hugetlb.3MB" '.linux.resources.hugepageLimits = [{"pageSize": "3MB", "limit": 1}]'
cfg_refuse "device type unknown" "linux.resources.devices[0].type: unknown device type \"q\"" \
  '.linux.resources.devices = [{"allow": true, "type": "q", "access": "rwm"}]'
cfg_refuse "device access unknown" "linux.resources.devices[0].access: invalid access \"xyz\"" \
  '.linux.resources.devices = [{"allow": true, "type": "c", "access": "xyz"}]'
cfg_refuse "cpu.quota 1" "linux.resources.cpu.quota: cpu.cfs_quota_us = 1: invalid argument" '.linux.resources.cpu.quota = 1'
cfg_refuse "cgroupsPath a number" "linux.cgroupsPath: expected string" '.linux.cgroupsPath = 5'

## mount destinations that point out of the rootfs: refused, or kept inside it
OUTSIDE="$WORK/outside"
mkdir -p "$OUTSIDE"
EB=$(new_bundle escape)
set_args "$EB" true
cp "$EB/config.json" "$WORK/escape.json"
# contained DESC LINK-TARGET JQ-FILTER: rootfs/evil -> LINK-TARGET; the run may
# fail (one line) or succeed, but nothing appears in or is mounted on OUTSIDE
contained() {
  rm -f "$EB/rootfs/evil"
  ln -s "$2" "$EB/rootfs/evil"
  jq "$3" "$WORK/escape.json" >"$EB/config.json"
  CURRENT="escape: $1"
  N=$((N + 1))
  timeout -k 5 30 bash -c 'cd "$1" && shift && exec "$@"' _ "$EB" "$HULL" --root "$R" run "$TAG-e$N" \
    </dev/null >"$WORK/out" 2>"$WORK/err"
  RC=$?
  ERR="$(cat "$WORK/err")"
  OUT=""
  local why="" left
  [ "$RC" = 0 ] || [ "$(wc -l <"$WORK/err")" = 1 ] || why="exit $RC with $(wc -l <"$WORK/err") stderr lines"
  [ -z "$(ls -A "$OUTSIDE")" ] || why="$why; wrote $(ls -A "$OUTSIDE" | head -3 | tr '\n' ' ')into $OUTSIDE"
  grep -qF " $OUTSIDE " /proc/self/mountinfo && why="$why; mounted on $OUTSIDE"
  left="$(leftovers)"
  [ -z "$left" ] || why="$why; left: ${left//$'\n'/ | }"
  scrub
  rm -rf "${OUTSIDE:?}"/* 2>/dev/null
  if [ -z "$why" ]; then ok "${ERR:+refused: ${ERR:0:100}}"; else fail "${why#; }"; fi
}
contained "tmpfs under an absolute symlink" "$OUTSIDE" '.mounts += [{"destination": "/evil/x", "type": "tmpfs", "source": "tmpfs"}]'
contained "tmpfs on an absolute symlink" "$OUTSIDE" '.mounts += [{"destination": "/evil", "type": "tmpfs", "source": "tmpfs"}]'
contained "tmpfs on a ../ symlink" "../../../../../../../../..$OUTSIDE" '.mounts += [{"destination": "/evil", "type": "tmpfs", "source": "tmpfs"}]'
contained "bind under a ../ symlink" "../../../../../../../../..$OUTSIDE" \
  '.mounts += [{"destination": "/evil/sub/x", "type": "bind", "source": "/etc", "options": ["bind"]}]'
contained "destination with .. past /" "/" \
  '.mounts += [{"destination": "/../../../../../../..'"$OUTSIDE"'/x", "type": "tmpfs", "source": "tmpfs"}]'
contained "maskedPaths through a symlink" "$OUTSIDE" '.linux.maskedPaths += ["/evil/masked"]'
contained "readonlyPaths through a symlink" "$OUTSIDE" '.linux.readonlyPaths += ["/evil"]'
contained "process.cwd through a symlink" "$OUTSIDE" '.process.cwd = "/evil/newdir"'
contained "device node through a symlink" "$OUTSIDE" \
  '.linux.devices = [{"type": "c", "path": "/evil/null", "major": 1, "minor": 3}]'

## against a running container: exec --process, update -r, kill
LIVE="live$$" # no TAG: its own cgroup and state are not leftovers
LB=$(new_bundle live)
set_args "$LB" sleep 1000
(cd "$LB" && hx run -d "$LIVE" >/dev/null 2>&1)
_IDS+=("$LIVE")
# live_refuse DESC EXPECT CMD...: as refuse, and the container runs on with its one process
live_refuse() {
  refuse "$@"
  CURRENT="$1: the container is untouched"
  local st n
  st="$(hx state "$LIVE" 2>/dev/null | jq -r .status)"
  n="$(hx ps --format json "$LIVE" 2>/dev/null | jq length)"
  if [ "$st" = running ] && [ "$n" = 1 ]; then ok; else fail "status $st, $n processes"; fi
}
P="$WORK/process.json"
jq '.process' "$WORK/template.json" >"$P.good"
pfile() { jq "$1" "$P.good" >"$P"; }
echo '{' >"$P.broken"
echo '{"args": ["true"], "cwd": "/", "user": {"uid": 1E777777, "gid": 0}}' >"$P.hugeexp"
live_refuse "exec --process broken JSON" "--process $P.broken: invalid JSON" "${HX[@]}" exec --process "$P.broken" "$LIVE"
live_refuse "exec --process 1E777777" "--process $P.hugeexp: invalid JSON" "${HX[@]}" exec --process "$P.hugeexp" "$LIVE"
live_refuse "exec --process a directory" "read $WORK: is a directory" "${HX[@]}" exec --process "$WORK" "$LIVE"
live_refuse "exec --process missing" "open $WORK/nofile: no such file or directory" "${HX[@]}" exec --process "$WORK/nofile" "$LIVE"
live_refuse "exec --process a FIFO without writer" "--process $WORK/fifo: invalid JSON" "${HX[@]}" exec --process "$WORK/fifo" "$LIVE"
pfile '[]'
live_refuse "exec --process an array" "--process $P: process: expected object, got array" "${HX[@]}" exec --process "$P" "$LIVE"
pfile '.args = []'
live_refuse "exec --process empty args" "process.args: must not be empty" "${HX[@]}" exec --process "$P" "$LIVE"
pfile 'del(.cwd)'
live_refuse "exec --process without cwd" "--process $P: process.cwd: missing required field" "${HX[@]}" exec --process "$P" "$LIVE"
pfile '.user.uid = 4294967295'
live_refuse "exec --process uid 4294967295" "process.user.uid: 4294967295 out of range" "${HX[@]}" exec --process "$P" "$LIVE"
pfile '.args = ["/nonexist"]'
live_refuse "exec --process args[0] missing" 'exec: "/nonexist": stat /nonexist: no such file or directory' "${HX[@]}" exec --process "$P" "$LIVE"
live_refuse "exec args[0] a directory" 'exec: "/etc"' "${HX[@]}" exec "$LIVE" /etc
live_refuse "exec --user 4294967295" "--user: uid 4294967295 is out of range" "${HX[@]}" exec --user 4294967295 "$LIVE" id
live_refuse "exec --user abc" "--user: uid \"abc\"" "${HX[@]}" exec --user abc "$LIVE" id
live_refuse "exec --console-socket without -t" "--console-socket: cannot use console socket" \
  "${HX[@]}" exec --console-socket "$WORK/nosock" "$LIVE" true
live_refuse "exec --cwd relative" "--cwd: \"rel\" is not an absolute path" "${HX[@]}" exec --cwd rel "$LIVE" true
live_refuse "exec --env without =" "--env: \"A\" is not NAME=value" "${HX[@]}" exec --env A "$LIVE" true
R_=("$WORK/res.json")
echo '{' >"$R_"
live_refuse "update -r broken JSON" "resources: invalid JSON" "${HX[@]}" update -r "$R_" "$LIVE"
echo '{"memory": {"limit": 1E777777}}' >"$R_"
live_refuse "update -r 1E777777" "resources: invalid JSON" "${HX[@]}" update -r "$R_" "$LIVE"
echo '[]' >"$R_"
live_refuse "update -r an array" "resources: expected object, got array" "${HX[@]}" update -r "$R_" "$LIVE"
echo '{"pids": {"limit": "x"}}' >"$R_"
live_refuse "update -r pids.limit a string" "resources.pids.limit: expected integer" "${HX[@]}" update -r "$R_" "$LIVE"
live_refuse "update -r a directory" "read $WORK: is a directory" "${HX[@]}" update -r "$WORK" "$LIVE"
live_refuse "update -r missing" "open $WORK/nofile: no such file or directory" "${HX[@]}" update -r "$WORK/nofile" "$LIVE"
live_refuse "update --memory abc" "--memory: invalid size \"abc\"" "${HX[@]}" update --memory abc "$LIVE"
live_refuse "update --pids-limit abc" "--pids-limit: invalid number \"abc\"" "${HX[@]}" update --pids-limit abc "$LIVE"
for sig in SIGBOGUS BOGUS 1.5 9x RTMINx 99 -5 ''; do
  live_refuse "kill $(printf %q "$sig")" "signal" "${HX[@]}" kill "$LIVE" "$sig"
done
live_refuse "ps with an option ps(1) refuses" "ps failed (status 1): error: unknown gnu long option" \
  "${HX[@]}" ps "$LIVE" -- --bogus
live_refuse "ps -f bogus" "--format: bogus not in {table,json}" "${HX[@]}" ps -f bogus "$LIVE"
live_refuse "events --interval 0" "--interval: must be greater than 0" "${HX[@]}" events --interval 0 "$LIVE"
live_refuse "events --interval abc" "--interval: invalid duration \"abc\"" "${HX[@]}" events --interval abc "$LIVE"
live_refuse "exec --preserve-fds 100000" "--preserve-fds 100000: fd 3 is not open" \
  "${HX[@]}" exec --preserve-fds 100000 "$LIVE" true
live_refuse "start of a running container" "cannot start an already running container" "${HX[@]}" start "$LIVE"
live_refuse "create over a running container" "container with id exists: $LIVE" \
  bash -c 'cd "$1" && shift && exec "$@"' _ "$LB" "$HULL" --root "$R" create "$LIVE"
live_refuse "delete without -f of a running container" "cannot delete container $LIVE that is not stopped" "${HX[@]}" delete "$LIVE"
hx delete -f "$LIVE" >/dev/null 2>&1

finish
