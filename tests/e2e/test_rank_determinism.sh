#!/usr/bin/env bash
# Same input, any rank count and chunk size: byte-identical delivery files and manifests.
source "$(dirname "$0")/lib.sh"
day=$(expected_days | head -n 1)
for cadence_period in "monthly 2026-10" "daily $day"; do
  set -- $cadence_period
  cadence=$1 period=$2
  run_job 1 "$WORK/ref" "$cadence" "$period" --chunk-size 8M
  for ranks in 2 3 4; do
    for chunk in 1K 64; do
      rm -rf "$WORK/cmp"
      run_job "$ranks" "$WORK/cmp" "$cadence" "$period" --chunk-size "$chunk" --round-size 97
      diff -r "$WORK/ref/deliveries" "$WORK/cmp/deliveries" >&2 ||
        fail "$cadence $period: deliveries at $ranks ranks, chunk $chunk differ from 1 rank"
    done
  done
  rm -rf "$WORK/ref"
done
echo "1 passed, 0 failed"
