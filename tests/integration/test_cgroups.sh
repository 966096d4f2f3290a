#!/bin/bash
# cgroups: every resource written and read back, enforcement (pids, memory,
# freezer, devices), placement (cgroupsPath, joined cgroups, cgroup ns),
# pause/resume/update/ps/events. Runs on the v1 hybrid host and in the pure
# v2 VM (tests/v2/run.sh); the expectations follow the layout found.
source "$(dirname "$0")/lib.sh"

# lib.sh's set_args hands jq the args before the filter; keep the file first.
# (jq also takes "-c" after --args as its own option: build the array arg by arg.)
set_args() {
  local b="$1"; shift
  local a x; a="$(for x in "$@"; do jq -n --arg v "$x" '$v'; done | jq -s -c .)"
  jq --argjson a "$a" '.process.args = $a' "$b/config.json" > "$b/config.json.new" &&
    mv "$b/config.json.new" "$b/config.json"
}

if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then V2=1; else V2=0; fi
echo "# cgroup layout: $([ $V2 = 1 ] && echo v2 || echo v1/hybrid)"

# cgdir ID CONTROLLER: the container's directory for a controller.
cgdir() {
  local st="$TEST_ROOT/$1/state.json"
  if [ $V2 = 1 ]; then jq -r '.cgroup.mount + .cgroup.path' "$st"
  else jq -r --arg c "$2" '.cgroup.dirs[$c] // empty' "$st"; fi
}
# cgread ID CONTROLLER FILE
cgread() { cat "$(cgdir "$1" "$2")/$3" 2>/dev/null; }

# start_bg BUNDLE ID: create + start a long-running container.
start_bg() {
  local b="$1" id="$2"
  _IDS+=("$id")
  # the container inherits stdio: files, not a pipe $(...) would wait on
  OUT=""; (cd "$b" && hull create "$id" </dev/null >"$WORK/$id.out" 2>"$WORK/$id.err"); RC=$?
  ERR="$(cat "$WORK/$id.err")"
  [ $RC = 0 ] || return 1
  ERR="$(hull start "$id" 2>&1)"; RC=$?
  [ $RC = 0 ]
}

# expect_file ID CTRL FILE WANT: ok/fail for one read-back.
expect_file() {
  local got; got="$(cgread "$1" "$2" "$3" | head -n1)"
  if [ "$got" = "$4" ]; then ok "$3 = $4"; else fail "$3: want '$4', got '$got'"; fi
}

# Every hull call gets a time limit, so a hang fails one check instead of the run.
hull() { timeout "${HULL_CMD_TIMEOUT:-120}" "$HULL" --root "$TEST_ROOT" "$@"; }

# A block device for the throttle settings (the v2 VM has none: skipped there).
BLK="$(cat /sys/block/vda/dev 2>/dev/null || cat /sys/block/*/dev 2>/dev/null | head -n1)"

t "every resource is written to its cgroup file"
B=$(new_bundle res); ID=$(uniq_id res)
set_args "$B" sleep 1000
cfg "$B" '.linux.resources += {
  "memory": {"limit": 67108864, "reservation": 33554432, "swappiness": 30, "disableOOMKiller": false},
  "cpu": {"shares": 512, "quota": 40000, "period": 100000, "cpus": "0", "mems": "0"},
  "pids": {"limit": 64},
  "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]
}'
[ -n "$BLK" ] && cfg "$B" '.linux.resources.blockIO = {
  "throttleReadBpsDevice": [{"major": ($blk|split(":")[0]|tonumber), "minor": ($blk|split(":")[1]|tonumber), "rate": 1048576}],
  "throttleWriteIOPSDevice": [{"major": ($blk|split(":")[0]|tonumber), "minor": ($blk|split(":")[1]|tonumber), "rate": 300}]}' --arg blk "$BLK"
if start_bg "$B" "$ID"; then
  ok "started"
  if [ $V2 = 1 ]; then
    expect_file "$ID" "" memory.max 67108864
    expect_file "$ID" "" memory.low 33554432
    expect_file "$ID" "" cpu.weight 20
    expect_file "$ID" "" cpu.max "40000 100000"
    expect_file "$ID" "" cpuset.cpus 0
    expect_file "$ID" "" cpuset.mems 0
    expect_file "$ID" "" pids.max 64
    expect_file "$ID" "" hugetlb.2MB.max 4194304
    got="$(cgread "$ID" "" io.max)"
    [ -n "$BLK" ] && check "io.max holds rbps and wiops for $BLK" contains "$got" "$BLK rbps=1048576 wbps=max riops=max wiops=300"
  else
    expect_file "$ID" memory memory.limit_in_bytes 67108864
    expect_file "$ID" memory memory.soft_limit_in_bytes 33554432
    expect_file "$ID" memory memory.swappiness 30
    check "memory.oom_control oom_kill_disable 0" contains "$(cgread "$ID" memory memory.oom_control)" "oom_kill_disable 0"
    expect_file "$ID" cpu cpu.shares 512
    expect_file "$ID" cpu cpu.cfs_quota_us 40000
    expect_file "$ID" cpu cpu.cfs_period_us 100000
    expect_file "$ID" cpuset cpuset.cpus 0
    expect_file "$ID" cpuset cpuset.mems 0
    expect_file "$ID" pids pids.max 64
    expect_file "$ID" unified hugetlb.2MB.max 4194304
    if [ -n "$BLK" ]; then
      expect_file "$ID" blkio blkio.throttle.read_bps_device "$BLK 1048576"
      expect_file "$ID" blkio blkio.throttle.write_iops_device "$BLK 300"
    fi
    check "default device list (runc's)" contains "$(cgread "$ID" devices devices.list)" "c 136:* rwm"
  fi

  t "ps, events --stats"
  PID=$(jq -r .pid "$TEST_ROOT/$ID/state.json")
  OUT="$(hull ps -f json "$ID")"
  check "ps -f json is a bare array with the init pid" [ "$(echo "$OUT" | jq -c --argjson p "$PID" 'type == "array" and index($p) != null')" = true ]
  OUT="$(hull ps "$ID")"
  check "ps table has a PID header and the init" bash -c "echo '$OUT' | head -n1 | grep -q PID && echo '$OUT' | grep -q 'sleep 1000'"
  OUT="$(hull events --stats "$ID")"
  check "events --stats: type stats with the id" [ "$(echo "$OUT" | jq -r '.type + " " + .id')" = "stats $ID" ]
  check "events --stats: memory limit and pids" [ "$(echo "$OUT" | jq -r '[.data.memory.usage.limit, .data.pids.current, .data.pids.limit] | join(" ")')" = "67108864 1 64" ]
  check "events --stats: cpu and hugetlb sections" [ "$(echo "$OUT" | jq -r '(.data.cpu.usage | has("user")) and (.data.hugetlb | has("2MB"))')" = true ]

  t "update with runc's flags, -r FILE and -r -"
  hull update --memory 100m --pids-limit 20 --cpu-share 256 --cpu-quota 20000 "$ID"; RC=$?
  check "update flags exit 0" [ $RC = 0 ]
  if [ $V2 = 1 ]; then
    expect_file "$ID" "" memory.max 104857600
    expect_file "$ID" "" pids.max 20
    expect_file "$ID" "" cpu.weight 10
    expect_file "$ID" "" cpu.max "20000 100000"
  else
    expect_file "$ID" memory memory.limit_in_bytes 104857600
    expect_file "$ID" pids pids.max 20
    expect_file "$ID" cpu cpu.shares 256
    expect_file "$ID" cpu cpu.cfs_quota_us 20000
  fi
  echo '{"pids": {"limit": 33}, "memory": {"limit": 83886080}}' > "$WORK/res.json"
  hull update -r "$WORK/res.json" "$ID"
  if [ $V2 = 1 ]; then expect_file "$ID" "" pids.max 33; else expect_file "$ID" pids pids.max 33; fi
  echo '{"pids": {"limit": 44}}' | hull update -r - "$ID"
  if [ $V2 = 1 ]; then expect_file "$ID" "" pids.max 44; else expect_file "$ID" pids pids.max 44; fi
  ERR="$(hull update --memory lots "$ID" 2>&1)"; RC=$?
  check "bad --memory value names the flag" [ $RC != 0 ] && contains "$ERR" "--memory: invalid size"
  ERR="$(echo '{"memory": {"limit": "64M"}}' | hull update -r - "$ID" 2>&1)"; RC=$?
  check "bad -r JSON names the field" contains "$ERR" "memory.limit"
  if [ $V2 = 1 ]; then
    echo '{"unified": {"memory.high": "94371840"}}' | hull update -r - "$ID"
    expect_file "$ID" "" memory.high 94371840
  else
    ERR="$(echo '{"unified": {"memory.high": "1"}}' | hull update -r - "$ID" 2>&1)"; RC=$?
    check "unified on v1 is an error" [ $RC != 0 ] && contains "$ERR" "requires cgroup v2"
    ERR="$(hull update --blkio-weight 500 "$ID" 2>&1)"; RC=$?
    d="$(cgdir "$ID" blkio)"
    if [ -e "$d/blkio.weight" ] || [ -e "$d/blkio.bfq.weight" ]; then
      check "--blkio-weight 500 applied" [ $RC = 0 ] && contains "$(cat "$d"/blkio*.weight)" 500
    else check "missing blkio.weight is reported clearly" [ $RC != 0 ] && contains "$ERR" "blkio.weight = 500: not supported by this host"; fi
  fi

  t "pause and resume"
  hull pause "$ID"; RC=$?
  check "pause exit 0" [ $RC = 0 ]
  check "state says paused" [ "$(hull state "$ID" | jq -r .status)" = paused ]
  if [ $V2 = 1 ]; then expect_file "$ID" "" cgroup.freeze 1; else expect_file "$ID" freezer freezer.state FROZEN; fi
  ERR="$(hull pause "$ID" 2>&1)"
  check "pausing twice says already paused" contains "$ERR" "already paused"
  hull resume "$ID"; RC=$?
  check "resume exit 0" [ $RC = 0 ]
  check "state says running" [ "$(hull state "$ID" | jq -r .status)" = running ]
  ERR="$(hull resume "$ID" 2>&1)"
  check "resume of a running container says not paused" contains "$ERR" "not paused"
  DIRS="$( [ $V2 = 1 ] && cgdir "$ID" "" || jq -r '.cgroup.dirs[]' "$TEST_ROOT/$ID/state.json" | sort -u)"
  hull delete -f "$ID"
  gone=1; for d in $DIRS; do [ -e "$d" ] && gone=0; done
  check "delete removes every cgroup dir it created" [ $gone = 1 ]
else
  fail "create/start"
fi

t "a frozen container does not run"
B=$(new_bundle frz); ID=$(uniq_id frz)
set_args "$B" sh -c 'while :; do echo x >> /tmp/tick; done'
if start_bg "$B" "$ID"; then
  ticks() { wc -l < "$B/rootfs/tmp/tick"; }
  sleep 0.5
  hull pause "$ID"
  a=$(ticks); sleep 1; b=$(ticks)
  check "counter stands still while paused ($a = $b)" [ "$a" = "$b" ] && [ "$a" -gt 0 ]
  hull resume "$ID"; sleep 0.5; c=$(ticks)
  check "counter moves after resume ($b -> $c)" [ "$c" != "$b" ]
  hull delete -f "$ID"
else fail "start"; fi

t "pids.max stops a fork bomb"
B=$(new_bundle pids); ID=$(uniq_id pids)
# The bomb runs in a subshell (ash exits when fork fails) and tries 40 forks
# against a limit of 8; when it is over, the init says so with a file written
# by the shell itself (no fork) and execs. The checks wait for that file, not
# for a time: under load the bomb may take long to reach the limit.
set_args "$B" sh -c '(for i in $(seq 1 40); do sleep 1000 & done) 2>/dev/null; echo over >/bomb-over; exec sleep 1000'
cfg "$B" '.linux.resources.pids = {"limit": 8}'
if start_bg "$B" "$ID"; then
  for _ in $(seq 1 600); do [ -s "$B/rootfs/bomb-over" ] && break; sleep 0.2; done
  check "the bomb ran to its end" [ -s "$B/rootfs/bomb-over" ]
  if [ $V2 = 1 ]; then C=pids.current; E=pids.events; cur=$(cgread "$ID" "" $C); ev=$(cgread "$ID" "" $E)
  else cur=$(cgread "$ID" pids pids.current); ev=$(cgread "$ID" pids pids.events); fi
  n=$(hull ps -f json "$ID" | jq length)
  check "at most 8 processes ($n, pids.current $cur)" [ "$n" -le 8 ] && [ "$cur" -le 8 ]
  check "forks were refused (pids.events: $ev)" [ "${ev#max }" -gt 0 ]
  hull delete -f "$ID"
else fail "start"; fi

t "a memory limit OOM-kills and events reports it"
B=$(new_bundle oom); ID=$(uniq_id oom)
set_args "$B" sh -c 'sleep 1; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 2'
cfg "$B" '.linux.resources.memory = {"limit": 16777216}'
_IDS+=("$ID")
if (cd "$B" && hull create "$ID" </dev/null >"$WORK/oom.out" 2>&1); then
  hull events --interval 100ms "$ID" > "$WORK/events.out" 2>&1 &
  EV=$!
  sleep 0.3
  hull start "$ID"
  for _ in $(seq 1 50); do [ "$(hull state "$ID" 2>/dev/null | jq -r .status)" = stopped ] && break; sleep 0.2; done
  sleep 0.5
  kill "$EV" 2>/dev/null; wait "$EV" 2>/dev/null
  check "events printed an oom event" grep -q "{\"type\":\"oom\",\"id\":\"$ID\"}" "$WORK/events.out"
  check "events printed stats lines" grep -q '"type":"stats"' "$WORK/events.out"
  if [ $V2 = 1 ]; then ev=$(cgread "$ID" "" memory.events); else ev=$(cgread "$ID" memory memory.oom_control); fi
  check "the kernel counted an OOM kill" contains "$ev" "oom_kill 1"
  hull delete -f "$ID"
else fail "create"; fi

t "device rules deny and allow"
B=$(new_bundle dev); ID=$(uniq_id dev)
mknod "$B/rootfs/kmsg" c 1 11
set_args "$B" sh -c 'echo hull-cgroup-test > /kmsg && echo WROTE'
run_in "$B" "$ID"
check "write to c 1:11 is denied by default" bash -c "[ $RC != 0 ] && [[ '$OUT' != *WROTE* ]]"
contains "$ERR$OUT" "ermitted" && ok "denied with EPERM" || fail "no EPERM seen"
hull delete -f "$ID" >/dev/null 2>&1
ID=$(uniq_id dev2)
cfg "$B" '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
run_in "$B" "$ID"
check "an allow rule for c 1:11 w lets it write" contains "$OUT" WROTE
hull delete -f "$ID" >/dev/null 2>&1
ID=$(uniq_id dev3)
cfg "$B" '.linux.resources.devices += [{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
run_in "$B" "$ID"
check "a later deny wins again" bash -c "[[ '$OUT' != *WROTE* ]]"
hull delete -f "$ID" >/dev/null 2>&1

t "update replaces the device rules (v2: the eBPF program)"
B=$(new_bundle devu); ID=$(uniq_id devu)
mknod "$B/rootfs/kmsg" c 1 11
set_args "$B" sleep 1000
if start_bg "$B" "$ID"; then
  PID=$(jq -r .pid "$TEST_ROOT/$ID/state.json")
  # a process in the container's cgroup (device rules follow the cgroup) and mount ns
  if [ $V2 = 1 ]; then DEVDIR="$(cgdir "$ID" "")"; else DEVDIR="$(cgdir "$ID" devices)"; fi
  w() {
    sh -c 'echo $$ > "$1/cgroup.procs" && exec nsenter -t "$2" -m sh -c "echo hull-cgroup-test > /kmsg"' \
      _ "$DEVDIR" "$PID" 2>/dev/null && echo yes || echo no
  }
  check "denied before update" [ "$(w)" = no ]
  echo '{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rw"}]}' | hull update -r - "$ID"
  # (v2: programs attached with BPF_F_ALLOW_MULTI must all allow, so this also
  # proves the old program was detached, not just joined by the new one)
  check "allowed after update" [ "$(w)" = yes ]
  if [ $V2 = 1 ] && command -v bpftool >/dev/null; then
    n=$(bpftool cgroup list "$(cgdir "$ID" "")" 2>/dev/null | grep -c device)
    check "one device program attached after update ($n)" [ "$n" = 1 ]
  fi
  hull delete -f "$ID"
else fail "start"; fi

t "cgroupsPath: absolute, relative, and a joined cgroup survives delete"
B=$(new_bundle path); ID=$(uniq_id abs)
set_args "$B" cat /proc/self/cgroup
cfg "$B" '.linux.cgroupsPath = $p | .linux.namespaces |= map(select(.type != "cgroup"))' --arg p "/hull-it-abs/$ID"
run_in "$B" "$ID"
check "absolute path as given" contains "$OUT" ":/hull-it-abs/$ID"
hull delete -f "$ID" >/dev/null 2>&1
check "delete removed the parent it created" bash -c "! ls -d /sys/fs/cgroup/hull-it-abs /sys/fs/cgroup/*/hull-it-abs 2>/dev/null | grep -q ."
ID=$(uniq_id rel)
cfg "$B" '.linux.cgroupsPath = $p' --arg p "hull-it-rel/$ID"
run_in "$B" "$ID"
if [ $V2 = 1 ]; then KEY="0::"; OWN=$(dirname "$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)")
else KEY=":memory:"; OWN=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup); fi
OWN=${OWN%/}
check "relative path under the caller's cgroup ($KEY$OWN)" contains "$OUT" "$KEY$OWN/hull-it-rel/$ID"
hull delete -f "$ID" >/dev/null 2>&1
ID=$(uniq_id def)
cfg "$B" '.linux.cgroupsPath = ""'
run_in "$B" "$ID"
check "no cgroupsPath: <caller>/<id>" contains "$OUT" "$KEY$OWN/$ID"
hull delete -f "$ID" >/dev/null 2>&1
SH=hull-it-shared-$$
if [ $V2 = 1 ]; then mkdir -p /sys/fs/cgroup/$SH; else for d in /sys/fs/cgroup/*/; do [ "$(stat -f -c %T "$d")" != tmpfs ] && mkdir -p "$d$SH"; done; fi
ID=$(uniq_id shared)
cfg "$B" '.linux.cgroupsPath = $p' --arg p "/$SH"
run_in "$B" "$ID"
check "joined the existing cgroup" contains "$OUT" ":/$SH"
hull delete -f "$ID" >/dev/null 2>&1
check "delete keeps a cgroup it did not create" [ -d "$( [ $V2 = 1 ] && echo /sys/fs/cgroup/$SH || echo /sys/fs/cgroup/pids/$SH)" ]
for d in /sys/fs/cgroup/$SH /sys/fs/cgroup/*/$SH; do [ -d "$d" ] && rmdir "$d"; done

t "cgroup namespace: the container sees its cgroup as /"
B=$(new_bundle cgns); ID=$(uniq_id cgns)
set_args "$B" sh -c 'cat /proc/self/cgroup; echo ---; cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max 2>/dev/null'
cfg "$B" '.linux.resources.pids = {"limit": 7}'
run_in "$B" "$ID"
check "every line of /proc/self/cgroup ends in :/" bash -c "echo '$OUT' | sed '/^---/,\$d' | grep -v ':/\$' | grep -q . && exit 1 || exit 0"
check "the cgroup mount inside shows the container's own subtree (pids.max 7)" [ "$(echo "$OUT" | sed -n '/^---/{n;p}')" = 7 ]
hull delete -f "$ID" >/dev/null 2>&1

t "bad resources fail create cleanly"
B=$(new_bundle bad); ID=$(uniq_id bad)
cfg "$B" '.linux.resources.hugepageLimits = [{"pageSize": "3XB", "limit": 1}]'
run_in "$B" "$ID"
check "error names the field" contains "$ERR" "pageSize"
check "nothing left behind" no_leftovers "$ID"
ID=$(uniq_id bad2)
cfg "$B" '.linux.resources.hugepageLimits = [] | .linux.resources.memory = {"limit": 67108864, "swap": 1000}'
run_in "$B" "$ID"
check "memsw below the limit is refused" [ $RC != 0 ]
check "the error names the file or field" bash -c "[[ '$ERR' == *memsw* || '$ERR' == *memory.swap* ]]"
check "nothing left behind" no_leftovers "$ID"

finish
