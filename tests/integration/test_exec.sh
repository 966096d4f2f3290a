#!/bin/bash
# exec with runc's flags and runc's failures (issue 7's flag list, issue 13's
# exec items), and `kill ID 0`.
source "$(dirname "$0")/lib.sh"

th() { timeout 30 "$HULL" --root "$TEST_ROOT" "$@"; }
# x ARGS...: hull exec ARGS, stdout to $OUT, stderr to $ERR, status to $RC.
x() {
  OUT="$(th exec "$@" 2>"$WORK/stderr" </dev/null)"; RC=$?
  ERR="$(cat "$WORK/stderr")"
}
status_field() { awk -v k="$2:" '$1 == k {print $2}' <<<"$1"; }

B=$(new_bundle exec)
set_args "$B" sleep 1000
cfg "$B" '.process.capabilities.inheritable = [] | .process.noNewPrivileges = false'
ID=$(uniq_id exec)
_IDS+=("$ID")
(cd "$B" && th run -d "$ID" </dev/null >/dev/null 2>&1)

t "exec environment"
x "$ID" sh -c 'echo "$HOME"'
check "HOME of root from /etc/passwd" [ "$RC" = 0 -a "$OUT" = /root ]
x -u 1:1 "$ID" sh -c 'echo "$HOME $(id -u):$(id -g)"'
check "-u 1:1: HOME of daemon, uid and gid" [ "$RC" = 0 -a "$OUT" = "/usr/sbin 1:1" ]
x -u 4242 "$ID" sh -c 'echo "$HOME $(id -u)"'
check "-u without a passwd entry: HOME=/" [ "$RC" = 0 -a "$OUT" = "/ 4242" ]
x -e TERM=dumb -e NEW=1 -e NEW=2 "$ID" sh -c 'echo "$TERM $NEW $(env | grep -c ^TERM=)"'
check "-e overrides and adds (last wins, once)" [ "$RC" = 0 -a "$OUT" = "dumb 2 1" ]
x -e HOME=/h "$ID" sh -c 'echo "$HOME"'
check "-e HOME wins" [ "$RC" = 0 -a "$OUT" = /h ]
x --cwd /tmp "$ID" pwd
check "--cwd" [ "$RC" = 0 -a "$OUT" = /tmp ]
x -u 1000:1000 -g 10 -g 20 "$ID" id -G
check "-g additional gids" [ "$RC" = 0 -a "$OUT" = "1000 10 20" ]
x -u abc "$ID" true
check "-u abc: one clear error, 255" [ "$RC" = 255 ] && contains "$ERR" 'exec failed: --user: uid "abc"'

t "exec --cap and --no-new-privs"
x --cap CAP_SYS_ADMIN "$ID" grep -E '^(Cap|NoNewPrivs)' /proc/self/status
inh=$(status_field "$OUT" CapInh); eff=$(status_field "$OUT" CapEff); bnd=$(status_field "$OUT" CapBnd)
nnp=$(status_field "$OUT" NoNewPrivs)
check "CAP_SYS_ADMIN (bit 21) in effective" [ "$RC" = 0 ] && (( 0x$eff & (1 << 21) ))
check "CAP_SYS_ADMIN in bounding" [ -n "$bnd" ] && (( 0x$bnd & (1 << 21) ))
check "inheritable stays empty" [ "$inh" = 0000000000000000 ]
check "no_new_privs off without the flag" [ "$nnp" = 0 ]
x --cap CAP_UNKNOWN --cap CAP_KILL "$ID" grep -E '^Cap' /proc/self/status
check "--cap CAP_UNKNOWN: runs, the known one added (runc, crun)" [ "$RC" = 0 ] && (( 0x$(status_field "$OUT" CapEff) & (1 << 5) ))
check "--cap CAP_UNKNOWN: one warning naming it" [ "$ERR" = "hull[warning]: ignoring unknown or unavailable capabilities: [CAP_UNKNOWN]" ]
x --no-new-privs "$ID" grep NoNewPrivs /proc/self/status
check "--no-new-privs sets it" [ "$RC" = 0 ] && [ "$(status_field "$OUT" NoNewPrivs)" = 1 ]

t "exec -d --pid-file, --preserve-fds, -p"
th exec -d --pid-file "$WORK/x.pid" "$ID" sleep 30 </dev/null; rc=$?
pid=$(cat "$WORK/x.pid" 2>/dev/null)
check "-d returns, pid file names a live process" [ "$rc" = 0 -a -n "$pid" ] && kill -0 "$pid"
OUT="$(th exec --preserve-fds 1 "$ID" sh -c 'cat <&3' 3<<<"through fd 3" 2>&1)"; rc=$?
check "--preserve-fds 1 passes fd 3" [ "$rc" = 0 -a "$OUT" = "through fd 3" ]
x --preserve-fds 5 "$ID" true
check "--preserve-fds 5 with fds not open: clear error" [ "$RC" = 255 ] && contains "$ERR" "is not open"
printf '%s' '{"args":["sh","-c","echo $A; pwd; id -u"],"cwd":"/etc","env":["A=from-p"],"user":{"uid":2,"gid":2}}' > "$WORK/p.json"
x -p "$WORK/p.json" "$ID"
check "-p process.json" [ "$RC" = 0 -a "$OUT" = $'from-p\n/etc\n2' ]

t "exec -t --console-socket"
SOCK="$WORK/console.sock"
"$TOP/build/tests/console_receiver" "$SOCK" > "$WORK/console.out" 2>&1 &
RPID=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
th exec -t -d --console-socket "$SOCK" "$ID" sh -c 'tty; sleep 1' </dev/null; rc=$?
wait "$RPID" 2>/dev/null
check "-t -d --console-socket hands over the pty" [ "$rc" = 0 ] && grep -q "/dev/pts/" "$WORK/console.out"

t "exec --cgroup"
SUB=$(cat /proc/$(cat "$TEST_ROOT/$ID/state.json" | jq -r .pid)/cgroup | awk -F: '$2 == "pids" {print $3}')
if [ -n "$SUB" ] && [ -d "/sys/fs/cgroup/pids$SUB" ]; then
  mkdir -p "/sys/fs/cgroup/pids$SUB/sub"
  x --cgroup pids:sub "$ID" cat /proc/self/cgroup
  check "--cgroup pids:sub places the process there" [ "$RC" = 0 ] && contains "$OUT" "pids:$SUB/sub"
  x --cgroup pids:missing "$ID" true
  check "--cgroup of a missing sub-cgroup fails" [ "$RC" = 255 ] && contains "$ERR" "does not exist"
  x --cgroup ../escape "$ID" true
  check "--cgroup .. refused" [ "$RC" = 255 ] && contains "$ERR" '".." is not allowed'
  rmdir "/sys/fs/cgroup/pids$SUB/sub" # ours: delete removes only what hull made
else
  x --cgroup sub "$ID" true
  check "--cgroup is not ignored" [ "$RC" = 255 ]
fi

t "exec into paused / created / stopped / unknown containers"
th pause "$ID"
x "$ID" true
check "paused: 255, runc's wording" [ "$RC" = 255 ] && contains "$ERR" "exec failed: cannot exec in a paused container (use --ignore-paused to override)"
(th exec --ignore-paused "$ID" sh -c 'echo resumed-ran' > "$WORK/ip.out" 2>&1 &)
sleep 0.5
th resume "$ID"
for _ in $(seq 50); do grep -q resumed-ran "$WORK/ip.out" && break; sleep 0.1; done
check "--ignore-paused runs once resumed" grep -q resumed-ran "$WORK/ip.out"
th kill "$ID" 0; rc=$?
check "kill ID 0 of a live container: 0" [ "$rc" = 0 ]
th kill "$ID" KILL
for _ in $(seq 50); do [ "$(th state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
x "$ID" true
check "stopped: 255, runc's wording" [ "$RC" = 255 ] && contains "$ERR" "exec failed: cannot exec in a stopped container"
th kill "$ID" 0 2>"$WORK/k.err"; rc=$?
check "kill ID 0 of a stopped container fails" [ "$rc" != 0 ] && grep -q "container not running" "$WORK/k.err"
x "no-such-$ID" true
check "unknown: 255, does not exist" [ "$RC" = 255 ] && contains "$ERR" "does not exist"
ID2=$(uniq_id created)
_IDS+=("$ID2")
(cd "$B" && th create "$ID2" </dev/null >/dev/null 2>&1)
x "$ID2" sh -c 'echo in-created'
check "created (not started): exec works, as runc" [ "$RC" = 0 -a "$OUT" = in-created ]
check "still created after the exec" [ "$(th state "$ID2" | jq -r .status)" = created ]

finish
