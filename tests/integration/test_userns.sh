#!/bin/bash
# User namespaces as runc has them: idmapped bind mounts (mappings on the
# mount, idmap / ridmap, mappings implied by the container's user namespace,
# sources and destinations through symlinks), devices inside a user
# namespace, and mount options that must keep the flags the kernel locks.
source "$(dirname "$0")/lib.sh"

hull() { timeout -k 5 30 "$HULL" --root "$TEST_ROOT" "$@"; }
sh_in() { cfg "$1" '.process.args = ["/bin/sh", "-c", $c]' --arg c "$2"; }
add_mount() { cfg "$1" '.mounts += [$m]' --argjson m "$2"; }
# userns_bundle NAME: a bundle whose container root is host uid/gid 100000.
userns_bundle() {
  local b
  b="$(new_bundle "$1")"
  chown -R 100000:100000 "$b/rootfs"
  chmod 755 "$b"
  cfg "$b" '.linux.namespaces += [{"type":"user"}]
    | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
    | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
  echo "$b"
}
# owner_of PATH: "uid:gid" printed by the container as "=PATH:uid:gid=".
owner_of() { sed -n "s|^=$1:\(.*\)=\$|\1|p" <<<"$OUT"; }
STAT='stat -c "=%n:%u:%g="'

# Sources: files owned by a few ids, a tree with a submount, a symlink.
S="$WORK/src"
mkdir -p "$S/one" "$S/tree/sub"
touch "$S/one/foo" "$S/tree/foo"
chown 100:211 "$S/one/foo"
chown 102:233 "$S/tree/foo"
mount --bind "$S/one" "$S/tree/sub"
ln -s one "$S/one-link"
chmod 700 "$S" # the container's root (host uid 100000) cannot reach it itself
MAP='"uidMappings":[{"containerID":100,"hostID":101000,"size":3}],"gidMappings":[{"containerID":210,"hostID":101100,"size":30}]'

t "idmapped mounts in a user namespace"
B="$(userns_bundle idmap)"
add_mount "$B" "{\"destination\":\"/m/plain\",\"type\":\"bind\",\"source\":\"$S/one\",\"options\":[\"bind\"],$MAP}"
add_mount "$B" "{\"destination\":\"/m/idmap\",\"type\":\"bind\",\"source\":\"$S/tree\",\"options\":[\"rbind\",\"idmap\"],$MAP}"
add_mount "$B" "{\"destination\":\"/m/ridmap\",\"type\":\"bind\",\"source\":\"$S/tree\",\"options\":[\"rbind\",\"ridmap\"],$MAP}"
add_mount "$B" "{\"destination\":\"/m/implied\",\"type\":\"bind\",\"source\":\"$S/one-link\",\"options\":[\"bind\",\"idmap\"]}"
# The destination goes through symlinks in the rootfs: /lnk -> /real, /real/dir -> ../deep.
mkdir -p "$B/rootfs/real" "$B/rootfs/deep"
ln -s /real "$B/rootfs/lnk"
ln -s ../deep "$B/rootfs/real/dir"
chown -h 100000:100000 "$B/rootfs/real" "$B/rootfs/deep" "$B/rootfs/lnk" "$B/rootfs/real/dir"
add_mount "$B" "{\"destination\":\"/lnk/dir/sym\",\"type\":\"bind\",\"source\":\"$S/one\",\"options\":[\"bind\",\"idmap\"],$MAP}"
sh_in "$B" "$STAT /m/plain/foo /m/idmap/foo /m/idmap/sub/foo /m/ridmap/foo /m/ridmap/sub/foo /m/implied/foo /deep/sym/foo; cat /proc/self/mountinfo"
run_in "$B" "$(uniq_id idmap)"
check "runs" [ "$RC" = 0 ]
# File 100:211 on disk -> host 101000:101101 -> 1000:1101 in the container.
check "mappings on the mount: idmapped without the option" [ "$(owner_of /m/plain/foo)" = 1000:1101 ]
check "idmap: the mount itself" [ "$(owner_of /m/idmap/foo)" = 1002:1123 ]
check "idmap: not its submounts (overflow ids)" [ "$(owner_of /m/idmap/sub/foo)" = "$(cat /proc/sys/kernel/overflowuid):$(cat /proc/sys/kernel/overflowgid)" ]
check "ridmap: the mount" [ "$(owner_of /m/ridmap/foo)" = 1002:1123 ]
check "ridmap: and its submounts" [ "$(owner_of /m/ridmap/sub/foo)" = 1000:1101 ]
check "no mappings: the container's own (through a source symlink)" [ "$(owner_of /m/implied/foo)" = 100:211 ]
check "destination through rootfs symlinks lands inside the rootfs" [ "$(owner_of /deep/sym/foo)" = 1000:1101 ]
check "mountinfo says idmapped" bash -c 'grep -q " /m/ridmap/sub .*idmapped" <<<"$1"' _ "$OUT"
check "host side untouched" [ "$(stat -c %u:%g "$S/one/foo")" = 100:211 ]

t "idmapped mount whose source is an earlier container mount"
B="$(userns_bundle idmap-order)"
add_mount "$B" "{\"destination\":\"/mnt\",\"type\":\"bind\",\"source\":\"$S/one\",\"options\":[\"bind\"]}"
add_mount "$B" "{\"destination\":\"/final\",\"type\":\"bind\",\"source\":\"$B/rootfs/mnt\",\"options\":[\"rbind\",\"idmap\"],$MAP}"
sh_in "$B" "$STAT /final/foo"
run_in "$B" "$(uniq_id idorder)"
check "source seen through the container's mounts" [ "$(owner_of /final/foo)" = 1000:1101 ]

t "user namespace errors"
B="$(new_bundle nomaps)"
cfg "$B" '.linux.namespaces += [{"type":"user"}]'
run_in "$B" "$(uniq_id nomaps)"
check "new user namespace without mappings fails, naming the field" bash -c '[ "$1" != 0 ] && [[ "$2" == *linux.uidMappings* ]]' _ "$RC" "$ERR"
B="$(userns_bundle idmap-missing)"
add_mount "$B" "{\"destination\":\"/m\",\"type\":\"bind\",\"source\":\"$S/one\",\"options\":[\"bind\"],\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}"
run_in "$B" "$(uniq_id idmiss)"
check "uidMappings without gidMappings refused" bash -c '[ "$1" != 0 ] && [[ "$2" == *gidMappings* ]]' _ "$RC" "$ERR"

t "devices in a user namespace"
B="$(userns_bundle devices)"
cfg "$B" '.linux.devices = [{"type":"c","path":"/dev/fuse","major":10,"minor":229,"uid":5,"gid":6,"fileMode":365},
  {"type":"b","path":"/dev/foo","major":1,"minor":5,"uid":10,"gid":11,"fileMode":111}]'
sh_in "$B" 'stat -c "=%n:%u:%g:%a:%t:%T=" /dev/null /dev/fuse /dev/foo; echo x >/dev/null && echo NULL-OK; head -c 4 /dev/zero | wc -c; cat /proc/self/mountinfo'
run_in "$B" "$(uniq_id devices)"
dev_line() { sed -n "s|^=$1:\(.*\)=\$|\1|p" <<<"$OUT"; }
check "runs" [ "$RC" = 0 ]
check "linux.devices owned by the config's uid/gid (mapped), its mode" [ "$(dev_line /dev/fuse)" = 5:6:555:a:e5 ]
check "block device too" [ "$(dev_line /dev/foo)" = 10:11:157:1:5 ]
check "default devices owned by the container's root" [ "$(dev_line /dev/null)" = 0:0:666:1:3 ]
check "nodes work" bash -c '[[ "$1" == *NULL-OK* && "$1" == *$'"'"'\n4\n'"'"'* ]]' _ "$OUT"
check "device mounts are nosuid,noexec" bash -c 'for d in /dev/null /dev/fuse /dev/foo; do awk -v d="$d" '"'"'$5 == d {print $6}'"'"' <<<"$1" | grep -q "nosuid,noexec" || exit 1; done' _ "$OUT"
check "no scratch directory left in /dev" lacks "$OUT" ".hull-nodes"

t "mount options in a user namespace apply as on the host"
mkdir -p "$WORK/ro-src" "$WORK/rw-src"
mount -t tmpfs -o ro,nosuid,nodev,noexec,relatime,size=1m hull-pb-ro "$WORK/ro-src"
chmod 777 "$WORK/rw-src"
B="$(userns_bundle opts)"
add_mount "$B" '{"destination":"/t1","type":"tmpfs","source":"tmpfs","options":["ro","relatime","sync","dirsync","nodev","size=1m"]}'
add_mount "$B" '{"destination":"/t2","type":"tmpfs","source":"tmpfs","options":["rw","noatime","nosuid","size=2m"]}'
add_mount "$B" "{\"destination\":\"/b1\",\"type\":\"bind\",\"source\":\"$WORK/rw-src\",\"options\":[\"bind\",\"ro\",\"nodev\",\"nosuid\",\"noexec\",\"relatime\",\"sync\",\"dirsync\"]}"
# Asks to drop what the kernel locks on the source: kept, no EPERM.
add_mount "$B" "{\"destination\":\"/b2\",\"type\":\"bind\",\"source\":\"$WORK/ro-src\",\"options\":[\"rbind\",\"rw\",\"suid\",\"dev\",\"exec\",\"strictatime\"]}"
cfg "$B" '.root.readonly = true'
sh_in "$B" 'cat /proc/self/mountinfo'
run_in "$B" "$(uniq_id opts)"
mi() { awk -v d="$1" '$5 == d {o = $6; for (i = 7; i <= NF; i++) if ($i == "-") {s = $(i + 3); break}} END {print o " " s}' <<<"$OUT"; }
has() { local l=",${1// /,},"; shift; for w; do [[ "$l" == *",$w,"* ]] || return 1; done; }
check "runs" [ "$RC" = 0 ]
check "tmpfs ro,nodev,relatime,sync,dirsync,size" has "$(mi /t1)" ro nodev relatime sync dirsync size=1024k
check "tmpfs rw,nosuid,noatime,size" has "$(mi /t2)" rw nosuid noatime size=2048k
check "bind ro,nosuid,nodev,noexec,relatime" has "$(mi /b1)" ro nosuid nodev noexec relatime
check "locked flags of the source kept (no EPERM)" has "$(mi /b2)" ro nosuid nodev noexec relatime
check "root.readonly" has "$(mi /)" ro

umount "$S/tree/sub"
finish
