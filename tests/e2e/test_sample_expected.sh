#!/usr/bin/env bash
# The sample month and every sample day against their hand-written expectations.
source "$(dirname "$0")/lib.sh"
run_job 3 "$WORK/out" monthly 2026-10
compare_with_expected "$WORK/out" monthly 2026-10
# The run record's row accounting of every feed, as data-samples/README.md derives it by hand.
"$BA_PYTHON" - "$WORK/out/runs/monthly-2026-10/report.json" <<'PY' || fail "the monthly run record's accounting (above)"
import json, sys
feeds = json.load(open(sys.argv[1]))["feeds"]
want = {  # read, used, rejected, outside the period, not enrolled, superseded
    "billing_event": (80, 69, 3, 2, 6, 0), "daily_usage": (14, 9, 0, 1, 1, 3),
    "account": (33, 32, 0, 0, 0, 1), "address": (32, 29, 0, 0, 0, 3), "product": (8, 7, 0, 0, 0, 1),
    "offer": (8, 8, 0, 0, 0, 0), "enrollment": (5, 3, 0, 0, 2, 0),
}
keys = ("read", "used", "rejected", "outside_period", "not_enrolled", "superseded")
bad = [f"{feed}: {dict(zip(keys, w))} expected, report.json has {feeds.get(feed)}"
       for feed, w in want.items() if tuple(feeds.get(feed, {}).get(k) for k in keys) != w]
bad += [f"{feed}: not in the expectation" for feed in feeds if feed not in want]
if feeds["billing_event"]["rejected_by_reason"] != {"duplicate": 1, "mixed_currency": 2}:
    bad.append(f"billing_event rejects by reason: {feeds['billing_event']['rejected_by_reason']}")
for b in bad:
    print("FAIL:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
for day in $(expected_days); do
  run_job 2 "$WORK/out" daily "$day"
  compare_with_expected "$WORK/out" daily "$day"
done
# Monthly and daily runs of one month do not disturb each other: the monthly files are still there.
compare_with_expected "$WORK/out" monthly 2026-10
echo "1 passed, 0 failed"
