#!/bin/bash
# LSM requests: on a host without AppArmor/SELinux an explicit profile or
# label is a clear error (nothing left behind); mountLabel is dropped.
source "$(dirname "$0")/lib.sh"
aa_on() { [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; }
se_on() { [ -e /sys/fs/selinux/enforce ]; }

t "apparmorProfile without AppArmor"
if aa_on; then ok "skipped: AppArmor is enabled here"; else
  b="$(new_bundle aa)"; cfg "$b" '.process.apparmorProfile = "x"'
  id="$(uniq_id lsma)"; run_in "$b" "$id"
  if [ "$RC" != 0 ] && contains "$ERR" 'apparmor profile "x" requested but AppArmor is not enabled on this host'; then ok; else fail; fi
  check "nothing left behind" no_leftovers "$id"
fi

t "selinuxLabel without SELinux"
if se_on; then ok "skipped: SELinux is enabled here"; else
  b="$(new_bundle se)"; cfg "$b" '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
  id="$(uniq_id lsmb)"; run_in "$b" "$id"
  if [ "$RC" != 0 ] && contains "$ERR" 'selinux label "system_u:system_r:container_t:s0" requested but SELinux is not enabled on this host'; then ok; else fail; fi
  check "nothing left behind" no_leftovers "$id"
fi

t "mountLabel without SELinux is dropped"
if se_on; then ok "skipped: SELinux is enabled here"; else
  b="$(new_bundle ml)"; cfg "$b" '.linux.mountLabel = "system_u:object_r:container_file_t:s0"'
  run_in "$b" "$(uniq_id lsmc)"
  check "runs" [ "$RC" = 0 ]
fi

t "features reports the LSMs truthfully"
F="$("$HULL" features 2>/dev/null)"
aa="$(jq -r '.linux.apparmor.enabled | tostring' <<<"$F")"; se="$(jq -r '.linux.selinux.enabled | tostring' <<<"$F")"
want_aa=false; aa_on && want_aa=true; want_se=false; se_on && want_se=true
if [ "$aa" = "$want_aa" ] && [ "$se" = "$want_se" ]; then ok; else fail "features says apparmor=$aa selinux=$se"; fi

finish
