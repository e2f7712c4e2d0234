#!/usr/bin/env bash
# buyers reconciles with the detail tables both ways, column by column (reconcile.py), in the month
# and on every day; the days add up to the month for sales, disbursements and usage.
source "$(dirname "$0")/lib.sh"
run_job 2 "$WORK/out" monthly 2026-10
for day in $(seq -w 1 31); do
  run_job 2 "$WORK/out" daily "2026-10-$day"
done
"$BA_PYTHON" "$(dirname "$0")/reconcile.py" "$WORK/out/deliveries"
