"""Property check of a delivery tree made from random_feeds.py: every delivered row belongs to
the folder's seller, lies inside the period, and only sellers enrolled for the whole period have
a folder for it. Usage: check_confidential.py FEEDS OUT CADENCE PERIOD"""
import csv
import os
import sys
from datetime import date, timedelta

feeds, out, cadence, period = sys.argv[1:5]
if cadence == "monthly":
    first = date(int(period[:4]), int(period[5:7]), 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    sub = f"year={period[:4]}/month={period[5:7]}"
else:
    first = last = date.fromisoformat(period)
    sub = f"year={period[:4]}/month={period[5:7]}/day={period[8:10]}"

folder_of, enrolled = {}, set()
for r in csv.DictReader(open(os.path.join(feeds, "enrollment/enrollment.csv"))):
    folder_of[r["aws_account_id"]] = r["seller_account_id"]
    ok_from = date.fromisoformat(r["enrolled_from"]) <= first
    ok_until = not r["enrolled_until"] or date.fromisoformat(r["enrolled_until"]) >= last
    if ok_from and ok_until:
        enrolled.add(r["aws_account_id"])

problems, rows = [], 0
for folder in sorted(os.listdir(os.path.join(out, "deliveries"))):
    base = os.path.join(out, "deliveries", folder)
    if not os.path.exists(os.path.join(base, "sales_compensation_v1", sub, "data.csv")):
        continue
    if folder not in enrolled:
        problems.append(f"{folder} has a {cadence} {period} delivery but is not enrolled for the whole period")
        continue
    index = folder_of[folder].split("-")[1]  # seller-07 -> 07
    for table, idcol, datecol in (("sales_compensation", "transaction_reference_id", "invoice_date"),
                                  ("usage", "product_code", "usage_date"),
                                  ("disbursements", "transaction_reference_id", "disbursement_date")):
        for r in csv.DictReader(open(os.path.join(base, f"{table}_v1", sub, "data.csv"), newline="")):
            rows += 1
            if r[idcol].split("-")[1] != index:
                problems.append(f"{folder} {table}: row of another seller: {r[idcol]}")
            if not first <= date.fromisoformat(r[datecol]) <= last:
                problems.append(f"{folder} {table}: row dated {r[datecol]} outside {period}")
    for r in csv.DictReader(open(os.path.join(base, "buyers_v1", sub, "data.csv"), newline="")):
        if not (first <= date.fromisoformat(r["first_activity_date"]) and date.fromisoformat(r["last_activity_date"]) <= last):
            problems.append(f"{folder} buyers: activity outside {period}")
for p in problems[:20]:
    print("FAIL:", p, file=sys.stderr)
if rows == 0:
    print("FAIL: no delivered rows were checked", file=sys.stderr)
sys.exit(1 if problems or rows == 0 else 0)
