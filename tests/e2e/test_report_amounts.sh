#!/usr/bin/env bash
# The run record's control totals name every (table, seller, currency) a seller was delivered,
# and each one's amount out equals what that seller's manifest says it received, on a generated
# month with 10,000 sellers (a report of over 1 MB), at 2 ranks.
source "$(dirname "$0")/lib.sh"
[ -x "${BA_GENERATE:-}" ] || fail "BA_GENERATE does not name the feed generator (built when BA_BUILD_TOOLS is on)"
"$BA_GENERATE" --out "$WORK/feeds" --month 2026-10 --billing-events 60000 --sellers 10000 --seed 3 --threads 2 >/dev/null
FEEDS=$WORK/feeds run_job 2 "$WORK/out" monthly 2026-10
"$BA_PYTHON" - "$WORK/out" <<'PY' || fail "the report's control totals do not match the manifests"
import glob, json, os, sys
out = sys.argv[1]
report_path = f"{out}/runs/monthly-2026-10/report.json"
report = json.load(open(report_path))
amounts = {(a["table"], a["seller"], a["currency"]): a for a in report["amounts"]}
assert len(amounts) == len(report["amounts"]), "a key is listed twice"
assert all(a["balanced"] for a in amounts.values()) and report["balanced"]
net = {"sales_compensation": "net_revenue", "disbursements": "net_amount", "usage": "estimated_revenue"}
checked = 0
for path in glob.glob(f"{out}/deliveries/*/manifests/monthly-2026-10.json"):
    manifest = json.load(open(path))
    for f in manifest["files"]:
        if f["table"] not in net:
            continue
        for currency, totals in f["control_totals"].items():
            key = (f["table"], manifest["seller_account_id"], currency)
            assert key in amounts, f"the report has no control total for {key}"
            assert amounts[key]["out"] == totals[net[f["table"]]], (key, amounts[key], totals)
            checked += 1
assert checked > 6000, f"only {checked} delivered totals: the month is too small to test the report's size"
assert os.path.getsize(report_path) > 1 << 20, "the report is under 1 MB: the test is too small"
PY
echo "1 passed, 0 failed"
