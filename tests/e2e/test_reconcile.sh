#!/usr/bin/env bash
# buyers reconciles with the detail tables; daily sales add up to the monthly sales.
source "$(dirname "$0")/lib.sh"
run_job 2 "$WORK/out" monthly 2026-10
for day in $(seq -w 1 31); do
  run_job 2 "$WORK/out" daily "2026-10-$day"
done
"$BA_PYTHON" "$(dirname "$0")/reconcile.py" "$WORK/out/deliveries"
