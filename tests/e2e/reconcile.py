"""Checks the delivered tables against each other (not against the code's own numbers):
- per seller, payer and currency, buyers.billed_net_revenue = sum of sales_compensation.net_revenue,
  disbursed_net_amount = sum of disbursements.net_amount, estimated_usage_revenue = sum of usage;
- per seller and currency, the daily sales_compensation net revenue over the month equals the
  monthly delivery's."""
import csv
import glob
import os
import sys
from collections import defaultdict
from decimal import Decimal

root = sys.argv[1]
failures = []


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def month_file(seller, table):
    return os.path.join(root, seller, f"{table}_v1", "year=2026", "month=10", "data.csv")


checked = 0
for seller in sorted(os.listdir(root)):
    if not os.path.exists(month_file(seller, "buyers")):
        continue
    detail = defaultdict(lambda: [Decimal(0)] * 3)
    for index, (table, column) in enumerate(
        [("sales_compensation", "net_revenue"), ("disbursements", "net_amount"), ("usage", "estimated_revenue")]
    ):
        for r in rows(month_file(seller, table)):
            payer = r.get("payer_reference_id", None)
            if payer is None:  # usage carries the payer through customer_aws_account_id only
                payer = None
            key = (payer, r["currency"]) if payer is not None else None
            if key is not None:
                detail[key][index] += Decimal(r[column])
    for b in rows(month_file(seller, "buyers")):
        key = (b["payer_reference_id"], b["currency"])
        got = [Decimal(b["billed_net_revenue"]), Decimal(b["disbursed_net_amount"])]
        want = detail.get(key, [Decimal(0)] * 3)[:2]
        if got != want:
            failures.append(f"{seller} {key}: buyers says {got}, detail tables say {want}")
        checked += 1
    # usage has no payer_reference_id column: reconcile its totals per currency.
    usage_total = defaultdict(Decimal)
    for r in rows(month_file(seller, "usage")):
        usage_total[r["currency"]] += Decimal(r["estimated_revenue"])
    buyers_usage = defaultdict(Decimal)
    for b in rows(month_file(seller, "buyers")):
        buyers_usage[b["currency"]] += Decimal(b["estimated_usage_revenue"])
    if {k: v for k, v in usage_total.items() if v} != {k: v for k, v in buyers_usage.items() if v}:
        failures.append(f"{seller}: usage per currency {dict(usage_total)} != buyers {dict(buyers_usage)}")
    # daily sales_compensation adds up to monthly, per currency
    monthly = defaultdict(Decimal)
    for r in rows(month_file(seller, "sales_compensation")):
        monthly[r["currency"]] += Decimal(r["net_revenue"])
    daily = defaultdict(Decimal)
    for path in glob.glob(os.path.join(root, seller, "sales_compensation_v1", "year=2026", "month=10", "day=*", "data.csv")):
        for r in rows(path):
            daily[r["currency"]] += Decimal(r["net_revenue"])
    if dict(monthly) != dict(daily):
        failures.append(f"{seller}: daily sales {dict(daily)} != monthly {dict(monthly)}")

if checked == 0:
    failures.append("no buyers rows were checked: the sample should have some")
for f in failures:
    print("FAIL:", f, file=sys.stderr)
print(f"{1 if not failures else 0} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
