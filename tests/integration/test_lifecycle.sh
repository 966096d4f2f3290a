#!/bin/bash
# The lifecycle and CLI contract: run/create/start/state/kill/delete/list,
# exit codes, pid files, namespaces, console socket, fds, and the failure
# paths (one clear error line, nothing left behind).
source "$(dirname "$0")/lib.sh"
RECV="$TOP/build/tests/console_receiver"

t "run returns the exit code"
B=$(new_bundle exit); set_args "$B" sh -c 'exit 7'
run_in "$B" "$(uniq_id exit)"
check "exit 7 passes through" [ "$RC" = 7 ]

t "killed by a signal -> 128+N"
B=$(new_bundle sig); set_args "$B" sleep 60
ID=$(uniq_id sig); _IDS+=("$ID")
(cd "$B" && hull run "$ID" >/dev/null 2>&1; echo $? > "$WORK/sig.rc") &
for i in $(seq 50); do [ "$(hull state "$ID" 2>/dev/null | jq -r .status)" = running ] && break; sleep 0.1; done
hull kill "$ID" KILL
wait
check "SIGKILL gives 137" [ "$(cat "$WORK/sig.rc")" = 137 ]
check "run removed the container" no_leftovers "$ID"

t "stdout and stderr stay separate and clean"
B=$(new_bundle streams); set_args "$B" sh -c 'echo out; echo err >&2'
run_in "$B" "$(uniq_id streams)"
check "stdout is exactly 'out'" [ "$OUT" = out ]
check "stderr is exactly 'err'" [ "$ERR" = err ]

t "isolation: pid 1, hostname, own mount table"
B=$(new_bundle iso); set_args "$B" sh -c 'echo pid=$$; hostname; readlink /proc/self/ns/mnt; readlink /proc/self/ns/net'
run_in "$B" "$(uniq_id iso)"
check "pid is 1" contains "$OUT" "pid=1"
check "hostname from config" contains "$OUT" "hull"
check "mnt namespace printed" contains "$OUT" "mnt:["
check "own mount namespace" lacks "$OUT" "$(readlink /proc/self/ns/mnt)"
check "own network namespace" lacks "$OUT" "$(readlink /proc/self/ns/net)"

t "create / state / start / kill / delete"
B=$(new_bundle life); set_args "$B" sleep 60
ID=$(uniq_id life); _IDS+=("$ID")
(cd "$B" && hull create --pid-file "$B/pid" "$ID"); rc=$?
check "create succeeds" [ "$rc" = 0 ]
st="$(hull state "$ID")"
check "state is created" [ "$(jq -r .status <<<"$st")" = created ]
check "state pid = pid file" [ "$(jq -r .pid <<<"$st")" = "$(cat "$B/pid")" ]
check "state bundle" [ "$(jq -r .bundle <<<"$st")" = "$B" ]
check "state has runc's keys in order" [ "$(jq -c 'keys_unsorted' <<<"$st")" = '["ociVersion","id","pid","status","bundle","rootfs","created","owner"]' ]
check "list shows it" contains "$(hull list)" "$ID"
check "list -q prints the id" contains "$(hull list -q)" "$ID"
check "list -f json parses" [ "$(hull list -f json | jq -r --arg id "$ID" '.[] | select(.id==$id) | .status')" = created ]
hull start "$ID"; rc=$?
check "start succeeds" [ "$rc" = 0 ]
check "state is running" [ "$(hull state "$ID" | jq -r .status)" = running ]
ERR="$(hull start "$ID" 2>&1)"; rc=$?
check "second start fails" [ "$rc" != 0 ]
ERR="$(hull delete "$ID" 2>&1)"; rc=$?
check "delete of a running container fails" [ "$rc" != 0 ]
check "... with runc's wording" contains "$ERR" "is not stopped"
hull kill "$ID" KILL; rc=$?
check "kill KILL succeeds" [ "$rc" = 0 ]
for i in $(seq 50); do [ "$(hull state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
check "state is stopped" [ "$(hull state "$ID" | jq -r .status)" = stopped ]
ERR="$(hull kill "$ID" TERM 2>&1)"; rc=$?
check "kill of a stopped container fails" [ "$rc" != 0 ]
check "... saying container not running" contains "$ERR" "container not running"
hull delete "$ID"; rc=$?
check "delete succeeds" [ "$rc" = 0 ]
check "nothing left" no_leftovers "$ID"

t "kill by number and name, delete -f"
B=$(new_bundle kill); set_args "$B" sh -c 'trap "exit 42" USR1; while :; do sleep 0.05; done'
ID=$(uniq_id kill); _IDS+=("$ID")
(cd "$B" && hull run -d "$ID"); rc=$?
check "run -d returns" [ "$rc" = 0 ]
sleep 0.3
hull kill "$ID" 10; check "kill 10 (USR1)" [ $? = 0 ]
for i in $(seq 50); do [ "$(hull state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
check "trap ran, process exited" [ "$(hull state "$ID" | jq -r .status)" = stopped ]
hull delete -f "$ID"; check "delete -f" [ $? = 0 ]
check "nothing left" no_leftovers "$ID"
hull delete -f "$ID"; check "delete -f of a missing container succeeds (like runc)" [ $? = 0 ]

t "unknown id"
ERR="$(hull state nosuch-$$ 2>&1)"; rc=$?
check "state fails" [ "$rc" != 0 ]
check "says does not exist" contains "$ERR" 'container "nosuch-'"$$"'" does not exist'
ERR="$(hull kill nosuch-$$ 2>&1)"; check "kill fails" [ $? != 0 ]
ERR="$(hull delete nosuch-$$ 2>&1)"; check "delete fails" [ $? != 0 ]

t "bad input: one line naming the field, nothing left behind"
B=$(new_bundle bad)
cfg "$B" '.linux.resources.memory = {"limit": "64M"}'
ID=$(uniq_id bad); ERR="$(cd "$B" && hull create "$ID" 2>&1)"; rc=$?
check "create fails" [ "$rc" != 0 ]
check "error names the field" [ "$ERR" = 'hull: config.json: linux.resources.memory.limit: expected integer, got "64M"' ]
check "nothing left" no_leftovers "$ID"
B=$(new_bundle norootfs); rm -rf "$B/rootfs"
ID=$(uniq_id norootfs); ERR="$(cd "$B" && hull create "$ID" 2>&1)"; rc=$?
check "missing rootfs fails" [ "$rc" != 0 ]
check "error names root.path" contains "$ERR" "root.path"
check "one line" [ "$(wc -l <<<"$ERR")" = 1 ]
check "nothing left" no_leftovers "$ID"
B=$(new_bundle badexe); set_args "$B" /no/such/binary
ID=$(uniq_id badexe); ERR="$(cd "$B" && hull create "$ID" 2>&1)"; rc=$?
check "missing executable fails at create" [ "$rc" != 0 ]
check "error names the executable" contains "$ERR" "/no/such/binary"
check "nothing left" no_leftovers "$ID"
B=$(new_bundle badmount); cfg "$B" '.mounts += [{"destination": "/mnt", "type": "nosuchfs", "source": "x"}]'
ID=$(uniq_id badmount); ERR="$(cd "$B" && hull create "$ID" 2>&1)"; rc=$?
check "bad mount type fails" [ "$rc" != 0 ]
check "error names the mount" contains "$ERR" "/mnt"
check "nothing left" no_leftovers "$ID"
B=$(new_bundle dup); set_args "$B" sleep 30
ID=$(uniq_id dup); _IDS+=("$ID")
(cd "$B" && hull create "$ID")
ERR="$(cd "$B" && hull create "$ID" 2>&1)"; rc=$?
check "duplicate id fails" [ "$rc" != 0 ]
check "says it exists" contains "$ERR" "exists"
check "first container unaffected" [ "$(hull state "$ID" | jq -r .status)" = created ]
hull delete "$ID"
check "created container deletes" no_leftovers "$ID"

t "only fds 0-2 (+ --preserve-fds) reach the container"
B=$(new_bundle fds); set_args "$B" sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "'
ID=$(uniq_id fds); _IDS+=("$ID")
OUT="$(cd "$B" && exec 5</etc/hostname 6</etc/hostname && hull run "$ID" </dev/null 2>/dev/null)"
check "fd 5/6 of the caller are not visible" [ "$(echo $OUT)" = "0 1 2 3" ]  # 3 = ls's own dir fd
ID=$(uniq_id fds2); _IDS+=("$ID")
set_args "$B" sh -c 'cat <&3'
OUT="$(cd "$B" && exec 3</etc/hostname && hull run --preserve-fds 1 "$ID" </dev/null 2>/dev/null)"
check "--preserve-fds 1 passes fd 3" [ "$OUT" = "$(cat /etc/hostname)" ]

t "process.terminal with --console-socket"
B=$(new_bundle tty); set_args "$B" sh -c 'tty; echo size=$(stty size)'; cfg "$B" '.process.terminal = true | .process.consoleSize = {"height": 30, "width": 100}'
ID=$(uniq_id tty); _IDS+=("$ID")
SOCK="$WORK/console.sock"
"$RECV" "$SOCK" > "$WORK/recv.out" & RP=$!
for i in $(seq 50); do grep -q listening "$WORK/recv.out" 2>/dev/null && break; sleep 0.1; done
(cd "$B" && hull run -d --console-socket "$SOCK" "$ID"); rc=$?
wait $RP
OUT="$(cat "$WORK/recv.out")"
check "run -d with console socket" [ "$rc" = 0 ]
check "receiver got the pty master" contains "$OUT" "got fd"
check "process sees a pts" contains "$OUT" "/dev/pts/"
check "console size applied" contains "$OUT" "size=30 100"
ERR="$(cd "$B" && hull create "$(uniq_id tty2)" 2>&1)"; rc=$?
check "terminal without console socket in create fails" [ "$rc" != 0 ]

t "--version and spec"
V="$("$HULL" --version)"
check "version line" contains "$V" "hull version"
check "spec line" contains "$V" "spec: 1.3.0"
D="$WORK/specdir"; mkdir -p "$D"
"$HULL" spec -b "$D"; check "spec writes config.json" [ -f "$D/config.json" ]
ERR="$("$HULL" spec -b "$D" 2>&1)"; check "spec refuses to overwrite" [ $? != 0 ]
check "spec output has args sh" [ "$(jq -c .process.args "$D/config.json")" = '["sh"]' ]

t "--log-format json"
LOG="$WORK/log.json"
"$HULL" --root "$TEST_ROOT" --log "$LOG" --log-format json state nosuch-$$ 2>/dev/null
check "log line is JSON with level/msg/time" [ "$(jq -r '.level + " " + (.msg|tostring) + " " + (.time|type)' "$LOG")" = "error container \"nosuch-$$\" does not exist string" ]

t "exec into a running container"
B=$(new_bundle exec); set_args "$B" sleep 60
ID=$(uniq_id exec); _IDS+=("$ID")
(cd "$B" && hull run -d "$ID")
OUT="$(hull exec "$ID" sh -c 'echo pid=$$; hostname; readlink /proc/1/exe' 2>&1)"
check "exec runs in the container's pid namespace" contains "$OUT" "pid="
check "exec sees the container's hostname" contains "$OUT" "hull"
hull exec "$ID" sh -c 'exit 9'; rc=$?
check "exec returns the exit code" [ "$rc" = 9 ]
OUT="$(hull exec -e FOO=bar --cwd /tmp -u 1:1 "$ID" sh -c 'echo $FOO $(pwd) $(id -u)')"
check "exec -e --cwd -u" [ "$OUT" = "bar /tmp 1" ]
echo '{"args":["sh","-c","echo json $(id -u)"],"cwd":"/","user":{"uid":2,"gid":2},"env":["PATH=/bin"]}' > "$WORK/p.json"
OUT="$(hull exec -p "$WORK/p.json" "$ID")"
check "exec --process" [ "$OUT" = "json 2" ]
ERR="$(hull exec "$ID" /no/such 2>&1)"; rc=$?
check "exec of a missing binary fails" [ "$rc" != 0 ]
check "... naming it" contains "$ERR" "/no/such"
hull exec -d --pid-file "$WORK/exec.pid" "$ID" sleep 5; rc=$?
check "exec -d with pid file" [ "$rc" = 0 ] && [ -s "$WORK/exec.pid" ]
check "exec'd process is in the container's cgroup" contains "$(hull ps -f json "$ID" 2>/dev/null)" "$(cat "$WORK/exec.pid")"
hull delete -f "$ID"
ERR="$(hull exec "$ID" true 2>&1)"; check "exec into a deleted container fails" [ $? != 0 ]

t "time namespace with offsets"
B=$(new_bundle timens); set_args "$B" cat /proc/uptime
cfg "$B" '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets = {"boottime": {"secs": 86400, "nanosecs": 0}}'
run_in "$B" "$(uniq_id timens)"
host_up=$(cut -d. -f1 /proc/uptime); ct_up=$(echo "$OUT" | cut -d. -f1)
check "boottime offset of one day is visible" [ -n "$ct_up" ] && [ $((ct_up - host_up)) -ge 86000 ]
cfg "$B" '.linux.namespaces |= map(select(.type != "time"))'
ERR="$(cd "$B" && hull create "$(uniq_id timens2)" 2>&1)"; rc=$?
check "timeOffsets without a time namespace is refused" [ "$rc" != 0 ]

finish
