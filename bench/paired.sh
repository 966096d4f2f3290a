#!/bin/bash
# paired.sh RUNS "CMD_A" "CMD_B": runs A and B alternately RUNS times (after 3
# warm-up pairs) and prints "MEAN_DIFF_MS STDERR_MS" of B - A. Pairing makes
# the difference robust to load that drifts during a run.
RUNS="$1" A="$2" B="$3"
now() { date +%s%N; }
for i in 1 2 3; do bash -c "$A" >/dev/null 2>&1; bash -c "$B" >/dev/null 2>&1; done
diffs=()
for ((i = 0; i < RUNS; i++)); do
  if ((i % 2)); then # alternate the order too
    t0=$(now); bash -c "$B" >/dev/null 2>&1; t1=$(now); bash -c "$A" >/dev/null 2>&1; t2=$(now)
    diffs+=($(( (t1 - t0) - (t2 - t1) )))
  else
    t0=$(now); bash -c "$A" >/dev/null 2>&1; t1=$(now); bash -c "$B" >/dev/null 2>&1; t2=$(now)
    diffs+=($(( (t2 - t1) - (t1 - t0) )))
  fi
done
printf '%s\n' "${diffs[@]}" | awk '{s+=$1; ss+=$1*$1; n++} END{m=s/n; v=(ss/n-m*m); if(v<0)v=0; printf "%.3f %.3f\n", m/1e6, sqrt(v/n)/1e6}'
