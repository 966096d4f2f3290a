#!/bin/bash
# CVE-2024-21626: leaked host fds and process.cwd = /proc/self/fd/N. No host
# fd other than 0-2 (and --preserve-fds) is visible inside, and such a cwd
# never reaches the host.
source "$(dirname "$0")/lib.sh"

MARK="$WORK/host-only-dir"; mkdir -p "$MARK"; touch "$MARK/HOST_MARKER_FILE"
list_fds='for f in /proc/self/fd/*; do n=${f##*/}; l=$(readlink $f) && echo "FD $n $l"; done; true' # the glob's own dir fd is gone by then

t "no host fd leaks into the container"
b="$(new_bundle fds)"
set_args "$b" sh -c "$list_fds"
id="$(uniq_id 21626a)"; _IDS+=("$id")
OUT="$(cd "$b" && exec 7<"$MARK" 8<"$MARK/HOST_MARKER_FILE" 9</etc/hostname; hull run "$id" 2>"$WORK/err" </dev/null)"; RC=$?
ERR="$(cat "$WORK/err")"
extra="$(grep '^FD ' <<<"$OUT" | awk '$2 > 2' | grep -v "/proc/.*/fd" || true)"
if [ "$RC" = 0 ] && grep -q '^FD 0 ' <<<"$OUT" && [ -z "$extra" ]; then ok; else fail "rc=$RC extra fds: $extra"; fi

t "--preserve-fds 1 passes exactly fd 3"
b="$(new_bundle pres)"
set_args "$b" sh -c "$list_fds"
id="$(uniq_id 21626b)"; _IDS+=("$id")
OUT="$(cd "$b" && exec 3<"$MARK/HOST_MARKER_FILE" 7<"$MARK"; hull run --preserve-fds 1 "$id" 2>"$WORK/err" </dev/null)"; RC=$?
ERR="$(cat "$WORK/err")"
if [ "$RC" = 0 ] && grep -q '^FD 3 .*HOST_MARKER_FILE' <<<"$OUT" && ! grep -q "^FD 7 " <<<"$OUT"; then ok; else fail "rc=$RC"; fi

t "cwd = /proc/self/fd/N never lands in a host directory"
bad=0; refused=0
for n in 3 4 5 6 7 8 9 10; do
  b="$(new_bundle cwd$n)"
  set_args "$b" sh -c 'ls -a . ..; ls ../../../..; pwd'
  cfg "$b" ".process.cwd = \"/proc/self/fd/$n\""
  id="$(uniq_id 21626c$n)"; _IDS+=("$id")
  OUT="$(cd "$b" && exec 7<"$MARK"; hull run "$id" 2>"$WORK/err" </dev/null)"; RC=$?
  if contains "$OUT" "HOST_MARKER_FILE" || contains "$OUT" "hull-it."; then bad=$((bad+1)); echo "# fd $n reached: ${OUT:0:200}"; fi
  [ "$RC" != 0 ] && refused=$((refused+1))
done
if [ "$bad" = 0 ]; then ok "none reached the host ($refused of 8 refused)"; else fail "$bad cwd values reached the host"; fi

if has_exec; then
  t "exec --cwd /proc/self/fd/N never lands in a host directory"
  b="$(new_bundle execcwd)"
  set_args "$b" sleep 10
  id="$(uniq_id 21626d)"; _IDS+=("$id")
  (cd "$b" && hull create "$id" </dev/null >/dev/null 2>&1) && hull start "$id"
  bad=0
  for n in 3 4 5 6 7 8 9; do
    OUT="$(exec 7<"$MARK"; hull exec --cwd "/proc/self/fd/$n" "$id" sh -c 'ls . ..; ls ../../../..' 2>&1 </dev/null)"
    contains "$OUT" "HOST_MARKER_FILE" && bad=$((bad+1))
  done
  if [ "$bad" = 0 ]; then ok; else fail "$bad reached the host"; fi
  hull delete -f "$id" >/dev/null 2>&1
else
  t "exec --cwd /proc/self/fd/N: hull exec not implemented yet, not run"
  fail
fi

finish
