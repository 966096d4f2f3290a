#!/bin/bash
# hull vs runc vs crun, side by side in one run (as root):
#   * lifecycle: create + start + delete of /bin/true
#   * run /bin/true without seccomp, and with the containers-common default
#     profile (converted to OCI form by seccomp-to-oci.sh), hull's cache warm
#   * hull with a cold seccomp cache (the compile cost the cache removes)
# Prints a table of means (ms) with ratios to hull and the seccomp overhead
# per runtime. Uses hyperfine (Debian package) when present, else a loop
# timed with date +%s%N. See docs/performance.md.
#   bench/run.sh [RUNS]        env: HULL RUNC CRUN (binaries)
set -euo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${1:-${BENCH_RUNS:-30}}"
HULL="${HULL:-$TOP/build/runtime/hull}"
RUNC="${RUNC:-$(command -v runc || true)}"
CRUN="${CRUN:-$(command -v crun || true)}"
PROFILE="${PROFILE:-/usr/share/containers/seccomp.json}"
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 2; }
[ -x "$HULL" ] || { echo "bench: hull binary $HULL not found (set HULL=)" >&2; exit 2; }
[ -r "$PROFILE" ] || { echo "bench: $PROFILE missing (apt-get install golang-github-containers-common)" >&2; exit 2; }

W="$(mktemp -d /var/tmp/hull-bench.XXXXXX)"
STATE="/run/hull-bench.$$"
trap 'for r in hull runc crun; do rm -rf "$STATE/$r"; done; rmdir "$STATE" 2>/dev/null; rm -rf "$W"' EXIT
ROOTFS="${HULL_TEST_ROOTFS:-/var/tmp/hull-test-rootfs}"
[ -x "$ROOTFS/bin/busybox" ] || "$TOP/tests/integration/make-rootfs.sh" "$ROOTFS" >/dev/null
mkdir -p "$W/plain" "$W/seccomp"
cp -a "$ROOTFS" "$W/rootfs"
# ociVersion 1.0.2: Debian 12's crun refuses "1.3.0".
jq '.ociVersion = "1.0.2" | .root.path = "'"$W"'/rootfs" | .process.args = ["/bin/true"] | del(.linux.seccomp)' \
  "$TOP/tests/integration/config-template.json" > "$W/plain/config.json"
"$TOP/bench/seccomp-to-oci.sh" "$PROFILE" > "$W/profile.json"
jq --slurpfile sc "$W/profile.json" '.linux.seccomp = $sc[0]' "$W/plain/config.json" \
  > "$W/seccomp/config.json"
echo "# profile: $PROFILE -> $(jq '[.syscalls[].names[]] | length' "$W/profile.json") syscall names, arches $(jq -c .architectures "$W/profile.json")"

declare -A BIN=([hull]="$HULL" [runc]="$RUNC" [crun]="$CRUN")
RTS=()
for r in hull runc crun; do [ -n "${BIN[$r]}" ] && [ -x "${BIN[$r]}" ] && RTS+=("$r"); done
echo "# runtimes: ${RTS[*]}; $RUNS runs each; $(uname -r); $(nproc) cpus"

# crun (Debian 12) refuses this host's hybrid cgroup layout ("cgroups in hybrid
# mode not supported") because the unified hierarchy has a controller. Its
# measurements therefore run in a private mount namespace without
# /sys/fs/cgroup/unified, where it uses the v1 controllers like hull and runc.
# The host is not changed.
wrap() { # RUNTIME CMD...: runs the measuring tool in the runtime's environment
  local r="$1"; shift
  if [ "$r" = crun ]; then
    unshare -m --propagation slave bash -c 'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' _ "$@"
  else "$@"; fi
}
declare -A MEAN SD PAIRED
# measure KEY PREPARE CMD: mean/sd in ms of CMD (a shell command line).
measure() {
  local key="$1" prep="$2" cmd="$3"
  if command -v hyperfine >/dev/null; then
    wrap "${key%% *}" hyperfine -N --warmup 3 --runs "$RUNS" ${prep:+--prepare "$prep"} --export-json "$W/h.json" \
      --style none "$cmd" >/dev/null 2>"$W/h.err" || { cat "$W/h.err" >&2; return 1; }
    MEAN[$key]=$(jq '.results[0].mean * 1000' "$W/h.json")
    SD[$key]=$(jq '.results[0].stddev * 1000' "$W/h.json")
  else
    local i t0 t1 s=0 ss=0 d
    for i in 1 2 3; do [ -n "$prep" ] && bash -c "$prep"; wrap "${key%% *}" bash -c "$cmd" >/dev/null 2>&1; done
    for ((i = 0; i < RUNS; i++)); do
      [ -n "$prep" ] && bash -c "$prep"
      t0=$(date +%s%N); wrap "${key%% *}" bash -c "$cmd" >/dev/null 2>&1; t1=$(date +%s%N)
      d=$(( (t1 - t0) / 1000 )); s=$((s + d)); ss=$((ss + d * d))
    done
    MEAN[$key]=$(awk -v s=$s -v n=$RUNS 'BEGIN{printf "%.3f", s/n/1000}')
    SD[$key]=$(awk -v s=$s -v ss=$ss -v n=$RUNS 'BEGIN{m=s/n; v=ss/n-m*m; if(v<0)v=0; printf "%.3f", sqrt(v)/1000}')
  fi
}

for r in "${RTS[@]}"; do
  b="${BIN[$r]}" root="$STATE/$r" id="bench-$r-$$"
  mkdir -p "$root"
  # The lifecycle is three runtime calls; bash -c adds the same ~1 ms for all.
  measure "$r lifecycle" "" \
    "bash -c '$b --root $root create -b $W/plain $id </dev/null >/dev/null && $b --root $root start $id && $b --root $root delete -f $id'"
  measure "$r run" "" "$b --root $root run -b $W/plain $id"
  measure "$r run+seccomp" "" "$b --root $root run -b $W/seccomp $id"
  PAIRED[$r]="$(wrap "$r" "$TOP/bench/paired.sh" "$RUNS" "$b --root $root run -b $W/plain $id" "$b --root $root run -b $W/seccomp $id")"
  if [ "$r" = hull ]; then
    measure "$r run+seccomp cold" "rm -rf $root/seccomp-cache" "$b --root $root run -b $W/seccomp $id"
  fi
  echo "# $r measured" >&2
done

row() { # LABEL KEY-SUFFIX
  local label="$1" k="$2" r line
  line=$(printf '%-22s' "$label")
  for r in hull runc crun; do
    if [ -n "${MEAN[$r $k]:-}" ]; then
      line+=$(printf ' %9.2f ±%5.2f' "${MEAN[$r $k]}" "${SD[$r $k]}")
    else line+=$(printf ' %16s' "-"); fi
  done
  for r in runc crun; do
    if [ -n "${MEAN[$r $k]:-}" ] && [ -n "${MEAN[hull $k]:-}" ]; then
      line+=$(awk -v a="${MEAN[$r $k]}" -v h="${MEAN[hull $k]}" 'BEGIN{printf " %8.2fx", a/h}')
    else line+=$(printf ' %9s' "-"); fi
  done
  echo "$line"
}
echo
printf '%-22s %16s %16s %16s %9s %9s\n' "ms (mean ± sd)" hull runc crun runc/hull crun/hull
row "create+start+delete" "lifecycle"
row "run /bin/true" "run"
row "run + seccomp" "run+seccomp"
[ -n "${MEAN[hull run+seccomp cold]:-}" ] &&
  printf '%-22s %9.2f ±%5.2f\n' "hull seccomp, cold" "${MEAN[hull run+seccomp cold]}" "${SD[hull run+seccomp cold]}"
echo
echo "seccomp overhead (run + seccomp - run), ms:"
for r in "${RTS[@]}"; do
  awk -v a="${MEAN[$r run+seccomp]}" -v b="${MEAN[$r run]}" -v r="$r" 'BEGIN{printf "  %-5s %+7.2f\n", r, a-b}'
done
[ -n "${MEAN[hull run+seccomp cold]:-}" ] &&
  awk -v a="${MEAN[hull run+seccomp cold]}" -v b="${MEAN[hull run]}" 'BEGIN{printf "  hull with a cold cache %+7.2f (compiling the profile)\n", a-b}'
echo "seccomp overhead, paired (run and run+seccomp alternated $RUNS times), ms:"
for r in "${RTS[@]}"; do
  read -r m e <<<"${PAIRED[$r]}"
  printf '  %-5s %+7.2f ± %.2f (standard error)\n' "$r" "$m" "$e"
done
read -r m e <<<"${PAIRED[hull]}"
awk -v d="$m" -v e="$e" \
  'BEGIN{printf "target (warm cache, hull, paired): at most +1.00 ms -> %s\n", (d <= 1.0 ? "met" : (d - 2*e <= 1.0 ? "not resolved (within 2 standard errors)" : "NOT met"))}'
