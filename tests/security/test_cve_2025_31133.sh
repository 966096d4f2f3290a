#!/bin/bash
# CVE-2025-31133 / 52565 / 52881 class: /dev/null (used to mask paths) and
# /dev/console replaced by symlinks in the rootfs, and mounts over /proc
# that would redirect the runtime's procfs writes. hull refuses or stays
# inside; the host's sysctls and files are unchanged.
source "$(dirname "$0")/lib.sh"

CORE0="$(cat /proc/sys/kernel/core_pattern)"
SYSRQ0="$(cat /proc/sys/kernel/sysrq 2>/dev/null)"
CANARY="$WORK/host-canary"; echo original > "$CANARY"
host_same() {
  [ "$(cat /proc/sys/kernel/core_pattern)" = "$CORE0" ] && [ "$(cat /proc/sys/kernel/sysrq 2>/dev/null)" = "$SYSRQ0" ] &&
    [ "$(cat "$CANARY")" = original ]
}
attack='for p in /proc/kcore /proc/keys /proc/timer_list /dev/null /proc/sys/kernel/core_pattern; do
  (echo "|/tmp/pwn" > $p) 2>/dev/null && echo "WROTE $p"; done; true'

# Without the /dev tmpfs the rootfs's own /dev is used, so its symlinks count.
nodev='.mounts |= map(select(.destination != "/dev" and .destination != "/dev/pts" and .destination != "/dev/shm" and .destination != "/dev/mqueue"))'

t "/dev/null is a symlink to /proc/sys/kernel/core_pattern (masked paths use it)"
b="$(new_bundle devnull)"
cfg "$b" "$nodev"
rm -f "$b/rootfs/dev/null"; ln -s /proc/sys/kernel/core_pattern "$b/rootfs/dev/null"
set_args "$b" sh -c "$attack"
run_in "$b" "$(uniq_id 31133a)"
expect_refused_or "masking did not expose core_pattern" true
check "host core_pattern unchanged" host_same

t "/dev/null is a symlink to a host file"
b="$(new_bundle devnull2)"
cfg "$b" "$nodev"
rm -f "$b/rootfs/dev/null"; ln -s "$CANARY" "$b/rootfs/dev/null"
set_args "$b" sh -c "$attack"
run_in "$b" "$(uniq_id 31133b)"
expect_refused_or "no write reached the host file" true
check "host file unchanged" host_same

t "/dev/console is a symlink to a host file (terminal: true)"
b="$(new_bundle console)"
cfg "$b" "$nodev"
rm -f "$b/rootfs/dev/console"; ln -s "$CANARY" "$b/rootfs/dev/console"
cfg "$b" '.process.terminal = true'
set_args "$b" sh -c 'echo PWNED > /dev/console; true'
id="$(uniq_id 31133c)"; _IDS+=("$id")
OUT="$(cd "$b" && timeout 20 script -qec "$HULL --root $TEST_ROOT run $id" /dev/null 2>&1 </dev/null)"; RC=$?
check "host file unchanged (rc=$RC)" host_same

t "masked paths stay masked"
b="$(new_bundle masked)"
set_args "$b" sh -c 'cat /proc/kcore 2>/dev/null | head -c 16 | wc -c; ls /sys/firmware | wc -l; (echo x > /proc/sysrq-trigger) 2>/dev/null && echo WROTE-SYSRQ; true'
run_in "$b" "$(uniq_id 31133d)"
if [ "$RC" = 0 ] && [ "$(sed -n 1p <<<"$OUT")" = 0 ] && [ "$(sed -n 2p <<<"$OUT")" = 0 ] && ! contains "$OUT" WROTE; then ok; else fail; fi
check "host sysctls unchanged" host_same

t "a tmpfs mounted over /proc/sys cannot redirect sysctl writes (CVE-2025-52881)"
b="$(new_bundle sysctl)"
cfg "$b" '.mounts += [{"destination": "/proc/sys", "type": "tmpfs", "source": "tmpfs"}] | .linux.sysctl = {"kernel.domainname": "hull-sec-test"}'
set_args "$b" sh -c 'ls /proc/sys; cat /proc/sys/kernel/domainname 2>/dev/null; true'
run_in "$b" "$(uniq_id 31133e)"
if [ "$RC" != 0 ] && [ -n "$ERR" ]; then ok "refused: ${ERR:0:120}"
elif [ "$RC" = 0 ] && ! contains "$OUT" "hull-sec-test"; then ok "write did not land in the fake tmpfs file"
else fail "sysctl went to the tmpfs under the container's /proc/sys"; fi
check "host sysctls unchanged" host_same

t "a bind mount over /proc/self/attr (LSM attr writes) is refused or harmless"
b="$(new_bundle attr)"
FAKE="$WORK/fake-attr"; mkdir -p "$FAKE"; touch "$FAKE/exec" "$FAKE/current"
cfg "$b" '.mounts += [{"destination": "/proc/self/attr", "type": "bind", "source": $s, "options": ["bind"]}]' --arg s "$FAKE"
run_in "$b" "$(uniq_id 31133f)"
if [ ! -s "$FAKE/exec" ]; then ok "nothing written to the fake attr (rc=$RC)"; else fail "wrote to fake attr"; fi

finish
