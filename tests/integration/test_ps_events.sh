#!/bin/bash
# ps and events as runc does them (issue 13, part B): ps(1) options passed
# through and the output filtered to the container, ps of a stopped container,
# a cpuset the host cannot give, events --stats / --interval in runc's JSON
# (field names checked against what runc prints for the same config here).
source "$(dirname "$0")/lib.sh"

# hull with a time limit, so a hang fails one check instead of the run.
hull() { timeout 60 "$HULL" --root "$TEST_ROOT" "$@"; }

# start_bg BUNDLE ID: run -d (stdio to files: a pipe would wait on the init).
start_bg() {
  _IDS+=("$2")
  (cd "$1" && hull run -d "$2" </dev/null >"$WORK/$2.out" 2>"$WORK/$2.err"); RC=$?
  ERR="$(cat "$WORK/$2.err")"
  [ "$RC" = 0 ]
}
# wait_stopped ID: up to 10 s for the status to become "stopped".
wait_stopped() {
  local i
  for i in $(seq 100); do
    [ "$(hull state "$1" 2>/dev/null | jq -r .status)" = stopped ] && return 0
    sleep 0.1
  done
  return 1
}
# pids_of_table TEXT: the PID column of a ps table (header skipped).
pids_of_table() {
  awk 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "PID") c = i; next} c {print $c}' <<<"$1" | sort -n
}

# ------------------------------------------------------------------------ ps
t "ps ID -e -x / ps ID -- -e -x: ps(1) options, output filtered to the container"
B=$(new_bundle ps); ID=$(uniq_id ps)
set_args "$B" sh -c 'sleep 1000 & sleep 1000'
if start_bg "$B" "$ID"; then
  for i in $(seq 50); do [ "$(hull ps -f json "$ID" | jq length)" = 2 ] && break; sleep 0.1; done
  want="$(hull ps -f json "$ID" | jq '.[]' | sort -n)"
  for form in "-e -x" "-- -e -x"; do
    # shellcheck disable=SC2086 # the options are words on purpose
    OUT="$(hull ps "$ID" $form 2>"$WORK/err")"; RC=$?; ERR="$(cat "$WORK/err")"
    hdr="$(head -n1 <<<"$OUT")"
    if [ "$RC" = 0 ] && [[ "$hdr" =~ \ +PID\ +TTY\ +STAT\ +TIME\ +COMMAND ]]; then
      ok "ps $form: rc 0, BSD header kept"; else fail "ps $form: rc=$RC header '$hdr'"; fi
    got="$(pids_of_table "$OUT")"
    if [ -n "$want" ] && [ "$got" = "$want" ]; then ok "ps $form: exactly the container's pids ($(echo $got))"
    else fail "ps $form: want '$(echo $want)', got '$(echo $got)'"; fi
    check "ps $form: the environment column of -e is there" contains "$OUT" "PATH="
  done
  OUT="$(hull ps "$ID" -o pid,comm 2>&1)"
  check "ps -o pid,comm: two columns, the container's sleeps only" \
    [ "$(tail -n +2 <<<"$OUT" | awk '{print $2}' | sort -u)" = sleep ]
  OUT="$(hull ps -f json "$ID" -e -x 2>&1)"; RC=$?
  check "ps -f json ignores ps options, as runc" [ "$RC" = 0 -a "$(jq -c 'sort' <<<"$OUT")" = "$(jq -sc 'sort' <<<"$want")" ]
  ERR="$(hull ps "$ID" -o comm 2>&1)"; RC=$?
  check "ps options without a PID column: runc's error" [ "$RC" != 0 ] && check "... text" [ "$ERR" = "hull: couldn't find PID field in ps output" ]

  t "ps of a stopped container (runc: exit 0, only the header)"
  hull kill "$ID" KILL
  if wait_stopped "$ID"; then
    OUT="$(hull ps "$ID" 2>&1)"; RC=$?
    if [ "$RC" = 0 ] && [ "$(wc -l <<<"$OUT")" = 1 ] && contains "$OUT" "PID"; then ok "table: header only"
    else fail "rc=$RC"; fi
    OUT="$(hull ps "$ID" -e -x 2>&1)"; RC=$?
    if [ "$RC" = 0 ] && [[ "$OUT" =~ \ +PID\ +TTY\ +STAT ]] && [ "$(wc -l <<<"$OUT")" = 1 ]; then
      ok "-e -x: header only"; else fail "rc=$RC"; fi
    OUT="$(hull ps -f json "$ID" 2>&1)"; RC=$?
    if [ "$RC" = 0 ] && [ "$OUT" = null ]; then ok "json: null, as runc"; else fail "rc=$RC"; fi
  else
    fail "did not stop"
  fi
  hull delete -f "$ID" >/dev/null 2>&1
else
  fail "run -d failed"
fi

# -------------------------------------------------------------------- cpuset
t "a cpuset the host cannot give: one clear error naming the field"
HOST_CPUS="$(cat /sys/fs/cgroup/cpuset/cpuset.cpus.effective 2>/dev/null || cat /sys/fs/cgroup/cpuset/cpuset.cpus 2>/dev/null || cat /sys/fs/cgroup/cpuset.cpus.effective)"
N="$(nproc --all)"
B=$(new_bundle cpuset)
cfg "$B" '.linux.resources.cpu = {cpus: ("0-" + ($n | tostring))}' --argjson n "$((N + 4))"
ID=$(uniq_id cpuset)
run_in "$B" "$ID"
if [ "$RC" != 0 ] && [ "$(wc -l <<<"$ERR")" = 1 ] && contains "$ERR" "linux.resources.cpu.cpus" &&
  contains "$ERR" "cpuset.cpus" && contains "$ERR" "allows $HOST_CPUS"; then
  ok "$ERR"; else fail "rc=$RC"; fi
check "nothing left behind" no_leftovers "$ID"
cfg "$B" '.linux.resources.cpu = {mems: "0-63"}'
ID=$(uniq_id cpuset)
run_in "$B" "$ID"
if [ "$RC" != 0 ] && contains "$ERR" "linux.resources.cpu.mems"; then ok "mems: $ERR"; else fail "mems: rc=$RC"; fi
check "mems: nothing left behind" no_leftovers "$ID"
cfg "$B" '.linux.resources.cpu = {cpus: "0"}'
ID=$(uniq_id cpuset)
run_in "$B" "$ID"
check "a cpuset the host has runs" [ "$RC" = 0 ]

# -------------------------------------------------------------------- events
# runc from Debian, for the field names it prints for the same container here.
command -v runc >/dev/null ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q runc >/dev/null 2>&1
RUNC_ROOT="$WORK/runc-root"
runc_() { timeout 60 runc --root "$RUNC_ROOT" "$@"; }
# keys JSON: every path of a stats event, array indexes as [], without the
# memory.stat pass-through (raw) and the hugetlb sizes (runc on a hybrid host
# reads no hugetlb: it only looks for the v1 controller).
keys() { in_order "$1" | sort; }
# in_order JSON: the same paths in the order they are printed (first sight).
in_order() {
  jq -r '[paths | map(if type == "number" then "[]" else . end) | join(".")] | .[] |
    select(startswith("data.memory.raw.") or startswith("data.hugetlb.") | not)' <<<"$1" |
    awk '!seen[$0]++'
}

t "events --stats: runc's JSON"
B=$(new_bundle events); ID=$(uniq_id events)
set_args "$B" sh -c 'sleep 1000 & sleep 1000'
cfg "$B" '.linux.resources += {memory: {limit: 67108864}, pids: {limit: 64}}'
if start_bg "$B" "$ID"; then
  OUT="$(hull events --stats "$ID" 2>&1)"; RC=$?
  HULL_STATS="$OUT"
  check "one JSON object" [ "$RC" = 0 -a "$(jq -s length <<<"$OUT" 2>/dev/null)" = 1 ]
  check "type stats, the id, data" [ "$(jq -r '[.type, .id, (.data | type)] | join(" ")' <<<"$OUT")" = "stats $ID object" ]
  check "the cpuset section is read (cpus, mems, sched_load_balance)" \
    [ "$(jq -c '.data.cpuset | [(.cpus | length) > 0, .mems, .sched_load_balance]' <<<"$OUT")" = '[true,[0],1]' ]
  if command -v runc >/dev/null; then
    RB="$WORK/runc-bundle"; RID="$ID-runc"
    mkdir -p "$RB"
    jq --arg r "$B/rootfs" '.root.path = $r | .ociVersion = "1.0.2"' "$B/config.json" >"$RB/config.json"
    (cd "$RB" && runc_ run -d "$RID" </dev/null >/dev/null 2>"$WORK/runc.err")
    for i in $(seq 50); do [ "$(runc_ ps -f json "$RID" 2>/dev/null | jq length)" = 2 ] && break; sleep 0.1; done
    RUNC_STATS="$(runc_ events --stats "$RID" 2>&1)"
    runc_ delete -f "$RID" >/dev/null 2>&1
    if [ -n "$(keys "$RUNC_STATS" 2>/dev/null)" ]; then
      d="$(diff <(keys "$RUNC_STATS") <(keys "$HULL_STATS"))"
      if [ -z "$d" ]; then ok "same fields as runc $(runc --version | head -n1 | cut -d' ' -f3) ($(keys "$HULL_STATS" | wc -l) paths)"
      else fail "fields differ from runc's (< runc, > hull): $(echo $d)"; fi
      check "fields in runc's order" [ "$(in_order "$RUNC_STATS")" = "$(in_order "$HULL_STATS")" ]
      check "cpuset values as runc's" [ "$(jq -S -c '.data.cpuset' <<<"$RUNC_STATS")" = "$(jq -S -c '.data.cpuset' <<<"$HULL_STATS")" ]
      check "memory limit as runc's" [ "$(jq '.data.memory.usage.limit' <<<"$RUNC_STATS")" = "$(jq '.data.memory.usage.limit' <<<"$HULL_STATS")" ]
      check "pids as runc's" [ "$(jq -c '.data.pids' <<<"$RUNC_STATS")" = "$(jq -c '.data.pids' <<<"$HULL_STATS")" ]
    else
      fail "runc printed no stats: $RUNC_STATS $(cat "$WORK/runc.err")"
    fi
  else
    fail "runc is not installed (apt-get install runc failed)"
  fi

  t "events --interval 1s: stats events until the container stops"
  hull events --interval 1s "$ID" >"$WORK/events.out" 2>"$WORK/events.err" &
  EV=$!
  for i in $(seq 100); do [ "$(wc -l <"$WORK/events.out")" -ge 2 ] && break; sleep 0.1; done
  hull kill "$ID" KILL
  # it ends by itself once the container is stopped (bounded wait, then fail)
  for i in $(seq 100); do kill -0 "$EV" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$EV" 2>/dev/null; then fail "still running after the container stopped"; kill "$EV"
  else ok "ended when the container stopped"; fi
  wait "$EV"; RC=$?
  check "exit status 0" [ "$RC" = 0 ]
  OUT="$(cat "$WORK/events.out")"
  check "at least two stats events" [ "$(jq -s '[.[] | select(.type == "stats" and .id == $id)] | length' --arg id "$ID" <<<"$OUT")" -ge 2 ]
  check "each line is one JSON object" [ "$(jq -s length <<<"$OUT")" = "$(wc -l <<<"$OUT")" ]
  check "same fields as --stats" [ "$(keys "$(head -n1 <<<"$OUT")")" = "$(keys "$HULL_STATS")" ]
  ERR="$(hull events --stats "$ID" 2>&1)"; RC=$?
  if [ "$RC" != 0 ] && contains "$ERR" "container with id $ID is not running"; then
    ok "events of a stopped container: runc's error"; else fail "rc=$RC"; fi
else
  fail "run -d failed"
fi

finish
