#!/usr/bin/env bash
# The sample month and every sample day against their hand-written expectations.
source "$(dirname "$0")/lib.sh"
run_job 3 "$WORK/out" monthly 2026-10
compare_with_expected "$WORK/out" monthly 2026-10
for day in $(expected_days); do
  run_job 2 "$WORK/out" daily "$day"
  compare_with_expected "$WORK/out" daily "$day"
done
# Monthly and daily runs of one month do not disturb each other: the monthly files are still there.
compare_with_expected "$WORK/out" monthly 2026-10
echo "1 passed, 0 failed"
