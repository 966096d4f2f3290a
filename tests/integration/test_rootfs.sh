#!/bin/bash
# The container's filesystem seen from inside real containers: every mount
# option in /proc/self/mountinfo, bind/rbind, tmpfs options, propagation, the
# recursive attributes, root.readonly, /dev and linux.devices, maskedPaths,
# readonlyPaths, linux.sysctl, --no-pivot, cgroup mounts, tmpcopyup, idmap,
# symlinks that try to escape the rootfs, and the failure paths.
source "$(dirname "$0")/lib.sh"

# Every hull call gets a time limit, so a hang fails one check, not the suite.
hull() { timeout -k 5 30 "$HULL" --root "$TEST_ROOT" "$@"; }

# sh_in BUNDLE CODE: the process runs `sh -c CODE`.
sh_in() { cfg "$1" '.process.args = ["/bin/sh", "-c", $c]' --arg c "$2"; }
# add_mount BUNDLE JSON: appends a mount.
add_mount() { cfg "$1" '.mounts += [$m]' --argjson m "$2"; }
MI='cat /proc/self/mountinfo'

# Fields of the mountinfo line (in $OUT) whose mount point is $1 (the last one).
mnt_opts() { awk -v d="$1" '$5 == d {o = $6} END {print o}' <<<"$OUT"; }
super_opts() { awk -v d="$1" '$5 == d {for (i = 7; i <= NF; i++) if ($i == "-") {o = $(i + 3); break}} END {print o}' <<<"$OUT"; }
fstype() { awk -v d="$1" '$5 == d {for (i = 7; i <= NF; i++) if ($i == "-") {o = $(i + 1); break}} END {print o}' <<<"$OUT"; }
tags() { awk -v d="$1" '$5 == d {o = ""; for (i = 7; i <= NF && $i != "-"; i++) o = o " " $i} END {print o}' <<<"$OUT"; }
# has LIST WORD...: every WORD is in the comma separated LIST.
has() { local l=",$1,"; shift; for w; do [[ "$l" == *",$w,"* ]] || return 1; done; }
lacks() { local l=",$1,"; shift; for w; do [[ "$l" != *",$w,"* ]] || return 1; done; }
mounted() { [ -n "$(mnt_opts "$1")" ]; }

# expect_create_error DESC BUNDLE TEXT: run fails, stderr names TEXT, nothing left.
expect_error() {
  local d="$1" b="$2" text="$3" id
  id="$(uniq_id err)"
  run_in "$b" "$id"
  if [ "$RC" = 0 ]; then fail "$d: run succeeded"; return; fi
  if ! contains "$ERR" "$text"; then fail "$d: stderr lacks \"$text\""; return; fi
  if [ "$(grep -c . <<<"$ERR")" != 1 ]; then fail "$d: more than one error line"; return; fi
  if ! no_leftovers "$id"; then fail "$d: leftovers"; return; fi
  ok "$d"
}

HOSTDIR="$WORK/host"
mkdir -p "$HOSTDIR/sub" "$HOSTDIR/plain"
echo hello >"$HOSTDIR/file"
mount -t tmpfs -o size=1m hull-sub "$HOSTDIR/sub"
echo inner >"$HOSTDIR/sub/inner"

t "bind mount flags"
B="$(new_bundle flags)"
add_mount "$B" "{\"destination\":\"/m/bind\",\"type\":\"bind\",\"source\":\"$HOSTDIR\",\"options\":[\"bind\",\"ro\",\"nosuid\",\"nodev\",\"noexec\",\"noatime\",\"nodiratime\"]}"
add_mount "$B" "{\"destination\":\"/m/file\",\"type\":\"none\",\"source\":\"$HOSTDIR/file\",\"options\":[\"bind\",\"ro\"]}"
add_mount "$B" '{"destination":"/m/rel","type":"bind","source":"reldir","options":["rbind","nosymfollow"]}'
mkdir -p "$B/reldir"
echo relative >"$B/reldir/f"
sh_in "$B" "$MI; cat /m/file /m/rel/f; touch /m/bind/x 2>/dev/null && echo WROTE; true"
run_in "$B" "$(uniq_id flags)"
check "runs" [ "$RC" = 0 ]
check "ro,nosuid,nodev,noexec,noatime,nodiratime on a bind" has "$(mnt_opts /m/bind)" ro nosuid nodev noexec noatime nodiratime
check "bind is not recursive (no submount)" [ -z "$(mnt_opts /m/bind/sub)" ]
check "file bind mount, ro" has "$(mnt_opts /m/file)" ro
check "relative source is against the bundle, nosymfollow" has "$(mnt_opts /m/rel)" nosymfollow
check "file contents reach the container" contains "$OUT" $'hello\nrelative'
check "ro bind refuses writes" bash -c '! grep -q WROTE <<<"$1"' _ "$OUT"

t "tmpfs options"
B="$(new_bundle tmpfs)"
add_mount "$B" '{"destination":"/m/t1","type":"tmpfs","source":"tmpfs","options":["size=1m","mode=700","strictatime","nodiratime","sync","dirsync","lazytime","nosymfollow","uid=1000","gid=100"]}'
add_mount "$B" '{"destination":"/m/t2","type":"tmpfs","source":"tmpfs","options":["noatime","ro","nr_inodes=100"]}'
add_mount "$B" '{"destination":"/m/t3","type":"tmpfs","source":"tmpfs","options":["relatime","rw","exec","suid","dev","async","defaults"]}'
sh_in "$B" "$MI; stat -c '%a %u %g' /m/t1"
run_in "$B" "$(uniq_id tmpfs)"
check "runs" [ "$RC" = 0 ]
check "size, mode, uid, gid reach tmpfs" has "$(super_opts /m/t1)" size=1024k mode=700 uid=1000 gid=100
check "sync, dirsync, lazytime superblock flags" has "$(super_opts /m/t1)" sync dirsync lazytime
check "strictatime: neither relatime nor noatime" lacks "$(mnt_opts /m/t1)" relatime noatime
check "nodiratime, nosymfollow" has "$(mnt_opts /m/t1)" nodiratime nosymfollow
check "mode/owner visible" contains "$OUT" "700 1000 100"
check "noatime, ro, nr_inodes" has "$(mnt_opts /m/t2),$(super_opts /m/t2)" noatime ro nr_inodes=100
check "relatime rw exec suid dev" bash -c 'has() { local l=",$1,"; shift; for w; do [[ "$l" == *",$w,"* ]] || return 1; done; }; has "$1" rw relatime && [[ ",$1," != *",noexec,"* && ",$1," != *",nosuid,"* ]]' _ "$(mnt_opts /m/t3)"

t "rbind and recursive attributes"
B="$(new_bundle rbind)"
add_mount "$B" "{\"destination\":\"/m/rb\",\"type\":\"bind\",\"source\":\"$HOSTDIR\",\"options\":[\"rbind\"]}"
add_mount "$B" "{\"destination\":\"/m/rro\",\"type\":\"bind\",\"source\":\"$HOSTDIR\",\"options\":[\"rbind\",\"rro\",\"rnosuid\",\"rnodev\",\"rnoexec\",\"rnoatime\"]}"
add_mount "$B" "{\"destination\":\"/m/ro\",\"type\":\"bind\",\"source\":\"$HOSTDIR\",\"options\":[\"rbind\",\"ro\"]}"
add_mount "$B" "{\"destination\":\"/m/rsym\",\"type\":\"bind\",\"source\":\"$HOSTDIR\",\"options\":[\"rbind\",\"rnosymfollow\",\"rstrictatime\"]}"
sh_in "$B" "$MI; cat /m/rb/sub/inner"
run_in "$B" "$(uniq_id rbind)"
check "runs" [ "$RC" = 0 ]
check "rbind brings the submount" contains "$OUT" inner
check "rbind submount listed" mounted /m/rb/sub
check "rro & co on the top" has "$(mnt_opts /m/rro)" ro nosuid nodev noexec noatime
check "rro & co on the submount too" has "$(mnt_opts /m/rro/sub)" ro nosuid nodev noexec noatime
check "plain ro is not recursive" has "$(mnt_opts /m/ro/sub)" rw
check "rnosymfollow on the submount, rstrictatime" bash -c '[[ ",$1," == *",nosymfollow,"* && ",$1," != *",relatime,"* ]]' _ "$(mnt_opts /m/rsym/sub)"

t "mount propagation"
mkdir -p "$WORK/prop"
mount --bind "$WORK/prop" "$WORK/prop" && mount --make-shared "$WORK/prop"
B="$(new_bundle prop)"
add_mount "$B" "{\"destination\":\"/m/shared\",\"type\":\"bind\",\"source\":\"$HOSTDIR/plain\",\"options\":[\"rbind\",\"rshared\"]}"
add_mount "$B" "{\"destination\":\"/m/slave\",\"type\":\"bind\",\"source\":\"$WORK/prop\",\"options\":[\"rbind\",\"rslave\"]}"
add_mount "$B" "{\"destination\":\"/m/private\",\"type\":\"bind\",\"source\":\"$WORK/prop\",\"options\":[\"rbind\",\"private\"]}"
add_mount "$B" '{"destination":"/m/unb","type":"tmpfs","source":"tmpfs","options":["unbindable"]}'
cfg "$B" '.linux.rootfsPropagation = "rprivate"'
sh_in "$B" "$MI"
run_in "$B" "$(uniq_id prop)"
check "runs" [ "$RC" = 0 ]
check "rshared mount is shared" contains "$(tags /m/shared)" "shared:"
check "rslave under rootfsPropagation rprivate: no master left" bash -c '[[ "$1" != *shared:* ]]' _ "$(tags /m/slave)"
check "private has no peers" [ -z "$(tags /m/private | tr -d ' ')" ]
check "unbindable" contains "$(tags /m/unb)" unbindable
check "rootfsPropagation rprivate: / has no peers" [ -z "$(tags / | tr -d ' ')" ]
check "nothing propagated back to the host" bash -c '! grep -q " $1/rootfs" /proc/self/mountinfo' _ "$B"
# Default rootfsPropagation (the tree is made rslave): a mount's own rslave
# keeps receiving from the shared host mount, and sends nothing back.
B="$(new_bundle prop-slave)"
add_mount "$B" "{\"destination\":\"/m/slave\",\"type\":\"bind\",\"source\":\"$WORK/prop\",\"options\":[\"rbind\",\"rslave\"]}"
sh_in "$B" "sleep 1; $MI; ls /m/slave"
ID="$(uniq_id prop-slave)"
( sleep 0.5; mkdir -p "$WORK/prop/late"; mount -t tmpfs late-mount "$WORK/prop/late" ) &
run_in "$B" "$ID"
wait
check "rslave of a shared host mount is a slave" contains "$(tags /m/slave)" "master:"
check "rslave is not shared back" bash -c '[[ "$1" != *shared:* ]]' _ "$(tags /m/slave)"
check "a host mount made later reaches the slave" mounted /m/slave/late
umount -l "$WORK/prop/late" 2>/dev/null
for p in shared rshared slave rslave private; do
  B="$(new_bundle "rp-$p")"
  cfg "$B" '.linux.rootfsPropagation = $p' --arg p "$p"
  sh_in "$B" "$MI"
  run_in "$B" "$(uniq_id rp)"
  case "$p" in
  *shared) check "rootfsPropagation $p: / is shared" contains "$(tags /)" "shared:" ;;
  *) check "rootfsPropagation $p: / is not shared" bash -c '[ "$1" = 0 ] && [[ "$2" != *shared:* ]]' _ "$RC" "$(tags /)" ;;
  esac
done
umount -l "$WORK/prop"

t "root.readonly"
B="$(new_bundle rootro)"
cfg "$B" '.root.readonly = true'
sh_in "$B" "$MI; touch /newfile 2>&1; touch /dev/shm/ok && echo SHM-OK"
run_in "$B" "$(uniq_id rootro)"
check "runs" [ "$RC" = 0 ]
check "/ is ro" has "$(mnt_opts /)" ro
check "writing / fails" contains "$OUT" "Read-only file system"
check "other mounts stay writable" contains "$OUT" SHM-OK
check "nothing written to the rootfs" [ ! -e "$B/rootfs/newfile" ]

t "/dev and linux.devices"
B="$(new_bundle dev)"
cfg "$B" '.linux.devices = [{"type":"c","path":"/dev/fuse","major":10,"minor":229,"fileMode":416,"uid":1000,"gid":100},
  {"type":"b","path":"/dev/sub/loop7","major":7,"minor":7},{"type":"p","path":"/dev/myfifo","fileMode":384}]'
sh_in "$B" 'for f in null zero full random urandom tty fuse sub/loop7 myfifo; do stat -c "%n %F %t:%T %a %u:%g" /dev/$f; done; for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done; echo x >/dev/null && head -c 4 /dev/zero | wc -c'
run_in "$B" "$(uniq_id dev)"
check "runs" [ "$RC" = 0 ]
for d in "null 1:3" "zero 1:5" "full 1:7" "random 1:8" "urandom 1:9" "tty 5:0"; do
  set -- $d
  check "/dev/$1 is char $2 mode 666" contains "$OUT" "/dev/$1 character special file $2 666 0:0"
done
check "linux.devices char with mode/uid/gid" contains "$OUT" "/dev/fuse character special file a:e5 640 1000:100"
check "linux.devices block in a new subdir" contains "$OUT" "/dev/sub/loop7 block special file 7:7 666 0:0"
check "linux.devices fifo" contains "$OUT" "/dev/myfifo fifo 0:0 600 0:0"
check "/dev/fd link" contains "$OUT" "fd -> /proc/self/fd"
check "/dev/stdin link" contains "$OUT" "stdin -> /proc/self/fd/0"
check "/dev/stderr link" contains "$OUT" "stderr -> /proc/self/fd/2"
check "/dev/ptmx -> pts/ptmx" contains "$OUT" "ptmx -> pts/ptmx"
check "devices work" contains "$OUT" $'\n4'

t "/dev read-only tmpfs still gets devices"
B="$(new_bundle devro)"
cfg "$B" '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
sh_in "$B" "$MI; ls /dev/null && touch /dev/x 2>&1; true"
run_in "$B" "$(uniq_id devro)"
check "runs, /dev/null there" bash -c '[ "$1" = 0 ] && [[ "$2" == *"/dev/null"* ]]' _ "$RC" "$OUT"
check "/dev is ro" has "$(mnt_opts /dev)" ro

t "maskedPaths and readonlyPaths"
B="$(new_bundle mask)"
cfg "$B" '.linux.maskedPaths += ["/proc/does-not-exist", "/etc/hostname"] | .linux.readonlyPaths += ["/tmp", "/nope"]'
echo secret >"$B/rootfs/etc/hostname"
sh_in "$B" "$MI; echo keys=\$(wc -c </proc/keys); echo fw=\$(ls /sys/firmware | wc -l); echo host=\$(cat /etc/hostname); echo 1 >/proc/sys/kernel/domainname 2>&1; touch /sys/firmware/x 2>&1; touch /tmp/x 2>&1; true"
run_in "$B" "$(uniq_id mask)"
check "runs (missing paths skipped)" [ "$RC" = 0 ]
check "masked file is /dev/null" bash -c '[[ "$1" == *"keys=0"* ]]' _ "$OUT"
check "masked file mounted" mounted /proc/keys
check "masked dir is an empty ro tmpfs" bash -c '[[ "$1" == *"fw=0"* ]] && [ "$2" = tmpfs ]' _ "$OUT" "$(fstype /sys/firmware)"
check "masked dir ro" has "$(mnt_opts /sys/firmware)" ro
check "masked rootfs file reads empty" contains "$OUT" "host="$'\n'
check "readonly /proc/sys: ro,nosuid,nodev,noexec" has "$(mnt_opts /proc/sys)" ro nosuid nodev noexec
check "readonly /proc/sys refuses writes" contains "$OUT" "Read-only file system"
check "readonly rootfs dir /tmp" has "$(mnt_opts /tmp)" ro nosuid nodev noexec

t "linux.sysctl"
B="$(new_bundle sysctl)"
cfg "$B" '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789", "kernel.domainname": "hull.test", "fs.mqueue.msg_max": "20"}'
sh_in "$B" 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax /proc/sys/kernel/domainname /proc/sys/fs/mqueue/msg_max'
run_in "$B" "$(uniq_id sysctl)"
check "namespaced sysctls are set" contains "$OUT" $'1\n123456789\nhull.test\n20'
check "host sysctl untouched" bash -c '[ "$(cat /proc/sys/kernel/shmmax)" != 123456789 ]'
B="$(new_bundle sysctl-bad)"
cfg "$B" '.linux.sysctl = {"vm.swappiness": "1"}'
expect_error "non-namespaced sysctl refused" "$B" "vm.swappiness"
B="$(new_bundle sysctl-nonet)"
cfg "$B" '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .linux.namespaces |= map(select(.type != "network"))'
expect_error "net.* without a network namespace refused" "$B" "net.ipv4.ip_forward"

t "--no-pivot"
B="$(new_bundle nopivot)"
touch "$B/rootfs/NOPIVOT-MARK"
sh_in "$B" "$MI; ls /"
ID="$(uniq_id nopivot)"
_IDS+=("$ID")
OUT="$(cd "$B" && hull run --no-pivot "$ID" 2>"$WORK/stderr" </dev/null)"
RC=$?
ERR="$(cat "$WORK/stderr")"
check "runs" [ "$RC" = 0 ]
check "sees its rootfs as /" contains "$OUT" NOPIVOT-MARK
check "proc mounted" mounted /proc
check "no leftovers" no_leftovers "$ID"

t "no mount namespace: chroot"
B="$(new_bundle nomntns)"
cfg "$B" '.linux.namespaces |= map(select(.type != "mount")) | .mounts = [{"destination":"/proc","type":"proc","source":"proc"}] | .linux.maskedPaths = [] | .linux.readonlyPaths = []'
sh_in "$B" 'ls /bin/busybox && test -e /proc/self/stat && echo PROC-OK'
run_in "$B" "$(uniq_id nomntns)"
check "runs chrooted with proc" bash -c '[ "$1" = 0 ] && [[ "$2" == *PROC-OK* ]]' _ "$RC" "$OUT"
umount -l "$B/rootfs/proc" 2>/dev/null

t "cgroup mount"
B="$(new_bundle cgroup)"
sh_in "$B" "$MI; ls /sys/fs/cgroup; touch /sys/fs/cgroup/x 2>&1; true"
run_in "$B" "$(uniq_id cgroup)"
check "runs" [ "$RC" = 0 ]
check "/sys/fs/cgroup is a ro tmpfs" bash -c '[ "$1" = tmpfs ] && [[ ",$2," == *",ro,"* ]]' _ "$(fstype /sys/fs/cgroup)" "$(mnt_opts /sys/fs/cgroup)"
for h in /sys/fs/cgroup/*; do
  # only mounted hierarchies: a bare directory in the host's tmpfs (an engine
  # mkdir -p's one for a controller that is not mounted) is no hierarchy
  [ -d "$h" ] && [ ! -L "$h" ] && mountpoint -q "$h" || continue
  n="$(basename "$h")"
  check "hierarchy $n present and ro" has "$(mnt_opts "/sys/fs/cgroup/$n")" ro nosuid nodev noexec
done
check "cgroup tree not writable" contains "$OUT" "Read-only file system"
B="$(new_bundle cgroup-nons)"
cfg "$B" '.linux.namespaces |= map(select(.type != "cgroup"))'
sh_in "$B" "$MI; cat /proc/self/cgroup"
run_in "$B" "$(uniq_id cgroupb)"
check "without cgroupns: runs, hierarchies are binds of its own cgroup" bash -c '[ "$1" = 0 ] && [ -n "$2" ]' _ "$RC" "$(mnt_opts /sys/fs/cgroup/memory)"

t "tmpcopyup"
B="$(new_bundle copyup)"
add_mount "$B" '{"destination":"/etc","type":"tmpfs","source":"tmpfs","options":["tmpcopyup","mode=755"]}'
ln -s passwd "$B/rootfs/etc/passwd-link"
sh_in "$B" "$MI; cat /etc/passwd | head -1; readlink /etc/passwd-link; touch /etc/new && echo NEW-OK"
run_in "$B" "$(uniq_id copyup)"
check "runs" [ "$RC" = 0 ]
check "/etc is a tmpfs" [ "$(fstype /etc)" = tmpfs ]
check "contents copied" contains "$OUT" "root:"
check "symlinks copied" contains "$OUT" $'\npasswd\n'
check "writes stay in the tmpfs" bash -c '[[ "$1" == *NEW-OK* ]] && [ ! -e "$2/rootfs/etc/new" ]' _ "$OUT" "$B"

t "idmap bind mount"
mkdir -p "$WORK/idsrc"
touch "$WORK/idsrc/owned-by-0"
B="$(new_bundle idmap)"
add_mount "$B" "{\"destination\":\"/idm\",\"type\":\"bind\",\"source\":\"$WORK/idsrc\",\"options\":[\"rbind\",\"idmap\"],\"uidMappings\":[{\"containerID\":0,\"hostID\":2000,\"size\":10}],\"gidMappings\":[{\"containerID\":0,\"hostID\":3000,\"size\":10}]}"
sh_in "$B" "$MI; stat -c '%u:%g' /idm/owned-by-0"
run_in "$B" "$(uniq_id idmap)"
check "runs" [ "$RC" = 0 ]
check "idmapped" has "$(mnt_opts /idm)" idmapped
check "ids mapped" contains "$OUT" "2000:3000"

t "user namespace: devices are bind mounts of the host's"
B="$(new_bundle userns)"
chown -R 100000:100000 "$B/rootfs"
chmod 755 "$WORK" "$B" # the container's root (host uid 100000) walks to its rootfs
cfg "$B" '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
  | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
  | .linux.devices = [{"type":"c","path":"/dev/fuse","major":10,"minor":229}]'
sh_in "$B" "$MI; stat -c '%n %t:%T' /dev/null /dev/tty /dev/fuse; echo x >/dev/null && echo NULL-OK"
run_in "$B" "$(uniq_id userns)"
check "runs" [ "$RC" = 0 ]
for d in /dev/null /dev/zero /dev/tty /dev/urandom /dev/fuse; do
  check "$d is a bind mount" mounted "$d"
done
check "nodes work" bash -c '[[ "$1" == *"/dev/null 1:3"* && "$1" == *"/dev/fuse a:e5"* && "$1" == *NULL-OK* ]]' _ "$OUT"
check "sysfs mounted" mounted /sys

t "symlinks in the rootfs never lead out"
mkdir -p "$WORK/victim"
B="$(new_bundle escape)"
ln -s "$WORK/victim" "$B/rootfs/abs"
ln -s ../../../../../../../../"$WORK/victim" "$B/rootfs/rel"
add_mount "$B" '{"destination":"/abs/t","type":"tmpfs","source":"tmpfs"}'
add_mount "$B" "{\"destination\":\"/rel/b\",\"type\":\"bind\",\"source\":\"$HOSTDIR/file\",\"options\":[\"bind\"]}"
cfg "$B" '.linux.devices = [{"type":"c","path":"/abs/null2","major":1,"minor":3}]'
sh_in "$B" "$MI"
run_in "$B" "$(uniq_id escape)"
check "runs" [ "$RC" = 0 ]
check "host directory untouched" [ -z "$(ls -A "$WORK/victim")" ]
check "mounts landed inside the rootfs" bash -c '[ -d "$1/rootfs/$2/t" ] && [ -f "$1/rootfs/$2/b" ] && [ -c "$1/rootfs/$2/null2" ]' _ "$B" "$WORK/victim"
B="$(new_bundle escape-proc)"
rm -rf "$B/rootfs/proc"
ln -s "$WORK/victim" "$B/rootfs/proc"
expect_error "/proc as a symlink is refused" "$B" "must be mounted on ordinary directory"
check "host directory still untouched" [ -z "$(ls -A "$WORK/victim")" ]

t "failure paths"
B="$(new_bundle bad-type)"
add_mount "$B" '{"destination":"/mnt","type":"nosuchfs","source":"x"}'
expect_error "unknown filesystem type" "$B" "mount nosuchfs to /mnt: no such device"
B="$(new_bundle bad-opt)"
add_mount "$B" '{"destination":"/mnt","type":"tmpfs","source":"tmpfs","options":["size=lots"]}'
expect_error "bad tmpfs option" "$B" "mount tmpfs to /mnt: invalid argument"
B="$(new_bundle bad-src)"
add_mount "$B" '{"destination":"/mnt","type":"bind","source":"/does/not/exist","options":["rbind"]}'
expect_error "missing bind source" "$B" "bind mount /does/not/exist to /mnt"
B="$(new_bundle bad-proc)"
add_mount "$B" '{"destination":"/proc/sys","type":"tmpfs","source":"tmpfs"}'
expect_error "mount under /proc refused" "$B" "mount destination under /proc is not allowed"
B="$(new_bundle bad-prop)"
cfg "$B" '.linux.rootfsPropagation = "sideways"'
expect_error "bad rootfsPropagation" "$B" "sideways"
B="$(new_bundle bad-file)"
add_mount "$B" '{"destination":"/etc/passwd/x","type":"tmpfs","source":"tmpfs"}'
expect_error "destination through a file" "$B" "not a directory"

umount -l "$HOSTDIR/sub"
finish
