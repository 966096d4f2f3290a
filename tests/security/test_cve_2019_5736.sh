#!/bin/bash
# CVE-2019-5736: a container process tries to overwrite the runtime binary
# through /proc/self/exe and /proc/<runtime pid>/exe, during `run` and during
# `exec`, including the "#!/proc/self/exe" entrypoint trick, with a static
# attacker (attack_exe.c) that stops every new process, grabs its exe and
# writes through /proc/self/fd once it exits. The attacks run against a copy
# of hull; the copy must be byte-identical afterwards.
source "$(dirname "$0")/lib.sh"

VICTIM="$WORK/hull-victim"
cp "$HULL" "$VICTIM"
chmod 755 "$VICTIM"
SUM0="$(sha256sum "$VICTIM" | cut -d' ' -f1)"
HULL="$VICTIM"
unchanged() { [ "$(sha256sum "$VICTIM" | cut -d' ' -f1)" = "$SUM0" ]; }
ATTACK="$WORK/attack"
gcc -O2 -static -o "$ATTACK" "$HERE_SEC/attack_exe.c" || { echo "not ok - cannot build attacker"; echo "RESULT 0 1"; exit 1; }

t "run: /proc/self/exe and /proc/1/exe are not the runtime and not writable"
b="$(new_bundle run1)"
set_args "$b" sh -c 'for e in /proc/self/exe /proc/1/exe; do readlink $e; (echo PWNED >> $e) 2>/dev/null && echo WROTE $e; done; true'
run_in "$b" "$(uniq_id 5736a)"
if [ "$RC" = 0 ] && ! contains "$OUT" "WROTE" && ! contains "$OUT" "hull"; then ok; else fail; fi
check "binary unchanged after run" unchanged

t "run: entrypoint #!/proc/self/exe does not run the runtime binary in the container"
b="$(new_bundle run2)"
printf '#!/proc/self/exe\n' > "$b/rootfs/evil"; chmod 755 "$b/rootfs/evil"
set_args "$b" /evil
run_in "$b" "$(uniq_id 5736b)"
# hull's CLI answering ("subcommand", "--help") means hull itself ran as the container process.
if ! contains "$OUT$ERR" "ubcommand" && ! contains "$OUT$ERR" "--help"; then ok; else fail "the runtime binary was executed inside the container"; fi
check "binary unchanged after #! entrypoint" unchanged

if has_exec; then
  t "exec: attacker inside the container races hull exec (plain and #!/proc/self/exe)"
  b="$(new_bundle exec1)"
  cp "$ATTACK" "$b/rootfs/attack"
  printf '#!/proc/self/exe\n' > "$b/rootfs/evil"; chmod 755 "$b/rootfs/evil"
  set_args "$b" /attack 8
  id="$(uniq_id 5736c)"; _IDS+=("$id")
  (cd "$b" && hull create "$id" </dev/null >"$WORK/exec1.out" 2>"$WORK/exec1.err") && hull start "$id"
  sleep 0.5
  if hull exec "$id" /bin/true </dev/null >/dev/null 2>&1; then ok "hull exec works"; else fail "hull exec /bin/true failed"; fi
  for i in $(seq 1 20); do
    hull exec "$id" /bin/true </dev/null >/dev/null 2>&1
    hull exec "$id" /evil </dev/null >/dev/null 2>&1
  done
  for i in $(seq 1 60); do grep -q DONE "$WORK/exec1.out" 2>/dev/null && break; sleep 0.25; done
  OUT="$(cat "$WORK/exec1.out")"; ERR="$(cat "$WORK/exec1.err")"
  if contains "$OUT" "DONE" && ! contains "$OUT" "WROTE"; then ok "no write ($(grep DONE <<<"$OUT"))"; else fail "attacker wrote"; fi
  if ! contains "$OUT" "OPENED"; then ok "no runtime exe could be opened"; else fail "attacker opened: $(grep OPENED <<<"$OUT" | sort -u | head -3 | tr '\n' ' ')"; fi
  if ! contains "$OUT$ERR" "ubcommand"; then ok "the runtime binary never ran inside the container"; else fail "hull's CLI answered inside the container (its binary was executed there)"; fi
  check "binary unchanged after exec race" unchanged
  hull delete -f "$id" >/dev/null 2>&1
else
  t "exec: hull exec not implemented yet, exec variant not run"
  fail
fi

t "run: attacker in a container while others are started next to it"
b="$(new_bundle run3)"
cp "$ATTACK" "$b/rootfs/attack"
set_args "$b" /attack 3
cfg "$b" '.linux.namespaces |= map(select(.type != "pid"))' # share the host pid ns: sees every hull
id="$(uniq_id 5736d)"; _IDS+=("$id")
(cd "$b" && hull run "$id" </dev/null >"$WORK/run3.out" 2>"$WORK/run3.err") &
rp=$!
b2="$(new_bundle run3b)"
for i in $(seq 1 10); do (cd "$b2" && hull run "$(uniq_id 5736e)" </dev/null >/dev/null 2>&1); done
wait $rp
OUT="$(cat "$WORK/run3.out")"; ERR="$(cat "$WORK/run3.err")"
if contains "$OUT" "DONE" && ! contains "$OUT" "WROTE"; then ok "no write ($(grep DONE <<<"$OUT"))"; else fail; fi
check "binary unchanged at the end" unchanged

finish
