"""Property check of a delivery tree made from random_feeds.py, for one run (CADENCE PERIOD):
- a seller folder holds no file of the period (table or manifest) unless its seller is enrolled
  for the whole period, and a folder that names no registered seller holds nothing of it;
- every seller enrolled for the whole period has all four tables and its manifest;
- every delivered row belongs to the folder's seller (transaction, bank trace, product and
  opportunity ids carry the seller's index) and lies inside the period;
- nothing is missing or added: per enrolled seller, the sales_compensation transactions, the
  disbursements (transaction, payout date), the usage (buyer, product, date) and the buyers'
  payers are exactly those the feed file of the period's month gives for that seller.
Usage: check_confidential.py FEEDS OUT CADENCE PERIOD"""
import csv
import os
import sys
from collections import defaultdict
from datetime import date, timedelta

feeds, out, cadence, period = sys.argv[1:5]
year, month = period[:4], period[5:7]
if cadence == "monthly":
    first = date(int(year), int(month), 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    sub = f"year={year}/month={month}"
else:
    first = last = date.fromisoformat(period)
    sub = f"year={year}/month={month}/day={period[8:10]}"
TABLES = ["sales_compensation", "disbursements", "usage", "buyers"]
MANIFEST = os.path.join("manifests", f"{cadence}-{period}.json")


def period_files(base):
    """The files of this run's period in a seller folder: the four tables and the manifest."""
    return [p for p in [os.path.join(f"{t}_v1", sub, "data.csv") for t in TABLES] + [MANIFEST]
            if os.path.exists(os.path.join(base, p))]


def in_period(value):
    return first <= date.fromisoformat(value[:10]) <= last


seller_of, enrolled = {}, set()
for r in csv.DictReader(open(os.path.join(feeds, "enrollment/enrollment.csv"), newline="")):
    seller_of[r["aws_account_id"]] = r["seller_account_id"]
    ok_from = date.fromisoformat(r["enrolled_from"]) <= first
    ok_until = not r["enrolled_until"] or date.fromisoformat(r["enrolled_until"]) >= last
    if ok_from and ok_until:
        enrolled.add(r["aws_account_id"])

# What the feed file of the period's month gives each seller (the job reads no other fact file).
want = defaultdict(lambda: defaultdict(set))
billing = list(csv.DictReader(open(os.path.join(feeds, f"billing_event_v1/year={year}/month={month}/data.csv"), newline="")))
payout_date, failed = {}, set()
for r in billing:
    if r["transaction_type"] == "DISBURSEMENT" and r["action"] == "DISBURSED" and in_period(r["invoice_date"]):
        payout_date[(r["recipient_account_id"], r["billing_event_id"])] = r["invoice_date"][:10]
    if r["transaction_type"] == "DISBURSEMENT_FAILURE" and in_period(r["invoice_date"]):
        failed.add((r["recipient_account_id"], r["parent_billing_event_id"]))
for r in billing:
    seller = r["recipient_account_id"]
    if r["action"] == "INVOICED" and in_period(r["invoice_date"]):
        want[seller]["sales"].add(r["transaction_reference_id"])
        if r["transaction_type"] == "SELLER_REV_SHARE":
            want[seller]["payers"].add(r["from_account_id"])
    payout = (seller, r["disbursement_billing_event_id"])
    if (r["action"] == "DISBURSED" and payout in payout_date and payout not in failed
            and r["transaction_type"] not in ("DISBURSEMENT", "DISBURSEMENT_FAILURE") and in_period(r["invoice_date"])):
        want[seller]["disbursements"].add((r["transaction_reference_id"], payout_date[payout]))
        if r["transaction_type"] == "SELLER_REV_SHARE":
            want[seller]["payers"].add(r["from_account_id"])
for r in csv.DictReader(open(os.path.join(feeds, f"daily_usage_v1/year={year}/month={month}/data.csv"), newline="")):
    if in_period(r["usage_date"]):
        payer = r["payer_account_id"]
        want[r["recipient_account_id"]]["usage"].add((payer, r["product_id"], r["usage_date"]))
        want[r["recipient_account_id"]]["payers"].add(payer)


def buyer_of_aws(aws_id):  # random_feeds: buyer b has aws id 1 followed by b in 11 digits
    return f"buyer-{int(aws_id[1:]):03d}" if aws_id else ""


def product_of_code(code):  # code-SS-K -> prod-SS-K
    return "prod-" + code[len("code-"):] if code else ""


problems, rows = [], 0
deliveries = os.path.join(out, "deliveries")
folders = sorted(os.listdir(deliveries)) if os.path.isdir(deliveries) else []
for folder in folders:
    base = os.path.join(deliveries, folder)
    present = period_files(base)
    if folder not in enrolled and present:
        problems.append(f"{folder} is not enrolled for the whole {cadence} {period} but has {', '.join(present)}")
per_table = defaultdict(int)
for folder in sorted(enrolled):
    base = os.path.join(deliveries, folder)
    present = period_files(base) if os.path.isdir(base) else []
    missing = [f"{t}_v1" for t in TABLES if os.path.join(f"{t}_v1", sub, "data.csv") not in present]
    missing += [MANIFEST] if MANIFEST not in present else []
    if missing:
        problems.append(f"{folder} is enrolled for the whole {cadence} {period} but lacks {', '.join(missing)}")
        continue
    seller = seller_of[folder]
    index = seller.split("-")[1]  # seller-07 -> 07
    got = defaultdict(set)

    def read(table):
        return list(csv.DictReader(open(os.path.join(base, f"{table}_v1", sub, "data.csv"), newline="", encoding="utf-8")))

    for table, id_columns, datecol in (
            ("sales_compensation", ("transaction_reference_id", "product_code", "opportunity_name"), "invoice_date"),
            ("usage", ("product_code",), "usage_date"),
            ("disbursements", ("transaction_reference_id", "product_code", "bank_trace_id"), "disbursement_date")):
        for r in read(table):
            rows += 1
            per_table[table] += 1
            for col in id_columns:
                if r[col].split("-")[1] != index:
                    problems.append(f"{folder} {table}: row of another seller: {col} {r[col]}")
            if not first <= date.fromisoformat(r[datecol]) <= last:
                problems.append(f"{folder} {table}: row dated {r[datecol]} outside {period}")
            if table == "sales_compensation":
                got["sales"].add(r["transaction_reference_id"])
            elif table == "disbursements":
                got["disbursements"].add((r["transaction_reference_id"], r["disbursement_date"]))
            else:
                got["usage"].add((buyer_of_aws(r["customer_aws_account_id"]), product_of_code(r["product_code"]), r["usage_date"]))
    for r in read("buyers"):
        rows += 1
        got["payers"].add(r["payer_reference_id"])
        if not (first <= date.fromisoformat(r["first_activity_date"]) and date.fromisoformat(r["last_activity_date"]) <= last):
            problems.append(f"{folder} buyers: activity {r['first_activity_date']}..{r['last_activity_date']} outside {period}")
    for what in ("sales", "disbursements", "usage", "payers"):
        extra, lost = got[what] - want[seller][what], want[seller][what] - got[what]
        if extra:
            problems.append(f"{folder} {what}: delivered but not this seller's in {period}: {sorted(extra)[:5]}")
        if lost:
            problems.append(f"{folder} {what}: this seller's in {period} but not delivered: {sorted(lost)[:5]}")
# A property over no rows proves nothing: a month must have rows of every table, and its feed file
# must hold rows dated outside it (else the period check above could not fail).
if cadence == "monthly":
    for table in ("sales_compensation", "disbursements", "usage"):
        if per_table[table] == 0:
            problems.append(f"no {table} row was delivered in {period}: the generated feeds should have some")
    if not any(not in_period(r["invoice_date"]) for r in billing):
        problems.append(f"the billing file of {period} has no row dated outside it")
    if not failed:
        problems.append(f"no payout of {period} fails: the generated feeds should have some")
for p in problems[:20]:
    print("FAIL:", p, file=sys.stderr)
if rows == 0:
    print("FAIL: no delivered rows were checked", file=sys.stderr)
sys.exit(1 if problems or rows == 0 else 0)
