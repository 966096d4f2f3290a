#!/bin/bash
# Runs a command inside a throw-away qemu guest booted on Debian's kernel with
# cgroup_no_v1=all (pure cgroup v2); the guest's root is an overlay over the
# host's / (read-only 9p), so host-built binaries run unchanged.
#   tests/v2/vm-run.sh DIR COMMAND [ARGS...]
# DIR is shared read-write at the same path (not under /tmp: the guest has
# its own tmpfs there); writes elsewhere vanish with the guest. COMMAND runs
# in DIR as root; its stdout/stderr are ours; the exit status is COMMAND's,
# 124 on timeout, 125 when the VM itself failed (console tail printed).
# Env: HULL_VM_CACHE (built by build-vm.sh), VM_TIMEOUT (s, 1800), VM_MEM (2G),
#      VM_SMP (2), VM_ACCEL (auto|kvm|tcg), VM_ENV ("VAR ..." exported into
#      the guest), VM_CGROUP_OPTS, VM_APPEND (kernel command line).
set -uo pipefail
C="${HULL_VM_CACHE:-/var/cache/hull-v2vm}"
[ $# -ge 2 ] || { echo "usage: $0 DIR COMMAND [ARGS...]" >&2; exit 2; }
DIR="$(realpath -e -- "$1")" || { echo "vm-run: no directory $1" >&2; exit 2; }
shift
case "$DIR" in /|/tmp|/tmp/*) echo "vm-run: DIR must not be / or under /tmp" >&2; exit 2;; esac
[ -s "$C/vmlinuz" ] && [ -s "$C/initramfs.cpio.gz" ] || { echo "vm-run: no VM in $C (tests/v2/build-vm.sh)" >&2; exit 125; }

accel="${VM_ACCEL:-auto}"
# KVM when usable; nested PVM (kvm_pvm) cannot run a stock kernel quickly
[ "$accel" = auto ] && { [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ] && accel=kvm || accel=tcg; }
case "$accel" in
  kvm) machine=(-machine q35,accel=kvm -cpu host);;
  tcg) machine=(-machine q35 -accel tcg,thread=multi -cpu max);;
  *) echo "vm-run: VM_ACCEL is auto, kvm or tcg" >&2; exit 2;;
esac

CTL="$(mktemp -d /var/tmp/hull-vmctl.XXXXXX)" || exit 125
qpid=""
finish() { [ -n "$qpid" ] && kill "$qpid" 2>/dev/null; rm -rf "$CTL"; }
trap finish EXIT
trap 'exit 143' TERM HUP INT
echo "$DIR" >"$CTL/dir"
echo "${VM_CGROUP_OPTS:-nsdelegate,memory_recursiveprot}" >"$CTL/cgroup_opts"
{
  for v in ${VM_ENV:-}; do [ -n "${!v+set}" ] && printf 'export %s=%q\n' "$v" "${!v}"; done
  printf 'cd %q || exit 125\nexec' "$DIR"; printf ' %q' "$@"; echo
} >"$CTL/cmd"

# The guest's output ports go through FIFOs to cat: our stdout may be a file
# that qemu must not reopen (it would write from offset 0).
mkfifo "$CTL/out" "$CTL/err" || exit 125
setpriv --pdeathsig KILL -- cat "$CTL/out" & ocat=$!
setpriv --pdeathsig KILL -- cat "$CTL/err" >&2 & ecat=$!

kernel="$C/vmlinuz"; [ -s "$C/vmlinux" ] && kernel="$C/vmlinux"
bios=(); [ -r /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)
share() { echo "local,id=$1,path=${2//,/,,},security_model=passthrough${3:+,$3}"; }
qemu=(qemu-system-x86_64 -nodefaults -no-user-config -no-reboot "${machine[@]}" "${bios[@]}"
  -m "${VM_MEM:-2G}" -smp "${VM_SMP:-2}" -display none -vga none -monitor none -nic none
  -serial "file:$CTL/console"
  -kernel "$kernel" -initrd "$C/initramfs.cpio.gz"
  -append "console=ttyS0 cgroup_no_v1=all quiet loglevel=3 panic=-1 mitigations=off audit=0 tsc=reliable no_timer_check cryptomgr.notests i8042.noaux i8042.nokbd ${VM_APPEND:-}"
  -fsdev "$(share r / readonly=on,multidevs=remap)" -device virtio-9p-pci,fsdev=r,mount_tag=hostroot
  -fsdev "$(share d "$DIR" multidevs=remap)" -device virtio-9p-pci,fsdev=d,mount_tag=host
  -fsdev "$(share c "$CTL")" -device virtio-9p-pci,fsdev=c,mount_tag=ctl
  -device virtio-serial-pci,id=ser
  -chardev "file,id=o,path=$CTL/out" -device virtserialport,bus=ser.0,nr=1,chardev=o,name=stdout
  -chardev "file,id=e,path=$CTL/err" -device virtserialport,bus=ser.0,nr=2,chardev=e,name=stderr
  -device virtio-rng-pci)
setpriv --pdeathsig KILL -- timeout -k 5 "${VM_TIMEOUT:-1800}" "${qemu[@]}" </dev/null 2>"$CTL/qemu.err" &
qpid=$!
wait "$qpid"; qrc=$?
qpid=""
# let the cats finish even when qemu never opened the FIFOs
exec 3<>"$CTL/out" 4<>"$CTL/err"; exec 3>&- 4>&-
wait "$ocat" "$ecat" 2>/dev/null
if [ -s "$CTL/rc" ]; then exit "$(cat "$CTL/rc")"; fi
if [ "$qrc" = 124 ]; then echo "vm-run: timed out after ${VM_TIMEOUT:-1800}s" >&2; rc=124
else echo "vm-run: the VM stopped without a status (qemu exit $qrc)" >&2; rc=125; fi
cat "$CTL/qemu.err" >&2
echo "---- guest console, last lines" >&2; tail -n 30 "$CTL/console" >&2 2>/dev/null
exit "$rc"
