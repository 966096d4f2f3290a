# Sourced by run.sh: full disk, read-only root, corrupt state, races, signals.
echo "# cases"

# ---- corrupt / truncated / missing state.json
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
id="$PFX-race"
for i in $(seq 1 10); do (cd "$B" && h create "$id") >"$WORK/race.$i" 2>&1 & done; wait
won=0; lost=0
for i in $(seq 1 10); do
  if [ ! -s "$WORK/race.$i" ]; then won=$((won + 1)); elif grep -q "container with id exists" "$WORK/race.$i"; then lost=$((lost + 1)); fi
done
[ $won = 1 ] && [ $lost = 9 ] && [ "$(h state "$id" | jq -r .status)" = created ] &&
  ok "10 parallel creates: 1 created, 9 exists" || bad "10 parallel creates: $won won, $lost exists: $(cat "$WORK"/race.* | sort | uniq -c)"
clean_and_reuse "after parallel creates" "$id"

# ---- delete during start, kill during delete (10 rounds each)
id="$PFX-ds"; good=0
for i in $(seq 1 10); do
  (cd "$B" && h create "$id") >/dev/null 2>&1
  h start "$id" >"$WORK/s.out" 2>&1 & sp=$!
  h delete -f "$id" >"$WORK/d.out" 2>&1; drc=$?; wait $sp; src=$?
  if [ $drc = 0 ] && { [ $src = 0 ] || grep -qE "does not exist|has stopped|already dead" "$WORK/s.out"; } && [ -z "$(leftovers "$id")" ]; then good=$((good + 1)); else echo "# start rc=$src $(cat "$WORK/s.out") delete rc=$drc $(cat "$WORK/d.out") $(leftovers "$id")"; h delete -f "$id" >/dev/null 2>&1; fi
done
[ $good = 10 ] && ok "delete during start: 10/10 clean" || bad "delete during start: $good/10 clean"
id="$PFX-kd"; good=0
for i in $(seq 1 10); do
  (cd "$B" && h run -d "$id") >/dev/null 2>&1
  h delete -f "$id" >"$WORK/d.out" 2>&1 & dp=$!
  h kill "$id" KILL >"$WORK/k.out" 2>&1; krc=$?; wait $dp; drc=$?
  if [ $drc = 0 ] && { [ $krc = 0 ] || grep -qE "does not exist|not running" "$WORK/k.out"; } && [ -z "$(leftovers "$id")" ]; then good=$((good + 1)); else echo "# kill rc=$krc $(cat "$WORK/k.out") delete rc=$drc $(cat "$WORK/d.out")"; h delete -f "$id" >/dev/null 2>&1; fi
done
[ $good = 10 ] && ok "kill during delete: 10/10 clean" || bad "kill during delete: $good/10 clean"

# ---- 20 parallel exec into one container; pause during exec
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

# ---- full disk and read-only --root (a tiny tmpfs)
SAVED_ROOT="$ROOT"
ROOT="$WORK/tiny"; mkdir -p "$ROOT"
mount -t tmpfs -o size=64k tmpfs "$ROOT"
id="$PFX-disk"
# full from the start
dd if=/dev/zero of="$ROOT/fill" bs=4k 2>/dev/null
(cd "$B" && h create "$id") >/dev/null 2>"$WORK/c.err"; rc=$?; out="$(cat "$WORK/c.err")"
rm -f "$ROOT/fill"
[ $rc != 0 ] && echo "$out" | grep -qi "no space left on device" && [ "$(echo "$out" | wc -l)" = 1 ] && [ -z "$(leftovers "$id")" ] &&
  ok "full --root: one error ($out), nothing left" || bad "full --root: rc=$rc: $out / $(leftovers "$id")"
# filled up mid-create
HULL_FAULT_STEP=create.fifo:stop action create "$id" >"$WORK/disk.out" 2>&1 & cp=$!
for _ in $(seq 1 100); do [ "$(awk '{print $3}' /proc/$cp/stat 2>/dev/null)" = T ] && break; sleep 0.02; done
dd if=/dev/zero of="$ROOT/fill" bs=4k 2>/dev/null; kill -CONT $cp; wait $cp; rc=$?
rm -f "$ROOT/fill"; out="$(cat "$WORK/disk.out")"
[ $rc != 0 ] && echo "$out" | grep -qi "no space left on device" && [ -z "$(leftovers "$id")" ] &&
  ok "disk full mid-create: $(echo "$out" | wc -l) line(s) ($out), nothing left" || bad "disk full mid-create: rc=$rc: $out / $(leftovers "$id")"
# read-only from the start
mount -o remount,ro "$ROOT"
(cd "$B" && h create "$id") >/dev/null 2>"$WORK/c.err"; rc=$?; out="$(cat "$WORK/c.err")"
[ $rc != 0 ] && echo "$out" | grep -qi "read-only file system" && [ "$(echo "$out" | wc -l)" = 1 ] && [ -z "$(leftovers "$id")" ] &&
  ok "read-only --root: one error ($out), nothing left" || bad "read-only --root: rc=$rc: $out / $(leftovers "$id")"
mount -o remount,rw "$ROOT"
# read-only mid-create: the state dir cannot go until --root is writable again
HULL_FAULT_STEP=create.fifo:stop action create "$id" >"$WORK/ro.out" 2>&1 & cp=$!
for _ in $(seq 1 100); do [ "$(awk '{print $3}' /proc/$cp/stat 2>/dev/null)" = T ] && break; sleep 0.02; done
mount -o remount,ro "$ROOT"; kill -CONT $cp; wait $cp; rc=$?
out="$(cat "$WORK/ro.out")"; left="$(leftovers "$id" | grep -v "^state dir")"
mount -o remount,rw "$ROOT"
[ $rc != 0 ] && echo "$out" | grep -qi "read-only file system" && [ -z "$left" ] &&
  ok "read-only mid-create: error ($(echo "$out" | head -1)), no process/cgroup left" || bad "read-only mid-create: rc=$rc: $out / $left"
clean_and_reuse "delete -f after read-only mid-create" "$id"
umount "$ROOT"; ROOT="$SAVED_ROOT"

# ---- run in the foreground forwards signals, then deletes the container
jq '.process.args = ["sh", "-c", "for s in TERM INT HUP QUIT; do trap \"echo got-$s; exit 7\" $s; done; while :; do sleep 0.05; done"]' "$B/config.json" > "$WORK/sig.json"
mkdir -p "$WORK/sigb"; ln -sfn "$B/rootfs" "$WORK/sigb/rootfs"; cp "$WORK/sig.json" "$WORK/sigb/config.json"
for sig in TERM INT HUP QUIT; do
  id="$PFX-sig"
  (cd "$WORK/sigb" && exec "$HULL" --root "$ROOT" run "$id" </dev/null >"$WORK/sig.out" 2>&1) & rp=$!
  for _ in $(seq 1 200); do [ "$(h state "$id" 2>/dev/null | jq -r .status)" = running ] && break; sleep 0.02; done
  sleep 0.2
  kill -$sig $rp; wait $rp; rc=$?
  if [ $rc = 7 ] && grep -qx "got-$sig" "$WORK/sig.out" && [ ! -e "$ROOT/$id" ] && [ -z "$(leftovers "$id")" ]; then ok "run forwards SIG$sig, then deletes"; else bad "run SIG$sig: rc=$rc out=$(cat "$WORK/sig.out") $(leftovers "$id")"; h delete -f "$id" >/dev/null 2>&1; fi
done
