# Sourced by run.sh: full disk, read-only root, corrupt state, races, signals.
echo "# cases"

# ---- corrupt / truncated / missing state.json
want_case corrupt &&
for how in truncated garbage empty missing; do
  id="$PFX-corrupt"
  (cd "$B" && h run -d "$id") >/dev/null 2>&1
  s="$ROOT/$id/state.json"
  case $how in
  truncated) head -c 40 "$s" > "$s.x" && mv "$s.x" "$s" ;;
  garbage) echo 'not json' > "$s" ;;
  empty) : > "$s" ;;
  missing) rm -f "$s" ;;
  esac
  out="$(h state "$id" 2>&1)"; rc=$?
  if [ $how = missing ]; then
    [ $rc = 0 ] && echo "$out" | grep -q '"stopped"' && ok "state of $how state.json: stopped" || bad "state of $how state.json: $out"
  else
    [ $rc != 0 ] && echo "$out" | grep -q "state.json is corrupt" && ok "state of $how state.json names it" || bad "state of $how state.json: $out"
  fi
  h list 2>/dev/null | grep -q "^$id " && ok "list shows $how" || bad "list hides $how"
  clean_and_reuse "delete -f of $how state.json" "$id"
done

# ---- 10 parallel creates of one id
if want_case race; then
id="$PFX-race"
for i in $(seq 1 10); do (cd "$B" && h create "$id") >"$WORK/race.$i" 2>&1 & done; wait
won=0; lost=0
for i in $(seq 1 10); do
  if [ ! -s "$WORK/race.$i" ]; then won=$((won + 1)); elif grep -q "container with id exists" "$WORK/race.$i"; then lost=$((lost + 1)); fi
done
[ $won = 1 ] && [ $lost = 9 ] && [ "$(h state "$id" | jq -r .status)" = created ] &&
  ok "10 parallel creates: 1 created, 9 exists" || bad "10 parallel creates: $won won, $lost exists: $(cat "$WORK"/race.* | sort | uniq -c)"
clean_and_reuse "after parallel creates" "$id"
fi

# ---- delete during start, kill during delete (10 rounds each)
if want_case start-delete; then
id="$PFX-ds"; good=0
for i in $(seq 1 10); do
  (cd "$B" && h create "$id") >/dev/null 2>&1
  h start "$id" >"$WORK/s.out" 2>&1 & sp=$!
  h delete -f "$id" >"$WORK/d.out" 2>&1; drc=$?; wait $sp; src=$?
  if [ $drc = 0 ] && { [ $src = 0 ] || grep -qE "does not exist|has stopped|already dead" "$WORK/s.out"; } && [ -z "$(leftovers "$id")" ]; then good=$((good + 1)); else echo "# start rc=$src $(cat "$WORK/s.out") delete rc=$drc $(cat "$WORK/d.out") $(leftovers "$id")"; h delete -f "$id" >/dev/null 2>&1; fi
done
[ $good = 10 ] && ok "delete during start: 10/10 clean" || bad "delete during start: $good/10 clean"
fi
if want_case kill-delete; then
id="$PFX-kd"; good=0
for i in $(seq 1 10); do
  (cd "$B" && h run -d "$id") >/dev/null 2>&1
  h delete -f "$id" >"$WORK/d.out" 2>&1 & dp=$!
  h kill "$id" KILL >"$WORK/k.out" 2>&1; krc=$?; wait $dp; drc=$?
  if [ $drc = 0 ] && { [ $krc = 0 ] || grep -qE "does not exist|not running" "$WORK/k.out"; } && [ -z "$(leftovers "$id")" ]; then good=$((good + 1)); else echo "# kill rc=$krc $(cat "$WORK/k.out") delete rc=$drc $(cat "$WORK/d.out")"; h delete -f "$id" >/dev/null 2>&1; fi
done
[ $good = 10 ] && ok "kill during delete: 10/10 clean" || bad "kill during delete: $good/10 clean"
fi

# ---- 20 parallel exec into one container; pause during exec
if want_case exec; then
id="$PFX-ex"
(cd "$B" && h run -d "$id") >/dev/null 2>&1
for i in $(seq 1 20); do h exec "$id" sh -c "echo ex$i" >"$WORK/ex.$i" 2>&1 & done; wait
n=0; for i in $(seq 1 20); do grep -qx "ex$i" "$WORK/ex.$i" && n=$((n + 1)); done
[ $n = 20 ] && ok "20 parallel execs: 20 ran" || bad "20 parallel execs: $n ran: $(cat "$WORK"/ex.* | sort | uniq -c | head -3)"
good=0
for i in $(seq 1 5); do
  h exec "$id" sh -c 'sleep 0.1; echo done' >"$WORK/pe.out" 2>&1 & ep=$!
  h pause "$id" >"$WORK/p.out" 2>&1; prc=$?
  sleep 0.3; h resume "$id" >/dev/null 2>&1
  wait $ep; erc=$?
  if { [ $erc = 0 ] && grep -qx done "$WORK/pe.out"; } || grep -q paused "$WORK/pe.out"; then
    [ $prc = 0 ] && good=$((good + 1))
  else echo "# exec rc=$erc $(cat "$WORK/pe.out") pause rc=$prc $(cat "$WORK/p.out")"; fi
done
[ $good = 5 ] && ok "pause during exec: 5/5 whole" || bad "pause during exec: $good/5 whole"
clean_and_reuse "after exec races" "$id"
fi

# ---- full disk and read-only --root (a tiny tmpfs)
# stop_at STEP: starts create stopped at STEP (pid in $cp), waits for the stop.
stop_at() {
  HULL_FAULT_STEP="$1:stop" action create "$id" >"$WORK/cut.out" 2>&1 & cp=$!
  for _ in $(seq 1 200); do [ "$(awk '{print $3}' /proc/$cp/stat 2>/dev/null)" = T ] && break; sleep 0.02; done
}
# one_error WHAT RC TEXT ERRNO-TEXT: a non-zero exit and exactly one line naming ERRNO-TEXT.
one_error() { [ "$2" != 0 ] && [ "$(printf '%s\n' "$3" | wc -l)" = 1 ] && grep -qi "$4" <<<"$3"; }
if want_case disk || want_case readonly; then
SAVED_ROOT="$ROOT"
ROOT="$WORK/tiny"; mkdir -p "$ROOT"
mount -t tmpfs -o size=64k tmpfs "$ROOT"
id="$PFX-disk"
fi
if want_case disk; then
# full from the start
dd if=/dev/zero of="$ROOT/fill" bs=4k 2>/dev/null
(cd "$B" && h create "$id") >/dev/null 2>"$WORK/c.err"; rc=$?; out="$(cat "$WORK/c.err")"
rm -f "$ROOT/fill"
one_error x $rc "$out" "no space left on device" && [ -z "$(leftovers "$id")" ] &&
  ok "full --root: one error ($out), nothing left" || bad "full --root: rc=$rc: $out / $(leftovers "$id")"
# filled up mid-create, at several steps
for step in create.claimed create.config create.cloned create.hooks; do
  stop_at $step
  dd if=/dev/zero of="$ROOT/fill" bs=4k 2>/dev/null; kill -CONT $cp; wait $cp; rc=$?
  rm -f "$ROOT/fill"; out="$(cat "$WORK/cut.out")"
  one_error x $rc "$out" "no space left on device" && [ -z "$(leftovers "$id")" ] &&
    ok "disk full at $step: one error ($out), nothing left" || { bad "disk full at $step: rc=$rc: $out / $(leftovers "$id")"; h delete -f "$id" >/dev/null 2>&1; }
done
fi
if want_case readonly; then
# read-only from the start
mount -o remount,ro "$ROOT"
(cd "$B" && h create "$id") >/dev/null 2>"$WORK/c.err"; rc=$?; out="$(cat "$WORK/c.err")"
one_error x $rc "$out" "read-only file system" && [ -z "$(leftovers "$id")" ] &&
  ok "read-only --root: one error ($out), nothing left" || bad "read-only --root: rc=$rc: $out / $(leftovers "$id")"
mount -o remount,rw "$ROOT"
# read-only mid-create: one error; only the state directory (which cannot
# go) is left, shown by state/list; delete -f removes it once writable again
for step in create.claimed create.config create.cgroup create.cloned create.hooks create.ready; do
  stop_at $step
  mount -o remount,ro "$ROOT"; kill -CONT $cp; wait $cp; rc=$?
  out="$(cat "$WORK/cut.out")"; left="$(leftovers "$id" | grep -v "^state dir")"
  st="$(h state "$id" 2>/dev/null | jq -r .status)"
  h delete -f "$id" >/dev/null 2>&1; ro_del=$?
  mount -o remount,rw "$ROOT"
  one_error x $rc "$out" "read-only file system" && grep -q "delete -f $id" <<<"$out" && [ -z "$left" ] && [ "$st" = stopped ] && [ $ro_del != 0 ] &&
    ok "read-only at $step: one error ($out), nothing else left, state shows it stopped" || bad "read-only at $step: rc=$rc: $out / state $st / delete -f while read-only rc=$ro_del / $left"
  clean_and_reuse "delete -f once writable after read-only at $step" "$id"
done
fi
if want_case disk || want_case readonly; then
umount "$ROOT"; ROOT="$SAVED_ROOT"
fi

# ---- a hook killed with its create: it dies too (it cannot make its
# resource after delete -f ran poststop)
if want_case hook-kill; then
id="$PFX-hk"
printf '#!/bin/sh\nid=$(jq -r .id) && touch "%s/hk-started" && sleep 1 && touch "%s/res/$id"\n' "$WORK" "$WORK" > "$WORK/res-slow"
chmod 755 "$WORK/res-slow"
mkdir -p "$WORK/hkb"; ln -sfn "$B/rootfs" "$WORK/hkb/rootfs"
jq --arg w "$WORK" '.hooks.createRuntime = [{path: ($w + "/res-slow"), env: ["PATH=/usr/bin:/bin"]}]' "$B/config.json" > "$WORK/hkb/config.json"
for cmd in create run-d; do
  rm -f "$WORK/hk-started"
  (cd "$WORK/hkb" && exec "$HULL" --root "$ROOT" ${cmd/run-d/run -d} "$id") >/dev/null 2>&1 & hp=$!
  for _ in $(seq 1 250); do [ -e "$WORK/hk-started" ] && break; sleep 0.02; done
  kill -9 $hp; wait $hp 2>/dev/null
  [ -e "$WORK/hk-started" ] || { bad "hook killed with $cmd: the hook never started"; continue; }
  h delete -f "$id" >/dev/null 2>&1
  sleep 1.5 # past the hook's own sleep
  left="$(leftovers "$id")"
  [ -z "$left" ] && ok "hook killed with $cmd: nothing made after delete -f" || { bad "hook killed with $cmd: $left"; rm -f "$WORK/res/$id"; h delete -f "$id" >/dev/null 2>&1; }
done
fi

# ---- run in the foreground forwards signals, then deletes the container
jq '.process.args = ["sh", "-c", "for s in TERM INT HUP QUIT; do trap \"echo got-$s; exit 7\" $s; done; while :; do sleep 0.05; done"]' "$B/config.json" > "$WORK/sig.json"
mkdir -p "$WORK/sigb"; ln -sfn "$B/rootfs" "$WORK/sigb/rootfs"; cp "$WORK/sig.json" "$WORK/sigb/config.json"
want_case signals &&
for sig in TERM INT HUP QUIT; do
  id="$PFX-sig"
  (cd "$WORK/sigb" && exec "$HULL" --root "$ROOT" run "$id" </dev/null >"$WORK/sig.out" 2>&1) & rp=$!
  for _ in $(seq 1 200); do [ "$(h state "$id" 2>/dev/null | jq -r .status)" = running ] && break; sleep 0.02; done
  sleep 0.2
  kill -$sig $rp; wait $rp; rc=$?
  if [ $rc = 7 ] && grep -qx "got-$sig" "$WORK/sig.out" && [ ! -e "$ROOT/$id" ] && [ -z "$(leftovers "$id")" ]; then ok "run forwards SIG$sig, then deletes"; else bad "run SIG$sig: rc=$rc out=$(cat "$WORK/sig.out") $(leftovers "$id")"; h delete -f "$id" >/dev/null 2>&1; fi
done
