#!/usr/bin/env bash
# The sample month and every sample day against their hand-written expectations.
source "$(dirname "$0")/lib.sh"
run_job 3 "$WORK/out" monthly 2026-10
compare_with_expected "$WORK/out" monthly 2026-10
# The run record's row accounting of every feed, as data-samples/README.md derives it by hand.
"$BA_PYTHON" "$(dirname "$0")/sample_accounting.py" "$WORK/out/runs/monthly-2026-10/report.json" report.json ||
  fail "the monthly run record's accounting (above)"
for day in $(expected_days); do
  run_job 2 "$WORK/out" daily "$day"
  compare_with_expected "$WORK/out" daily "$day"
done
# Monthly and daily runs of one month do not disturb each other: the monthly files are still there.
compare_with_expected "$WORK/out" monthly 2026-10
echo "1 passed, 0 failed"
