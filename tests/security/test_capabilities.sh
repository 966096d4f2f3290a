#!/bin/bash
# Capabilities: unknown names grant nothing (ignored, like runc), ambient caps need inheritable +
# permitted, and a process without caps cannot regain them through a setuid
# binary (noNewPrivileges, and the bounding set without it).
source "$(dirname "$0")/lib.sh"
capeff='grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status'

t "an unknown capability name grants nothing (ignored with a warning, like runc)"
b="$(new_bundle unknown)"
cfg "$b" '.process.user = {"uid": 1000, "gid": 1000} | .process.capabilities = {bounding: ["CAP_BOGUS"], effective: ["CAP_BOGUS"], permitted: ["CAP_BOGUS"], inheritable: ["CAP_BOGUS"], ambient: ["CAP_BOGUS"]}'
set_args "$b" sh -c "$capeff"
id="$(uniq_id capa)"; run_in "$b" "$id"
if [ "$RC" = 0 ] && contains "$ERR" "CAP_BOGUS" && [ "$(grep -c . <<<"$ERR")" = 1 ] &&
  [ "$(grep -cE '^Cap...:[[:space:]]+0{16}$' <<<"$OUT")" = 5 ]; then ok; else fail; fi

t "ambient without inheritable+permitted is not raised"
b="$(new_bundle amb1)"
cfg "$b" '.process.user = {"uid": 1000, "gid": 1000} | .process.capabilities.ambient = ["CAP_NET_RAW"] | .process.capabilities.bounding += ["CAP_NET_RAW"]'
set_args "$b" sh -c "$capeff"
run_in "$b" "$(uniq_id capb)"
amb="$(awk '/^CapAmb/{print $2}' <<<"$OUT")"
if [ "$RC" != 0 ] && contains "$ERR" "mbient"; then ok "refused: ${ERR:0:100}"
elif [ "$RC" = 0 ] && [ "$amb" = 0000000000000000 ]; then ok "CapAmb empty"
else fail "CapAmb=$amb"; fi

t "ambient with inheritable+permitted is raised for a non-root user"
b="$(new_bundle amb2)"
cfg "$b" '.process.user = {"uid": 1000, "gid": 1000} | .process.capabilities |= (.ambient = ["CAP_NET_RAW"] | .inheritable = ["CAP_NET_RAW"] | .permitted += ["CAP_NET_RAW"] | .bounding += ["CAP_NET_RAW"] | .effective += ["CAP_NET_RAW"])'
set_args "$b" sh -c "$capeff"
run_in "$b" "$(uniq_id capc)"
amb="$(awk '/^CapAmb/{print $2}' <<<"$OUT")"
# CAP_NET_RAW is bit 13 = 0x2000
if [ "$RC" = 0 ] && [ $(( 0x$amb & 0x2000 )) != 0 ]; then ok; else fail "CapAmb=$amb"; fi

CREDS="$WORK/show_creds"
gcc -O2 -static -o "$CREDS" "$HERE_SEC/show_creds.c" || { echo "not ok - cannot build show_creds"; echo "RESULT 0 1"; exit 1; }
setuid_bundle() {
  local b; b="$(new_bundle "$1")"
  # a static setuid-root program that keeps what the kernel gives it
  cp "$CREDS" "$b/rootfs/bin/show-creds"
  chown 0:0 "$b/rootfs/bin/show-creds"; chmod 4755 "$b/rootfs/bin/show-creds"
  cfg "$b" '.process.user = {"uid": 1000, "gid": 1000} | .process.capabilities = {"bounding": ["CAP_KILL"], "effective": [], "permitted": [], "inheritable": []}'
  set_args "$b" /bin/show-creds
  echo "$b"
}

t "noNewPrivileges: a setuid-root binary gains neither uid 0 nor caps"
b="$(setuid_bundle nnp)"
cfg "$b" '.process.noNewPrivileges = true'
run_in "$b" "$(uniq_id capd)"
eff="$(awk '/^CapEff/{print $2}' <<<"$OUT")"
if [ "$RC" = 0 ] && [ "$(head -1 <<<"$OUT")" = euid=1000 ] && [ "$eff" = 0000000000000000 ]; then ok; else fail "uid/CapEff: $(head -1 <<<"$OUT") $eff"; fi

t "without noNewPrivileges the bounding set still caps a setuid binary"
b="$(setuid_bundle nonnp)"
cfg "$b" '.process.noNewPrivileges = false'
run_in "$b" "$(uniq_id cape)"
eff="$(awk '/^CapEff/{print $2}' <<<"$OUT")"
# only CAP_KILL (bit 5 = 0x20) may appear
if [ "$RC" = 0 ] && [ "$(head -1 <<<"$OUT")" = euid=0 ] && [ -n "$eff" ] && [ $(( 0x$eff & ~0x20 )) = 0 ]; then ok "euid 0 but CapEff=$eff"; else fail "$(head -1 <<<"$OUT") CapEff=$eff"; fi

finish
